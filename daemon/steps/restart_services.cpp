// Operation 9: restart this appliance's services through systemd's D-Bus
// API (RestartUnit, then wait for the job's JobRemoved and require
// "done"), as systemctl does. Restarting is idempotent, so a re-run simply
// restarts them again.
#include <cerrno>
#include <chrono>
#include <map>
#include <thread>

#include "steps/steps.hpp"
#include "system/system_bus.hpp"

namespace ferry::steps {
namespace {

using local::kSystemdManager;
constexpr auto kJobTimeout = std::chrono::seconds(120);

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*)
{
    uint32_t id = 0;
    const char *path = nullptr, *unit = nullptr, *result = nullptr;
    if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) >= 0)
        (*static_cast<std::map<std::string, std::string>*>(userdata))[path] = result;
    return 0;
}

core::Error bus_failure(const std::string& what, const local::BusReply& reply)
{
    return core::Error{core::Code::Internal, what + ": " + reply.text() + ".",
                       "Check the unit with 'systemctl status'; Resume() retries."};
}

} // namespace

namespace {

// A connection to systemd with JobRemoved watched; `removed` collects
// job path -> result.
core::Expected<local::SystemBus> connect_systemd(std::map<std::string, std::string>& removed)
{
    auto bus = local::SystemBus::open();
    if (!bus)
        return core::Error{core::Code::Internal,
                           "Cannot connect to the system bus: " + bus.error().message + ".",
                           {}};
    if (sd_bus_match_signal(bus->get(), nullptr, kSystemdManager.service, kSystemdManager.path,
                            kSystemdManager.interface, "JobRemoved", on_job_removed, &removed) < 0)
        return core::Error{core::Code::Internal, "Cannot watch systemd jobs.", {}};
    if (auto reply = bus->call(kSystemdManager, "Subscribe"); !reply)
        return bus_failure("Cannot subscribe to systemd", reply);
    return bus;
}

// A failure that says nothing about the unit: systemd went away under us
// (re-exec, shutdown, a power cut a moment later). Worth a new connection.
bool transient(const local::BusReply& reply)
{
    const int r = reply.r;
    return r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE || r == -ETIMEDOUT ||
           reply.is("org.freedesktop.DBus.Error.NoReply") ||
           reply.is("org.freedesktop.DBus.Error.Disconnected");
}

constexpr int kAttempts = 3;

} // namespace

core::Expected<bool> restart_services(StepContext& ctx)
{
    const auto& units = ctx.appliance.config().services;
    if (units.empty()) {
        ctx.progress(1, 1);
        return true;
    }
    std::map<std::string, std::string> removed; // job path -> result
    uint64_t n = 0;
    for (const auto& unit : units) {
        std::string result;
        for (int attempt = 1; result.empty(); ++attempt) {
            if (ctx.stopping)
                return stopped_error();
            auto bus = connect_systemd(removed);
            if (!bus)
                return bus.error();
            auto reply = bus->call(kSystemdManager, "RestartUnit", "ss", unit.c_str(), "replace");
            if (!reply) {
                if (transient(reply) && attempt < kAttempts) {
                    std::this_thread::sleep_for(std::chrono::seconds(1));
                    continue;
                }
                return ctx.stopping ? stopped_error()
                                    : bus_failure("Cannot restart " + unit, reply);
            }
            const char* job = nullptr;
            sd_bus_message_read(reply.message.get(), "o", &job);
            const std::string job_path = job ? job : "";

            const auto deadline = std::chrono::steady_clock::now() + kJobTimeout;
            bool lost = false;
            while (!removed.count(job_path)) {
                if (ctx.stopping)
                    return stopped_error();
                if (std::chrono::steady_clock::now() > deadline)
                    return core::Error{core::Code::Internal,
                                       "Restarting " + unit + " did not finish in time.",
                                       "Check the unit with 'systemctl status " + unit +
                                           "'; Resume() retries."};
                const int p = sd_bus_process(bus->get(), nullptr);
                if (p < 0) { // the connection broke: ask again on a new one
                    lost = true;
                    break;
                }
                if (p > 0)
                    continue;
                sd_bus_wait(bus->get(), 500000);
            }
            if (lost) {
                if (attempt >= kAttempts)
                    return ctx.stopping ? stopped_error()
                                        : core::Error{core::Code::Internal,
                                                      "Lost the connection to systemd while restarting " + unit + ".",
                                                      "Resume() retries."};
                std::this_thread::sleep_for(std::chrono::seconds(1));
                continue;
            }
            result = removed[job_path];
        }
        if (result != "done")
            return core::Error{core::Code::Internal,
                               "Restarting " + unit + " ended with '" + result + "'.",
                               "Check the unit with 'systemctl status " + unit + "'; Resume() retries."};
        ctx.progress(++n, units.size());
    }
    return true;
}

} // namespace ferry::steps
