#include "protocol/peer_protocol.hpp"

namespace ferry::protocol {

namespace {

constexpr const char* kUpdateBoth = "Update ferry on both systems to the same version.";

} // namespace

// ------------------------------------------------------------ ErrorBody

json ErrorBody::to_json() const
{
    json j{{"error", error}, {"message", message}};
    if (!remedy.empty())
        j["remedy"] = remedy;
    return j;
}

ErrorBody ErrorBody::from_json(const json& j)
{
    // Capped: a message is a sentence.
    auto field = [&](const char* key) -> std::string {
        if (!j.is_object())
            return {};
        const auto it = j.find(key);
        if (it == j.end() || !it->is_string())
            return {};
        return it->get<std::string>().substr(0, 1024);
    };
    return ErrorBody{field("error"), field("message"), field("remedy")};
}

// ------------------------------------------------------------ login

json LoginAnswer::to_json() const
{
    return json{{"token", token}, {"expires_in", expires_in}, {"protocol", protocol}};
}

core::Expected<LoginAnswer> LoginAnswer::from_json(const json& j, const std::string& address)
{
    if (!j.is_object() || !j.contains("token") || !j["token"].is_string())
        return core::Error{core::Code::IncompatibleSource,
                           "The source " + address + " did not return a token.",
                           {}};
    // Any JSON type may come here (found by tests/fuzz): only an integer
    // is a protocol version.
    const auto p = j.find("protocol");
    const bool integer = p != j.end() && (p->is_number_integer() || p->is_number_unsigned());
    if (!integer || p->get<int64_t>() != kVersion)
        return core::Error{core::Code::IncompatibleSource,
                           "The source " + address +
                               " speaks another version of the ferry peer protocol (" +
                               (integer ? std::to_string(p->get<int64_t>()) : std::string("none")) +
                               ", this system " + std::to_string(kVersion) + ").",
                           kUpdateBoth};
    Reader r(j, "login");
    LoginAnswer a;
    a.token = r.text("token");
    a.expires_in = r.integer_or<int64_t>("expires_in", 0);
    a.protocol = kVersion;
    return r.result(std::move(a));
}

// ------------------------------------------------------------ describe

json Replication::to_json() const
{
    if (!error.empty())
        return json{{"error", error}};
    return json{{"replica_configured", replica_configured},
                {"master_host", master_host},
                {"master_port", master_port},
                {"using_gtid", using_gtid},
                {"io_running", io_running},
                {"sql_running", sql_running},
                {"last_error", last_error},
                {"downstream", downstream},
                {"server_id", server_id},
                {"gtid_domain_id", gtid_domain_id},
                {"gtid_binlog_pos", gtid_binlog_pos},
                {"gtid_current_pos", gtid_current_pos},
                {"log_bin", log_bin},
                {"log_slave_updates", log_slave_updates},
                {"seconds_behind_master", seconds_behind_master.value_or(-1)},
                {"binlog_expire_seconds",
                 binlog_expire_seconds ? json(*binlog_expire_seconds) : json(nullptr)}};
}

core::Expected<Replication> Replication::from_json(const json& j)
{
    Reader r(j, "describe: replication");
    Replication s;
    s.replica_configured = r.flag_or("replica_configured", false);
    s.master_host = r.text_or("master_host", "");
    s.master_port = r.integer_or<uint16_t>("master_port", 0);
    s.using_gtid = r.text_or("using_gtid", "");
    s.io_running = r.flag_or("io_running", false);
    s.sql_running = r.flag_or("sql_running", false);
    s.last_error = r.text_or("last_error", "");
    s.downstream = r.texts_or("downstream");
    s.server_id = r.integer_or<uint32_t>("server_id", 0);
    s.gtid_domain_id = r.integer_or<uint32_t>("gtid_domain_id", 0);
    s.gtid_binlog_pos = r.text_or("gtid_binlog_pos", "");
    s.gtid_current_pos = r.text_or("gtid_current_pos", "");
    s.log_bin = r.flag_or("log_bin", false);
    s.log_slave_updates = r.flag_or("log_slave_updates", false);
    // -1 (NULL, or no replica) and any other non-integer mean "unknown".
    if (const auto lag = j.find("seconds_behind_master");
        lag != j.end() && lag->is_number_integer() && lag->get<int64_t>() >= 0)
        s.seconds_behind_master = lag->get<int64_t>();
    if (const auto e = j.find("binlog_expire_seconds");
        e != j.end() && e->is_number_integer() && e->get<int64_t>() >= 0)
        s.binlog_expire_seconds = e->get<uint64_t>();
    s.error = r.text_or("error", "");
    return r.result(std::move(s));
}

json Description::to_json() const
{
    json j{
        {"protocol", protocol},
        {"license_guid", license_guid},
        {"licensed", licensed},
        {"maintenance_contract_active", maintenance_contract_active},
        {"host_name", host_name},
        {"domain_name", domain_name},
        {"address", address},
        {"server_role", server_role},
        {"high_availability", high_availability},
        {"ring_members", ring_members},
        {"dns_advice", dns_advice},
        {"dns_revert_advice", dns_revert_advice},
        {"main_node", main_node},
        {"replication", replication ? replication->to_json() : json::object()},
        {"data_bytes", data_bytes},
        {"log_bytes", log_bytes},
        {"settings_bytes", settings_bytes},
        {"databases", databases},
        {"mariadb_version", mariadb_version},
        {"replica_account", replica_account},
    };
    if (time_usec)
        j["time_usec"] = *time_usec;
    return j;
}

core::Expected<Description> Description::from_json(const json& j)
{
    {
        Reader v(j, "describe");
        const int protocol = v.integer<int>("protocol");
        if (v.failed())
            return v.error();
        if (protocol != kVersion)
            return core::Error{core::Code::IncompatibleSource,
                               "The source speaks another version of the ferry peer protocol.",
                               kUpdateBoth};
    }
    Reader r(j, "describe");
    Description d;
    d.license_guid = r.text("license_guid");
    d.licensed = r.flag("licensed");
    d.maintenance_contract_active = r.flag("maintenance_contract_active");
    d.host_name = r.text("host_name");
    d.domain_name = r.text("domain_name");
    d.address = r.text("address");
    d.server_role = r.text("server_role");
    d.high_availability = r.flag("high_availability");
    d.ring_members = r.texts_or("ring_members");
    d.dns_advice = r.texts_or("dns_advice");
    d.dns_revert_advice = r.texts_or("dns_revert_advice");
    d.main_node = r.text_or("main_node", "");
    // Another type than an object is read as "no replication facts", as
    // before protocol 3's typed reading.
    if (const auto it = j.find("replication"); !r.failed() && it != j.end() && it->is_object()) {
        auto rep = Replication::from_json(*it);
        if (!rep)
            return rep.error();
        d.replication = std::move(*rep);
    }
    d.data_bytes = r.integer<uint64_t>("data_bytes");
    d.log_bytes = r.integer<uint64_t>("log_bytes");
    d.settings_bytes = r.integer<uint64_t>("settings_bytes");
    d.databases = r.texts_or("databases");
    d.mariadb_version = r.text_or("mariadb_version", "");
    d.replica_account = r.flag_or("replica_account", false);
    if (const auto t = j.find("time_usec"); t != j.end() && t->is_number_integer())
        d.time_usec = t->get<int64_t>();
    return r.result(std::move(d));
}

// ------------------------------------------------------------ db-account

json DbAccountRequest::to_json() const
{
    // "replica" only when asked for: the request of an account for the
    // copy alone is what it always was.
    json j{{kTargetAddress, target_address}};
    if (replica)
        j[kReplica] = true;
    return j;
}

json DbAccount::to_json() const
{
    return json{
        {"user", user},
        {"password", password},
        {"port", port},
        {"databases", databases},
        {"tls", tls},
        {"tls_certificate", {{"sha256", tls_sha256}, {"sha1", tls_sha1}, {"pem", tls_pem}}}};
}

core::Expected<DbAccount> DbAccount::from_json(const json& j)
{
    Reader r(j, "db-account");
    DbAccount a;
    a.port = r.integer_or<uint16_t>("port", 3306);
    a.user = r.text("user");
    a.password = r.text("password");
    a.databases = r.texts("databases");
    a.tls = r.flag_or("tls", true);
    if (const json* c = r.object_or_null("tls_certificate")) {
        Reader cr(*c, "db-account: tls_certificate");
        a.tls_sha256 = cr.text_or("sha256", "");
        a.tls_sha1 = cr.text_or("sha1", "");
        a.tls_pem = cr.text_or("pem", "");
        if (cr.failed())
            return cr.error();
    }
    return r.result(std::move(a));
}

// ------------------------------------------------------------ logs

json LogList::to_json() const
{
    json list = json::array();
    for (const auto& f : files)
        list.push_back(json{{"name", f.name}, {"size", f.size}});
    return json{{"files", list}};
}

core::Expected<LogList> LogList::from_json(const json& j)
{
    Reader r(j, "logs");
    LogList l;
    const auto it = j.is_object() ? j.find("files") : j.end();
    if (!r.failed() && (it == j.end() || !it->is_array())) {
        r.texts("files"); // records the named error
        return r.error();
    }
    if (r.failed())
        return r.error();
    for (const auto& f : *it) {
        Reader fr(f, "logs: files[]");
        LogEntry e{fr.text("name"), fr.integer<uint64_t>("size")};
        if (fr.failed())
            return fr.error();
        l.files.push_back(std::move(e));
    }
    return l;
}

json LogDigest::to_json() const
{
    return json{{"name", name}, {"size", size}, {"etag", etag}, {"sha256", sha256}};
}

core::Expected<LogDigest> LogDigest::from_json(const json& j)
{
    Reader r(j, "logs/NAME/sha256");
    LogDigest d;
    d.name = r.text_or("name", "");
    d.size = r.integer<uint64_t>("size");
    d.etag = r.text_or("etag", "");
    d.sha256 = r.text("sha256");
    return r.result(std::move(d));
}

// ------------------------------------------------------------ the rest

json LicenseRelease::to_json() const
{
    return json{{kTo, to}};
}

json License::to_json() const
{
    return json{{"license", license}};
}

core::Expected<License> License::from_json(const json& j)
{
    Reader r(j, "license/release");
    License l{r.text("license")};
    return r.result(std::move(l));
}

json Settings::to_json() const
{
    return json{{"sections", sections}};
}

core::Expected<Settings> Settings::from_json(const json& j)
{
    Reader r(j, "settings");
    Settings s{r.files("sections")};
    return r.result(std::move(s));
}

json Certificates::to_json() const
{
    return json{{"files", files}};
}

core::Expected<Certificates> Certificates::from_json(const json& j)
{
    Reader r(j, "certificates");
    Certificates c{r.files("files")};
    return r.result(std::move(c));
}

json RoundRobin::to_json() const
{
    return json{{"section", section}, {"removed", removed}};
}

core::Expected<RoundRobin> RoundRobin::from_json(const json& j)
{
    Reader r(j, "round-robin");
    RoundRobin rr;
    rr.section = r.text("section");
    rr.removed = r.flag_or("removed", false);
    return r.result(std::move(rr));
}

json StagedSettings::to_json() const
{
    return json{{kSections, sections}};
}

json Maintenance::to_json() const
{
    return json{{kOn, on}};
}

json Migrated::to_json() const
{
    return json{{kTo, to}, {kAt, at}, {kSwap, swap}};
}

json Lease::to_json() const
{
    return json{{"expires_in", expires_in}};
}

} // namespace ferry::protocol
