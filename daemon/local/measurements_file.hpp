// measurements.json in ferryd's state directory: what this machine
// measured in earlier jobs (core/measurements.hpp), read at Plan and
// written after each job that succeeded. It outlives Acknowledge (the
// journal and the report go, this stays): it is what makes the next
// job's estimate hold. Small (a few KiB), mode 0600, replaced atomically.
#pragma once

#include <filesystem>

#include "core/expected.hpp"
#include "core/measurements.hpp"

namespace ferry::local {

inline constexpr const char* kMeasurementsFile = "measurements.json";

// A missing file is an empty history; a damaged one is the named error of
// core::parse_measurements (the caller logs it and estimates without).
core::Expected<core::Measurements> load_measurements(const std::filesystem::path& state_dir);

core::Expected<bool> save_measurements(const std::filesystem::path& state_dir,
                                       const core::Measurements& m);

} // namespace ferry::local
