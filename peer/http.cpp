#include "peer/http.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <cstring>
#include <netinet/in.h>

namespace ferry::peer {
namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool parse_u64(std::string_view s, uint64_t& v)
{
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_host_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}

} // namespace

RangeAnswer parse_range(std::string_view header, uint64_t size)
{
    header = trim(header);
    const auto eq = header.find('=');
    if (header.empty() || eq == std::string_view::npos ||
        !iequals(trim(header.substr(0, eq)), "bytes"))
        return {};
    const std::string_view spec = trim(header.substr(eq + 1));
    if (spec.find(',') != std::string_view::npos)
        return {};
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos)
        return {};
    const std::string_view a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
    uint64_t first = 0, last = 0;
    if (a.empty()) { // suffix: the last N bytes
        if (!parse_u64(b, last))
            return {};
        if (last == 0 || size == 0)
            return {RangeAnswer::Unsatisfiable};
        return {RangeAnswer::Partial, size - std::min(last, size), size - 1};
    }
    if (!parse_u64(a, first))
        return {};
    if (b.empty()) {
        last = size == 0 ? 0 : size - 1;
    } else {
        if (!parse_u64(b, last) || last < first)
            return {};
        last = std::min(last, size == 0 ? 0 : size - 1);
    }
    if (first >= size)
        return {RangeAnswer::Unsatisfiable};
    return {RangeAnswer::Partial, first, last};
}

std::optional<ListenAddress> parse_listen_address(std::string_view text)
{
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon)
            return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    uint64_t p = 0;
    if (!parse_u64(port, p) || p == 0 || p > 65535)
        return std::nullopt;
    const std::string h(host);
    ListenAddress out;
    auto* in4 = reinterpret_cast<sockaddr_in*>(&out.addr);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
    if (::inet_pton(AF_INET, h.c_str(), &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(static_cast<uint16_t>(p));
        out.len = sizeof(sockaddr_in);
        return out;
    }
    out.addr = {};
    if (::inet_pton(AF_INET6, h.c_str(), &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(static_cast<uint16_t>(p));
        out.len = sizeof(sockaddr_in6);
        return out;
    }
    return std::nullopt;
}

std::string address_text(const sockaddr* sa)
{
    char buf[INET6_ADDRSTRLEN] = "";
    if (!sa)
        return {};
    if (sa->sa_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
    } else if (sa->sa_family == AF_INET6) {
        const auto* a6 = &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a6))
            ::inet_ntop(AF_INET, a6->s6_addr + 12, buf, sizeof buf);
        else
            ::inet_ntop(AF_INET6, a6, buf, sizeof buf);
    }
    return buf;
}

uint16_t address_port(const sockaddr* sa)
{
    if (sa && sa->sa_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
    if (sa && sa->sa_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port);
    return 0;
}

std::string redirect_location(std::string_view host_header, std::string_view fallback_host,
                              uint16_t https_port, std::string_view path)
{
    std::string host;
    std::string_view h = trim(host_header);
    if (!h.empty() && h.front() == '[') { // [IPv6]:port
        const auto close = h.find(']');
        const std::string inner(close == std::string_view::npos ? "" : h.substr(1, close - 1));
        in6_addr a6{};
        if (!inner.empty() && ::inet_pton(AF_INET6, inner.c_str(), &a6) == 1)
            host = "[" + inner + "]";
    } else {
        const auto colon = h.find(':');
        const std::string_view name = h.substr(0, colon);
        if (!name.empty() && name.size() <= 253 &&
            std::all_of(name.begin(), name.end(), is_host_char))
            host = std::string(name);
    }
    if (host.empty()) {
        host = std::string(fallback_host);
        if (host.find(':') != std::string::npos)
            host = "[" + host + "]";
    }
    std::string location = "https://" + host;
    if (https_port != 443)
        location += ":" + std::to_string(https_port);
    const bool plain_path = !path.empty() && path.front() == '/' && path.size() <= 1024 &&
                            std::all_of(path.begin(), path.end(), [](char c) {
                                return std::isalnum(static_cast<unsigned char>(c)) || c == '/' ||
                                       c == '-' || c == '.' || c == '_' || c == '~';
                            });
    location += plain_path ? std::string(path) : std::string("/");
    return location;
}

bool is_utf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n;
        uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) // truncated sequence
            return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        // Overlong forms, surrogates and values beyond U+10FFFF.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return false;
        i += n + 1;
    }
    return true;
}

} // namespace ferry::peer
