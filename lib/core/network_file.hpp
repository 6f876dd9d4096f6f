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
// has no valid Address=, a PrefixLength= out of range for the family, a
// Gateway= that is not an address of the same family, or a HostName= that
// is not a valid host name (is_valid_host_name).
Expected<NetworkFile> network_file_from_settings(std::string_view network_section);

// A host name sethostname(2) may be given (RFC 1123, as systemd's
// hostname_is_valid without its '_'): 1 to 64 bytes (HOST_NAME_MAX) of
// dot-separated labels, each 1 to 63 letters, digits or '-', neither
// starting nor ending with '-'; no trailing dot. The settings come from
// another appliance over the network: nothing else reaches the kernel.
bool is_valid_host_name(std::string_view name);

// The HostName= of a network settings section: empty when there is none;
// InvalidArgument when there is one and it is not valid (the message shows
// it only when it is printable, and at most 64 bytes of it).
Expected<std::string> host_name_of(std::string_view network_section);

} // namespace ferry::core
