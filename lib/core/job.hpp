// The job model: what the journal records about a migration and the rules
// for changing it. Every change appends to the event log, so a front end
// that reconnects replays exactly what happened (GetEvents). Pure logic;
// system/journal_store.* writes it to disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"
#include "core/options.hpp"
#include "core/plan.hpp"

namespace ferry::core {

inline constexpr int kJournalVersion = 1;
// Events are transitions only (no progress ticks), a few dozen per attempt;
// the cap only bounds a pathological crash loop. The oldest are dropped.
inline constexpr std::size_t kMaxEvents = 10000;

enum class JobState { Running, Rebooting, Succeeded, Failed };
enum class OpState { Pending, Running, Done, Failed, Skipped };

std::string_view job_state_name(JobState s);
std::string_view op_state_name(OpState s);
bool is_finished(JobState s);

struct Event {
    uint64_t sequence = 0;
    uint64_t realtime_usec = 0;
    std::string type;    // job-started, operation-changed, state-changed, resumed, finished
    nlohmann::json data; // an object of scalars (strings, booleans, numbers)
};

struct OperationRecord {
    OperationId id{};
    OpState state = OpState::Pending;
    uint64_t bytes_done = 0;
    uint64_t bytes_total = 0;
    uint64_t estimated_seconds = 0;
    nlohmann::json checkpoint = nlohmann::json::object(); // operation-specific resume point
    double eta_seconds = -1; // measured remaining time while running; not journalled
};

// Who the source is. After a swap the source answers at the target's
// former address, so both are kept.
struct SourceIdentity {
    std::string address;         // as probed
    std::string current_address; // where it answers now
    std::string host_name;
    std::string domain_name;
    std::string license_guid;
    std::string certificate_sha256; // key pin taken at Probe ("sha256//...")
    bool high_availability = false;
    uint64_t data_bytes = 0;
    uint64_t log_bytes = 0;
    std::string server_role;              // "Main" | "Additional"
    std::vector<std::string> dns_advice;  // from Probe
    // The peer API token from Probe: a scoped, expiring credential (never
    // the password), revoked by the final operation. The journal is 0600
    // in a 0700 directory.
    std::string token;
    std::vector<std::string> dns_revert_advice; // the Result step shows it
    // The ring's Main node when it is not the source: where the round-robin
    // hosts are removed and restored (pin and token as for the source).
    std::string main_node;
    std::string main_certificate_sha256;
    std::string main_token;
};

struct TargetIdentity {
    std::string address;
    std::string host_name;
};

struct JobRecord {
    int version = kJournalVersion;
    std::string id; // the object path's last element: [a-z0-9]
    JobState state = JobState::Running;
    Options options;
    SourceIdentity source;
    TargetIdentity target;
    std::string boot_id; // of the boot the job last ran in
    uint32_t attempt = 1;
    // Starts of ferryd that found the job unfinished since it last made
    // progress (an operation done or a checkpoint saved): the crash-loop
    // count (resume_at_startup). A manual Resume() starts it again at 0.
    uint32_t restarts_without_progress = 0;
    uint64_t started_at_usec = 0;
    uint64_t finished_at_usec = 0;
    std::vector<OperationRecord> operations; // all 12, in order
    std::optional<Error> error;
    std::optional<std::string> error_operation;
    uint64_t next_sequence = 1;
    std::vector<Event> events;
};

// A new job from a plan: operations whose condition does not hold are
// Skipped, the rest Pending; emits job-started.
JobRecord new_job(std::string id, const Options& options, const std::vector<PlannedOperation>& plan,
                  SourceIdentity source, TargetIdentity target, std::string boot_id,
                  uint64_t now_usec);

// Appends an event and returns its sequence number.
uint64_t append_event(JobRecord& job, uint64_t now_usec, std::string type, nlohmann::json data);

OperationRecord* find_operation(JobRecord& job, OperationId id);
const OperationRecord* find_operation(const JobRecord& job, OperationId id);
// The first operation that is neither done nor skipped, or null.
OperationRecord* next_operation(JobRecord& job);

void set_operation_state(JobRecord& job, OperationId id, OpState state, uint64_t now_usec);
void set_job_state(JobRecord& job, JobState state, uint64_t now_usec);
void fail_job(JobRecord& job, OperationId at, Error error, uint64_t now_usec);
void succeed_job(JobRecord& job, uint64_t now_usec);

// On daemon start with an unfinished job: bumps the attempt, records
// whether the system rebooted (the boot id changed), puts a Running
// operation back to Pending (it restarts from its checkpoint).
void resume_job(JobRecord& job, const std::string& boot_id, uint64_t now_usec);

// At ferryd's start with an unfinished job: counts the restart; within
// `max_restarts` restarts without progress the job is resumed
// (resume_job); past it the job fails with RestartLimit at the operation it
// would have run. Returns true when the job was resumed.
bool resume_at_startup(JobRecord& job, const std::string& boot_id, uint64_t now_usec,
                       uint32_t max_restarts);
// The job moved forward (an operation done, a checkpoint saved): the
// crash-loop count starts again.
void note_progress(JobRecord& job);

// HA: the source has left the ring (operation 3 asked its ferry-peer to
// deactivate the replica) and this system has not joined it in the
// source's place yet (operation 7 not joined). Acknowledging such a job
// would leave the ring without the node and forget the freeze.
bool source_out_of_ring(const JobRecord& job);

// The job copied its data while the source served (operation
// pre-copy-data ran): copy-data then catches up instead of copying.
bool copied_while_serving(const JobRecord& job);

// Events with sequence > since, oldest first.
std::vector<Event> events_since(const JobRecord& job, uint64_t since);

// The progress figures (overall_progress ...) are in core/progress.hpp.

std::string serialize_job(const JobRecord& job);
// JournalCorrupt with the reason for anything that is not a valid journal
// of a version this ferry understands.
Expected<JobRecord> parse_job(std::string_view text);

bool is_valid_job_id(std::string_view id);

} // namespace ferry::core
