// What the pre-flight checks measure on this system (the target), at
// Probe and again at Start: the free room of each filesystem ferry writes
// to, this system's MariaDB version, and whether the services ferry
// restarts are installed. The verdicts are core/preflight's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/definition_trial.hpp"
#include "core/fixed_costs.hpp"
#include "core/preflight.hpp"
#include "core/source_info.hpp"

namespace ferry::local {

struct TargetMeasure {
    std::vector<core::FilesystemSpace> filesystems;
    std::string space_error;
    std::string mariadb_version;
    std::string mariadb_error;
    std::string mariadb_datadir; // where the data lands (@@datadir)
    std::vector<core::ServicePresence> services;
    // What systemd recorded about each service's last start and stop (the
    // restart-services estimate); asked: whether systemd was asked at all.
    std::vector<core::UnitTimestamps> service_times;
    bool service_times_asked = false;
    // The source's definitions tried here (local/definition_trial.*);
    // nullopt until Probe tried them.
    std::optional<core::DefinitionTrial> definitions;
};

// Blocking (a local MariaDB query, a systemd call): run on a worker.
TargetMeasure measure_target(const core::ApplianceConfig& config, const std::string& state_dir);

// Only the filesystems' free room again (statvfs, cheap): for Start, so
// that a disk filled since Probe is seen before anything changes.
// `datadir` as measure_target found it.
void remeasure_space(TargetMeasure& m, const core::ApplianceConfig& config,
                     const std::string& state_dir);

// The checks' input: this system as measured, the source as probed,
// whether the logs are copied, the reserve of ferry.conf.
core::PreflightInput preflight_input(const TargetMeasure& target, const core::SourceInfo& source,
                                     bool copy_logs, const core::ApplianceConfig& config);

} // namespace ferry::local
