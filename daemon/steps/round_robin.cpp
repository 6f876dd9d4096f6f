// The round-robin hosts of the ring's Main node (brief §1 operations 2 and
// 11): removed while the source is away so that the Main sends no users to
// it, restored at the end. Where they live:
//   - the Main is another node: its ferry-peer (ctx.ring_main) saves and
//     restores them itself (docs/peer-api.md, round-robin/*);
//   - the source is the Main: its own ferry-peer removes them; after the
//     Swap this system is the Main, with the source's settings as copied
//     by operation 1 (before the removal), so they are put back here.
#include "core/ini.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {

core::Expected<nlohmann::json> remove_round_robin_hosts(StepContext& ctx)
{
    const bool on_main = ctx.ring_main != nullptr;
    auto r =
        (on_main ? *ctx.ring_main : ctx.peer).post("/round-robin/remove", nlohmann::json::object());
    if (!r)
        return r.error();
    auto removed = protocol::RoundRobin::from_json(*r);
    if (!removed)
        return removed.error();
    return nlohmann::json{{"on", on_main ? "main" : "source"}, {"section", removed->section}};
}

core::Expected<bool> restore_round_robin_hosts(const core::JobRecord& job, source::PeerClient& peer,
                                               source::PeerClient* ring_main,
                                               local::FileAppliance& appliance)
{
    const auto* op = core::find_operation(job, core::OperationId::SourceMaintenance);
    if (!op || !op->checkpoint.is_object() || !op->checkpoint.contains("round_robin"))
        return true; // never removed
    const auto& removal = op->checkpoint["round_robin"];
    const std::string on = removal.value("on", "");
    if (on == "main") {
        if (!ring_main)
            return core::Error{core::Code::Internal, "The ring's Main node is not in the job.", {}};
        auto r = ring_main->post("/round-robin/restore", nlohmann::json::object());
        if (!r)
            return core::Error{r.error().code,
                               "Cannot restore the round-robin hosts on the ring's Main node " +
                                   ring_main->endpoint().address + ": " + r.error().message,
                               "Make it reachable, then Resume() (or Acknowledge() a failed job)."};
        return true;
    }
    const auto* reboot = core::find_operation(job, core::OperationId::Reboot);
    const bool swapped = reboot && reboot->state == core::OpState::Done;
    if (!swapped) { // the source is still the Main
        auto r = peer.post("/round-robin/restore", nlohmann::json::object());
        if (!r)
            return r.error();
        return true;
    }
    // This system is the Main now: its round_robin section as the source
    // had it before the removal.
    const std::string section = removal.value("section", "");
    if (auto parsed = core::parse_ini(section); !parsed)
        return core::Error{core::Code::Internal, "The saved round-robin hosts are malformed.", {}};
    return appliance.write_settings({{"round_robin", section}}, false);
}

} // namespace ferry::steps
