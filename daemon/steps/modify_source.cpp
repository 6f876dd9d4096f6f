// Operation 5: the source records that it was migrated, to which system and
// when; without Swap it stays in maintenance with its user-facing services
// stopped (the peer does that when told swap=false), so that two systems
// never serve the same users. With Swap the target's former settings are
// staged on the source, applied at its reboot.
#include <fstream>

#include "steps/steps.hpp"

namespace ferry::steps {

core::Expected<bool> modify_source(StepContext& ctx)
{
    if (ctx.job.options.swap) {
        std::ifstream in(ctx.state_dir / "former-settings.json");
        auto former = nlohmann::json::parse(in, nullptr, false);
        if (former.is_discarded() || !former.is_object())
            return core::Error{core::Code::Internal,
                               "This system's former settings were not saved before the copy.",
                               "Restore this system from its backup and start again."};
        // Read as the source reads it: an object of section texts.
        auto sections = protocol::Settings::from_json(nlohmann::json{{"sections", former}});
        if (!sections)
            return core::Error{core::Code::Internal,
                               "This system's saved former settings are malformed.",
                               "Restore this system from its backup and start again."};
        if (auto r =
                ctx.peer.put("/staged-settings",
                             protocol::StagedSettings{std::move(sections->sections)}.to_json());
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
