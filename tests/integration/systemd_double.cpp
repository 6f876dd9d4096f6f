// TEST DOUBLE of systemd's manager interface (org.freedesktop.systemd1) for
// the one-machine rig, where no systemd runs as PID 1. It implements only
// what ferry calls: Subscribe(); RestartUnit and StopUnit(name, mode) ->
// job path, followed by the JobRemoved signal with result "done" (or
// "failed" for units named in --fail); MaskUnitFiles, Reload, and GetUnit
// (every unit counts as stopped: NoSuchUnit), and GetUnitFileState
// ("enabled" for every unit except those named in --missing=, which have
// no unit file: NoSuchUnit). Each call is
// appended to the --record file, so a test can assert which units were
// restarted. The container rig (tests/containers) runs the real systemd.
//
// The unit objects (org.freedesktop.systemd1.Unit at the unit's path) of
// the rig's services (tests/rig/appliance.sh's Services=, plus any named
// in --unit-times=) answer the four monotonic state-change timestamps
// ferryd reads for the restart-services estimate (local/unit_times.cpp).
// What they say is what this double does: a restart that takes no time,
// at its start and at each RestartUnit. --unit-times=UNIT:START_MS:STOP_MS
// records instead a last stop and start that took that long (as systemd
// would after a slow restart), --unit-times=UNIT:none no record at all
// (all 0, as systemd says for a unit never started since boot). Units of
// --missing= have no object (systemd: no such unit).
#include <atomic>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <sdbus-c++/sdbus-c++.h>
#include <set>
#include <string>

namespace {

struct UnitTimes {
    uint64_t inactive_exit = 0, active_enter = 0, active_exit = 0, inactive_enter = 0;
};

uint64_t monotonic_usec()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000 + uint64_t(ts.tv_nsec) / 1000;
}

UnitTimes instant_restart()
{
    const uint64_t now = monotonic_usec();
    return {now, now, now, now};
}

// systemd's object path of a unit: every byte but [A-Za-z0-9] as _xx.
std::string unit_path(const std::string& name)
{
    std::string p = "/org/freedesktop/systemd1/unit/";
    for (unsigned char c : name) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            p += char(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "_%02x", c);
            p += buf;
        }
    }
    return p;
}

} // namespace

int main(int argc, char** argv)
{
    std::string record = "/dev/null";
    std::set<std::string> failing, missing;
    std::map<std::string, UnitTimes> times;
    for (const char* u : {"hotspot-portal.service", "freeradius.service"})
        times[u] = instant_restart();
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--record=", 0) == 0)
            record = a.substr(9);
        else if (a.rfind("--fail=", 0) == 0)
            failing.insert(a.substr(7));
        else if (a.rfind("--missing=", 0) == 0)
            missing.insert(a.substr(10));
        else if (a.rfind("--unit-times=", 0) == 0) {
            const std::string v = a.substr(13);
            const auto c1 = v.find(':'), c2 = v.find(':', c1 + 1);
            const std::string unit = v.substr(0, c1);
            if (c1 == std::string::npos || v.substr(c1 + 1) == "none") {
                times[unit] = UnitTimes{};
                continue;
            }
            const uint64_t start = std::stoull(v.substr(c1 + 1, c2 - c1 - 1)) * 1000;
            const uint64_t stop =
                c2 == std::string::npos ? 0 : std::stoull(v.substr(c2 + 1)) * 1000;
            const uint64_t now = monotonic_usec();
            // The stop, then the start, ending a second ago.
            const uint64_t active_exit = now - 1'000'000 - start - stop;
            times[unit] = {active_exit + stop, active_exit + stop + start, active_exit,
                           active_exit + stop};
        }
    }
    for (const auto& m : missing)
        times.erase(m);
    auto conn = sdbus::createSystemBusConnection();
    auto obj = sdbus::createObject(*conn, "/org/freedesktop/systemd1");
    const char* iface = "org.freedesktop.systemd1.Manager";
    std::atomic<uint32_t> next_id{1};
    obj->registerMethod("Subscribe").onInterface(iface).implementedAs([] {});
    obj->registerMethod("RestartUnit")
        .onInterface(iface)
        .withInputParamNames("name", "mode")
        .withOutputParamNames("job")
        .implementedAs([&](const std::string& name, const std::string& mode) {
            const uint32_t id = next_id++;
            sdbus::ObjectPath job("/org/freedesktop/systemd1/job/" + std::to_string(id));
            std::ofstream(record, std::ios::app) << "RestartUnit " << name << " " << mode << "\n";
            if (auto t = times.find(name); t != times.end())
                t->second = instant_restart();
            // Sent before the reply here; systemd may send it either side
            // of the reply, and clients must cope with both orders.
            obj->emitSignal("JobRemoved")
                .onInterface(iface)
                .withArguments(id, job, name, std::string(failing.count(name) ? "failed" : "done"));
            return job;
        });
    obj->registerMethod("StopUnit")
        .onInterface(iface)
        .withInputParamNames("name", "mode")
        .withOutputParamNames("job")
        .implementedAs([&](const std::string& name, const std::string& mode) {
            const uint32_t id = next_id++;
            sdbus::ObjectPath job("/org/freedesktop/systemd1/job/" + std::to_string(id));
            std::ofstream(record, std::ios::app) << "StopUnit " << name << " " << mode << "\n";
            obj->emitSignal("JobRemoved")
                .onInterface(iface)
                .withArguments(id, job, name, std::string("done"));
            return job;
        });
    obj->registerMethod("MaskUnitFiles")
        .onInterface(iface)
        .withInputParamNames("files", "runtime", "force")
        .withOutputParamNames("changes")
        .implementedAs([&](const std::vector<std::string>& files, bool runtime, bool) {
            std::vector<sdbus::Struct<std::string, std::string, std::string>> changes;
            for (const auto& f : files) {
                std::ofstream(record, std::ios::app)
                    << "MaskUnitFiles " << f << (runtime ? " runtime" : " persistent") << "\n";
                changes.emplace_back("symlink", "/etc/systemd/system/" + f, "/dev/null");
            }
            return changes;
        });
    obj->registerMethod("Reload").onInterface(iface).implementedAs(
        [&] { std::ofstream(record, std::ios::app) << "Reload\n"; });
    obj->registerMethod("GetUnit")
        .onInterface(iface)
        .withInputParamNames("name")
        .withOutputParamNames("unit")
        .implementedAs([](const std::string& name) -> sdbus::ObjectPath {
            throw sdbus::Error("org.freedesktop.systemd1.NoSuchUnit",
                               "Unit " + name + " not loaded.");
        });
    obj->registerMethod("GetUnitFileState")
        .onInterface(iface)
        .withInputParamNames("file")
        .withOutputParamNames("state")
        .implementedAs([&](const std::string& name) -> std::string {
            if (missing.count(name))
                throw sdbus::Error("org.freedesktop.systemd1.NoSuchUnit",
                                   "Unit file " + name + " does not exist.");
            return "enabled";
        });
    obj->registerSignal("JobRemoved")
        .onInterface(iface)
        .withParameters<uint32_t, sdbus::ObjectPath, std::string, std::string>();
    obj->finishRegistration();
    std::vector<std::unique_ptr<sdbus::IObject>> units;
    const char* unit_iface = "org.freedesktop.systemd1.Unit";
    for (auto& [name, t] : times) {
        auto u = sdbus::createObject(*conn, unit_path(name));
        UnitTimes* tp = &t;
        u->registerProperty("Id").onInterface(unit_iface).withGetter([n = name] { return n; });
        u->registerProperty("InactiveExitTimestampMonotonic")
            .onInterface(unit_iface)
            .withGetter([tp] { return tp->inactive_exit; });
        u->registerProperty("ActiveEnterTimestampMonotonic")
            .onInterface(unit_iface)
            .withGetter([tp] { return tp->active_enter; });
        u->registerProperty("ActiveExitTimestampMonotonic")
            .onInterface(unit_iface)
            .withGetter([tp] { return tp->active_exit; });
        u->registerProperty("InactiveEnterTimestampMonotonic")
            .onInterface(unit_iface)
            .withGetter([tp] { return tp->inactive_enter; });
        u->finishRegistration();
        units.push_back(std::move(u));
    }
    conn->requestName("org.freedesktop.systemd1");
    std::printf("systemd test double ready\n");
    std::fflush(stdout);
    conn->enterEventLoop();
}
