#pragma once

#include <string>

namespace ferry::local {

// The current boot id (32 hex digits), from sd-id128. The journal records
// it so that a start after a reboot is told apart from a service restart,
// as fwupd does with BootTime. FERRY_BOOT_ID overrides it for the rigs,
// whose "reboot" of a process tree keeps the kernel's id.
std::string current_boot_id();

} // namespace ferry::local
