#include "local/target_measure.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "local/unit_times.hpp"
#include "mariadb/mariadb_conn.hpp"
#include "protocol/peer_protocol.hpp"
#include "system/system_bus.hpp"

namespace ferry::local {
namespace {

// The nearest existing directory at or above `path` (a log directory that
// does not exist yet lands on its parent's filesystem).
std::string existing_ancestor(std::string path)
{
    std::error_code ec;
    std::filesystem::path p(path);
    while (!p.empty() && !std::filesystem::exists(p, ec) && p != p.root_path())
        p = p.parent_path();
    return p.empty() ? std::string("/") : p.string();
}

void measure_spaces(TargetMeasure& m, const core::ApplianceConfig& config,
                    const std::string& state_dir)
{
    m.filesystems.clear();
    m.space_error.clear();
    std::vector<std::pair<std::string, std::string>> places = {
        {"logs", config.log_dir},
        {"certificates", config.certificate_dir},
        {"settings", config.settings_dir},
        {"journal", state_dir},
    };
    if (!m.mariadb_datadir.empty())
        places.insert(places.begin(), {"data", m.mariadb_datadir});
    for (const auto& [role, path] : places) {
        if (path.empty())
            continue;
        const std::string at = existing_ancestor(path);
        struct stat st {};
        struct statvfs vfs {};
        if (::stat(at.c_str(), &st) != 0 || ::statvfs(at.c_str(), &vfs) != 0) {
            m.space_error +=
                (m.space_error.empty() ? "" : "; ") + path + ": " + std::strerror(errno);
            continue;
        }
        const uint64_t dev = uint64_t(st.st_dev);
        auto it = std::find_if(m.filesystems.begin(), m.filesystems.end(),
                               [&](const core::FilesystemSpace& f) { return f.device == dev; });
        if (it == m.filesystems.end()) {
            // f_bfree: ferryd and MariaDB write as root, so the blocks
            // reserved for root count.
            m.filesystems.push_back({dev, uint64_t(vfs.f_bfree) * vfs.f_frsize, {}, path});
            it = std::prev(m.filesystems.end());
        }
        it->roles.push_back(role);
    }
    if (m.mariadb_datadir.empty() && !m.mariadb_error.empty())
        m.space_error += std::string(m.space_error.empty() ? "" : "; ") +
                         "MariaDB's data directory is not known: " + m.mariadb_error;
}

void measure_mariadb(TargetMeasure& m, const core::ApplianceConfig& config)
{
    source::MariaDbEndpoint e;
    e.unix_socket = config.database_socket;
    e.user = "root"; // unix_socket authentication: ferryd runs as root
    e.connect_timeout = std::chrono::seconds(5);
    e.io_timeout = std::chrono::seconds(10);
    source::MariaDbConnection::Options o;
    o.role = "this system's MariaDB";
    auto c = source::MariaDbConnection::connect(e, o);
    if (!c) {
        m.mariadb_error = c.error().message;
        return;
    }
    auto rows = c->query("SELECT VERSION(), @@datadir");
    if (!rows || rows->empty() || rows->front().size() < 2) {
        m.mariadb_error = rows ? "no answer to SELECT VERSION()" : rows.error().message;
        return;
    }
    m.mariadb_version = rows->front()[0].value_or("");
    m.mariadb_datadir = rows->front()[1].value_or("");
}

// Whether systemd has a unit file for `unit` (GetUnitFileState; NoSuchUnit
// when there is none).
core::ServicePresence unit_presence(const SystemBus& bus, const std::string& unit)
{
    core::ServicePresence p{unit, std::nullopt, {}};
    auto reply = bus.call(kSystemdManager, "GetUnitFileState", "s", unit.c_str());
    if (!reply) {
        if (reply.is("org.freedesktop.systemd1.NoSuchUnit")) {
            p.present = false;
            p.detail = "no unit file";
        } else
            p.detail = reply.text();
        return p;
    }
    const char* state = nullptr;
    if (sd_bus_message_read(reply.message.get(), "s", &state) < 0 || !state) {
        p.detail = "unreadable answer";
        return p;
    }
    // A masked or broken unit cannot be restarted by operation 9.
    p.present = std::strcmp(state, "bad") != 0 && std::strncmp(state, "masked", 6) != 0;
    p.detail = state;
    return p;
}

void measure_services(TargetMeasure& m, const core::ApplianceConfig& config)
{
    m.service_times_asked = true;
    if (config.services.empty())
        return;
    auto bus = SystemBus::open();
    if (!bus) {
        for (const auto& u : config.services) {
            m.services.push_back({u, std::nullopt, bus.error().message});
            m.service_times.push_back({u, 0, 0, 0, 0, bus.error().message});
        }
        return;
    }
    bus->set_call_timeout(5'000'000);
    for (const auto& u : config.services) {
        m.services.push_back(unit_presence(*bus, u));
        m.service_times.push_back(read_unit_timestamps(*bus, u));
    }
}

} // namespace

TargetMeasure measure_target(const core::ApplianceConfig& config, const std::string& state_dir)
{
    TargetMeasure m;
    measure_mariadb(m, config);
    measure_spaces(m, config, state_dir);
    measure_services(m, config);
    return m;
}

void remeasure_space(TargetMeasure& m, const core::ApplianceConfig& config,
                     const std::string& state_dir)
{
    measure_spaces(m, config, state_dir);
}

core::PreflightInput preflight_input(const TargetMeasure& target, const core::SourceInfo& source,
                                     bool copy_logs, const core::ApplianceConfig& config)
{
    core::PreflightInput in;
    in.data_bytes = source.data_bytes;
    in.log_bytes = source.log_bytes;
    in.settings_bytes = source.settings_bytes;
    in.copy_logs = copy_logs;
    in.high_availability = source.high_availability;
    in.filesystems = target.filesystems;
    in.space_error = target.space_error;
    in.reserve_bytes = uint64_t(config.free_space_reserve_mb) << 20;
    in.source_version = source.mariadb_version;
    in.target_version = target.mariadb_version;
    in.target_version_error = target.mariadb_error;
    in.peer_protocol = source.protocol;
    in.expected_protocol = core::kPeerProtocol;
    in.clock_offset_usec = source.clock_offset_usec;
    in.clock_uncertainty_usec = source.clock_uncertainty_usec;
    in.ring.replica_configured = source.replica_configured;
    in.ring.io_running = source.replica_io_running;
    in.ring.sql_running = source.replica_sql_running;
    in.ring.last_error = source.replica_last_error;
    in.ring.seconds_behind = source.replica_seconds_behind;
    in.ring.downstream = source.downstream.size();
    in.ring.members = source.ring_members.size();
    in.ring.error = source.replication_error;
    in.services = target.services;
    in.definitions = target.definitions;
    return in;
}

} // namespace ferry::local
