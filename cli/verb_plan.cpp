// options, plan, start: the wizard's Options, Confirmation and Execute.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "checks.hpp"
#include "events.hpp"
#include "i18n.hpp"
#include "output.hpp"
#include "polkit_agent.hpp"
#include "verbs.hpp"

namespace ferryctl {
namespace {

struct OptionName {
    const char* key;
    const char* title;
    const char* flag;
};
constexpr OptionName kOptionNames[] = {
    {"SwapConfiguration", N_("Swap Configuration"), "--swap"},
    {"MigrateLicense", N_("Migrate License"), "--license"},
    {"CopyUserTrafficLogs", N_("Copy User Traffic Logs"), "--logs"},
};

const OptionName* option_name(const std::string& key)
{
    for (const auto& o : kOptionNames)
        if (key == o.key)
            return &o;
    return nullptr;
}

// The manual's Confirmation step: the procedure is irreversible, so a
// person at a terminal is asked first; a script says so with --yes, as
// with apt-get -y. Without either nothing is started. The answer is read
// with rpmatch(3): the locale's own yes ("j" in German).
void confirm_start(const Context& c)
{
    if (c.args.yes)
        return;
    if (!isatty(STDIN_FILENO))
        throw Failure("org.ferry.ferryctl.Error.NotConfirmed",
                      _("The migration is irreversible and stdin is not a terminal to confirm it "
                        "on; nothing was started. Run 'ferryctl start' at a terminal, or add "
                        "--yes to execute it without asking."),
                      kExitUsage);
    std::printf("%s\n\n", _("Warning! Please note that the procedure is irreversible and cannot be "
                            "interrupted once initiated. During this critical phase, you are "
                            "advised against closing the page, interrupting, or powering off the "
                            "computer."));
    std::printf("%s", _("Execute the migration now ('ferryctl plan' shows what it does)? [y/N] "));
    std::fflush(stdout);
    char line[64] = "";
    const bool read = std::fgets(line, sizeof line, stdin) != nullptr;
    if (!read || rpmatch(line) != 1)
        throw Failure("org.ferry.ferryctl.Error.NotConfirmed",
                      _("Not confirmed; nothing was started."), kExitFailure);
}

} // namespace

int verb_options(Context& c, const Verbs&)
{
    const auto options = c.bus.manager().GetOptions();
    if (c.args.json != JsonMode::Off) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& o : options)
            out.push_back({{"Key", o.get<0>()},
                           {"Available", o.get<1>()},
                           {"Forced", o.get<2>()},
                           {"Default", o.get<3>()},
                           {"Reason", o.get<4>()}});
        print_json(out, c.args.json);
        return kExitOk;
    }
    Table t({{_("OPTION")},
             {_("FLAG")},
             {_("AVAILABLE")},
             {_("FORCED")},
             {_("DEFAULT")},
             {_("REASON")}});
    for (const auto& o : options) {
        const auto* n = option_name(o.get<0>());
        t.add({n ? _(n->title) : o.get<0>(), n ? n->flag : "", yes_no(o.get<1>()),
               yes_no(o.get<2>()), yes_no(o.get<3>()), daemon_text(o.get<4>())});
    }
    t.print();
    return kExitOk;
}

int verb_plan(Context& c, const Verbs&)
{
    PolkitAgent agent(c.interactive());
    const auto [effective, operations, checks] =
        c.bus.manager().PlanWithChecks(c.request_options(true));

    uint64_t bytes = 0, seconds = 0;
    std::size_t runs = 0;
    for (const auto& op : operations)
        if (op.get<2>()) {
            ++runs;
            bytes += op.get<5>();
            seconds += op.get<6>();
        }

    if (c.args.json != JsonMode::Off) {
        nlohmann::json ops = nlohmann::json::array();
        for (const auto& op : operations)
            ops.push_back({{"Id", op.get<0>()},
                           {"Title", op.get<1>()},
                           {"Runs", op.get<2>()},
                           {"Condition", op.get<3>()},
                           {"Detail", op.get<4>()},
                           {"Bytes", op.get<5>()},
                           {"EstimatedSeconds", op.get<6>()}});
        print_json({{"Options", dict_to_json(effective)},
                    {"Operations", ops},
                    {"TotalBytes", bytes},
                    {"EstimatedSeconds", seconds},
                    {"Checks", checks_to_json(checks)}},
                   c.args.json);
        return kExitOk;
    }

    std::printf(_("Options: %s\n\n"), describe_options(dict_to_json(effective)).c_str());
    Table t({{"#", true},
             {_("OPERATION")},
             {_("RUN")},
             {_("CONDITION")},
             {_("SIZE"), true},
             {_("TIME"), true},
             {_("DETAIL")}});
    int n = 0;
    for (const auto& op : operations) {
        const bool run = op.get<2>();
        // The operation's name as ferryd gives it is the manual's, which the
        // translations have (the web page's strings).
        t.add({std::to_string(++n), _(op.get<1>().c_str()), run ? _("run") : _("skip"),
               daemon_text(op.get<3>()), run && op.get<5>() ? format_bytes(op.get<5>()) : "-",
               run ? format_duration(op.get<6>()) : "-", daemon_text(op.get<4>())});
    }
    t.print();
    std::printf(_("\n%zu of %zu operations run: %s, about %s.\n"), runs, operations.size(),
                format_bytes(bytes).c_str(), format_duration(seconds).c_str());
    print_checks(checks);
    std::printf("%s", _("The procedure is irreversible and cannot be interrupted once started; "
                        "'ferryctl start' with the same options executes it.\n"));
    return kExitOk;
}

int verb_start(Context& c, const Verbs&)
{
    confirm_start(c);
    PolkitAgent agent(c.interactive());
    const std::string job = c.bus.manager().Start(c.request_options(true));
    if (c.args.json != JsonMode::Off) {
        print_json({{"Job", job}}, c.args.json);
        return kExitOk;
    }
    std::printf("%s\n", job.c_str());
    if (isatty(STDERR_FILENO))
        std::fprintf(stderr, "%s", _("Follow the migration with 'ferryctl watch'.\n"));
    return kExitOk;
}

} // namespace ferryctl
