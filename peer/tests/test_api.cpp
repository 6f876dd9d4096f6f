// The Api router against a FileAppliance in a temporary directory with a
// fake database (the real MariaDB is tests/integration/peer.sh's).
#include "peer/tests/helpers.hpp"

using namespace ferry;
using namespace ferry::peer_tests;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

class FakeDatabase final : public peer::DatabaseAdmin {
  public:
    core::Expected<peer::DbAccount> create_account(const std::string& host,
                                                   const std::vector<std::string>& schemas,
                                                   bool replica) override
    {
        hosts.push_back(host);
        replicas.push_back(replica);
        last_schemas = schemas;
        return peer::DbAccount{"ferry_0123456789abcdef", "pw", 3306, true, std::string(64, 'a'),
                               std::string(40, 'b'),     "PEM"};
    }
    core::Expected<bool> drop_accounts() override
    {
        ++drops;
        if (fail_drop)
            return core::Error{core::Code::Internal, "MariaDB is down.", {}};
        return true;
    }
    std::optional<uint64_t> data_bytes(const std::vector<std::string>&) override { return 12345; }
    core::Expected<bool> forget_replica() override
    {
        ++forgets;
        return true;
    }
    core::Expected<core::ReplicaFreeze> deactivate_replica(
        std::chrono::seconds,
        const std::function<core::Expected<bool>(const core::ReplicaFreeze&)>& record) override
    {
        ++deactivations;
        if (downstream_behind)
            return core::Error{core::Code::ReplicationFailed, "behind", "resume"};
        core::ReplicaFreeze f;
        f.master_host = "192.0.2.9";
        f.using_gtid = "Slave_Pos";
        f.gtid_binlog_state = f.gtid_binlog_pos = f.gtid_current_pos = "1-1-5,2-2-7";
        f.gtid_slave_pos = "1-1-5";
        f.server_id = 2;
        f.gtid_domain_id = 2;
        f.downstream = {"192.0.2.3"};
        if (auto r = record(f); !r)
            return r.error();
        return f;
    }

    int forgets = 0;
    int deactivations = 0;
    bool downstream_behind = false;
    std::vector<std::string> hosts;
    std::vector<bool> replicas; // create_account's `replica`, per call
    std::vector<std::string> last_schemas;
    int drops = 0;
    bool fail_drop = false;
};

class ApiTest : public ::testing::Test {
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/ferry-peer-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root_ = tmpl;
        core::ApplianceConfig c;
        c.settings_dir = (root_ / "settings").string();
        c.license_file = (root_ / "license.conf").string();
        c.certificate_dir = (root_ / "certs").string();
        c.log_dir = (root_ / "logs").string();
        c.databases = {"hotspot"};
        write(root_ / "settings/network.conf",
              "[Network]\nHostName=src\nDomain=example.test\nAddress=192.0.2.1\n");
        write(root_ / "settings/general.conf", "[General]\nName=x\n");
        write(root_ / "license.conf",
              "[License]\nGuid=G-1\nState=active\nContractEnd=2030-12-31\n");
        write(root_ / "certs/web.pem",
              "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        write(root_ / "certs/readme.txt", "not a certificate");
        write(root_ / "logs/traffic.log", "0123456789");
        fs::create_symlink("/etc/passwd", root_ / "logs/passwd");
        appliance_ = std::make_unique<local::FileAppliance>(c);
        appliance_->set_today([] { return std::string("2030-01-01"); });
        appliance_->set_data_size_probe([] { return std::optional<uint64_t>(777); });
        hash_ = *peer::hash_password("right");
        api_ = std::make_unique<peer::Api>(*appliance_, db_,
                                           [this] { return core::Expected<std::string>(hash_); });
        api_->set_clock([this] { return now_; });
    }
    void TearDown() override { fs::remove_all(root_); }

    peer::Response call(const std::string& method, const std::string& path,
                        const std::string& body = {}, const std::string& client = "192.0.2.2",
                        const std::string& range = {}, const std::string& if_match = {})
    {
        peer::Request r{method, path, client, token_.empty() ? "" : "Bearer " + token_,
                        range,  {},   body,   if_match};
        return api_->handle(r);
    }
    json body(const peer::Response& r) { return json::parse(r.body); }
    void login()
    {
        auto r = call("POST", "/ferry/v1/login", R"({"password":"right"})");
        ASSERT_EQ(r.status, 200u) << r.body;
        token_ = body(r)["token"];
    }

    fs::path root_;
    std::unique_ptr<local::FileAppliance> appliance_;
    FakeDatabase db_;
    std::string hash_;
    std::unique_ptr<peer::Api> api_;
    peer::Clock::time_point now_ = peer::Clock::time_point{} + 24h;
    std::string token_;
};

} // namespace

TEST_F(ApiTest, LoginAndTokens)
{
    EXPECT_EQ(call("GET", "/ferry/v1/describe").status, 401u);
    auto bad = call("POST", "/ferry/v1/login", R"({"password":"wrong"})");
    EXPECT_EQ(bad.status, 401u);
    EXPECT_EQ(body(bad)["error"], "AuthenticationFailed");
    EXPECT_EQ(call("POST", "/ferry/v1/login", "not json").status, 400u);
    EXPECT_EQ(call("GET", "/ferry/v1/login").status, 405u);
    login();
    auto d = call("GET", "/ferry/v1/describe");
    EXPECT_EQ(d.status, 200u);
    // The token is bound to the address that logged in.
    EXPECT_EQ(call("GET", "/ferry/v1/describe", {}, "192.0.2.3").status, 401u);
    now_ += 1h;
    EXPECT_EQ(body(call("GET", "/ferry/v1/describe"))["error"], "InvalidToken");
}

TEST_F(ApiTest, Reboot)
{
    int reboots = 0;
    std::string can = "yes";
    api_->set_reboot([&] { return core::Expected<std::string>(can); },
                     [&] {
                         ++reboots;
                         return core::Expected<bool>(true);
                     });
    EXPECT_EQ(call("POST", "/ferry/v1/reboot", "{}").status, 401u);
    login();
    EXPECT_EQ(call("GET", "/ferry/v1/reboot").status, 405u);
    // Tokens in memory only: a reboot would end the target's login.
    auto r = call("POST", "/ferry/v1/reboot", "{}");
    EXPECT_EQ(r.status, 500u);
    EXPECT_NE(body(r)["message"].get<std::string>().find("memory only"), std::string::npos);
    EXPECT_EQ(reboots, 0);
    ASSERT_TRUE(api_->persist_tokens_in(root_.string()).ok());
    login();
    r = call("POST", "/ferry/v1/reboot", "{}");
    EXPECT_EQ(r.status, 202u);
    EXPECT_EQ(body(r), json::object());
    // Only after the answer went out.
    EXPECT_EQ(reboots, 0);
    ASSERT_TRUE(static_cast<bool>(r.after_sent));
    r.after_sent();
    EXPECT_EQ(reboots, 1);

    can = "na";
    r = call("POST", "/ferry/v1/reboot", "{}");
    EXPECT_EQ(r.status, 500u);
    EXPECT_NE(body(r)["message"].get<std::string>().find("CanReboot: na"), std::string::npos);
    EXPECT_FALSE(static_cast<bool>(r.after_sent));
    api_->set_reboot(
        [] {
            return core::Expected<std::string>(
                core::Error{core::Code::Internal, "Cannot connect to the system bus.", "x"});
        },
        [&] { return core::Expected<bool>(true); });
    r = call("POST", "/ferry/v1/reboot", "{}");
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(body(r)["error"], "Internal");
}

// A power cut of the source after modify-source (PUT /staged-settings) and
// before the target's reboot request: at that boot the source must keep
// its own settings (its address), or both systems would have the target's
// address while the target waits for its reboot. The set is handed over
// to the boot only by the reboot request, before its answer.

TEST_F(ApiTest, SourceHoldsSettingsUntilTheRebootRequest)
{
    int reboots = 0;
    api_->set_reboot([] { return core::Expected<std::string>("yes"); },
                     [&] {
                         ++reboots;
                         return core::Expected<bool>(true);
                     });
    ASSERT_TRUE(api_->persist_tokens_in(root_.string()).ok());
    login();
    const std::string own = read(root_ / "settings/general.conf");
    ASSERT_EQ(call("PUT", "/ferry/v1/staged-settings",
                   R"({"sections":{"general":"[General]\nName=T\n"}})")
                  .status,
              200u);
    // The power cut and the boot: nothing is applied.
    EXPECT_FALSE(*appliance_->apply_staged_settings());
    EXPECT_EQ(read(root_ / "settings/general.conf"), own);
    EXPECT_TRUE(*appliance_->settings_held());

    // The reboot request hands the set over before it answers.
    auto r = call("POST", "/ferry/v1/reboot", "{}");
    ASSERT_EQ(r.status, 202u);
    EXPECT_FALSE(*appliance_->settings_held());
    EXPECT_EQ(read(root_ / "settings.staged/general.conf"), "[General]\nName=T\n");
    r.after_sent();
    EXPECT_EQ(reboots, 1);
    ASSERT_TRUE(*appliance_->apply_staged_settings());
    EXPECT_EQ(read(root_ / "settings/general.conf"), "[General]\nName=T\n");

    // A request again (the answer was lost, the target asks once more):
    // nothing held any more, the reboot goes on.
    r = call("POST", "/ferry/v1/reboot", "{}");
    EXPECT_EQ(r.status, 202u);
}

TEST_F(ApiTest, RateLimited)
{
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(call("POST", "/ferry/v1/login", R"({"password":"wrong"})").status, 401u);
    auto r = call("POST", "/ferry/v1/login", R"({"password":"right"})");
    EXPECT_EQ(r.status, 429u);
    EXPECT_EQ(body(r)["error"], "RateLimited");
    EXPECT_EQ(call("POST", "/ferry/v1/login", R"({"password":"right"})", "192.0.2.7").status, 200u);
    now_ += 10min;
    EXPECT_EQ(call("POST", "/ferry/v1/login", R"({"password":"right"})").status, 200u);
}

TEST_F(ApiTest, Describe)
{
    login();
    const json d = body(call("GET", "/ferry/v1/describe"));
    EXPECT_EQ(d["protocol"], ferry::core::kPeerProtocol);
    EXPECT_EQ(d["license_guid"], "G-1");
    EXPECT_EQ(d["licensed"], true);
    EXPECT_EQ(d["maintenance_contract_active"], true);
    EXPECT_EQ(d["host_name"], "src");
    EXPECT_EQ(d["domain_name"], "example.test");
    EXPECT_EQ(d["address"], "192.0.2.1");
    EXPECT_EQ(d["server_role"], "Main");
    EXPECT_EQ(d["high_availability"], false);
    EXPECT_EQ(d["data_bytes"], 777);
    EXPECT_EQ(d["log_bytes"], 10); // the symlink is not a log
    EXPECT_EQ(d["databases"], json::array({"hotspot"}));
    EXPECT_GT(d["settings_bytes"].get<uint64_t>(), 0u);
    for (const char* k : {"ring_members", "dns_advice"})
        EXPECT_TRUE(d[k].is_array()) << k;
}

TEST_F(ApiTest, SettingsAndStaging)
{
    login();
    const json s = body(call("GET", "/ferry/v1/settings"));
    EXPECT_EQ(s["sections"].size(), 2u);
    EXPECT_EQ(s["sections"]["general"], "[General]\nName=x\n");

    EXPECT_EQ(call("PUT", "/ferry/v1/staged-settings", R"({"sections":{"../x":"a"}})").status,
              400u);
    EXPECT_EQ(call("PUT", "/ferry/v1/staged-settings", R"({"sections":{}})").status, 400u);
    EXPECT_EQ(call("PUT", "/ferry/v1/staged-settings", R"({"sections":{"a":1}})").status, 400u);
    ASSERT_EQ(
        call("PUT", "/ferry/v1/staged-settings", R"({"sections":{"network":"N1","dns":"D1"}})")
            .status,
        200u);
    ASSERT_EQ(call("PUT", "/ferry/v1/staged-settings", R"({"sections":{"network":"N2"}})").status,
              200u);
    // Held back until the target asks for the reboot (SourceHoldsSettings).
    EXPECT_FALSE(fs::exists(root_ / "settings.staged"));
    EXPECT_EQ(read(root_ / "settings.staged.held/network.conf"), "N2");
    EXPECT_FALSE(fs::exists(root_ / "settings.staged.held/dns.conf")); // replaced as a whole
    ASSERT_TRUE(*appliance_->release_held_settings());
    // Applied at boot: the settings become exactly the staged set.
    ASSERT_TRUE(appliance_->apply_staged_settings().ok());
    EXPECT_EQ(read(root_ / "settings/network.conf"), "N2");
    EXPECT_FALSE(fs::exists(root_ / "settings/general.conf"));
    EXPECT_FALSE(fs::exists(root_ / "settings.staged"));
    EXPECT_FALSE(*appliance_->apply_staged_settings());
}

// A power cut while ferry-peer --apply-staged (the source's boot during a
// Swap) removes the set it has just applied: the process is killed as soon
// as the staged set starts to go, then the next boot applies again. The
// settings must be the whole staged set, never the part of it a cut left
// behind (applied as the whole set, it would remove every other section).

TEST(StagedSettings, KilledWhileTheAppliedSetIsRemoved)
{
    constexpr int kSections = 200;
    core::Sections set;
    for (int i = 0; i < kSections; ++i)
        set["s" + std::to_string(i)] = "[S]\nValue=" + std::to_string(i) + "\n";
    int cut_in_the_middle = 0;
    for (int round = 0; round < 2; ++round) {
        char tmpl[] = "/tmp/ferry-peer-staged-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        const fs::path root = tmpl;
        core::ApplianceConfig c;
        c.settings_dir = (root / "settings").string();
        c.license_file = (root / "license.conf").string();
        write(root / "settings/network.conf", "[Network]\nAddress=192.0.2.1\n");
        ASSERT_TRUE(local::FileAppliance(c).stage_settings(set).ok());
        const fs::path staged = root / "settings.staged";

        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0)
            _exit(local::FileAppliance(c).apply_staged_settings().ok() ? 0 : 1);
        // Until the staged set starts to go (or the child is done).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        for (;;) {
            std::error_code ec;
            int n = 0;
            for (auto it = fs::directory_iterator(staged, ec);
                 !ec && it != fs::directory_iterator(); it.increment(ec))
                ++n;
            if (ec || n < kSections)
                break;
            int status = 0;
            if (waitpid(pid, &status, WNOHANG) == pid ||
                std::chrono::steady_clock::now() > deadline)
                break;
        }
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        std::error_code ec;
        if (fs::exists(staged, ec) &&
            std::distance(fs::directory_iterator(staged), fs::directory_iterator{}) < kSections)
            ++cut_in_the_middle;

        // The next boot.
        ASSERT_TRUE(local::FileAppliance(c).apply_staged_settings().ok());
        int right = 0;
        for (const auto& [name, content] : set)
            right += fs::exists(root / "settings" / (name + ".conf")) &&
                     read(root / "settings" / (name + ".conf")) == content;
        EXPECT_EQ(right, kSections) << "round " << round;
        EXPECT_FALSE(fs::exists(root / "settings/network.conf")) << "round " << round;
        EXPECT_FALSE(fs::exists(staged)) << "round " << round;
        fs::remove_all(root);
    }
    std::printf("cut with a part of the set still staged: %d of 2 rounds\n", cut_in_the_middle);
}

// The target of a Swap (ferryd's copy-settings and reboot operation): the
// new settings are held back, untouched by a boot (ferry-apply-staged finds
// nothing staged), until they are handed over; then the next boot applies
// them exactly. A staged set left from earlier is replaced as a whole.

TEST(HeldSettings, HeldUntilHandedOverThenAppliedAtBoot)
{
    char tmpl[] = "/tmp/ferry-held-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const fs::path root = tmpl;
    core::ApplianceConfig c;
    c.settings_dir = (root / "settings").string();
    c.license_file = (root / "license.conf").string();
    write(root / "settings/network.conf", "[Network]\nAddress=192.0.2.3\n");
    write(root / "settings/own.conf", "[Own]\n");
    local::FileAppliance a(c);
    const core::Sections swapped{{"network", "[Network]\nAddress=192.0.2.2\n"},
                                 {"general", "[General]\n"}};
    EXPECT_FALSE(*a.settings_held());
    EXPECT_FALSE(*a.release_held_settings()); // nothing held
    ASSERT_TRUE(a.hold_settings({{"network", "old"}}).ok());
    ASSERT_TRUE(a.hold_settings(swapped).ok()); // replaced as a whole
    EXPECT_TRUE(*a.settings_held());
    // A boot now (a power cut before the reboot request): nothing staged,
    // this system keeps its own settings and address.
    EXPECT_FALSE(*a.apply_staged_settings());
    EXPECT_EQ(read(root / "settings/network.conf"), "[Network]\nAddress=192.0.2.3\n");
    EXPECT_TRUE(fs::exists(root / "settings/own.conf"));

    write(root / "settings.staged/stale.conf", "[Stale]\n");
    ASSERT_TRUE(*a.release_held_settings());
    EXPECT_FALSE(*a.settings_held());
    EXPECT_FALSE(*a.release_held_settings()); // idempotent
    EXPECT_FALSE(fs::exists(root / "settings.staged/stale.conf"));
    // The next boot.
    ASSERT_TRUE(*a.apply_staged_settings());
    EXPECT_EQ(read(root / "settings/network.conf"), "[Network]\nAddress=192.0.2.2\n");
    EXPECT_TRUE(fs::exists(root / "settings/general.conf"));
    EXPECT_FALSE(fs::exists(root / "settings/own.conf"));
    EXPECT_FALSE(fs::exists(root / "settings.staged"));
    EXPECT_FALSE(fs::exists(root / "settings.staged.held"));

    // ferry.conf's StagedSettingsDirectory= is where ferryd hands over too.
    c.staged_settings_dir = (root / "elsewhere").string();
    EXPECT_EQ(local::default_layout(c).staged_settings_dir, (root / "elsewhere").string());
    fs::remove_all(root);
}

TEST_F(ApiTest, MaintenanceMigratedLicense)
{
    login();
    EXPECT_EQ(call("POST", "/ferry/v1/maintenance", R"({"on":"yes"})").status, 400u);
    EXPECT_EQ(call("POST", "/ferry/v1/maintenance", R"({"on":true})").status, 200u);
    EXPECT_TRUE(fs::exists(root_ / "maintenance"));
    EXPECT_EQ(call("POST", "/ferry/v1/maintenance", R"({"on":true})").status, 200u);
    EXPECT_EQ(call("POST", "/ferry/v1/maintenance", R"({"on":false})").status, 200u);
    EXPECT_FALSE(fs::exists(root_ / "maintenance"));
    EXPECT_EQ(call("POST", "/ferry/v1/maintenance", R"({"on":false})").status, 200u);

    EXPECT_EQ(call("POST", "/ferry/v1/migrated", R"({"to":"nohost","at":1,"swap":true})").status,
              400u);
    EXPECT_EQ(
        call("POST", "/ferry/v1/migrated", R"({"to":"192.0.2.2","at":-1,"swap":true})").status,
        400u);
    EXPECT_EQ(
        call("POST", "/ferry/v1/migrated", R"({"to":"192.0.2.2","at":5,"swap":false})").status,
        200u);
    EXPECT_TRUE(fs::exists(root_ / "maintenance")); // without Swap: kept in maintenance
    EXPECT_EQ(appliance_->migrated(), (local::MigratedRecord{"192.0.2.2", 5, false}));

    auto lic = call("POST", "/ferry/v1/license/release", R"({"to":"192.0.2.2"})");
    ASSERT_EQ(lic.status, 200u) << lic.body;
    EXPECT_NE(body(lic)["license"].get<std::string>().find("State=active"), std::string::npos);
    EXPECT_NE(read(root_ / "license.conf").find("State=released"), std::string::npos);
    EXPECT_EQ(call("POST", "/ferry/v1/license/release", R"({"to":"192.0.2.2"})").status, 200u);
    auto other = call("POST", "/ferry/v1/license/release", R"({"to":"192.0.2.9"})");
    EXPECT_EQ(other.status, 409u);
    EXPECT_EQ(body(other)["error"], "OptionUnavailable");
}

TEST_F(ApiTest, CertificatesAndLogs)
{
    login();
    const json c = body(call("GET", "/ferry/v1/certificates"));
    ASSERT_EQ(c["files"].size(), 1u);
    EXPECT_TRUE(c["files"].contains("web.pem"));

    const json l = body(call("GET", "/ferry/v1/logs"));
    ASSERT_EQ(l["files"].size(), 1u);
    EXPECT_EQ(l["files"][0]["name"], "traffic.log");
    EXPECT_EQ(l["files"][0]["size"], 10);
    EXPECT_FALSE(l["files"][0].contains("sha256")); // a listing reads no file

    auto full = call("GET", "/ferry/v1/logs/traffic.log");
    EXPECT_EQ(full.status, 200u);
    ASSERT_TRUE(full.file.has_value());
    EXPECT_EQ(full.length, 10u);
    std::string etag;
    for (const auto& [k, v] : full.headers)
        if (k == "ETag")
            etag = v;
    ASSERT_FALSE(etag.empty());
    ASSERT_TRUE(full.sent_sha256); // a whole file is hashed while it is sent
    auto part = call("GET", "/ferry/v1/logs/traffic.log", {}, "192.0.2.2", "bytes=4-");
    EXPECT_EQ(part.status, 206u);
    EXPECT_EQ(part.offset, 4u);
    EXPECT_EQ(part.length, 6u);
    EXPECT_FALSE(part.sent_sha256);
    EXPECT_EQ(call("GET", "/ferry/v1/logs/traffic.log", {}, "192.0.2.2", "bytes=10-").status, 416u);

    // The digest: read from the file when nothing is known...
    auto d = call("GET", "/ferry/v1/logs/traffic.log/sha256");
    ASSERT_EQ(d.status, 200u) << d.body;
    EXPECT_EQ(body(d)["sha256"], local::sha256_hex("0123456789"));
    EXPECT_EQ(body(d)["size"], 10);
    EXPECT_EQ(body(d)["etag"], etag);
    // ... and, for the version sent whole, the one computed while sending it
    // (a marker value here, to show the file is not read again).
    full.sent_sha256("feed", full.file->fd.get());
    EXPECT_EQ(
        body(call("GET", "/ferry/v1/logs/traffic.log/sha256", {}, "192.0.2.2", {}, etag))["sha256"],
        "feed");
    // A changed file is another version: its digest is read again.
    write(root_ / "logs/traffic.log", "0123456789abc");
    auto changed =
        call("GET", "/ferry/v1/logs/traffic.log/sha256", {}, "192.0.2.2", {}, "\"0-0-0.0\"");
    EXPECT_EQ(body(changed)["sha256"], local::sha256_hex("0123456789abc"));
    EXPECT_EQ(body(changed)["size"], 13);
    EXPECT_NE(body(changed)["etag"], etag);
    // The digest of a version sent while it changed is not kept.
    full.sent_sha256("stale", full.file->fd.get());
    EXPECT_EQ(body(call("GET", "/ferry/v1/logs/traffic.log/sha256"))["sha256"],
              local::sha256_hex("0123456789abc"));
    EXPECT_EQ(call("GET", "/ferry/v1/logs/passwd/sha256").status, 404u);
    EXPECT_EQ(call("GET", "/ferry/v1/logs/nothing/sha256").status, 404u);
    EXPECT_EQ(call("POST", "/ferry/v1/logs/traffic.log/sha256").status, 405u);
    for (const char* p :
         {"/ferry/v1/logs/passwd", "/ferry/v1/logs/../license.conf", "/ferry/v1/logs/",
          "/ferry/v1/logs/..", "/ferry/v1/logs/a/b", "/ferry/v1/nothing", "/other"})
        EXPECT_EQ(call("GET", p).status, 404u) << p;
    EXPECT_EQ(call("POST", "/ferry/v1/logs/traffic.log").status, 405u);
}

TEST_F(ApiTest, DbAccountAndFinish)
{
    login();
    EXPECT_EQ(call("POST", "/ferry/v1/db-account", R"({"target_address":"x"})").status, 400u);
    auto a = call("POST", "/ferry/v1/db-account", R"({"target_address":"192.0.2.2"})");
    ASSERT_EQ(a.status, 200u);
    EXPECT_EQ(body(a)["user"], "ferry_0123456789abcdef");
    EXPECT_EQ(body(a)["port"], 3306);
    EXPECT_EQ(body(a)["databases"], json::array({"hotspot"}));
    EXPECT_EQ(body(a)["tls"], true);
    EXPECT_EQ(body(a)["tls_certificate"]["sha256"], std::string(64, 'a'));
    EXPECT_EQ(body(a)["tls_certificate"]["sha1"], std::string(40, 'b'));
    EXPECT_EQ(db_.hosts, std::vector<std::string>{"192.0.2.2"});
    EXPECT_EQ(db_.last_schemas, std::vector<std::string>{"hotspot"});
    // The replication grant only when asked for (issue 18); a non-boolean
    // is refused before any account is made.
    EXPECT_EQ(call("POST", "/ferry/v1/db-account", R"({"target_address":"192.0.2.2","replica":1})")
                  .status,
              400u);
    ASSERT_EQ(
        call("POST", "/ferry/v1/db-account", R"({"target_address":"192.0.2.2","replica":true})")
            .status,
        200u);
    EXPECT_EQ(db_.replicas, (std::vector<bool>{false, true}));
    EXPECT_EQ(call("DELETE", "/ferry/v1/db-account").status, 200u);

    db_.fail_drop = true;
    EXPECT_EQ(call("POST", "/ferry/v1/finish").status, 500u);
    EXPECT_EQ(call("GET", "/ferry/v1/describe").status, 200u); // the token survives a failed finish
    db_.fail_drop = false;
    EXPECT_EQ(call("POST", "/ferry/v1/finish").status, 200u);
    EXPECT_EQ(call("GET", "/ferry/v1/describe").status, 401u);
}

TEST_F(ApiTest, WritesKeepModes)
{
    ASSERT_EQ(::chmod((root_ / "settings/general.conf").c_str(), 0640), 0);
    ASSERT_TRUE(
        appliance_->write_settings({{"general", "[General]\nName=y\n"}, {"smtp", "S"}}, false)
            .ok());
    struct stat st {};
    ASSERT_EQ(::stat((root_ / "settings/general.conf").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    ASSERT_EQ(::stat((root_ / "settings/smtp.conf").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_TRUE(fs::exists(root_ / "settings/network.conf"));
    EXPECT_FALSE(appliance_->write_certificates({{"x.pem", "no pem"}}).ok());
    EXPECT_FALSE(appliance_->write_certificates({{"../x.pem", "-----BEGIN X"}}).ok());
    EXPECT_TRUE(appliance_->write_certificates({{"new.pem", "-----BEGIN X"}}).ok());
    EXPECT_FALSE(appliance_->install_license("garbage without section").ok());
}

TEST_F(ApiTest, LoginAlsoFrom)
{
    EXPECT_EQ(call("POST", "/ferry/v1/login", R"({"password":"right","also_from":"x"})").status,
              400u);
    auto r = call("POST", "/ferry/v1/login", R"({"password":"right","also_from":"192.0.2.1"})");
    ASSERT_EQ(r.status, 200u) << r.body;
    token_ = body(r)["token"];
    EXPECT_EQ(call("GET", "/ferry/v1/describe", {}, "192.0.2.1").status, 200u);
    EXPECT_EQ(call("GET", "/ferry/v1/describe", {}, "192.0.2.7").status, 401u);
}

TEST_F(ApiTest, RoundRobinRemoveRestore)
{
    login();
    // Without a state directory the saved copy has nowhere to go.
    EXPECT_EQ(call("POST", "/ferry/v1/round-robin/remove", "{}").status, 500u);
    fs::create_directory(root_ / "state");
    fs::permissions(root_ / "state", fs::perms::owner_all);
    ASSERT_TRUE(api_->persist_tokens_in((root_ / "state").string()).ok());
    const std::string before = "[RoundRobin]\nHosts=192.0.2.1 192.0.2.2\nMode=weighted\n";
    write(root_ / "settings/round_robin.conf", before);
    auto r = call("POST", "/ferry/v1/round-robin/remove", "{}");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(body(r)["section"], before);
    const std::string removed = read(root_ / "settings/round_robin.conf");
    EXPECT_NE(removed.find("Hosts=\n"), std::string::npos) << removed;
    EXPECT_NE(removed.find("Mode=weighted"), std::string::npos);
    // Again (a retry after a crash): the hosts as they were, nothing lost.
    r = call("POST", "/ferry/v1/round-robin/remove", "{}");
    EXPECT_EQ(body(r)["section"], before);
    EXPECT_EQ(read(root_ / "settings/round_robin.conf"), removed);
    r = call("POST", "/ferry/v1/round-robin/restore", "{}");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(read(root_ / "settings/round_robin.conf"), before);
    EXPECT_FALSE(fs::exists(root_ / "state/round-robin.saved"));
    // Restoring twice changes nothing.
    EXPECT_EQ(call("POST", "/ferry/v1/round-robin/restore", "{}").status, 200u);
    EXPECT_EQ(read(root_ / "settings/round_robin.conf"), before);
    EXPECT_EQ(call("GET", "/ferry/v1/round-robin/remove").status, 405u);
}

TEST_F(ApiTest, ReplicaDeactivate)
{
    EXPECT_EQ(call("POST", "/ferry/v1/replica/deactivate", "{}").status, 401u);
    login();
    fs::create_directory(root_ / "state");
    fs::permissions(root_ / "state", fs::perms::owner_all);
    ASSERT_TRUE(api_->persist_tokens_in((root_ / "state").string()).ok());
    db_.downstream_behind = true;
    auto r = call("POST", "/ferry/v1/replica/deactivate", "{}");
    EXPECT_EQ(r.status, 409u);
    EXPECT_EQ(body(r)["error"], "ReplicationFailed");
    EXPECT_FALSE(fs::exists(root_ / "state/replica-freeze.json"));
    db_.downstream_behind = false;
    r = call("POST", "/ferry/v1/replica/deactivate", "{}");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(body(r)["freeze"]["gtid_binlog_state"], "1-1-5,2-2-7");
    struct stat st {};
    ASSERT_EQ(stat((root_ / "state/replica-freeze.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // A retry answers the recorded freeze and makes sure the replica is gone.
    auto again = call("POST", "/ferry/v1/replica/deactivate", "{}");
    EXPECT_EQ(body(again), body(r));
    EXPECT_EQ(db_.deactivations, 2);
    EXPECT_EQ(db_.forgets, 1);
}

TEST_F(ApiTest, TokenExtend)
{
    EXPECT_EQ(call("POST", "/ferry/v1/token/extend", "{}").status, 401u);
    login();
    auto r = call("POST", "/ferry/v1/token/extend", "{}");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(body(r)["expires_in"], 7 * 24 * 3600);
    now_ += 2h; // past the hour of a login
    EXPECT_EQ(call("GET", "/ferry/v1/describe").status, 200u);
}
