// One operation of the Execution step. A step runs on a worker thread,
// talks to the source through the peer client and to this appliance
// through local::, reports bytes through `progress` and records its resume
// point through `checkpoint` (written to the journal before it returns).
// Every step is idempotent: run again after a crash, from its checkpoint,
// it finishes the same work without doing any of it twice.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/job.hpp"
#include "appliance/appliance.hpp"
#include "source/peer_client.hpp"

namespace ferry::steps {

struct StepContext {
    core::JobRecord job;           // snapshot when the step started
    core::OperationId operation{};
    nlohmann::json checkpoint;     // this operation's last recorded checkpoint
    source::PeerClient& peer;
    local::FileAppliance& appliance;
    std::filesystem::path state_dir;
    std::function<void(uint64_t done, uint64_t total)> progress;
    // Persists a new checkpoint; returns when it is on disk. An error when
    // it could not be written (JournalWriteFailed: full disk) or ferryd is
    // stopping: the step then returns it and does nothing further --
    // nothing irreversible may follow a checkpoint that is not on disk.
    std::function<core::Expected<bool>(const nlohmann::json&)> save_checkpoint;
    const std::atomic<bool>& stopping; // ferryd is shutting down: return early
    std::string boot_id;               // of the boot this attempt runs in
    // Records `checkpoint` for this operation AND puts the job in state
    // "rebooting", in one journal write; returns when that is on disk (an
    // error when it could not be written or ferryd is stopping). The
    // reboot operation calls it before it asks anyone to reboot.
    std::function<core::Expected<bool>(const nlohmann::json& checkpoint)> set_rebooting;
    // The ring's Main node when it is not the source (HA only), else null.
    source::PeerClient* ring_main = nullptr;
    // Appends an event to the job's record (type, an object of scalars):
    // what a front end should know beyond states and progress, e.g. that
    // operation 4 fell back to a full copy, and why.
    std::function<void(const std::string& type, const nlohmann::json& data)> record_event;
};

using StepFn = std::function<core::Expected<bool>(StepContext&)>;

// The implementation of an operation; empty when this build has none.
StepFn step_for(core::OperationId id);

// OptionUnavailable naming the first operation of `plan` that runs but has
// no implementation in this build.
std::optional<core::Error> unsupported_operation(const std::vector<core::PlannedOperation>& plan);

// The error a step returns when ferryd stops under it; the operation is
// resumed from its checkpoint at the next start.
core::Error stopped_error();

} // namespace ferry::steps
