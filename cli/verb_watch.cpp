// watch: follows the job until it has finished, like fwupdmgr's progress.
//
// Signals (PropertiesChanged, OperationChanged, Progress, Finished) only
// say "something changed"; the state is then read from ferryd: GetAll for
// the properties, GetEvents(last sequence seen) for the events, so nothing
// is missed or shown twice. When ferryd leaves the bus (NameOwnerChanged)
// watch waits for it to return, bounded by --reconnect-timeout, and
// catches up from the last sequence seen. Single-threaded: the connection
// is driven here with poll() and processPendingRequest().
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <poll.h>

#include "events.hpp"
#include "i18n.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "verbs.hpp"

namespace ferryctl {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kMinRefreshInterval = 200ms; // coalesce bursts of signals
constexpr auto kSafetyRefresh = 10s;        // re-read even when no signal came
constexpr auto kPresenceRecheck = 5s;       // while waiting for ferryd: ping it again
constexpr auto kPingTimeout = 25s;

bool is_job_gone(const sdbus::Error& e)
{
    return e.getName() == "org.freedesktop.DBus.Error.UnknownObject" ||
           e.getName() == "org.freedesktop.DBus.Error.UnknownInterface" ||
           e.getName() == "org.freedesktop.DBus.Error.UnknownMethod";
}

class Watcher {
  public:
    explicit Watcher(Context& c)
        : c_(c), conn_(c.bus.connection()),
          display_(ProgressDisplay::create(c.args.json, stdout_is_tty())),
          reconnect_timeout_(std::chrono::seconds(c.args.reconnect_timeout_sec))
    {
        // Before the first call, so that no owner change can slip by.
        owner_match_ = conn_.addMatch(
            "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
            "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" +
                std::string(kBusName) + "'",
            [this](sdbus::Message& m) { on_name_owner_changed(m); });
    }

    int run()
    {
        follow(find_job());
        auto next_safety = Clock::now() + kSafetyRefresh;
        for (;;) {
            if (daemon_gone_) {
                display_->note(
                    cformat(_("ferryd left the bus; waiting for it to return (up to %s)..."),
                            format_duration(c_.args.reconnect_timeout_sec).c_str()));
                wait_for_daemon(Clock::now() + reconnect_timeout_);
                display_->note(cformat(_("ferryd is back; catching up after event %llu."),
                                       static_cast<unsigned long long>(last_seq_)));
                dirty_ = true;
            }
            const auto now = Clock::now();
            if (dirty_ && now < last_refresh_ + kMinRefreshInterval) {
                pump(last_refresh_ + kMinRefreshInterval, [this] { return daemon_gone_; });
                continue;
            }
            if (dirty_ || now >= next_safety) {
                dirty_ = false;
                last_refresh_ = now;
                next_safety = now + kSafetyRefresh;
                if (refresh())
                    return finish();
                continue;
            }
            pump(next_safety, [this] { return daemon_gone_ || dirty_; });
        }
    }

  private:
    void on_name_owner_changed(sdbus::Message& m)
    {
        std::string name, old_owner, new_owner;
        m >> name >> old_owner >> new_owner;
        if (name != kBusName)
            return;
        if (new_owner.empty() || !old_owner.empty())
            daemon_gone_ = true; // left, or replaced by a new instance
        if (!new_owner.empty())
            daemon_back_ = true;
    }

    // Dispatches bus messages until `deadline` or until `stop()` holds. The
    // callbacks only set flags.
    template <typename Stop> void pump(Clock::time_point deadline, Stop stop)
    {
        for (;;) {
            while (conn_.processPendingRequest()) {
            }
            if (stop())
                return;
            const auto now = Clock::now();
            if (now >= deadline)
                return;
            auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
            const auto pd = conn_.getEventLoopPollData();
            if (auto t = pd.getRelativeTimeout())
                wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(*t));
            pollfd p{pd.fd, pd.events, 0};
            if (poll(&p, 1, static_cast<int>(std::max<int64_t>(wait.count(), 0))) < 0 &&
                errno != EINTR)
                throw errno_failure(errno, _("Cannot wait for the system bus"));
        }
    }

    // Is ferryd there? Ping activates it where D-Bus activation is set up.
    bool ping(std::chrono::microseconds timeout)
    {
        try {
            sdbus::createProxy(conn_, kBusName, kManagerPath)
                ->callMethod("Ping")
                .onInterface("org.freedesktop.DBus.Peer")
                .withTimeout(std::clamp<std::chrono::microseconds>(timeout, 100ms, kPingTimeout));
            return true;
        } catch (const sdbus::Error& e) {
            auto f = classify(e);
            if (!is_unreachable(f))
                throw f;
            return false;
        }
    }

    // Waits until ferryd is on the bus again, at most until `deadline`.
    void wait_for_daemon(Clock::time_point deadline)
    {
        for (;;) {
            daemon_gone_ = daemon_back_ = false;
            if (ping(
                    std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now())))
                return;
            if (Clock::now() >= deadline)
                throw unreachable(cformat(_("ferryd did not return to the bus within %s."),
                                          format_duration(c_.args.reconnect_timeout_sec).c_str()));
            pump(std::min(deadline, Clock::now() + kPresenceRecheck),
                 [this] { return daemon_back_; });
        }
    }

    // The current job's path, waiting for ferryd if it is not on the bus.
    std::string find_job()
    {
        const auto deadline = Clock::now() + reconnect_timeout_;
        for (bool waited = false;; waited = true) {
            try {
                return c_.bus.job_path();
            } catch (const sdbus::Error& e) {
                auto f = classify(e);
                if (!is_unreachable(f) || c_.args.reconnect_timeout_sec == 0 ||
                    Clock::now() >= deadline)
                    throw f;
                if (!waited)
                    display_->note(
                        cformat(_("ferryd is not on the bus; waiting for it (up to %s)..."),
                                format_duration(c_.args.reconnect_timeout_sec).c_str()));
                wait_for_daemon(deadline);
            }
        }
    }

    void follow(const std::string& path)
    {
        job_ = std::make_unique<JobProxy>(conn_, path);
        job_->on_operation_changed = [this](const std::string&, const std::string&, uint64_t) {
            dirty_ = true;
        };
        job_->on_progress = [this] { dirty_ = true; };
        job_->on_finished = [this](const std::string&) { dirty_ = true; };
        job_->on_properties_changed = [this] { dirty_ = true; };
        dirty_ = true;
    }

    // Reads the job; true when it has finished. Properties first, then the
    // events: a finished state is always read with its "finished" event.
    bool refresh()
    {
        try {
            status_ = job_status_from(job_->path(), job_->get_all());
            const auto events = get_events(*job_, last_seq_);
            const auto titles = titles_of(status_);
            for (const auto& e : events) {
                display_->event(e, titles);
                last_seq_ = std::max(last_seq_, e.sequence);
            }
            display_->update(status_);
            unreachable_since_.reset();
            return status_.state == "succeeded" || status_.state == "failed";
        } catch (const sdbus::Error& e) {
            if (is_job_gone(e)) {
                job_gone();
                return false;
            }
            auto f = classify(e);
            if (!is_unreachable(f))
                throw f;
            // Not there, or not answering: wait for it, but not forever.
            const auto now = Clock::now();
            if (!unreachable_since_)
                unreachable_since_ = now;
            else if (now - *unreachable_since_ > reconnect_timeout_)
                throw f;
            daemon_gone_ = true;
            return false;
        }
    }

    // The job object vanished: acknowledged elsewhere, or a new job.
    void job_gone()
    {
        const std::string path = c_.bus.manager().Job();
        if (path.empty() || path == kNoJobPath || path == job_->path())
            throw ferry_error("NoJob",
                              cformat(_("The job %s is gone: its result was acknowledged."),
                                      job_->path().c_str()));
        display_->note(cformat(_("The job was replaced by %s."), path.c_str()));
        last_seq_ = 0;
        follow(path);
    }

    // The manual's Result step: its sentence and, for a source in high
    // availability, its advice to revert the DNS changes (ferryd's
    // DnsRevertAdvice, the names and addresses filled in), as the page
    // shows them.
    void print_result()
    {
        std::printf("%s\n", _("Setup process was successful!"));
        VariantMap source;
        try {
            source = job_->Source();
        } catch (const sdbus::Error&) {
            return; // acknowledged meanwhile: the sentence is all there is
        }
        const auto advice = get_or<std::vector<std::string>>(source, "DnsRevertAdvice");
        if (!get_or<bool>(source, "HighAvailability", false) || advice.empty())
            return;
        std::printf("%s\n", _("Now please, in the event you have changed the DNS configuration, "
                              "please modify the following adjustments to the DNS configuration "
                              "to ensure:"));
        for (const auto& line : advice)
            std::printf("  - %s\n", line.c_str());
    }

    int finish()
    {
        display_->finish(status_);
        const bool ok = status_.state == "succeeded";
        if (c_.args.json != JsonMode::Off)
            return ok ? kExitOk : kExitJobFailed;
        if (ok) {
            std::printf("%s\n", _("Congratulations! Migration was successfully completed."));
            print_result();
            return kExitOk;
        }
        std::fflush(stdout);
        std::string where;
        for (const auto& op : status_.operations)
            if (op.id == status_.error.operation)
                where = _(op.title.c_str());
        if (where.empty())
            std::fprintf(stderr, _("Migration failed: %s\n"), status_.error.message.c_str());
        else
            std::fprintf(stderr, _("Migration failed in '%s': %s\n"), where.c_str(),
                         status_.error.message.c_str());
        if (!status_.error.remedy.empty())
            std::fprintf(stderr, "%s\n", status_.error.remedy.c_str());
        if (!status_.error.name.empty())
            std::fprintf(stderr, _("Error: %s\n"), status_.error.name.c_str());
        std::fprintf(
            stderr, "%s",
            _("Hint: 'ferryctl resume' retries from the checkpoint once the cause is fixed; "
              "'ferryctl acknowledge' clears the result.\n"));
        return kExitJobFailed;
    }

    Context& c_;
    sdbus::IConnection& conn_;
    std::unique_ptr<ProgressDisplay> display_;
    std::chrono::seconds reconnect_timeout_;
    sdbus::Slot owner_match_;
    std::unique_ptr<JobProxy> job_;
    JobStatus status_;
    uint64_t last_seq_ = 0;
    bool dirty_ = false, daemon_gone_ = false, daemon_back_ = false;
    Clock::time_point last_refresh_{};
    std::optional<Clock::time_point> unreachable_since_;
};

} // namespace

int verb_watch(Context& c, const Verbs&)
{
    Watcher w(c);
    return w.run();
}

} // namespace ferryctl
