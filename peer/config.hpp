// ferry-peer's view of /etc/ferry/ferry.conf: the appliance sections that
// ferryd reads too ([Appliance], [Migration]) plus the peer's own:
//
//   [Appliance]  StagedSettingsDirectory=, MaintenanceFile=, MigratedFile=
//   [Peer]       AdminPasswordHash=, Certificate=, Key=, StateDirectory=
//   [Database]   Socket=, User=, PasswordFile=, Port=, RequireTLS=
//
// core::parse_config leaves [Peer] and the peer's [Database] keys to
// ferry-peer (it reads [Database] Socket= and CopyThreads= itself, for
// ferryd); the three [Appliance] keys are taken out here before it sees
// them, until core/config.cpp knows them.
#pragma once

#include <cstdint>
#include <string>

#include "core/config.hpp"
#include "core/expected.hpp"
#include "core/ini.hpp"
#include "appliance/appliance.hpp"

namespace ferry::peer {

struct DatabaseConfig {
    std::string socket = "/run/mysqld/mysqld.sock"; // the local server's admin socket
    std::string user = "root";                      // unix_socket authentication as root
    std::string password_file;                      // empty: no password
    uint16_t port = 3306;                           // where the target connects (db-account answer)
    bool require_tls = true; // ignored since protocol 3: accounts always REQUIRE SSL (ferryd pins the certificate)
};

struct PeerConfig {
    core::ApplianceConfig appliance;
    local::ApplianceLayout layout;
    // The crypt(3) hash of the Admin password, or the absolute path of a
    // file holding it (read at every login, so a changed password applies
    // at once).
    std::string admin_password_hash;
    std::string certificate = "/etc/ferry/peer-certificate.pem";
    std::string key = "/etc/ferry/peer-key.pem";
    // Login tokens (hashes only) and the former-address record, kept
    // across restarts and the reboot of a Swap Configuration; 0700.
    std::string state_directory = "/var/lib/ferry-peer";
    DatabaseConfig database;
};

// InvalidArgument naming the key for a bad value or an unknown key.
core::Expected<PeerConfig> parse_peer_config(core::Ini ini);

// Reads FILE (an empty configuration when it does not exist) and parses it.
core::Expected<PeerConfig> load_peer_config(const std::string& path);

// The Admin password hash from `setting` (the hash itself or a file
// naming it). InvalidArgument when there is none.
core::Expected<std::string> resolve_admin_hash(const std::string& setting);

} // namespace ferry::peer
