// Acknowledge(): the decisions on a finished job (refusals at once; a
// failed job's clean-up on the source on a worker, never on the loop) and
// the job forgotten once its journal is gone.
#include "engine.hpp"

#include "core/journal_record.hpp"
#include "local/former_settings.hpp"
#include "local/journal_send.hpp"
#include "local/measurements_file.hpp"
#include "local/part_file.hpp"
#include "local/probe_measure.hpp"
#include "local/report_files.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <future>
#include <random>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "source/catch_up_replica.hpp"
#include "steps/steps.hpp"

namespace ferry {

std::optional<core::Error> Engine::acknowledge(bool force,
                                               std::function<void(core::Expected<bool>)> done)
{
    if (!job_)
        return core::Error{core::Code::NoJob, "There is no job.", {}};
    if (ack_in_flight_)
        return core::Error{core::Code::Busy, "The job is being acknowledged already.",
                           "Wait for that Acknowledge() to finish."};
    if (!core::is_finished(job_->state))
        return core::Error{core::Code::NotFinished, "The job is still running.",
                           "Wait until it has succeeded or failed."};
    const bool failed = job_->state == core::JobState::Failed;
    const bool out_of_ring = failed && core::source_out_of_ring(*job_);
    if (out_of_ring && !force)
        return core::Error{
            core::Code::SourceOutOfRing,
            "The source has left the MariaDB ring (operation 'Deactivate the replica') and this "
            "system has not joined it in its place yet (operation 'Copy data and activate the "
            "replica'): acknowledging now would leave the ring without this node, point the "
            "round-robin hosts at a read-only copy outside the ring, and forget the replication "
            "position needed to finish.",
            "Remove the cause of the failure and call Resume(): the job continues where it "
            "stopped and joins this system to the ring. Only to repair the ring by hand: "
            "AcknowledgeWithFlags with Force=true ('ferryctl acknowledge --force')."};
    if (out_of_ring) {
        const auto* op = core::find_operation(*job_, core::OperationId::DeactivateReplica);
        spdlog::warn("Job {} acknowledged with Force while the source is out of the ring: the "
                     "round-robin hosts stay removed; the source left the ring at {}.",
                     job_->id, op ? op->checkpoint.dump() : std::string("{}"));
    }
    ack_in_flight_ = true;
    if (ack_worker_.joinable())
        ack_worker_.join();
    // The worker does everything that waits: the source's clean-up (a
    // failed job) and the journal's removal (fsync); the loop only forgets.
    ack_worker_ = std::thread([this, snapshot = *job_, failed, out_of_ring,
                               done = std::move(done)]() mutable {
        core::Expected<bool> cleaned = true;
        try {
            if (failed)
                cleaned = clean_up_source(snapshot, out_of_ring);
            // The report goes with the journal (the state directory is
            // empty afterwards): its writer first, so it cannot come back.
            // No other thread touches report_worker_ meanwhile: the job is
            // finished and Resume() answers Busy.
            if (cleaned && report_worker_.joinable())
                report_worker_.join();
            if (cleaned)
                cleaned = local::remove_report(journal_.dir(), snapshot.id);
            if (cleaned)
                cleaned = journal_.remove();
        } catch (const std::exception& e) {
            cleaned = core::Error{core::Code::Internal,
                                  std::string("Acknowledge() stopped on an unexpected error: ") +
                                      e.what(),
                                  "Try again; report the error if it persists."};
        }
        post_([this, cleaned = std::move(cleaned), done = std::move(done)]() mutable {
            ack_in_flight_ = false;
            if (!cleaned)
                return done(std::move(cleaned));
            done(forget_job());
        });
    });
    return std::nullopt;
}

core::Expected<bool> Engine::clean_up_source(const core::JobRecord& job, bool out_of_ring) const
{
    auto peers = job_peers(job.source);
    // A failed HA job may have left the round-robin hosts off the ring's
    // Main node: they go back before the job is forgotten -- unless the
    // source is out of the ring (forced), where they would send users to a
    // node that is not in it.
    if (job.source.high_availability && !out_of_ring) {
        if (auto r = steps::restore_round_robin_hosts(job, peers.source, peers.main(), appliance_);
            !r)
            return r.error();
        spdlog::info("Round-robin hosts restored for the failed job {}.", job.id);
    }
    // Nor on this system: the temporary replica of a copy while the source
    // served goes before its account (issue 18). Best effort as below: a
    // MariaDB that does not answer here cannot keep the job from being
    // cleared; the replica then fails on the dropped account, and the
    // journal says how to remove it.
    if (core::copied_while_serving(job))
        if (auto r = remove_catch_up_replica(job); !r)
            spdlog::warn("Could not remove the temporary replica '{}' from this system's MariaDB: "
                         "{} Remove it with: STOP SLAVE '{}'; RESET SLAVE '{}' ALL;",
                         source::kCatchUpConnection, r.error().message, source::kCatchUpConnection,
                         source::kCatchUpConnection);
    // The user-traffic logs' copies made while the source served, if
    // operation 10 did not take them up.
    if (core::copied_while_serving(job))
        if (auto dir = local::open_directory(appliance_.config().log_dir))
            steps::remove_log_pre_copies(dir->get(), job);
    // Nothing temporary stays on the source (brief §1: "Temporary accounts
    // and tokens are gone either way"): the MariaDB account is dropped and
    // the job's tokens revoked, as operation 11 does. Best effort: a source
    // that does not answer cannot keep a person from clearing the job.
    auto dropped = peers.source.del("/db-account");
    auto finished = dropped ? peers.source.post("/finish", nlohmann::json::object()) : dropped;
    if (!finished)
        spdlog::warn("Could not clear the temporary account and tokens on the source {}: {}",
                     job.source.current_address, finished.error().message);
    return true;
}

core::Expected<bool> Engine::remove_catch_up_replica(const core::JobRecord& job) const
{
    source::MariaDbEndpoint e;
    e.unix_socket = appliance_.config().database_socket;
    e.user = "root";
    source::MariaDbConnection::Options o;
    o.role = "this system's MariaDB";
    auto db = source::MariaDbConnection::connect(e, o);
    if (!db)
        return db.error();
    const auto* op = core::find_operation(job, core::OperationId::PreCopyData);
    const auto restore = source::CatchUpRestore::from_json(
        op && op->checkpoint.is_object() ? op->checkpoint.value("restore", nlohmann::json())
                                         : nlohmann::json());
    return source::remove_catch_up(*db, restore);
}

core::Expected<bool> Engine::forget_job()
{
    if (!job_)
        return core::Error{core::Code::NoJob, "There is no job.", {}};
    local::remove_former_settings(journal_.dir());
    spdlog::info("Job {} acknowledged.", job_->id);
    job_.reset();
    source_info_.reset();
    if (observer_)
        observer_->manager_changed();
    return true;
}

} // namespace ferry
