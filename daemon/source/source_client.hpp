// The client of the source appliance (brief §5): reachability, login with
// the Admin password, description. The peer API it talks to arrives with
// the source-side work; until then a source that answers on all three
// ports is reported as not offering the ferry peer API.
#pragma once

#include <chrono>
#include <string>

#include "core/address.hpp"
#include "core/expected.hpp"
#include "core/source_info.hpp"

namespace ferry::source {

class SourceClient {
  public:
    virtual ~SourceClient() = default;
    // Blocking; runs on a worker thread. The password is used for the
    // login only and never kept.
    virtual core::Expected<core::SourceInfo> probe(const core::Address& address,
                                                   const std::string& password,
                                                   std::chrono::milliseconds timeout) = 0;
};

class NetworkSourceClient final : public SourceClient {
  public:
    core::Expected<core::SourceInfo> probe(const core::Address& address, const std::string& password,
                                           std::chrono::milliseconds timeout) override;
};

} // namespace ferry::source
