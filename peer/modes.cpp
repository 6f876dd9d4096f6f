// ferry-peer's one-shot modes (docs/peer.md): --hash-password,
// --apply-staged and --apply-network; each runs and exits, no server.
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
#include "peer/modes.hpp"
#include "peer/server.hpp"
#include "system/journal_store.hpp"
#include "system/logging.hpp"

namespace ferry::peer {

// --hash-password: one line from stdin (without echo on a terminal).
int run_hash_password()
{
    const bool tty = ::isatty(STDIN_FILENO);
    termios saved{};
    if (tty) {
        std::fprintf(stderr, "Admin password: ");
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string password;
    const bool got = static_cast<bool>(std::getline(std::cin, password));
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fprintf(stderr, "\n");
    }
    if (!password.empty() && password.back() == '\r')
        password.pop_back();
    if (!got || password.empty()) {
        std::fprintf(stderr, "No password on standard input.\n");
        return EXIT_FAILURE;
    }
    auto hash = peer::hash_password(password);
    peer::wipe(password);
    if (!hash) {
        std::fprintf(stderr, "%s\n", hash.error().message.c_str());
        return EXIT_FAILURE;
    }
    std::printf("%s\n", hash->c_str());
    return EXIT_SUCCESS;
}

// --apply-staged (at boot, before the network is configured): the staged
// settings become the settings. When they change this system's address,
// the address it had is recorded first (the peer's state directory), so
// that the target, which takes that address in a Swap, keeps its login.
// Idempotent: after a crash anywhere it can run again.
int run_apply_staged(const PeerConfig& config, local::FileAppliance& appliance)
{
    auto staged = appliance.staged_settings();
    if (!staged) {
        spdlog::critical("{}", staged.error().message);
        return EXIT_FAILURE;
    }
    if (!*staged) {
        spdlog::info("No staged settings.");
        return EXIT_SUCCESS;
    }
    const std::string former = appliance.identity().address;
    std::string next;
    if (auto it = (*staged)->find("network"); it != (*staged)->end())
        if (auto ini = core::parse_ini(it->second))
            next = core::ini_get(*ini, "Network", "Address");
    // Equal: nothing changes, or an interrupted earlier run applied the set
    // already (and recorded the address before it did).
    if (!former.empty() && former != next) {
        if (!core::parse_address(former)) {
            spdlog::warn("This system's address '{}' is not an IP address; not recorded.", former);
        } else {
            auto r = peer::prepare_state_directory(config.state_directory);
            if (r)
                r = peer::record_former_address(config.state_directory, former,
                                                peer::WallClock::now());
            if (!r) {
                spdlog::critical("Cannot record this system's former address: {} Nothing was "
                                 "applied.",
                                 r.error().message);
                return EXIT_FAILURE;
            }
            spdlog::info("Recorded the former address {} (the staged settings change it to {}).",
                         former, next.empty() ? "none" : next);
        }
    }
    auto r = appliance.apply_staged_settings();
    if (!r) {
        spdlog::critical("{}", r.error().message);
        return EXIT_FAILURE;
    }
    spdlog::info("Applied the staged settings.");
    return EXIT_SUCCESS;
}

// --apply-network (at boot, after --apply-staged, before systemd-networkd):
// the reference appliance's network settings take effect. The `network`
// section becomes DIR/10-ferry-appliance.network for the Ethernet
// interface(s) (core/network_file.*), and its HostName= the host name.
// This is why a Swap Configuration needs the reboot: exchanged settings
// move the addresses at the next boot (units/ferry-appliance-network.service).
int run_apply_network(local::FileAppliance& appliance, const std::string& dir)
{
    auto sections = appliance.read_settings();
    if (!sections) {
        spdlog::critical("{}", sections.error().message);
        return EXIT_FAILURE;
    }
    const auto it = sections->find("network");
    if (it == sections->end()) {
        spdlog::critical("No network section in the settings: no address to configure.");
        return EXIT_FAILURE;
    }
    auto net = core::network_file_from_settings(it->second);
    if (!net) {
        spdlog::critical("{}", net.error().message);
        return EXIT_FAILURE;
    }
    // networkd (user systemd-network) must read the directory. Debian 12's
    // systemd makes it at boot; Debian 11's (247) does not, and this
    // process runs with umask 0077: made 0700, networkd could not open it
    // and left the link unmanaged (found by tests/containers/mixed-swap.sh).
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::create_directories(dir, ec))
        fs::permissions(dir,
                        fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec,
                        ec);
    const auto file = std::filesystem::path(dir) / core::kNetworkFileName;
    if (auto w = local::write_file_atomic(file, net->text, 0644); !w) {
        spdlog::critical("Cannot write {}: {}", file.string(), w.error().message);
        return EXIT_FAILURE;
    }
    spdlog::info("Network settings applied: {}/{} ({}).", net->address, net->prefix, file.string());
    if (const auto& host = net->host_name; !host.empty()) {
        if (::sethostname(host.data(), host.size()) < 0)
            spdlog::warn("Cannot set the host name {}: {}", host, std::strerror(errno));
        else
            spdlog::info("Host name {}.", host);
    }
    return EXIT_SUCCESS;
}

} // namespace ferry::peer
