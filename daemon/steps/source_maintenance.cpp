// Operation 2: the source stops serving users while its data is copied,
// so the copy is the last state users saw there. HA: the round-robin hosts
// are taken off the ring's Main node until the final operation
// (round_robin.cpp). Idempotent on the peer.
#include "steps/steps.hpp"

namespace ferry::steps {

core::Expected<bool> source_maintenance(StepContext& ctx)
{
    auto r = ctx.peer.post("/maintenance", protocol::Maintenance{true}.to_json());
    if (!r)
        return r.error();
    if (ctx.job.source.high_availability && !ctx.checkpoint.value("round_robin_removed", false)) {
        // Recorded before the request: a job that fails right after it
        // still restores them (the peer's restore is idempotent).
        if (auto saved =
                ctx.save_checkpoint({{"round_robin", {{"on", ctx.ring_main ? "main" : "source"}}}});
            !saved)
            return saved.error();
        auto removed = remove_round_robin_hosts(ctx);
        if (!removed)
            return removed.error();
        if (auto saved =
                ctx.save_checkpoint({{"round_robin", *removed}, {"round_robin_removed", true}});
            !saved)
            return saved.error();
    }
    ctx.progress(1, 1);
    return true;
}

} // namespace ferry::steps
