#include "system/logging.hpp"

#include <cstdlib>
#include <memory>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

namespace ferry::local {

bool is_log_level(const std::string& level)
{
    return level == "off" || spdlog::level::from_str(level) != spdlog::level::off;
}

namespace {

std::shared_ptr<spdlog::sinks::systemd_sink_mt> systemd_sink(const std::string& name)
{
#if SPDLOG_VERSION >= 10900
    return std::make_shared<spdlog::sinks::systemd_sink_mt>(name);
#else
    // spdlog 1.8 (Debian 11, the peer-only build) takes no identifier:
    // journald then names the messages after the process, which is the
    // same name (ferry-peer).
    (void)name;
    return std::make_shared<spdlog::sinks::systemd_sink_mt>();
#endif
}

} // namespace

void setup_logging(const std::string& name, const std::string& level)
{
    // Under systemd stderr is the journal already, but the systemd sink
    // keeps the priority of each message.
    std::shared_ptr<spdlog::logger> logger;
    if (std::getenv("JOURNAL_STREAM"))
        logger = std::make_shared<spdlog::logger>(name, systemd_sink(name));
    else
        logger = spdlog::stderr_color_mt(name);
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
}

} // namespace ferry::local
