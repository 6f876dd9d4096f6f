// The MariaDB multi-master ring (brief §1 operations 3 and 7, §6 HA): what
// the source's replica was when it left the ring, and the statements with
// which this system takes its place. Pure: no server here, so every
// statement the target will run is unit-tested. docs/ha.md explains the
// method (../shared/notes/ha-ring.md has the MariaDB facts behind it).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace ferry::core {

// A GTID position list "D-S-N,D-S-N" as domain -> (server id, sequence).
struct GtidPos {
    uint32_t server_id = 0;
    uint64_t seq = 0;
    bool operator==(const GtidPos&) const = default;
};
using GtidList = std::map<uint32_t, GtidPos>;

// InvalidArgument for anything but a well-formed list ("" is the empty list).
Expected<GtidList> parse_gtid_list(std::string_view text);
std::string format_gtid_list(const GtidList& list);
// True when `have` contains every domain of `needed` at least as far.
bool gtid_reached(const GtidList& have, const GtidList& needed);

// The source's replica when it was stopped (operation 3), recorded in the
// journal: where the source was in the ring, so that this system continues
// from exactly there.
struct ReplicaFreeze {
    std::string master_host;          // the node upstream of the source
    uint16_t master_port = 3306;
    std::string using_gtid;           // "Slave_Pos" | "Current_Pos"
    std::string gtid_binlog_state;    // the source's binary log state
    std::string gtid_binlog_pos;
    std::string gtid_slave_pos;
    std::string gtid_current_pos;
    uint32_t server_id = 0;
    uint32_t gtid_domain_id = 0;
    std::vector<std::string> downstream; // nodes that were reading the source's binary log

    nlohmann::json to_json() const;
    // IncompatibleSource when a field is missing, mistyped or not a GTID list.
    static Expected<ReplicaFreeze> from_json(const nlohmann::json& j);
};

// The ring's replication account, from the `replication` settings section
// ([Replication] User=, Password=): every node of the ring replicates from
// its upstream with it, so the node that takes the source's place needs it
// to serve its downstream and to read from its upstream.
struct RingAccount {
    std::string user;
    std::string password;
};

// The statements, in order, that make this (loaded, otherwise idle) server
// the source's successor in the ring: the source's server id and GTID
// domain, a binary log that starts at the source's state (so the node
// downstream continues from it), the replica position the source had, the
// account, the replica of the source's upstream, started. Run in a session
// with sql_log_bin=0. InvalidArgument for a freeze or account that would
// not make valid SQL (empty user, master host that is not an IP literal).
Expected<std::vector<std::string>> ring_join_statements(const ReplicaFreeze& freeze,
                                                        const RingAccount& account,
                                                        unsigned connect_retry_seconds);

// The DNS advice to revert at the Result step (brief §1 step 7): the
// records the Source Info step told the administrator to change, back to
// the source's address, where this system now answers.
std::vector<std::string> dns_revert_advice(const std::string& name, const std::string& address,
                                           const std::string& load_balancing_domain);

} // namespace ferry::core
