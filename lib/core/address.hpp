// Validation of the source address typed in the Source step. The wizard
// asks for an IP address, so host names are refused with a clear message.
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace ferry::core {

struct Address {
    std::string text; // canonical form
    bool ipv6 = false;
    bool operator==(const Address&) const = default;
};

inline constexpr std::size_t kMaxAddressLength = 64;

// InvalidArgument for anything but a unicast IPv4/IPv6 literal.
Expected<Address> parse_address(std::string_view text);

} // namespace ferry::core
