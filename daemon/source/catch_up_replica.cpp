#include "source/catch_up_replica.hpp"

#include <cctype>
#include <spdlog/spdlog.h>

namespace ferry::source {
namespace {

// ER_SLAVE_MUST_STOP and friends are not errors for an idempotent stop.
constexpr unsigned kErSlaveNotRunning = 1199; // ER_SLAVE_NOT_RUNNING
constexpr unsigned kErBadSlave = 1200;        // ER_BAD_SLAVE (not configured)
constexpr unsigned kErSlaveNotExist = 1617;   // ER_SLAVE_NOT_EXIST (no such connection)
constexpr unsigned kErMasterFatalReading =
    1236; // the source's binary log cannot serve the position

const std::string kName = quote_literal(kCatchUpConnection);

core::Error catch_up_error(std::string message, std::string remedy = {})
{
    return core::Error{core::Code::ReplicationFailed, std::move(message), std::move(remedy)};
}

std::uint32_t to_u32(const std::string& s)
{
    try {
        return static_cast<std::uint32_t>(std::stoul(s));
    } catch (...) {
        return 0;
    }
}

// Runs `sql`; errors in `benign` count as success (a stop of a replica that
// does not run, a reset of one that does not exist).
core::Expected<bool> execute_tolerant(MariaDbConnection& db, const std::string& sql,
                                      std::initializer_list<unsigned> benign)
{
    auto r = db.execute(sql);
    if (r)
        return true;
    for (unsigned e : benign)
        if (db.last_errno() == e)
            return true;
    return r;
}

} // namespace

nlohmann::json CatchUpRestore::to_json() const
{
    return {{"gtid_slave_pos", gtid_slave_pos}, {"server_id", server_id}};
}

CatchUpRestore CatchUpRestore::from_json(const nlohmann::json& j)
{
    CatchUpRestore r;
    if (j.is_object()) {
        r.gtid_slave_pos = j.value("gtid_slave_pos", "");
        r.server_id = j.value("server_id", 0u);
    }
    return r;
}

std::string wild_do_table(const std::vector<std::string>& schemas)
{
    std::string out;
    for (const auto& s : schemas) {
        std::string escaped;
        for (char c : s) {
            if (c == '%' || c == '_' || c == '\\')
                escaped += '\\';
            escaped += c;
        }
        out += (out.empty() ? "" : ",") + escaped + ".%";
    }
    return out;
}

std::string change_master_statement(const CatchUpSetup& s)
{
    // MASTER_SSL_CA makes the replica check the source's certificate chain
    // against the certificate ferry-peer named (a self-signed certificate
    // is its own chain); VERIFY_SERVER_CERT would also want the address in
    // the certificate's names, which an appliance's certificate lacks.
    return "CHANGE MASTER " + kName + " TO MASTER_HOST=" + quote_literal(s.host) +
           ", MASTER_PORT=" + std::to_string(s.port) + ", MASTER_USER=" + quote_literal(s.user) +
           ", MASTER_PASSWORD=" + quote_literal(s.password) +
           ", MASTER_SSL=1, MASTER_SSL_CA=" + quote_literal(s.ca_file) +
           ", MASTER_SSL_VERIFY_SERVER_CERT=0, MASTER_USE_GTID=slave_pos, "
           "MASTER_CONNECT_RETRY=5";
}

core::Expected<CatchUpRestore> catch_up_restore_point(MariaDbConnection& db)
{
    auto rows = db.query("SELECT @@GLOBAL.gtid_slave_pos, @@GLOBAL.server_id");
    if (!rows)
        return rows.error();
    CatchUpRestore r;
    if (!rows->empty() && rows->front().size() >= 2) {
        r.gtid_slave_pos = rows->front()[0].value_or("");
        r.server_id = to_u32(rows->front()[1].value_or("0"));
    }
    return r;
}

core::Expected<bool> start_catch_up(MariaDbConnection& db, const CatchUpSetup& s)
{
    for (const auto& schema : s.schemas)
        if (schema.find(',') != std::string::npos)
            return catch_up_error("The schema name '" + schema +
                                  "' cannot be named in a replication filter.");
    auto before = catch_up_restore_point(db);
    if (!before)
        return before.error();
    // Nothing of this reaches this system's binary log.
    if (auto r = db.execute("SET SESSION sql_log_bin = 0"); !r)
        return r.error();
    if (before->server_id == s.source_server_id) {
        // Any other id: the source's events would be taken for our own.
        const std::uint32_t other = s.source_server_id == 4294967295u ? 1 : s.source_server_id + 1;
        if (auto r = db.execute("SET GLOBAL server_id = " + std::to_string(other)); !r)
            return r.error();
    }
    if (auto r = db.execute("SET GLOBAL gtid_slave_pos = " + quote_literal(s.start_gtid)); !r)
        return catch_up_error("Cannot set this system's replication position: " + r.error().message,
                              "Stop any replica this system runs (SHOW ALL SLAVES STATUS), then "
                              "Resume().");
    if (auto r = db.execute(change_master_statement(s)); !r)
        return catch_up_error("Cannot configure the replica of the source (CHANGE MASTER): " +
                              db.last_error("CHANGE MASTER").message);
    // The filter belongs to this connection only (MariaDB keeps replication
    // filters per connection, chosen by default_master_connection).
    if (auto r = db.execute("SET SESSION default_master_connection = " + kName); !r)
        return r.error();
    auto filtered = db.execute("SET GLOBAL replicate_wild_do_table = " +
                               quote_literal(wild_do_table(s.schemas)));
    db.execute("SET SESSION default_master_connection = ''");
    if (!filtered)
        return filtered.error();
    if (auto r = db.execute("START SLAVE " + kName); !r)
        return r.error();
    spdlog::info("This system follows the source {}:{} from GTID {} (schemas: {}).", s.host, s.port,
                 s.start_gtid.empty() ? std::string("-") : s.start_gtid, wild_do_table(s.schemas));
    return true;
}

core::Expected<CatchUpStatus> catch_up_status(MariaDbConnection& db)
{
    auto rows = db.query_named("SHOW ALL SLAVES STATUS");
    if (!rows)
        return rows.error();
    CatchUpStatus st;
    for (const auto& row : *rows) {
        // Connection names compare without regard to case in MariaDB.
        std::string name = column(row, "Connection_name");
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name != kCatchUpConnection)
            continue;
        st.exists = true;
        st.io_running = column(row, "Slave_IO_Running") == "Yes";
        st.io_stopped = column(row, "Slave_IO_Running") == "No";
        st.sql_running = column(row, "Slave_SQL_Running") == "Yes";
        st.io_errno = to_u32(column(row, "Last_IO_Errno"));
        st.sql_errno = to_u32(column(row, "Last_SQL_Errno"));
        st.io_error = column(row, "Last_IO_Error");
        st.sql_error = column(row, "Last_SQL_Error");
    }
    return st;
}

core::Expected<bool> renew_catch_up_password(MariaDbConnection& db, const std::string& user,
                                             const std::string& password)
{
    if (auto r = execute_tolerant(db, "STOP SLAVE " + kName, {kErSlaveNotRunning}); !r)
        return r.error();
    if (auto r = db.execute("CHANGE MASTER " + kName + " TO MASTER_USER=" + quote_literal(user) +
                            ", MASTER_PASSWORD=" + quote_literal(password));
        !r)
        return catch_up_error("Cannot give the replica the source's new account (CHANGE "
                              "MASTER): " +
                              db.last_error("CHANGE MASTER").message);
    return db.execute("START SLAVE " + kName);
}

core::Expected<bool> wait_caught_up(MariaDbConnection& db, const std::string& gtid_pos,
                                    std::chrono::seconds timeout, const std::atomic<bool>& stopping,
                                    bool stop)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // One second at a time: between waits the replica's errors are looked
    // at, and a stopping ferryd is not held up.
    const std::string wait = "SELECT MASTER_GTID_WAIT(" + quote_literal(gtid_pos) + ", 1)";
    while (true) {
        auto st = catch_up_status(db);
        if (!st)
            return st.error();
        if (!st->exists)
            return catch_up_error("The temporary replica of the source is gone from this "
                                  "system's MariaDB.");
        if (st->io_errno == kErMasterFatalReading)
            return catch_up_error("The source's binary log no longer holds the changes since "
                                  "the copy: " +
                                  st->io_error);
        if (st->sql_errno != 0)
            return catch_up_error("The temporary replica stopped on an error: " + st->sql_error);
        // Stopped (by someone, or a restart of this MariaDB with
        // skip_slave_start): started again. "Connecting" retries by itself
        // every MASTER_CONNECT_RETRY seconds.
        if (!st->sql_running || st->io_stopped)
            if (auto r = db.execute("START SLAVE " + kName); !r)
                return r.error();
        auto v = db.query_value(wait);
        if (!v)
            return v.error();
        if (v->value_or("-1") == "0")
            break;
        if (stopping)
            return core::Error{core::Code::Internal, "ferryd is stopping.", {}};
        if (std::chrono::steady_clock::now() >= deadline)
            return catch_up_error(
                "The temporary replica did not apply the source's last changes within " +
                std::to_string(timeout.count()) + " s" +
                (st->io_error.empty() ? "" : " (" + st->io_error + ")") + ".");
    }
    if (!stop)
        return true;
    return execute_tolerant(db, "STOP SLAVE " + kName, {kErSlaveNotRunning});
}

core::Expected<bool> remove_catch_up(MariaDbConnection& db, const CatchUpRestore& restore)
{
    auto st = catch_up_status(db);
    if (!st)
        return st.error();
    if (st->exists) {
        if (auto r = execute_tolerant(db, "STOP SLAVE " + kName, {kErSlaveNotRunning}); !r)
            return r.error();
        if (auto r = execute_tolerant(db, "RESET SLAVE " + kName + " ALL",
                                      {kErBadSlave, kErSlaveNotExist});
            !r)
            return r.error();
    }
    // Put back what start_catch_up changed; gtid_slave_pos only when no
    // other replica runs here (MariaDB refuses it then, and it is theirs).
    auto now = catch_up_restore_point(db);
    if (!now)
        return now.error();
    if (restore.server_id != 0 && now->server_id != restore.server_id)
        if (auto r = db.execute("SET GLOBAL server_id = " + std::to_string(restore.server_id)); !r)
            return r.error();
    if (now->gtid_slave_pos != restore.gtid_slave_pos) {
        auto others = db.query("SHOW ALL SLAVES STATUS");
        if (others && others->empty())
            if (auto r = db.execute("SET GLOBAL gtid_slave_pos = " +
                                    quote_literal(restore.gtid_slave_pos));
                !r)
                return r.error();
    }
    if (st->exists)
        spdlog::info("The temporary replica of the source is removed from this system.");
    return true;
}

} // namespace ferry::source
