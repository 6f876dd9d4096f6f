// ferry-peer's one-shot modes (docs/peer.md): each runs and exits with the
// process's exit status, no server.
#pragma once

#include <string>

#include "appliance/appliance.hpp"
#include "peer/config.hpp"

namespace ferry::peer {

// --hash-password: one line from stdin (without echo on a terminal), its
// crypt(3) hash on stdout.
int run_hash_password();
// --apply-staged (at boot, before the network is configured): the staged
// settings become the settings (idempotent).
int run_apply_staged(const PeerConfig& config, local::FileAppliance& appliance);
// --apply-network DIR: the network section as systemd-networkd files.
int run_apply_network(local::FileAppliance& appliance, const std::string& dir);

} // namespace ferry::peer
