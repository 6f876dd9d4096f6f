#include "core/data_path.hpp"

#include <algorithm>

#include "core/plan.hpp"

namespace ferry::core {
namespace {

constexpr const char* kUnderMaintenance =
    " The data is copied while the source is under maintenance, so the outage grows with the "
    "data.";

// The retention must outlast the copy with room to spare: the catch-up
// reads the binary log from the snapshot's position after the copy and the
// operations before maintenance. Twice the estimate, at least an hour.
std::string retention_text(uint64_t s)
{
    if (s >= 86400)
        return std::to_string(s / 86400) + (s / 86400 == 1 ? " day" : " days");
    if (s >= 3600)
        return std::to_string(s / 3600) + " h";
    return duration_text(s);
}

bool retention_suffices(uint64_t retention, uint64_t copy_seconds)
{
    return retention == 0 || retention >= std::max<uint64_t>(2 * copy_seconds, 3600);
}

} // namespace

DataPath decide_data_path(const DataPathInput& in)
{
    if (in.high_availability)
        return {false, "The source is a node of a replication ring: this system loads its data "
                       "when it takes the source's place in the ring (operation 7)."};
    if (!in.enabled)
        return {false, std::string("Copying while the source serves is switched off "
                                   "(CopyWhileServing=no in ferry.conf).") +
                           kUnderMaintenance};
    if (!in.peer_offers_replica)
        return {false, std::string("The source's ferry-peer is of an earlier version that cannot "
                                   "let this system follow its changes.") +
                           kUnderMaintenance};
    if (!in.source_log_bin)
        return {false,
                std::string("The source's MariaDB writes no binary log, so the changes made "
                            "during a copy cannot be followed.") +
                    kUnderMaintenance +
                    " With log_bin in the source's MariaDB configuration (a restart of its "
                    "MariaDB, and every change written once more to its disk) the data would be "
                    "copied while it serves."};
    if (in.binlog_retention_seconds &&
        !retention_suffices(*in.binlog_retention_seconds, in.copy_seconds))
        return {false, "The source keeps its binary logs for " +
                           retention_text(*in.binlog_retention_seconds) +
                           ", too short to follow its changes safely during a copy of about " +
                           duration_text(in.copy_seconds) + "." + kUnderMaintenance};
    return {true,
            "The source's MariaDB writes a binary log: the data is copied while the source still "
            "serves guests, and once it is under maintenance only what changed since the copy is "
            "applied (by MariaDB's replication) and verified."};
}

} // namespace ferry::core
