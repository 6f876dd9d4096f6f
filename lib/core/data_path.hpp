// Which way the job copies the source's databases (issue 18), decided at
// Plan from what Probe learned: while the source still serves (operation
// "pre-copy-data", then a catch-up by MariaDB's own replication under
// maintenance, so the outage no longer grows with the data) or, as the
// manual describes it, wholly under maintenance. Pure; the plan's "outage"
// entry says which and why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ferry::core {

struct DataPathInput {
    bool high_availability = false;
    bool enabled = true;              // ferry.conf [Migration] CopyWhileServing=
    bool peer_offers_replica = false; // the source's ferry-peer grants a replication account
    bool source_log_bin = false;      // the source's MariaDB writes a binary log
    // How long the source keeps its binary logs: nullopt when the peer did
    // not say, 0 when they are never purged automatically.
    std::optional<uint64_t> binlog_retention_seconds;
    uint64_t copy_seconds = 0; // the plan's estimate of the whole copy
};

struct DataPath {
    bool copy_while_serving = false;
    std::string reason; // one or two sentences for the plan and the journal
};

DataPath decide_data_path(const DataPathInput& in);

} // namespace ferry::core
