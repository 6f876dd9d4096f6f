// What ferry-peer's servers start with: the listening sockets (systemd's
// or --listen) and the TLS key pair's files.
#pragma once

#include <string>

#include "core/expected.hpp"

namespace ferry::peer {

struct Sockets {
    int https = -1;
    int http = -1;
};

// Sockets passed by systemd: FileDescriptorName=https / http (an unnamed
// first socket is the HTTPS one).
core::Expected<Sockets> systemd_sockets();
// A listening socket on ADDR:PORT or [ADDR]:PORT (--listen).
core::Expected<int> listen_on(const std::string& text);
// A whole file (the certificate or the key); `what` names it in errors.
core::Expected<std::string> read_whole(const std::string& path, const char* what);

} // namespace ferry::peer
