#include "system/services.hpp"

#include <cstring>
#include <memory>
#include <systemd/sd-bus.h>

#include "system/sd_bus_util.hpp"
#include <thread>

namespace ferry::local {
namespace {

constexpr const char* kSystemd = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";

core::Error failed(const std::string& what, const std::string& why)
{
    return core::Error{core::Code::Internal, what + ": " + why + ".",
                       "Check the unit names in Services= of ferry.conf and the system log."};
}

// ActiveState of `unit`, "inactive" for a unit systemd does not have loaded.
std::string active_state(sd_bus* bus, const std::string& unit)
{
    BusError err;
    sd_bus_message* reply = nullptr;
    if (sd_bus_call_method(bus, kSystemd, kManagerPath, kManager, "GetUnit", &err.e, &reply, "s",
                           unit.c_str()) < 0)
        return "inactive";
    Message owned(reply);
    const char* path = nullptr;
    if (sd_bus_message_read(reply, "o", &path) < 0)
        return "unknown";
    char* state = nullptr;
    BusError err2;
    if (sd_bus_get_property_string(bus, kSystemd, path, "org.freedesktop.systemd1.Unit",
                                   "ActiveState", &err2.e, &state) < 0)
        return "unknown";
    std::string s = state;
    free(state);
    return s;
}

} // namespace

core::Expected<bool> stop_and_mask_units(const std::vector<std::string>& units,
                                         std::chrono::seconds timeout)
{
    if (units.empty())
        return true;
    sd_bus* raw = nullptr;
    if (int r = sd_bus_open_system(&raw); r < 0)
        return failed("Cannot connect to the system bus", std::strerror(-r));
    Bus bus(raw);

    for (const auto& unit : units) {
        BusError err;
        if (int r = sd_bus_call_method(bus.get(), kSystemd, kManagerPath, kManager, "StopUnit",
                                       &err.e, nullptr, "ss", unit.c_str(), "replace");
            r < 0 && !sd_bus_error_has_name(&err.e, "org.freedesktop.systemd1.NoSuchUnit"))
            return failed("Cannot stop " + unit, err.text(r));
    }

    // Mask before waiting: nothing may start them again in between.
    {
        sd_bus_message* m = nullptr;
        if (int r = sd_bus_message_new_method_call(bus.get(), &m, kSystemd, kManagerPath, kManager,
                                                   "MaskUnitFiles");
            r < 0)
            return failed("Cannot mask the user-facing services", std::strerror(-r));
        Message msg(m);
        int r = sd_bus_message_open_container(m, 'a', "s");
        for (const auto& unit : units)
            if (r >= 0)
                r = sd_bus_message_append(m, "s", unit.c_str());
        if (r >= 0)
            r = sd_bus_message_close_container(m);
        if (r >= 0)
            r = sd_bus_message_append(m, "bb", 0, 1); // persistent, force
        if (r < 0)
            return failed("Cannot mask the user-facing services", std::strerror(-r));
        BusError err;
        if (r = sd_bus_call(bus.get(), m, 0, &err.e, nullptr); r < 0)
            return failed("Cannot mask the user-facing services", err.text(r));
        BusError err2;
        if (r = sd_bus_call_method(bus.get(), kSystemd, kManagerPath, kManager, "Reload", &err2.e,
                                   nullptr, "");
            r < 0)
            return failed("Cannot reload systemd after masking", err2.text(r));
    }

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (const auto& unit : units) {
        for (;;) {
            const std::string state = active_state(bus.get(), unit);
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
