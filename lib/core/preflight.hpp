// Pre-flight checks (issue 17): before Execute, what decides whether the
// job can finish — room on this system for what is coming, the MariaDB
// versions on both sides, the peer protocol, the clocks, an HA ring's
// health, this system's own services — each judged ok / warning / failure
// with a sentence. The decisions (thresholds, margins, verdicts) live here;
// the measuring is done at the edges (local/target_measure.*, the source's
// describe answer) and handed in as PreflightInput.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/definition_trial.hpp"
#include "core/error.hpp"

namespace ferry::core {

enum class Verdict { Ok, Warning, Failure };
std::string_view verdict_name(Verdict v); // "ok", "warning", "failure"

struct PreflightCheck {
    std::string id; // "space", "mariadb-version", "peer-protocol", "clock", "ring", "services",
                    // "definitions"
    Verdict verdict = Verdict::Ok;
    std::string title; // e.g. "Free space on this system"
    std::string message;
};

// One filesystem of this system and the places ferry writes to on it.
struct FilesystemSpace {
    uint64_t device = 0;            // st_dev: places on the same filesystem share its room
    uint64_t free_bytes = 0;        // available to root (f_bavail would be for others)
    std::vector<std::string> roles; // "data", "logs", "certificates", "settings", "journal"
    std::string path;               // one of its places, for the message
};

// The margins of the space check. InnoDB stores a freshly loaded table in
// about the data + index length the source reports (both are InnoDB page
// counts), but secondary indexes built row by row split pages, and the
// load grows the undo and redo logs and the system tablespace: 25 % more
// plus 128 MiB covers what we measured (docs/operations.md, Pre-flight).
inline constexpr double kDataMargin = 0.25;
inline constexpr uint64_t kDataFixedBytes = 128ull << 20;
inline constexpr uint64_t kCertificateBytes = 1ull
                                              << 20; // PEM files: a few kB; 1 MiB covers any chain
inline constexpr uint64_t kJournalBytes =
    1ull << 20; // the job journal: ~100 kB, 1 MiB with 10000 events

// Clock difference: ok up to 5 s; a warning up to 5 min (the report's and
// the journal's times of both systems disagree); beyond that a failure: the
// source judges token leases by its clock, and TLS certificates' validity
// and replicated row timestamps go wrong.
inline constexpr int64_t kClockOkUsec = 5'000'000;
inline constexpr int64_t kClockFailUsec = 300'000'000;
// HA: a replica further behind than this would make operation 3 wait long
// for the ring to drain (peer: 30 s at most) and fail.
inline constexpr int64_t kRingLagWarnSeconds = 10;

struct RingHealth {
    bool replica_configured = false;
    bool io_running = false;
    bool sql_running = false;
    std::string last_error;
    std::optional<int64_t> seconds_behind; // nullopt: NULL / not reported
    std::size_t downstream = 0;            // nodes reading the source's binary log
    std::size_t members = 0;               // the ring's size as the source knows it
    std::string error;                     // the source's MariaDB did not answer
};

struct ServicePresence {
    std::string unit;
    std::optional<bool> present; // nullopt: systemd could not be asked
    std::string detail;
};

struct PreflightInput {
    // What is coming (the source's describe answer) and which of it runs.
    uint64_t data_bytes = 0;
    uint64_t log_bytes = 0;
    uint64_t settings_bytes = 0;
    bool copy_logs = true;
    bool high_availability = false;
    // This system's filesystems; empty when nothing could be measured.
    std::vector<FilesystemSpace> filesystems;
    std::string space_error;    // why a place could not be measured
    uint64_t reserve_bytes = 0; // [Migration] FreeSpaceReserveMB: to stay free afterwards
    // "10.11.6-MariaDB-0+deb12u1"; empty when unknown (an older ferry-peer,
    // or the server did not answer).
    std::string source_version;
    std::string target_version;
    std::string target_version_error;
    int peer_protocol = 0;
    int expected_protocol = 0;
    // Source clock minus this system's, from a describe answer stamped
    // between two local readings `uncertainty` apart / 2.
    std::optional<int64_t> clock_offset_usec;
    int64_t clock_uncertainty_usec = 0;
    RingHealth ring;
    std::vector<ServicePresence> services;
    // The source's definitions tried on this system's MariaDB at Probe;
    // nullopt: not tried (no "definitions" check then).
    std::optional<DefinitionTrial> definitions;
};

// What the data on this system will need (bytes), with the margin.
uint64_t required_data_bytes(uint64_t data_bytes);

// Every check, in a fixed order (the ring only for HA).
std::vector<PreflightCheck> evaluate_preflight(const PreflightInput& in);

// PreflightFailed naming each failed check, or nullopt.
std::optional<Error> preflight_refusal(const std::vector<PreflightCheck>& checks);

// "1.5 GiB", "300 MiB", "12 KiB": sizes in messages.
std::string human_bytes(uint64_t bytes);

// MariaDB's major.minor from VERSION(): {10, 11} from "10.11.6-MariaDB-…".
std::optional<std::pair<int, int>> mariadb_major_minor(std::string_view version);

} // namespace ferry::core
