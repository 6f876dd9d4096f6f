// ferry-peer's request handling (peer/api.cpp, api_ring.cpp,
// api_lease.cpp) behind libmicrohttpd: method, decoded path, the
// Authorization, Range, If-Range and If-Match headers and the JSON body of
// a request from the network, against a file appliance in a temporary
// directory (the unit test's layout) and a fake database (no MariaDB here:
// the database answers are not what is fuzzed). Logins are checked against
// a cheap SHA-256-crypt hash so that a login costs well under a millisecond.
//
// Input: a flag byte (bit 0: send the valid token of a login done by the
// harness; bits 1-2: which client address; bit 3: prefix the path with
// /ferry/v1/), then NUL-separated method, path, Range, If-Range, If-Match,
// Authorization (when bit 0 is clear) and the body.
//
// Properties: every answer is a JSON object, an error answer names its
// error; a partial file answer lies inside the file; a token is only ever
// in the answer of a login.
#include <crypt.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "check.hpp"
#include "peer/api.hpp"

using namespace ferry;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kPassword = "fuzz-admin-password";

class FakeDatabase final : public peer::DatabaseAdmin {
  public:
    core::Expected<peer::DbAccount> create_account(const std::string&,
                                                   const std::vector<std::string>&, bool) override
    {
        // Digests of no real certificate: the answer's shape is what is fuzzed.
        return peer::DbAccount{"ferry_0123456789abcdef", "account-password",   3306, true,
                               std::string(64, 'a'),     std::string(40, 'b'), "PEM"};
    }
    core::Expected<bool> drop_accounts() override { return true; }
    std::optional<uint64_t> data_bytes(const std::vector<std::string>&) override { return 12345; }
    core::Expected<bool> forget_replica() override { return true; }
    core::Expected<core::ReplicaFreeze> deactivate_replica(
        std::chrono::seconds,
        const std::function<core::Expected<bool>(const core::ReplicaFreeze&)>& record) override
    {
        core::ReplicaFreeze f;
        f.master_host = "192.0.2.9";
        f.using_gtid = "Slave_Pos";
        f.gtid_binlog_state = f.gtid_binlog_pos = f.gtid_current_pos = "1-1-5,2-2-7";
        f.gtid_slave_pos = "1-1-5";
        f.server_id = 2;
        f.gtid_domain_id = 2;
        if (auto r = record(f); !r)
            return r.error();
        return f;
    }
};

void write(const fs::path& p, const std::string& text)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

struct Rig {
    fs::path root;
    std::unique_ptr<local::FileAppliance> appliance;
    FakeDatabase db;
    std::string hash;
    std::unique_ptr<peer::Api> api;
    peer::Clock::time_point now = peer::Clock::time_point{} + std::chrono::hours(24);
    std::string token;

    Rig()
    {
        spdlog::set_level(spdlog::level::off);
        char tmpl[] = "/tmp/ferry-fuzz-peer-XXXXXX";
        FUZZ_CHECK(::mkdtemp(tmpl) != nullptr);
        root = tmpl;
        core::ApplianceConfig c;
        c.settings_dir = (root / "settings").string();
        c.license_file = (root / "license.conf").string();
        c.certificate_dir = (root / "certs").string();
        c.log_dir = (root / "logs").string();
        c.databases = {"hotspot"};
        write(root / "settings/network.conf",
              "[Network]\nHostName=src\nDomain=example.test\nAddress=192.0.2.1\n");
        write(root / "settings/replication.conf",
              "[Replication]\nRole=Main\nRingMembers=192.0.2.1 192.0.2.5 192.0.2.6\n");
        write(root / "settings/round_robin.conf", "[RoundRobin]\nHosts=192.0.2.1 192.0.2.5\n");
        write(root / "license.conf", "[License]\nGuid=G-1\nState=active\nContractEnd=2030-12-31\n");
        write(root / "certs/web.pem",
              "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        write(root / "logs/traffic.log", "0123456789");
        write(root / "logs/empty.log", "");
        appliance = std::make_unique<local::FileAppliance>(c);
        appliance->set_today([] { return std::string("2030-01-01"); });
        appliance->set_data_size_probe([] { return std::optional<uint64_t>(777); });
        crypt_data cd{};
        const char* h = ::crypt_r(kPassword, "$5$rounds=1000$fuzzsalt$", &cd);
        FUZZ_CHECK(h && h[0] == '$');
        hash = h;
        api = std::make_unique<peer::Api>(*appliance, db,
                                          [this] { return core::Expected<std::string>(hash); });
        api->set_clock([this] { return now; });
        api->set_reboot([] { return core::Expected<std::string>(std::string("yes")); },
                        [] { return core::Expected<bool>(true); });
        FUZZ_CHECK(peer::prepare_state_directory((root / "state").string()).ok());
        FUZZ_CHECK(api->persist_tokens_in((root / "state").string()).ok());
        login();
    }
    ~Rig() { fs::remove_all(root); }

    // The harness's own login from 192.0.2.2; after a lock-out by the
    // inputs' failed logins, a little later.
    void login()
    {
        for (int attempt = 0; attempt < 2; ++attempt) {
            peer::Request r{"POST",
                            "/ferry/v1/login",
                            "192.0.2.2",
                            {},
                            {},
                            {},
                            std::string("{\"password\":\"") + kPassword + "\"}",
                            {}};
            const peer::Response resp = api->handle(r);
            if (resp.status == 200) {
                token = json::parse(resp.body).at("token").get<std::string>();
                return;
            }
            now += std::chrono::minutes(11);
        }
        token.clear();
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    static Rig rig;
    fuzz::Fields in(data, size);
    const unsigned flags = in.byte();
    static const char* const kClients[] = {"192.0.2.2", "192.0.2.3", "2001:db8::2", ""};
    peer::Request req;
    req.method = in.next();
    req.path = ((flags & 8) ? "/ferry/v1/" : "") + in.next();
    req.client = kClients[(flags >> 1) & 3];
    req.range = in.next();
    req.if_range = in.next();
    req.if_match = in.next();
    const std::string authorization = in.next();
    req.authorization = (flags & 1) ? "Bearer " + rig.token : authorization;
    req.body = in.rest();
    const bool login = req.path == "/ferry/v1/login";

    peer::Response resp = rig.api->handle(req);
    FUZZ_CHECK(req.body.empty()); // wiped: it may hold the password

    if (resp.file) {
        FUZZ_CHECK(resp.status == 200 || resp.status == 206);
        FUZZ_CHECK(resp.offset <= resp.file->size && resp.length <= resp.file->size - resp.offset);
    } else {
        FUZZ_CHECK(resp.content_type == "application/json");
        const json body = json::parse(resp.body, nullptr, false);
        FUZZ_CHECK(body.is_object());
        if (resp.status >= 400)
            FUZZ_CHECK(body.contains("error") && body["error"].is_string() && !resp.error.empty());
        else
            FUZZ_CHECK(resp.status == 200 || resp.status == 202);
        if (!login && !rig.token.empty())
            FUZZ_CHECK(resp.body.find(rig.token) == std::string::npos);
    }
    if (resp.after_sent)
        resp.after_sent(); // the fake reboot
    // /finish revokes every token (and an input may have locked the
    // harness's address out): log in again for the next input.
    if (resp.status == 200 && req.path.find("finish") != std::string::npos)
        rig.login();
    return 0;
}
