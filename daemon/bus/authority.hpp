// Authorization through polkit's CheckAuthorization on the caller's bus
// name (brief §3). Asynchronous, so an interactive check never blocks the
// loop. Callers with uid 0 are authorized without asking polkit, as
// systemd's daemons do for privileged callers; everyone else is asked.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sdbus-c++/sdbus-c++.h>
#include <string>

#include "bus/guarded.hpp"
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
    // LimitsExceeded (at once) when the caller's uid already has
    // kMaxPendingPerUid checks waiting for polkit, or everyone together
    // kMaxPending: a user who leaves authentication dialogs open cannot
    // use up ferryd's outgoing calls (the bus allows a connection 128
    // pending replies) and so lock polkit out for everyone else.
    void check(const Caller& caller, const char* action, bool interactive,
               std::function<void(std::optional<core::Error>)> done);

    static constexpr unsigned kMaxPendingPerUid = 8;
    static constexpr unsigned kMaxPending = 64;
    unsigned pending() const { return pending_; }

  private:
    // Declared before proxy_: the proxy's pending calls (and the counts
    // they give back when dropped) go first.
    unsigned pending_ = 0;
    std::map<uint32_t, unsigned> pending_by_uid_;
    std::unique_ptr<sdbus::IProxy> proxy_;
};

// The one shape of every authorized handler (all of Manager's and Job's
// methods): ask polkit for `action` on behalf of the sender of the message
// `object` is handling, answer a denial with its error, else run `body`.
// Both the asking and `body` run guarded (guarded.hpp), `what` naming the
// handler in the journal. `r` is the shared sdbus::Result the body
// answers; call this from inside the handler (the caller is read from the
// message being processed).
template <typename R, typename Body>
void check_then(Authority& authority, sdbus::IObject& object, const char* action, bool interactive,
                std::shared_ptr<R> r, const char* what, Body body)
{
    answer_guarded(*r, what, [&] {
        authority.check(
            current_caller(object), action, interactive,
            [r, what, body = std::move(body)](std::optional<core::Error> denied) mutable {
                answer_guarded(*r, what, [&] {
                    if (denied)
                        return r->returnError(to_bus_error(*denied));
                    body();
                });
            });
    });
}

} // namespace ferry::bus
