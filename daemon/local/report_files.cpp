#include "local/report_files.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "core/settings.hpp"
#include "core/sql_quote.hpp"
#include "mariadb/mariadb_conn.hpp"
#include "system/digest.hpp"
#include "system/fd.hpp"
#include "system/file_io.hpp"

namespace ferry::local {

core::Expected<std::vector<core::ReportTable>> table_summaries(const FileAppliance& app)
{
    source::MariaDbEndpoint e;
    e.unix_socket = app.config().database_socket;
    e.user = "root"; // unix_socket authentication: ferryd runs as root
    source::MariaDbConnection::Options o;
    o.role = "this system's MariaDB";
    auto c = source::MariaDbConnection::connect(e, o);
    if (!c)
        return c.error();
    std::vector<core::ReportTable> tables;
    for (const auto& schema : app.databases()) {
        auto names = c->query(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
            core::quote_literal(schema) + " AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME");
        if (!names)
            return names.error();
        for (const auto& row : *names) {
            if (row.empty() || !row[0])
                continue;
            const std::string q =
                core::quote_identifier(schema) + "." + core::quote_identifier(*row[0]);
            core::ReportTable t{schema, *row[0], 0, ""};
            auto count = c->query_value("SELECT COUNT(*) FROM " + q);
            if (!count)
                return count.error();
            auto sum = c->query("CHECKSUM TABLE " + q);
            if (!sum)
                return sum.error();
            t.rows = std::stoull(count->value_or("0"));
            if (!sum->empty() && sum->front().size() >= 2 && sum->front()[1])
                t.checksum = *sum->front()[1];
            tables.push_back(std::move(t));
        }
    }
    return tables;
}

namespace {

// HA: the tables as loaded, before this system joined the ring (the data
// operation's checkpoint, steps/copy_data_activate_replica.cpp): counted
// at the job's end they would include what the ring wrote since, which
// did not move. Standalone: nothing writes here after the copy, and the
// tables are counted at the end.
void collect_tables(core::MigrationReport& r, const core::JobRecord& job, const FileAppliance& app)
{
    const auto* op = core::find_operation(job, core::OperationId::CopyDataActivateReplica);
    if (op && op->checkpoint.is_object() && op->checkpoint.contains("tables")) {
        if (auto t = tables_from_json(op->checkpoint["tables"]); t) {
            r.tables = std::move(*t);
            return;
        }
    }
    auto t = table_summaries(app);
    if (!t)
        r.tables_error = t.error().message;
    else
        r.tables = std::move(*t);
}

void collect_logs(core::MigrationReport& r, const core::JobRecord& job, const FileAppliance& app)
{
    const auto* op = core::find_operation(job, core::OperationId::CopySyslog);
    if (!op || !op->checkpoint.is_object())
        return;
    const auto verified = op->checkpoint.value("verified", std::vector<std::string>{});
    for (const auto& name : verified) {
        auto f = app.open_log(name);
        if (!f || !*f) {
            r.logs.push_back({name, 0, "(not readable)"});
            continue;
        }
        auto sum = sha256_fd((*f)->fd.get(), name);
        r.logs.push_back({name, (*f)->size, sum ? *sum : "(not readable)"});
    }
}

core::Expected<bool> write_file(const std::filesystem::path& dir, const std::string& name,
                                const std::string& data)
{
    return write_file_atomic(dir / name, data, 0600);
}

} // namespace

nlohmann::json tables_to_json(const std::vector<core::ReportTable>& tables)
{
    auto a = nlohmann::json::array();
    for (const auto& t : tables)
        a.push_back(
            {{"schema", t.schema}, {"table", t.name}, {"rows", t.rows}, {"checksum", t.checksum}});
    return a;
}

std::optional<std::vector<core::ReportTable>> tables_from_json(const nlohmann::json& j)
{
    std::vector<core::ReportTable> tables;
    try {
        for (const auto& t : j)
            tables.push_back({t.at("schema").get<std::string>(), t.at("table").get<std::string>(),
                              t.at("rows").get<uint64_t>(), t.at("checksum").get<std::string>()});
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
    return tables;
}

core::MigrationReport collect_report(const core::JobRecord& job, const FileAppliance& appliance)
{
    auto r = core::report_from_job(job);
    if (auto sections = appliance.read_settings(); sections)
        for (const auto& [name, text] : *sections)
            r.settings.push_back(
                {name, job.options.swap || !core::is_excluded_section(name), sha256_hex(text)});
    collect_tables(r, job, appliance);
    collect_logs(r, job, appliance);
    r.license_guid = appliance.license().guid;
    if (auto certs = appliance.read_certificates(); certs)
        for (const auto& [name, pem] : *certs)
            r.certificates.push_back({name, pem.size(), sha256_hex(pem)});
    return r;
}

core::Expected<bool> write_report(const std::filesystem::path& dir, const core::MigrationReport& r)
{
    if (auto w =
            write_file(dir, "report-" + r.job_id + ".json", core::report_to_json(r).dump(2) + "\n");
        !w)
        return w;
    return write_file(dir, "report-" + r.job_id + ".txt", core::report_to_text(r));
}

core::Expected<bool> remove_report(const std::filesystem::path& dir, const std::string& job_id)
{
    for (const char* ext : {".json", ".txt"}) {
        const auto path = dir / ("report-" + job_id + ext);
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            return io_error("Cannot remove", path.string(), errno);
    }
    return true;
}

core::Expected<std::optional<std::string>>
read_report(const std::filesystem::path& dir, const std::string& job_id, const std::string& format)
{
    const auto path = dir / ("report-" + job_id + (format == "json" ? ".json" : ".txt"));
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return std::optional<std::string>();
    std::ifstream in(path);
    if (!in)
        return io_error("Cannot read", path.string(), errno);
    std::ostringstream s;
    s << in.rdbuf();
    return std::optional<std::string>(s.str());
}

} // namespace ferry::local
