// Operation 1: the System Settings. This system's own settings are saved
// in the state directory before the first write, and every attempt
// computes its result from that saved copy, so a re-run after a crash
// writes the same files (and modify-source can stage them on the source
// for a swap). With Swap the result is held back for the reboot operation
// instead of written (see below).
#include <filesystem>

#include "core/network_file.hpp"
#include "core/settings.hpp"
#include "local/former_settings.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {

// The tokens from Probe last an hour; the job needs them until its final
// operation: extend them (on the ring's Main node too) before anything else.
static core::Expected<bool> take_job_lease(StepContext& ctx)
{
    if (auto r = ctx.peer.post("/token/extend", nlohmann::json::object()); !r)
        return r.error();
    if (ctx.ring_main)
        if (auto r = ctx.ring_main->post("/token/extend", nlohmann::json::object()); !r)
            return r.error();
    return true;
}

core::Expected<bool> copy_settings(StepContext& ctx)
{
    if (auto lease = take_job_lease(ctx); !lease)
        return lease.error();
    auto answer = ctx.peer.get("/settings");
    if (!answer)
        return answer.error();
    auto settings = protocol::Settings::from_json(*answer);
    if (!settings)
        return settings.error();
    core::Sections source = std::move(settings->sections);
    for (const auto& [name, _] : source)
        if (!core::is_valid_section_name(name))
            return core::Error{core::Code::IncompatibleSource,
                               "The source sent an invalid settings section name.",
                               {}};
    // The network section's HostName= reaches sethostname(2) at the next
    // boot (ferry-peer --apply-network): refused here, before anything is
    // written, when it is not a host name.
    if (const auto net = source.find("network"); net != source.end())
        if (auto host = core::host_name_of(net->second); !host)
            return core::Error{core::Code::InvalidArgument,
                               "The source's settings cannot be used: " + host.error().message,
                               "Correct the host name in the Network Settings of the source, then "
                               "Resume()."};
    ctx.progress(1, 3);

    if (auto saved = local::save_former_settings_once(
            ctx.state_dir, [&] { return ctx.appliance.read_settings(); });
        !saved)
        return saved.error();
    auto former = local::read_former_settings(ctx.state_dir);
    if (!former)
        return core::Error{core::Code::Internal,
                           "The saved settings of this system are unreadable.",
                           "Restore this system from its backup and start again."};
    ctx.progress(2, 3);

    const auto out = core::partition_settings(source, *former, ctx.job.options.swap);
    // With Swap the result carries the source's address: it must not take
    // effect at any boot but the one the reboot operation asks for (a
    // power cut before that would bring this system up with the address
    // the source still has). So it is held back as a whole, and the reboot
    // operation hands it to the boot unit once the source agreed to
    // reboot (steps/reboot.cpp). Without Swap nothing of the network
    // moves, and the basic settings take effect at once.
    if (ctx.job.options.swap) {
        if (auto w = ctx.appliance.hold_settings(out.target); !w)
            return w.error();
    } else if (auto w = ctx.appliance.write_settings(out.target, /*remove_others=*/true); !w) {
        return w.error();
    }
    ctx.progress(3, 3);
    return true;
}

} // namespace ferry::steps
