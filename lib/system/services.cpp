#include "system/services.hpp"

#include <cstring>
#include <thread>

#include "system/system_bus.hpp"

namespace ferry::local {
namespace {

core::Error failed(const std::string& what, const std::string& why)
{
    return core::Error{core::Code::Internal, what + ": " + why + ".",
                       "Check the unit names in Services= of ferry.conf and the system log."};
}

// ActiveState of `unit`, "inactive" for a unit systemd does not have loaded.
std::string active_state(const SystemBus& bus, const std::string& unit)
{
    auto reply = bus.call(kSystemdManager, "GetUnit", "s", unit.c_str());
    if (!reply)
        return "inactive";
    const char* path = nullptr;
    if (sd_bus_message_read(reply.message.get(), "o", &path) < 0)
        return "unknown";
    std::string state;
    if (!bus.property(BusTarget{kSystemdService, path, kSystemdUnit}, "ActiveState", state))
        return "unknown";
    return state;
}

// Masked before waiting: nothing may start them again in between.
core::Expected<bool> mask(const SystemBus& bus, const std::vector<std::string>& units)
{
    Message m;
    auto made = bus.make_call(kSystemdManager, "MaskUnitFiles", m);
    int r = made.r;
    if (r < 0)
        return failed("Cannot mask the user-facing services", made.text());
    r = sd_bus_message_open_container(m.get(), 'a', "s");
    for (const auto& unit : units)
        if (r >= 0)
            r = sd_bus_message_append(m.get(), "s", unit.c_str());
    if (r >= 0)
        r = sd_bus_message_close_container(m.get());
    if (r >= 0)
        r = sd_bus_message_append(m.get(), "bb", 0, 1); // persistent, force
    if (r < 0)
        return failed("Cannot mask the user-facing services", std::strerror(-r));
    if (auto sent = bus.send(m); !sent)
        return failed("Cannot mask the user-facing services", sent.text());
    if (auto reloaded = bus.call(kSystemdManager, "Reload"); !reloaded)
        return failed("Cannot reload systemd after masking", reloaded.text());
    return true;
}

} // namespace

core::Expected<bool> stop_and_mask_units(const std::vector<std::string>& units,
                                         std::chrono::seconds timeout)
{
    if (units.empty())
        return true;
    auto bus = SystemBus::open();
    if (!bus)
        return failed("Cannot connect to the system bus", bus.error().message);

    for (const auto& unit : units)
        if (auto reply = bus->call(kSystemdManager, "StopUnit", "ss", unit.c_str(), "replace");
            !reply && !reply.is("org.freedesktop.systemd1.NoSuchUnit"))
            return failed("Cannot stop " + unit, reply.text());

    if (auto masked = mask(*bus, units); !masked)
        return masked;

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (const auto& unit : units) {
        for (;;) {
            const std::string state = active_state(*bus, unit);
            if (state == "inactive" || state == "failed")
                break;
            if (std::chrono::steady_clock::now() >= deadline)
                return failed("Timed out stopping " + unit, "it is still " + state);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    return true;
}

} // namespace ferry::local
