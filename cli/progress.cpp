#include "progress.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <sys/ioctl.h>
#include <unistd.h>

namespace ferryctl {
namespace {

constexpr int kWideBar = 20; // on terminals of 100 columns or more
constexpr int kNarrowBar = 10;

uint64_t now_usec()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

double clamp01(double f)
{
    return std::isfinite(f) ? std::clamp(f, 0.0, 1.0) : 0.0;
}

std::string op_tail(const Operation& op, bool active)
{
    if (!active)
        return op.state;
    if (op.state == "running")
        return op.remaining_seconds
                   ? cformat(_("%s left"), format_duration(op.remaining_seconds).c_str())
                   : std::string(_("running"));
    if (op.state == "pending")
        return op.remaining_seconds
                   ? cformat(_("pending, about %s"), format_duration(op.remaining_seconds).c_str())
                   : std::string(_("pending"));
    return op.state;
}

std::string job_summary(const JobStatus& job)
{
    std::string s = cformat(_("Job %s: %s"), job.path.substr(job.path.rfind('/') + 1).c_str(),
                            job.state.c_str());
    if (job.state == "running" || job.state == "rebooting") {
        s += ", " + format_percent(job.progress);
        if (job.remaining_seconds)
            s += cformat(_(", about %s left"), format_duration(job.remaining_seconds).c_str());
    }
    if (job.attempt > 1)
        s += cformat(_(" (attempt %u)"), static_cast<unsigned>(job.attempt));
    return s;
}

// Bars redrawn in place: the cursor goes back to the first bar line and
// everything below is cleared before drawing again.
class TerminalDisplay final : public ProgressDisplay {
  public:
    void event(const Event& e, const Titles& titles) override
    {
        above(format_clock(e.realtime_usec) + " " + describe_event(e, titles));
    }

    void update(const JobStatus& job) override
    {
        last_ = job;
        have_job_ = true;
        draw();
    }

    void note(const std::string& text) override { above(text); }

    void finish(const JobStatus& job) override
    {
        update(job);
        drawn_ = 0; // leave the bars on the screen
    }

  private:
    static int columns()
    {
        winsize ws{};
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
            return ws.ws_col;
        return 80;
    }

    void erase()
    {
        if (drawn_ > 0)
            std::printf("\x1b[%dF\x1b[J", drawn_);
        drawn_ = 0;
    }

    void above(const std::string& line)
    {
        erase();
        std::printf("%s\n", line.c_str());
        draw();
    }

    void put(std::string line, int cols)
    {
        if (static_cast<int>(line.size()) >= cols)
            line.resize(static_cast<std::size_t>(std::max(cols - 1, 1)));
        std::printf("%s\n", line.c_str());
        ++drawn_;
    }

    void draw()
    {
        erase();
        if (!have_job_)
            return;
        const int cols = columns();
        const int bar = cols >= 100 ? kWideBar : kNarrowBar;
        const bool active = last_.state == "running" || last_.state == "rebooting";
        std::size_t title_width = 0;
        for (const auto& op : last_.operations)
            if (op.state != "skipped")
                title_width = std::max(title_width, display_width(_(op.title.c_str())));
        // mark, title, " [bar] ", "100%", "  " + a tail of up to ~20 characters
        title_width = std::min<std::size_t>(
            title_width, static_cast<std::size_t>(std::max(cols - bar - 34, 10)));

        put(job_summary(last_), cols);
        for (const auto& op : last_.operations) {
            if (op.state == "skipped")
                continue;
            const double f = op.state == "done" ? 1.0 : clamp01(op.fraction);
            const int filled = static_cast<int>(std::floor(f * bar));
            // ferryd's operation names are the manual's: translated as the page's.
            const std::string title = fit(_(op.title.c_str()), title_width);
            char pct[8];
            std::snprintf(pct, sizeof pct, "%4s", format_percent(f).c_str());
            const char* mark = op.state == "running" ? "> " : op.state == "failed" ? "! " : "  ";
            put(mark + title + " [" + std::string(static_cast<std::size_t>(filled), '#') +
                    std::string(static_cast<std::size_t>(bar - filled), '-') + "] " + pct + "  " +
                    op_tail(op, active),
                cols);
        }
        std::fflush(stdout);
    }

    JobStatus last_;
    bool have_job_ = false;
    int drawn_ = 0;
};

// Appended lines: events as they come, progress in steps of 10%.
class PlainDisplay final : public ProgressDisplay {
  public:
    void event(const Event& e, const Titles& titles) override
    {
        line(format_clock(e.realtime_usec) + " " + describe_event(e, titles));
    }

    void update(const JobStatus& job) override
    {
        for (const auto& op : job.operations) {
            if (op.state != "running" || op.bytes_total == 0)
                continue;
            const int step = static_cast<int>(std::floor(clamp01(op.fraction) * 10));
            auto [it, fresh] = steps_.try_emplace(op.id, 0);
            if (step <= it->second)
                continue;
            it->second = step;
            line(format_clock(now_usec()) + " " + op.title + ": " + format_percent(op.fraction) +
                 (op.remaining_seconds ? ", " + format_duration(op.remaining_seconds) + " left"
                                       : ""));
        }
    }

    void note(const std::string& text) override { line(format_clock(now_usec()) + " " + text); }

    void finish(const JobStatus& job) override { line(job_summary(job)); }

  private:
    static void line(const std::string& s)
    {
        std::printf("%s\n", s.c_str());
        std::fflush(stdout);
    }

    std::map<std::string, int> steps_; // last 10% step printed per operation
};

// One JSON object per line.
class JsonDisplay final : public ProgressDisplay {
  public:
    explicit JsonDisplay(JsonMode mode) : mode_(mode) {}

    void event(const Event& e, const Titles&) override { print_json(event_to_json(e), mode_); }

    void update(const JobStatus& job) override
    {
        const auto pct = static_cast<int>(std::floor(clamp01(job.progress) * 1000));
        if (pct == last_permille_ && job.current == last_current_)
            return;
        last_permille_ = pct;
        last_current_ = job.current;
        print_json({{"Type", "progress"},
                    {"Progress", job.progress},
                    {"RemainingSeconds", job.remaining_seconds},
                    {"Current", job.current}},
                   mode_);
    }

    // Notes go to stderr: stdout stays one JSON object per line.
    void note(const std::string& text) override { std::fprintf(stderr, "%s\n", text.c_str()); }

    void finish(const JobStatus& job) override
    {
        print_json({{"Type", "result"},
                    {"Job", job.path},
                    {"State", job.state},
                    {"Error", job_error_to_json(job.error)}},
                   mode_);
    }

  private:
    JsonMode mode_;
    int last_permille_ = -1;
    std::string last_current_;
};

} // namespace

std::unique_ptr<ProgressDisplay> ProgressDisplay::create(JsonMode json, bool tty)
{
    if (json != JsonMode::Off)
        return std::make_unique<JsonDisplay>(json);
    if (tty)
        return std::make_unique<TerminalDisplay>();
    return std::make_unique<PlainDisplay>();
}

} // namespace ferryctl
