// ferryd: the ferry migration daemon. A short start-up in the order of
// systemd's hostnamed run(): arguments, logging, loop, bus objects, load
// the job, take the bus name, READY=1, loop.
#include <cstdio>
#include <cstdlib>
#include <getopt.h>
#include <memory>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "bus/authority.hpp"
#include "bus/main_loop.hpp"
#include "bus/manager_object.hpp"
#include "config.h"
#include "core/config.hpp"
#include "engine.hpp"
#include "appliance/appliance.hpp"
#include "local/boot_id.hpp"
#include "system/journal_store.hpp"
#include "system/logging.hpp"
#include "source/source_client.hpp"

namespace {

struct Args {
    std::string state_dir;
    std::string config = FERRY_CONFIG_FILE;
    std::string log_level = "info";
};

void help()
{
    std::printf("ferryd [OPTIONS...]\n\n"
                "The ferry migration daemon: moves a hotspot appliance onto this system.\n"
                "It owns org.ferry.Migration1 on the system bus and is started by systemd\n"
                "(D-Bus activation, or ferryd-resume.path while a job is unfinished).\n\n"
                "  -h --help              Show this help\n"
                "     --version           Show the version\n"
                "     --state-dir=DIR     Job journal directory (default: $STATE_DIRECTORY\n"
                "                         or %s)\n"
                "     --config=FILE       Appliance configuration (default: %s)\n"
                "     --log-level=LEVEL   trace, debug, info, warn, error (default: info)\n\n"
                "The system bus is $DBUS_SYSTEM_BUS_ADDRESS if set. See ferryd(8).\n",
                FERRY_STATE_DIR, FERRY_CONFIG_FILE);
}

// 0 to continue, otherwise the exit code + 1.
int parse_args(int argc, char** argv, Args& a)
{
    enum { ARG_VERSION = 0x100, ARG_STATE_DIR, ARG_CONFIG, ARG_LOG_LEVEL };
    static const option options[] = {
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, ARG_VERSION},
        {"state-dir", required_argument, nullptr, ARG_STATE_DIR},
        {"config", required_argument, nullptr, ARG_CONFIG},
        {"log-level", required_argument, nullptr, ARG_LOG_LEVEL},
        {},
    };
    if (const char* sd = std::getenv("STATE_DIRECTORY"); sd && *sd)
        a.state_dir = sd; // set by systemd from StateDirectory=
    else
        a.state_dir = FERRY_STATE_DIR;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, nullptr)) >= 0) {
        switch (c) {
        case 'h': help(); return 1;
        case ARG_VERSION: std::printf("ferryd %s\n", FERRY_VERSION); return 1;
        case ARG_STATE_DIR: a.state_dir = optarg; break;
        case ARG_CONFIG: a.config = optarg; break;
        case ARG_LOG_LEVEL:
            a.log_level = optarg;
            if (!ferry::local::is_log_level(a.log_level)) {
                std::fprintf(stderr, "Unknown log level '%s'.\n", optarg);
                return 2 + 1;
            }
            break;
        default: return 2 + 1;
        }
    }
    if (optind < argc) {
        std::fprintf(stderr, "ferryd takes no positional arguments.\n");
        return 2 + 1;
    }
    return 0;
}

int run(const Args& args)
{
    auto ini = ferry::local::read_ini_file(args.config);
    if (!ini) {
        spdlog::critical("{}", ini.error().message);
        return EXIT_FAILURE;
    }
    auto config = ferry::core::parse_config(*ini);
    if (!config) {
        spdlog::critical("{}: {}", args.config, config.error().message);
        return EXIT_FAILURE;
    }

    ferry::local::JournalStore journal(args.state_dir);
    if (auto r = journal.prepare(); !r) {
        spdlog::critical("{}", r.error().message);
        return EXIT_FAILURE;
    }
    ferry::local::FileAppliance appliance(*config);

    ferry::bus::MainLoop loop;
    auto connection = sdbus::createSystemBusConnection();
    loop.attach(*connection);
    auto post = [&loop](std::function<void()> f) { loop.post(std::move(f)); };

    ferry::Engine engine(appliance, journal, std::make_unique<ferry::source::NetworkSourceClient>(config->peer_port),
                         post, ferry::local::current_boot_id(),
                         std::chrono::seconds(config->probe_timeout_sec), config->peer_port,
                         config->max_restarts_without_progress);
    if (auto r = engine.load(); !r) {
        // A journal we cannot read is a job we must not forget: refuse to
        // start rather than offer a fresh wizard over it.
        spdlog::critical("{} {}", r.error().message, r.error().remedy);
        return EXIT_FAILURE;
    }

    ferry::bus::Authority authority(*connection);
    ferry::bus::ManagerObject manager(*connection, engine, authority, post);
    engine.set_observer(&manager);

    // Objects are complete before the name is taken: clients never see a
    // half-built daemon.
    connection->requestName(ferry::bus::kBusName);
    sd_notifyf(0, "READY=1\nSTATUS=%s", engine.state().c_str());
    spdlog::info("ferryd {} ready ({}, state directory {}).", FERRY_VERSION, engine.state(),
                 args.state_dir);

    const int r = loop.run();
    sd_notify(0, "STOPPING=1");
    engine.set_observer(nullptr);
    return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

} // namespace

int main(int argc, char** argv)
{
    Args args;
    if (int r = parse_args(argc, argv, args); r)
        return r - 1;
    umask(0077);
    ferry::local::setup_logging("ferryd", args.log_level);
    try {
        return run(args);
    } catch (const sdbus::Error& e) {
        spdlog::critical("D-Bus: {}: {}", e.getName(), e.getMessage());
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
    }
    return EXIT_FAILURE;
}
