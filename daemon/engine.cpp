#include "engine.hpp"

#include <cstring>
#include <random>
#include <spdlog/spdlog.h>
#include <time.h>

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

Engine::Engine(local::Appliance& appliance, local::JournalStore& journal,
               std::unique_ptr<source::SourceClient> source, Post post, std::string boot_id,
               std::chrono::milliseconds probe_timeout)
    : appliance_(appliance), journal_(journal), source_(std::move(source)), post_(std::move(post)),
      boot_id_(std::move(boot_id)), probe_timeout_(probe_timeout)
{
}

Engine::~Engine()
{
    if (worker_.joinable())
        worker_.join();
}

uint64_t Engine::now_usec() const
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

core::Expected<bool> Engine::load()
{
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
        core::resume_job(*job_, boot_id_, now_usec());
        if (auto r = persist(); !r)
            return r;
        emit_events_from(first);
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
              std::function<void(core::Expected<core::SourceInfo>)> done)
{
    if (auto err = check_probe_args(address, password))
        return err;
    const auto addr = core::parse_address(address);
    probe_in_flight_ = true;
    if (worker_.joinable())
        worker_.join();
    const auto timeout = probe_timeout_;
    worker_ = std::thread([this, a = *addr, pw = std::move(password), timeout,
                           done = std::move(done)]() mutable {
        auto result = source_->probe(a, pw, timeout);
        explicit_bzero(pw.data(), pw.size());
        post_([this, result = std::move(result), done = std::move(done)]() mutable {
            probe_in_flight_ = false;
            if (result) {
                source_info_ = result->info;
                token_ = result->token;
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
    core::PlanInput in;
    in.options = *opts;
    in.high_availability = src->high_availability;
    in.data_bytes = src->data_bytes;
    in.log_bytes = src->log_bytes;
    in.settings_bytes = src->settings_bytes;
    return Plan{*opts, core::build_plan(in)};
}

core::Expected<std::string> Engine::start(const core::RequestedOptions& req)
{
    if (job_)
        return busy_with_job();
    auto p = plan(req);
    if (!p)
        return p.error();
    const auto* src = probed();
    core::SourceIdentity sid{src->address,       src->address,           src->host_name,
                             src->domain_name,   src->license_guid,      src->certificate_sha256,
                             src->high_availability, src->data_bytes, src->log_bytes};
    const auto self = appliance_.identity();
    job_ = core::new_job(new_job_id(), p->options, p->operations, sid,
                         core::TargetIdentity{self.address, self.host_name}, boot_id_, now_usec());
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

core::Expected<bool> Engine::acknowledge()
{
    if (!job_)
        return core::Error{core::Code::NoJob, "There is no job.", {}};
    if (!core::is_finished(job_->state))
        return core::Error{core::Code::NotFinished, "The job is still running.",
                           "Wait until it has succeeded or failed."};
    if (auto r = journal_.remove(); !r)
        return r;
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
    if (job_->state != core::JobState::Failed)
        return core::Error{core::Code::NotFailed, "The job has not failed; nothing to resume.",
                           {}};
    const uint64_t first = job_->next_sequence;
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

void Engine::emit_events_from(uint64_t first_seq)
{
    if (!observer_ || !job_)
        return;
    observer_->job_changed(*job_);
    for (const auto& e : core::events_since(*job_, first_seq - 1))
        observer_->job_event(*job_, e);
}

void Engine::run_next()
{
    if (!job_ || job_->state != core::JobState::Running)
        return;
    auto* op = core::next_operation(*job_);
    const uint64_t first = job_->next_sequence;
    if (!op) {
        core::succeed_job(*job_, now_usec());
    } else {
        // The operations need the source's peer API (the source-side
        // work); this build fails the job with a named error instead of
        // pretending to run them. Resume() retries from this checkpoint.
        core::fail_job(*job_, op->id,
                       core::Error{core::Code::IncompatibleSource,
                                   "This version of ferry cannot run the operation '" +
                                       std::string(core::operation_title(op->id)) + "' yet.",
                                   "Install a ferry build with source-side support, then Resume()."},
                       now_usec());
    }
    persist();
    if (observer_)
        observer_->manager_changed();
    emit_events_from(first);
}

} // namespace ferry
