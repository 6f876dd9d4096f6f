// The one place where core::Error becomes a D-Bus error
// (org.ferry.Migration1.Error.<Code>), like systemd's bus-common-errors.
#pragma once

#include <sdbus-c++/Error.h>

#include "core/error.hpp"

namespace ferry::bus {

inline constexpr const char* kErrorPrefix = "org.ferry.Migration1.Error.";

// Message and remedy joined, so busctl shows both.
sdbus::Error to_bus_error(const core::Error& e);

} // namespace ferry::bus
