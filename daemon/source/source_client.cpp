#include "source/source_client.hpp"

#include "source/port_check.hpp"

namespace ferry::source {

core::Expected<core::SourceInfo> NetworkSourceClient::probe(const core::Address& address,
                                                            const std::string& /*password*/,
                                                            std::chrono::milliseconds timeout)
{
    auto ports = check_ports(address, timeout);
    if (auto err = core::closed_ports_error(address.text, ports))
        return *err;
    return core::Error{core::Code::IncompatibleSource,
                       "The source " + address.text +
                           " answers on ports 80, 443 and 3306 but this version of ferry cannot "
                           "log in to it yet (the peer API client is not part of this build).",
                       "Use a ferry build with source-side support."};
}

} // namespace ferry::source
