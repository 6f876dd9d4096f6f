// Operation 9: restart this appliance's services through systemd's D-Bus
// API (RestartUnit, then wait for the job's JobRemoved and require
// "done"), as systemctl does. Restarting is idempotent, so a re-run simply
// restarts them again.
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <systemd/sd-bus.h>

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

core::Expected<bool> restart_services(StepContext& ctx)
{
    const auto& units = ctx.appliance.config().services;
    if (units.empty()) {
        ctx.progress(1, 1);
        return true;
    }
    sd_bus* raw = nullptr;
    if (int r = sd_bus_open_system(&raw); r < 0)
        return core::Error{core::Code::Internal,
                           std::string("Cannot connect to the system bus: ") + std::strerror(-r) + ".", {}};
    BusPtr bus(raw, &sd_bus_flush_close_unref);

    std::map<std::string, std::string> removed; // job path -> result
    if (int r = sd_bus_match_signal(bus.get(), nullptr, kSystemd, kPath, kManager, "JobRemoved",
                                    on_job_removed, &removed);
        r < 0)
        return core::Error{core::Code::Internal, "Cannot watch systemd jobs.", {}};
    sd_bus_error err = SD_BUS_ERROR_NULL;
    if (int r = sd_bus_call_method(bus.get(), kSystemd, kPath, kManager, "Subscribe", &err, nullptr, "");
        r < 0) {
        auto e = bus_failure("Cannot subscribe to systemd", err, r);
        sd_bus_error_free(&err);
        return e;
    }

    uint64_t n = 0;
    for (const auto& unit : units) {
        if (ctx.stopping)
            return stopped_error();
        sd_bus_message* reply = nullptr;
        int r = sd_bus_call_method(bus.get(), kSystemd, kPath, kManager, "RestartUnit", &err, &reply,
                                   "ss", unit.c_str(), "replace");
        if (r < 0) {
            auto e = bus_failure("Cannot restart " + unit, err, r);
            sd_bus_error_free(&err);
            return e;
        }
        const char* job = nullptr;
        sd_bus_message_read(reply, "o", &job);
        const std::string job_path = job ? job : "";
        sd_bus_message_unref(reply);

        const auto deadline = std::chrono::steady_clock::now() + kJobTimeout;
        while (!removed.count(job_path)) {
            if (ctx.stopping)
                return stopped_error();
            if (std::chrono::steady_clock::now() > deadline)
                return core::Error{core::Code::Internal, "Restarting " + unit + " did not finish in time.",
                                   "Check the unit with 'systemctl status " + unit + "'; Resume() retries."};
            if (sd_bus_process(bus.get(), nullptr) > 0)
                continue;
            sd_bus_wait(bus.get(), 500000);
        }
        if (removed[job_path] != "done")
            return core::Error{core::Code::Internal,
                               "Restarting " + unit + " ended with '" + removed[job_path] + "'.",
                               "Check the unit with 'systemctl status " + unit + "'; Resume() retries."};
        ctx.progress(++n, units.size());
    }
    return true;
}

} // namespace ferry::steps
