#include "bus/convert.hpp"

namespace ferry::bus {

core::Expected<SplitOptions> split_options(const VariantMap& dict)
{
    if (dict.size() > kMaxDictEntries)
        return core::Error{core::Code::InvalidArgument,
                           "Too many entries in the options dictionary (" +
                               std::to_string(dict.size()) + ").",
                           {}};
    SplitOptions out;
    for (const auto& [key, value] : dict) {
        const std::string type = value.peekValueType();
        if (key == kFlagInteractive) {
            if (type != "b")
                return core::Error{core::Code::InvalidArgument,
                                   "Flag 'Interactive' must be a boolean (b).", {}};
            out.interactive = value.get<bool>();
            continue;
        }
        out.rest.push_back(core::RawOption{key, type, type == "b" ? value.get<bool>() : false});
    }
    return out;
}

VariantMap source_info_to_dict(const core::SourceInfo& s)
{
    std::vector<sdbus::Struct<uint16_t, std::string, bool, std::string>> ports;
    for (const auto& p : s.ports)
        ports.emplace_back(p.port, p.service, p.open, p.detail);
    return VariantMap{
        {"LicenseGuid", sdbus::Variant(s.license_guid)},
        {"HostName", sdbus::Variant(s.host_name)},
        {"DomainName", sdbus::Variant(s.domain_name)},
        {"Address", sdbus::Variant(s.address)},
        {"ServerRole", sdbus::Variant(s.server_role)},
        {"HighAvailability", sdbus::Variant(s.high_availability)},
        {"Licensed", sdbus::Variant(s.licensed)},
        {"MaintenanceContractActive", sdbus::Variant(s.maintenance_contract_active)},
        {"Message",
         sdbus::Variant(std::string(s.high_availability ? "The system is in high availability"
                                                        : "The system is a standalone type"))},
        {"RingMembers", sdbus::Variant(s.ring_members)},
        {"DnsAdvice", sdbus::Variant(s.dns_advice)},
        {"DnsRevertAdvice", sdbus::Variant(s.dns_revert_advice)},
        {"MainNode", sdbus::Variant(s.main_node)},
        {"Upstream", sdbus::Variant(s.upstream)},
        {"Downstream", sdbus::Variant(s.downstream)},
        {"DataBytes", sdbus::Variant(s.data_bytes)},
        {"LogBytes", sdbus::Variant(s.log_bytes)},
        {"SettingsBytes", sdbus::Variant(s.settings_bytes)},
        {"CertificateSha256", sdbus::Variant(s.certificate_sha256)},
        {"PortChecks", sdbus::Variant(ports)},
        {"MariaDbVersion", sdbus::Variant(s.mariadb_version)},
        {"PreflightChecks", sdbus::Variant(checks_to_structs(s.preflight))},
    };
}

std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>>
checks_to_structs(const std::vector<core::PreflightCheck>& checks)
{
    std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>> out;
    for (const auto& c : checks)
        out.emplace_back(c.id, std::string(core::verdict_name(c.verdict)), c.title, c.message);
    return out;
}

VariantMap options_to_dict(const core::Options& o)
{
    return VariantMap{{core::kOptSwap, sdbus::Variant(o.swap)},
                      {core::kOptLicense, sdbus::Variant(o.license)},
                      {core::kOptLogs, sdbus::Variant(o.logs)}};
}

sdbus::Variant json_to_variant(const nlohmann::json& j)
{
    switch (j.type()) {
    case nlohmann::json::value_t::boolean: return sdbus::Variant(j.get<bool>());
    case nlohmann::json::value_t::number_unsigned: return sdbus::Variant(j.get<uint64_t>());
    case nlohmann::json::value_t::number_integer: return sdbus::Variant(j.get<int64_t>());
    case nlohmann::json::value_t::number_float: return sdbus::Variant(j.get<double>());
    case nlohmann::json::value_t::string: return sdbus::Variant(j.get<std::string>());
    default: return sdbus::Variant(j.dump());
    }
}

VariantMap json_object_to_dict(const nlohmann::json& j)
{
    VariantMap out;
    if (j.is_object())
        for (const auto& [k, v] : j.items())
            out.emplace(k, json_to_variant(v));
    return out;
}

} // namespace ferry::bus
