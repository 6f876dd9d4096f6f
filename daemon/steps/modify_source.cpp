// Operation 5: the source records that it was migrated, to which system and
// when; without Swap it stays in maintenance with its user-facing services
// stopped (the peer does that when told swap=false), so that two systems
// never serve the same users. With Swap the target's former settings are
// staged on the source, applied at its reboot.
#include "local/former_settings.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {

core::Expected<bool> modify_source(StepContext& ctx)
{
    if (ctx.job.options.swap) {
        auto former = local::read_former_settings(ctx.state_dir);
        if (!former)
            return former.error();
        if (auto r = ctx.peer.put("/staged-settings",
                                  protocol::StagedSettings{std::move(*former)}.to_json());
            !r)
            return r.error();
    }
    auto r =
        ctx.peer.post("/migrated", protocol::Migrated{ctx.job.target.address,
                                                      ctx.job.started_at_usec, ctx.job.options.swap}
                                       .to_json());
    if (!r)
        return r.error();
    ctx.progress(1, 1);
    return true;
}

} // namespace ferry::steps
