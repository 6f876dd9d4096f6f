// The peer API's rules without a network: the reference appliance's pure
// decisions, authentication (rate limit, tokens, crypt), HTTP helpers, the
// configuration, and the Api router against a FileAppliance in a temporary
// directory with a fake database.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "appliance/appliance.hpp"
#include "appliance/appliance_rules.hpp"
#include "system/digest.hpp"
#include "peer/api.hpp"
#include "peer/auth.hpp"
#include "peer/config.hpp"
#include "peer/database.hpp"
#include "peer/http.hpp"

using namespace ferry;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

core::Ini ini(const std::string& text)
{
    return *core::parse_ini(text);
}

std::string read(const fs::path& p)
{
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void write(const fs::path& p, const std::string& s)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << s;
}

} // namespace

// ------------------------------------------------------------ appliance rules

TEST(ApplianceRules, IsoDate)
{
    EXPECT_TRUE(local::is_iso_date("2024-02-29"));
    EXPECT_FALSE(local::is_iso_date("2023-02-29"));
    EXPECT_FALSE(local::is_iso_date("2023-13-01"));
    EXPECT_FALSE(local::is_iso_date("2023-1-01"));
    EXPECT_FALSE(local::is_iso_date("tomorrow"));
    EXPECT_FALSE(local::is_iso_date(""));
}

TEST(ApplianceRules, PlainFileName)
{
    EXPECT_TRUE(local::is_visible_file_name("traffic.log.1"));
    EXPECT_FALSE(local::is_visible_file_name(""));
    EXPECT_FALSE(local::is_visible_file_name("."));
    EXPECT_FALSE(local::is_visible_file_name(".."));
    EXPECT_FALSE(local::is_visible_file_name("../etc/passwd"));
    EXPECT_FALSE(local::is_visible_file_name("a/b"));
    EXPECT_FALSE(local::is_visible_file_name(".hidden"));
    EXPECT_FALSE(local::is_visible_file_name(std::string("a\0b", 3)));
    EXPECT_FALSE(local::is_visible_file_name(std::string(256, 'a')));
}

TEST(ApplianceRules, LicenseFacts)
{
    const auto f = local::license_facts(
        ini("[License]\nGuid=G\nState=active\nContractEnd=2030-01-01\n"), "2030-01-01");
    EXPECT_EQ(f.guid, "G");
    EXPECT_TRUE(f.licensed);
    EXPECT_TRUE(f.contract_active); // the last day counts
    EXPECT_FALSE(local::license_facts(
                     ini("[License]\nGuid=G\nState=active\nContractEnd=2029-12-31\n"), "2030-01-01")
                     .contract_active);
    EXPECT_FALSE(local::license_facts(ini("[License]\nGuid=G\nState=active\n"), "2030-01-01")
                     .contract_active);
    EXPECT_FALSE(
        local::license_facts(ini("[License]\nGuid=G\nState=released\n"), "2030-01-01").licensed);
    EXPECT_FALSE(local::license_facts({}, "2030-01-01").licensed);
}

TEST(ApplianceRules, LicenseRelease)
{
    const auto active = ini("[License]\nGuid=G\nState=active\nContractEnd=2030-06-30\n");
    auto r = local::decide_license_release(active, "192.0.2.2", "2030-01-01");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->changed);
    EXPECT_EQ(core::ini_get(r->source, "License", "State"), "released");
    EXPECT_EQ(core::ini_get(r->source, "License", "ReleasedTo"), "192.0.2.2");
    auto target = ini(r->target_text);
    EXPECT_EQ(core::ini_get(target, "License", "State"), "active");
    EXPECT_EQ(core::ini_get(target, "License", "Guid"), "G");
    EXPECT_EQ(core::ini_get(target, "License", "ReleasedTo", "none"), "none");

    // A retry for the same target: the same content, nothing changes.
    auto again = local::decide_license_release(r->source, "192.0.2.2", "2031-01-01");
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->changed);
    EXPECT_EQ(again->target_text, r->target_text);
    // Another target: refused.
    auto other = local::decide_license_release(r->source, "192.0.2.3", "2030-01-01");
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, core::Code::OptionUnavailable);
    // Expired contract, no license.
    EXPECT_FALSE(local::decide_license_release(active, "192.0.2.2", "2030-07-01").ok());
    EXPECT_FALSE(local::decide_license_release({}, "192.0.2.2", "2030-01-01").ok());
}

TEST(ApplianceRules, SettingsChange)
{
    const core::Sections current{{"a", "1"}, {"b", "2"}, {"c", "3"}};
    const core::Sections wanted{{"a", "1"}, {"b", "x"}, {"d", "4"}};
    auto keep = local::settings_change(current, wanted, false);
    EXPECT_EQ(keep.write, (core::Sections{{"b", "x"}, {"d", "4"}}));
    EXPECT_TRUE(keep.remove.empty());
    auto exact = local::settings_change(current, wanted, true);
    EXPECT_EQ(exact.remove, std::vector<std::string>{"c"});
    EXPECT_TRUE(local::check_section_names({{"ok_1", ""}}) == std::nullopt);
    EXPECT_TRUE(local::check_section_names({{"../x", ""}}).has_value());
}

TEST(ApplianceRules, HaFacts)
{
    const local::Identity self{"hs1", "example.test", "192.0.2.10"};
    auto standalone = local::decide_ha_facts({}, {}, self);
    EXPECT_FALSE(standalone.high_availability);
    EXPECT_EQ(standalone.server_role, "Main");
    EXPECT_TRUE(standalone.dns_advice.empty());
    // Only itself in the ring: still standalone.
    EXPECT_FALSE(local::decide_ha_facts(ini("[Replication]\nRingMembers=192.0.2.10\n"), {}, self)
                     .high_availability);

    auto ha = local::decide_ha_facts(
        ini("[Replication]\nRole=Additional\nRingMembers=192.0.2.10 192.0.2.11 192.0.2.12\n"),
        ini("[LoadBalancing]\nDomain=lb.example.test\n"), self);
    EXPECT_TRUE(ha.high_availability);
    EXPECT_EQ(ha.server_role, "Additional");
    EXPECT_EQ(ha.ring_members.size(), 3u);
    ASSERT_EQ(ha.dns_advice.size(), 3u);
    EXPECT_NE(ha.dns_advice[0].find("example.test at 192.0.2.11"), std::string::npos);
    EXPECT_NE(ha.dns_advice[1].find("192.0.2.10 from the load-balancing domain lb.example.test"),
              std::string::npos);
}

TEST(ApplianceRules, Migrated)
{
    const local::MigratedRecord r{"192.0.2.2", 1700000000000000, true};
    EXPECT_EQ(local::parse_migrated(local::migrated_ini(r)), r);
    EXPECT_EQ(local::parse_migrated(ini("[Migrated]\nTo=x\nAt=1\nSwap=maybe\n")), std::nullopt);
}

// ----------------------------------------------------------------------- auth

TEST(Auth, ConstantTimeEqual)
{
    EXPECT_TRUE(peer::constant_time_equal("abc", "abc"));
    EXPECT_FALSE(peer::constant_time_equal("abc", "abd"));
    EXPECT_FALSE(peer::constant_time_equal("abc", "abcd"));
    EXPECT_FALSE(peer::constant_time_equal("", "a"));
    EXPECT_TRUE(peer::constant_time_equal("", ""));
}

TEST(Auth, Wipe)
{
    std::string s = "a longer secret than the small-string buffer";
    s.resize(3);
    const char* buffer = s.data();
    const std::size_t capacity = s.capacity();
    peer::wipe(s);
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(s.data(), buffer); // the same buffer, now all zeros
    for (std::size_t i = 0; i < capacity; ++i)
        ASSERT_EQ(buffer[i], '\0') << i;
}

TEST(Auth, Password)
{
    auto hash = peer::hash_password("s3cret pass");
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(hash->rfind("$y$", 0), 0u);
    EXPECT_TRUE(peer::verify_password("s3cret pass", *hash));
    EXPECT_FALSE(peer::verify_password("s3cret pas", *hash));
    EXPECT_FALSE(peer::verify_password("", *hash));
    EXPECT_FALSE(peer::verify_password(std::string("s3cret pass\0x", 13), *hash));
    EXPECT_FALSE(peer::verify_password("x", "*"));
    EXPECT_FALSE(peer::verify_password("x", ""));
    EXPECT_FALSE(peer::hash_password("").ok());
}

TEST(Auth, RateLimit)
{
    using O = peer::LoginOutcome;
    peer::RateLimiter l;
    const auto t0 = peer::Clock::time_point{} + 1h;
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(l.begin("192.0.2.1", t0 + i * 1s).wait, peer::Clock::duration::zero());
        l.finish("192.0.2.1", t0 + i * 1s, O::Failed);
    }
    // The 6th attempt is refused, also with the right password, until the
    // first failure leaves the 10-minute window.
    EXPECT_GT(l.begin("192.0.2.1", t0 + 5s).wait, peer::Clock::duration::zero());
    EXPECT_FALSE(l.begin("192.0.2.1", t0 + 5s).global);
    EXPECT_GT(l.begin("192.0.2.1", t0 + 9min + 59s).wait, peer::Clock::duration::zero());
    EXPECT_EQ(l.begin("192.0.2.9", t0 + 5s).wait,
              peer::Clock::duration::zero()); // others unaffected
    l.finish("192.0.2.9", t0 + 5s, O::NotChecked);
    // Only the first failure has left the window: one attempt, a success.
    EXPECT_EQ(l.begin("192.0.2.1", t0 + 10min + 100ms).wait, peer::Clock::duration::zero());
    l.finish("192.0.2.1", t0 + 10min + 100ms, O::Succeeded);
    // The success forgave the other four: five more failures before a block.
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(l.begin("192.0.2.1", t0 + 11min + i * 1s).wait, peer::Clock::duration::zero())
            << i;
        l.finish("192.0.2.1", t0 + 11min + i * 1s, O::Failed);
    }
    EXPECT_GT(l.begin("192.0.2.1", t0 + 11min + 6s).wait, peer::Clock::duration::zero());
    // A malformed request (NotChecked) neither counts nor forgives.
    EXPECT_EQ(l.begin("192.0.2.7", t0).wait, peer::Clock::duration::zero());
    l.finish("192.0.2.7", t0, O::NotChecked);
    EXPECT_EQ(l.tracked(), 1u); // 192.0.2.1 only: .7 and .9 left nothing behind
}

TEST(Auth, RateLimitInFlightAndIpv6Prefix)
{
    using O = peer::LoginOutcome;
    peer::RateLimiter l(2, 10min, 2);
    const auto t = peer::Clock::time_point{} + 1h;
    EXPECT_EQ(l.begin("2001:db8::1", t).wait, peer::Clock::duration::zero());
    EXPECT_EQ(l.begin("2001:db8::2", t).wait, peer::Clock::duration::zero()); // same /64: in flight
    EXPECT_GT(l.begin("2001:db8::3", t).wait, peer::Clock::duration::zero()); // 2 in flight = limit
    l.finish("2001:db8::1", t, O::Failed);
    l.finish("2001:db8::2", t, O::Failed);
    EXPECT_GT(l.begin("2001:db8::4", t).wait, peer::Clock::duration::zero());
}

// Issue 14 defect 7: a full table refused every new address for good, so a
// flood from 4096 addresses locked the administrator out.
TEST(Auth, FloodFromManyAddressesDoesNotLockOut)
{
    using O = peer::LoginOutcome;
    peer::RateLimiter l; // the defaults: 4096 clients, 50 failures, +1 per 2 s
    auto t = peer::Clock::time_point{} + 1h;
    unsigned refused_global = 0, admitted = 0;
    for (int i = 0; i < 5000; ++i) {
        const std::string a = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
        const auto adm = l.begin(a, t);
        if (adm.wait == peer::Clock::duration::zero()) {
            ++admitted;
            l.finish(a, t, O::Failed);
        } else {
            refused_global += adm.global ? 1 : 0;
            EXPECT_LE(adm.wait, peer::kGlobalFailureRefill);
        }
        t += 10ms; // 100 attempts per second, 50 s in all
    }
    // The total budget: the burst plus one failure per 2 s of the flood.
    EXPECT_LE(admitted, peer::kGlobalFailureBurst + 50 / 2 + 1);
    EXPECT_EQ(refused_global, 5000 - admitted);
    EXPECT_LE(l.tracked(), 4096u);
    // The flood ends: the administrator's address (one it never used) gets
    // in at the latest kGlobalFailureRefill later, and the right password
    // is accepted.
    const auto bound = t + peer::kGlobalFailureRefill;
    auto when = t;
    while (l.begin("192.0.2.50", when).wait != peer::Clock::duration::zero()) {
        when += 100ms;
        ASSERT_LE(when, bound);
    }
    l.finish("192.0.2.50", when, O::Succeeded);
    // Once it logged in, that address is exempt from the total budget
    // (ferryd logs in again after the Swap, perhaps during a new flood).
    for (int i = 0; i < 100; ++i) {
        const std::string a = "10.2.0." + std::to_string(i + 1);
        if (l.begin(a, when).wait == peer::Clock::duration::zero())
            l.finish(a, when, O::Failed);
    }
    EXPECT_EQ(l.begin("192.0.2.50", when).wait, peer::Clock::duration::zero());
    l.finish("192.0.2.50", when, O::Succeeded);
}

TEST(Auth, FullTableEvictsTheLeastRecentNotTheLoggedIn)
{
    using O = peer::LoginOutcome;
    peer::RateLimiter l(5, 10min, 3, 1000);
    const auto t = peer::Clock::time_point{} + 1h;
    ASSERT_EQ(l.begin("192.0.2.1", t).wait, peer::Clock::duration::zero());
    l.finish("192.0.2.1", t, O::Failed);
    ASSERT_EQ(l.begin("192.0.2.2", t).wait, peer::Clock::duration::zero());
    l.finish("192.0.2.2", t, O::Succeeded); // remembered as logged in
    ASSERT_EQ(l.begin("192.0.2.3", t + 1s).wait, peer::Clock::duration::zero());
    l.finish("192.0.2.3", t + 1s, O::Failed);
    // Full (3): a new address is admitted; .1 (least recent, never logged
    // in) made room, not .2.
    ASSERT_EQ(l.begin("192.0.2.4", t + 2s).wait, peer::Clock::duration::zero());
    l.finish("192.0.2.4", t + 2s, O::Failed);
    EXPECT_EQ(l.tracked(), 3u);
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(l.begin("192.0.2.9", t + 3s).wait, peer::Clock::duration::zero());
        l.finish("192.0.2.9", t + 3s, O::Failed);
    }
    EXPECT_GT(l.begin("192.0.2.9", t + 3s).wait,
              peer::Clock::duration::zero()); // its own block holds
}

TEST(Auth, Tokens)
{
    peer::TokenStore s;
    const auto t = peer::WallClock::time_point{} + 1h;
    auto tok = s.issue("192.0.2.2", t);
    ASSERT_TRUE(tok.ok());
    EXPECT_EQ(tok->size(), 64u);
    EXPECT_TRUE(s.valid(*tok, "192.0.2.2", t + 59min));
    EXPECT_FALSE(s.valid(*tok, "192.0.2.3", t));      // bound to the address
    EXPECT_FALSE(s.valid(*tok, "192.0.2.2", t + 1h)); // expired
    auto tok2 = s.issue("192.0.2.2", t);
    EXPECT_NE(*tok, *tok2);
    s.revoke_all();
    EXPECT_FALSE(s.valid(*tok2, "192.0.2.2", t));
    EXPECT_FALSE(s.valid("zz", "192.0.2.2", t));
}

TEST(Auth, TokensSurviveARestart)
{
    char tmpl[] = "/tmp/ferry-peer-tokens-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const fs::path dir = fs::path(tmpl) / "state";
    ASSERT_TRUE(peer::prepare_state_directory(dir.string()).ok());
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);

    const auto t = peer::WallClock::now();
    std::string tok;
    {
        peer::TokenStore s;
        ASSERT_TRUE(s.persist_in(dir.string(), t).ok());
        auto issued = s.issue("192.0.2.2", t);
        ASSERT_TRUE(issued.ok());
        tok = *issued;
    }
    ASSERT_EQ(::stat((dir / "tokens.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    const std::string file = read(dir / "tokens.json");
    EXPECT_EQ(file.find(tok), std::string::npos) << "only a hash of the token is kept";
    EXPECT_NE(file.find(local::sha256_hex(tok)), std::string::npos);

    // Another process (a restart, a reboot): the token still works, from
    // the same address only, until it expires.
    {
        peer::TokenStore s;
        ASSERT_TRUE(s.persist_in(dir.string(), t + 1min).ok());
        EXPECT_TRUE(s.valid(tok, "192.0.2.2", t + 1min));
        EXPECT_FALSE(s.valid(tok, "192.0.2.1", t + 1min));
        EXPECT_FALSE(s.valid(tok, "192.0.2.2", t + 1h));
    }
    // The source's address was 192.0.2.1 and its staged settings changed
    // it: a token issued before that is valid from 192.0.2.1 too (where the
    // target is after a Swap), a later one is not.
    ASSERT_TRUE(peer::record_former_address(dir.string(), "192.0.2.1", t + 2min).ok());
    {
        peer::TokenStore s;
        ASSERT_TRUE(s.persist_in(dir.string(), t + 3min).ok());
        EXPECT_TRUE(s.valid(tok, "192.0.2.1", t + 3min));
        EXPECT_TRUE(s.valid(tok, "192.0.2.2", t + 3min));
        EXPECT_FALSE(s.valid(tok, "192.0.2.9", t + 3min));
        auto later = s.issue("192.0.2.7", t + 3min);
        ASSERT_TRUE(later.ok());
        EXPECT_TRUE(s.valid(*later, "192.0.2.7", t + 3min));
        EXPECT_FALSE(s.valid(*later, "192.0.2.1", t + 3min));
        // Revoked for good: also after the next restart.
        ASSERT_TRUE(s.revoke_all().ok());
    }
    {
        peer::TokenStore s;
        ASSERT_TRUE(s.persist_in(dir.string(), t + 4min).ok());
        EXPECT_FALSE(s.valid(tok, "192.0.2.2", t + 4min));
        EXPECT_EQ(s.size(), 0u);
    }
    // A malformed file is no token, and no crash.
    write(dir / "tokens.json", "{\"version\": 1, \"tokens\": [{\"sha256\": 5}]}");
    {
        peer::TokenStore s;
        EXPECT_TRUE(s.persist_in(dir.string(), t).ok());
        EXPECT_EQ(s.size(), 0u);
    }
    fs::remove_all(tmpl);
}

TEST(Auth, Bearer)
{
    const std::string tok(64, 'a');
    EXPECT_EQ(peer::bearer_token("Bearer " + tok), tok);
    EXPECT_EQ(peer::bearer_token("bearer  " + tok + " "), tok);
    EXPECT_EQ(peer::bearer_token("Basic " + tok), "");
    EXPECT_EQ(peer::bearer_token("Bearer " + tok.substr(1)), "");
    EXPECT_EQ(peer::bearer_token("Bearer " + std::string(64, 'G')), "");
    EXPECT_EQ(peer::bearer_token(""), "");
}

// ----------------------------------------------------------------------- http

TEST(Http, Range)
{
    using R = peer::RangeAnswer;
    auto check = [](std::string_view h, uint64_t size, R::Kind k, uint64_t first = 0,
                    uint64_t last = 0) {
        const R r = peer::parse_range(h, size);
        EXPECT_EQ(r.kind, k) << h;
        if (k == R::Partial) {
            EXPECT_EQ(r.first, first) << h;
            EXPECT_EQ(r.last, last) << h;
        }
    };
    check("", 100, R::Full);
    check("bytes=0-", 100, R::Partial, 0, 99);
    check("bytes=10-", 100, R::Partial, 10, 99);
    check("bytes=10-19", 100, R::Partial, 10, 19);
    check("bytes=10-1000", 100, R::Partial, 10, 99);
    check("bytes=-10", 100, R::Partial, 90, 99);
    check("bytes=-1000", 100, R::Partial, 0, 99);
    check("BYTES = 99-", 100, R::Partial, 99, 99);
    check("bytes=100-", 100, R::Unsatisfiable);
    check("bytes=0-", 0, R::Unsatisfiable);
    check("bytes=-0", 100, R::Unsatisfiable);
    check("bytes=20-10", 100, R::Full);
    check("bytes=0-1,5-6", 100, R::Full);
    check("items=0-1", 100, R::Full);
    check("bytes=x-", 100, R::Full);
    check("bytes=99999999999999999999999-", 100, R::Full);
}

TEST(Http, ListenAddress)
{
    auto a = peer::parse_listen_address("127.0.0.2:8443");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(peer::address_text(reinterpret_cast<sockaddr*>(&a->addr)), "127.0.0.2");
    EXPECT_EQ(peer::address_port(reinterpret_cast<sockaddr*>(&a->addr)), 8443);
    auto b = peer::parse_listen_address("[::1]:443");
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(peer::address_text(reinterpret_cast<sockaddr*>(&b->addr)), "::1");
    EXPECT_FALSE(peer::parse_listen_address("::1:443").has_value());
    EXPECT_FALSE(peer::parse_listen_address("host:443").has_value());
    EXPECT_FALSE(peer::parse_listen_address("127.0.0.1:0").has_value());
    EXPECT_FALSE(peer::parse_listen_address("127.0.0.1:65536").has_value());
    EXPECT_FALSE(peer::parse_listen_address("127.0.0.1").has_value());
}

TEST(Http, Redirect)
{
    EXPECT_EQ(peer::redirect_location("hs.example.test", "192.0.2.1", 443, "/"),
              "https://hs.example.test/");
    EXPECT_EQ(peer::redirect_location("hs.example.test:80", "192.0.2.1", 8443, "/admin/x"),
              "https://hs.example.test:8443/admin/x");
    EXPECT_EQ(peer::redirect_location("", "192.0.2.1", 443, "/"), "https://192.0.2.1/");
    EXPECT_EQ(peer::redirect_location("", "::1", 443, "/"), "https://[::1]/");
    EXPECT_EQ(peer::redirect_location("[2001:db8::1]:80", "x", 443, "/"), "https://[2001:db8::1]/");
    EXPECT_EQ(peer::redirect_location("evil\r\nX: y", "192.0.2.1", 443, "/"), "https://192.0.2.1/");
    EXPECT_EQ(peer::redirect_location("h", "x", 443, "/a b\r\n"), "https://h/");
}

TEST(Http, Utf8)
{
    EXPECT_TRUE(peer::is_utf8("plain ascii"));
    EXPECT_TRUE(peer::is_utf8("gr\xc3\xbc\xc3\x9f \xf0\x9f\x98\x80"));
    EXPECT_FALSE(peer::is_utf8("\xc3"));
    EXPECT_FALSE(peer::is_utf8("\xff"));
    EXPECT_FALSE(peer::is_utf8("\xc0\xaf"));         // overlong
    EXPECT_FALSE(peer::is_utf8("\xed\xa0\x80"));     // surrogate
    EXPECT_FALSE(peer::is_utf8("\xf4\x90\x80\x80")); // > U+10FFFF
}

// --------------------------------------------------------------------- config

TEST(Config, PeerKeys)
{
    auto c =
        peer::parse_peer_config(ini("[Appliance]\nSettingsDirectory=/srv/a/settings\n"
                                    "MaintenanceFile=/run/a/maint\n"
                                    "[Peer]\nAdminPasswordHash=/etc/ferry/admin.hash\n"
                                    "Certificate=/etc/c.pem\nKey=/etc/k.pem\n"
                                    "[Database]\nSocket=/run/m.sock\nPort=3307\nRequireTLS=no\n"));
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->appliance.settings_dir, "/srv/a/settings");
    EXPECT_EQ(c->layout.staged_settings_dir, "/srv/a/settings.staged");
    EXPECT_EQ(c->layout.maintenance_file, "/run/a/maint");
    EXPECT_EQ(c->layout.migrated_file, "/srv/a/migrated.conf");
    EXPECT_EQ(c->admin_password_hash, "/etc/ferry/admin.hash");
    EXPECT_EQ(c->certificate, "/etc/c.pem");
    EXPECT_EQ(c->database.socket, "/run/m.sock");
    EXPECT_EQ(c->database.port, 3307);
    EXPECT_FALSE(c->database.require_tls);

    EXPECT_FALSE(peer::parse_peer_config(ini("[Peer]\nAdminPassword=x\n")).ok());
    EXPECT_FALSE(peer::parse_peer_config(ini("[Peer]\nKey=relative\n")).ok());
    EXPECT_FALSE(peer::parse_peer_config(ini("[Peer]\nStateDirectory=relative\n")).ok());
    EXPECT_EQ(peer::parse_peer_config({})->state_directory, "/var/lib/ferry-peer");
    EXPECT_EQ(peer::parse_peer_config(ini("[Peer]\nStateDirectory=/srv/p\n"))->state_directory,
              "/srv/p");
    EXPECT_FALSE(peer::parse_peer_config(ini("[Database]\nPort=0\n")).ok());
    EXPECT_FALSE(peer::parse_peer_config(ini("[Appliance]\nMigratedFile=x\n")).ok());
    EXPECT_FALSE(peer::parse_peer_config(ini("[Appliance]\nTypo=/x\n")).ok());
    EXPECT_TRUE(peer::parse_peer_config({}).ok());
}

TEST(Config, AdminHash)
{
    EXPECT_EQ(*peer::resolve_admin_hash("$y$abc"), "$y$abc");
    EXPECT_FALSE(peer::resolve_admin_hash("plain-password").ok());
    EXPECT_FALSE(peer::resolve_admin_hash("").ok());
    EXPECT_FALSE(peer::resolve_admin_hash("/nonexistent/hash").ok());
}

// ------------------------------------------------------------------- database

TEST(Database, Statements)
{
    EXPECT_TRUE(peer::is_temporary_account_name("ferry_0123456789abcdef"));
    EXPECT_FALSE(peer::is_temporary_account_name("ferry_admin"));
    EXPECT_FALSE(peer::is_temporary_account_name("ferry_0123456789ABCDEF"));
    EXPECT_FALSE(peer::is_temporary_account_name("root"));
    // MariaDB's PASSWORD('password').
    EXPECT_EQ(peer::native_password_hash("password"), "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    auto s = peer::create_account_statements("ferry_0123456789abcdef", "192.0.2.2", "*AB",
                                             {"hotspot", "we`ird"});
    ASSERT_EQ(s.size(), 5u);
    EXPECT_EQ(s[0], "CREATE USER 'ferry_0123456789abcdef'@'192.0.2.2' IDENTIFIED BY PASSWORD '*AB' "
                    "REQUIRE SSL");
    // Only what the copy needs (issue 14, defect 11): no REPLICATION
    // CLIENT, no LOCK TABLES; routines visible through mysql.proc (defect 0).
    EXPECT_EQ(s[1], "GRANT RELOAD ON *.* TO 'ferry_0123456789abcdef'@'192.0.2.2'");
    EXPECT_EQ(s[2], "GRANT SELECT ON `mysql`.`proc` TO 'ferry_0123456789abcdef'@'192.0.2.2'");
    EXPECT_EQ(s[4], "GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON `we``ird`.* TO "
                    "'ferry_0123456789abcdef'@'192.0.2.2'");
}

// ------------------------------------------------- appliance and Api on files

namespace {

class FakeDatabase final : public peer::DatabaseAdmin {
  public:
    core::Expected<peer::DbAccount> create_account(const std::string& host,
                                                   const std::vector<std::string>& schemas) override
    {
        hosts.push_back(host);
        last_schemas = schemas;
        return peer::DbAccount{"ferry_0123456789abcdef", "pw", 3306, true, std::string(64, 'a'),
                               std::string(40, 'b')};
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

TEST(Auth, TokenAlsoFrom)
{
    peer::TokenStore s;
    const auto t = peer::WallClock::time_point{} + 1h;
    auto tok = s.issue("192.0.2.2", t, "192.0.2.1");
    ASSERT_TRUE(tok.ok());
    EXPECT_TRUE(s.valid(*tok, "192.0.2.2", t));
    EXPECT_TRUE(s.valid(*tok, "192.0.2.1", t)); // the address after the Swap
    EXPECT_FALSE(s.valid(*tok, "192.0.2.3", t));
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

TEST(Auth, TokenExtendedForTheJob)
{
    peer::TokenStore s;
    const auto t = peer::WallClock::time_point{} + 1h;
    auto tok = s.issue("192.0.2.2", t);
    ASSERT_TRUE(tok.ok());
    EXPECT_FALSE(s.extend(*tok, "192.0.2.3", t, peer::kJobTokenLifetime).ok()); // not its address
    EXPECT_FALSE(s.valid(*tok, "192.0.2.2", t + 2h));
    tok = s.issue("192.0.2.2", t);
    auto until = s.extend(*tok, "192.0.2.2", t + 30min, peer::kJobTokenLifetime);
    ASSERT_TRUE(until.ok());
    EXPECT_EQ(*until,
              t + 30min +
                  std::chrono::duration_cast<peer::WallClock::duration>(peer::kJobTokenLifetime));
    EXPECT_TRUE(s.valid(*tok, "192.0.2.2", t + 2h));
    EXPECT_TRUE(s.valid(*tok, "192.0.2.2", t + 24h * 7));
    EXPECT_FALSE(s.valid(*tok, "192.0.2.2", t + 24h * 8));
    EXPECT_FALSE(s.extend(*tok, "192.0.2.2", t + 24h * 8, peer::kJobTokenLifetime).ok()); // expired
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
