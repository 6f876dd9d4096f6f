// TEST DOUBLE of the part of systemd's manager (org.freedesktop.systemd1)
// that ferry-peer calls when the source is migrated without Swap: StopUnit,
// MaskUnitFiles, Reload, GetUnit and the units' ActiveState. For
// tests/integration/peer.sh on a private bus, where no systemd runs as
// PID 1. Every call is appended to the --record file.
//
//   units-double --record=FILE --unit=NAME [--unit=NAME...]
//
// A stopped unit reports "deactivating" once, then "inactive", so that the
// caller's wait is exercised.
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sdbus-c++/sdbus-c++.h>
#include <string>
#include <vector>

namespace {

constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kUnit = "org.freedesktop.systemd1.Unit";

struct Unit {
    std::unique_ptr<sdbus::IObject> object;
    std::string state = "active";
};

} // namespace

int main(int argc, char** argv)
{
    std::string record = "/dev/null";
    std::vector<std::string> names;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--record=", 0) == 0)
            record = a.substr(9);
        else if (a.rfind("--unit=", 0) == 0)
            names.push_back(a.substr(7));
    }
    auto log = [&](const std::string& line) {
        std::ofstream(record, std::ios::app) << line << "\n";
    };

    auto conn = sdbus::createSystemBusConnection();
    std::map<std::string, Unit> units;
    int n = 0;
    for (const auto& name : names) {
        Unit& u = units[name];
        u.object =
            sdbus::createObject(*conn, "/org/freedesktop/systemd1/unit/u" + std::to_string(n++));
        u.object->registerProperty("ActiveState").onInterface(kUnit).withGetter([&u] {
            const std::string s = u.state;
            if (u.state == "deactivating")
                u.state = "inactive";
            return s;
        });
        u.object->finishRegistration();
    }

    auto manager = sdbus::createObject(*conn, "/org/freedesktop/systemd1");
    uint32_t job = 1;
    manager->registerMethod("StopUnit")
        .onInterface(kManager)
        .withInputParamNames("name", "mode")
        .withOutputParamNames("job")
        .implementedAs([&](const std::string& name, const std::string& mode) {
            log("StopUnit " + name + " " + mode);
            auto it = units.find(name);
            if (it == units.end())
                throw sdbus::Error("org.freedesktop.systemd1.NoSuchUnit",
                                   "Unit " + name + " not loaded.");
            it->second.state = "deactivating";
            return sdbus::ObjectPath("/org/freedesktop/systemd1/job/" + std::to_string(job++));
        });
    manager->registerMethod("MaskUnitFiles")
        .onInterface(kManager)
        .withInputParamNames("files", "runtime", "force")
        .withOutputParamNames("changes")
        .implementedAs([&](const std::vector<std::string>& files, bool runtime, bool force) {
            std::string line = "MaskUnitFiles";
            std::vector<sdbus::Struct<std::string, std::string, std::string>> changes;
            for (const auto& f : files) {
                line += " " + f;
                changes.emplace_back("symlink", "/etc/systemd/system/" + f, "/dev/null");
            }
            log(line + (runtime ? " runtime" : " persistent") + (force ? " force" : ""));
            return changes;
        });
    manager->registerMethod("Reload").onInterface(kManager).implementedAs([&] { log("Reload"); });
    manager->registerMethod("GetUnit")
        .onInterface(kManager)
        .withInputParamNames("name")
        .withOutputParamNames("unit")
        .implementedAs([&](const std::string& name) {
            auto it = units.find(name);
            if (it == units.end())
                throw sdbus::Error("org.freedesktop.systemd1.NoSuchUnit",
                                   "Unit " + name + " not loaded.");
            return sdbus::ObjectPath(it->second.object->getObjectPath());
        });
    manager->finishRegistration();
    conn->requestName("org.freedesktop.systemd1");
    std::printf("units double ready\n");
    std::fflush(stdout);
    conn->enterEventLoop();
}
