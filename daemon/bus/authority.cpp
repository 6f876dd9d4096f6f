#include "bus/authority.hpp"

#include <spdlog/spdlog.h>

namespace ferry::bus {
namespace {

constexpr uint32_t kAllowUserInteraction = 1;

core::Error denied(const char* action, const std::string& why)
{
    return core::Error{core::Code::NotAuthorized,
                       std::string("Not authorized to perform ") + action + ": " + why + ".",
                       "Run as root, as a member of a group that a polkit rule allows, or pass "
                       "the Interactive flag to authenticate."};
}

} // namespace

Caller current_caller(sdbus::IObject& object)
{
    Caller c;
    if (const auto* msg = object.getCurrentlyProcessedMessage()) {
        c.bus_name = msg->getSender();
        try {
            c.uid = msg->getCredsEuid(); // the uid the bus verified, as polkit sees it
        } catch (const sdbus::Error&) {
            c.uid = UINT32_MAX; // unknown: polkit decides
        }
    }
    return c;
}

Authority::Authority(sdbus::IConnection& connection)
    : proxy_(sdbus::createProxy(connection, "org.freedesktop.PolicyKit1",
                                "/org/freedesktop/PolicyKit1/Authority"))
{
}

void Authority::check(const Caller& caller, const char* action, bool interactive,
                      std::function<void(std::optional<core::Error>)> done)
{
    if (caller.uid == 0) {
        done(std::nullopt);
        return;
    }
    auto& mine = pending_by_uid_[caller.uid];
    if (mine >= kMaxPendingPerUid || pending_ >= kMaxPending) {
        if (mine == 0)
            pending_by_uid_.erase(caller.uid);
        spdlog::warn("Refused a polkit check of {} for uid {}: {} of this uid and {} in all pending.",
                     action, caller.uid, mine, pending_);
        done(core::Error{core::Code::LimitsExceeded,
                         "Too many authorization requests are waiting for polkit (" +
                             std::to_string(mine >= kMaxPendingPerUid ? kMaxPendingPerUid
                                                                      : kMaxPending) +
                             (mine >= kMaxPendingPerUid ? " of this user)." : " in all)."),
                         "Answer or cancel the open authentication dialogs (they time out after "
                         "5 minutes), then try again."});
        return;
    }
    ++mine;
    ++pending_;
    // Given back when the reply callback is destroyed: after it ran, or
    // when the call is dropped unanswered.
    auto slot = std::shared_ptr<void>(nullptr, [this, uid = caller.uid](void*) {
        --pending_;
        if (auto it = pending_by_uid_.find(uid); it != pending_by_uid_.end() && --it->second == 0)
            pending_by_uid_.erase(it);
    });
    using Subject = sdbus::Struct<std::string, std::map<std::string, sdbus::Variant>>;
    Subject subject{"system-bus-name", {{"name", sdbus::Variant(caller.bus_name)}}};
    const std::map<std::string, std::string> details;
    const uint32_t flags = interactive ? kAllowUserInteraction : 0;
    const std::string act = action;
    try {
        proxy_->callMethodAsync("CheckAuthorization")
            .onInterface("org.freedesktop.PolicyKit1.Authority")
            .withTimeout(std::chrono::minutes(interactive ? 5 : 1))
            .withArguments(subject, act, details, flags, std::string())
            .uponReplyInvoke([act, uid = caller.uid, done, slot](
                                 const sdbus::Error* err,
                                 sdbus::Struct<bool, bool, std::map<std::string, std::string>> r) {
                if (err) {
                    spdlog::warn("polkit check of {} for uid {} failed: {}", act, uid,
                                 err->getMessage());
                    done(denied(act.c_str(), "polkit is not available (" + err->getName() + ")"));
                    return;
                }
                const bool authorized = std::get<0>(r);
                const bool challenge = std::get<1>(r);
                if (authorized) {
                    done(std::nullopt);
                } else {
                    spdlog::info("polkit denied {} to uid {}{}.", act, uid,
                                 challenge ? " (authentication required)" : "");
                    done(denied(act.c_str(), challenge ? "authentication is required"
                                                       : "polkit denied the request"));
                }
            });
    } catch (const sdbus::Error& e) {
        slot.reset();
        done(denied(action, "polkit is not available (" + e.getName() + ")"));
    }
}

} // namespace ferry::bus
