// The login rate limit (peer/auth.hpp RateLimiter): failed attempts per
// client address in a window, and a global budget refilled over time.
#include "peer/auth.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <crypt.h>
#include <cstring>
#include <memory>
#include <sys/random.h>
#include <vector>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "core/address.hpp"
#include "system/digest.hpp"
#include "system/file_io.hpp"
#include "system/journal_store.hpp"

namespace ferry::peer {

RateLimiter::RateLimiter(unsigned max_failures, Clock::duration window, std::size_t max_clients,
                         unsigned global_burst, Clock::duration global_refill)
    : max_failures_(max_failures), window_(window),
      max_clients_(std::max<std::size_t>(max_clients, 1)), global_burst_(global_burst),
      global_refill_(global_refill), global_tokens_(global_burst)
{
}

std::string RateLimiter::key(const std::string& client)
{
    in6_addr a6{};
    if (::inet_pton(AF_INET6, client.c_str(), &a6) != 1)
        return client;
    std::memset(a6.s6_addr + 8, 0, 8);
    char buf[INET6_ADDRSTRLEN];
    ::inet_ntop(AF_INET6, &a6, buf, sizeof buf);
    return std::string(buf) + "/64";
}

void RateLimiter::prune(Clock::time_point now)
{
    for (auto it = entries_.begin(); it != entries_.end();) {
        auto& f = it->second.failures;
        f.erase(f.begin(), std::find_if(f.begin(), f.end(),
                                        [&](Clock::time_point t) { return now - t < window_; }));
        // A successful login is remembered for a window too.
        const bool remembered = it->second.logged_in && now - it->second.last_seen < window_;
        if (f.empty() && it->second.in_flight == 0 && !remembered)
            it = entries_.erase(it);
        else
            ++it;
    }
}

void RateLimiter::refill(Clock::time_point now)
{
    if (refilled_ == Clock::time_point{} || now < refilled_) {
        refilled_ = now;
        return;
    }
    const double added = std::chrono::duration<double>(now - refilled_) /
                         std::chrono::duration<double>(global_refill_);
    global_tokens_ = std::min(global_burst_, global_tokens_ + added);
    refilled_ = now;
}

// The least recently seen entry without an attempt in flight; entries that
// never logged in go first. False when every entry is in flight.
bool RateLimiter::evict_one()
{
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second.in_flight > 0)
            continue;
        if (victim == entries_.end() || it->second.logged_in < victim->second.logged_in ||
            (it->second.logged_in == victim->second.logged_in &&
             it->second.last_seen < victim->second.last_seen))
            victim = it;
    }
    if (victim == entries_.end())
        return false;
    entries_.erase(victim);
    return true;
}

Admission RateLimiter::begin(const std::string& client, Clock::time_point now)
{
    prune(now);
    refill(now);
    const std::string k = key(client);
    auto it = entries_.find(k);
    const bool trusted = it != entries_.end() && it->second.logged_in;
    // The total budget: a failure in flight may still spend the last token,
    // so an attempt needs one whole token that is not yet spoken for.
    unsigned in_flight = 0;
    for (const auto& [_, e] : entries_)
        in_flight += e.in_flight;
    if (!trusted && global_tokens_ - in_flight < 1.0) {
        const double missing = 1.0 - (global_tokens_ - in_flight);
        const auto wait = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(global_refill_) * std::max(missing, 0.05));
        return Admission{std::max<Clock::duration>(wait, std::chrono::milliseconds(1)), true};
    }
    if (it == entries_.end()) {
        if (entries_.size() >= max_clients_ && !evict_one())
            return Admission{std::chrono::seconds(1), true};
        it = entries_.emplace(k, Entry{}).first;
    }
    Entry& e = it->second;
    e.last_seen = now;
    if (e.failures.size() + e.in_flight >= max_failures_) {
        if (e.failures.size() < max_failures_)
            return Admission{std::chrono::seconds(1), false}; // the others are still being checked
        // Blocked until enough failures have left the window.
        const auto until = e.failures[e.failures.size() - max_failures_] + window_;
        return Admission{std::max<Clock::duration>(until - now, std::chrono::seconds(1)), false};
    }
    ++e.in_flight;
    return Admission{};
}

void RateLimiter::finish(const std::string& client, Clock::time_point now, LoginOutcome outcome)
{
    const bool failed = outcome == LoginOutcome::Failed;
    refill(now);
    auto it = entries_.find(key(client));
    if (it != entries_.end()) {
        Entry& e = it->second;
        if (e.in_flight > 0)
            --e.in_flight;
        e.last_seen = now;
        if (failed) {
            e.failures.push_back(now);
        } else if (outcome == LoginOutcome::Succeeded) {
            // The right password from here: its earlier failures were typos.
            e.failures.clear();
            e.logged_in = true;
        }
    }
    if (failed)
        global_tokens_ = std::max(global_tokens_ - 1.0, -global_burst_);
    prune(now);
}

} // namespace ferry::peer
