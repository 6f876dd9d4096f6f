// The systemd-networkd file that makes an appliance's network settings
// take effect at boot (ferry-peer --apply-network,
// units/ferry-appliance-network.service). Pure: the settings text in, the
// file's text out; the caller writes it and sets the host name.
//
// The `network` settings section: [Network] Address= (required),
// PrefixLength= (default 24, IPv6 64), Gateway= (same family), HostName=.
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace ferry::core {

inline constexpr std::string_view kNetworkFileName = "10-ferry-appliance.network";

struct NetworkFile {
    std::string text;      // the .network file, for every Ethernet interface
    std::string address;   // canonical text of Address=
    int prefix = 0;
    std::string host_name; // empty: leave the host name alone
};

// InvalidArgument naming the offending key when the section is malformed,
// has no valid Address=, a PrefixLength= out of range for the family, or a
// Gateway= that is not an address of the same family.
Expected<NetworkFile> network_file_from_settings(std::string_view network_section);

} // namespace ferry::core
