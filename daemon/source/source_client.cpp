#include "source/source_client.hpp"

#include "core/certificate_pin.hpp"
#include "core/json_number.hpp"
#include "core/peer_protocol.hpp"

#include <spdlog/spdlog.h>
#include "source/peer_client.hpp"
#include "source/port_check.hpp"

namespace ferry::source {

core::Expected<core::SourceInfo> source_info_from_describe(const nlohmann::json& d)
{
    try {
        if (core::json_integer<int>(d.at("protocol")) != core::kPeerProtocol)
            return core::Error{core::Code::IncompatibleSource,
                               "The source speaks another version of the ferry peer protocol.",
                               "Update ferry on both systems to the same version."};
        core::SourceInfo s;
        s.license_guid = d.at("license_guid").get<std::string>();
        s.licensed = d.at("licensed").get<bool>();
        s.maintenance_contract_active = d.at("maintenance_contract_active").get<bool>();
        s.host_name = d.at("host_name").get<std::string>();
        s.domain_name = d.at("domain_name").get<std::string>();
        s.address = d.at("address").get<std::string>();
        s.server_role = d.at("server_role").get<std::string>();
        s.high_availability = d.at("high_availability").get<bool>();
        s.ring_members = d.value("ring_members", std::vector<std::string>{});
        s.dns_advice = d.value("dns_advice", std::vector<std::string>{});
        s.dns_revert_advice = d.value("dns_revert_advice", std::vector<std::string>{});
        s.main_node = d.value("main_node", "");
        if (const auto r = d.find("replication"); r != d.end() && r->is_object()) {
            s.downstream = r->value("downstream", std::vector<std::string>{});
            s.upstream = r->value("master_host", "");
            s.replica_configured = r->value("replica_configured", false);
            s.replica_io_running = r->value("io_running", false);
            s.replica_sql_running = r->value("sql_running", false);
            s.replica_last_error = r->value("last_error", "");
            s.replication_error = r->value("error", "");
            if (const auto lag = r->find("seconds_behind_master");
                lag != r->end() && lag->is_number_integer() && lag->get<int64_t>() >= 0)
                s.replica_seconds_behind = lag->get<int64_t>();
        }
        s.protocol = core::kPeerProtocol;
        s.mariadb_version = d.value("mariadb_version", "");
        s.data_bytes = core::json_integer<uint64_t>(d.at("data_bytes"));
        s.log_bytes = core::json_integer<uint64_t>(d.at("log_bytes"));
        s.settings_bytes = core::json_integer<uint64_t>(d.at("settings_bytes"));
        if (s.server_role != "Main" && s.server_role != "Additional")
            return core::Error{core::Code::IncompatibleSource,
                               "The source reports an unknown server role '" +
                                   s.server_role.substr(0, 32) + "'.",
                               {}};
        return s;
    } catch (const nlohmann::json::exception& e) {
        return core::Error{core::Code::IncompatibleSource,
                           std::string("The source's description is incomplete (") + e.what() + ").",
                           "Update ferry on both systems to the same version."};
    }
}

core::Expected<ProbeSession> NetworkSourceClient::probe(const core::Address& address,
                                                        const std::string& password,
                                                        std::chrono::milliseconds timeout,
                                                        const std::string& expected_pin)
{
    auto ports = check_ports(address, timeout);
    if (auto err = core::closed_ports_error(address.text, ports))
        return *err;

    PeerClient peer(PeerEndpoint{address.text, peer_port_, {}}, timeout);
    // The pin first, on a connection that carries nothing: the password
    // then goes only to the key we will pin for the whole job.
    auto pin = peer.fetch_pin();
    if (!pin)
        return pin.error();
    if (!expected_pin.empty() && *pin != expected_pin) {
        // Before the login: the password never reaches this key.
        spdlog::warn("Probe of {}: certificate {} is not the expected {}; no login attempted.",
                     address.text, core::pin_for_display(*pin), core::pin_for_display(expected_pin));
        return core::Error{core::Code::CertificateMismatch,
                           "The system at " + address.text + " presented the certificate " +
                               core::pin_for_display(*pin) + ", not the expected " +
                               core::pin_for_display(expected_pin) +
                               ". The password was not sent.",
                           "Check that " + address.text +
                               " is the source system and compare the fingerprint shown on it; "
                               "someone may be intercepting the connection."};
    }
    PeerClient pinned(PeerEndpoint{address.text, peer_port_, *pin}, timeout);
    if (auto r = pinned.login(password); !r)
        return r.error();
    // The answer's time stamp lies between these two readings: the clock
    // difference is known to within half the round trip.
    const auto before = std::chrono::system_clock::now();
    auto described = pinned.get("/describe");
    const auto after = std::chrono::system_clock::now();
    if (!described)
        return described.error();
    auto info = source_info_from_describe(*described);
    if (!info)
        return info.error();
    if (const auto t = described->find("time_usec");
        t != described->end() && t->is_number_integer()) {
        using std::chrono::duration_cast;
        using std::chrono::microseconds;
        const int64_t b = duration_cast<microseconds>(before.time_since_epoch()).count();
        const int64_t a = duration_cast<microseconds>(after.time_since_epoch()).count();
        info->clock_offset_usec = t->get<int64_t>() - (a + b) / 2;
        info->clock_uncertainty_usec = (a - b) / 2 + 1;
    }
    info->certificate_sha256 = *pin;
    info->ports = std::move(ports);
    // The address the target reaches the source at wins over what the
    // source believes its address is (NAT, several interfaces).
    info->address = address.text;
    ProbeSession session{std::move(*info), pinned.token(), {}};
    auto& s = session.info;
    if (s.high_availability && !s.main_node.empty() && s.main_node != s.address) {
        // Operations 2 and 11 change the round-robin hosts on the ring's
        // Main node: log in there now, while we have the password (the
        // nodes of a ring share the Admin password). The token must also
        // work from the source's address, which this system takes.
        auto main = core::parse_address(s.main_node);
        if (!main)
            return core::Error{core::Code::IncompatibleSource,
                               "The source names a ring Main node that is not an address.", {}};
        PeerClient probe_main(PeerEndpoint{main->text, peer_port_, {}}, timeout);
        auto main_pin = probe_main.fetch_pin();
        if (!main_pin)
            return core::Error{main_pin.error().code,
                               "The ring's Main node " + main->text +
                                   " does not answer: " + main_pin.error().message,
                               "Operations 2 and 11 change its round-robin hosts: make its ports "
                               "80/443 reachable from this system."};
        PeerClient main_pinned(PeerEndpoint{main->text, peer_port_, *main_pin}, timeout);
        if (auto r = main_pinned.login(password, s.address); !r)
            return core::Error{r.error().code,
                               "The ring's Main node " + main->text + " refused the login: " +
                                   r.error().message,
                               "The nodes of a ring share the Admin password: set the same one "
                               "on " + main->text + "."};
        s.main_certificate_sha256 = *main_pin;
        session.main_token = main_pinned.token();
    }
    return session;
}

} // namespace ferry::source
