// The peer API (docs/peer-api.md) without HTTP plumbing: a request as
// values in, a response as values out. server.cpp is the libmicrohttpd
// transport over it, the way ferryd's bus/ is a transport over its engine.
// Thread-safe: libmicrohttpd calls it from its worker threads.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/expected.hpp"
#include "protocol/peer_protocol.hpp"
#include "appliance/appliance.hpp"
#include "peer/auth.hpp"
#include "peer/database.hpp"

namespace ferry::peer {

inline constexpr int kProtocol = core::kPeerProtocol;
inline constexpr std::string_view kPrefix = "/ferry/v1/";

struct Request {
    std::string method;
    std::string path;   // decoded, without the query
    std::string client; // the client's address as the peer sees it
    std::string authorization;
    std::string range;
    std::string if_range;
    std::string body; // wiped after handling (it may hold the password)
    std::string if_match;
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // A file answer: `length` bytes of `file` from `offset`.
    std::optional<local::OpenFile> file;
    uint64_t offset = 0;
    uint64_t length = 0;
    // A file answer of the whole file: when set, the transport computes the
    // SHA-256 of the bytes as it reads them for sending and, once it has
    // read the last one, calls this with it and the file (still open).
    std::function<void(const std::string& sha256, int fd)> sent_sha256;
    std::string error; // the error name of an error answer (for the access log)
    // Run by the transport once the whole answer has been sent (not when
    // the connection broke before): POST /reboot asks logind here.
    std::function<void()> after_sent;
};

class Api {
  public:
    using AdminHash = std::function<core::Expected<std::string>()>;
    // logind's CanReboot() and Reboot(false) (lib/system/logind.hpp) by default.
    using CanReboot = std::function<core::Expected<std::string>()>;
    using Reboot = std::function<core::Expected<bool>()>;

    Api(local::Appliance& appliance, DatabaseAdmin& database, AdminHash admin_hash);

    Response handle(Request& request);

    // Keeps the tokens in DIR (the state directory, see TokenStore) so that
    // they survive a restart and the reboot of a Swap Configuration. Until
    // it succeeds (or after it failed) POST /reboot is refused: a reboot
    // would end the target's login.
    core::Expected<bool> persist_tokens_in(const std::string& dir);

    // For the tests: one fake time drives the rate limit and token expiry;
    // the reboot goes to the given functions instead of logind.
    void set_clock(std::function<Clock::time_point()> now);
    void set_reboot(CanReboot can, Reboot reboot)
    {
        can_reboot_ = std::move(can);
        reboot_ = std::move(reboot);
    }

  private:
    Response login(Request& r);
    bool authorized(const Request& r);
    Response route(Request& r, std::string_view resource);

    Response describe();
    Response settings();
    Response staged_settings(const Request& r);
    Response maintenance(const Request& r);
    Response migrated(const Request& r);
    Response create_db_account(const Request& r);
    Response drop_db_accounts();
    Response db_objects();
    Response certificates();
    Response release_license(const Request& r);
    Response logs();
    Response log_file(const Request& r, const std::string& name);
    Response log_sha256(const Request& r, const std::string& name);
    Response finish();
    Response reboot();
    // The ring (api_ring.cpp, docs/ha.md).
    Response replica_deactivate();
    Response extend_token(const Request& r); // api_lease.cpp
    Response round_robin(bool remove);

    local::Appliance& appliance_;
    DatabaseAdmin& database_;
    AdminHash admin_hash_;
    std::function<Clock::time_point()> now_;
    std::function<WallClock::time_point()> wall_now_;
    CanReboot can_reboot_;
    Reboot reboot_;
    std::optional<core::Error> memory_only_; // why the tokens are not persisted
    std::string state_dir_;                  // set by persist_tokens_in()

    std::mutex mutex_; // guards limiter_ and tokens_
    RateLimiter limiter_;
    TokenStore tokens_;
};

// An error answer in the shape of docs/peer-api.md "Errors".
Response error_response(unsigned status, std::string_view name, const std::string& message,
                        const std::string& remedy = {});
Response error_response(const core::Error& e);

} // namespace ferry::peer
