// POST /ferry/v1/login and the bearer check of every other request: the
// Admin password against its hash, the rate limit (peer/auth.hpp), the
// scoped token bound to the client's address. docs/peer-api.md "Login".
#include <spdlog/spdlog.h>

#include "peer/api.hpp"
#include "peer/api_request.hpp"

namespace ferry::peer {
using namespace request;

Response Api::login(Request& r)
{
    const Clock::time_point now = now_();
    Admission admission;
    {
        std::lock_guard lock(mutex_);
        admission = limiter_.begin(r.client, now);
    }
    if (admission.wait != Clock::duration::zero()) {
        const auto seconds =
            std::max<int64_t>(std::chrono::ceil<std::chrono::seconds>(admission.wait).count(), 1);
        // One line per refusal would let a flood fill the journal: the
        // total budget's refusals are logged once per second at most.
        static std::atomic<int64_t> last_global_log{0};
        const int64_t tick =
            std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
        if (!admission.global)
            spdlog::warn("Login from {} refused: too many failed attempts.", r.client);
        else if (last_global_log.exchange(tick) != tick)
            spdlog::warn("Logins refused for {} s: too many failed attempts from many addresses.",
                         seconds);
        Response resp = error_response(
            429, "RateLimited",
            admission.global
                ? "Too many failed logins on this source from many addresses; try again in " +
                      std::to_string(seconds) + " s."
                : "Too many failed logins from " + r.client + "; try again in " +
                      std::to_string((seconds + 59) / 60) + " minute(s).",
            "Wait, then log in with the correct Admin password of the source.");
        resp.headers.emplace_back("Retry-After", std::to_string(seconds));
        return resp;
    }
    // From here on the attempt counts as in flight until finish().
    auto finish = [&](bool failed) {
        std::lock_guard lock(mutex_);
        limiter_.finish(r.client, now_(), failed ? LoginOutcome::Failed : LoginOutcome::NotChecked);
    };

    json body = json::parse(r.body, nullptr, false);
    std::string* password = nullptr;
    if (body.is_object())
        if (auto it = body.find(protocol::LoginRequest::kPassword);
            it != body.end() && it->is_string())
            password = &it->get_ref<std::string&>();
    struct WipePassword {
        std::string* p;
        ~WipePassword()
        {
            if (p)
                wipe(*p);
        }
    } wipe_password{password};
    if (!password || password->size() > kMaxPasswordLength) {
        finish(false);
        return invalid("The body must be {\"password\": \"...\"} (at most 1024 bytes).");
    }

    auto hash = admin_hash_();
    if (!hash) {
        finish(false);
        spdlog::error("{}", hash.error().message);
        return error_response(500, "Internal", "The source has no Admin password configured.",
                              hash.error().remedy);
    }
    if (!verify_password(*password, *hash)) {
        finish(true);
        spdlog::warn("Login from {} failed: wrong password.", r.client);
        return error_response(401, "AuthenticationFailed",
                              "The Admin password of the source is not correct.",
                              "Type the Admin user password of the source system.");
    }
    {
        std::lock_guard lock(mutex_);
        limiter_.finish(r.client, now_(), LoginOutcome::Succeeded);
    }

    // Optional: the address the client will have after the Swap (a ring
    // node other than the source is told so; see TokenStore::issue).
    std::string also_from;
    if (auto it = body.find(protocol::LoginRequest::kAlsoFrom); it != body.end()) {
        auto a = it->is_string() ? core::parse_address(it->get<std::string>())
                                 : core::Expected<core::Address>(core::Error{});
        if (!a)
            return invalid("\"also_from\" must be an IP address.");
        also_from = a->text;
    }
    core::Expected<std::string> token = core::Error{core::Code::Internal, {}, {}};
    {
        std::lock_guard lock(mutex_);
        token = tokens_.issue(r.client, wall_now_(), also_from);
    }
    if (!token)
        return error_response(token.error());
    spdlog::info("Login from {}.", r.client);
    protocol::LoginAnswer answer{
        std::move(*token), std::chrono::duration_cast<std::chrono::seconds>(kTokenLifetime).count(),
        kProtocol};
    Response resp = ok(answer.to_json());
    wipe(answer.token);
    wipe(*token);
    return resp;
}

bool Api::authorized(const Request& r)
{
    const std::string token = bearer_token(r.authorization);
    if (token.empty())
        return false;
    std::lock_guard lock(mutex_);
    return tokens_.valid(token, r.client, wall_now_());
}

} // namespace ferry::peer
