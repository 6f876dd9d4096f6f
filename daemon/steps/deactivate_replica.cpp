// Operation 3 (HA only): the source leaves the ring. Its ferry-peer stops
// its replica, makes it read-only, waits until the node after it has
// received its whole binary log, records where it stood (the freeze) and
// forgets the replica (peer/replication.cpp). The freeze goes into this
// operation's checkpoint: operation 7 continues the ring from exactly
// there. Before anything changes on the source, this system's MariaDB is
// checked for what a ring node needs.
#include "core/ring.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {
namespace {

// A ring node logs what it applies as a replica (log_slave_updates), or
// the node after it would never see the changes made before it.
core::Expected<bool> check_local_ring_capable(const StepContext& ctx)
{
    auto db = local_database(ctx);
    if (!db)
        return db.error();
    auto rows = db->query("SELECT @@log_bin, @@log_slave_updates");
    if (!rows)
        return rows.error();
    if (rows->empty() || (*rows)[0].size() < 2 || (*rows)[0][0] != std::optional<std::string>("1") ||
        (*rows)[0][1] != std::optional<std::string>("1"))
        return core::Error{core::Code::ReplicationFailed,
                           "This system's MariaDB runs without a binary log of replicated changes "
                           "(log_bin and log_slave_updates must be ON to take the source's place "
                           "in the ring).",
                           "Set log_bin and log_slave_updates=ON in this system's MariaDB "
                           "configuration, restart MariaDB, then Resume()."};
    return true;
}

} // namespace

core::Expected<bool> deactivate_replica(StepContext& ctx)
{
    if (ctx.checkpoint.contains("freeze"))
        return true;
    if (auto ok = check_local_ring_capable(ctx); !ok)
        return ok.error();
    ctx.progress(0, 2);
    // Recorded before the request: from here on the source may be out of
    // the ring even when its answer is lost, and Acknowledge() of a failed
    // job must not treat it as a ring node (core::source_out_of_ring).
    if (auto saved = ctx.save_checkpoint({{"requested", true}}); !saved)
        return saved.error();
    auto r = ctx.peer.post("/replica/deactivate", nlohmann::json::object());
    if (!r)
        return r.error();
    const auto it = r->find("freeze");
    if (it == r->end())
        return core::Error{core::Code::IncompatibleSource,
                           "The source did not say where its replica stopped.", {}};
    auto freeze = core::ReplicaFreeze::from_json(*it);
    if (!freeze)
        return freeze.error();
    if (auto saved = ctx.save_checkpoint({{"freeze", freeze->to_json()}}); !saved)
        return saved.error();
    ctx.progress(2, 2);
    return true;
}

} // namespace ferry::steps
