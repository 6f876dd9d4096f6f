// The HTTP transport of the peer API: libmicrohttpd with TLS (GnuTLS) on the
// HTTPS socket, and a plain listener that only redirects to it (port 80).
// Sockets come from systemd (socket activation) or from --listen; either
// way they are bound before the server starts.
#pragma once

#include <cstdint>
#include <string>

#include "core/expected.hpp"
#include "peer/api.hpp"

struct MHD_Daemon;

namespace ferry::peer {

inline constexpr std::size_t kMaxBodyBytes = 8u << 20;

class Server {
  public:
    explicit Server(Api& api) : api_(api) {}
    ~Server() { stop(); }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Takes ownership of `listen_fd`. Two worker threads.
    core::Expected<bool> start_https(int listen_fd, std::string cert_pem, std::string key_pem);
    // Takes ownership of `listen_fd`; answers every request with 301 to
    // https://HOST[:https_port]/.
    core::Expected<bool> start_redirect(int listen_fd, uint16_t https_port);
    void stop();

    Api& api() { return api_; }
    uint16_t https_port() const { return https_port_; }
    uint16_t redirect_port() const { return redirect_port_; }

  private:
    Api& api_;
    MHD_Daemon* https_ = nullptr;
    MHD_Daemon* http_ = nullptr;
    std::string cert_, key_;
    uint16_t https_port_ = 443;
    uint16_t redirect_port_ = 443;
};

} // namespace ferry::peer
