// The migration report on this system (issue 17): collected at the end of
// a job from what is here now (the settings, the tables of the migrated
// schemas as this system's MariaDB counts and checksums them, the copied
// log files' digests, the license and the certificates) and written to
// the state directory as report-<job>.json and report-<job>.txt (mode
// 0600, atomically). Acknowledge() removes them with the journal: a front
// end offers them for download before (the Result step), ferryctl report.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/report.hpp"
#include "appliance/appliance.hpp"

namespace ferry::local {

// Every table of the migrated schemas with COUNT(*) and CHECKSUM TABLE on
// this system's MariaDB. Blocking.
core::Expected<std::vector<core::ReportTable>> table_summaries(const FileAppliance& appliance);
// Their form in a checkpoint; nullopt for anything else.
nlohmann::json tables_to_json(const std::vector<core::ReportTable>& tables);
std::optional<std::vector<core::ReportTable>> tables_from_json(const nlohmann::json& j);

// Blocking (MariaDB queries, reading the log files): on a worker thread.
// HA: the tables as the data operation recorded them right after the
// load, before the ring wrote to them (its checkpoint's "tables").
core::MigrationReport collect_report(const core::JobRecord& job, const FileAppliance& appliance);

core::Expected<bool> write_report(const std::filesystem::path& dir, const core::MigrationReport& r);

// Removes both files of `job_id` (absent ones are fine).
core::Expected<bool> remove_report(const std::filesystem::path& dir, const std::string& job_id);

// "json" or "text"; nullopt when no report of `job_id` was written.
core::Expected<std::optional<std::string>>
read_report(const std::filesystem::path& dir, const std::string& job_id, const std::string& format);

} // namespace ferry::local
