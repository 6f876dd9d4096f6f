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

#include "local/digest.hpp"

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

RateLimiter::RateLimiter(unsigned max_failures, Clock::duration window, std::size_t max_clients)
    : max_failures_(max_failures), window_(window), max_clients_(max_clients)
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
        if (f.empty() && it->second.in_flight == 0)
            it = entries_.erase(it);
        else
            ++it;
    }
}

Clock::duration RateLimiter::begin(const std::string& client, Clock::time_point now)
{
    prune(now);
    const std::string k = key(client);
    auto it = entries_.find(k);
    if (it == entries_.end()) {
        if (entries_.size() >= max_clients_)
            return window_;
        it = entries_.emplace(k, Entry{}).first;
    }
    Entry& e = it->second;
    if (e.failures.size() + e.in_flight >= max_failures_) {
        if (e.failures.size() < max_failures_)
            return std::chrono::seconds(1); // the others are still being checked
        // Blocked until enough failures have left the window.
        const auto until = e.failures[e.failures.size() - max_failures_] + window_;
        return std::max<Clock::duration>(until - now, std::chrono::seconds(1));
    }
    ++e.in_flight;
    return Clock::duration::zero();
}

void RateLimiter::finish(const std::string& client, Clock::time_point now, bool failed)
{
    auto it = entries_.find(key(client));
    if (it == entries_.end())
        return;
    if (it->second.in_flight > 0)
        --it->second.in_flight;
    if (failed)
        it->second.failures.push_back(now);
    prune(now);
}

// ----------------------------------------------------------------- TokenStore

TokenStore::TokenStore(Clock::duration lifetime, std::size_t max_tokens)
    : lifetime_(lifetime), max_tokens_(max_tokens)
{
}

core::Expected<std::string> TokenStore::issue(const std::string& client, Clock::time_point now)
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
    tokens_[local::sha256_hex(*token)] = Entry{client, now + lifetime_};
    return token;
}

bool TokenStore::valid(const std::string& token, const std::string& client, Clock::time_point now)
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
    return it->second.client == client;
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
