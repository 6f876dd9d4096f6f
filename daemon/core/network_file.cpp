#include "core/network_file.hpp"

#include "core/address.hpp"
#include "core/ini.hpp"

namespace ferry::core {
namespace {

Error invalid(std::string message)
{
    return Error{Code::InvalidArgument, std::move(message),
                 "Correct the network section of the settings (Network Settings on the appliance)."};
}

} // namespace

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
    f.host_name = ini_get(*ini, "Network", "HostName");
    return f;
}

} // namespace ferry::core
