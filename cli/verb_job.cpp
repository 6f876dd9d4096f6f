// events, acknowledge, resume: the job object's methods.
#include <cstdio>
#include <unistd.h>

#include "events.hpp"
#include "i18n.hpp"
#include "output.hpp"
#include "verbs.hpp"

namespace ferryctl {

int verb_events(Context& c, const Verbs&)
{
    JobProxy job(c.bus.connection(), c.bus.job_path());
    const auto events = get_events(job, c.args.since);

    if (c.args.json != JsonMode::Off) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& e : events)
            out.push_back(event_to_json(e));
        print_json(out, c.args.json);
        return kExitOk;
    }
    if (events.empty()) {
        std::printf(_("No events after sequence number %llu.\n"),
                    static_cast<unsigned long long>(c.args.since));
        return kExitOk;
    }
    const auto titles = titles_of(job_status_from(job.path(), job.get_all()));
    Table t({{"SEQ", true}, {"TIME"}, {"TYPE"}, {"DESCRIPTION"}});
    for (const auto& e : events)
        t.add({std::to_string(e.sequence), format_timestamp(e.realtime_usec), e.type,
               describe_event(e, titles)});
    t.print();
    return kExitOk;
}

int verb_report(Context& c, const Verbs&)
{
    JobProxy job(c.bus.connection(), c.bus.job_path());
    if (c.args.json != JsonMode::Off) {
        // ferryd's own JSON, re-printed in the requested form.
        print_json(nlohmann::json::parse(job.GetReport("json")), c.args.json);
        return kExitOk;
    }
    std::fputs(job.GetReport("text").c_str(), stdout);
    return kExitOk;
}

int verb_acknowledge(Context& c, const Verbs&)
{
    JobProxy job(c.bus.connection(), c.bus.job_path());
    if (c.args.force) // the older Acknowledge() otherwise: works with an older ferryd
        job.AcknowledgeWithFlags({{"Force", sdbus::Variant(true)}});
    else
        job.Acknowledge();
    if (c.args.json != JsonMode::Off)
        print_json({{"Acknowledged", job.path()}}, c.args.json);
    return kExitOk;
}

int verb_resume(Context& c, const Verbs&)
{
    JobProxy job(c.bus.connection(), c.bus.job_path());
    job.Resume();
    if (c.args.json != JsonMode::Off)
        print_json({{"Job", job.path()}}, c.args.json);
    else if (isatty(STDERR_FILENO))
        std::fprintf(stderr, "%s", _("Follow the migration with 'ferryctl watch'.\n"));
    return kExitOk;
}

} // namespace ferryctl
