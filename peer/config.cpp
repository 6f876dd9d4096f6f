#include "peer/config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace ferry::peer {
namespace {

core::Error bad(const std::string& what)
{
    return core::Error{core::Code::InvalidArgument, "ferry.conf: " + what, {}};
}

bool absolute(const std::string& v)
{
    return !v.empty() && v[0] == '/';
}

std::string trim(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

} // namespace

core::Expected<PeerConfig> parse_peer_config(core::Ini ini)
{
    PeerConfig c;
    struct Extra {
        std::string staged, maintenance, migrated;
    } extra;

    if (auto it = ini.find("Appliance"); it != ini.end()) {
        for (auto k = it->second.begin(); k != it->second.end();) {
            std::string* dst = k->first == "StagedSettingsDirectory" ? &extra.staged
                               : k->first == "MaintenanceFile"       ? &extra.maintenance
                               : k->first == "MigratedFile"          ? &extra.migrated
                                                                     : nullptr;
            if (!dst) {
                ++k;
                continue;
            }
            if (!absolute(k->second))
                return bad(k->first + " must be an absolute path.");
            *dst = k->second;
            k = it->second.erase(k);
        }
    }

    if (auto it = ini.find("Peer"); it != ini.end()) {
        for (const auto& [key, value] : it->second) {
            if (key == "AdminPasswordHash") {
                c.admin_password_hash = value;
            } else if (key == "Certificate" || key == "Key") {
                if (!absolute(value))
                    return bad(key + " must be an absolute path.");
                (key == "Certificate" ? c.certificate : c.key) = value;
            } else if (key == "StateDirectory") {
                if (!absolute(value) || value == "/")
                    return bad("StateDirectory must be an absolute path.");
                c.state_directory = value;
            } else {
                return bad("unknown key " + key + " in [Peer].");
            }
        }
    }

    if (auto it = ini.find("Database"); it != ini.end()) {
        for (const auto& [key, value] : it->second) {
            if (key == "Socket" || key == "PasswordFile") {
                if (!value.empty() && !absolute(value))
                    return bad(key + " must be an absolute path.");
                (key == "Socket" ? c.database.socket : c.database.password_file) = value;
            } else if (key == "User") {
                if (value.empty() || value.size() > 80)
                    return bad("User must be a MariaDB user name.");
                c.database.user = value;
            } else if (key == "Port") {
                unsigned v = 0;
                auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
                if (ec != std::errc() || p != value.data() + value.size() || v == 0 || v > 65535)
                    return bad("Port must be 1..65535.");
                c.database.port = static_cast<uint16_t>(v);
            } else if (key == "RequireTLS") {
                if (value == "yes" || value == "true" || value == "1")
                    c.database.require_tls = true;
                else if (value == "no" || value == "false" || value == "0")
                    c.database.require_tls = false;
                else
                    return bad("RequireTLS must be yes or no.");
            } else if (key == "CopyThreads") {
                // ferryd's (the target side); core::parse_config checks it.
            } else {
                return bad("unknown key " + key + " in [Database].");
            }
        }
    }

    auto appliance = core::parse_config(ini);
    if (!appliance)
        return appliance.error();
    c.appliance = std::move(*appliance);
    c.layout = local::default_layout(c.appliance);
    if (!extra.staged.empty())
        c.layout.staged_settings_dir = extra.staged;
    if (!extra.maintenance.empty())
        c.layout.maintenance_file = extra.maintenance;
    if (!extra.migrated.empty())
        c.layout.migrated_file = extra.migrated;
    return c;
}

core::Expected<PeerConfig> load_peer_config(const std::string& path)
{
    auto ini = local::read_ini_file(path);
    if (!ini)
        return ini.error();
    auto c = parse_peer_config(std::move(*ini));
    if (!c)
        return core::Error{c.error().code, path + ": " + c.error().message, c.error().remedy};
    return c;
}

core::Expected<std::string> resolve_admin_hash(const std::string& setting)
{
    auto none = [](const std::string& why) {
        return core::Error{core::Code::Internal, "No Admin password hash: " + why,
                           "Set AdminPasswordHash= in [Peer] of ferry.conf (see "
                           "ferry-peer --hash-password)."};
    };
    if (setting.empty())
        return none("AdminPasswordHash= is not set.");
    std::string hash = setting;
    if (setting[0] == '/') {
        std::ifstream in(setting);
        if (!in)
            return none("cannot read " + setting + ".");
        std::getline(in, hash);
        hash = trim(hash);
        if (hash.empty())
            return none(setting + " is empty.");
    }
    // A modern crypt(3) hash ($id$...). Anything else, a password typed in
    // by mistake above all, is refused rather than compared.
    if (hash.size() < 4 || hash[0] != '$')
        return none(std::string(setting[0] == '/' ? setting : "AdminPasswordHash=") +
                    " does not hold a crypt(3) hash ($y$..., $6$...).");
    return hash;
}

} // namespace ferry::peer
