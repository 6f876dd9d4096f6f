// This appliance (the target) as ferry sees it: its identity, its license
// and the places ferry.conf names. The one interface behind which the
// reference appliance lives, so that tests run several on one machine.
#pragma once

#include <string>

#include "core/config.hpp"
#include "core/options.hpp"

namespace ferry::local {

struct Identity {
    std::string host_name;
    std::string domain_name;
    std::string address;
};

class Appliance {
  public:
    virtual ~Appliance() = default;
    virtual Identity identity() const = 0;
    virtual core::TargetFacts facts() const = 0;
};

// The reference appliance: settings files NAME.conf in a directory, the
// network identity in network.conf ([Network] HostName=, Domain=,
// Address=), the license in an INI file ([License] Guid=, State=active).
class FileAppliance final : public Appliance {
  public:
    explicit FileAppliance(core::ApplianceConfig config);
    Identity identity() const override;
    core::TargetFacts facts() const override;
    const core::ApplianceConfig& config() const { return config_; }

  private:
    core::ApplianceConfig config_;
};

// Reads and parses an INI file; an empty Ini when the file does not exist.
core::Expected<core::Ini> read_ini_file(const std::string& path);

} // namespace ferry::local
