#include "peer/api.hpp"

#include <atomic>
#include <chrono>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/address.hpp"
#include "system/logind.hpp"
#include "peer/api_request.hpp"
#include "peer/http.hpp"

namespace ferry::peer {
using namespace request;
namespace {

unsigned status_of(core::Code c)
{
    switch (c) {
    case core::Code::InvalidArgument:
    case core::Code::UnknownOption: return 400;
    case core::Code::AuthenticationFailed: return 401;
    case core::Code::OptionUnavailable:
    case core::Code::Busy:
    case core::Code::ReplicationFailed:
    case core::Code::TlsRequired: return 409;
    case core::Code::RateLimited: return 429;
    default: return 500;
    }
}

// CLOCK_REALTIME in microseconds: the describe answer's time stamp, from
// which the target measures the difference between the two clocks.
int64_t realtime_usec()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

Response error_response(unsigned status, std::string_view name, const std::string& message,
                        const std::string& remedy)
{
    Response r;
    r.status = status;
    r.error = std::string(name);
    r.body = dump(protocol::ErrorBody{std::string(name), message, remedy}.to_json());
    return r;
}

Response error_response(const core::Error& e)
{
    return error_response(status_of(e.code), core::code_name(e.code), e.message, e.remedy);
}

Api::Api(local::Appliance& appliance, DatabaseAdmin& database, AdminHash admin_hash)
    : appliance_(appliance), database_(database), admin_hash_(std::move(admin_hash)),
      now_([] { return Clock::now(); }), wall_now_([] { return WallClock::now(); }),
      can_reboot_(&local::logind_can_reboot), reboot_(&local::logind_reboot),
      memory_only_(core::Error{core::Code::Internal, "No state directory is configured.", {}})
{
}

void Api::set_clock(std::function<Clock::time_point()> now)
{
    now_ = now;
    wall_now_ = [now] {
        return WallClock::time_point(
            std::chrono::duration_cast<WallClock::duration>(now().time_since_epoch()));
    };
}

core::Expected<bool> Api::persist_tokens_in(const std::string& dir)
{
    std::lock_guard lock(mutex_);
    auto r = tokens_.persist_in(dir, wall_now_());
    if (r) {
        memory_only_.reset();
        state_dir_ = dir;
    } else
        memory_only_ = r.error();
    return r;
}

Response Api::handle(Request& request)
{
    struct WipeBody {
        std::string& s;
        ~WipeBody() { wipe(s); }
    } wipe_body{request.body};

    if (request.path.rfind(kPrefix, 0) != 0)
        return not_found();
    const std::string_view resource = std::string_view(request.path).substr(kPrefix.size());
    if (resource == "login") {
        if (request.method != "POST") {
            Response r = error_response(405, "InvalidArgument", "Use POST for login.");
            r.headers.emplace_back("Allow", "POST");
            return r;
        }
        return login(request);
    }
    if (!authorized(request)) {
        Response r = error_response(401, "InvalidToken",
                                    "The request carries no valid token for this address.",
                                    "Log in again with the Admin password.");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
    }
    try {
        return route(request, resource);
    } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", request.method, request.path, e.what());
        return error_response(500, "Internal", "The peer API failed to answer.",
                              "See the source's system log (ferry-peer.service).");
    }
}

// ------------------------------------------------------------------ routing

Response Api::route(Request& r, std::string_view resource)
{
    struct Route {
        std::string_view resource;
        std::string_view method;
        std::function<Response()> handler;
    };
    const std::vector<Route> routes{
        {"describe", "GET", [&] { return describe(); }},
        {"settings", "GET", [&] { return settings(); }},
        {"staged-settings", "PUT", [&] { return staged_settings(r); }},
        {"maintenance", "POST", [&] { return maintenance(r); }},
        {"migrated", "POST", [&] { return migrated(r); }},
        {"db-account", "POST", [&] { return create_db_account(r); }},
        {"db-account", "DELETE", [&] { return drop_db_accounts(); }},
        {"db-objects", "GET", [&] { return db_objects(); }},
        {"certificates", "GET", [&] { return certificates(); }},
        {"license/release", "POST", [&] { return release_license(r); }},
        {"logs", "GET", [&] { return logs(); }},
        {"finish", "POST", [&] { return finish(); }},
        {"reboot", "POST", [&] { return reboot(); }},
        {"replica/deactivate", "POST", [&] { return replica_deactivate(); }},
        {"token/extend", "POST", [&] { return extend_token(r); }},
        {"round-robin/remove", "POST", [&] { return round_robin(true); }},
        {"round-robin/restore", "POST", [&] { return round_robin(false); }},
    };

    if (resource.rfind("logs/", 0) == 0) {
        if (r.method != "GET" && r.method != "HEAD") {
            Response resp = error_response(405, "InvalidArgument", "Use GET for a log file.");
            resp.headers.emplace_back("Allow", "GET, HEAD");
            return resp;
        }
        std::string_view name = resource.substr(5);
        // logs/NAME/sha256: names hold no '/', so this is never a file.
        constexpr std::string_view kDigest = "/sha256";
        if (name.size() > kDigest.size() && name.substr(name.size() - kDigest.size()) == kDigest)
            return log_sha256(r, std::string(name.substr(0, name.size() - kDigest.size())));
        return log_file(r, std::string(name));
    }

    std::string allow;
    for (const auto& route : routes) {
        if (route.resource != resource)
            continue;
        if (route.method == r.method)
            return route.handler();
        allow += (allow.empty() ? "" : ", ") + std::string(route.method);
    }
    if (allow.empty())
        return not_found();
    Response resp = error_response(405, "InvalidArgument", "Use " + allow + " for " + r.path + ".");
    resp.headers.emplace_back("Allow", allow);
    return resp;
}

// ---------------------------------------------------------------- resources

Response Api::describe()
{
    const local::Identity id = appliance_.identity();
    const local::LicenseFacts lic = appliance_.license();
    const local::HaFacts ha = appliance_.ha_facts();
    auto logs = appliance_.list_logs(false);
    if (!logs)
        return error_response(logs.error());
    uint64_t log_bytes = 0;
    for (const auto& f : *logs)
        log_bytes += f.size;
    protocol::Description d;
    // The live side of the ring: what this server's MariaDB says.
    protocol::Replication& rep = d.replication.emplace();
    if (auto rs = database_.replication_state(); rs) {
        d.mariadb_version = rs->server_version;
        rep.replica_configured = rs->replica_configured;
        rep.master_host = rs->master_host;
        rep.master_port = rs->master_port;
        rep.using_gtid = rs->using_gtid;
        rep.io_running = rs->io_running;
        rep.sql_running = rs->sql_running;
        rep.last_error = rs->last_error;
        rep.downstream = rs->downstream;
        rep.server_id = rs->server_id;
        rep.gtid_domain_id = rs->gtid_domain_id;
        rep.gtid_binlog_pos = rs->gtid_binlog_pos;
        rep.gtid_current_pos = rs->gtid_current_pos;
        rep.log_bin = rs->log_bin;
        rep.log_slave_updates = rs->log_slave_updates;
        if (rs->seconds_behind >= 0)
            rep.seconds_behind_master = rs->seconds_behind;
        rep.binlog_expire_seconds = rs->binlog_expire_seconds;
    } else {
        rep.error = rs.error().message;
    }
    d.protocol = kProtocol;
    d.replica_account = true;
    d.license_guid = lic.guid;
    d.licensed = lic.licensed;
    d.maintenance_contract_active = lic.contract_active;
    d.host_name = id.host_name;
    d.domain_name = id.domain_name;
    d.address = id.address;
    d.server_role = ha.server_role;
    d.high_availability = ha.high_availability;
    d.ring_members = ha.ring_members;
    d.dns_advice = ha.dns_advice;
    d.dns_revert_advice = ha.dns_revert_advice;
    d.main_node = ha.main_node;
    d.data_bytes = appliance_.data_bytes();
    d.log_bytes = log_bytes;
    d.settings_bytes = appliance_.settings_bytes();
    d.databases = appliance_.databases();
    // For the target's pre-flight checks (optional in protocol 3: ferryd
    // warns when they are missing).
    d.time_usec = realtime_usec();
    return ok(d.to_json());
}

Response Api::settings()
{
    auto s = appliance_.read_settings();
    if (!s)
        return error_response(s.error());
    if (auto bad = check_utf8(*s, "The settings section"))
        return std::move(*bad);
    return ok(protocol::Settings{std::move(*s)}.to_json());
}

Response Api::create_db_account(const Request& r)
{
    auto parsed = body_object(r);
    if (auto* resp = std::get_if<Response>(&parsed))
        return std::move(*resp);
    auto target = address_field(std::get<json>(parsed), protocol::DbAccountRequest::kTargetAddress);
    if (auto* resp = std::get_if<Response>(&target))
        return std::move(*resp);
    // The account is limited to the address the target's connections
    // really come from (the one its token is bound to), not the address it
    // believes it has: behind NAT, or on a host with several addresses,
    // the two differ and MariaDB would refuse the login.
    // Optional: a boolean when present (an older ferryd sends none).
    const auto& body = std::get<json>(parsed);
    const auto flag = body.find(protocol::DbAccountRequest::kReplica);
    if (flag != body.end() && !flag->is_boolean())
        return error_response(
            core::Error{core::Code::InvalidArgument, "'replica' must be true or false.", {}});
    const bool replica = flag != body.end() && flag->get<bool>();
    const std::vector<std::string> schemas = appliance_.databases();
    auto a = database_.create_account(r.client, schemas, replica);
    if (!a)
        return error_response(a.error());
    protocol::DbAccount answer{a->user, std::move(a->password), a->port,     schemas,
                               true,    a->tls_sha256,          a->tls_sha1, a->tls_pem};
    Response resp = ok(answer.to_json());
    wipe(answer.password);
    wipe(a->password);
    return resp;
}

// Every object of the migrated schemas with the digest of its definition,
// as local root sees them: the target compares its copy against it.
Response Api::db_objects()
{
    auto inventory = database_.object_inventory(appliance_.databases());
    if (!inventory)
        return error_response(inventory.error());
    return ok(core::inventory_to_json(*inventory));
}

Response Api::drop_db_accounts()
{
    if (auto res = database_.drop_accounts(); !res)
        return error_response(res.error());
    return ok();
}

Response Api::certificates()
{
    auto files = appliance_.read_certificates();
    if (!files)
        return error_response(files.error());
    if (auto bad = check_utf8(*files, "The certificate file"))
        return std::move(*bad);
    return ok(protocol::Certificates{std::move(*files)}.to_json());
}

Response Api::release_license(const Request& r)
{
    auto parsed = body_object(r);
    if (auto* resp = std::get_if<Response>(&parsed))
        return std::move(*resp);
    auto to = address_field(std::get<json>(parsed), protocol::LicenseRelease::kTo);
    if (auto* resp = std::get_if<Response>(&to))
        return std::move(*resp);
    auto text = appliance_.release_license(std::get<core::Address>(to).text);
    if (!text)
        return error_response(text.error());
    spdlog::info("License released to {}.", std::get<core::Address>(to).text);
    return ok(protocol::License{std::move(*text)}.to_json());
}

Response Api::logs()
{
    // Names and sizes only: a listing reads no file. The digest of a log
    // comes with it (GET logs/NAME/sha256), computed while it is sent.
    auto files = appliance_.list_logs(false);
    if (!files)
        return error_response(files.error());
    protocol::LogList list;
    for (const auto& f : *files) {
        if (!is_utf8(f.name)) {
            spdlog::warn("Log file name is not UTF-8, left out: {}", f.name);
            continue;
        }
        list.files.push_back({f.name, f.size});
    }
    return ok(list.to_json());
}

Response Api::log_sha256(const Request& r, const std::string& name)
{
    // If-Match names the version the client has; its digest is kept from
    // when it was sent, even when the file has changed since.
    std::string etag = r.if_match;
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
        etag = etag.substr(1, etag.size() - 2);
    auto d = appliance_.log_digest(name, etag);
    if (!d)
        return error_response(d.error());
    if (!*d || !is_utf8(name))
        return not_found();
    return ok(
        protocol::LogDigest{name, (*d)->size, "\"" + (*d)->etag + "\"", (*d)->sha256}.to_json());
}

Response Api::log_file(const Request& r, const std::string& name)
{
    auto file = appliance_.open_log(name);
    if (!file)
        return error_response(file.error());
    if (!*file)
        return not_found();
    local::OpenFile f = std::move(**file);
    const std::string etag = "\"" + f.etag + "\"";

    RangeAnswer range = parse_range(r.range, f.size);
    // If-Range: resume only the very file the client started with.
    if (!r.if_range.empty() && r.if_range != etag)
        range = RangeAnswer{};

    if (range.kind == RangeAnswer::Unsatisfiable) {
        Response resp = error_response(416, "InvalidArgument",
                                       "The range is beyond the end of " + name + " (" +
                                           std::to_string(f.size) + " bytes).");
        resp.headers.emplace_back("Accept-Ranges", "bytes");
        resp.headers.emplace_back("Content-Range", "bytes */" + std::to_string(f.size));
        return resp;
    }
    Response resp;
    resp.headers.emplace_back("Accept-Ranges", "bytes");
    resp.headers.emplace_back("ETag", etag);
    resp.content_type = "application/octet-stream";
    if (range.kind == RangeAnswer::Partial) {
        resp.status = 206;
        resp.offset = range.first;
        resp.length = range.last - range.first + 1;
        resp.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                       std::to_string(range.last) + "/" +
                                                       std::to_string(f.size));
    } else {
        resp.offset = 0;
        resp.length = f.size;
        // Sent whole: the digest is computed on the way and kept for
        // logs/NAME/sha256, if the file did not change meanwhile.
        resp.sent_sha256 = [this, name, size = f.size, etag = f.etag](const std::string& sha256,
                                                                      int fd) {
            if (local::etag_of_fd(fd) != etag)
                return spdlog::debug("{} changed while it was sent: its digest is not kept.", name);
            appliance_.remember_log_digest(name, local::LogDigest{size, etag, sha256});
            spdlog::debug("SHA-256 of {} ({} bytes) computed while sending it.", name, size);
        };
    }
    resp.file = std::move(f);
    return resp;
}

Response Api::finish()
{
    // Accounts first: if they cannot be dropped the target may retry, which
    // needs its token.
    if (auto res = database_.drop_accounts(); !res)
        return error_response(res.error());
    {
        std::lock_guard lock(mutex_);
        if (auto res = tokens_.revoke_all(); !res)
            return error_response(res.error());
    }
    spdlog::info("Migration finished: temporary accounts dropped, every token revoked.");
    return ok();
}

} // namespace ferry::peer
