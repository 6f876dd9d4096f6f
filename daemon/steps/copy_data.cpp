// Operation 4 (standalone) without a copy while the source served (or
// after its catch-up fell back): a consistent snapshot of the source's schemas,
// streamed over 3306 with a temporary account the source creates for this
// system's address, loaded with binary logging off, verified table by
// table (row count and checksum). The checkpoint lists verified tables
// and the snapshot they belong to; a re-run copies only the others, or
// everything again if the source changed (source/data_copy.*).
#include <algorithm>

#include "core/json_number.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {
namespace {

class StepProgress final : public source::DataCopyProgress {
  public:
    StepProgress(StepContext& ctx, nlohmann::json extra) : ctx_(ctx), extra_(std::move(extra)) {}
    void on_bytes(uint64_t done, uint64_t total) override { ctx_.progress(done, total); }
    void on_table_done(const source::TableResult&, const source::DataCopyCheckpoint& cp) override
    {
        last = extra_;
        last["snapshot"] = cp.snapshot_id;
        last["done"] = cp.done;
        if (auto saved = ctx_.save_checkpoint(last); !saved && !unsaved)
            unsaved = saved.error();
    }
    nlohmann::json last; // the newest checkpoint saved
    // A checkpoint that did not reach the disk stops the copy.
    std::optional<core::Error> unsaved;
    bool cancelled() override { return ctx_.stopping || unsaved; }

  private:
    StepContext& ctx_;
    nlohmann::json extra_;
};

} // namespace

core::Expected<source::MariaDbConnection> local_database(const StepContext& ctx)
{
    source::MariaDbEndpoint e;
    e.unix_socket = ctx.appliance.config().database_socket;
    e.user = "root"; // unix_socket authentication: ferryd runs as root
    source::MariaDbConnection::Options o;
    o.role = "this system's MariaDB";
    return source::MariaDbConnection::connect(e, o);
}

namespace {

bool is_hex(const std::string& s, std::size_t n)
{
    return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

} // namespace

core::Expected<protocol::DbAccount> source_account(StepContext& ctx, bool replica)
{
    protocol::DbAccountRequest request{ctx.job.target.address};
    request.replica = replica;
    auto answer = ctx.peer.post("/db-account", request.to_json());
    if (!answer)
        return answer.error();
    auto account = protocol::DbAccount::from_json(*answer);
    if (!account)
        return account.error();
    const std::string& sha256 = account->tls_sha256;
    const std::string& sha1 = account->tls_sha1;
    // Always TLS on 3306, pinned to the certificate ferry-peer named in its
    // own (pinned, HTTPS) answer: a connection to anyone else fails before
    // the account's password hash exchange, and the rows and the
    // definitions ferryd runs as root here come from the source's server
    // only. The certificates are self-signed: the pin replaces the CA check.
    if (!is_hex(sha256, 64) || !is_hex(sha1, 40)) {
        explicit_bzero(account->password.data(), account->password.size());
        return core::Error{
            core::Code::TlsRequired,
            "The source named no TLS certificate for its MariaDB; the data copy requires TLS.",
            "Configure ssl_cert and ssl_key for MariaDB on the source, restart it, then Resume()."};
    }
    return account;
}

source::MariaDbEndpoint source_endpoint(const StepContext& ctx, protocol::DbAccount& account)
{
    source::MariaDbEndpoint e;
    e.host = ctx.job.source.current_address;
    e.port = account.port;
    e.user = account.user;
    e.password = account.password;
    e.tls.enabled = true;
    e.tls.verify_server_cert = false;
    e.tls.peer_fingerprint = source::connector_pin(account.tls_sha256, account.tls_sha1);
    e.io_timeout = std::chrono::seconds(ctx.appliance.config().data_read_timeout_sec);
    return e;
}

core::Expected<source::DataCopyResult> copy_source_databases(StepContext& ctx,
                                                             const nlohmann::json& extra,
                                                             protocol::DbAccount* keep_for_replica)
{
    auto account = source_account(ctx, keep_for_replica != nullptr);
    if (!account)
        return account.error();
    source::DataCopyRequest req;
    req.source = source_endpoint(ctx, *account);
    req.schemas = account->databases;
    const auto& config = ctx.appliance.config();
    req.target.unix_socket = config.database_socket;
    req.target.user = "root";
    req.parallelism = config.copy_threads;
    req.checkpoint.snapshot_id = ctx.checkpoint.value("snapshot", "");
    req.checkpoint.done = ctx.checkpoint.value("done", std::set<std::string>{});

    StepProgress progress(ctx, extra);
    auto result = source::copy_databases(req, progress);
    explicit_bzero(req.source.password.data(), req.source.password.size());
    auto wipe = [&] { explicit_bzero(account->password.data(), account->password.size()); };
    if (progress.unsaved) {
        wipe();
        return *progress.unsaved;
    }
    if (!result) {
        wipe();
        return ctx.stopping ? stopped_error() : result.error();
    }
    if (auto r = verify_copied_objects(ctx, req.schemas); !r) {
        wipe();
        return r.error();
    }
    // The replica of a copy while the source serves logs in with this
    // account until the catch-up: it stays, and goes to the caller.
    if (keep_for_replica) {
        *keep_for_replica = std::move(*account);
        return result;
    }
    wipe();
    if (auto r = drop_source_account(ctx); !r)
        return r.error();
    return result;
}

core::Expected<bool> copy_data(StepContext& ctx)
{
    // After a copy while the source served, only what changed since
    // (steps/catch_up.cpp) -- unless that fell back to a full copy.
    if (core::copied_while_serving(ctx.job) && !ctx.checkpoint.value("full_copy", false))
        return catch_up(ctx);
    return copy_everything(ctx, ctx.checkpoint.value("full_copy", false)
                                    ? nlohmann::json{{"full_copy", true}}
                                    : nlohmann::json::object());
}

core::Expected<bool> copy_everything(StepContext& ctx, const nlohmann::json& extra)
{
    auto result = copy_source_databases(ctx, extra);
    if (!result)
        return result.error();
    // Where the snapshot stands in the source's binary log (for the record:
    // a replica of this data would continue from there).
    const auto& pos = result->position;
    auto cp = ctx.checkpoint.is_object() ? ctx.checkpoint : nlohmann::json::object();
    cp["done"] = nlohmann::json::array();
    for (const auto& t : result->tables)
        cp["done"].push_back(source::table_key(t.schema, t.name));
    cp["snapshot"] = pos.snapshot_id();
    for (const auto& [k, v] : extra.items())
        cp[k] = v;
    cp["position"] = {{"binlog_file", pos.binlog_file},
                      {"binlog_pos", pos.binlog_pos},
                      {"gtid_binlog_pos", pos.gtid_binlog_pos},
                      {"gtid_current_pos", pos.gtid_current_pos},
                      {"server_id", pos.server_id}};
    if (auto saved = ctx.save_checkpoint(cp); !saved)
        return saved.error();
    return true;
}

} // namespace ferry::steps
