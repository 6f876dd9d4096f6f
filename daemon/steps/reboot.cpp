// Operation 6 (Swap Configuration only): reboot the source and this system,
// so that the exchanged network settings take effect on both (they are
// applied at boot by ferry-apply-staged.service: the source its staged
// settings, this system the source's settings, which copy-settings held
// back and this operation stages once the source agreed to reboot).
//
// Checkpoint: {"requested": true, "boot_id": "<boot of the request>",
// "asking_source": B, "source_asked": B, "logind_asked": B}. The order
// makes every crash point safe:
//   1. requested + boot id in the checkpoint and job state "rebooting", in
//      one journal write, before anyone is asked to reboot;
//   2. POST /reboot to the source (which answers 202, then asks its
//      logind); then this system's held settings are staged for its boot
//      (release_held_settings), then source_asked is recorded;
//   3. logind Reboot(false) for this system, recorded as logind_asked;
//   4. wait (bounded) for ferryd to be stopped by the shutdown.
// At the next start the recorded boot id differs from the current one and
// the settings are no longer held: the reboot really happened. A later
// boot that finds them still held was a power cut before the source's yes
// (this system came up with its own settings): the request starts again
// in this boot (core::decide_reboot). The operation is done once the source answers at
// this system's former address (it may boot more slowly; bounded wait:
// [Migration] SourceRebootTimeoutSec=, 15 min by default), and
// the engine then moves the source there (source.current_address).
// A start in the same boot (ferryd was killed or restarted, or Resume()
// after a failure) goes on from the checkpoint: neither the source nor
// logind is asked twice once it said yes, so a system whose boot id does
// not change across a reboot cannot reboot in a loop (it waits, then fails
// with a remedy).
#include <chrono>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <thread>

#include "core/address.hpp"
#include "core/reboot_resume.hpp"
#include "system/logind.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {
namespace {

constexpr auto kRebootWait = std::chrono::minutes(10);        // for this system to go down
constexpr auto kSourcePoll = std::chrono::milliseconds(5000); // connect timeout per try

// "15 minutes", "20 seconds": for the administrator's message.
std::string duration_text(std::chrono::seconds s)
{
    if (s.count() % 60 == 0)
        return std::to_string(s.count() / 60) + (s.count() == 60 ? " minute" : " minutes");
    return std::to_string(s.count()) + (s.count() == 1 ? " second" : " seconds");
}

core::Error not_rebooted(const std::string& why)
{
    return core::Error{core::Code::Internal, "This system did not reboot: " + why,
                       "The source was asked to reboot already. Reboot this system now "
                       "(systemctl reboot), then resume the job (ferryctl resume) if it does not "
                       "resume by itself: the migration continues after the reboot."};
}

// After this system's reboot: the source reboots too, maybe more slowly.
// Done when it answers at this system's former address, with the pinned
// key and the job's token; Unreachable until then.
core::Expected<bool> wait_for_source(StepContext& ctx)
{
    const std::string& address = ctx.job.target.address;
    const auto wait = std::chrono::seconds(ctx.appliance.config().source_reboot_timeout_sec);
    source::PeerClient back(
        source::PeerEndpoint{address, ctx.peer.endpoint().port, ctx.job.source.certificate_sha256},
        kSourcePoll);
    back.set_token(ctx.job.source.token);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool told = false;
    for (;;) {
        auto r = back.get("/describe");
        if (r) {
            spdlog::info("The source answers at {} after the reboot.", address);
            ctx.progress(1, 1);
            return true;
        }
        if (r.error().code != core::Code::Unreachable)
            return r.error();
        if (!told) {
            spdlog::info("Waiting for the source to come back at {}: {}", address,
                         r.error().message);
            sd_notifyf(0, "STATUS=Waiting for the source at %s", address.c_str());
            told = true;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return core::Error{
                core::Code::Unreachable,
                "The source did not come back at " + address +
                    " (this system's former address) within " + duration_text(wait) +
                    " after the reboot: " + r.error().message,
                "Check the source: it must be powered on and must have booted with this "
                "system's former network settings (address " +
                    address +
                    "), which it applies at boot (ferry-apply-staged.service), and ferry-peer "
                    "must answer there. Nothing is lost: once it does, resume the job "
                    "(ferryctl resume); it goes on from here."};
        for (int i = 0; i < 20 && !ctx.stopping; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (ctx.stopping)
            return stopped_error();
    }
}

// This system's new settings (held back by copy-settings) go to the boot
// unit, which applies them at the next boot before the network: from here
// on every boot of this system is the swapped one. Idempotent.
core::Expected<bool> hand_over_settings(StepContext& ctx)
{
    auto r = ctx.appliance.release_held_settings();
    if (!r)
        return core::Error{r.error().code,
                           "This system's new settings could not be staged for the reboot: " +
                               r.error().message,
                           "The source was asked to reboot already and takes this system's "
                           "address. " +
                               r.error().remedy +
                               " Then resume the job (ferryctl resume): it stages the settings "
                               "and reboots this system."};
    if (*r)
        spdlog::info("This system's new settings are staged for its reboot "
                     "(ferry-apply-staged.service applies them at boot).");
    return true;
}

} // namespace

core::Expected<bool> reboot_systems(StepContext& ctx)
{
    const auto held = ctx.appliance.settings_held();
    if (!held)
        return held.error();
    const auto cp = core::reboot_checkpoint_from_json(ctx.checkpoint);
    auto decision = core::decide_reboot(cp, ctx.boot_id, *held);
    if (decision.phase == core::RebootPhase::WaitForSource) {
        spdlog::info("The reboot requested in boot {} happened (now boot {}).", cp.boot_id,
                     ctx.boot_id);
        // Handed over but not applied: the boot unit did not run, and this
        // system still has its own address, which the source now takes.
        auto staged = ctx.appliance.staged_settings();
        if (!staged)
            return staged.error();
        if (*staged)
            return core::Error{
                core::Code::Internal,
                "This system rebooted without applying its new settings (the source's): they "
                "are still staged, so ferry-apply-staged.service did not run at boot.",
                "Enable ferry-apply-staged.service (package ferry-peer) and reboot this system "
                "(systemctl reboot); the job then goes on by itself."};
        return wait_for_source(ctx);
    }
    if (cp.requested && !cp.boot_id.empty() && cp.boot_id != ctx.boot_id)
        spdlog::warn("This system started again (boot {}) before its new settings were staged "
                     "for the reboot requested in boot {} (a power cut?): it still has its own "
                     "settings; asking again.",
                     ctx.boot_id, cp.boot_id);

    // After both reboots the source answers at this system's former
    // address: without one there is no way back to it.
    if (!core::parse_address(ctx.job.target.address))
        return core::Error{core::Code::Internal,
                           "This system's former address '" + ctx.job.target.address +
                               "' is not an IP address, so the source could not be reached after "
                               "the reboot.",
                           "Nothing was rebooted. Check Address= in this system's former network "
                           "settings, acknowledge the job and start again."};

    core::RebootCheckpoint& next = decision.next;
    if (auto r = ctx.set_rebooting(core::to_json(next)); !r)
        return r.error();
    if (ctx.stopping)
        return stopped_error();

    if (!next.source_asked) {
        // An attempt that was cut off (kill -9, stop, power cut) between
        // this request and the next checkpoint may have been answered: the
        // source is then rebooting (or up at its new address) and no
        // longer answers here.
        const bool maybe_asked = next.asking_source;
        next.asking_source = true;
        if (auto saved = ctx.save_checkpoint(core::to_json(next)); !saved)
            return saved.error();
        if (ctx.stopping)
            return stopped_error();
        auto r = ctx.peer.post("/reboot", nlohmann::json::object());
        if (!r && !(maybe_asked && r.error().code == core::Code::Unreachable)) {
            // The peer reboots only after its answer went out whole: no
            // answer here means no reboot there.
            next.asking_source = false;
            (void)ctx.save_checkpoint(core::to_json(next)); // the refusal is the error to report
            return core::Error{r.error().code,
                               "The source did not accept the reboot: " + r.error().message,
                               "Nothing was rebooted on this system. " +
                                   (r.error().remedy.empty() ? std::string("Check the source.")
                                                             : r.error().remedy) +
                                   " Then resume the job (ferryctl resume). If the source is "
                                   "rebooting nevertheless, reboot this system as well "
                                   "(systemctl reboot)."};
        }
        if (!r)
            spdlog::warn("The source no longer answers at {} after an earlier reboot request: it "
                         "is rebooting.",
                         ctx.job.source.current_address);
        else
            spdlog::info("The source {} accepted the reboot.", ctx.job.source.current_address);
        // Before source_asked is recorded: a later boot that finds the
        // settings still held knows they were not handed over and asks
        // again, and one that finds them handed over is the swapped boot.
        if (auto h = hand_over_settings(ctx); !h)
            return h.error();
        next.source_asked = true;
        // Not saved (full disk): "asking_source" is, so a later attempt
        // knows the source may be rebooting. The source reboots already:
        // stopping here would leave this system behind.
        if (auto saved = ctx.save_checkpoint(core::to_json(next)); !saved)
            spdlog::error("{} The reboot goes on: the source is rebooting.", saved.error().message);
        if (ctx.stopping)
            return stopped_error();
    }
    // The source said yes in an earlier attempt: the settings may still be
    // held if that attempt could not hand them over.
    if (auto h = hand_over_settings(ctx); !h)
        return h.error();

    sd_notify(0, "STATUS=Rebooting: the source and this system");
    if (next.logind_asked) {
        // Asked in this boot already and started again (ferryd was killed
        // while the shutdown went on): asking again could only reboot a
        // system whose boot id did not change in a loop.
        spdlog::info("logind was asked to reboot in this boot already; waiting to be stopped.");
    } else {
        if (auto r = local::logind_reboot(); !r)
            return not_rebooted(r.error().message);
        spdlog::info("Reboot requested from logind; waiting to be stopped.");
        next.logind_asked = true;
        // logind reboots this system already (the journal says "rebooting").
        if (auto saved = ctx.save_checkpoint(core::to_json(next)); !saved)
            spdlog::error("{}", saved.error().message);
    }

    const auto deadline = std::chrono::steady_clock::now() + kRebootWait;
    while (!ctx.stopping) {
        if (std::chrono::steady_clock::now() >= deadline) {
            // Resume() may ask logind again.
            next.logind_asked = false;
            // The reboot that did not happen is the error to report.
            (void)ctx.save_checkpoint(core::to_json(next));
            return not_rebooted(
                "logind accepted the request, but nothing stopped ferryd within " +
                std::to_string(
                    std::chrono::duration_cast<std::chrono::minutes>(kRebootWait).count()) +
                " minutes (an inhibitor, or a stuck shutdown?).");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return stopped_error();
}

} // namespace ferry::steps
