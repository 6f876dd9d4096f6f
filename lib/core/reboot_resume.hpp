// Where the reboot operation of a Swap goes on when it (re)starts. Pure
// logic: the step (steps/reboot.cpp) reads the checkpoint and whether this
// system's new settings still wait for the reboot request, and acts on the
// answer.
//
// This system's new settings (the source's, copied by copy-settings) are
// held back until the source has agreed to reboot: only then does the
// reboot operation hand them to the boot unit (ferry-apply-staged.service),
// so that ANY boot before that point, e.g. after a power cut during
// copy-data, brings this system up with its own address while the source
// still has the other one. A later boot therefore is the boot the
// operation asked for only when the settings were handed over; otherwise
// it was a power cut, and the request starts again in this boot.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ferry::core {

// The reboot operation's checkpoint (docs/operations.md, operation 6).
struct RebootCheckpoint {
    bool requested = false;     // the job state "rebooting" is on disk
    std::string boot_id;        // the boot in which it was requested
    bool asking_source = false; // POST /reboot may have reached the source
    bool source_asked = false;  // the source said yes
    bool logind_asked = false;  // logind said yes (in boot_id)
};

// A checkpoint as the journal holds it; missing or mistyped fields are
// false/empty (an empty checkpoint: nothing was requested yet).
RebootCheckpoint reboot_checkpoint_from_json(const nlohmann::json& j);
nlohmann::json to_json(const RebootCheckpoint& c);

enum class RebootPhase {
    // Ask (again) in this boot: the source unless it said yes, then hand
    // the settings over, then logind unless it said yes in this boot.
    Request,
    // This is the boot the operation asked for: wait for the source at
    // this system's former address.
    WaitForSource,
};

struct RebootDecision {
    RebootPhase phase = RebootPhase::Request;
    // With Request: the checkpoint to record (requested in this boot).
    RebootCheckpoint next;
};

// `settings_held`: this system's new settings still wait for the request
// (copy-settings held them back and they were never handed to the boot
// unit). A checkpoint from an earlier version of ferryd, whose
// copy-settings wrote the settings at once, comes with false.
RebootDecision decide_reboot(const RebootCheckpoint& checkpoint, const std::string& this_boot,
                             bool settings_held);

} // namespace ferry::core
