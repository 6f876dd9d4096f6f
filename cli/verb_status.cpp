// status: the Manager's State/Job/Version and, when a job exists, the
// job's state, progress and one line per operation.
#include <cstdio>
#include <optional>

#include "events.hpp"
#include "i18n.hpp"
#include "output.hpp"
#include "verbs.hpp"

namespace ferryctl {
namespace {

std::string operation_lines(const JobStatus& job)
{
    const bool active = job.state == "running" || job.state == "rebooting";
    std::size_t width = 0;
    for (const auto& op : job.operations)
        width = std::max(width, display_width(_(op.title.c_str())));
    std::string out;
    for (const auto& op : job.operations) {
        // ferryd's operation names are the manual's: translated as the page's.
        std::string title = _(op.title.c_str());
        title.append(width - display_width(title), ' ');
        std::string line = title + "  " + op.state;
        if (op.state == "running" || op.state == "failed")
            line += " " + format_percent(op.fraction);
        if (active && (op.state == "running" || op.state == "pending") && op.remaining_seconds)
            line += cformat(_(", %s left"), format_duration(op.remaining_seconds).c_str());
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
            return _(op.title.c_str()) + (" (" + id + ")");
    return id;
}

void print_human(const std::string& state, const std::string& job_path, const std::string& version,
                 const std::optional<JobStatus>& job)
{
    KeyValueTable t;
    t.add(_("State"), state);
    t.add(_("Version"), version);
    t.add(_("Job"), job_path == kNoJobPath ? _("none") : job_path);
    if (job) {
        std::string js = job->state;
        if (job->attempt > 1)
            js += cformat(_(" (attempt %u)"), static_cast<unsigned>(job->attempt));
        t.add(_("Job State"), js);
        t.add(_("Options"), describe_options(dict_to_json(job->options)));
        if (!job->current.empty())
            t.add(_("Current"), title_of(*job, job->current));
        t.add(_("Progress"), format_percent(job->progress));
        if (job->state == "running" || job->state == "rebooting")
            t.add(_("Remaining"),
                  job->remaining_seconds
                      ? cformat(_("about %s"), format_duration(job->remaining_seconds).c_str())
                      : "");
        t.add(_("Started"), format_timestamp(job->started_at));
        t.add(_("Finished"), format_timestamp(job->finished_at));
        if (!job->error.empty()) {
            std::string e = job->error.message;
            if (!job->error.operation.empty())
                e = cformat(_("in %s: %s"), title_of(*job, job->error.operation).c_str(),
                            e.c_str());
            t.add(_("Error"), e);
            t.add(_("Error Name"), job->error.name);
            t.add(_("Remedy"), job->error.remedy);
        }
        t.add(_("Operations"), operation_lines(*job));
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
