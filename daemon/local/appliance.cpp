#include "local/appliance.hpp"

#include <fstream>
#include <sstream>

namespace ferry::local {

core::Expected<core::Ini> read_ini_file(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return core::Ini{};
    std::ostringstream ss;
    ss << in.rdbuf();
    auto ini = core::parse_ini(ss.str());
    if (!ini)
        return core::Error{ini.error().code, path + ": " + ini.error().message, {}};
    return ini;
}

FileAppliance::FileAppliance(core::ApplianceConfig config) : config_(std::move(config)) {}

Identity FileAppliance::identity() const
{
    auto ini = read_ini_file(config_.settings_dir + "/network.conf");
    if (!ini)
        return {};
    return Identity{core::ini_get(*ini, "Network", "HostName"),
                    core::ini_get(*ini, "Network", "Domain"),
                    core::ini_get(*ini, "Network", "Address")};
}

core::TargetFacts FileAppliance::facts() const
{
    auto ini = read_ini_file(config_.license_file);
    core::TargetFacts f;
    f.licensed = ini && core::ini_get(*ini, "License", "State") == "active";
    return f;
}

} // namespace ferry::local
