// Owning wrappers for the sd-bus C API, used where ferry talks to systemd
// and logind directly (on worker threads, outside sdbus-c++'s connection).
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <systemd/sd-bus.h>

namespace ferry::local {

struct BusUnref {
    void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
struct MessageUnref {
    void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using Bus = std::unique_ptr<sd_bus, BusUnref>;
using Message = std::unique_ptr<sd_bus_message, MessageUnref>;

// Owns an sd_bus_error.
struct BusError {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    BusError() = default;
    BusError(const BusError&) = delete;
    BusError& operator=(const BusError&) = delete;
    BusError(BusError&& other) noexcept : e(other.e) { other.e = SD_BUS_ERROR_NULL; }
    BusError& operator=(BusError&&) = delete;
    ~BusError() { sd_bus_error_free(&e); }
    std::string text(int r) const
    {
        return e.message ? std::string(e.message) : std::string(std::strerror(-r));
    }
};

} // namespace ferry::local
