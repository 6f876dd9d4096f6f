#include "output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <unistd.h>

#include "i18n.hpp"

namespace ferryctl {

void print_json(const nlohmann::json& j, JsonMode mode)
{
    // Replace invalid UTF-8 from the bus rather than throwing mid-output.
    const std::string s = j.dump(mode == JsonMode::Pretty ? 2 : -1, ' ', false,
                                 nlohmann::json::error_handler_t::replace);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void KeyValueTable::add(std::string key, std::string value)
{
    if (!value.empty())
        rows_.emplace_back(std::move(key), std::move(value));
}

void KeyValueTable::print() const
{
    std::size_t width = 0;
    for (const auto& [k, v] : rows_)
        width = std::max(width, display_width(k));
    for (const auto& [k, v] : rows_) {
        std::size_t start = 0;
        bool first = true;
        while (start <= v.size()) {
            const auto nl = v.find('\n', start);
            const std::string line = v.substr(start, nl == std::string::npos ? nl : nl - start);
            if (first)
                std::printf("%*s%s: %s\n", static_cast<int>(width - display_width(k)), "",
                            k.c_str(), line.c_str());
            else
                std::printf("%*s  %s\n", static_cast<int>(width), "", line.c_str());
            first = false;
            if (nl == std::string::npos)
                break;
            start = nl + 1;
        }
    }
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add(std::vector<std::string> cells)
{
    cells.resize(columns_.size());
    rows_.push_back(std::move(cells));
}

void Table::print() const
{
    std::vector<std::size_t> width(columns_.size());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        width[c] = display_width(columns_[c].header);
        for (const auto& r : rows_)
            width[c] = std::max(width[c], display_width(r[c]));
    }
    const bool tty = stdout_is_tty();
    auto line = [&](const std::vector<std::string>& cells, bool header) {
        std::string out;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const bool last = c + 1 == cells.size();
            const std::size_t pad = width[c] - display_width(cells[c]);
            if (columns_[c].right)
                out.append(pad, ' ');
            out += cells[c];
            if (!columns_[c].right && !last)
                out.append(pad, ' ');
            if (!last)
                out += "  ";
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        if (header && tty)
            std::printf("\x1b[1m%s\x1b[0m\n", out.c_str());
        else
            std::printf("%s\n", out.c_str());
    };
    std::vector<std::string> headers;
    for (const auto& c : columns_)
        headers.push_back(c.header);
    line(headers, true);
    for (const auto& r : rows_)
        line(r, false);
}

std::string format_bytes(uint64_t bytes)
{
    static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024)
        return std::to_string(bytes) + " B";
    double v = static_cast<double>(bytes);
    std::size_t u = 0;
    for (v /= 1024.0; v >= 1024.0 && u + 1 < std::size(kUnits); v /= 1024.0)
        ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
    return buf;
}

std::string format_duration(uint64_t s)
{
    auto part = [](uint64_t v, const char* unit) { return std::to_string(v) + " " + unit; };
    auto two = [&](uint64_t a, const char* ua, uint64_t b, const char* ub) {
        return b ? part(a, ua) + " " + part(b, ub) : part(a, ua);
    };
    if (s < 60)
        return part(s, "s");
    if (s < 3600)
        return two(s / 60, "min", s % 60, "s");
    if (s < 86400)
        return two(s / 3600, "h", (s % 3600) / 60, "min");
    return two(s / 86400, "d", (s % 86400) / 3600, "h");
}

namespace {
std::string format_time(uint64_t usec, const char* fmt)
{
    if (usec == 0)
        return {};
    const time_t t = static_cast<time_t>(usec / 1000000);
    struct tm tm {};
    if (!localtime_r(&t, &tm))
        return {};
    char buf[64];
    if (std::strftime(buf, sizeof buf, fmt, &tm) == 0)
        return {};
    return buf;
}
} // namespace

std::string format_timestamp(uint64_t usec)
{
    return format_time(usec, "%a %Y-%m-%d %H:%M:%S %Z");
}
std::string format_clock(uint64_t usec)
{
    return format_time(usec, "%H:%M:%S");
}

std::string format_percent(double fraction)
{
    if (!std::isfinite(fraction))
        fraction = 0;
    const double pct = std::clamp(fraction, 0.0, 1.0) * 100.0;
    return std::to_string(static_cast<int>(std::floor(pct))) + "%";
}

std::string yes_no(bool b)
{
    return b ? _("yes") : _("no");
}

bool stdout_is_tty()
{
    static const bool tty = isatty(STDOUT_FILENO) == 1;
    return tty;
}

void print_failure(const Failure& f, std::string_view action, JsonMode mode)
{
    if (mode != JsonMode::Off) {
        print_json({{"Error", {{"Name", f.name}, {"Message", f.message}}}}, mode);
        return;
    }
    std::fflush(stdout);
    // TRANSLATORS: %1$s is what ferryctl tried ("get the status", context
    // "action"), %2$s the reason (ferryd's message, in English).
    std::fprintf(stderr, _("Could not %1$s: %2$s\n"), C_("action", std::string(action).c_str()),
                 f.message.c_str());
    if (auto h = hint_for(f.name)) {
        const std::string hint(*h);
        std::fprintf(stderr, _("Hint: %s\n"), _(hint.c_str()));
    }
}

} // namespace ferryctl
