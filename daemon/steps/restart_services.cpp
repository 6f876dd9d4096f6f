// Operation 9: restart this appliance's services through systemd's D-Bus
// API (RestartUnit, then wait for the job's JobRemoved and require
// "done"), as systemctl does. Restarting is idempotent, so a re-run simply
// restarts them again.
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <systemd/sd-bus.h>
#include <thread>

#include "steps/steps.hpp"

namespace ferry::steps {
namespace {

constexpr const char* kSystemd = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr auto kJobTimeout = std::chrono::seconds(120);

using BusPtr = std::unique_ptr<sd_bus, decltype(&sd_bus_flush_close_unref)>;

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*)
{
    uint32_t id = 0;
    const char *path = nullptr, *unit = nullptr, *result = nullptr;
    if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) >= 0)
        (*static_cast<std::map<std::string, std::string>*>(userdata))[path] = result;
    return 0;
}

core::Error bus_failure(const std::string& what, const sd_bus_error& e, int r)
{
    return core::Error{core::Code::Internal,
                       what + ": " + (e.message ? e.message : std::strerror(-r)) + ".",
                       "Check the unit with 'systemctl status'; Resume() retries."};
}

} // namespace

namespace {

// A connection to systemd with JobRemoved watched; `removed` collects
// job path -> result.
core::Expected<BusPtr> connect_systemd(std::map<std::string, std::string>& removed)
{
    sd_bus* raw = nullptr;
    if (int r = sd_bus_open_system(&raw); r < 0)
        return core::Error{core::Code::Internal,
                           std::string("Cannot connect to the system bus: ") + std::strerror(-r) + ".", {}};
    BusPtr bus(raw, &sd_bus_flush_close_unref);
    if (sd_bus_match_signal(bus.get(), nullptr, kSystemd, kPath, kManager, "JobRemoved",
                            on_job_removed, &removed) < 0)
        return core::Error{core::Code::Internal, "Cannot watch systemd jobs.", {}};
    sd_bus_error err = SD_BUS_ERROR_NULL;
    if (int r = sd_bus_call_method(bus.get(), kSystemd, kPath, kManager, "Subscribe", &err, nullptr, "");
        r < 0) {
        auto e = bus_failure("Cannot subscribe to systemd", err, r);
        sd_bus_error_free(&err);
        return e;
    }
    return bus;
}

// A failure that says nothing about the unit: systemd went away under us
// (re-exec, shutdown, a power cut a moment later). Worth a new connection.
bool transient(int r, const sd_bus_error& e)
{
    return r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE || r == -ETIMEDOUT ||
           sd_bus_error_has_name(&e, "org.freedesktop.DBus.Error.NoReply") ||
           sd_bus_error_has_name(&e, "org.freedesktop.DBus.Error.Disconnected");
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
            sd_bus_error err = SD_BUS_ERROR_NULL;
            sd_bus_message* reply = nullptr;
            int r = sd_bus_call_method(bus->get(), kSystemd, kPath, kManager, "RestartUnit", &err,
                                       &reply, "ss", unit.c_str(), "replace");
            if (r < 0) {
                const bool retry = transient(r, err) && attempt < kAttempts;
                auto e = bus_failure("Cannot restart " + unit, err, r);
                sd_bus_error_free(&err);
                if (retry) {
                    std::this_thread::sleep_for(std::chrono::seconds(1));
                    continue;
                }
                return ctx.stopping ? stopped_error() : e;
            }
            const char* job = nullptr;
            sd_bus_message_read(reply, "o", &job);
            const std::string job_path = job ? job : "";
            sd_bus_message_unref(reply);

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
