#include "core/network_file.hpp"

#include "core/address.hpp"
#include "core/ini.hpp"

#include <algorithm>

namespace ferry::core {
namespace {

Error invalid(std::string message)
{
    return Error{Code::InvalidArgument, std::move(message),
                 "Correct the network section of the settings (Network Settings on the appliance)."};
}

// `s` for a message: as is when printable ASCII, else a placeholder.
std::string shown(std::string_view s)
{
    for (const char c : s)
        if (c < 0x20 || c > 0x7e)
            return "(" + std::to_string(s.size()) + " bytes with unprintable characters)";
    return "\"" + std::string(s.substr(0, 64)) + (s.size() > 64 ? "...\"" : "\"");
}

bool is_ldh(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

} // namespace

bool is_valid_host_name(std::string_view name)
{
    if (name.empty() || name.size() > 64)
        return false;
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        const std::string_view label = name.substr(start, dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (const char c : label)
            if (!is_ldh(c))
                return false;
        start = dot + 1;
    }
    return true;
}

Expected<std::string> host_name_of(std::string_view network_section)
{
    auto ini = parse_ini(network_section);
    if (!ini)
        return invalid("The network settings are malformed: " + ini.error().message);
    std::string host = ini_get(*ini, "Network", "HostName");
    if (!host.empty() && !is_valid_host_name(host))
        return invalid("The network settings have an invalid HostName= " + shown(host) +
                       ": a host name is 1 to 64 letters, digits, '-' and '.' (RFC 1123).");
    return host;
}

Expected<NetworkFile> network_file_from_settings(std::string_view network_section)
{
    auto ini = parse_ini(network_section);
    if (!ini)
        return invalid("The network settings are malformed: " + ini.error().message);
    auto address = parse_address(ini_get(*ini, "Network", "Address"));
    if (!address)
        return invalid("The network settings have no valid Address=: " + address.error().message);

    const std::string prefix_text = ini_get(*ini, "Network", "PrefixLength", address->ipv6 ? "64" : "24");
    const int max_prefix = address->ipv6 ? 128 : 32;
    int prefix = -1;
    if (!prefix_text.empty() && prefix_text.size() <= 3 &&
        prefix_text.find_first_not_of("0123456789") == std::string::npos)
        prefix = std::stoi(prefix_text);
    if (prefix < 1 || prefix > max_prefix)
        return invalid("The network settings have an invalid PrefixLength=" + prefix_text + ".");

    NetworkFile f;
    f.address = address->text;
    f.prefix = prefix;
    f.text = "# Written at boot by ferry-peer --apply-network from the network\n"
             "# settings section (ferry-appliance-network.service). Do not edit.\n"
             "[Match]\nType=ether\n\n[Network]\n"
             "Address=" + address->text + "/" + std::to_string(prefix) + "\n";
    if (const auto gw = ini_get(*ini, "Network", "Gateway"); !gw.empty()) {
        auto g = parse_address(gw);
        if (!g || g->ipv6 != address->ipv6)
            return invalid("The network settings have an invalid Gateway=" + gw + ".");
        f.text += "Gateway=" + g->text + "\n";
    }
    // The appliance's address is fixed: no link-local or router-advertised
    // address next to it (an administrator would see two).
    f.text += "LinkLocalAddressing=no\nIPv6AcceptRA=no\n";
    auto host = host_name_of(network_section);
    if (!host)
        return host.error();
    f.host_name = std::move(*host);
    return f;
}

} // namespace ferry::core
