// What Probe returns about the source (brief §1 step 3, §8 Source Info keys).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/options.hpp"
#include "core/preflight.hpp"

namespace ferry::core {

struct PortCheck {
    uint16_t port = 0;
    std::string service; // "HTTP", "HTTPS", "MariaDB"
    bool open = false;
    std::string detail; // e.g. "connection refused"
};

struct SourceInfo {
    std::string license_guid;
    std::string host_name;
    std::string domain_name;
    std::string address;
    std::string server_role; // "Main" | "Additional"
    bool high_availability = false;
    bool licensed = false;
    bool maintenance_contract_active = false;
    std::vector<std::string> ring_members;
    std::vector<std::string> dns_advice;
    std::vector<std::string> dns_revert_advice; // the Result step's advice
    // The ring's Main node (holds the round-robin hosts); with its key pin
    // and a token when it is not the source itself.
    std::string main_node;
    std::string main_certificate_sha256;
    std::vector<std::string> downstream; // nodes reading the source's binary log now
    std::string upstream;                // the node the source replicates from now
    uint64_t data_bytes = 0;
    uint64_t log_bytes = 0;
    uint64_t settings_bytes = 0;
    std::string certificate_sha256;
    std::vector<PortCheck> ports;
    // For the pre-flight checks (core/preflight.hpp), from the describe
    // answer: the protocol it spoke, its MariaDB's VERSION() ("" from an
    // older ferry-peer), the clock difference measured at Probe, and the
    // source's replication as it sees it.
    int protocol = 0;
    std::string mariadb_version;
    std::optional<int64_t> clock_offset_usec; // the source's clock minus this system's
    int64_t clock_uncertainty_usec = 0;
    bool replica_configured = false;
    bool replica_io_running = false;
    bool replica_sql_running = false;
    std::string replica_last_error;
    std::optional<int64_t> replica_seconds_behind;
    std::string replication_error; // the source's MariaDB did not report its replication
    // For the data path (core/data_path.hpp): the source's binary log, how
    // long it is kept, and whether its ferry-peer can give a replica account.
    bool log_bin = false;
    std::optional<uint64_t> binlog_expire_seconds;
    bool replica_account = false;
    // The pre-flight checks with the default options (Probe's answer);
    // Plan() evaluates them again for its options.
    std::vector<PreflightCheck> preflight;

    SourceFacts facts() const { return {high_availability, licensed, maintenance_contract_active}; }
};

// Unreachable naming each closed port, or nullopt when all are open.
std::optional<Error> closed_ports_error(const std::string& address,
                                        const std::vector<PortCheck>& ports);

} // namespace ferry::core
