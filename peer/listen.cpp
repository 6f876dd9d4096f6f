// What ferry-peer's servers start with: the listening sockets (systemd's
// or --listen) and the TLS key pair's files.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <getopt.h>
#include <iostream>
#include <memory>
#include <mysql.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <termios.h>
#include <unistd.h>

#include "appliance/appliance.hpp"
#include "config.h"
#include "core/address.hpp"
#include "core/ini.hpp"
#include "core/network_file.hpp"
#include "peer/api.hpp"
#include "peer/auth.hpp"
#include "peer/config.hpp"
#include "peer/database.hpp"
#include "peer/http.hpp"
#include "peer/listen.hpp"
#include "peer/server.hpp"
#include "system/fd.hpp"
#include "system/journal_store.hpp"
#include "system/logging.hpp"

namespace ferry::peer {

core::Expected<std::string> read_whole(const std::string& path, const char* what)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return core::Error{core::Code::Internal,
                           std::string("Cannot read the ") + what + " " + path + ": " +
                               std::strerror(errno) + ".",
                           "Check Certificate= and Key= in [Peer] of ferry.conf."};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Sockets passed by systemd: FileDescriptorName=https / http (an unnamed
// first socket is the HTTPS one).
core::Expected<Sockets> systemd_sockets()
{
    Sockets s;
    char** names = nullptr;
    const int n = sd_listen_fds_with_names(1, &names);
    if (n < 0)
        return core::Error{core::Code::Internal,
                           std::string("Cannot take the sockets from systemd: ") +
                               std::strerror(-n),
                           {}};
    std::string error;
    for (int i = 0; i < n; ++i) {
        const int fd = SD_LISTEN_FDS_START + i;
        const std::string name = names && names[i] ? names[i] : "";
        if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
            error =
                "socket " + std::to_string(i) + " (" + name + ") is not a listening stream socket";
        else if (name == "http")
            s.http = fd;
        else if (name == "https" || s.https < 0)
            s.https = fd;
        else
            error = "unexpected socket " + name;
    }
    if (names) {
        for (int i = 0; i < n; ++i)
            free(names[i]);
        free(names);
    }
    if (!error.empty())
        return core::Error{core::Code::Internal, "systemd passed a bad socket: " + error + ".",
                           "Check ferry-peer.socket and ferry-peer-redirect.socket."};
    return s;
}

core::Expected<int> listen_on(const std::string& text)
{
    auto a = parse_listen_address(text);
    if (!a)
        return core::Error{core::Code::InvalidArgument,
                           "Invalid listen address " + text + " (ADDR:PORT or [ADDR]:PORT).",
                           {}};
    const int family = a->addr.ss_family;
    local::Fd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        return core::Error{
            core::Code::Internal, std::string("socket: ") + std::strerror(errno), {}};
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6)
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a->addr), a->len) < 0 ||
        ::listen(fd.get(), SOMAXCONN) < 0)
        return core::Error{core::Code::Internal,
                           "Cannot listen on " + text + ": " + std::strerror(errno) + ".",
                           {}};
    return fd.release();
}

} // namespace ferry::peer
