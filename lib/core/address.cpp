#include "core/address.hpp"

#include <arpa/inet.h>
#include <cstring>

namespace ferry::core {
namespace {

Error invalid(std::string_view text, std::string_view why)
{
    std::string shown(text.substr(0, kMaxAddressLength));
    for (auto& c : shown)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            c = '?';
    return Error{Code::InvalidArgument, "'" + shown + "' is not a usable source address: " +
                                            std::string(why) + ".",
                 "Type the IPv4 or IPv6 address of the source system, e.g. 192.0.2.10."};
}

} // namespace

Expected<Address> parse_address(std::string_view text)
{
    if (text.empty())
        return Error{Code::InvalidArgument, "The source address is empty.",
                     "Type the IPv4 or IPv6 address of the source system."};
    if (text.size() > kMaxAddressLength)
        return invalid(text, "it is too long");

    const std::string s(text);
    char buf[INET6_ADDRSTRLEN] = {};
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        const uint32_t a = ntohl(v4.s_addr);
        if (a == 0)
            return invalid(text, "it is the unspecified address");
        if (a == 0xffffffffu)
            return invalid(text, "it is the broadcast address");
        if ((a >> 28) == 0xe)
            return invalid(text, "it is a multicast address");
        inet_ntop(AF_INET, &v4, buf, sizeof buf);
        return Address{buf, false};
    }
    if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
        static const in6_addr any = IN6ADDR_ANY_INIT;
        if (std::memcmp(&v6, &any, sizeof v6) == 0)
            return invalid(text, "it is the unspecified address");
        if (v6.s6_addr[0] == 0xff)
            return invalid(text, "it is a multicast address");
        inet_ntop(AF_INET6, &v6, buf, sizeof buf);
        return Address{buf, true};
    }
    return invalid(text, "it is not an IP address");
}

} // namespace ferry::core
