// spdlog set-up shared by ferryd and ferry-peer: the journal (with each
// message's priority) when stderr is connected to it, else stderr.
#pragma once

#include <string>

namespace ferry::local {

bool is_log_level(const std::string& level);
void setup_logging(const std::string& name, const std::string& level);

} // namespace ferry::local
