#include "source/source_client.hpp"

#include "core/certificate_pin.hpp"
#include "protocol/peer_protocol.hpp"

#include "source/peer_client.hpp"
#include "source/port_check.hpp"
#include <spdlog/spdlog.h>

namespace ferry::source {

core::Expected<core::SourceInfo> source_info_from_describe(const nlohmann::json& j)
{
    auto d = protocol::Description::from_json(j);
    if (!d)
        return d.error();
    return source_info_from(*d);
}

core::Expected<core::SourceInfo> source_info_from(const protocol::Description& d)
{
    core::SourceInfo s;
    s.license_guid = d.license_guid;
    s.licensed = d.licensed;
    s.maintenance_contract_active = d.maintenance_contract_active;
    s.host_name = d.host_name;
    s.domain_name = d.domain_name;
    s.address = d.address;
    s.server_role = d.server_role;
    s.high_availability = d.high_availability;
    s.ring_members = d.ring_members;
    s.dns_advice = d.dns_advice;
    s.dns_revert_advice = d.dns_revert_advice;
    s.main_node = d.main_node;
    if (const auto& r = d.replication) {
        s.downstream = r->downstream;
        s.upstream = r->master_host;
        s.replica_configured = r->replica_configured;
        s.replica_io_running = r->io_running;
        s.replica_sql_running = r->sql_running;
        s.replica_last_error = r->last_error;
        s.replication_error = r->error;
        s.replica_seconds_behind = r->seconds_behind_master;
        s.log_bin = r->log_bin;
        s.binlog_expire_seconds = r->binlog_expire_seconds;
    }
    s.replica_account = d.replica_account;
    s.protocol = protocol::kVersion;
    s.mariadb_version = d.mariadb_version;
    s.data_bytes = d.data_bytes;
    s.log_bytes = d.log_bytes;
    s.settings_bytes = d.settings_bytes;
    if (s.server_role != "Main" && s.server_role != "Additional")
        return core::Error{core::Code::IncompatibleSource,
                           "The source reports an unknown server role '" +
                               s.server_role.substr(0, 32) + "'.",
                           {}};
    return s;
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
                     address.text, core::pin_for_display(*pin),
                     core::pin_for_display(expected_pin));
        return core::Error{core::Code::CertificateMismatch,
                           "The system at " + address.text + " presented the certificate " +
                               core::pin_for_display(*pin) + ", not the expected " +
                               core::pin_for_display(expected_pin) + ". The password was not sent.",
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
    auto description = protocol::Description::from_json(*described);
    if (!description)
        return description.error();
    auto info = source_info_from(*description);
    if (!info)
        return info.error();
    if (const auto t = description->time_usec) {
        using std::chrono::duration_cast;
        using std::chrono::microseconds;
        const int64_t b = duration_cast<microseconds>(before.time_since_epoch()).count();
        const int64_t a = duration_cast<microseconds>(after.time_since_epoch()).count();
        info->clock_offset_usec = *t - (a + b) / 2;
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
                               "The source names a ring Main node that is not an address.",
                               {}};
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
                               "The ring's Main node " + main->text +
                                   " refused the login: " + r.error().message,
                               "The nodes of a ring share the Admin password: set the same one "
                               "on " +
                                   main->text + "."};
        s.main_certificate_sha256 = *main_pin;
        session.main_token = main_pinned.token();
    }
    return session;
}

} // namespace ferry::source
