// Authorization through polkit's CheckAuthorization on the caller's bus
// name (brief §3). Asynchronous, so an interactive check never blocks the
// loop. Callers with uid 0 are authorized without asking polkit, as
// systemd's daemons do for privileged callers; everyone else is asked.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <sdbus-c++/sdbus-c++.h>
#include <string>

#include "core/error.hpp"

namespace ferry::bus {

inline constexpr const char* kActionRead = "org.ferry.migration.read";
inline constexpr const char* kActionProbe = "org.ferry.migration.probe";
inline constexpr const char* kActionExecute = "org.ferry.migration.execute";

struct Caller {
    std::string bus_name;
    uint32_t uid = UINT32_MAX;
};

// The sender of the message being handled (valid inside a handler only).
Caller current_caller(sdbus::IObject& object);

class Authority {
  public:
    explicit Authority(sdbus::IConnection& connection);

    // `done(nullopt)` when authorized, else NotAuthorized with the reason.
    void check(const Caller& caller, const char* action, bool interactive,
               std::function<void(std::optional<core::Error>)> done);

  private:
    std::unique_ptr<sdbus::IProxy> proxy_;
};

} // namespace ferry::bus
