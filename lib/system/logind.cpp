#include "system/logind.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <systemd/sd-bus.h>

#include "system/sd_bus_util.hpp"

namespace ferry::local {
namespace {

constexpr const char* kLogin1 = "org.freedesktop.login1";
constexpr const char* kPath = "/org/freedesktop/login1";
constexpr const char* kManager = "org.freedesktop.login1.Manager";

core::Error failed(const std::string& what, const std::string& why)
{
    return core::Error{core::Code::Internal, what + ": " + why + ".",
                       "Check that systemd-logind runs (systemctl status systemd-logind) and "
                       "see the system log."};
}

core::Expected<Bus> system_bus()
{
    sd_bus* raw = nullptr;
    if (int r = sd_bus_open_system(&raw); r < 0)
        return failed("Cannot connect to the system bus", std::strerror(-r));
    return Bus(raw);
}

} // namespace

core::Expected<std::string> logind_can_reboot()
{
    auto bus = system_bus();
    if (!bus)
        return bus.error();
    BusError err;
    sd_bus_message* reply = nullptr;
    if (int r = sd_bus_call_method(bus->get(), kLogin1, kPath, kManager, "CanReboot", &err.e, &reply,
                                   "");
        r < 0)
        return failed("logind does not answer CanReboot", err.text(r));
    Message owned(reply);
    const char* answer = nullptr;
    if (int r = sd_bus_message_read(reply, "s", &answer); r < 0)
        return failed("logind sent a malformed CanReboot answer", std::strerror(-r));
    return std::string(answer);
}

core::Expected<bool> logind_reboot()
{
    auto bus = system_bus();
    if (!bus)
        return bus.error();
    BusError err;
    if (int r = sd_bus_call_method(bus->get(), kLogin1, kPath, kManager, "Reboot", &err.e, nullptr,
                                   "b", 0);
        r < 0)
        return failed("logind refused to reboot this system", err.text(r));
    return true;
}

} // namespace ferry::local
