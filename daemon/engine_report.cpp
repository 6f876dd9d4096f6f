// The Engine's report of an ended job (written on report_worker_, read by
// GetReport) and the measurements a successful job adds to the history.
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

} // namespace ferry
