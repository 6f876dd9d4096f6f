// Small HTTP decisions of the peer API as pure functions: Range requests,
// listen addresses, client addresses, the port-80 redirect target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace ferry::peer {

// A "Range:" header against a file of `size` bytes (RFC 9110 §14). Only a
// single byte range is served; anything else (another unit, several
// ranges, a malformed or reversed range) is ignored and the whole file is
// sent, as the RFC allows. A range starting at or beyond the end is
// unsatisfiable (416).
struct RangeAnswer {
    enum Kind { Full, Partial, Unsatisfiable } kind = Full;
    uint64_t first = 0;
    uint64_t last = 0; // inclusive; meaningful for Partial
};
RangeAnswer parse_range(std::string_view header, uint64_t size);

// "ADDR:PORT" or "[IPV6]:PORT" with a numeric address.
struct ListenAddress {
    sockaddr_storage addr{};
    socklen_t len = 0;
};
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// The numeric address of a peer, IPv4-mapped IPv6 shown as IPv4.
std::string address_text(const sockaddr* sa);
uint16_t address_port(const sockaddr* sa);

// Where the port-80 listener sends a request: https://HOST[:PORT]/PATH.
// HOST is the request's Host header without its port (or `fallback_host`
// when it is missing or malformed); PORT is omitted when it is 443; a path
// with anything but unreserved characters and '/' becomes "/".
std::string redirect_location(std::string_view host_header, std::string_view fallback_host,
                              uint16_t https_port, std::string_view path);

// Valid UTF-8 (JSON strings must be).
bool is_utf8(std::string_view s);

} // namespace ferry::peer
