#include "args.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <string_view>

#include "config.h"
#include "errors.hpp"
#include "i18n.hpp"

namespace ferryctl {
namespace {

enum {
    ARG_VERSION = 0x100,
    ARG_JSON,
    ARG_NO_ASK_PASSWORD,
    ARG_PASSWORD_FILE,
    ARG_SWAP,
    ARG_LICENSE,
    ARG_LOGS,
    ARG_SINCE,
    ARG_RECONNECT_TIMEOUT,
    ARG_FINGERPRINT,
    ARG_FORCE,
};

bool parse_bool(const char* option, const char* value)
{
    if (!value)
        return true; // --swap alone means yes
    const std::string_view v(value);
    if (v == "yes" || v == "true" || v == "on" || v == "1")
        return true;
    if (v == "no" || v == "false" || v == "off" || v == "0")
        return false;
    throw UsageError(cformat(_("Invalid value for --%s= (expected yes or no)."), option));
}

uint64_t parse_number(const char* option, const char* value, uint64_t max)
{
    errno = 0;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(value, &end, 10);
    if (errno || !end || *end || end == value || *value == '-' || *value == '+' || n > max)
        throw UsageError(max < UINT64_MAX
                             ? cformat(_("Invalid value for --%s= (expected a number up to %llu)."),
                                       option, static_cast<unsigned long long>(max))
                             : cformat(_("Invalid value for --%s= (expected a number)."), option));
    return n;
}

JsonMode parse_json(const char* value)
{
    if (!value)
        return JsonMode::Pretty;
    const std::string_view v(value);
    if (v == "pretty")
        return JsonMode::Pretty;
    if (v == "short")
        return JsonMode::Short;
    if (v == "off")
        return JsonMode::Off;
    throw UsageError(_("Invalid value for --json= (expected pretty, short or off)."));
}

// The option as typed, without any "=value".
std::string option_text(const char* arg)
{
    std::string s = arg ? arg : "?";
    if (auto eq = s.find('='); eq != std::string::npos)
        s.erase(eq);
    return s;
}

} // namespace

const char* verb_option_name(VerbOption o)
{
    switch (o) {
    case kOptPasswordFile: return "--password-file";
    case kOptSwap: return "--swap";
    case kOptLicense: return "--license";
    case kOptLogs: return "--logs";
    case kOptSince: return "--since";
    case kOptReconnectTimeout: return "--reconnect-timeout";
    case kOptFingerprint: return "--fingerprint";
    case kOptForce: return "--force";
    case kOptYes: return "--yes";
    }
    return "?";
}

void print_help()
{
    std::printf(
        _("ferryctl [OPTIONS...] [COMMAND] ...\n"
          "\n"
          "Migrate a hotspot appliance (the source) onto this system with ferryd.\n"
          "\n"
          "Commands:\n"
          "  status                   Show the migration state and the job (default)\n"
          "  probe ADDRESS            Check the source and show its Source Info\n"
          "  options                  Show the migration options and their availability\n"
          "  plan                     Show the operations a migration would run\n"
          "  start                    Execute the migration (irreversible, no cancel)\n"
          "  watch                    Follow the job until it has finished\n"
          "  events                   Show the job's event history\n"
          "  report                   Show the migration report of the finished job\n"
          "  acknowledge              Clear a finished job\n"
          "  resume                   Retry a failed job from its checkpoint\n"
          "\n"
          "Options:\n"
          "  -h --help                Show this help\n"
          "     --version             Show the version\n"
          "     --json=pretty|short|off\n"
          "                           Machine-readable output (--json alone: pretty)\n"
          "     --no-ask-password     Do not ask for passwords or interactive authorization\n"
          "     --password-file=PATH  probe: read the source's Admin password from the first\n"
          "                           line of PATH (- for stdin) instead of the terminal\n"
          "     --fingerprint=SHA256:...\n"
          "                           probe: the certificate the source must present (as\n"
          "                           shown on the source); the password is not sent to any other\n"
          "     --swap[=yes|no]       plan, start: Swap Configuration\n"
          "     --license[=yes|no]    plan, start: Migrate License\n"
          "     --logs[=yes|no]       plan, start: Copy User Traffic Logs\n"
          "     --since=N             events: only events after sequence number N\n"
          "  -y --yes                 start: execute without asking for confirmation (needed\n"
          "                           when stdin is not a terminal)\n"
          "     --force               acknowledge: also a failed HA job whose source left the\n"
          "                           ring before this system joined it (see ferryctl(1))\n"
          "     --reconnect-timeout=SEC\n"
          "                           watch: how long to wait for ferryd to (re)appear on\n"
          "                           the bus (default: %u)\n"
          "\n"
          "The password is never taken from the command line.\n"
          "Exit status: 0 ok, 1 failure, 2 usage error, 3 error from ferryd,\n"
          "4 ferryd not reachable, 5 the watched job failed.\n"
          "See ferryctl(1) for details.\n"),
        kDefaultReconnectTimeoutSec);
}

Args parse_args(int argc, char** argv)
{
    static const option options[] = {
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, ARG_VERSION},
        {"json", optional_argument, nullptr, ARG_JSON},
        {"no-ask-password", no_argument, nullptr, ARG_NO_ASK_PASSWORD},
        {"password-file", required_argument, nullptr, ARG_PASSWORD_FILE},
        {"fingerprint", required_argument, nullptr, ARG_FINGERPRINT},
        {"swap", optional_argument, nullptr, ARG_SWAP},
        {"license", optional_argument, nullptr, ARG_LICENSE},
        {"logs", optional_argument, nullptr, ARG_LOGS},
        {"since", required_argument, nullptr, ARG_SINCE},
        {"reconnect-timeout", required_argument, nullptr, ARG_RECONNECT_TIMEOUT},
        {"force", no_argument, nullptr, ARG_FORCE},
        {"yes", no_argument, nullptr, 'y'},
        {},
    };

    // getopt_long would take any unique prefix: "--password=x" would become
    // --password-file=x and the "path" would be echoed in an error. Only
    // exact long option names are accepted.
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (arg == "--")
            break;
        if (arg.size() <= 2 || arg.substr(0, 2) != "--")
            continue;
        const std::string name = option_text(argv[i]).substr(2);
        bool known = false;
        for (const option* o = options; o->name; ++o)
            known = known || name == o->name;
        if (!known)
            throw UsageError(cformat(_("Unknown option '--%s'."), name.c_str()));
    }

    Args a;
    opterr = 0; // our own messages: getopt's would echo the whole argument
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hy", options, nullptr)) >= 0) {
        switch (c) {
        case 'h':
            print_help();
            a.done = true;
            return a;
        case ARG_VERSION:
            std::printf("ferryctl %s\n", FERRY_VERSION);
            a.done = true;
            return a;
        case ARG_JSON: a.json = parse_json(optarg); break;
        case ARG_NO_ASK_PASSWORD: a.ask_password = false; break;
        case ARG_PASSWORD_FILE:
            if (!*optarg)
                throw UsageError(_("--password-file= needs a path (- for stdin)."));
            a.password_file = optarg;
            a.given |= kOptPasswordFile;
            break;
        case ARG_FINGERPRINT:
            if (!*optarg)
                throw UsageError(
                    _("--fingerprint= needs the source's certificate fingerprint (SHA256:...)."));
            a.fingerprint = optarg;
            a.given |= kOptFingerprint;
            break;
        case ARG_SWAP:
            a.swap = parse_bool("swap", optarg);
            a.given |= kOptSwap;
            break;
        case ARG_LICENSE:
            a.license = parse_bool("license", optarg);
            a.given |= kOptLicense;
            break;
        case ARG_LOGS:
            a.logs = parse_bool("logs", optarg);
            a.given |= kOptLogs;
            break;
        case ARG_SINCE:
            a.since = parse_number("since", optarg, UINT64_MAX);
            a.given |= kOptSince;
            break;
        case ARG_RECONNECT_TIMEOUT:
            a.reconnect_timeout_sec =
                static_cast<unsigned>(parse_number("reconnect-timeout", optarg, 86400));
            a.given |= kOptReconnectTimeout;
            break;
        case ARG_FORCE:
            a.force = true;
            a.given |= kOptForce;
            break;
        case 'y':
            a.yes = true;
            a.given |= kOptYes;
            break;
        case ':':
            throw UsageError(
                cformat(_("Option '%s' needs a value."), option_text(argv[optind - 1]).c_str()));
        case '?':
        default:
            // Long names were checked above: a long option here was given
            // a value it takes none of.
            if (optind > 0 && std::strncmp(argv[optind - 1], "--", 2) == 0)
                throw UsageError(cformat(_("Option '%s' takes no value."),
                                         option_text(argv[optind - 1]).c_str()));
            throw UsageError(cformat(_("Unknown option '-%c'."), optopt > 0 && optopt < 0x100
                                                                     ? static_cast<char>(optopt)
                                                                     : '?'));
        }
    }
    for (int i = optind; i < argc; ++i)
        a.positional.emplace_back(argv[i]);
    return a;
}

} // namespace ferryctl
