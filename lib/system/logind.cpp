#include "system/logind.hpp"

#include <cstring>

#include "system/system_bus.hpp"

namespace ferry::local {
namespace {

core::Error failed(const std::string& what, const std::string& why)
{
    return core::Error{core::Code::Internal, what + ": " + why + ".",
                       "Check that systemd-logind runs (systemctl status systemd-logind) and "
                       "see the system log."};
}

core::Expected<SystemBus> system_bus()
{
    auto bus = SystemBus::open();
    if (!bus)
        return failed("Cannot connect to the system bus", bus.error().message);
    return bus;
}

} // namespace

core::Expected<std::string> logind_can_reboot()
{
    auto bus = system_bus();
    if (!bus)
        return bus.error();
    auto reply = bus->call(kLogindManager, "CanReboot");
    if (!reply)
        return failed("logind does not answer CanReboot", reply.text());
    const char* answer = nullptr;
    if (int r = sd_bus_message_read(reply.message.get(), "s", &answer); r < 0)
        return failed("logind sent a malformed CanReboot answer", std::strerror(-r));
    return std::string(answer);
}

core::Expected<bool> logind_reboot()
{
    auto bus = system_bus();
    if (!bus)
        return bus.error();
    if (auto reply = bus->call(kLogindManager, "Reboot", "b", 0); !reply)
        return failed("logind refused to reboot this system", reply.text());
    return true;
}

} // namespace ferry::local
