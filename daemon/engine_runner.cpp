// The Engine's runner: one operation at a time on step_worker_, its
// progress throttled, its checkpoints journaled, its result back on the
// loop thread.
#include "engine.hpp"

#include "core/journal_record.hpp"
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
                        "The checkpoint of the operation '" +
                            std::string(core::operation_title(id)) +
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
                while (written.wait_for(std::chrono::milliseconds(100)) !=
                       std::future_status::ready)
                    if (stopping_)
                        return steps::stopped_error();
                return written.get();
            },
            peers.main(),
            [this](const std::string& type, const nlohmann::json& data) {
                post_([this, type, data] {
                    if (!job_)
                        return;
                    const uint64_t first = job_->next_sequence;
                    core::append_event(*job_, now_usec(), type, data);
                    persist_async();
                    emit_events_from(first);
                });
            }};
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
            result =
                core::Error{core::Code::IncompatibleSource,
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
        post_([this, id, result = std::move(result)]() mutable {
            on_step_done(id, std::move(result));
        });
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
        eta_->update(std::chrono::duration<double>(Clock::now() - eta_origin_).count(),
                     op->bytes_done);
        op->eta_seconds = eta_->remaining_seconds();
    }
    // Every report; the front ends are told at the rate of the one
    // throttle (core::ProgressThrottle, in the Job object).
    if (observer_)
        observer_->job_changed(*job_);
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
