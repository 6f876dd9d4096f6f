// Operation 4 after "pre-copy-data" (issue 18), with the source under
// maintenance: the temporary replica applies the source's last
// transactions, is stopped exactly at the source's final GTID position and
// removed, and the tables the source wrote to since the snapshot are
// compared on both sides (source/catch_up_verify.hpp). Then the objects'
// definitions and the temporary account, as after a full copy.
//
// When the catch-up cannot be trusted -- the replica is gone or stopped on
// an error, the source's binary log no longer holds the snapshot's
// position, the source's MariaDB restarted since the snapshot, the time
// ran out -- the replica is removed and the whole data is copied under
// maintenance as without pre-copy (copy_everything), with the reason in
// the job's events ("data-path") and the journal.
//
// Checkpoints: "final" (the source's position under maintenance), then
// "caught_up", "removed", "verified"; "full_copy" with "fallback_reason"
// once it fell back (copy_data then goes straight to the full copy).
#include <cstdlib>
#include <spdlog/spdlog.h>
#include <string>

#include "source/catch_up_replica.hpp"
#include "source/catch_up_verify.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {
namespace {

const nlohmann::json& pre_copy_checkpoint(const core::JobRecord& job)
{
    static const nlohmann::json none = nlohmann::json::object();
    const auto* op = core::find_operation(job, core::OperationId::PreCopyData);
    return op && op->checkpoint.is_object() ? op->checkpoint : none;
}

core::Expected<bool> fall_back(StepContext& ctx, source::MariaDbConnection& db,
                               const std::string& reason)
{
    spdlog::warn("The catch-up after the copy while the source served cannot be used: {} The "
                 "data is copied again, under maintenance.",
                 reason);
    const auto restore = source::CatchUpRestore::from_json(
        pre_copy_checkpoint(ctx.job).value("restore", nlohmann::json()));
    if (auto r = source::remove_catch_up(db, restore); !r)
        return r.error();
    std::error_code ec;
    std::filesystem::remove(replica_certificate_path(ctx), ec);
    const nlohmann::json extra{{"full_copy", true}, {"fallback_reason", reason}};
    if (auto saved = ctx.save_checkpoint(extra); !saved)
        return saved.error();
    if (ctx.record_event)
        ctx.record_event("data-path", {{"path", "full-copy"}, {"reason", reason}});
    ctx.checkpoint = extra; // a fresh copy: no table of the catch-up counts
    return copy_everything(ctx, extra);
}

} // namespace

core::Expected<bool> catch_up(StepContext& ctx)
{
    const auto& pre = pre_copy_checkpoint(ctx.job);
    const auto& position = pre.contains("position") ? pre["position"] : nlohmann::json::object();
    auto db = local_database(ctx);
    if (!db)
        return db.error();
    nlohmann::json cp = ctx.checkpoint.is_object() ? ctx.checkpoint : nlohmann::json::object();

    // The source under maintenance: a fresh account (the replica's is
    // renewed with it), and where the source's binary log ends now.
    auto account = source_account(ctx, true);
    if (!account)
        return account.error();
    auto endpoint = source_endpoint(ctx, *account);
    auto wipe = [&] {
        explicit_bzero(account->password.data(), account->password.size());
        explicit_bzero(endpoint.password.data(), endpoint.password.size());
    };
    std::string final_pos;
    int64_t started = 0;
    {
        source::MariaDbConnection::Options o;
        o.role = "source";
        auto src = source::MariaDbConnection::connect(endpoint, o);
        if (!src) {
            wipe();
            return src.error();
        }
        auto v = src->query("SELECT @@gtid_binlog_pos, " + std::string(source::kSourceStartedSql));
        if (!v || v->empty() || v->front().size() < 2) {
            wipe();
            return v ? core::Error{core::Code::Internal,
                                   "The source's MariaDB did not say where "
                                   "its binary log ends.",
                                   {}}
                     : v.error();
        }
        final_pos = v->front()[0].value_or("");
        started = std::stoll(v->front()[1].value_or("0"));
    }
    const int64_t recorded = position.value("started_unix_time", int64_t{0});
    // Seconds of slack: both figures are the source's clock minus its uptime.
    if (!cp.contains("caught_up") && recorded != 0 && std::llabs(started - recorded) > 2) {
        wipe();
        return fall_back(ctx, *db, "The source's MariaDB restarted after the copy.");
    }

    if (!cp.contains("caught_up")) {
        auto status = source::catch_up_status(*db);
        if (!status) {
            wipe();
            return status.error();
        }
        if (!status->exists) {
            wipe();
            return fall_back(ctx, *db, "The temporary replica is gone from this system's MariaDB.");
        }
        if (auto r = source::renew_catch_up_password(*db, account->user, account->password); !r) {
            wipe();
            return fall_back(ctx, *db, r.error().message);
        }
        cp["final"] = final_pos;
        const auto timeout = std::chrono::seconds(ctx.appliance.config().catch_up_timeout_sec);
        auto caught = source::wait_caught_up(*db, final_pos, timeout, ctx.stopping);
        if (!caught) {
            wipe();
            if (ctx.stopping)
                return stopped_error();
            if (caught.error().code == core::Code::ReplicationFailed)
                return fall_back(ctx, *db, caught.error().message);
            return caught.error();
        }
        cp["caught_up"] = final_pos;
        if (auto saved = ctx.save_checkpoint(cp); !saved) {
            wipe();
            return saved.error();
        }
        spdlog::info("This system applied the source's changes up to {}.", final_pos);
    }
    if (!cp.value("removed", false)) {
        if (auto r = source::remove_catch_up(
                *db, source::CatchUpRestore::from_json(pre.value("restore", nlohmann::json())));
            !r) {
            wipe();
            return r.error();
        }
        std::error_code ec;
        std::filesystem::remove(replica_certificate_path(ctx), ec);
        cp["removed"] = true;
        if (auto saved = ctx.save_checkpoint(cp); !saved) {
            wipe();
            return saved.error();
        }
    }

    source::MariaDbEndpoint local;
    local.unix_socket = ctx.appliance.config().database_socket;
    local.user = "root";
    auto checked = source::verify_changed_tables(endpoint, local, account->databases,
                                                 position.value("unix_time", int64_t{0}));
    wipe();
    if (!checked)
        return fall_back(ctx, *db, checked.error().message);
    spdlog::info("After the catch-up: {} table(s) written since the snapshot equal on both sides "
                 "({:.1f} s), {} untouched since the verified snapshot.",
                 checked->tables.size(), checked->seconds, checked->unchanged);
    if (auto r = verify_copied_objects(ctx, account->databases); !r)
        return r.error();
    if (auto r = drop_source_account(ctx); !r)
        return r.error();
    // The record operation 4 keeps without pre-copy: the tables (from the
    // snapshot) and where the source stood at the end.
    cp["done"] = pre.value("done", nlohmann::json::array());
    cp["snapshot"] = pre.value("snapshot", "");
    cp["position"] = {{"gtid_binlog_pos", final_pos}};
    cp["verified_after_catch_up"] = checked->tables.size();
    cp["verify_seconds"] = checked->seconds;
    if (auto saved = ctx.save_checkpoint(cp); !saved)
        return saved.error();
    ctx.progress(1, 1);
    return true;
}

} // namespace ferry::steps
