#include "engine.hpp"

#include "core/translatable.hpp"

#include "core/journal_record.hpp"
#include "core/outage.hpp"
#include "local/former_settings.hpp"
#include "local/journal_send.hpp"
#include "local/measurements_file.hpp"
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

#include "steps/steps.hpp"

namespace ferry {
namespace {

std::string new_job_id()
{
    std::random_device rd;
    std::uniform_int_distribution<int> hex(0, 15);
    std::string id;
    for (int i = 0; i < 16; ++i)
        id += "0123456789abcdef"[hex(rd)];
    return id;
}

} // namespace

core::Error Engine::busy_with_job()
{
    return core::Error{core::Code::Busy, "A migration job exists already.",
                       "Follow it with 'ferryctl watch'; acknowledge its result before starting "
                       "another one."};
}

Engine::Engine(local::FileAppliance& appliance, local::JournalStore& journal,
               std::unique_ptr<source::SourceClient> source, Post post, std::string boot_id,
               std::chrono::milliseconds probe_timeout, uint16_t peer_port,
               uint32_t max_restarts_without_progress)
    : appliance_(appliance), journal_(journal), source_(std::move(source)), post_(std::move(post)),
      boot_id_(std::move(boot_id)), probe_timeout_(probe_timeout), peer_port_(peer_port),
      max_restarts_(max_restarts_without_progress)
{
    journal_.set_on_written([this] { post_([this] { flush_events(); }); });
}

Engine::~Engine()
{
    // A running step sees stopping_ and returns; its operation stays
    // "running" in the journal and is resumed from its checkpoint.
    journal_.set_on_written(nullptr);
    stopping_ = true;
    if (step_worker_.joinable())
        step_worker_.join();
    if (worker_.joinable())
        worker_.join();
    if (ack_worker_.joinable())
        ack_worker_.join();
    if (report_worker_.joinable())
        report_worker_.join();
}

uint64_t Engine::now_usec() const
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

core::Expected<bool> Engine::load()
{
    if (auto h = local::load_measurements(journal_.dir()); h)
        history_ = std::move(*h);
    else
        spdlog::warn("{} {}", h.error().message, h.error().remedy);
    auto loaded = journal_.load();
    if (!loaded)
        return loaded.error();
    if (!*loaded)
        return true;
    job_ = std::move(**loaded);
    spdlog::info("Found job {} in state {} (attempt {}).", job_->id,
                 core::job_state_name(job_->state), job_->attempt);
    if (auto r = journal_.sync_marker(*job_); !r)
        return r;
    if (!core::is_finished(job_->state)) {
        const uint64_t first = job_->next_sequence;
        // Counts this start; a job that keeps dying without progress fails
        // here (RestartLimit) instead of being retried for ever.
        const bool resumed = core::resume_at_startup(*job_, boot_id_, now_usec(), max_restarts_);
        if (!resumed)
            spdlog::error("Job {}: {} {}", job_->id, job_->error->message, job_->error->remedy);
        if (auto r = persist(); !r)
            return r;
        emit_events_from(first);
        if (resumed)
            post_([this] { run_next(); });
    }
    return true;
}

std::string Engine::state() const
{
    if (job_) {
        switch (job_->state) {
        case core::JobState::Running: return "running";
        case core::JobState::Rebooting: return "rebooting";
        default: return "finished";
        }
    }
    return probed() ? "probed" : "idle";
}

core::Expected<std::vector<core::OptionRule>> Engine::options() const
{
    const auto* src = probed();
    if (!src)
        return core::Error{core::Code::NotProbed, "No source system has been probed yet.",
                           "Call Probe() with the source's address and Admin password first."};
    return core::option_rules(src->facts(), appliance_.facts());
}

core::Expected<Plan> Engine::plan(const core::RequestedOptions& req) const
{
    const auto* src = probed();
    const auto facts = src ? std::optional(src->facts()) : std::nullopt;
    auto opts = core::resolve_options(req, facts ? &*facts : nullptr, appliance_.facts());
    if (!opts)
        return opts.error();
    if (!src) // resolve_options answers NotProbed first; kept explicit
        return core::Error{core::Code::NotProbed, "No source system has been probed yet.", {}};
    core::PlanInput in;
    in.options = *opts;
    in.high_availability = src->high_availability;
    in.data_bytes = src->data_bytes;
    in.log_bytes = src->log_bytes;
    in.settings_bytes = src->settings_bytes;
    in.estimate.probe = probe_rates_;
    in.estimate.history = history_;
    in.estimate.services_measured = target_measure_.service_times_asked;
    in.estimate.services = target_measure_.service_times;
    in.path_input.enabled = appliance_.config().copy_while_serving;
    in.path_input.peer_offers_replica = src->replica_account;
    in.path_input.source_log_bin = src->log_bin;
    in.path_input.binlog_retention_seconds = src->binlog_expire_seconds;
    const auto path = core::plan_data_path(in);
    auto checks = core::evaluate_preflight(
        local::preflight_input(target_measure_, *src, opts->logs, appliance_.config()));
    auto ops = core::build_plan(in);
    // Where the estimates come from, with the checks the plan shows.
    checks.push_back({"estimate", core::Verdict::Ok, N_("Time estimate"),
                      core::estimate_summary(ops) +
                          (probe_rates_.notes.empty() ? "" : " " + probe_rates_.notes)});
    // How long guests cannot log in, the figure an administrator schedules by.
    checks.push_back(
        {"outage", core::Verdict::Ok, N_("Unavailable time"),
         core::outage_summary(core::plan_outage(ops, in.high_availability), ops, path.reason)});
    return Plan{*opts, std::move(ops), std::move(checks)};
}

core::Expected<std::string> Engine::start(const core::RequestedOptions& req)
{
    if (job_)
        return busy_with_job();
    auto p = plan(req);
    if (!p)
        return p.error();
    if (auto unsupported = steps::unsupported_operation(p->operations))
        return *unsupported;
    const auto* src = probed();
    // The checks again, with the free space as it is now (statvfs only:
    // a disk filled since Probe is seen), before anything is written.
    local::remeasure_space(target_measure_, appliance_.config(), journal_.dir().string());
    const auto checks = core::evaluate_preflight(
        local::preflight_input(target_measure_, *src, p->options.logs, appliance_.config()));
    if (auto refusal = core::preflight_refusal(checks)) {
        spdlog::warn("Start refused: {}", refusal->message);
        local::send_to_journal(core::start_refused_record(*refusal, src->address));
        return *refusal;
    }
    for (const auto& c : checks)
        if (c.verdict == core::Verdict::Warning) {
            spdlog::warn("Pre-flight warning ({}): {}", c.title, c.message);
            local::send_to_journal(core::preflight_warning_record(c, src->address));
        }
    core::SourceIdentity sid;
    sid.address = sid.current_address = src->address;
    sid.host_name = src->host_name;
    sid.domain_name = src->domain_name;
    sid.license_guid = src->license_guid;
    sid.certificate_sha256 = src->certificate_sha256;
    sid.token = token_;
    sid.high_availability = src->high_availability;
    sid.data_bytes = src->data_bytes;
    sid.log_bytes = src->log_bytes;
    sid.server_role = src->server_role;
    sid.dns_advice = src->dns_advice;
    sid.dns_revert_advice = src->dns_revert_advice;
    if (src->main_node != src->address) {
        sid.main_node = src->main_node;
        sid.main_certificate_sha256 = src->main_certificate_sha256;
        sid.main_token = main_token_;
    }
    // A new job starts from this system as it is now, not from the saved
    // settings of an earlier, acknowledged one.
    local::remove_former_settings(journal_.dir());
    const auto self = appliance_.identity();
    job_ = core::new_job(new_job_id(), p->options, p->operations, sid,
                         core::TargetIdentity{self.address, self.host_name}, boot_id_, now_usec());
    plan_rates_.clear();
    plan_probe_rates_.clear();
    for (const auto& op : p->operations) {
        plan_rates_.push_back(op.rate);
        plan_probe_rates_.push_back(op.probe_rate);
    }
    if (auto r = persist(); !r) {
        job_.reset();
        return r.error();
    }
    spdlog::info("Started job {} from source {}.", job_->id, sid.address);
    if (observer_)
        observer_->manager_changed();
    emit_events_from(1);
    post_([this] { run_next(); });
    return job_->id;
}

core::Expected<bool> Engine::resume()
{
    if (!job_)
        return core::Error{core::Code::NoJob, "There is no job.", {}};
    if (ack_in_flight_)
        return core::Error{core::Code::Busy, "The job is being acknowledged.",
                           "Wait for that Acknowledge() to finish."};
    if (job_->state != core::JobState::Failed)
        return core::Error{core::Code::NotFailed, "The job has not failed; nothing to resume.", {}};
    const uint64_t first = job_->next_sequence;
    // A person retries: the crash-loop count starts again.
    core::note_progress(*job_);
    core::resume_job(*job_, boot_id_, now_usec());
    if (auto r = persist(); !r)
        return r;
    if (observer_)
        observer_->manager_changed();
    emit_events_from(first);
    post_([this] { run_next(); });
    return true;
}

core::Expected<bool> Engine::persist()
{
    auto r = journal_.save(*job_);
    if (!r)
        spdlog::error("Cannot write the job journal: {}", r.error().message);
    return r;
}

uint64_t Engine::persist_async()
{
    return journal_.save_async(*job_);
}

void Engine::emit_events_from(uint64_t first_seq)
{
    if (!observer_ || !job_)
        return;
    // Signalled once the journal write that holds them has finished: a
    // crash never takes back an event a client has seen.
    pending_events_.push_back(
        PendingEvents{journal_.queued_ticket(), job_->id, first_seq, job_->next_sequence - 1});
    flush_events();
}

void Engine::flush_events()
{
    const uint64_t finished = journal_.finished_ticket();
    while (!pending_events_.empty() && pending_events_.front().ticket <= finished) {
        const PendingEvents p = pending_events_.front();
        pending_events_.pop_front();
        if (!job_ || job_->id != p.job_id)
            continue;
        const auto events = core::events_since(*job_, p.first - 1);
        // The administrator's record (journalctl -x explains each kind).
        for (const auto& e : events)
            if (e.sequence <= p.last)
                local::send_to_journal(core::event_journal_record(*job_, e));
        if (!observer_)
            continue;
        observer_->job_changed(*job_);
        for (const auto& e : events)
            if (e.sequence <= p.last)
                observer_->job_event(*job_, e);
    }
}

} // namespace ferry
