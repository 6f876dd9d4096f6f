#include "core/ring.hpp"

#include <charconv>

#include "core/address.hpp"
#include "core/json_number.hpp"
#include "core/sql_quote.hpp"

namespace ferry::core {
namespace {

template <typename T> bool parse_number(std::string_view s, T& out)
{
    if (s.empty())
        return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

Error incompatible(const std::string& what)
{
    return Error{Code::IncompatibleSource, "The source's replica record is malformed (" + what + ").",
                 "Update ferry on both systems to the same version."};
}

} // namespace

Expected<GtidList> parse_gtid_list(std::string_view text)
{
    GtidList out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (comma != std::string_view::npos && text.empty())
            item = {}; // a trailing comma
        while (!item.empty() && (item.front() == ' ' || item.front() == '\n'))
            item.remove_prefix(1);
        const auto d1 = item.find('-');
        const auto d2 = d1 == std::string_view::npos ? d1 : item.find('-', d1 + 1);
        uint32_t domain = 0;
        GtidPos pos;
        if (d2 == std::string_view::npos || !parse_number(item.substr(0, d1), domain) ||
            !parse_number(item.substr(d1 + 1, d2 - d1 - 1), pos.server_id) ||
            !parse_number(item.substr(d2 + 1), pos.seq) || out.contains(domain))
            return Error{Code::InvalidArgument,
                         "\"" + std::string(item.substr(0, 64)) + "\" is not a GTID (domain-server-sequence).",
                         {}};
        out.emplace(domain, pos);
    }
    return out;
}

std::string format_gtid_list(const GtidList& list)
{
    std::string out;
    for (const auto& [domain, pos] : list) {
        if (!out.empty())
            out += ',';
        out += std::to_string(domain) + "-" + std::to_string(pos.server_id) + "-" +
               std::to_string(pos.seq);
    }
    return out;
}

bool gtid_reached(const GtidList& have, const GtidList& needed)
{
    for (const auto& [domain, pos] : needed) {
        const auto it = have.find(domain);
        if (it == have.end() || it->second.seq < pos.seq)
            return false;
    }
    return true;
}

nlohmann::json ReplicaFreeze::to_json() const
{
    return {{"master_host", master_host},         {"master_port", master_port},
            {"using_gtid", using_gtid},           {"gtid_binlog_state", gtid_binlog_state},
            {"gtid_binlog_pos", gtid_binlog_pos}, {"gtid_slave_pos", gtid_slave_pos},
            {"gtid_current_pos", gtid_current_pos}, {"server_id", server_id},
            {"gtid_domain_id", gtid_domain_id},   {"downstream", downstream}};
}

Expected<ReplicaFreeze> ReplicaFreeze::from_json(const nlohmann::json& j)
{
    ReplicaFreeze f;
    try {
        f.master_host = j.at("master_host").get<std::string>();
        f.master_port = json_integer<uint16_t>(j.at("master_port"));
        f.using_gtid = j.at("using_gtid").get<std::string>();
        f.gtid_binlog_state = j.at("gtid_binlog_state").get<std::string>();
        f.gtid_binlog_pos = j.at("gtid_binlog_pos").get<std::string>();
        f.gtid_slave_pos = j.at("gtid_slave_pos").get<std::string>();
        f.gtid_current_pos = j.at("gtid_current_pos").get<std::string>();
        f.server_id = json_integer<uint32_t>(j.at("server_id"));
        f.gtid_domain_id = json_integer<uint32_t>(j.at("gtid_domain_id"));
        f.downstream = j.at("downstream").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
        return incompatible(e.what());
    }
    for (const auto* list : {&f.gtid_binlog_state, &f.gtid_binlog_pos, &f.gtid_slave_pos,
                             &f.gtid_current_pos})
        if (!parse_gtid_list(*list))
            return incompatible("a GTID list");
    if (!parse_address(f.master_host))
        return incompatible("the upstream node is not an IP address");
    if (f.using_gtid != "Slave_Pos" && f.using_gtid != "Current_Pos")
        return incompatible("the source's replica does not use GTIDs");
    if (f.server_id == 0)
        return incompatible("server id 0");
    return f;
}

Expected<std::vector<std::string>> ring_join_statements(const ReplicaFreeze& f,
                                                        const RingAccount& account,
                                                        unsigned connect_retry_seconds)
{
    if (account.user.empty() || account.user.size() > 80)
        return Error{Code::InvalidArgument,
                     "The replication settings name no replication account (User=).",
                     "Copy the settings of the source again (the [Replication] section)."};
    if (!parse_address(f.master_host))
        return Error{Code::InvalidArgument, "The source's upstream node is not an IP address.", {}};
    // Where this system continues as a replica: everything the source had
    // applied or written itself, in every domain (its current position), so
    // the upstream node sends exactly what the source had not seen yet.
    const std::string slave_pos = f.gtid_current_pos.empty() ? f.gtid_slave_pos : f.gtid_current_pos;
    const std::string user = quote_literal(account.user) + "@'%'";
    const unsigned retry = connect_retry_seconds == 0 ? 1 : connect_retry_seconds;
    return std::vector<std::string>{
        "STOP ALL SLAVES",
        "RESET SLAVE ALL",
        "SET GLOBAL server_id = " + std::to_string(f.server_id),
        "SET GLOBAL gtid_domain_id = " + std::to_string(f.gtid_domain_id),
        // The binary log starts at the source's state: the downstream node
        // asks this system for the events after its own position there.
        "RESET MASTER",
        "SET GLOBAL gtid_binlog_state = " + quote_literal(f.gtid_binlog_state),
        "SET GLOBAL gtid_slave_pos = " + quote_literal(slave_pos),
        "CREATE USER IF NOT EXISTS " + user + " IDENTIFIED BY " + quote_literal(account.password),
        "ALTER USER " + user + " IDENTIFIED BY " + quote_literal(account.password),
        "GRANT REPLICATION SLAVE ON *.* TO " + user,
        "CHANGE MASTER TO MASTER_HOST=" + quote_literal(f.master_host) +
            ", MASTER_PORT=" + std::to_string(f.master_port) + ", MASTER_USER=" +
            quote_literal(account.user) + ", MASTER_PASSWORD=" + quote_literal(account.password) +
            ", MASTER_CONNECT_RETRY=" + std::to_string(retry) + ", MASTER_USE_GTID=" +
            (f.using_gtid == "Current_Pos" ? "current_pos" : "slave_pos"),
        "START SLAVE",
    };
}

std::vector<std::string> dns_revert_advice(const std::string& name, const std::string& address,
                                           const std::string& load_balancing_domain)
{
    std::vector<std::string> out;
    if (!name.empty())
        out.push_back("Point " + name + " back at " + address +
                      " (this system answers there now).");
    if (!load_balancing_domain.empty())
        out.push_back("Add " + address + " back to the load-balancing domain " +
                      load_balancing_domain + ".");
    if (!out.empty())
        out.push_back("Wait until the DNS change has propagated (the records' TTL).");
    return out;
}

} // namespace ferry::core
