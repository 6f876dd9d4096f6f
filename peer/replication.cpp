// The source's side of the ring (docs/ha.md): its replication facts for
// the describe answer, and taking it out of the ring for operation 3.
#include <fstream>
#include <map>
#include <spdlog/spdlog.h>
#include <thread>

#include "core/address.hpp"
#include "peer/auth.hpp"
#include "peer/database.hpp"
#include "mariadb/mariadb_conn.hpp"

namespace ferry::peer {
namespace {

using source::NamedRow;

core::Error replication_error(const std::string& message, const std::string& remedy)
{
    return core::Error{core::Code::ReplicationFailed, message, remedy};
}

core::Expected<source::MariaDbConnection> connect_admin(const DatabaseConfig& c)
{
    source::MariaDbEndpoint e;
    e.unix_socket = c.socket;
    e.user = c.user;
    e.connect_timeout = std::chrono::seconds(5);
    e.io_timeout = std::chrono::seconds(30);
    if (!c.password_file.empty()) {
        std::ifstream in(c.password_file);
        if (!in)
            return core::Error{core::Code::Internal,
                               "Cannot read the MariaDB password file " + c.password_file + ".", {}};
        std::getline(in, e.password);
        while (!e.password.empty() && (e.password.back() == '\r' || e.password.back() == ' '))
            e.password.pop_back();
    }
    source::MariaDbConnection::Options o;
    o.role = "the source's MariaDB";
    auto conn = source::MariaDbConnection::connect(e, o);
    wipe(e.password);
    return conn;
}

// Values by column name (source::MariaDbConnection::query_named).
std::string at(const NamedRow& r, const std::string& key)
{
    return source::column(r, key);
}

uint32_t to_u32(const std::string& s)
{
    try {
        return static_cast<uint32_t>(std::stoul(s));
    } catch (...) {
        return 0;
    }
}

// "127.0.0.13:51234", "[::1]:51234" -> the address; "" when it is none.
std::string host_address(std::string host)
{
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        host = close == std::string::npos ? std::string() : host.substr(1, close - 1);
    } else if (std::count(host.begin(), host.end(), ':') == 1) {
        host = host.substr(0, host.find(':'));
    }
    auto a = core::parse_address(host);
    return a ? a->text : std::string();
}

struct Dumps {
    std::vector<std::string> hosts;
    bool all_sent = true;
};

// The replicas reading this server's binary log, and whether each has been
// sent everything (the binlog dump thread waits for more).
core::Expected<Dumps> binlog_dumps(source::MariaDbConnection& c)
{
    auto rows =
        c.query_named("SELECT HOST, IFNULL(STATE, '') AS STATE FROM information_schema.PROCESSLIST "
                      "WHERE COMMAND LIKE 'Binlog Dump%'");
    if (!rows)
        return rows.error();
    Dumps d;
    for (const auto& r : *rows) {
        const std::string host = host_address(at(r, "HOST"));
        if (!host.empty() && std::find(d.hosts.begin(), d.hosts.end(), host) == d.hosts.end())
            d.hosts.push_back(host);
        if (at(r, "STATE").rfind("Master has sent all binlog to slave", 0) != 0)
            d.all_sent = false;
    }
    return d;
}

core::Expected<NamedRow> variables(source::MariaDbConnection& c)
{
    auto rows = c.query_named(
        "SELECT @@server_id AS server_id, @@gtid_domain_id AS gtid_domain_id, "
        "@@gtid_binlog_state AS gtid_binlog_state, @@gtid_binlog_pos AS gtid_binlog_pos, "
        "@@gtid_slave_pos AS gtid_slave_pos, @@gtid_current_pos AS gtid_current_pos, "
        "@@log_bin AS log_bin, @@log_slave_updates AS log_slave_updates, "
        "ROUND(@@expire_logs_days * 86400) AS binlog_expire_seconds, VERSION() AS version");
    if (!rows)
        return rows.error();
    if (rows->empty())
        return core::Error{core::Code::Internal, "MariaDB returned no variables.", {}};
    return rows->front();
}

} // namespace

// Base-class defaults: an administration without a server (the API tests'
// doubles) has no ring.
core::Expected<ReplicationState> DatabaseAdmin::replication_state()
{
    return ReplicationState{};
}

core::Expected<core::ReplicaFreeze> DatabaseAdmin::deactivate_replica(
    std::chrono::seconds, const std::function<core::Expected<bool>(const core::ReplicaFreeze&)>&)
{
    return replication_error("This source has no replica to deactivate.", {});
}

core::Expected<bool> DatabaseAdmin::forget_replica()
{
    return true;
}

core::Expected<bool> MariaDbAdmin::forget_replica()
{
    auto c = connect_admin(config_);
    if (!c)
        return c.error();
    if (auto e = c->execute("STOP SLAVE"); !e)
        return e.error();
    return c->execute("RESET SLAVE ALL");
}

core::Expected<ReplicationState> MariaDbAdmin::replication_state()
{
    auto c = connect_admin(config_);
    if (!c)
        return c.error();
    ReplicationState s;
    auto slave = c->query_named("SHOW SLAVE STATUS");
    if (!slave)
        return slave.error();
    if (!slave->empty()) {
        const auto& r = slave->front();
        s.replica_configured = !at(r, "Master_Host").empty();
        s.master_host = at(r, "Master_Host");
        s.master_port = static_cast<uint16_t>(to_u32(at(r, "Master_Port")));
        s.using_gtid = at(r, "Using_Gtid");
        s.io_running = at(r, "Slave_IO_Running") == "Yes";
        s.sql_running = at(r, "Slave_SQL_Running") == "Yes";
        s.last_error = at(r, "Last_IO_Error").empty() ? at(r, "Last_SQL_Error") : at(r, "Last_IO_Error");
        // NULL (shown as "") while the replica does not run: not known.
        if (const auto lag = at(r, "Seconds_Behind_Master"); !lag.empty())
            s.seconds_behind = static_cast<int64_t>(to_u32(lag));
    }
    auto dumps = binlog_dumps(*c);
    if (!dumps)
        return dumps.error();
    s.downstream = dumps->hosts;
    auto v = variables(*c);
    if (!v)
        return v.error();
    s.server_id = to_u32(at(*v, "server_id"));
    s.gtid_domain_id = to_u32(at(*v, "gtid_domain_id"));
    s.gtid_binlog_pos = at(*v, "gtid_binlog_pos");
    s.gtid_current_pos = at(*v, "gtid_current_pos");
    s.log_bin = at(*v, "log_bin") == "1";
    s.log_slave_updates = at(*v, "log_slave_updates") == "1";
    s.server_version = at(*v, "version");
    s.binlog_expire_seconds = to_u32(at(*v, "binlog_expire_seconds"));
    return s;
}

core::Expected<core::ReplicaFreeze> MariaDbAdmin::deactivate_replica(
    std::chrono::seconds wait,
    const std::function<core::Expected<bool>(const core::ReplicaFreeze&)>& record)
{
    auto c = connect_admin(config_);
    if (!c)
        return c.error();
    auto slave = c->query_named("SHOW SLAVE STATUS");
    if (!slave)
        return slave.error();
    if (slave->empty() || at(slave->front(), "Master_Host").empty())
        return replication_error("The source's MariaDB has no replica: it is not a node of a ring.",
                                 "Check the replication of the source ([Replication] settings, "
                                 "SHOW SLAVE STATUS), then Resume().");
    core::ReplicaFreeze f;
    const auto& r = slave->front();
    f.master_host = host_address(at(r, "Master_Host"));
    f.master_port = static_cast<uint16_t>(to_u32(at(r, "Master_Port")));
    f.using_gtid = at(r, "Using_Gtid");
    if (f.master_host.empty())
        return replication_error("The source replicates from '" + at(r, "Master_Host").substr(0, 64) +
                                     "', which is not an IP address.",
                                 "A ring of appliances addresses its nodes by IP address.");
    if (f.using_gtid != "Slave_Pos" && f.using_gtid != "Current_Pos")
        return replication_error("The source's replica does not use GTIDs (Using_Gtid=" +
                                     f.using_gtid + ").",
                                 "Set MASTER_USE_GTID=slave_pos on every node of the ring.");
    const bool was_running = at(r, "Slave_SQL_Running") == "Yes" || at(r, "Slave_IO_Running") == "Yes";

    // From here on: undo on any failure, so that the ring is as it was.
    auto undo = [&] {
        (void)c->execute("SET GLOBAL read_only = OFF");
        if (was_running)
            (void)c->execute("START SLAVE");
    };
    if (auto e = c->execute("STOP SLAVE"); !e)
        return e.error();
    if (auto e = c->execute("SET GLOBAL read_only = ON"); !e) {
        undo();
        return e.error();
    }
    // The node downstream must have everything this server logged: it will
    // ask the successor for the events after its position, and the
    // successor's binary log starts at this server's state.
    Dumps dumps;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        auto d = binlog_dumps(*c);
        if (!d) {
            undo();
            return d.error();
        }
        dumps = *d;
        if (!dumps.hosts.empty() && dumps.all_sent)
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            undo();
            return replication_error(
                dumps.hosts.empty()
                    ? "No node of the ring is reading the source's binary log: the node after it "
                      "would miss its last changes."
                    : "The ring node(s) after the source have not received all of its binary log "
                      "within " + std::to_string(wait.count()) + " s.",
                "Check the replication of the node after the source (SHOW SLAVE STATUS there), "
                "then Resume(). The source was left in the ring as it was.");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    f.downstream = dumps.hosts;
    auto v = variables(*c);
    if (!v) {
        undo();
        return v.error();
    }
    f.server_id = to_u32(at(*v, "server_id"));
    f.gtid_domain_id = to_u32(at(*v, "gtid_domain_id"));
    f.gtid_binlog_state = at(*v, "gtid_binlog_state");
    f.gtid_binlog_pos = at(*v, "gtid_binlog_pos");
    f.gtid_slave_pos = at(*v, "gtid_slave_pos");
    f.gtid_current_pos = at(*v, "gtid_current_pos");
    if (auto checked = core::ReplicaFreeze::from_json(f.to_json()); !checked) {
        undo();
        return checked.error();
    }
    if (auto saved = record(f); !saved) {
        undo();
        return saved.error();
    }
    // Recorded: now the replica is forgotten for good (a restart of this
    // server must not join the ring again). Read-only stays until the
    // server restarts: nothing may write here any more.
    if (auto e = c->execute("RESET SLAVE ALL"); !e)
        return e.error();
    // Joined here: spdlog 1.8 (Debian 11) passes arguments as lvalues, which
    // its fmt 7 refuses for fmt::join's view.
    const std::string downstream = fmt::format("{}", fmt::join(f.downstream, " "));
    spdlog::info("Replica from {}:{} deactivated at {} (binlog state {}); downstream: {}.",
                 f.master_host, f.master_port, f.gtid_current_pos, f.gtid_binlog_state,
                 downstream);
    return f;
}

} // namespace ferry::peer
