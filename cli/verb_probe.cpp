// probe ADDRESS: the wizard's Source and Source Info steps. The Admin
// password comes from the terminal (echo off) or --password-file, never
// from the command line.

#include "checks.hpp"
#include "i18n.hpp"
#include "output.hpp"
#include "password.hpp"
#include "polkit_agent.hpp"
#include "verbs.hpp"

namespace ferryctl {
namespace {

using PortTuple = sdbus::Struct<uint16_t, std::string, bool, std::string>;

std::string join_lines(const std::vector<std::string>& v)
{
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : "\n") + s;
    return out;
}

std::string port_lines(const std::vector<PortTuple>& ports)
{
    std::vector<std::string> lines;
    for (const auto& p : ports) {
        std::string l = std::to_string(p.get<0>()) + " (" + p.get<1>() +
                        "): " + (p.get<2>() ? _("open") : _("closed"));
        if (!p.get<3>().empty())
            l += ", " + p.get<3>();
        lines.push_back(l);
    }
    return join_lines(lines);
}

// "sha256//X=" (Probe's CertificateSha256) -> "SHA256:X".
std::string ssh_fingerprint(std::string pin)
{
    constexpr std::string_view kCurl = "sha256//";
    if (pin.rfind(kCurl, 0) != 0)
        return pin;
    pin.erase(0, kCurl.size());
    while (!pin.empty() && pin.back() == '=')
        pin.pop_back();
    return "SHA256:" + pin;
}

nlohmann::json info_to_json(const VariantMap& info)
{
    auto j = dict_to_json(info);
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& p : get_or<std::vector<PortTuple>>(info, "PortChecks"))
        ports.push_back({{"Port", p.get<0>()},
                         {"Service", p.get<1>()},
                         {"Open", p.get<2>()},
                         {"Detail", p.get<3>()}});
    j["PortChecks"] = ports;
    j["PreflightChecks"] = checks_to_json(get_or<std::vector<CheckTuple>>(info, "PreflightChecks"));
    return j;
}

void print_info(const VariantMap& info)
{
    const bool ha = get_or<bool>(info, "HighAvailability");
    KeyValueTable t;
    t.add(_("License GUID"), get_or<std::string>(info, "LicenseGuid"));
    t.add(_("Host Name"), get_or<std::string>(info, "HostName"));
    t.add(_("Domain Name"), get_or<std::string>(info, "DomainName"));
    t.add(_("IP Address"), get_or<std::string>(info, "Address"));
    t.add(_("Server Role"), get_or<std::string>(info, "ServerRole"));
    t.add(_("Message"), get_or<std::string>(info, "Message"));
    if (ha)
        t.add(_("Ring Members"), join_lines(get_or<std::vector<std::string>>(info, "RingMembers")));
    t.add(_("DNS Advice"), join_lines(get_or<std::vector<std::string>>(info, "DnsAdvice")));
    t.add(_("License"), get_or<bool>(info, "Licensed") ? _("active") : _("none"));
    t.add(_("Maintenance"), get_or<bool>(info, "MaintenanceContractActive")
                                ? _("Maintenance Contract active")
                                : _("no active Maintenance Contract"));
    t.add(_("Settings Size"), format_bytes(get_or<uint64_t>(info, "SettingsBytes")));
    t.add(_("Data Size"), format_bytes(get_or<uint64_t>(info, "DataBytes")));
    t.add(_("Log Size"), format_bytes(get_or<uint64_t>(info, "LogBytes")));
    // As ssh shows a host key: compare it with the one shown on the source,
    // and give it to --fingerprint= next time.
    t.add(_("Certificate"), ssh_fingerprint(get_or<std::string>(info, "CertificateSha256")));
    t.add(_("Ports"), port_lines(get_or<std::vector<PortTuple>>(info, "PortChecks")));
    t.add("MariaDB", get_or<std::string>(info, "MariaDbVersion"));
    t.print();
    print_checks(get_or<std::vector<CheckTuple>>(info, "PreflightChecks"));
}

Secret read_password(const Context& c, const std::string& address)
{
    if (c.args.password_file)
        return read_password_file(*c.args.password_file);
    if (!c.args.ask_password)
        throw UsageError(_("The Admin password of the source is needed and --no-ask-password "
                           "forbids asking for it: use --password-file=PATH."));
    // The wizard's Source step warning, shown where the password is typed.
    return read_password_tty(cformat(_("All local data on this system will be deleted and "
                                       "overwritten by the migration.\nThe copy uses port 3306; "
                                       "ports 80, 443 and 3306 must be open between the two "
                                       "systems.\nAdmin password of %s: "),
                                     address.c_str()));
}

} // namespace

int verb_probe(Context& c, const Verbs& args)
{
    const std::string& address = args.at(1);
    // Reach ferryd before asking for the password: no point typing it in
    // when the daemon is not there (this also activates it).
    (void)c.bus.manager().State();

    VariantMap info;
    {
        Secret password = read_password(c, address);
        PolkitAgent agent(c.interactive());
        VariantMap flags{{"Interactive", sdbus::Variant(c.interactive())}};
        if (!c.args.fingerprint.empty())
            flags.emplace("CertificateSha256", sdbus::Variant(c.args.fingerprint));
        info = c.bus.manager().probe_sensitive(address, password, flags);
    } // the password page is wiped here

    if (c.args.json != JsonMode::Off)
        print_json(info_to_json(info), c.args.json);
    else
        print_info(info);
    return kExitOk;
}

} // namespace ferryctl
