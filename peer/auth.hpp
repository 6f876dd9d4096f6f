// Authentication of the peer API (docs/peer-api.md "Authentication"):
// the Admin password against its crypt(3) hash, the per-address rate limit
// of failed logins, and the bearer tokens. Time is passed in, so every rule
// is tested without waiting.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace ferry::peer {

using Clock = std::chrono::steady_clock;

inline constexpr unsigned kMaxFailedLogins = 5;
inline constexpr auto kFailureWindow = std::chrono::minutes(10);
inline constexpr auto kTokenLifetime = std::chrono::hours(1);
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

// Failed logins per client address: after kMaxFailedLogins failures
// within kFailureWindow every attempt is refused until the oldest of them
// leaves the window. A success does not forgive earlier failures. IPv6
// clients are counted per /64 (one host usually owns the whole prefix).
// When `max_clients` addresses are being tracked, unknown addresses are
// refused too (fail closed) until entries expire.
class RateLimiter {
  public:
    explicit RateLimiter(unsigned max_failures = kMaxFailedLogins,
                         Clock::duration window = kFailureWindow, std::size_t max_clients = 4096);

    // Zero when an attempt may start (and is then counted as in flight
    // until finish()); otherwise how long the client must wait.
    Clock::duration begin(const std::string& client, Clock::time_point now);
    void finish(const std::string& client, Clock::time_point now, bool failed);

  private:
    struct Entry {
        std::vector<Clock::time_point> failures; // oldest first
        unsigned in_flight = 0;
    };
    void prune(Clock::time_point now);
    static std::string key(const std::string& client);

    unsigned max_failures_;
    Clock::duration window_;
    std::size_t max_clients_;
    std::map<std::string, Entry> entries_;
};

// Bearer tokens: 32 random bytes in hex, valid for kTokenLifetime, only
// from the address that logged in. Only a SHA-256 of each token is kept,
// so the lookup reveals nothing through its timing.
class TokenStore {
  public:
    explicit TokenStore(Clock::duration lifetime = kTokenLifetime, std::size_t max_tokens = 64);

    core::Expected<std::string> issue(const std::string& client, Clock::time_point now);
    bool valid(const std::string& token, const std::string& client, Clock::time_point now);
    void revoke_all() { tokens_.clear(); }
    std::size_t size() const { return tokens_.size(); }

  private:
    struct Entry {
        std::string client;
        Clock::time_point expires;
    };
    Clock::duration lifetime_;
    std::size_t max_tokens_;
    std::map<std::string, Entry> tokens_; // sha256(token) -> entry
};

// "Bearer <64 hex>" -> the token; empty when malformed.
std::string bearer_token(std::string_view authorization);

} // namespace ferry::peer
