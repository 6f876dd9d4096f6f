#include "local/logging.hpp"

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

void setup_logging(const std::string& name, const std::string& level)
{
    // Under systemd stderr is the journal already, but the systemd sink
    // keeps the priority of each message.
    std::shared_ptr<spdlog::logger> logger;
    if (std::getenv("JOURNAL_STREAM"))
        logger = std::make_shared<spdlog::logger>(
            name, std::make_shared<spdlog::sinks::systemd_sink_mt>(name));
    else
        logger = spdlog::stderr_color_mt(name);
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
}

} // namespace ferry::local
