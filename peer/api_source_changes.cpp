// The requests that change the source during a job: maintenance
// (operation 2), the migrated record and the held settings of a Swap
// (operation 5), and the Swap reboot (operation 6). docs/peer-api.md.
#include <spdlog/spdlog.h>

#include "appliance/appliance_rules.hpp"
#include "peer/api.hpp"
#include "peer/api_request.hpp"

namespace ferry::peer {
using namespace request;

Response Api::staged_settings(const Request& r)
{
    auto parsed = body_object(r);
    if (auto* resp = std::get_if<Response>(&parsed))
        return std::move(*resp);
    const json& body = std::get<json>(parsed);
    const auto it = body.find(protocol::StagedSettings::kSections);
    if (it == body.end() || !it->is_object() || it->empty() || it->size() > kMaxSections)
        return invalid("\"sections\" must be an object of 1 to 1024 sections.");
    core::Sections sections;
    for (const auto& [name, text] : it->items()) {
        // At most 32 characters of the client's text: an answer never
        // repeats a whole token (64 hex digits) put there (fuzz-peer-api).
        if (!text.is_string())
            return invalid("The section \"" + name.substr(0, 32) + "\" must be a string.");
        sections.emplace(name, text.get<std::string>());
    }
    if (auto e = local::check_section_names(sections))
        return error_response(*e);
    // Held back, not staged: a boot of this system before the target asks
    // for the reboot (a power cut between modify-source and the reboot
    // request) must come up with its own settings, or both systems would
    // claim the target's address. reboot() hands them to the boot.
    if (auto res = appliance_.hold_settings(sections); !res)
        return error_response(res.error());
    spdlog::info("Holding {} settings sections for this system's next boot until the target "
                 "asks for the reboot.",
                 sections.size());
    return ok();
}

Response Api::maintenance(const Request& r)
{
    auto parsed = body_object(r);
    if (auto* resp = std::get_if<Response>(&parsed))
        return std::move(*resp);
    const auto on = bool_field(std::get<json>(parsed), protocol::Maintenance::kOn);
    if (!on)
        return invalid("The body must be {\"on\": true|false}.");
    if (auto res = appliance_.set_maintenance(*on); !res)
        return error_response(res.error());
    spdlog::info("Maintenance {}.", *on ? "on" : "off");
    return ok();
}

Response Api::migrated(const Request& r)
{
    auto parsed = body_object(r);
    if (auto* resp = std::get_if<Response>(&parsed))
        return std::move(*resp);
    const json& body = std::get<json>(parsed);
    auto to = address_field(body, protocol::Migrated::kTo);
    if (auto* resp = std::get_if<Response>(&to))
        return std::move(*resp);
    const auto at = body.find(protocol::Migrated::kAt);
    const auto swap = bool_field(body, protocol::Migrated::kSwap);
    if (at == body.end() || !at->is_number_unsigned() || !swap)
        return invalid("The body must be {\"to\": ADDRESS, \"at\": MICROSECONDS, \"swap\": BOOL}.");
    const local::MigratedRecord record{std::get<core::Address>(to).text, at->get<uint64_t>(),
                                       *swap};
    if (auto res = appliance_.record_migrated(record); !res)
        return error_response(res.error());
    if (!record.swap) {
        // Without Swap the source stays in maintenance with its user-facing
        // services down: two systems never serve the same users.
        if (auto res = appliance_.set_maintenance(true); !res)
            return error_response(res.error());
        if (auto res = appliance_.stop_user_services(); !res)
            return error_response(res.error());
    }
    spdlog::info("Recorded the migration to {} ({}).", record.to,
                 record.swap ? "with Swap" : "without Swap: maintenance kept, services stopped");
    return ok();
}

Response Api::reboot()
{
    // Refused before the answer when the target's login would not survive
    // the reboot or logind would refuse: the target then fails with this
    // reason instead of waiting for a source that does not come back.
    {
        std::lock_guard lock(mutex_);
        if (memory_only_)
            return error_response(500, "Internal",
                                  "The source keeps login tokens in memory only, so the target "
                                  "could not continue after the reboot: " +
                                      memory_only_->message,
                                  "Set StateDirectory= in [Peer] of the source's ferry.conf to a "
                                  "writable directory (ferry-peer.service: "
                                  "StateDirectory=ferry-peer), restart ferry-peer, probe again.");
    }
    auto can = can_reboot_();
    if (!can)
        return error_response(500, "Internal",
                              "The source cannot be rebooted: " + can.error().message,
                              can.error().remedy);
    if (*can != "yes")
        return error_response(
            500, "Internal",
            "logind does not let ferry-peer reboot the source (CanReboot: " + *can + ").",
            "Run ferry-peer as root and check the polkit rules of "
            "org.freedesktop.login1.reboot on the source.");
    // The settings of a Swap go to the next boot now, before the answer:
    // the target records that the source said yes only once it has the
    // answer, and by then the source's boot must apply them.
    auto handed = appliance_.release_held_settings();
    if (!handed)
        return error_response(handed.error());
    if (*handed)
        spdlog::info("The held settings are staged for the next boot.");
    Response r;
    r.status = 202;
    r.body = "{}";
    // After the answer: the target must learn that the reboot is coming
    // before this system goes down.
    r.after_sent = [reboot = reboot_] {
        if (auto res = reboot(); !res)
            spdlog::error("The reboot requested by the target failed: {} {}", res.error().message,
                          res.error().remedy);
        else
            spdlog::info("Reboot requested from logind.");
    };
    spdlog::info("The target asked for a reboot; rebooting once the answer is sent.");
    return r;
}

} // namespace ferry::peer
