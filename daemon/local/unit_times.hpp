// What systemd recorded about a unit's last start and stop: its monotonic
// state-change timestamps, read over the bus as `systemctl show -p
// InactiveExitTimestampMonotonic,...` does (the unit's object path from
// its name; systemd loads the unit on demand). For the restart-services
// estimate of a first job (core/fixed_costs.hpp).
#pragma once

#include <string>

#include "core/fixed_costs.hpp"
#include "system/system_bus.hpp"

namespace ferry::local {

// Blocking (four property reads). Any failure: `error` set, the
// timestamps 0 (the estimate then states its fallback).
core::UnitTimestamps read_unit_timestamps(const SystemBus& bus, const std::string& unit);

} // namespace ferry::local
