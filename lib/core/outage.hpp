// How long the hotspot is out of service during a job, from the plan's
// estimates: what an administrator schedules the migration around (issue
// 18). Guests cannot log in from the moment the source is placed under
// maintenance (operation 2) until this system has restarted its services
// (operation 9); everything that runs in between counts. When the data is
// copied while the source serves (core/data_path.hpp), only the catch-up is
// inside; otherwise the data copy is, and the window grows with the data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/plan.hpp"

namespace ferry::core {

struct Outage {
    uint64_t seconds = 0;       // the window: operations 2 to 9 that run
    uint64_t total_seconds = 0; // the whole job
    uint64_t data_seconds = 0;  // of which the data copy (copy-data or its HA twin)
    // HA: the ring's other nodes keep serving guests (the manual's DNS
    // advice sends them to the Main node); only the source node is out.
    bool ring_keeps_serving = false;
};

Outage plan_outage(const std::vector<PlannedOperation>& plan, bool high_availability);

// The plan's "outage" entry: the window, the job's total, what is inside
// it and, for HA, that the ring keeps serving; then which way the data is
// copied and why (plan_data_path's reason).
std::string outage_summary(const Outage& o, const std::vector<PlannedOperation>& plan,
                           const std::string& data_path_reason = {});

} // namespace ferry::core
