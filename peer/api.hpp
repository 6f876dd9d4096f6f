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
#include "local/appliance.hpp"
#include "peer/auth.hpp"
#include "peer/database.hpp"

namespace ferry::peer {

inline constexpr int kProtocol = 1;
inline constexpr std::string_view kPrefix = "/ferry/v1/";

struct Request {
    std::string method;
    std::string path;   // decoded, without the query
    std::string client; // the client's address as the peer sees it
    std::string authorization;
    std::string range;
    std::string if_range;
    std::string body; // wiped after handling (it may hold the password)
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
    std::string error; // the error name of an error answer (for the access log)
};

class Api {
  public:
    using AdminHash = std::function<core::Expected<std::string>()>;

    Api(local::Appliance& appliance, DatabaseAdmin& database, AdminHash admin_hash);

    Response handle(Request& request);

    // For the tests.
    void set_clock(std::function<Clock::time_point()> now) { now_ = std::move(now); }

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
    Response certificates();
    Response release_license(const Request& r);
    Response logs();
    Response log_file(const Request& r, const std::string& name);
    Response finish();

    local::Appliance& appliance_;
    DatabaseAdmin& database_;
    AdminHash admin_hash_;
    std::function<Clock::time_point()> now_;

    std::mutex mutex_; // guards limiter_ and tokens_
    RateLimiter limiter_;
    TokenStore tokens_;
};

// An error answer in the shape of docs/peer-api.md "Errors".
Response error_response(unsigned status, std::string_view name, const std::string& message,
                        const std::string& remedy = {});
Response error_response(const core::Error& e);

} // namespace ferry::peer
