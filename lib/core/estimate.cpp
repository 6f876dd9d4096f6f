#include "core/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/plan.hpp"

namespace ferry::core {
namespace {

bool positive(double v)
{
    return std::isfinite(v) && v > 0.0;
}

uint64_t whole_seconds(double s)
{
    // Nearest, not up: a plan of ten sub-second operations must not say
    // ten seconds. Bounded, so a damaged input cannot overflow.
    if (!std::isfinite(s) || s <= 0.0)
        return 0;
    return static_cast<uint64_t>(std::llround(std::min(s, 1e9)));
}

std::string jobs_text(std::size_t n)
{
    return std::to_string(n) + (n == 1 ? " earlier job" : " earlier jobs");
}

std::string seconds_text(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, s < 10 ? "%.1f s" : "%.0f s", s);
    return buf;
}

std::string factor_text(double f)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", f);
    return buf;
}

// An operation whose time does not follow a size: the median of the
// earlier jobs' times, else the assumption.
OperationEstimate fixed_estimate(const std::vector<OperationSample>& hist, uint64_t assumed)
{
    std::vector<double> secs;
    for (const auto& s : hist)
        secs.push_back(s.seconds);
    OperationEstimate e;
    if (!secs.empty()) {
        const double m = median(secs);
        e.seconds = whole_seconds(m);
        e.origin = RateOrigin::EarlierJobs;
        e.basis = seconds_text(m) + ", the median of " + jobs_text(secs.size()) + " on this system";
        return e;
    }
    e.seconds = assumed;
    e.origin = RateOrigin::Default;
    e.basis = std::to_string(assumed) + " s, assumed (no earlier job on this system)";
    return e;
}

struct ByteModel {
    double probe = 0;        // Probe's rate for the path, 0: unmeasured
    double assumed_rate = 0; // without any measurement
    double assumed_factor = 1.0;
    uint64_t assumed_overhead = 0; // seconds, with the assumed rate only
    const char* probe_what = "";   // "the slowest of ..." for the basis
};

// An operation that moves bytes: bytes / rate, the rate being
//  - Probe's measurement times the ratio actual/Probe of the earlier jobs
//    (the micro-measurement is short and on a scratch table: its bias on
//    this machine is what the history corrects), averaged (geometric
//    mean) with those jobs' own median rate: a one-second measurement on
//    a busy machine varies by 2x from one Probe to the next (bench, the
//    default set: 5.2 and 11 MB/s), the jobs' rates much less, and the
//    mean halves the Probe's noise while still following a change;
//    without an earlier job with a Probe measurement, Probe's times the
//    assumed ratio;
//  - without a Probe measurement, the median effective rate of the
//    earlier jobs;
//  - without either, the assumption.
// The effective rates of earlier jobs include their fixed costs, so a
// corrected estimate carries them too.
OperationEstimate byte_estimate(uint64_t bytes, const std::vector<OperationSample>& hist,
                                const ByteModel& m)
{
    std::vector<double> rates, factors, paired; // paired: the rates of the jobs with a factor
    for (const auto& s : hist) {
        if (s.bytes == 0 || !positive(s.seconds))
            continue;
        const double r = double(s.bytes) / s.seconds;
        rates.push_back(r);
        if (positive(s.probe_rate)) {
            factors.push_back(r / s.probe_rate);
            paired.push_back(r);
        }
    }
    OperationEstimate e;
    e.probe_rate = positive(m.probe) ? m.probe : 0.0;
    const std::string size = size_text(double(bytes));
    if (positive(m.probe)) {
        const bool corrected = !factors.empty();
        const double f = corrected ? median(factors) : m.assumed_factor;
        const double corrected_rate = m.probe * f;
        e.rate = corrected ? std::sqrt(corrected_rate * median(paired)) : corrected_rate;
        e.origin = RateOrigin::Measured;
        e.seconds = whole_seconds(double(bytes) / e.rate);
        e.basis = size + " at " + rate_text(e.rate) + ": " + m.probe_what + " measured at Probe, " +
                  rate_text(m.probe) + ", times " + factor_text(f) +
                  (corrected ? ", the median ratio of the actual rate in " +
                                   jobs_text(factors.size()) + " on this system, averaged with " +
                                   "their median rate " + rate_text(median(paired))
                             : ", the ratio assumed until a job on this system measures it");
        return e;
    }
    if (!rates.empty()) {
        e.rate = median(rates);
        e.origin = RateOrigin::EarlierJobs;
        e.seconds = whole_seconds(double(bytes) / e.rate);
        e.basis = size + " at " + rate_text(e.rate) + ", the median rate of " +
                  jobs_text(rates.size()) + " on this system (nothing measured at Probe)";
        return e;
    }
    e.rate = m.assumed_rate;
    e.origin = RateOrigin::Default;
    e.seconds = m.assumed_overhead + whole_seconds(double(bytes) / e.rate);
    e.basis = size + " at " + rate_text(e.rate) + ", assumed (nothing measured)";
    return e;
}

// A remote step before any earlier job: its requests to ferry-peer at the
// round trip Probe measured, the settings' bytes at the link's rate, and
// the source's own work where ferryd has a measure of it
// (core/fixed_costs.hpp); the assumption without a round trip.
OperationEstimate remote_step(OperationId id, uint64_t bytes, const EstimateInput& in)
{
    const auto& d = in.defaults;
    const double rtt = in.probe.round_trip;
    const double link = positive(in.probe.link) ? in.probe.link : d.settings_bytes_per_second;
    const double transfer = double(bytes) / link;
    const auto work = in.services_measured
                          ? source_work_estimate(id, in.shape, in.services, d.services)
                          : std::nullopt;
    OperationEstimate e;
    if (!positive(rtt)) {
        e = fixed_estimate({}, d.step_seconds);
        e.seconds += whole_seconds(transfer + (work ? work->seconds : 0.0));
        return e;
    }
    const unsigned n = remote_requests(id, in.shape);
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.1f ms", rtt * 1000);
    e.origin = RateOrigin::Measured;
    e.seconds = whole_seconds(n * rtt + transfer + (work ? work->seconds : 0.0));
    e.basis = std::to_string(n) + (n == 1 ? " request" : " requests") + " to the source at the " +
              ms + " round trip measured at Probe";
    if (bytes > 0)
        e.basis += ", " + size_text(double(bytes)) + " at " + rate_text(link) +
                   (positive(in.probe.link) ? " (the link, measured)" : " (assumed)");
    if (work)
        e.basis += ", " + work->basis;
    e.basis += " (no earlier job on this system)";
    return e;
}

} // namespace

double probe_data_rate(const ProbeRates& p)
{
    double r = 0;
    for (double v : {p.source_read, p.link, p.target_write})
        if (positive(v))
            r = r > 0 ? std::min(r, v) : v;
    return r;
}

double probe_log_rate(const ProbeRates& p)
{
    return positive(p.link) ? p.link : 0.0;
}

std::string_view rate_origin_key(RateOrigin o)
{
    switch (o) {
    case RateOrigin::Measured: return "measured";
    case RateOrigin::EarlierJobs: return "earlier-jobs";
    case RateOrigin::Default: break;
    }
    return "default";
}

double median(std::vector<double> v)
{
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }),
            v.end());
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

std::string size_text(double bytes)
{
    char buf[48];
    if (!std::isfinite(bytes) || bytes < 0)
        bytes = 0;
    if (bytes >= 1e9)
        std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
    else if (bytes >= 10e6)
        std::snprintf(buf, sizeof buf, "%.0f MB", bytes / 1e6);
    else if (bytes >= 1e6)
        std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
    else
        std::snprintf(buf, sizeof buf, "%.0f kB", bytes / 1e3);
    return buf;
}

std::string rate_text(double bytes_per_second)
{
    return size_text(bytes_per_second) + "/s";
}

OperationEstimate catch_up_estimate(const EstimateInput& in)
{
    // Not learned from earlier jobs (add_job keeps no catch-up times): the
    // replica follows the source all along, so this hardly depends on the data.
    auto e = fixed_estimate({}, in.defaults.step_seconds);
    e.basis = "assumed: the temporary replica is current when the source enters maintenance; "
              "what remains is its last transactions and the check of the tables written "
              "since the snapshot";
    return e;
}

OperationEstimate log_catch_up_estimate(const EstimateInput& in)
{
    // Not learned from earlier jobs either (add_job keeps none after a
    // pre-copy): what the logs gained since pre-copy-data is small; every
    // file is read again on both sides for its digest.
    auto e = fixed_estimate({}, in.defaults.step_seconds);
    e.basis = "assumed: the logs were copied while the source served; what remains is what was "
              "appended or rotated since, and the check of every file's digest";
    return e;
}

OperationEstimate estimate_operation(OperationId id, uint64_t bytes, const EstimateInput& in)
{
    auto hist = samples_of(in.history, operation_key(id));
    // Both copy the whole data: each one's times tell about the other.
    if (id == OperationId::PreCopyData)
        for (auto& s : samples_of(in.history, operation_key(OperationId::CopyData)))
            hist.push_back(s);
    const auto& d = in.defaults;
    switch (id) {
    case OperationId::PreCopyData:
    case OperationId::CopyData:
    case OperationId::CopyDataActivateReplica:
        if (bytes == 0)
            break;
        return byte_estimate(
            bytes, hist,
            {probe_data_rate(in.probe), d.data_bytes_per_second, d.data_probe_factor,
             d.step_seconds, "the slowest of the source's read, the link and this system's write"});
    case OperationId::CopySyslog:
        if (bytes == 0)
            break;
        return byte_estimate(bytes, hist,
                             {probe_log_rate(in.probe), d.log_bytes_per_second, d.log_probe_factor,
                              d.step_seconds, "the download from the source"});
    case OperationId::CopySettings:
        if (hist.empty())
            return remote_step(id, bytes, in);
        break;
    case OperationId::Reboot: return fixed_estimate(hist, d.reboot_seconds);
    case OperationId::RestartServices:
        if (hist.empty() && in.services_measured) {
            const auto f = restart_services_estimate(in.services, d.services);
            return {whole_seconds(f.seconds), RateOrigin::Measured, 0, 0, f.basis};
        }
        return fixed_estimate(hist, d.services_seconds);
    default: break;
    }
    if (hist.empty())
        return remote_step(id, bytes, in);
    return fixed_estimate(hist, d.step_seconds);
}

} // namespace ferry::core
