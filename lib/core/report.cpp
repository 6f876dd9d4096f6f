#include "core/report.hpp"

#include <cstdio>
#include <ctime>
#include <map>

namespace ferry::core {

MigrationReport report_from_job(const JobRecord& job)
{
    MigrationReport r;
    r.job_id = job.id;
    r.state = std::string(job_state_name(job.state));
    r.started_at_usec = job.started_at_usec;
    r.finished_at_usec = job.finished_at_usec;
    r.attempts = job.attempt;
    r.options = job.options;
    const auto& s = job.source;
    r.source = {s.address,      s.current_address,    s.host_name,   s.domain_name,
                s.license_guid, s.certificate_sha256, s.server_role, s.high_availability};
    r.target = job.target;
    if (job.error) {
        r.error_code = std::string(code_name(job.error->code));
        r.error_message = job.error->message;
        r.error_operation = job.error_operation.value_or("");
    }
    r.operations = operation_times(job);
    return r;
}

std::vector<OperationTime> operation_times(const JobRecord& job)
{
    std::map<std::string, uint64_t> since; // running since (usec)
    std::map<std::string, double> total;
    for (const auto& e : job.events) {
        if (e.type != "operation-changed")
            continue;
        const std::string id = e.data.value("id", "");
        const std::string state = e.data.value("state", "");
        if (state == "running") {
            since[id] = e.realtime_usec;
        } else if (const auto it = since.find(id); it != since.end()) {
            if (e.realtime_usec > it->second)
                total[id] += double(e.realtime_usec - it->second) / 1e6;
            since.erase(it);
        }
    }
    std::vector<OperationTime> out;
    for (const auto& op : job.operations) {
        if (op.state == OpState::Skipped)
            continue;
        const std::string key(operation_key(op.id));
        out.push_back({key, std::string(operation_title(op.id)),
                       std::string(op_state_name(op.state)), total.count(key) ? total[key] : 0.0});
    }
    return out;
}

namespace {

std::string iso_time(uint64_t usec)
{
    if (!usec)
        return "";
    const std::time_t t = std::time_t(usec / 1000000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

nlohmann::json files_json(const std::vector<ReportFile>& files)
{
    nlohmann::json a = nlohmann::json::array();
    for (const auto& f : files)
        a.push_back({{"name", f.name}, {"size", f.size}, {"sha256", f.sha256}});
    return a;
}

std::string seconds(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

} // namespace

nlohmann::json report_to_json(const MigrationReport& r)
{
    nlohmann::json ops = nlohmann::json::array();
    for (const auto& o : r.operations)
        ops.push_back(
            {{"id", o.id}, {"title", o.title}, {"state", o.state}, {"seconds", o.seconds}});
    nlohmann::json settings = nlohmann::json::array();
    for (const auto& s : r.settings)
        settings.push_back(
            {{"section", s.name}, {"from_source", s.from_source}, {"sha256", s.sha256}});
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& t : r.tables)
        tables.push_back(
            {{"schema", t.schema}, {"table", t.name}, {"rows", t.rows}, {"checksum", t.checksum}});
    nlohmann::json j = {
        {"report_version", 1},
        {"job", r.job_id},
        {"state", r.state},
        {"started_at", iso_time(r.started_at_usec)},
        {"finished_at", iso_time(r.finished_at_usec)},
        {"attempts", r.attempts},
        {"options",
         {{"SwapConfiguration", r.options.swap},
          {"MigrateLicense", r.options.license},
          {"CopyUserTrafficLogs", r.options.logs}}},
        {"source",
         {{"address", r.source.address},
          {"current_address", r.source.current_address},
          {"host_name", r.source.host_name},
          {"domain_name", r.source.domain_name},
          {"license_guid", r.source.license_guid},
          {"server_role", r.source.server_role},
          {"high_availability", r.source.high_availability},
          {"certificate_sha256", r.source.certificate_sha256}}},
        {"target", {{"address", r.target.address}, {"host_name", r.target.host_name}}},
        {"operations", ops},
        {"settings", settings},
        {"tables", tables},
        {"logs", files_json(r.logs)},
        {"license", {{"guid", r.license_guid}, {"migrated", r.options.license}}},
        {"certificates", files_json(r.certificates)},
    };
    if (!r.tables_error.empty())
        j["tables_error"] = r.tables_error;
    if (!r.error_code.empty())
        j["error"] = {
            {"code", r.error_code}, {"operation", r.error_operation}, {"message", r.error_message}};
    return j;
}

std::string report_to_text(const MigrationReport& r)
{
    std::string t;
    auto line = [&t](const std::string& s) { t += s + "\n"; };
    line("Migration report, job " + r.job_id + ": " + r.state);
    line("Started:  " + iso_time(r.started_at_usec));
    line("Finished: " + iso_time(r.finished_at_usec) + " (attempts: " + std::to_string(r.attempts) +
         ")");
    if (!r.error_code.empty())
        line("Error:    " + r.error_code + " in " + r.error_operation + ": " + r.error_message);
    line(std::string("Options:  Swap Configuration ") + (r.options.swap ? "on" : "off") +
         ", Migrate License " + (r.options.license ? "on" : "off") + ", Copy User Traffic Logs " +
         (r.options.logs ? "on" : "off"));
    line("");
    line("Source: " + r.source.host_name + "." + r.source.domain_name + " at " + r.source.address +
         (r.source.current_address != r.source.address && !r.source.current_address.empty()
              ? " (now at " + r.source.current_address + ")"
              : "") +
         ", " + r.source.server_role +
         (r.source.high_availability ? ", high availability" : ", standalone"));
    line("  License GUID: " + r.source.license_guid);
    line("  Certificate (key pinned at Probe): " + r.source.certificate_sha256);
    line("Target: " + r.target.host_name + " at " + r.target.address);
    line("");
    line("Operations:");
    for (const auto& o : r.operations)
        line("  " + o.title + ": " + o.state + ", " + seconds(o.seconds));
    line("");
    line("Settings sections (" + std::to_string(r.settings.size()) + "):");
    for (const auto& s : r.settings)
        line("  " + s.name + (s.from_source ? " (from the source)" : " (kept)") + " sha256 " +
             s.sha256);
    line("");
    line("Tables (" + std::to_string(r.tables.size()) + "; rows, CHECKSUM TABLE on this system):");
    if (!r.tables_error.empty())
        line("  not read: " + r.tables_error);
    for (const auto& x : r.tables)
        line("  " + x.schema + "." + x.name + ": " + std::to_string(x.rows) + " rows, checksum " +
             (x.checksum.empty() ? "NULL" : x.checksum));
    line("");
    line("Log files (" + std::to_string(r.logs.size()) + "):");
    for (const auto& f : r.logs)
        line("  " + f.name + ": " + std::to_string(f.size) + " bytes, sha256 " + f.sha256);
    line("");
    line("License on this system: " +
         (r.license_guid.empty() ? std::string("none") : r.license_guid) +
         (r.options.license ? " (migrated)" : ""));
    line("Certificates (" + std::to_string(r.certificates.size()) + "):");
    for (const auto& f : r.certificates)
        line("  " + f.name + ": sha256 " + f.sha256);
    return t;
}

} // namespace ferry::core
