#include "bus/errors.hpp"

namespace ferry::bus {

sdbus::Error to_bus_error(const core::Error& e)
{
    std::string msg = e.message;
    if (!e.remedy.empty())
        msg += " " + e.remedy;
    return sdbus::Error(std::string(kErrorPrefix) + std::string(core::code_name(e.code)), msg);
}

} // namespace ferry::bus
