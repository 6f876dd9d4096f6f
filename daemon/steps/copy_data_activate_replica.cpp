// Operation 7 (HA only, after the Swap reboot): this system, now at the
// source's former address, takes the source's place in the ring:
//   1. the source's schemas are copied (binary logging off) from the
//      source, which has not changed since it left the ring (checked
//      against the freeze of operation 3);
//   2. the ring statements (core/ring.hpp): the source's server id and
//      GTID domain, a binary log starting at the source's state, the
//      source's replica position, the ring's account, the replica of the
//      node before the source, started;
//   3. the replica runs, and the node after the source has connected to
//      this system and reads its binary log.
// Checkpoints: "loaded" after 1, "joined" after 2. A resume never loads
// again once the replica is configured (that would throw away what it
// applied): the local replica configuration is checked first.
#include <chrono>
#include <spdlog/spdlog.h>
#include <thread>

#include "core/ini.hpp"
#include "core/ring.hpp"
#include "local/report_files.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {
namespace {

using namespace std::chrono_literals;

core::Error ring_error(std::string message, std::string remedy)
{
    return core::Error{core::Code::ReplicationFailed, std::move(message), std::move(remedy)};
}

core::Expected<core::ReplicaFreeze> recorded_freeze(const core::JobRecord& job)
{
    const auto* op = core::find_operation(job, core::OperationId::DeactivateReplica);
    if (!op || !op->checkpoint.is_object() || !op->checkpoint.contains("freeze"))
        return core::Error{core::Code::Internal,
                           "The source's replica position was not recorded by operation 3.",
                           {}};
    return core::ReplicaFreeze::from_json(op->checkpoint["freeze"]);
}

core::Expected<core::RingAccount> ring_account(const StepContext& ctx)
{
    auto sections = ctx.appliance.read_settings();
    if (!sections)
        return sections.error();
    const auto it = sections->find("replication");
    auto ini = core::parse_ini(it == sections->end() ? std::string() : it->second);
    if (!ini)
        return ini.error();
    core::RingAccount a{core::ini_get(*ini, "Replication", "User"),
                        core::ini_get(*ini, "Replication", "Password")};
    if (a.user.empty())
        return ring_error("The replication settings copied from the source name no replication "
                          "account ([Replication] User=).",
                          "Set User= and Password= of the ring's replication account in the "
                          "replication settings, then Resume().");
    return a;
}

// SHOW SLAVE STATUS of the default connection, by column name.
struct ReplicaStatus {
    bool configured = false;
    std::string master_host;
    bool io_running = false, sql_running = false;
    std::string io_error, sql_error;
};

core::Expected<ReplicaStatus> replica_status(source::MariaDbConnection& db)
{
    auto rows = db.query_named("SHOW SLAVE STATUS");
    if (!rows)
        return rows.error();
    ReplicaStatus s;
    if (!rows->empty()) {
        const auto& row = rows->front();
        s.master_host = source::column(row, "Master_Host");
        s.io_running = source::column(row, "Slave_IO_Running") == "Yes";
        s.sql_running = source::column(row, "Slave_SQL_Running") == "Yes";
        s.io_error = source::column(row, "Last_IO_Error");
        s.sql_error = source::column(row, "Last_SQL_Error");
        s.configured = !s.master_host.empty();
    }
    return s;
}

// The addresses reading this server's binary log.
core::Expected<std::vector<std::string>> binlog_readers(source::MariaDbConnection& db)
{
    auto rows = db.query(
        "SELECT HOST FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'");
    if (!rows)
        return rows.error();
    std::vector<std::string> out;
    for (const auto& r : *rows) {
        std::string h = r.empty() ? std::string() : r[0].value_or("");
        if (const auto colon = h.rfind(':'); colon != std::string::npos && h.find(':') == colon)
            h.resize(colon);
        out.push_back(h);
    }
    return out;
}

core::Expected<bool> join_ring(StepContext& ctx, source::MariaDbConnection& db,
                               const core::ReplicaFreeze& freeze)
{
    auto account = ring_account(ctx);
    if (!account)
        return account.error();
    auto statements = core::ring_join_statements(freeze, *account, 1);
    if (!statements)
        return statements.error();
    // Nothing of this reaches this system's binary log: the ring must not
    // receive the account or the reset as new events.
    if (auto r = db.execute("SET SESSION sql_log_bin = 0"); !r)
        return r.error();
    for (const auto& sql : *statements)
        if (auto r = db.execute(sql); !r) {
            // The error names the statement by its keywords only: these
            // statements carry the ring's password.
            return ring_error("Joining the ring failed: " + r.error().message,
                              "Check this system's MariaDB log, then Resume().");
        }
    spdlog::info("Replica of {}:{} configured from {} (binlog state {}).", freeze.master_host,
                 freeze.master_port, freeze.gtid_current_pos, freeze.gtid_binlog_state);
    return true;
}

// Until the replica threads run and each node that read the source's
// binary log reads this system's; bounded by RingJoinTimeoutSec.
core::Expected<bool> wait_for_ring(StepContext& ctx, source::MariaDbConnection& db,
                                   const core::ReplicaFreeze& freeze)
{
    const auto timeout = std::chrono::seconds(ctx.appliance.config().ring_join_timeout_sec);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    ReplicaStatus st;
    std::vector<std::string> missing = freeze.downstream;
    while (!ctx.stopping) {
        auto s = replica_status(db);
        if (!s)
            return s.error();
        st = *s;
        if (!st.configured)
            return ring_error("This system's replica disappeared while it was starting.",
                              "Check this system's MariaDB (SHOW SLAVE STATUS), then Resume().");
        if (!st.sql_error.empty())
            return ring_error("This system's replica of " + freeze.master_host +
                                  " stopped: " + st.sql_error,
                              "Repair the replication (SHOW SLAVE STATUS), then Resume().");
        auto readers = binlog_readers(db);
        if (!readers)
            return readers.error();
        std::erase_if(missing, [&](const std::string& d) {
            return std::find(readers->begin(), readers->end(), d) != readers->end();
        });
        if (st.io_running && st.sql_running && missing.empty())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(250ms);
    }
    if (ctx.stopping)
        return stopped_error();
    if (!st.io_running || !st.sql_running)
        return ring_error("This system's replica of " + freeze.master_host +
                              " is not running after " + std::to_string(timeout.count()) + " s" +
                              (st.io_error.empty() ? "" : ": " + st.io_error) + ".",
                          "Check that " + freeze.master_host +
                              " accepts the ring's replication account from this system, then "
                              "Resume().");
    std::string names;
    for (const auto& m : missing)
        names += (names.empty() ? "" : ", ") + m;
    return ring_error("The ring node(s) " + names + " after this system did not connect within " +
                          std::to_string(timeout.count()) + " s.",
                      "On " + names +
                          " run START SLAVE (its replica retries every "
                          "MASTER_CONNECT_RETRY seconds), then Resume().");
}

} // namespace

core::Expected<bool> copy_data_activate_replica(StepContext& ctx)
{
    auto freeze = recorded_freeze(ctx.job);
    if (!freeze)
        return freeze.error();
    auto db = local_database(ctx);
    if (!db)
        return db.error();
    auto status = replica_status(*db);
    if (!status)
        return status.error();
    const bool configured = status->configured && status->master_host == freeze->master_host;
    bool joined = ctx.checkpoint.value("joined", false) || configured;
    // The tables as loaded, for the migration report (local/report_files):
    // kept in every later checkpoint of this operation.
    nlohmann::json tables = ctx.checkpoint.is_object() && ctx.checkpoint.contains("tables")
                                ? ctx.checkpoint["tables"]
                                : nlohmann::json();
    auto loaded = [&tables](bool is_joined) {
        nlohmann::json cp{{"loaded", true}};
        if (is_joined)
            cp["joined"] = true;
        if (!tables.is_null())
            cp["tables"] = tables;
        return cp;
    };

    if (!joined && !ctx.checkpoint.value("loaded", false)) {
        auto copied = copy_source_databases(ctx, nlohmann::json::object());
        if (!copied)
            return copied.error();
        // The snapshot must be the source exactly as it left the ring.
        if (copied->position.gtid_binlog_pos != freeze->gtid_binlog_pos)
            return ring_error("The source's binary log moved on after it left the ring (" +
                                  freeze->gtid_binlog_pos + " then, " +
                                  copied->position.gtid_binlog_pos + " now): it was written to.",
                              "Restore both systems from their backups; the source must not be "
                              "written to during the migration.");
        // Before joining: nothing but the load has written to them yet.
        if (auto t = local::table_summaries(ctx.appliance); t)
            tables = local::tables_to_json(*t);
        else
            spdlog::warn("The loaded tables could not be counted for the report: {}",
                         t.error().message);
        if (auto saved = ctx.save_checkpoint(loaded(false)); !saved)
            return saved.error();
    }
    if (!joined) {
        if (auto r = join_ring(ctx, *db, *freeze); !r)
            return r.error();
        if (auto saved = ctx.save_checkpoint(loaded(true)); !saved)
            return saved.error();
    } else if (!status->io_running || !status->sql_running) {
        // Configured before a crash or restart: start it (idempotent).
        if (auto r = db->execute("START SLAVE"); !r)
            return r.error();
        if (!ctx.checkpoint.value("joined", false))
            if (auto saved = ctx.save_checkpoint(loaded(true)); !saved)
                return saved.error();
    }
    if (auto r = wait_for_ring(ctx, *db, *freeze); !r)
        return r.error();
    spdlog::info("This system is in the ring: replica of {}, read by {}.", freeze->master_host,
                 freeze->downstream.empty() ? std::string("-") : freeze->downstream.front());
    ctx.progress(1, 1);
    return true;
}

} // namespace ferry::steps
