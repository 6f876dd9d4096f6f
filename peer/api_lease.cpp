// POST /ferry/v1/token/extend: the job's lease on its token. A token from
// /login lasts kTokenLifetime (one hour: enough for the wizard's steps);
// the target's first operation extends it to kJobTokenLifetime, so that a
// long data copy, the Swap reboot or a Resume() the next day still find it
// valid. The final operation's /finish revokes it.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "peer/api.hpp"

namespace ferry::peer {

Response Api::extend_token(const Request& r)
{
    core::Expected<WallClock::time_point> until = core::Error{core::Code::Internal, {}, {}};
    {
        std::lock_guard lock(mutex_);
        until =
            tokens_.extend(bearer_token(r.authorization), r.client, wall_now_(), kJobTokenLifetime);
    }
    if (!until)
        return error_response(until.error());
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(*until - wall_now_()).count();
    spdlog::info("Token of {} extended for the job ({} s).", r.client, seconds);
    Response resp;
    resp.body = protocol::Lease{seconds}.to_json().dump();
    return resp;
}

} // namespace ferry::peer
