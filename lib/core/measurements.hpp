// What this machine measured in earlier jobs (issue 17): the actual running
// time of each operation of every finished job, with the bytes it moved and
// the rate Probe had predicted for it. The plan's estimates start from
// these (core/estimate.hpp). ferryd keeps them in its state directory as
// measurements.json (local/measurements_file.*); this is the model and its
// text form, parsed with checks: a damaged or foreign file is refused
// whole, and the estimates then fall back to what Probe measures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace ferry::core {

struct JobRecord; // core/job.hpp

inline constexpr int kMeasurementsVersion = 1;
// Per operation: the newest samples only, so the file stays small (a few
// KiB) and old hardware or software ages out.
inline constexpr std::size_t kMaxSamplesPerOperation = 8;
// A file bigger than this is not ours (the cap above keeps it far below).
inline constexpr std::size_t kMaxMeasurementsBytes = 256 * 1024;

struct OperationSample {
    std::string operation; // operation_key(), e.g. "copy-data"
    uint64_t bytes = 0;    // what it moved (0 for operations that move no bytes)
    double seconds = 0;    // running time (core::operation_times)
    // Bytes/second that Probe measured for the operation's path before
    // the job (before any correction); 0: nothing was measured.
    double probe_rate = 0;
    uint64_t at_usec = 0; // when the job finished (realtime)
};

struct Measurements {
    std::vector<OperationSample> samples; // oldest first
};

// The samples of one operation, oldest first.
std::vector<OperationSample> samples_of(const Measurements& m, std::string_view operation);

// Adds the operations of a finished job that completed in this attempt
// without being interrupted (state done; a resumed one's time would mix
// a crash or a reboot into it), then keeps kMaxSamplesPerOperation per
// operation. `probe_rates[i]` is the rate Probe measured for operation i
// (all_operations() order), 0 when none.
void add_job(Measurements& m, const JobRecord& job, const std::vector<double>& probe_rates);

std::string serialize_measurements(const Measurements& m);
// InvalidArgument naming what is wrong for anything that is not a
// measurements file of this version: unknown operation, negative or
// non-finite numbers, wrong types, too many samples.
Expected<Measurements> parse_measurements(std::string_view text);

} // namespace ferry::core
