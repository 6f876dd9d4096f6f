// What Probe measures for the plan's estimates (issue 17), for about a
// second each: the source's read rate over the MariaDB connection the data
// copy uses (a timed read of its biggest table with the temporary account,
// dropped afterwards), the link's rate (a timed download of a log file
// from ferry-peer, into memory), and this system's write rate (LOAD DATA
// into a table of a scratch schema on this system's MariaDB, removed
// afterwards, also when the load fails; one left by a crash is removed at
// the next Probe). What cannot be measured is 0 with a note: the estimate
// then uses the earlier jobs or the assumption (core/estimate.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/config.hpp"
#include "core/estimate.hpp"
#include "local/target_measure.hpp"
#include "source/peer_client.hpp"

namespace ferry::local {

struct ProbeBudget {
    std::chrono::milliseconds each{1000}; // per measurement
    uint64_t max_write_bytes = 64u << 20; // loaded into the scratch table at most
    uint64_t max_read_bytes = 256u << 20; // read from the source at most
    uint64_t max_download_bytes = 32u << 20; // held in memory (memfd) while it lasts
};

// Blocking, on the Probe's worker. `peer`: pinned and logged in;
// `self_address`: this system's address (the temporary account is bound
// to it); `target`: this system as measured (the data filesystem's room
// decides whether the scratch load may run).
core::ProbeRates measure_probe_rates(const core::ApplianceConfig& config, source::PeerClient& peer,
                                     const std::string& self_address, const TargetMeasure& target,
                                     const ProbeBudget& budget = {});

// The scratch load alone (tests): bytes/second as InnoDB stores them, or
// the error; the scratch schema is gone when it returns.
core::Expected<double> measure_target_write(const core::ApplianceConfig& config,
                                            const ProbeBudget& budget);

} // namespace ferry::local
