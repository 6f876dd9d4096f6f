#include "local/probe_databases.hpp"

#include <algorithm>
#include <random>
#include <string_view>
#include <strings.h>

#include <spdlog/spdlog.h>

#include "core/sql_quote.hpp"
#include "protocol/peer_protocol.hpp"

namespace ferry::local {
namespace {

bool is_scratch_name(const std::string& s)
{
    const std::string_view p(kScratchSchemaPrefix);
    return s.size() == p.size() + 16 && s.compare(0, p.size(), p) == 0 &&
           std::all_of(s.begin() + std::ptrdiff_t(p.size()), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace

core::Expected<source::MariaDbConnection> local_root(const core::ApplianceConfig& config,
                                                     bool infile)
{
    source::MariaDbEndpoint e;
    e.unix_socket = config.database_socket;
    e.user = "root";
    e.connect_timeout = std::chrono::seconds(5);
    e.io_timeout = std::chrono::seconds(30);
    source::MariaDbConnection::Options o;
    o.role = "this system's MariaDB";
    o.local_infile = infile;
    auto c = source::MariaDbConnection::connect(e, o);
    // Probe never waits long for a lock another session holds here (a
    // backup's FLUSH TABLES WITH READ LOCK blocks every CREATE and DROP,
    // by default for a year): it measures and tries what it can and says
    // what it could not.
    if (c)
        if (auto r = c->execute("SET SESSION lock_wait_timeout=" +
                                std::to_string(kProbeLockWaitSeconds));
            !r)
            return r.error();
    return c;
}

std::string new_scratch_schema_name()
{
    std::random_device rd;
    std::string s = kScratchSchemaPrefix;
    for (int i = 0; i < 16; ++i)
        s += "0123456789abcdef"[rd() % 16];
    return s;
}

core::Expected<bool> drop_scratch_schemas(source::MariaDbConnection& c)
{
    auto rows = c.query("SHOW DATABASES LIKE 'ferry\\_probe\\_%'");
    if (!rows)
        return rows.error();
    for (const auto& r : *rows)
        if (!r.empty() && r[0] && is_scratch_name(*r[0]))
            if (auto d = c.execute("DROP DATABASE IF EXISTS " + core::quote_identifier(*r[0])); !d)
                return d.error();
    return true;
}

void drop_scratch_schema(const core::ApplianceConfig& config, source::MariaDbConnection& c,
                         const std::string& schema)
{
    const std::string sql = "DROP DATABASE IF EXISTS " + core::quote_identifier(schema);
    auto dropped = c.execute(sql);
    if (!dropped) {
        if (auto again = local_root(config, false); again)
            dropped = again->execute(sql);
        if (!dropped)
            spdlog::warn("Probe: the scratch schema {} could not be removed: {} (the next Probe "
                         "removes it)",
                         schema, dropped.error().message);
    }
}

core::Expected<bool> with_source_db(
    source::PeerClient& peer, const std::string& self_address, std::chrono::seconds io_timeout,
    const std::function<void(source::MariaDbConnection&, const std::vector<std::string>&)>& use)
{
    auto account = peer.post("/db-account", protocol::DbAccountRequest{self_address}.to_json());
    if (!account)
        return account.error();
    // The temporary account goes again whatever happens below.
    struct Drop {
        source::PeerClient& peer;
        ~Drop()
        {
            if (auto r = peer.del("/db-account"); !r)
                spdlog::warn("Probe: the source's temporary account could not be dropped: {}",
                             r.error().message);
        }
    } drop{peer};
    auto typed = protocol::DbAccount::from_json(*account);
    if (!typed)
        return typed.error();
    source::MariaDbEndpoint e;
    e.host = peer.endpoint().address;
    e.port = typed->port;
    e.user = typed->user;
    e.password = std::move(typed->password);
    e.tls.enabled = true;
    e.tls.verify_server_cert = false; // pinned instead, as the data copy does
    e.tls.peer_fingerprint = source::connector_pin(typed->tls_sha256, typed->tls_sha1);
    e.connect_timeout = std::chrono::seconds(5);
    e.io_timeout = io_timeout;
    source::MariaDbConnection::Options o;
    o.role = "the source's MariaDB";
    auto c = source::MariaDbConnection::connect(e, o);
    explicit_bzero(e.password.data(), e.password.size());
    if (!c)
        return c.error();
    use(*c, typed->databases);
    return true;
}

} // namespace ferry::local
