// The scoped tokens of the peer API (peer/auth.hpp TokenStore), kept
// across restarts in the state directory, the former address record, and
// the bearer token of a request.
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

} // namespace

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
                !t.contains("client") || !t["client"].is_string() || !t.contains("expires_usec") ||
                !t["expires_usec"].is_number_integer())
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
    return local::write_file_atomic(file_, json{{"version", 1}, {"tokens", list}}.dump() + "\n",
                                    0600);
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
    tokens_[hash] = Entry{client, now + std::chrono::duration_cast<WallClock::duration>(lifetime_),
                          also_from, now};
    // A token that would not survive a restart is not handed out.
    if (auto w = save(); !w) {
        tokens_.erase(hash);
        wipe(*token);
        return w.error();
    }
    return token;
}

bool TokenStore::valid(const std::string& token, const std::string& client,
                       WallClock::time_point now)
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
    if (it->second.client == client ||
        (!it->second.also_from.empty() && it->second.also_from == client))
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
    e.expires =
        std::max(e.expires, now + std::chrono::duration_cast<WallClock::duration>(lifetime));
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
