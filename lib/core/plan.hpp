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

#include "core/data_path.hpp"
#include "core/estimate.hpp"
#include "core/options.hpp"

namespace ferry::core {

// The manual's eleven operations in its order, preceded by ours (issue 18):
// PreCopyData copies the data while the source still serves, when the plan
// takes that path (core/data_path.hpp); it is Skipped otherwise.
enum class OperationId {
    PreCopyData,
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

inline constexpr std::size_t kOperationCount = 12;
// Journals written before PreCopyData existed list the other eleven.
inline constexpr std::size_t kManualOperationCount = 11;

std::string_view operation_key(OperationId id); // "copy-settings", ...
std::optional<OperationId> operation_from_key(std::string_view key);
std::string_view operation_title(OperationId id);
const std::array<OperationId, kOperationCount>& all_operations();

struct PlanInput {
    Options options;
    bool high_availability = false;
    uint64_t data_bytes = 0;
    uint64_t log_bytes = 0;
    uint64_t settings_bytes = 0;
    // What the estimates come from: Probe's measurements, the earlier
    // jobs' and the assumptions (core/estimate.hpp).
    EstimateInput estimate;
    // Copy while the source serves, or under maintenance: the facts for
    // decide_data_path (plan_data_path fills in the copy's estimate).
    DataPathInput path_input;
};

struct PlannedOperation {
    OperationId id{};
    std::string key;
    std::string title;
    bool runs = false;
    std::string condition; // when it runs, e.g. "HA only"
    std::string detail;    // what it does with these options
    uint64_t bytes = 0;
    uint64_t estimated_seconds = 0;
    RateOrigin origin = RateOrigin::Default; // where estimated_seconds comes from
    std::string basis;                       // the sentence saying so
    double rate = 0;                         // bytes/second behind the estimate (0: moves no bytes)
    double probe_rate = 0;                   // Probe's own rate for the operation's path (0: none)
};

// "Time estimate: about 1 min 8 s" and one line per running operation
// saying where its figure comes from: the plan's "estimate" entry.
std::string estimate_summary(const std::vector<PlannedOperation>& plan);

// The data path this input takes: decide_data_path with the estimate of
// the whole copy from `estimate`.
DataPath plan_data_path(const PlanInput& in);

// All 12 operations in order; those whose condition does not hold have
// runs == false and no bytes or time. Precondition: HA implies swap (the
// option rules force it).
std::vector<PlannedOperation> build_plan(const PlanInput& in);

uint64_t plan_total_seconds(const std::vector<PlannedOperation>& plan);

// "1 min 8 s", "45 s": a duration in the plan's texts.
std::string duration_text(uint64_t seconds);

} // namespace ferry::core
