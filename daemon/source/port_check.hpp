// The Source step's reachability check: TCP connects to 80/443/3306 in
// parallel, each bounded by the timeout, so the answer names every closed
// port at once.
#pragma once

#include <chrono>
#include <vector>

#include "core/address.hpp"
#include "core/source_info.hpp"

namespace ferry::source {

std::vector<core::PortCheck> check_ports(const core::Address& address,
                                         std::chrono::milliseconds timeout);

} // namespace ferry::source
