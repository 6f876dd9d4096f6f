// ferry-peer: the source side of a ferry migration (docs/peer.md). A short
// start-up: arguments, logging, configuration, the appliance and MariaDB,
// the sockets (systemd's or --listen), the servers, READY=1, wait for
// SIGTERM.
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
#include "peer/modes.hpp"
#include "peer/server.hpp"
#include "system/journal_store.hpp"
#include "system/logging.hpp"

namespace {

using namespace ferry;
using peer::listen_on;
using peer::read_whole;
using peer::run_apply_network;
using peer::run_apply_staged;
using peer::run_hash_password;
using peer::systemd_sockets;

struct Args {
    std::string config = FERRY_CONFIG_FILE;
    std::string listen;
    std::string redirect_listen;
    std::string log_level = "info";
    bool hash_password = false;
    bool apply_staged = false;
    bool apply_network = false;
    std::string network_dir = "/run/systemd/network";
};

void help()
{
    std::printf("ferry-peer [OPTIONS...]\n\n"
                "The source side of a ferry migration: the peer API over HTTPS that the\n"
                "target's ferryd talks to (docs/peer-api.md). Started by ferry-peer.socket\n"
                "(port 443) and ferry-peer-redirect.socket (port 80).\n\n"
                "  -h --help                   Show this help\n"
                "     --version                Show the version\n"
                "     --config=FILE            Configuration (default: %s)\n"
                "     --listen=ADDR:PORT       Serve HTTPS here when not socket-activated\n"
                "     --redirect-listen=ADDR:PORT\n"
                "                              Redirect plain HTTP from here to HTTPS\n"
                "     --log-level=LEVEL        trace, debug, info, warn, error (default: info)\n"
                "     --hash-password          Read a password on stdin, print its crypt(3)\n"
                "                              hash for AdminPasswordHash=, and exit\n"
                "     --apply-staged           Apply staged settings (at boot) and exit\n"
                "     --apply-network[=DIR]    Write a systemd-networkd file for the network\n"
                "                              settings into DIR (default: /run/systemd/network),\n"
                "                              set the host name (at boot), and exit\n",
                FERRY_CONFIG_FILE);
}

// 0 to continue, >0 exit code + 1 to exit with.
int parse_args(int argc, char** argv, Args& a)
{
    enum {
        ARG_VERSION = 0x100,
        ARG_CONFIG,
        ARG_LISTEN,
        ARG_REDIRECT,
        ARG_LOG_LEVEL,
        ARG_HASH,
        ARG_APPLY,
        ARG_NETWORK
    };
    static const option options[] = {
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, ARG_VERSION},
        {"config", required_argument, nullptr, ARG_CONFIG},
        {"listen", required_argument, nullptr, ARG_LISTEN},
        {"redirect-listen", required_argument, nullptr, ARG_REDIRECT},
        {"log-level", required_argument, nullptr, ARG_LOG_LEVEL},
        {"hash-password", no_argument, nullptr, ARG_HASH},
        {"apply-staged", no_argument, nullptr, ARG_APPLY},
        {"apply-network", optional_argument, nullptr, ARG_NETWORK},
        {},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", options, nullptr)) >= 0) {
        switch (c) {
        case 'h': help(); return 1;
        case ARG_VERSION: std::printf("ferry-peer %s\n", FERRY_VERSION); return 1;
        case ARG_CONFIG: a.config = optarg; break;
        case ARG_LISTEN: a.listen = optarg; break;
        case ARG_REDIRECT: a.redirect_listen = optarg; break;
        case ARG_LOG_LEVEL: a.log_level = optarg; break;
        case ARG_HASH: a.hash_password = true; break;
        case ARG_APPLY: a.apply_staged = true; break;
        case ARG_NETWORK:
            a.apply_network = true;
            if (optarg)
                a.network_dir = optarg;
            break;
        default: return 2;
        }
    }
    if (optind < argc) {
        std::fprintf(stderr, "ferry-peer takes no positional arguments.\n");
        return 2;
    }
    if (!ferry::local::is_log_level(a.log_level)) {
        std::fprintf(stderr, "Unknown log level %s.\n", a.log_level.c_str());
        return 2;
    }
    return 0;
}

int run(const Args& args)
{
    auto config = peer::load_peer_config(args.config);
    if (!config) {
        spdlog::critical("{}", config.error().message);
        return EXIT_FAILURE;
    }
    local::FileAppliance appliance(config->appliance, config->layout);

    if (args.apply_staged)
        return run_apply_staged(*config, appliance);
    if (args.apply_network)
        return run_apply_network(appliance, args.network_dir);

    if (auto h = peer::resolve_admin_hash(config->admin_password_hash); !h) {
        spdlog::critical("{} {}", h.error().message, h.error().remedy);
        return EXIT_FAILURE;
    }
    auto cert = read_whole(config->certificate, "certificate");
    auto key = read_whole(config->key, "key");
    if (!cert || !key) {
        spdlog::critical("{}", (!cert ? cert : key).error().message);
        return EXIT_FAILURE;
    }

    auto sockets = systemd_sockets();
    if (!sockets) {
        spdlog::critical("{}", sockets.error().message);
        return EXIT_FAILURE;
    }
    for (auto [text, slot] : {std::pair{&args.listen, &sockets->https},
                              std::pair{&args.redirect_listen, &sockets->http}}) {
        if (text->empty() || *slot >= 0)
            continue;
        auto fd = listen_on(*text);
        if (!fd) {
            spdlog::critical("{}", fd.error().message);
            return EXIT_FAILURE;
        }
        *slot = *fd;
    }
    if (sockets->https < 0) {
        spdlog::critical("No HTTPS socket: start ferry-peer through ferry-peer.socket or pass "
                         "--listen=ADDR:PORT.");
        return EXIT_FAILURE;
    }

    if (mysql_library_init(0, nullptr, nullptr) != 0) {
        spdlog::critical("Cannot initialise MariaDB Connector/C.");
        return EXIT_FAILURE;
    }
    peer::MariaDbAdmin database(config->database);
    const std::vector<std::string> schemas = config->appliance.databases;
    appliance.set_data_size_probe([&database, schemas] { return database.data_bytes(schemas); });

    const std::string hash_setting = config->admin_password_hash;
    peer::Api api(appliance, database,
                  [hash_setting] { return peer::resolve_admin_hash(hash_setting); });
    // Tokens survive a restart and the source's reboot (Swap). Without a
    // usable state directory they live in memory only: everything but the
    // reboot works, and POST /reboot says why it refuses.
    auto persisted = peer::prepare_state_directory(config->state_directory);
    if (persisted)
        persisted = api.persist_tokens_in(config->state_directory);
    if (!persisted)
        spdlog::error("Login tokens are kept in memory only, so this system cannot be rebooted "
                      "by a migration with Swap Configuration: {} Set StateDirectory= in [Peer] "
                      "of ferry.conf to a writable directory (ferry-peer.service: "
                      "StateDirectory=ferry-peer).",
                      persisted.error().message);
    peer::Server server(api);
    if (auto r = server.start_https(sockets->https, std::move(*cert), std::move(*key)); !r) {
        spdlog::critical("{} {}", r.error().message, r.error().remedy);
        return EXIT_FAILURE;
    }
    if (sockets->http >= 0)
        if (auto r = server.start_redirect(sockets->http, server.https_port()); !r) {
            spdlog::critical("{}", r.error().message);
            return EXIT_FAILURE;
        }

    sd_notifyf(0, "READY=1\nSTATUS=Serving the peer API on port %u.", server.https_port());
    spdlog::info("ferry-peer {} ready: HTTPS on port {}{}.", FERRY_VERSION, server.https_port(),
                 sockets->http >= 0 ? ", redirect from plain HTTP" : "");

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    sd_notify(0, "STOPPING=1");
    spdlog::info("Stopping on signal {}.", sig);
    server.stop();
    mysql_library_end();
    return EXIT_SUCCESS;
}

} // namespace

int main(int argc, char** argv)
{
    Args args;
    if (int r = parse_args(argc, argv, args); r)
        return r - 1;
    umask(0077);
    if (args.hash_password)
        return run_hash_password();
    ferry::local::setup_logging("ferry-peer", args.log_level);

    // Before any thread starts: the signals are taken by sigwait() only,
    // and a closed connection is an error code, not SIGPIPE.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        return run(args);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
    }
    return EXIT_FAILURE;
}
