// The migration report (issue 17): what moved — the settings sections, the
// tables with their row counts and checksums, the log files with their
// digests, the license and the certificates —, who the source was (its
// identity and certificate fingerprint) and how long each operation took.
// ferryd writes it at the end of a job (local/report_files) as JSON and as
// text; the Job's GetReport() and `ferryctl report` read it. Pure: the
// collecting is local/report_collect's.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/job.hpp"

namespace ferry::core {

struct ReportTable {
    std::string schema, name;
    uint64_t rows = 0;
    std::string checksum; // CHECKSUM TABLE on this system after the job; "" when NULL
};

struct ReportFile {
    std::string name;
    uint64_t size = 0;
    std::string sha256;
};

struct ReportSection {
    std::string name;
    bool from_source = false; // taken from the source (else this system's own, kept)
    std::string sha256;
};

struct OperationTime {
    std::string id, title, state;
    double seconds = 0; // running time summed over attempts
};

// Who the source was; never its tokens.
struct ReportSource {
    std::string address, current_address, host_name, domain_name, license_guid;
    std::string certificate_sha256; // the key pinned at Probe
    std::string server_role;
    bool high_availability = false;
};

struct MigrationReport {
    std::string job_id, state;
    uint64_t started_at_usec = 0, finished_at_usec = 0;
    uint32_t attempts = 1;
    Options options;
    ReportSource source;
    TargetIdentity target;
    std::string error_code, error_operation, error_message;
    std::vector<OperationTime> operations;
    std::vector<ReportSection> settings;
    std::vector<ReportTable> tables;
    std::string tables_error; // this system's MariaDB could not be read
    std::vector<ReportFile> logs;
    std::string license_guid; // this system's license after the job; "" without
    std::vector<ReportFile> certificates;
};

// The job's part: identity, options, outcome, times per operation.
MigrationReport report_from_job(const JobRecord& job);

// Running time of each operation that ran: from each `running` to the
// next `done`/`failed`/`pending` of it in the event log (a crash or reboot
// in between counts up to the resume that set it back to `pending`).
std::vector<OperationTime> operation_times(const JobRecord& job);

nlohmann::json report_to_json(const MigrationReport& r);
std::string report_to_text(const MigrationReport& r);

} // namespace ferry::core
