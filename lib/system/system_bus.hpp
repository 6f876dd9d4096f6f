// The one client ferry has for calls to systemd and logind: a blocking
// sd-bus connection of its own to the system bus (on worker threads,
// outside sdbus-c++'s connection). It gives the errno or the bus error's
// text; every caller says in its own words what failed.
#pragma once

#include <cstdint>
#include <string>
#include <systemd/sd-bus.h>

#include "core/expected.hpp"
#include "system/sd_bus_util.hpp"

namespace ferry::local {

// An object and interface ferry calls.
struct BusTarget {
    const char* service;
    const char* path;
    const char* interface;
};

inline constexpr BusTarget kSystemdManager{"org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager"};
inline constexpr BusTarget kLogindManager{"org.freedesktop.login1", "/org/freedesktop/login1",
                                          "org.freedesktop.login1.Manager"};
inline constexpr const char* kSystemdService = "org.freedesktop.systemd1";
inline constexpr const char* kSystemdUnit = "org.freedesktop.systemd1.Unit";

// The outcome of one call: r >= 0 and the reply (if any), or r < 0 and the
// error.
struct BusReply {
    int r = 0;
    BusError error;
    Message message;

    bool ok() const { return r >= 0; }
    explicit operator bool() const { return ok(); }
    // The bus error's message, else strerror(-r).
    std::string text() const { return error.text(r); }
    bool is(const char* error_name) const { return sd_bus_error_has_name(&error.e, error_name); }
};

class SystemBus {
  public:
    // A new connection; the error's message is strerror's text alone.
    static core::Expected<SystemBus> open();

    // A method call with its arguments in sd_bus_message_append's notation.
    template <typename... Args>
    BusReply call(const BusTarget& to, const char* method, const char* types = "",
                  Args... args) const
    {
        BusReply out;
        sd_bus_message* reply = nullptr;
        out.r = sd_bus_call_method(bus_.get(), to.service, to.path, to.interface, method,
                                   &out.error.e, &reply, types, args...);
        out.message.reset(reply);
        return out;
    }

    // A call whose arguments do not fit `call` (arrays): make it, append to
    // it with sd_bus_message_append*, then send it.
    BusReply make_call(const BusTarget& to, const char* method, Message& call) const;
    BusReply send(const Message& call) const;

    // A property of `object` (its interface is the property's).
    BusReply property(const BusTarget& object, const char* name, std::string& value) const;
    BusReply property(const BusTarget& object, const char* name, uint64_t& value) const;

    void set_call_timeout(uint64_t usec) const;
    // For the callers that watch signals (sd_bus_match_signal, process, wait).
    sd_bus* get() const { return bus_.get(); }

  private:
    explicit SystemBus(sd_bus* bus) : bus_(bus) {}
    Bus bus_;
};

} // namespace ferry::local
