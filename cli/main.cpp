// ferryctl: the command-line front end of ferryd, in hostnamectl's shape:
// a verbs table with `status` as the default, --json for every verb,
// "Could not <action>: <message>" errors with hints, and exit codes that
// scripts can rely on (errors.hpp, docs/ferryctl.md).
#include <clocale>
#include <cstdio>
#include <cstring>
#include <sdbus-c++/Error.h>
#include <string_view>

#include "args.hpp"
#include "errors.hpp"
#include "i18n.hpp"
#include "output.hpp"
#include "verbs.hpp"

namespace ferryctl {
namespace {

struct Verb {
    const char* name;
    std::size_t min_args, max_args; // including the verb itself
    int (*run)(Context&, const Verbs&);
    const char* action; // "Could not <action>: ..."
    unsigned options;   // the VerbOption bits it takes
    const char* usage;  // the arguments, for messages
};

constexpr unsigned kMigrationOptions = kOptSwap | kOptLicense | kOptLogs;

constexpr Verb kVerbs[] = {
    {"status", 1, 1, verb_status, NC_("action", "get the status"), 0, ""},
    {"probe", 2, 2, verb_probe, NC_("action", "probe"), kOptPasswordFile | kOptFingerprint,
     " ADDRESS"},
    {"options", 1, 1, verb_options, NC_("action", "get the options"), 0, ""},
    {"plan", 1, 1, verb_plan, NC_("action", "plan"), kMigrationOptions, ""},
    {"start", 1, 1, verb_start, NC_("action", "start"), kMigrationOptions | kOptYes, ""},
    {"watch", 1, 1, verb_watch, NC_("action", "watch"), kOptReconnectTimeout, ""},
    {"events", 1, 1, verb_events, NC_("action", "get the events"), kOptSince, ""},
    {"report", 1, 1, verb_report, NC_("action", "get the report"), 0, ""},
    {"acknowledge", 1, 1, verb_acknowledge, NC_("action", "acknowledge"), kOptForce, ""},
    {"resume", 1, 1, verb_resume, NC_("action", "resume"), 0, ""},
};
constexpr const char* kDefaultVerb = "status";

const Verb* find_verb(std::string_view name)
{
    for (const auto& v : kVerbs)
        if (name == v.name)
            return &v;
    return nullptr;
}

// Arguments are never echoed: a password typed by mistake stays unseen.
void check_usage(const Verb& v, const Args& a)
{
    const std::size_t n = a.positional.size();
    if (n < v.min_args)
        throw UsageError(std::string(_("Missing argument: ferryctl ")) + v.name + v.usage);
    if (n > v.max_args)
        throw UsageError(std::string(_("Too many arguments: ferryctl ")) + v.name + v.usage +
                         _(" (a password is never given on the command line; see "
                           "--password-file)."));
    for (unsigned bit = 1; bit <= kOptLast; bit <<= 1)
        if ((a.given & bit) && !(v.options & bit))
            throw UsageError(cformat(_("%s does not apply to '%s'."),
                                     verb_option_name(static_cast<VerbOption>(bit)), v.name));
}

int usage_error(const char* message)
{
    std::fflush(stdout);
    std::fprintf(stderr, _("ferryctl: %s\nSee 'ferryctl --help'.\n"), message);
    return kExitUsage;
}

} // namespace
} // namespace ferryctl

int main(int argc, char** argv)
{
    using namespace ferryctl;
    std::setlocale(LC_ALL, "");
    init_i18n();

    Context ctx;
    const Verb* verb = nullptr;
    try {
        ctx.args = parse_args(argc, argv);
        if (ctx.args.done)
            return kExitOk;
        if (ctx.args.positional.empty())
            ctx.args.positional.emplace_back(kDefaultVerb);
        verb = find_verb(ctx.args.positional.front());
        if (!verb)
            throw UsageError(
                _("Unknown command; the commands are status, probe, options, plan, report, "
                  "start, watch, events, acknowledge and resume."));
        check_usage(*verb, ctx.args);
    } catch (const UsageError& e) {
        return usage_error(e.what());
    }

    try {
        return verb->run(ctx, ctx.args.positional);
    } catch (const UsageError& e) {
        return usage_error(e.what());
    } catch (const Failure& f) {
        print_failure(f, verb->action, ctx.args.json);
        return f.exit_code;
    } catch (const sdbus::Error& e) {
        const Failure f = classify(e);
        print_failure(f, verb->action, ctx.args.json);
        return f.exit_code;
    } catch (const std::exception& e) {
        print_failure(Failure("org.ferry.ferryctl.Error.Failed", e.what(), kExitFailure),
                      verb->action, ctx.args.json);
        return kExitFailure;
    }
}
