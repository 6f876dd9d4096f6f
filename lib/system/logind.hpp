// This appliance's reboot, through logind's D-Bus API
// (org.freedesktop.login1.Manager on the system bus, sd-bus), the way
// `systemctl reboot` asks for it when it is not PID 1's own client: logind
// checks the caller (polkit; root is allowed), honours inhibitors and
// starts reboot.target. Used by ferryd (the target) and ferry-peer (the
// source) for Swap Configuration.
#pragma once

#include <string>

#include "core/expected.hpp"

namespace ferry::local {

// CanReboot(): "yes", "challenge", "no" or "na"; an error when logind
// does not answer.
core::Expected<std::string> logind_can_reboot();

// Reboot(interactive=false): returns once logind has queued the reboot;
// the system then stops its services (SIGTERM to this process among them).
core::Expected<bool> logind_reboot();

} // namespace ferry::local
