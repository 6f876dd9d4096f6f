#include "appliance/appliance_rules.hpp"

#include "core/ring.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace ferry::local {
namespace {

std::vector<std::string> words(const std::string& s)
{
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

bool parse_u64(std::string_view s, uint64_t& v)
{
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

core::Error unavailable(std::string message, std::string remedy)
{
    return core::Error{core::Code::OptionUnavailable, std::move(message), std::move(remedy)};
}

} // namespace

bool is_iso_date(std::string_view s)
{
    if (s.size() != 10 || s[4] != '-' || s[7] != '-')
        return false;
    auto num = [&](std::size_t pos, std::size_t len, unsigned& v) {
        auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, v);
        return ec == std::errc() && p == s.data() + pos + len;
    };
    unsigned y = 0, m = 0, d = 0;
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d) || y < 1970 || m < 1 || m > 12 || d < 1)
        return false;
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool is_visible_file_name(std::string_view name)
{
    if (name.empty() || name.size() > 255 || name.front() == '.')
        return false;
    return name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

LicenseFacts license_facts(const core::Ini& license, std::string_view today)
{
    LicenseFacts f;
    f.guid = core::ini_get(license, "License", "Guid");
    f.state = core::ini_get(license, "License", "State");
    f.contract_end = core::ini_get(license, "License", "ContractEnd");
    f.licensed = f.state == "active";
    f.contract_active =
        is_iso_date(f.contract_end) && is_iso_date(today) && f.contract_end >= today;
    return f;
}

core::Expected<LicenseRelease> decide_license_release(const core::Ini& license,
                                                      const std::string& to, std::string_view today)
{
    const LicenseFacts f = license_facts(license, today);
    if (f.guid.empty())
        return unavailable("The source has no license to migrate.",
                           "Run the migration without Migrate License.");

    core::Ini target = license;
    target["License"].erase("ReleasedTo");
    target["License"]["State"] = "active";

    if (f.state == "released") {
        const std::string released_to = core::ini_get(license, "License", "ReleasedTo");
        if (released_to != to)
            return unavailable(
                "The license " + f.guid + " of the source was released to " +
                    (released_to.empty() ? std::string("another system") : released_to) +
                    " already.",
                "Install it from that system, or ask the vendor for a license.");
        return LicenseRelease{license, core::format_ini(target), false};
    }
    if (!f.licensed)
        return unavailable("The license " + f.guid +
                               " of the source is not active (State=" + f.state + ").",
                           "Run the migration without Migrate License.");
    if (!f.contract_active)
        return unavailable("The maintenance contract of the source " +
                               (f.contract_end.empty() ? std::string("is not active")
                                                       : "ended on " + f.contract_end) +
                               "; its license cannot be migrated.",
                           "Renew the maintenance contract, or run the migration without "
                           "Migrate License.");

    core::Ini source = license;
    source["License"]["State"] = "released";
    source["License"]["ReleasedTo"] = to;
    return LicenseRelease{std::move(source), core::format_ini(target), true};
}

SettingsChange settings_change(const core::Sections& current, const core::Sections& wanted,
                               bool remove_others)
{
    SettingsChange c;
    for (const auto& [name, content] : wanted) {
        const auto it = current.find(name);
        if (it == current.end() || it->second != content)
            c.write.emplace(name, content);
    }
    if (remove_others)
        for (const auto& [name, content] : current)
            if (!wanted.contains(name))
                c.remove.push_back(name);
    return c;
}

std::optional<core::Error> check_section_names(const core::Sections& sections)
{
    for (const auto& [name, content] : sections)
        // At most 32 characters of the client's text: an answer never
        // repeats a whole token (64 hex digits) put there (fuzz-peer-api).
        if (!core::is_valid_section_name(name))
            return core::Error{core::Code::InvalidArgument,
                               "Invalid settings section name \"" + name.substr(0, 32) +
                                   "\": only a-z, 0-9 and _ are allowed.",
                               {}};
    return std::nullopt;
}

HaFacts decide_ha_facts(const core::Ini& replication, const core::Ini& load_balancing,
                        const Identity& self)
{
    HaFacts h;
    const std::string role = core::ini_get(replication, "Replication", "Role", "Main");
    h.server_role = role == "Additional" ? "Additional" : "Main";
    h.ring_members = words(core::ini_get(replication, "Replication", "RingMembers"));

    std::string other;
    for (const auto& m : h.ring_members)
        if (m != self.address) {
            other = m;
            break;
        }
    h.high_availability = !other.empty();
    if (!h.high_availability)
        return h;
    h.main_node = core::ini_get(replication, "Replication", "Main");
    if (h.main_node.empty())
        h.main_node = h.server_role == "Main" ? self.address : other;
    // Users go to the Main node while this one is away, when it is another.
    if (h.main_node != self.address)
        other = h.main_node;

    const std::string name = self.domain_name.empty() ? self.host_name : self.domain_name;
    const std::string lb = core::ini_get(load_balancing, "LoadBalancing", "Domain");
    h.dns_revert_advice = core::dns_revert_advice(name, self.address, lb);
    if (!name.empty())
        h.dns_advice.push_back("Point " + name + " at " + other +
                               " (another node of the ring) "
                               "instead of " +
                               self.address + " while the migration runs.");
    if (!lb.empty())
        h.dns_advice.push_back("Remove " + self.address + " from the load-balancing domain " + lb +
                               ".");
    h.dns_advice.push_back("Wait until the DNS change has propagated (the records' TTL) before "
                           "you execute the migration.");
    return h;
}

core::Ini migrated_ini(const MigratedRecord& r)
{
    core::Ini ini;
    ini["Migrated"]["To"] = r.to;
    ini["Migrated"]["At"] = std::to_string(r.at_usec);
    ini["Migrated"]["Swap"] = r.swap ? "yes" : "no";
    return ini;
}

std::optional<MigratedRecord> parse_migrated(const core::Ini& ini)
{
    MigratedRecord r;
    r.to = core::ini_get(ini, "Migrated", "To");
    const std::string swap = core::ini_get(ini, "Migrated", "Swap");
    if (r.to.empty() || !parse_u64(core::ini_get(ini, "Migrated", "At"), r.at_usec) ||
        (swap != "yes" && swap != "no"))
        return std::nullopt;
    r.swap = swap == "yes";
    return r;
}

} // namespace ferry::local
