// The plan's time estimates (issue 17), from measurement rather than
// constants: what Probe measured on the way to the source and on this
// system (ProbeRates), corrected by what this machine measured in earlier
// jobs (core/measurements.hpp); a built-in assumption only for what has
// neither. Pure arithmetic: given measurements and sizes, each
// operation's estimate with where its figure came from. The measuring is
// local/probe_measure's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed_costs.hpp"
#include "core/measurements.hpp"

namespace ferry::core {

enum class OperationId; // core/plan.hpp

// Assumptions for what neither Probe nor an earlier job has measured.
struct RateAssumptions {
    double data_bytes_per_second = 30e6; // measured streaming copy here: ~35 MB/s
    double log_bytes_per_second = 100e6;
    double settings_bytes_per_second = 1e6;
    uint64_t reboot_seconds = 90;
    uint64_t services_seconds = 20; // restart-services when systemd was not asked
    uint64_t step_seconds = 5;      // a remote step when Probe measured no round trip
    ServiceAssumptions services;    // per service, where systemd has no record
    // The data copy's rate as a fraction of the Probe's prediction (the
    // slowest of the source's read, the link and this system's write),
    // until earlier jobs on this machine give their own: the median of the
    // bench/estimate rounds on a QUIET machine (2026-12-06 22:34 and
    // 22:41: 0.61, 0.79 on the default set, 0.83, 0.71 on the demo set;
    // docs/benchmarks.md, *Estimates*). A new appliance, the target, is
    // quiet; the busy shared machine's rounds (0.75 to 1.25, median 0.95)
    // measured the other sessions' load as much as ferry.
    double data_probe_factor = 0.75;
    // The same for the log copy and the Probe's download rate.
    double log_probe_factor = 1.0;
};

// What Probe measured for a few seconds in all; 0: not measured (the
// measurement failed or does not apply).
struct ProbeRates {
    double source_read = 0;  // bytes/s: a timed read of the source's biggest table over MariaDB
    double link = 0;         // bytes/s: a timed download of a source's log file from ferry-peer
    double target_write = 0; // bytes/s: LOAD DATA into a scratch table on this system's MariaDB
    double round_trip = 0;   // seconds: one request to ferry-peer
    std::string notes;       // what could not be measured, and why (for the plan)
};

// The data copy reads on the source, crosses the link and loads here, all
// at once: its pace is the slowest of the three. 0 when none was measured.
double probe_data_rate(const ProbeRates& p);
// The log copy downloads from ferry-peer: the link's rate (0: unmeasured).
double probe_log_rate(const ProbeRates& p);

enum class RateOrigin { Default, EarlierJobs, Measured };
// "default", "earlier-jobs", "measured"
std::string_view rate_origin_key(RateOrigin o);

struct OperationEstimate {
    uint64_t seconds = 0;
    RateOrigin origin = RateOrigin::Default;
    double rate = 0;       // bytes/second used; 0 for an operation that moves no bytes
    double probe_rate = 0; // Probe's uncorrected rate for its path (kept with the job's samples)
    std::string basis;     // one sentence: where the figure comes from
};

struct EstimateInput {
    ProbeRates probe;
    Measurements history;
    RateAssumptions defaults;
    // Whether systemd was asked about this system's services at Probe
    // (local/unit_times), and what it recorded (empty: none to restart).
    bool services_measured = false;
    std::vector<UnitTimestamps> services;
    JobShape shape; // filled by build_plan from the options
};

// `bytes`: what the operation moves (0 for one that moves none).
OperationEstimate estimate_operation(OperationId id, uint64_t bytes, const EstimateInput& in);

// copy-data after a copy while the source served: the catch-up.
OperationEstimate catch_up_estimate(const EstimateInput& in);
// Operation 10 after the logs were copied while the source served.
OperationEstimate log_catch_up_estimate(const EstimateInput& in);

// The median (the mean of the middle two for an even count); 0 for none.
double median(std::vector<double> v);

// "271 MB", "1.4 GB"; "12 MB/s": for the basis sentences.
std::string size_text(double bytes);
std::string rate_text(double bytes_per_second);

} // namespace ferry::core
