// The peer's authentication without a network: constant-time compare,
// wiping, crypt(3) passwords, the login rate limit, the scoped tokens.
#include "peer/tests/helpers.hpp"

using namespace ferry;
using namespace ferry::peer_tests;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

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
