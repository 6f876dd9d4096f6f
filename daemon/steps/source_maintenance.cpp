// Operation 2: the source stops serving users while its data is copied,
// so the copy is the last state users saw there. Idempotent on the peer.
#include "steps/steps.hpp"

namespace ferry::steps {

core::Expected<bool> source_maintenance(StepContext& ctx)
{
    auto r = ctx.peer.post("/maintenance", {{"on", true}});
    if (!r)
        return r.error();
    ctx.progress(1, 1);
    return true;
}

} // namespace ferry::steps
