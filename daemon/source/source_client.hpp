// The client of the source appliance (brief §5): reachability of
// 80/443/3306, then the peer API (docs/peer-api.md): the key pin, the login
// with the Admin password, the description.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "core/address.hpp"
#include "core/expected.hpp"
#include "protocol/peer_protocol.hpp"
#include "core/source_info.hpp"

namespace ferry::source {

// What a successful Probe yields: the Source Info (with the key pin in
// certificate_sha256) and the peer token. Never the password.
struct ProbeSession {
    core::SourceInfo info;
    std::string token;
    std::string main_token; // the ring's Main node, when it is not the source
};

class SourceClient {
  public:
    virtual ~SourceClient() = default;
    // Blocking; runs on a worker thread. The password is used for the
    // login only and never kept. `expected_pin` (core/certificate_pin.hpp,
    // empty: trust on first use): the source's key must be this one, or
    // CertificateMismatch before the password is sent.
    virtual core::Expected<ProbeSession> probe(const core::Address& address,
                                               const std::string& password,
                                               std::chrono::milliseconds timeout,
                                               const std::string& expected_pin = {}) = 0;
};

class NetworkSourceClient final : public SourceClient {
  public:
    // The peer API port; 443 on an appliance, another one in some rigs.
    explicit NetworkSourceClient(uint16_t peer_port = 443) : peer_port_(peer_port) {}
    core::Expected<ProbeSession> probe(const core::Address& address, const std::string& password,
                                       std::chrono::milliseconds timeout,
                                       const std::string& expected_pin = {}) override;

  private:
    uint16_t peer_port_;
};

// Source Info from the peer's describe answer; IncompatibleSource when a
// field is missing or mistyped (protocol::Description), or the server
// role is unknown.
core::Expected<core::SourceInfo> source_info_from_describe(const nlohmann::json& d);
core::Expected<core::SourceInfo> source_info_from(const protocol::Description& d);

} // namespace ferry::source
