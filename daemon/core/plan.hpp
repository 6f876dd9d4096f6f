// The Execution step's operation list (brief §1 step 6): the 11 operations
// in their fixed order, each with the condition under which it runs, and
// the byte totals and time estimates for the Confirmation step.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/options.hpp"

namespace ferry::core {

enum class OperationId {
    CopySettings,
    SourceMaintenance,
    DeactivateReplica,
    CopyData,
    ModifySource,
    Reboot,
    CopyDataActivateReplica,
    UpdateCertificates,
    RestartServices,
    CopySyslog,
    Final,
};

inline constexpr std::size_t kOperationCount = 11;

std::string_view operation_key(OperationId id); // "copy-settings", ...
std::optional<OperationId> operation_from_key(std::string_view key);
std::string_view operation_title(OperationId id);
const std::array<OperationId, kOperationCount>& all_operations();

// Throughput assumptions used before anything is measured; the ETA
// estimator replaces them with measured rates while the job runs.
struct RateAssumptions {
    double data_bytes_per_second = 30e6; // measured streaming copy here: ~35 MB/s
    double log_bytes_per_second = 100e6;
    double settings_bytes_per_second = 1e6;
    uint64_t reboot_seconds = 90;
    uint64_t services_seconds = 20;
    uint64_t step_seconds = 5; // a remote call or two
};

struct PlanInput {
    Options options;
    bool high_availability = false;
    uint64_t data_bytes = 0;
    uint64_t log_bytes = 0;
    uint64_t settings_bytes = 0;
    RateAssumptions rates;
};

struct PlannedOperation {
    OperationId id;
    std::string key;
    std::string title;
    bool runs = false;
    std::string condition; // when it runs, e.g. "HA only"
    std::string detail;    // what it does with these options
    uint64_t bytes = 0;
    uint64_t estimated_seconds = 0;
};

// All 11 operations in order; those whose condition does not hold have
// runs == false and no bytes or time. Precondition: HA implies swap (the
// option rules force it).
std::vector<PlannedOperation> build_plan(const PlanInput& in);

uint64_t plan_total_seconds(const std::vector<PlannedOperation>& plan);

} // namespace ferry::core
