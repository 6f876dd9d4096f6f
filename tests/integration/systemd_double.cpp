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
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sdbus-c++/sdbus-c++.h>
#include <set>
#include <string>

int main(int argc, char** argv)
{
    std::string record = "/dev/null";
    std::set<std::string> failing, missing;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--record=", 0) == 0)
            record = a.substr(9);
        else if (a.rfind("--fail=", 0) == 0)
            failing.insert(a.substr(7));
        else if (a.rfind("--missing=", 0) == 0)
            missing.insert(a.substr(10));
    }
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
            obj->emitSignal("JobRemoved").onInterface(iface).withArguments(id, job, name, std::string("done"));
            return job;
        });
    obj->registerMethod("MaskUnitFiles")
        .onInterface(iface)
        .withInputParamNames("files", "runtime", "force")
        .withOutputParamNames("changes")
        .implementedAs([&](const std::vector<std::string>& files, bool runtime, bool) {
            std::vector<sdbus::Struct<std::string, std::string, std::string>> changes;
            for (const auto& f : files) {
                std::ofstream(record, std::ios::app) << "MaskUnitFiles " << f << (runtime ? " runtime" : " persistent") << "\n";
                changes.emplace_back("symlink", "/etc/systemd/system/" + f, "/dev/null");
            }
            return changes;
        });
    obj->registerMethod("Reload").onInterface(iface).implementedAs([&] {
        std::ofstream(record, std::ios::app) << "Reload\n";
    });
    obj->registerMethod("GetUnit")
        .onInterface(iface)
        .withInputParamNames("name")
        .withOutputParamNames("unit")
        .implementedAs([](const std::string& name) -> sdbus::ObjectPath {
            throw sdbus::Error("org.freedesktop.systemd1.NoSuchUnit", "Unit " + name + " not loaded.");
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
    obj->registerSignal("JobRemoved").onInterface(iface).withParameters<uint32_t, sdbus::ObjectPath, std::string, std::string>();
    obj->finishRegistration();
    conn->requestName("org.freedesktop.systemd1");
    std::printf("systemd test double ready\n");
    std::fflush(stdout);
    conn->enterEventLoop();
}
