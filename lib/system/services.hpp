// This appliance's systemd units, through systemd's D-Bus API (sd-bus on
// the system bus): what the source does with its user-facing services when
// it is migrated without Swap Configuration.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace ferry::local {

// Stops each unit (waiting up to `timeout` for it to become inactive) and
// masks it persistently, so that it stays down across reboots: a source
// migrated without Swap must never serve the users the target now serves.
// Undone with "systemctl unmask UNIT". No-op for an empty list.
core::Expected<bool> stop_and_mask_units(const std::vector<std::string>& units,
                                         std::chrono::seconds timeout);

} // namespace ferry::local
