// status: the Manager's State/Job/Version and, when a job exists, the
// job's state, progress and one line per operation.
#include <cstdio>
#include <optional>

#include "events.hpp"
#include "output.hpp"
#include "verbs.hpp"

namespace ferryctl {
namespace {

std::string operation_lines(const JobStatus& job)
{
    const bool active = job.state == "running" || job.state == "rebooting";
    std::size_t width = 0;
    for (const auto& op : job.operations)
        width = std::max(width, op.title.size());
    std::string out;
    for (const auto& op : job.operations) {
        std::string title = op.title;
        title.resize(width, ' ');
        std::string line = title + "  " + op.state;
        if (op.state == "running" || op.state == "failed")
            line += " " + format_percent(op.fraction);
        if (active && (op.state == "running" || op.state == "pending") && op.remaining_seconds)
            line += ", " + format_duration(op.remaining_seconds) + " left";
        if (!out.empty())
            out += "\n";
        out += line;
    }
    return out;
}

std::string title_of(const JobStatus& job, const std::string& id)
{
    for (const auto& op : job.operations)
        if (op.id == id)
            return op.title + " (" + id + ")";
    return id;
}

void print_human(const std::string& state, const std::string& job_path, const std::string& version,
                 const std::optional<JobStatus>& job)
{
    KeyValueTable t;
    t.add("State", state);
    t.add("Version", version);
    t.add("Job", job_path == kNoJobPath ? "none" : job_path);
    if (job) {
        std::string js = job->state;
        if (job->attempt > 1)
            js += " (attempt " + std::to_string(job->attempt) + ")";
        t.add("Job State", js);
        t.add("Options", describe_options(dict_to_json(job->options)));
        if (!job->current.empty())
            t.add("Current", title_of(*job, job->current));
        t.add("Progress", format_percent(job->progress));
        if (job->state == "running" || job->state == "rebooting")
            t.add("Remaining", job->remaining_seconds
                                   ? "about " + format_duration(job->remaining_seconds)
                                   : "");
        t.add("Started", format_timestamp(job->started_at));
        t.add("Finished", format_timestamp(job->finished_at));
        if (!job->error.empty()) {
            std::string e = job->error.message;
            if (!job->error.operation.empty())
                e = "in " + title_of(*job, job->error.operation) + ": " + e;
            t.add("Error", e);
            t.add("Error Name", job->error.name);
            t.add("Remedy", job->error.remedy);
        }
        t.add("Operations", operation_lines(*job));
    }
    t.print();
}

} // namespace

int verb_status(Context& c, const Verbs&)
{
    const auto props = c.bus.manager().get_all();
    const auto state = get_or<std::string>(props, "State");
    const std::string job_path = get_or<sdbus::ObjectPath>(props, "Job", sdbus::ObjectPath("/"));
    const auto version = get_or<std::string>(props, "Version");

    std::optional<JobStatus> job;
    if (!job_path.empty() && job_path != kNoJobPath) {
        try {
            JobProxy proxy(c.bus.connection(), job_path);
            job = job_status_from(job_path, proxy.get_all());
        } catch (const sdbus::Error& e) {
            // Acknowledged between the two calls: report what the manager said.
            if (e.getName() != "org.freedesktop.DBus.Error.UnknownObject" &&
                e.getName() != "org.freedesktop.DBus.Error.UnknownInterface")
                throw;
        }
    }

    if (c.args.json != JsonMode::Off) {
        print_json({{"State", state},
                    {"Job", job_path},
                    {"Version", version},
                    {"JobProperties", job ? job_status_to_json(*job) : nlohmann::json(nullptr)}},
                   c.args.json);
        return kExitOk;
    }
    print_human(state, job_path, version, job);
    return kExitOk;
}

} // namespace ferryctl
