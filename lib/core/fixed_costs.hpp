// The operations that move no bytes, estimated before this machine's
// first job (issue 17): restart-services from what systemd recorded about
// the last start and stop of each service (the unit's monotonic
// timestamps, read over the bus by local/unit_times), the remote steps
// from their number of requests to ferry-peer times the round trip Probe
// measured. Pure arithmetic; the reading is local/'s. An earlier job's own
// times still win over these (core/estimate.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::core {

enum class OperationId; // core/plan.hpp

// What systemd recorded about a unit's last state changes, as its
// properties say (CLOCK_MONOTONIC microseconds; 0: never happened since
// boot). `error`: why they could not be read (then all are 0).
struct UnitTimestamps {
    std::string unit;
    uint64_t inactive_exit = 0;  // InactiveExitTimestampMonotonic: its last start began
    uint64_t active_enter = 0;   // ActiveEnterTimestampMonotonic: ... and ended (active)
    uint64_t active_exit = 0;    // ActiveExitTimestampMonotonic: its last stop began
    uint64_t inactive_enter = 0; // InactiveEnterTimestampMonotonic: ... and ended (inactive)
    std::string error;
};

// A unit's last start and stop in seconds; nullopt where systemd has no
// record of a finished one (never started or stopped since boot, in
// progress now, or a span beyond an hour: not a restart).
struct UnitRestartRecord {
    std::optional<double> start_seconds;
    std::optional<double> stop_seconds;
};
UnitRestartRecord unit_restart_record(const UnitTimestamps& t);

// The stated fallbacks, only where systemd has no record.
struct ServiceAssumptions {
    double unrecorded_start_seconds = 10; // the old 20 s for the usual two services, each
    double unrecorded_stop_seconds = 1;   // a unit never stopped since boot (the usual case)
};

struct FixedEstimate {
    double seconds = 0;
    std::string basis; // the sentence for the plan
};

// Operation 9: each service stopped and started again, one after the
// other (steps/restart_services.cpp), as long as systemd saw it take.
FixedEstimate restart_services_estimate(const std::vector<UnitTimestamps>& units,
                                        const ServiceAssumptions& a = {});

// What shapes the remote steps' requests.
struct JobShape {
    bool high_availability = false;
    bool swap = false;
    bool license = false;
};

// The requests operation `id` makes to ferry-peer (and the ring's Main
// node), counted from steps/*.cpp; 0 for an operation that makes none.
unsigned remote_requests(OperationId id, const JobShape& shape);

// The source's own work beyond answering: without Swap, modify-source
// makes it stop its user-facing services, the same units as this
// system's (one product); their stop as systemd recorded it here is the
// nearest measurement ferryd has (ferry-peer reports none). nullopt when
// the operation does no such work.
std::optional<FixedEstimate> source_work_estimate(OperationId id, const JobShape& shape,
                                                  const std::vector<UnitTimestamps>& units,
                                                  const ServiceAssumptions& a = {});

} // namespace ferry::core
