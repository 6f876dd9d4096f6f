#include "errors.hpp"

#include <cstring>
#include <sdbus-c++/Error.h>
#include <utility>

#include "i18n.hpp"

namespace ferryctl {
namespace {

// Error names that mean "ferryd is not there (any more)" rather than
// "ferryd said no".
constexpr std::string_view kUnreachableNames[] = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.NoReply",
    "org.freedesktop.DBus.Error.Timeout",
    "org.freedesktop.DBus.Error.TimedOut",
    "org.freedesktop.DBus.Error.Disconnected",
    "org.freedesktop.DBus.Error.NoServer",
    "System.Error.ECONNREFUSED",
    "System.Error.ECONNRESET",
    "System.Error.ENOTCONN",
    "System.Error.EPIPE",
    "System.Error.ETIMEDOUT",
};

struct Hint {
    std::string_view name;
    std::string_view text;
};

constexpr Hint kHints[] = {
    {"org.ferry.Migration1.Error.NotProbed", N_("run 'ferryctl probe ADDRESS' first.")},
    {"org.ferry.Migration1.Error.ProbeExpired", N_("run 'ferryctl probe ADDRESS' again.")},
    {"org.ferry.Migration1.Error.NotAuthorized",
     N_("run ferryctl as root, or as a user whom polkit allows the org.ferry.migration.* actions; "
        "without --no-ask-password you may be asked to authenticate.")},
    {"org.ferry.Migration1.Error.Unreachable",
     N_("'ferryctl probe ADDRESS' checks the ports again once they are open.")},
    {"org.ferry.Migration1.Error.AuthenticationFailed",
     N_("the password is the Admin user password of the source system; a --password-file must "
        "hold it on its first line.")},
    {"org.ferry.Migration1.Error.RateLimited", N_("wait a minute before probing again.")},
    {"org.ferry.Migration1.Error.OptionUnavailable",
     N_("'ferryctl options' shows which options are available and why.")},
    {"org.ferry.Migration1.Error.UnknownOption",
     N_("the options are --swap, --license and --logs (see 'ferryctl --help').")},
    {"org.ferry.Migration1.Error.Busy",
     N_("a job exists already: see 'ferryctl status'; clear a finished one with "
        "'ferryctl acknowledge'.")},
    {"org.ferry.Migration1.Error.NoJob",
     N_("'ferryctl start' executes a migration, after 'ferryctl probe' and 'ferryctl plan'.")},
    {"org.ferry.Migration1.Error.NotFinished", N_("follow the job with 'ferryctl watch'.")},
    {"org.ferry.Migration1.Error.SourceOutOfRing",
     N_("remove the cause of the failure, then 'ferryctl resume'; 'ferryctl acknowledge --force' "
        "leaves the ring to be repaired by hand (see ferryctl(1)).")},
    {"org.ferry.Migration1.Error.RestartLimit",
     N_("see 'journalctl -u ferryd' for why ferryd kept stopping, then 'ferryctl resume'.")},
    {"org.ferry.Migration1.Error.JournalWriteFailed",
     N_("free space in /var/lib/ferry, then 'ferryctl resume'.")},
    {"org.ferry.Migration1.Error.PreflightFailed",
     N_("'ferryctl plan' with the same options shows every pre-flight check; remove the cause of "
        "the failed one, then 'ferryctl probe' again.")},
    {"org.ferry.Migration1.Error.LimitsExceeded",
     N_("answer or cancel the open authentication dialogs, then try again.")},
    {"org.ferry.Migration1.Error.NotFailed",
     N_("only a failed job can be resumed; see 'ferryctl status'.")},
    {"org.ferry.Migration1.Error.SameSystem",
     N_("ADDRESS is the source system (the old appliance), not this one.")},
    {"org.ferry.Migration1.Error.IncompatibleSource",
     N_("update ferry on both systems, then 'ferryctl resume' retries from the checkpoint.")},
    {"org.ferry.Migration1.Error.CertificateMismatch",
     N_("compare the fingerprint with the one shown on the source system; if they differ, someone "
        "may be intercepting the connection (at probe the password was not sent).")},
    {"org.ferry.Migration1.Error.JournalCorrupt",
     N_("ferryd refuses to forget a job it cannot read; see 'journalctl -u ferryd'.")},
    {"org.ferry.Migration1.Error.InvalidArgument", N_("see 'ferryctl --help' for the arguments.")},
    {"org.freedesktop.DBus.Error.AccessDenied",
     N_("the D-Bus policy of the system bus refused the call; see "
        "/usr/share/dbus-1/system.d/org.ferry.Migration1.conf.")},
    {"org.freedesktop.DBus.Error.ServiceUnknown",
     N_("start it with 'systemctl start ferryd.service'; 'journalctl -u ferryd' shows why it "
        "stopped.")},
};

} // namespace

Failure ferry_error(std::string_view code, std::string message)
{
    return Failure(std::string(kFerryErrorPrefix) + std::string(code), std::move(message),
                   kExitDaemonError);
}

Failure errno_failure(int err, std::string message)
{
    const char* n = strerrorname_np(err);
    return Failure(std::string("System.Error.") + (n ? n : "EIO"),
                   std::move(message) + ": " + std::strerror(err), kExitFailure);
}

Failure unreachable(std::string message)
{
    return Failure("org.freedesktop.DBus.Error.ServiceUnknown", std::move(message),
                   kExitUnreachable);
}

Failure classify(const sdbus::Error& e)
{
    const std::string& name = e.getName();
    for (auto n : kUnreachableNames)
        if (name == n) {
            std::string msg = e.getMessage();
            if (name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
                name == "org.freedesktop.DBus.Error.NameHasNoOwner")
                msg = _("ferryd is not running (org.ferry.Migration1 has no owner on the system "
                        "bus).");
            return Failure(name, msg.empty() ? name : msg, kExitUnreachable);
        }
    // sdbus-c++'s own client-side failures (e.g. an unexpected reply type).
    if (name == "org.sdbuscpp.Error")
        return Failure(name, e.getMessage(), kExitFailure);
    return Failure(name, e.getMessage().empty() ? name : e.getMessage(), kExitDaemonError);
}

bool is_unreachable(const Failure& f)
{
    return f.exit_code == kExitUnreachable;
}

std::optional<std::string_view> hint_for(std::string_view name)
{
    for (const auto& h : kHints)
        if (h.name == name)
            return h.text;
    return std::nullopt;
}

} // namespace ferryctl
