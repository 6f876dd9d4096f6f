// Operation 11: HA: the round-robin hosts back on the ring's Main node
// (round_robin.cpp); the license (when chosen); with Swap the source leaves
// maintenance (it now has this system's former identity); then nothing
// temporary is left:
// the MariaDB account on the source is dropped and every token revoked.
// Order matters for a resume: the license is installed here before the
// source is told to forget us, and each request is idempotent on the peer.
#include "steps/steps.hpp"

namespace ferry::steps {

core::Expected<bool> final_operations(StepContext& ctx)
{
    if (ctx.job.source.high_availability && !ctx.checkpoint.value("round_robin_restored", false)) {
        if (auto r = restore_round_robin_hosts(ctx.job, ctx.peer, ctx.ring_main, ctx.appliance); !r)
            return r.error();
        ctx.checkpoint["round_robin_restored"] = true;
        if (auto saved = ctx.save_checkpoint(ctx.checkpoint); !saved)
            return saved.error();
    }
    if (ctx.job.options.license && !ctx.checkpoint.value("license_installed", false)) {
        // After a swap this system answers at the source's former address.
        const auto& to = ctx.job.options.swap ? ctx.job.source.address : ctx.job.target.address;
        auto answer = ctx.peer.post("/license/release", protocol::LicenseRelease{to}.to_json());
        if (!answer)
            return answer.error();
        auto lic = protocol::License::from_json(*answer);
        if (!lic)
            return lic.error();
        if (auto w = ctx.appliance.install_license(lic->license); !w)
            return w.error();
        ctx.checkpoint["license_installed"] = true;
        if (auto saved = ctx.save_checkpoint(ctx.checkpoint); !saved)
            return saved.error();
    }
    const bool finish_sent = ctx.checkpoint.value("finish_sent", false);
    if (!finish_sent && ctx.job.options.swap) {
        // With Swap the source now runs under this system's former identity
        // with its data kept: it serves again (brief §1 step 6, end state).
        if (auto r = ctx.peer.post("/maintenance", protocol::Maintenance{false}.to_json()); !r)
            return r.error();
    }
    if (!finish_sent) {
        if (auto r = ctx.peer.del("/db-account"); !r)
            return r.error();
        ctx.progress(1, 2);
        auto cp = ctx.checkpoint;
        cp["license_installed"] = ctx.job.options.license;
        cp["finish_sent"] = true;
        // Not on disk (full disk, or ferryd stopping): /finish must not
        // revoke the token a resumed final operation still needs.
        if (auto saved = ctx.save_checkpoint(cp); !saved)
            return saved.error();
        if (ctx.stopping)
            return stopped_error();
    }
    // Revokes the token: nothing may call the peer after this. A resume
    // after a crash right here finds the token already revoked: done.
    if (auto r = ctx.peer.post("/finish", nlohmann::json::object());
        !r && !(finish_sent && r.error().code == core::Code::ProbeExpired))
        return r.error();
    // The same on the ring's Main node: our token there goes too.
    if (ctx.ring_main)
        if (auto r = ctx.ring_main->post("/finish", nlohmann::json::object());
            !r && r.error().code != core::Code::ProbeExpired)
            return r.error();
    ctx.progress(2, 2);
    return true;
}

} // namespace ferry::steps
