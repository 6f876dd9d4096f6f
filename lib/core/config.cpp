#include "core/config.hpp"

#include <charconv>
#include <optional>
#include <sstream>

namespace ferry::core {
namespace {

std::vector<std::string> split_words(const std::string& s)
{
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

Error bad(const std::string& what)
{
    return Error{Code::InvalidArgument, "ferry.conf: " + what, {}};
}

// The whole of `value` as an unsigned number in lo..hi, or nothing.
std::optional<unsigned> in_range(const std::string& value, unsigned lo, unsigned hi)
{
    unsigned v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size() || v < lo || v > hi)
        return std::nullopt;
    return v;
}

// systemd's booleans (parse_boolean in src/basic/parse-util.c).
std::optional<bool> parse_boolean(const std::string& value)
{
    for (const char* t : {"1", "yes", "y", "true", "t", "on"})
        if (value == t)
            return true;
    for (const char* f : {"0", "no", "n", "false", "f", "off"})
        if (value == f)
            return false;
    return std::nullopt;
}

} // namespace

Expected<ApplianceConfig> parse_config(const Ini& ini)
{
    ApplianceConfig c;
    for (const auto& [section, keys] : ini) {
        for (const auto& [key, value] : keys) {
            if (section == "Appliance") {
                const std::pair<const char*, std::string*> paths[] = {
                    {"SettingsDirectory", &c.settings_dir},
                    {"LicenseFile", &c.license_file},
                    {"CertificateDirectory", &c.certificate_dir},
                    {"LogDirectory", &c.log_dir},
                    {"StagedSettingsDirectory", &c.staged_settings_dir},
                    {"MaintenanceFile", &c.maintenance_file},
                    {"MigratedFile", &c.migrated_file},
                };
                std::string* dst = nullptr;
                for (const auto& [name, field] : paths)
                    if (key == name)
                        dst = field;
                if (dst) {
                    if (value.empty() || value[0] != '/')
                        return bad(key + " must be an absolute path.");
                    *dst = value;
                } else if (key == "Databases") {
                    c.databases = split_words(value);
                } else if (key == "Services") {
                    c.services = split_words(value);
                } else {
                    return bad("unknown key " + key + " in [Appliance].");
                }
            } else if (section == "Migration") {
                if (key == "ProbeTimeoutSec") {
                    const auto v = in_range(value, 1, 300);
                    if (!v)
                        return bad("ProbeTimeoutSec must be 1..300.");
                    c.probe_timeout_sec = *v;
                } else if (key == "PeerPort") {
                    const auto v = in_range(value, 1, 65535);
                    if (!v)
                        return bad("PeerPort must be 1..65535.");
                    c.peer_port = static_cast<uint16_t>(*v);
                } else if (key == "RingJoinTimeoutSec") {
                    const auto v = in_range(value, 1, 3600);
                    if (!v)
                        return bad("RingJoinTimeoutSec must be 1..3600.");
                    c.ring_join_timeout_sec = *v;
                } else if (key == "DataReadTimeoutSec") {
                    const auto v = in_range(value, 1, 86400);
                    if (!v)
                        return bad("DataReadTimeoutSec must be 1..86400.");
                    c.data_read_timeout_sec = *v;
                } else if (key == "SourceRebootTimeoutSec") {
                    const auto v = in_range(value, 1, 86400);
                    if (!v)
                        return bad("SourceRebootTimeoutSec must be 1..86400.");
                    c.source_reboot_timeout_sec = *v;
                } else if (key == "MaxRestartsWithoutProgress") {
                    const auto v = in_range(value, 1, 1000);
                    if (!v)
                        return bad("MaxRestartsWithoutProgress must be 1..1000.");
                    c.max_restarts_without_progress = *v;
                } else if (key == "CopyWhileServing") {
                    const auto v = parse_boolean(value);
                    if (!v)
                        return bad("CopyWhileServing must be yes or no.");
                    c.copy_while_serving = *v;
                } else if (key == "CatchUpTimeoutSec") {
                    const auto v = in_range(value, 1, 86400);
                    if (!v)
                        return bad("CatchUpTimeoutSec must be 1..86400.");
                    c.catch_up_timeout_sec = *v;
                } else if (key == "FreeSpaceReserveMB") {
                    const auto v = in_range(value, 0, 100u << 20);
                    if (!v)
                        return bad("FreeSpaceReserveMB must be 0..104857600.");
                    c.free_space_reserve_mb = *v;
                } else {
                    return bad("unknown key " + key + " in [Migration].");
                }
            } else if (section == "Database") {
                if (key == "Socket") {
                    if (value.empty() || value[0] != '/')
                        return bad("Socket must be an absolute path.");
                    c.database_socket = value;
                } else if (key == "CopyThreads") {
                    const auto v = in_range(value, 1, 16);
                    if (!v)
                        return bad("CopyThreads must be 1..16.");
                    c.copy_threads = *v;
                }
                // Other [Database] keys are ferry-peer's (the source side).
            } else if (section == "Peer") {
                // Read by ferry-peer (the source side) from the same file.
            } else {
                return bad("unknown section [" + section + "].");
            }
        }
    }
    return c;
}

} // namespace ferry::core
