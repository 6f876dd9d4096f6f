#include "core/reboot_resume.hpp"

namespace ferry::core {
namespace {

bool flag(const nlohmann::json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

} // namespace

RebootCheckpoint reboot_checkpoint_from_json(const nlohmann::json& j)
{
    RebootCheckpoint c;
    if (!j.is_object())
        return c;
    c.requested = flag(j, "requested");
    if (const auto it = j.find("boot_id"); it != j.end() && it->is_string())
        c.boot_id = it->get<std::string>();
    c.asking_source = flag(j, "asking_source");
    c.source_asked = flag(j, "source_asked");
    c.logind_asked = flag(j, "logind_asked");
    return c;
}

nlohmann::json to_json(const RebootCheckpoint& c)
{
    return nlohmann::json{{"requested", c.requested},
                          {"boot_id", c.boot_id},
                          {"asking_source", c.asking_source},
                          {"source_asked", c.source_asked},
                          {"logind_asked", c.logind_asked}};
}

RebootDecision decide_reboot(const RebootCheckpoint& cp, const std::string& this_boot,
                             bool settings_held)
{
    const bool other_boot = cp.requested && !cp.boot_id.empty() && cp.boot_id != this_boot;
    // The settings were handed over (or written at once by an earlier
    // ferryd) and the system booted since: the reboot that was asked for.
    if (other_boot && !settings_held)
        return RebootDecision{RebootPhase::WaitForSource, cp};

    RebootDecision d;
    d.next.requested = true;
    d.next.boot_id = this_boot;
    if (cp.requested) {
        // What the source was told stays true across boots: a source that
        // may have been asked and no longer answers is taken to be
        // rebooting; one that said yes is not asked again.
        d.next.asking_source = cp.asking_source;
        d.next.source_asked = cp.source_asked;
        // logind's yes holds only for the boot it was given in: in a later
        // boot (a power cut before the settings were handed over) this
        // system must be rebooted again.
        d.next.logind_asked = cp.logind_asked && !other_boot;
    }
    return d;
}

} // namespace ferry::core
