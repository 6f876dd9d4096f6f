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
namespace {

constexpr std::size_t kTokenBytes = 32;

bool is_lower_hex(std::string_view s)
{
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Overwrites a string's bytes before it is freed.
struct Wipe {
    std::string& s;
    ~Wipe() { wipe(s); }
};

} // namespace

void wipe(std::string& s)
{
    s.resize(s.capacity());
    explicit_bzero(s.data(), s.size());
    s.clear();
}

bool constant_time_equal(std::string_view a, std::string_view b)
{
    // Compare over the longer length so that the time does not depend on
    // where the first difference is.
    const std::size_t n = std::max(a.size(), b.size());
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

bool verify_password(std::string_view password, const std::string& hash)
{
    if (hash.empty() || hash[0] == '*' || password.size() > kMaxPasswordLength ||
        password.find('\0') != std::string_view::npos)
        return false;
    std::string pw(password);
    Wipe wipe{pw};
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char* out = ::crypt_r(pw.c_str(), hash.c_str(), data.get());
    // libxcrypt returns a string starting with '*' on failure, never NULL
    // (crypt_r may with other libraries).
    const bool ok = out && out[0] != '*' && constant_time_equal(out, hash);
    explicit_bzero(data.get(), sizeof(crypt_data));
    return ok;
}

core::Expected<std::string> hash_password(std::string_view password)
{
    if (password.empty() || password.size() > kMaxPasswordLength ||
        password.find('\0') != std::string_view::npos)
        return core::Error{
            core::Code::InvalidArgument, "The password must be 1 to 1024 bytes without NUL.", {}};
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!::crypt_gensalt_rn("$y$", 0, nullptr, 0, salt, sizeof salt))
        return core::Error{core::Code::Internal,
                           std::string("Cannot make a salt: ") + std::strerror(errno) + ".",
                           {}};
    std::string pw(password);
    Wipe wipe{pw};
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char* out = ::crypt_r(pw.c_str(), salt, data.get());
    if (!out || out[0] == '*')
        return core::Error{core::Code::Internal, "crypt(3) failed.", {}};
    std::string hash = out;
    explicit_bzero(data.get(), sizeof(crypt_data));
    return hash;
}

core::Expected<std::string> random_hex(std::size_t n)
{
    std::vector<unsigned char> buf(n);
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::getrandom(buf.data() + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return core::Error{
                core::Code::Internal, std::string("getrandom: ") + std::strerror(errno) + ".", {}};
        }
        got += static_cast<std::size_t>(r);
    }
    std::string hex = local::to_hex(buf.data(), buf.size());
    explicit_bzero(buf.data(), buf.size());
    return hex;
}

// ---------------------------------------------------------------- RateLimiter

RateLimiter::RateLimiter(unsigned max_failures, Clock::duration window, std::size_t max_clients,
                         unsigned global_burst, Clock::duration global_refill)
    : max_failures_(max_failures), window_(window), max_clients_(std::max<std::size_t>(max_clients, 1)),
      global_burst_(global_burst), global_refill_(global_refill), global_tokens_(global_burst)
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

// ----------------------------------------------------------------- TokenStore

namespace {

using nlohmann::json;

int64_t to_usec(WallClock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

WallClock::time_point from_usec(int64_t usec)
{
    return WallClock::time_point(
        std::chrono::duration_cast<WallClock::duration>(std::chrono::microseconds(usec)));
}

// A small JSON file of the state directory; discarded (null) when missing
// or malformed.
json read_json(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return nullptr;
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        spdlog::warn("{} is malformed; ignored.", path);
        return nullptr;
    }
    return j;
}

} // namespace

TokenStore::TokenStore(Clock::duration lifetime, std::size_t max_tokens)
    : lifetime_(lifetime), max_tokens_(max_tokens)
{
}

core::Expected<bool> TokenStore::persist_in(const std::string& dir, WallClock::time_point now)
{
    file_ = dir + "/tokens.json";
    former_ = read_former_address(dir);
    const json j = read_json(file_);
    if (j.is_object() && j.value("version", 0) == 1 && j.contains("tokens") &&
        j["tokens"].is_array()) {
        for (const auto& t : j["tokens"]) {
            if (!t.is_object() || !t.contains("sha256") || !t["sha256"].is_string() ||
                !t.contains("client") || !t["client"].is_string() ||
                !t.contains("expires_usec") || !t["expires_usec"].is_number_integer())
                continue;
            const std::string hash = t["sha256"].get<std::string>();
            const auto expires = from_usec(t["expires_usec"].get<int64_t>());
            if (hash.size() != 64 || !is_lower_hex(hash) || expires <= now)
                continue;
            if (tokens_.size() < max_tokens_)
                tokens_[hash] = Entry{
                    t["client"].get<std::string>(), expires, t.value("also_from", std::string()),
                    t.contains("issued_usec") && t["issued_usec"].is_number_integer()
                        ? from_usec(t["issued_usec"].get<int64_t>())
                        : expires - std::chrono::duration_cast<WallClock::duration>(lifetime_)};
        }
    }
    if (former_)
        spdlog::info("Tokens issued before {} are valid from {} as well (the staged settings "
                     "changed this system's address).",
                     to_usec(former_->applied), former_->address);
    // Written back at once: expired entries go, and a directory that
    // cannot be written is found now, not at the first login.
    return save();
}

core::Expected<bool> TokenStore::save() const
{
    if (file_.empty())
        return true;
    json list = json::array();
    for (const auto& [hash, e] : tokens_)
        list.push_back(json{{"sha256", hash},
                            {"client", e.client},
                            {"expires_usec", to_usec(e.expires)},
                            {"also_from", e.also_from},
                            {"issued_usec", to_usec(e.issued)}});
    return local::write_file_atomic(file_, json{{"version", 1}, {"tokens", list}}.dump() + "\n", 0600);
}

core::Expected<std::string> TokenStore::issue(const std::string& client, WallClock::time_point now,
                                              const std::string& also_from)
{
    std::erase_if(tokens_, [&](const auto& kv) { return kv.second.expires <= now; });
    while (tokens_.size() >= max_tokens_) {
        auto oldest =
            std::min_element(tokens_.begin(), tokens_.end(), [](const auto& a, const auto& b) {
                return a.second.expires < b.second.expires;
            });
        tokens_.erase(oldest);
    }
    auto token = random_hex(kTokenBytes);
    if (!token)
        return token.error();
    const std::string hash = local::sha256_hex(*token);
    tokens_[hash] =
        Entry{client, now + std::chrono::duration_cast<WallClock::duration>(lifetime_), also_from, now};
    // A token that would not survive a restart is not handed out.
    if (auto w = save(); !w) {
        tokens_.erase(hash);
        wipe(*token);
        return w.error();
    }
    return token;
}

bool TokenStore::valid(const std::string& token, const std::string& client, WallClock::time_point now)
{
    if (token.size() != 2 * kTokenBytes || !is_lower_hex(token))
        return false;
    const auto it = tokens_.find(local::sha256_hex(token));
    if (it == tokens_.end())
        return false;
    if (it->second.expires <= now) {
        tokens_.erase(it);
        return false;
    }
    if (it->second.client == client || (!it->second.also_from.empty() && it->second.also_from == client))
        return true;
    // After a Swap: the target now uses this system's former address.
    const auto issued = it->second.issued;
    return former_ && !former_->address.empty() && client == former_->address &&
           issued < former_->applied;
}

core::Expected<WallClock::time_point> TokenStore::extend(const std::string& token,
                                                         const std::string& client,
                                                         WallClock::time_point now,
                                                         Clock::duration lifetime)
{
    if (!valid(token, client, now))
        return core::Error{core::Code::InvalidArgument, "The token is not valid.", {}};
    auto& e = tokens_.at(local::sha256_hex(token));
    const auto before = e.expires;
    e.expires = std::max(e.expires, now + std::chrono::duration_cast<WallClock::duration>(lifetime));
    if (auto w = save(); !w) {
        e.expires = before;
        return w.error();
    }
    return e.expires;
}

core::Expected<bool> TokenStore::revoke_all()
{
    tokens_.clear();
    return save();
}

core::Expected<bool> prepare_state_directory(const std::string& dir)
{
    std::error_code ec;
    const std::filesystem::path p(dir);
    if (p.has_parent_path() && !std::filesystem::exists(p.parent_path(), ec)) {
        std::filesystem::create_directories(p.parent_path(), ec);
        if (ec)
            return local::io_error("Cannot create", p.parent_path().string(), ec.value());
    }
    if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST)
        return local::io_error("Cannot create", dir, errno);
    if (::chmod(dir.c_str(), 0700) < 0)
        return local::io_error("Cannot chmod", dir, errno);
    return true;
}

core::Expected<bool> record_former_address(const std::string& dir, const std::string& address,
                                           WallClock::time_point applied)
{
    auto a = core::parse_address(address);
    if (!a)
        return a.error();
    return local::write_file_atomic(
        dir + "/former-address.json",
        json{{"address", a->text}, {"applied_at_usec", to_usec(applied)}}.dump() + "\n", 0600);
}

std::optional<FormerAddress> read_former_address(const std::string& dir)
{
    const json j = read_json(dir + "/former-address.json");
    if (!j.is_object() || !j.contains("address") || !j["address"].is_string() ||
        !j.contains("applied_at_usec") || !j["applied_at_usec"].is_number_integer())
        return std::nullopt;
    auto a = core::parse_address(j["address"].get<std::string>());
    if (!a)
        return std::nullopt;
    return FormerAddress{a->text, from_usec(j["applied_at_usec"].get<int64_t>())};
}

std::string bearer_token(std::string_view authorization)
{
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() <= kScheme.size())
        return {};
    for (std::size_t i = 0; i < kScheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i])
            return {};
    std::string_view t = authorization.substr(kScheme.size());
    while (!t.empty() && t.front() == ' ')
        t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
        t.remove_suffix(1);
    if (t.size() != 2 * kTokenBytes || !is_lower_hex(t))
        return {};
    return std::string(t);
}

} // namespace ferry::peer
