#include "local/unit_times.hpp"

#include <cstdlib>

#include "system/sd_bus_util.hpp"

namespace ferry::local {

core::UnitTimestamps read_unit_timestamps(sd_bus* bus, const std::string& unit)
{
    core::UnitTimestamps t;
    t.unit = unit;
    char* path = nullptr;
    if (int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit.c_str(), &path); r < 0) {
        t.error = std::strerror(-r);
        return t;
    }
    const std::string object(path);
    std::free(path);
    const std::pair<const char*, uint64_t*> props[] = {
        {"InactiveExitTimestampMonotonic", &t.inactive_exit},
        {"ActiveEnterTimestampMonotonic", &t.active_enter},
        {"ActiveExitTimestampMonotonic", &t.active_exit},
        {"InactiveEnterTimestampMonotonic", &t.inactive_enter},
    };
    for (const auto& [name, out] : props) {
        BusError err;
        if (int r = sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", object.c_str(),
                                                "org.freedesktop.systemd1.Unit", name, &err.e, 't',
                                                out);
            r < 0) {
            t = core::UnitTimestamps{unit, 0, 0, 0, 0, std::string(name) + ": " + err.text(r)};
            return t;
        }
    }
    return t;
}

} // namespace ferry::local
