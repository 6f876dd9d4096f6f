// Authentication of the peer API (docs/peer-api.md "Authentication"):
// the Admin password against its crypt(3) hash, the per-address rate limit
// of failed logins, and the bearer tokens. Time is passed in, so every rule
// is tested without waiting.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace ferry::peer {

using Clock = std::chrono::steady_clock;     // the rate limit
using WallClock = std::chrono::system_clock; // token expiry (survives reboots)

inline constexpr unsigned kMaxFailedLogins = 5;
inline constexpr auto kFailureWindow = std::chrono::minutes(10);
inline constexpr auto kTokenLifetime = std::chrono::hours(1);
// What a token may be extended to once a job uses it (POST /token/extend):
// a job outlives an hour (a long data copy, a reboot, a Resume() the next
// day), and the final operation revokes every token anyway.
inline constexpr auto kJobTokenLifetime = std::chrono::hours(24 * 7);
inline constexpr std::size_t kMaxPasswordLength = 1024;

// Overwrites every byte a string owns (up to its capacity, so also what a
// move or a shrink left behind) and empties it.
void wipe(std::string& s);

// Equal contents, in time that depends on the lengths only.
bool constant_time_equal(std::string_view a, std::string_view b);

// crypt(3) of `password` with the setting in `hash`, compared in constant
// time. False for a malformed hash or a password with a NUL.
bool verify_password(std::string_view password, const std::string& hash);

// A new yescrypt hash ($y$, libxcrypt's default) of `password`.
core::Expected<std::string> hash_password(std::string_view password);

// `n` bytes from getrandom(2), as 2n lower-case hex digits.
core::Expected<std::string> random_hex(std::size_t n);

// Failed logins, per client address and in total (docs/peer-api.md
// "Authentication"):
// - per address: after kMaxFailedLogins failures within kFailureWindow
//   every attempt from it is refused until the oldest of them leaves the
//   window; a success from it forgives its failures. IPv6 clients are
//   counted per /64 (one host usually owns the whole prefix).
// - at most `max_clients` addresses are tracked: when the table is full
//   the least recently seen entry without an attempt in flight makes room
//   (entries that never logged in first). A flood from many addresses
//   therefore never refuses an address it did not use.
// - in total: failures spend a token bucket of `global_burst` tokens that
//   refills at one token per `global_refill`; while it is empty every
//   attempt (from an address that never logged in successfully) waits.
//   This bounds the guesses of an attacker with many addresses to
//   global_burst + elapsed / global_refill, and a correct password gets
//   through at the latest global_refill after a flood ends.
struct Admission {
    Clock::duration wait{}; // zero: may start (in flight until finish())
    bool global = false;    // refused by the total budget, not this address's
};

enum class LoginOutcome { Failed, Succeeded, NotChecked };

inline constexpr unsigned kGlobalFailureBurst = 50;
inline constexpr auto kGlobalFailureRefill = std::chrono::seconds(2);

class RateLimiter {
  public:
    explicit RateLimiter(unsigned max_failures = kMaxFailedLogins,
                         Clock::duration window = kFailureWindow, std::size_t max_clients = 4096,
                         unsigned global_burst = kGlobalFailureBurst,
                         Clock::duration global_refill = kGlobalFailureRefill);

    Admission begin(const std::string& client, Clock::time_point now);
    void finish(const std::string& client, Clock::time_point now, LoginOutcome outcome);
    std::size_t tracked() const { return entries_.size(); }

  private:
    struct Entry {
        std::vector<Clock::time_point> failures; // oldest first
        unsigned in_flight = 0;
        Clock::time_point last_seen{};
        bool logged_in = false; // a success from here: exempt from the total budget
    };
    void prune(Clock::time_point now);
    void refill(Clock::time_point now);
    bool evict_one();
    static std::string key(const std::string& client);

    unsigned max_failures_;
    Clock::duration window_;
    std::size_t max_clients_;
    double global_burst_;
    Clock::duration global_refill_;
    double global_tokens_;
    Clock::time_point refilled_{};
    std::map<std::string, Entry> entries_;
};

// Where a token is valid besides the address that logged in: set by
// `ferry-peer --apply-staged` (record_former_address) when the staged
// settings change this appliance's address at boot. After a Swap the
// target comes up at the source's former address, so a token issued
// before that boot is valid from this appliance's own former address too.
struct FormerAddress {
    std::string address;           // canonical IP literal
    WallClock::time_point applied; // tokens issued before this qualify
};

// Bearer tokens: 32 random bytes in hex, valid for kTokenLifetime, only
// from the address that logged in (and see FormerAddress). Only a SHA-256
// of each token is kept, so the lookup reveals nothing through its timing.
// Expiry is wall-clock time (CLOCK_REALTIME), so that it means the same
// after a reboot: with persist_in() the store survives restarts and the
// source's reboot of a Swap Configuration.
class TokenStore {
  public:
    explicit TokenStore(Clock::duration lifetime = kTokenLifetime, std::size_t max_tokens = 64);

    // From now on every change is written to DIR/tokens.json (hashes,
    // clients and expiry only; atomically, 0600) before it takes effect
    // for the caller; loads the tokens and DIR/former-address.json found
    // there. Expired tokens are dropped.
    core::Expected<bool> persist_in(const std::string& dir, WallClock::time_point now);

    // `also_from`: a second address the token is valid from (empty: none).
    // A ring node's ferry-peer issues one to the target for the address it
    // will have after the Swap (the source's), since nothing there applies
    // staged settings that would tell it.
    core::Expected<std::string> issue(const std::string& client, WallClock::time_point now,
                                      const std::string& also_from = {});
    bool valid(const std::string& token, const std::string& client, WallClock::time_point now);
    // A valid token (as valid()) then expires at now + `lifetime` at the
    // earliest; persisted before it returns. InvalidArgument for a token
    // that is not valid.
    core::Expected<WallClock::time_point> extend(const std::string& token, const std::string& client,
                                                 WallClock::time_point now, Clock::duration lifetime);
    core::Expected<bool> revoke_all();
    std::size_t size() const { return tokens_.size(); }
    void set_former_address(std::optional<FormerAddress> f) { former_ = std::move(f); }

  private:
    struct Entry {
        std::string client;
        WallClock::time_point expires;
        std::string also_from;
        WallClock::time_point issued;
    };
    core::Expected<bool> save() const;

    Clock::duration lifetime_;
    std::size_t max_tokens_;
    std::map<std::string, Entry> tokens_; // sha256(token) -> entry
    std::string file_;                    // empty: memory only
    std::optional<FormerAddress> former_;
};

// The peer's state directory ([Peer] StateDirectory=): created 0700 (its
// parents 0755) and made 0700 if it exists.
core::Expected<bool> prepare_state_directory(const std::string& dir);

// DIR/former-address.json: `address` (this appliance's address before the
// staged settings are applied) and the time of the apply.
core::Expected<bool> record_former_address(const std::string& dir, const std::string& address,
                                           WallClock::time_point applied);
// nullopt when there is none (or it is unreadable: no extra address).
std::optional<FormerAddress> read_former_address(const std::string& dir);

// "Bearer <64 hex>" -> the token; empty when malformed.
std::string bearer_token(std::string_view authorization);

} // namespace ferry::peer
