#include "engine.hpp"

#include "core/journal_record.hpp"
#include "core/outage.hpp"
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

core::Error busy_with_job()
{
    return core::Error{core::Code::Busy, "A migration job exists already.",
                       "Follow it with 'ferryctl watch'; acknowledge its result before starting "
                       "another one."};
}

} // namespace

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

void Engine::write_report_async()
{
    if (report_worker_.joinable())
        report_worker_.join();
    // MariaDB queries and the log files' digests: never on the loop.
    const bool keep = job_->state == core::JobState::Succeeded;
    report_worker_ = std::thread([this, job = *job_, keep, history = history_] {
        // A small file, but a write and an fsync: not on the loop.
        if (auto w = keep ? local::save_measurements(journal_.dir(), history) : true; !w)
            spdlog::warn("The measurements of job {} could not be kept: {}", job.id,
                         w.error().message);
        try {
            const auto report = local::collect_report(job, appliance_);
            if (auto w = local::write_report(journal_.dir(), report); !w)
                spdlog::warn("The report of job {} could not be written: {}", job.id,
                             w.error().message);
            else
                spdlog::info(
                    "The report of job {} is in {}/report-{}.txt ({} tables, {} log files).",
                    job.id, journal_.dir().string(), job.id, report.tables.size(),
                    report.logs.size());
        } catch (const std::exception& e) {
            spdlog::warn("The report of job {} could not be made: {}", job.id, e.what());
        }
    });
}

void Engine::record_measurements()
{
    core::add_job(history_, *job_, plan_probe_rates_);
}

core::Expected<std::optional<std::string>> Engine::report(const std::string& format) const
{
    if (!job_)
        return core::Error{core::Code::NoJob, "There is no job.", {}};
    if (format != "json" && format != "text")
        return core::Error{
            core::Code::InvalidArgument, "The report format must be 'json' or 'text'.", {}};
    if (!core::is_finished(job_->state))
        return core::Error{core::Code::NotFinished,
                           "The job is still running; its report is "
                           "written when it ends.",
                           "Wait until it has succeeded or failed."};
    return local::read_report(journal_.dir(), job_->id, format);
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

const core::SourceInfo* Engine::probed() const
{
    if (!source_info_ || Clock::now() - probed_at_ > kProbeValidity)
        return nullptr;
    return &*source_info_;
}

std::optional<core::Error> Engine::check_probe_args(const std::string& address,
                                                    const std::string& password) const
{
    auto addr = core::parse_address(address);
    if (!addr)
        return addr.error();
    if (password.empty())
        return core::Error{core::Code::InvalidArgument, "The Admin password is empty.",
                           "Type the Admin user password of the source system."};
    if (password.size() > kMaxPasswordLength)
        return core::Error{core::Code::InvalidArgument,
                           "The Admin password is longer than " +
                               std::to_string(kMaxPasswordLength) + " bytes.",
                           {}};
    const auto self = appliance_.identity();
    if (!self.address.empty() && core::parse_address(self.address) &&
        core::parse_address(self.address)->text == addr->text)
        return core::Error{core::Code::SameSystem,
                           addr->text + " is the address of this system, not of the source.",
                           "Type the address of the old appliance."};
    if (job_)
        return busy_with_job();
    if (probe_in_flight_)
        return core::Error{core::Code::Busy, "Another Probe is in progress.",
                           "Wait for it to finish."};
    return std::nullopt;
}

std::optional<core::Error>
Engine::probe(const std::string& address, std::string password,
              std::function<void(core::Expected<core::SourceInfo>)> done, std::string expected_pin)
{
    if (auto err = check_probe_args(address, password))
        return err;
    const auto addr = core::parse_address(address);
    probe_in_flight_ = true;
    if (worker_.joinable())
        worker_.join();
    const auto timeout = probe_timeout_;
    worker_ = std::thread([this, a = *addr, pw = std::move(password), timeout, done = std::move(done),
                           expected_pin = std::move(expected_pin)]() mutable {
        core::Expected<source::ProbeSession> result = core::Error{core::Code::Internal, "", {}};
        local::TargetMeasure target;
        core::ProbeRates rates;
        // No exception leaves this thread (it would terminate ferryd).
        try {
            result = source_->probe(a, pw, timeout, expected_pin);
            // This system's side of the pre-flight checks, while we are
            // off the loop anyway (a MariaDB query, a systemd call).
            if (result)
                target = local::measure_target(appliance_.config(), journal_.dir().string());
            // What decides the duration, a second or so each (issue 17).
            if (result) {
                source::PeerClient peer(
                    source::PeerEndpoint{a.text, peer_port_, result->info.certificate_sha256},
                    timeout);
                peer.set_token(result->token);
                rates = local::measure_probe_rates(appliance_.config(), peer,
                                                   appliance_.identity().address, target);
            }
        } catch (const nlohmann::json::exception& e) {
            result = core::Error{core::Code::IncompatibleSource,
                                 std::string("The source's answer does not fit (") + e.what() + ").",
                                 "Update ferry on both systems to the same version."};
        } catch (const std::exception& e) {
            result = core::Error{core::Code::Internal,
                                 std::string("Probe stopped on an unexpected error: ") + e.what(),
                                 "Try again; report the error if it persists."};
        }
        explicit_bzero(pw.data(), pw.size());
        post_([this, result = std::move(result), target = std::move(target),
               rates = std::move(rates), done = std::move(done)]() mutable {
            probe_in_flight_ = false;
            if (result) {
                target_measure_ = std::move(target);
                probe_rates_ = std::move(rates);
                // The checks with the default options (logs copied).
                result->info.preflight = core::evaluate_preflight(local::preflight_input(
                    target_measure_, result->info, true, appliance_.config()));
                source_info_ = result->info;
                token_ = result->token;
                main_token_ = result->main_token;
                probed_at_ = Clock::now();
                spdlog::info("Probed source {} ({}).", source_info_->address,
                             source_info_->high_availability ? "high availability" : "standalone");
            } else {
                spdlog::warn("Probe failed: {}", result.error().message);
            }
            if (observer_)
                observer_->manager_changed();
            if (result)
                done(core::Expected<core::SourceInfo>(result->info));
            else
                done(core::Expected<core::SourceInfo>(result.error()));
        });
    });
    return std::nullopt;
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
    auto checks = core::evaluate_preflight(
        local::preflight_input(target_measure_, *src, opts->logs, appliance_.config()));
    auto ops = core::build_plan(in);
    // Where the estimates come from, with the checks the plan shows.
    checks.push_back({"estimate", core::Verdict::Ok, "Time estimate",
                      core::estimate_summary(ops) +
                          (probe_rates_.notes.empty() ? "" : " " + probe_rates_.notes)});
    // How long guests cannot log in, the figure an administrator schedules by.
    checks.push_back({"outage", core::Verdict::Ok, "Unavailable time",
                      core::outage_summary(core::plan_outage(ops, in.high_availability), ops)});
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
    std::error_code ec;
    std::filesystem::remove(journal_.dir() / "former-settings.json", ec);
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

Engine::JobPeers Engine::job_peers(const core::SourceIdentity& src) const
{
    JobPeers p{source::PeerClient(source::PeerEndpoint{src.current_address, peer_port_,
                                                       src.certificate_sha256},
                                  probe_timeout_),
               std::nullopt};
    p.source.set_token(src.token);
    if (!src.main_node.empty()) {
        p.ring_main.emplace(source::PeerEndpoint{src.main_node, peer_port_, src.main_certificate_sha256},
                            probe_timeout_);
        p.ring_main->set_token(src.main_token);
    }
    return p;
}

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
                                  std::string("Acknowledge() stopped on an unexpected error: ") + e.what(),
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
        if (auto r = steps::restore_round_robin_hosts(job, peers.source, peers.main(), appliance_); !r)
            return r.error();
        spdlog::info("Round-robin hosts restored for the failed job {}.", job.id);
    }
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

core::Expected<bool> Engine::forget_job()
{
    if (!job_)
        return core::Error{core::Code::NoJob, "There is no job.", {}};
    std::error_code ec;
    std::filesystem::remove(journal_.dir() / "former-settings.json", ec);
    spdlog::info("Job {} acknowledged.", job_->id);
    job_.reset();
    source_info_.reset();
    if (observer_)
        observer_->manager_changed();
    return true;
}

core::Expected<bool> Engine::resume()
{
    if (!job_)
        return core::Error{core::Code::NoJob, "There is no job.", {}};
    if (ack_in_flight_)
        return core::Error{core::Code::Busy, "The job is being acknowledged.",
                           "Wait for that Acknowledge() to finish."};
    if (job_->state != core::JobState::Failed)
        return core::Error{core::Code::NotFailed, "The job has not failed; nothing to resume.",
                           {}};
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

uint64_t Engine::persist_async() { return journal_.save_async(*job_); }

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

void Engine::notify_job(bool force)
{
    const auto now = Clock::now();
    if (!force && now - last_notify_ < std::chrono::milliseconds(200))
        return;
    last_notify_ = now;
    if (observer_ && job_)
        observer_->job_changed(*job_);
}

void Engine::run_next()
{
    if (!job_ || job_->state != core::JobState::Running || step_running_ || stopping_)
        return;
    const uint64_t first = job_->next_sequence;
    auto* op = core::next_operation(*job_);
    if (!op) {
        core::succeed_job(*job_, now_usec());
        persist_async();
        spdlog::info("Job {} succeeded.", job_->id);
        record_measurements();
        write_report_async();
        if (observer_)
            observer_->manager_changed();
        emit_events_from(first);
        return;
    }
    const auto id = op->id;
    core::set_operation_state(*job_, id, core::OpState::Running, now_usec());
    const uint64_t running_saved = persist_async(); // the step waits for it
    spdlog::info("Operation {} started.", core::operation_key(id));
    sd_notifyf(0, "STATUS=Running: %s", std::string(core::operation_title(id)).c_str());
    emit_events_from(first);

    // Seeded from the plan's rate, refined by the measured rate.
    const auto index = static_cast<std::size_t>(id);
    const double seed =
        index < plan_rates_.size() && plan_rates_[index] > 0 ? plan_rates_[index]
        : op->estimated_seconds > 0 && op->bytes_total > 0
            ? static_cast<double>(op->bytes_total) / static_cast<double>(op->estimated_seconds)
            : 1.0;
    // The measured rate over a window as long as the operation is
    // expected to run: a copy's pace changes from table to table (a fast
    // first half is common), and its average so far predicts the rest
    // better than its last seconds.
    core::EtaConfig eta_config;
    eta_config.window_seconds =
        std::clamp(static_cast<double>(op->estimated_seconds), eta_config.window_seconds, 900.0);
    eta_.emplace(op->bytes_total, seed, eta_config);
    eta_origin_ = Clock::now();

    step_running_ = true;
    if (step_worker_.joinable())
        step_worker_.join();
    step_worker_ = std::thread([this, id, running_saved, snapshot = *job_]() mutable {
        auto peers = job_peers(snapshot.source);
        auto checkpoint = core::find_operation(snapshot, id)->checkpoint;
        steps::StepContext ctx{
            std::move(snapshot),
            id,
            std::move(checkpoint),
            peers.source,
            appliance_,
            journal_.dir(),
            [this, id](uint64_t done, uint64_t total) {
                post_([this, id, done, total] { on_progress(id, done, total); });
            },
            [this, id](const nlohmann::json& cp) -> core::Expected<bool> {
                // Wait until the checkpoint is on disk. The loop only
                // queues the write: this thread waits for it. A write that
                // fails (full disk) stops the operation: what the step
                // would do next must not happen on a checkpoint that a
                // resume would not find.
                auto done = std::make_shared<std::promise<uint64_t>>();
                auto queued = done->get_future();
                post_([this, id, cp, done] { done->set_value(on_checkpoint(id, cp)); });
                while (queued.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
                    if (stopping_)
                        return steps::stopped_error();
                const uint64_t ticket = queued.get();
                if (!ticket)
                    return core::Error{core::Code::Internal, "The job is gone.", {}};
                if (auto saved = journal_.wait(ticket, &stopping_); !saved) {
                    if (stopping_)
                        return steps::stopped_error();
                    return core::Error{
                        core::Code::JournalWriteFailed,
                        "The checkpoint of the operation '" + std::string(core::operation_title(id)) +
                            "' could not be written to the job journal: " + saved.error().message,
                        "Free space in ferryd's state directory (" + journal_.dir().string() +
                            "), then Resume(): the operation continues from its last saved "
                            "checkpoint."};
                }
                return true;
            },
            stopping_,
            boot_id_,
            [this, id](const nlohmann::json& cp) -> core::Expected<bool> {
                auto done = std::make_shared<std::promise<core::Expected<bool>>>();
                auto written = done->get_future();
                post_([this, id, cp, done] { done->set_value(on_rebooting(id, cp)); });
                while (written.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
                    if (stopping_)
                        return steps::stopped_error();
                return written.get();
            },
            peers.main()};
        // The operation is "running" on disk before it does anything.
        if (auto saved = journal_.wait(running_saved, &stopping_); !saved) {
            post_([this, id, e = saved.error()] { on_step_done(id, e); });
            return;
        }
        auto step = steps::step_for(id);
        core::Expected<bool> result = true;
        // No exception leaves this thread (it would terminate ferryd): a
        // malformed answer of the source or any other surprise fails the
        // operation with a named error.
        try {
            result = step ? step(ctx)
                          : core::Expected<bool>(core::Error{
                                core::Code::IncompatibleSource,
                                "This version of ferry cannot run the operation '" +
                                    std::string(core::operation_title(id)) + "'.",
                                "Install the ferry version that started this job, then Resume()."});
        } catch (const nlohmann::json::exception& e) {
            result = core::Error{core::Code::IncompatibleSource,
                                 "The operation '" + std::string(core::operation_title(id)) +
                                     "' got an answer it cannot use (" + e.what() + ").",
                                 "Update ferry on both systems to the same version, then Resume()."};
        } catch (const std::exception& e) {
            result = core::Error{core::Code::Internal,
                                 "The operation '" + std::string(core::operation_title(id)) +
                                     "' stopped on an unexpected error: " + e.what(),
                                 "Resume() retries it; report the error if it persists."};
        } catch (...) {
            result = core::Error{core::Code::Internal,
                                 "The operation '" + std::string(core::operation_title(id)) +
                                     "' stopped on an unexpected error.",
                                 "Resume() retries it; report the error if it persists."};
        }
        post_([this, id, result = std::move(result)]() mutable { on_step_done(id, std::move(result)); });
    });
}

void Engine::on_progress(core::OperationId id, uint64_t done, uint64_t total)
{
    if (!job_)
        return;
    auto* op = core::find_operation(*job_, id);
    if (!op || op->state != core::OpState::Running)
        return;
    if (total > 0 && total != op->bytes_total) {
        // A step counts in its own units (copy-data: the tables' data
        // without indexes): before anything is measured the seed rate is
        // rescaled to them, so the planned duration stands.
        if (eta_ && eta_->bytes_done() == 0 && op->bytes_total > 0)
            eta_.emplace(total,
                         eta_->rate() * static_cast<double>(total) /
                             static_cast<double>(op->bytes_total),
                         eta_->config());
        else if (eta_)
            eta_->set_total(total);
        op->bytes_total = total;
    }
    op->bytes_done = std::min(done, op->bytes_total);
    if (eta_) {
        eta_->update(std::chrono::duration<double>(Clock::now() - eta_origin_).count(), op->bytes_done);
        op->eta_seconds = eta_->remaining_seconds();
    }
    notify_job(false);
}

uint64_t Engine::on_checkpoint(core::OperationId id, const nlohmann::json& checkpoint)
{
    if (!job_)
        return 0;
    auto* op = core::find_operation(*job_, id);
    if (!op)
        return 0;
    op->checkpoint = checkpoint;
    core::note_progress(*job_);
    return persist_async();
}

core::Expected<bool> Engine::on_rebooting(core::OperationId id, const nlohmann::json& checkpoint)
{
    if (!job_)
        return core::Error{core::Code::NoJob, "The job is gone.", {}};
    auto* op = core::find_operation(*job_, id);
    if (!op)
        return core::Error{core::Code::Internal, "The reboot operation is not in the job.", {}};
    const uint64_t first = job_->next_sequence;
    op->checkpoint = checkpoint;
    core::set_job_state(*job_, core::JobState::Rebooting, now_usec());
    // The journal says "rebooting" before anyone is asked to reboot; a
    // journal that cannot say so stops the operation here.
    if (auto r = persist(); !r)
        return r;
    sd_notify(0, "STATUS=Rebooting");
    if (first != job_->next_sequence) {
        spdlog::info("Job {} is rebooting.", job_->id);
        if (observer_)
            observer_->manager_changed();
        emit_events_from(first);
    }
    return true;
}

void Engine::on_step_done(core::OperationId id, core::Expected<bool> result)
{
    step_running_ = false;
    if (stopping_ || !job_)
        return;
    const uint64_t first = job_->next_sequence;
    if (auto* op = core::find_operation(*job_, id))
        op->eta_seconds = -1;
    if (result) {
        core::set_operation_state(*job_, id, core::OpState::Done, now_usec());
        core::note_progress(*job_);
        spdlog::info("Operation {} done.", core::operation_key(id));
        if (id == core::OperationId::Reboot) {
            // Both systems came up with exchanged network settings: the
            // source now answers at this system's former address. Written
            // with the operation's "done", so no later operation can see
            // one without the other.
            job_->source.current_address = job_->target.address;
            spdlog::info("The source now answers at {}.", job_->source.current_address);
        }
        if (job_->state == core::JobState::Rebooting)
            core::set_job_state(*job_, core::JobState::Running, now_usec());
    } else {
        spdlog::error("Operation {} failed: {} {}", core::operation_key(id), result.error().message,
                      result.error().remedy);
        core::fail_job(*job_, id, result.error(), now_usec());
        write_report_async();
    }
    persist_async();
    if (observer_)
        observer_->manager_changed();
    emit_events_from(first);
    run_next();
}

} // namespace ferry
