#pragma once

#include <string>

namespace ferry::local {

// An id of the current boot (32 hex digits). The journal records it so that
// a start after a reboot is told apart from a service restart, as fwupd does
// with BootTime. Under systemd it is a random id kept in $RUNTIME_DIRECTORY
// (/run is new on every boot, in containers too); otherwise the kernel's
// boot id. FERRY_BOOT_ID overrides both for the one-machine rigs, whose
// "reboot" of a process tree keeps the kernel's id.
std::string current_boot_id();

} // namespace ferry::local
