// The HTTPS client of the source's peer API (docs/peer-api.md), on libcurl.
// Trust on first use, then pinning: Probe records the SHA-256 of the
// source's public key (before the password is sent, on a connection that
// carries no secret), and every later request of the job pins it with
// CURLOPT_PINNEDPUBLICKEY, so a swapped certificate is refused before a
// token or a byte of data crosses.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/expected.hpp"

namespace ferry::local {
class Sha256;
}

namespace ferry::source {

struct PeerEndpoint {
    std::string address; // IPv4/IPv6 literal
    uint16_t port = 443;
    std::string pin; // "sha256//<base64>" of the public key; empty only before Probe
};

// One thread at a time: the requests share one curl handle, so that they
// reuse one connection.
class PeerClient {
  public:
    PeerClient(PeerEndpoint endpoint, std::chrono::milliseconds timeout);
    ~PeerClient();
    PeerClient(PeerClient&& other) noexcept;
    PeerClient& operator=(PeerClient&&) = delete;
    PeerClient(const PeerClient&) = delete;
    PeerClient& operator=(const PeerClient&) = delete;

    // Connects without sending anything but a TLS hello and returns the
    // pin of the presented public key ("sha256//<base64>").
    core::Expected<std::string> fetch_pin();

    // POST /login; keeps the token. The password is not kept.
    // `also_from`: the address this system will have after the Swap, for a
    // ring node other than the source (see docs/peer-api.md /login).
    core::Expected<bool> login(const std::string& password, const std::string& also_from = {});
    void set_token(std::string token) { token_ = std::move(token); }
    const std::string& token() const { return token_; }
    const PeerEndpoint& endpoint() const { return endpoint_; }

    core::Expected<nlohmann::json> get(const std::string& path);
    // GET with "If-Match: <etag>" (etag as the ETag header gave it).
    core::Expected<nlohmann::json> get_if_match(const std::string& path, const std::string& etag);
    core::Expected<nlohmann::json> post(const std::string& path, const nlohmann::json& body);
    core::Expected<nlohmann::json> put(const std::string& path, const nlohmann::json& body);
    core::Expected<nlohmann::json> del(const std::string& path);

    // GET path into the open file `fd` (`file` names it in messages) from
    // byte `offset` (HTTP Range), keeping the file's first `offset` bytes.
    // The caller opens the file (local/part_file.hpp): nothing here opens
    // a path, so nothing follows a link planted in the directory. `on_bytes` is called with each chunk's
    // size; returning false aborts. `hash`, when given, is fed every byte
    // received, in order (the caller adds the kept prefix first). `etag`
    // receives the answer's ETag header. Written back while it arrives and
    // fdatasync'ed at the end: on success the bytes are on disk. Returns
    // the file's size.
    core::Expected<uint64_t> download(const std::string& path, int fd, const std::string& file,
                                      uint64_t offset, std::function<bool(uint64_t)> on_bytes,
                                      local::Sha256* hash = nullptr, std::string* etag = nullptr);

  private:
    core::Expected<nlohmann::json> request(const char* method, const std::string& path,
                                           const nlohmann::json* body,
                                           const std::string& extra_header = {});
    std::string url(const std::string& path) const;
    void* handle(); // the reused curl handle, reset

    PeerEndpoint endpoint_;
    std::chrono::milliseconds timeout_;
    std::string token_;
    void* curl_ = nullptr; // CURL*
};

// The error a peer's JSON error body names, mapped to a core::Code.
core::Error peer_error(long http_status, const nlohmann::json& body);

// What request() and login() make of an answer, as pure functions of the
// status and the bytes received, so that tests/fuzz reaches them without a
// network (the answer is the source's, or anyone's on the path before the
// pin is taken). `address` names the source in the errors.
//   The JSON document of a 2xx answer, else the error it names.
core::Expected<nlohmann::json> answer_json(long http_status, std::string_view body,
                                           const std::string& address);
//   The token of a /login answer (IncompatibleSource for another protocol).
core::Expected<std::string> token_from_login(const nlohmann::json& answer,
                                             const std::string& address);

} // namespace ferry::source
