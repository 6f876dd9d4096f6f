#include "core/source_info.hpp"

namespace ferry::core {

std::optional<Error> closed_ports_error(const std::string& address,
                                        const std::vector<PortCheck>& ports)
{
    std::string closed;
    for (const auto& p : ports) {
        if (p.open)
            continue;
        if (!closed.empty())
            closed += ", ";
        closed += std::to_string(p.port) + " (" + p.service + (p.detail.empty() ? "" : ": ") +
                  p.detail + ")";
    }
    if (closed.empty())
        return std::nullopt;
    return Error{Code::Unreachable,
                 "The source " + address + " does not answer on port" +
                     (closed.find(',') == std::string::npos ? " " : "s ") + closed + ".",
                 "Check that the source is running and that ports 80, 443 and 3306 are open "
                 "between the two systems."};
}

} // namespace ferry::core
