#include "local/unit_times.hpp"

#include <cstdlib>
#include <cstring>

#include "system/system_bus.hpp"

namespace ferry::local {

core::UnitTimestamps read_unit_timestamps(const SystemBus& bus, const std::string& unit)
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
        if (auto reply =
                bus.property(BusTarget{kSystemdService, object.c_str(), kSystemdUnit}, name, *out);
            !reply) {
            t = core::UnitTimestamps{unit, 0, 0, 0, 0, std::string(name) + ": " + reply.text()};
            return t;
        }
    }
    return t;
}

} // namespace ferry::local
