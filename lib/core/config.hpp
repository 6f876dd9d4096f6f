// /etc/ferry/ferry.conf: where this appliance keeps what ferry migrates.
// Every path is configurable so that several appliances run on one machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/ini.hpp"

namespace ferry::core {

struct ApplianceConfig {
    std::string settings_dir = "/var/lib/hotspot/settings"; // one file per section: NAME.conf
    std::string license_file = "/var/lib/hotspot/license.conf";
    std::string certificate_dir = "/etc/hotspot/certs";
    std::string log_dir = "/var/log/hotspot";
    // The source side's state files (ferry-peer); empty: next to the
    // settings directory (see local::default_layout).
    std::string staged_settings_dir, maintenance_file, migrated_file;
    std::vector<std::string> databases{"hotspot"};
    std::vector<std::string> services;
    unsigned probe_timeout_sec = 5;
    uint16_t peer_port = 443; // the source's peer API (443 on an appliance)
    std::string database_socket = "/run/mysqld/mysqld.sock"; // this appliance's MariaDB
    unsigned copy_threads = 2;
    // HA: how long operation 7 waits for this system's replica to run and
    // for the node after it in the ring to connect ([Migration] RingJoinTimeoutSec=).
    unsigned ring_join_timeout_sec = 180;
    // The data copy: how long a read from (or write to) the source's
    // MariaDB may wait before the copy fails as Unreachable, e.g. over a
    // link that stalls ([Migration] DataReadTimeoutSec=).
    unsigned data_read_timeout_sec = 900;
    // Swap Configuration: how long the reboot operation waits, after this
    // system's reboot, for the source to answer at this system's former
    // address before the job fails as Unreachable
    // ([Migration] SourceRebootTimeoutSec=).
    unsigned source_reboot_timeout_sec = 900;
    // Crash-loop limit: how many times in a row ferryd may find the job
    // unfinished at its start without the job having made progress in
    // between (an operation done or a checkpoint saved) before it fails
    // the job with RestartLimit ([Migration] MaxRestartsWithoutProgress=).
    unsigned max_restarts_without_progress = 5;
    // Pre-flight (core/preflight.hpp): MiB that must stay free on the
    // filesystem of this system's MariaDB data after the copy, beyond the
    // data and its margin ([Migration] FreeSpaceReserveMB=).
    unsigned free_space_reserve_mb = 256;
    // Copy the data while the source still serves when its MariaDB writes
    // a binary log (core/data_path.hpp; [Migration] CopyWhileServing=).
    bool copy_while_serving = true;
    // How long operation 4 waits for the temporary replica to apply the
    // source's last changes before it falls back to a full copy
    // ([Migration] CatchUpTimeoutSec=).
    unsigned catch_up_timeout_sec = 300;
};

// Missing keys keep their defaults; unknown sections or keys are refused
// (a typo in a path must not silently migrate the wrong directory).
Expected<ApplianceConfig> parse_config(const Ini& ini);

} // namespace ferry::core
