#include "core/job.hpp"

#include <algorithm>

#include "core/json_number.hpp"

namespace ferry::core {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 4> kJobStates{"running", "rebooting", "succeeded", "failed"};
constexpr std::array<std::string_view, 5> kOpStates{"pending", "running", "done", "failed",
                                                    "skipped"};

template <typename E, std::size_t N>
std::optional<E> enum_from(const std::array<std::string_view, N>& names, std::string_view s)
{
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == s)
            return static_cast<E>(i);
    return std::nullopt;
}

std::optional<Code> code_from_name(std::string_view name)
{
    for (int c = 0; c <= static_cast<int>(Code::Internal); ++c)
        if (code_name(static_cast<Code>(c)) == name)
            return static_cast<Code>(c);
    return std::nullopt;
}

Error corrupt(const std::string& why)
{
    return Error{Code::JournalCorrupt, "The job journal is unreadable: " + why + ".",
                 "Inspect job.json in the state directory (/var/lib/ferry); ferryd does not start over an unreadable job."};
}

json source_to_json(const SourceIdentity& s)
{
    return json{{"address", s.address},
                {"current_address", s.current_address},
                {"host_name", s.host_name},
                {"domain_name", s.domain_name},
                {"license_guid", s.license_guid},
                {"certificate_sha256", s.certificate_sha256},
                {"token", s.token},
                {"high_availability", s.high_availability},
                {"data_bytes", s.data_bytes},
                {"log_bytes", s.log_bytes},
                {"server_role", s.server_role},
                {"dns_advice", s.dns_advice},
                {"dns_revert_advice", s.dns_revert_advice},
                {"main_node", s.main_node},
                {"main_certificate_sha256", s.main_certificate_sha256},
                {"main_token", s.main_token}};
}

SourceIdentity source_from_json(const json& j)
{
    SourceIdentity s;
    s.address = j.at("address").get<std::string>();
    s.current_address = j.at("current_address").get<std::string>();
    s.host_name = j.at("host_name").get<std::string>();
    s.domain_name = j.at("domain_name").get<std::string>();
    s.license_guid = j.at("license_guid").get<std::string>();
    s.certificate_sha256 = j.at("certificate_sha256").get<std::string>();
    s.token = j.value("token", "");
    s.server_role = j.value("server_role", "");
    s.dns_advice = j.value("dns_advice", std::vector<std::string>{});
    s.dns_revert_advice = j.value("dns_revert_advice", std::vector<std::string>{});
    s.main_node = j.value("main_node", "");
    s.main_certificate_sha256 = j.value("main_certificate_sha256", "");
    s.main_token = j.value("main_token", "");
    s.high_availability = j.at("high_availability").get<bool>();
    s.data_bytes = json_integer<uint64_t>(j.at("data_bytes"));
    s.log_bytes = json_integer<uint64_t>(j.at("log_bytes"));
    return s;
}

} // namespace

std::string_view job_state_name(JobState s) { return kJobStates[static_cast<std::size_t>(s)]; }
std::string_view op_state_name(OpState s) { return kOpStates[static_cast<std::size_t>(s)]; }
bool is_finished(JobState s) { return s == JobState::Succeeded || s == JobState::Failed; }

bool is_valid_job_id(std::string_view id)
{
    return !id.empty() && id.size() <= 32 &&
           std::all_of(id.begin(), id.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

uint64_t append_event(JobRecord& job, uint64_t now_usec, std::string type, json data)
{
    const uint64_t seq = job.next_sequence++;
    job.events.push_back(Event{seq, now_usec, std::move(type), std::move(data)});
    if (job.events.size() > kMaxEvents)
        job.events.erase(job.events.begin(),
                         job.events.begin() + static_cast<long>(job.events.size() - kMaxEvents));
    return seq;
}

JobRecord new_job(std::string id, const Options& options, const std::vector<PlannedOperation>& plan,
                  SourceIdentity source, TargetIdentity target, std::string boot_id,
                  uint64_t now_usec)
{
    JobRecord job;
    job.id = std::move(id);
    job.options = options;
    job.source = std::move(source);
    job.target = std::move(target);
    job.boot_id = std::move(boot_id);
    job.started_at_usec = now_usec;
    for (const auto& p : plan)
        job.operations.push_back(OperationRecord{p.id, p.runs ? OpState::Pending : OpState::Skipped,
                                                 0, p.bytes, p.estimated_seconds,
                                                 json::object(), -1});
    // The options by their D-Bus names, as Start() and Options take them:
    // front ends show them without translating keys (issue 16).
    append_event(job, now_usec, "job-started",
                 json{{"SwapConfiguration", options.swap},
                      {"MigrateLicense", options.license},
                      {"CopyUserTrafficLogs", options.logs},
                      {"source", job.source.address}});
    return job;
}

const OperationRecord* find_operation(const JobRecord& job, OperationId id)
{
    return find_operation(const_cast<JobRecord&>(job), id);
}

OperationRecord* find_operation(JobRecord& job, OperationId id)
{
    for (auto& op : job.operations)
        if (op.id == id)
            return &op;
    return nullptr;
}

OperationRecord* next_operation(JobRecord& job)
{
    for (auto& op : job.operations)
        if (op.state != OpState::Done && op.state != OpState::Skipped)
            return &op;
    return nullptr;
}

void set_operation_state(JobRecord& job, OperationId id, OpState state, uint64_t now_usec)
{
    auto* op = find_operation(job, id);
    if (!op || op->state == state)
        return;
    op->state = state;
    if (state == OpState::Done)
        op->bytes_done = op->bytes_total;
    append_event(job, now_usec, "operation-changed",
                 json{{"id", operation_key(id)}, {"state", op_state_name(state)}});
}

void set_job_state(JobRecord& job, JobState state, uint64_t now_usec)
{
    if (job.state == state)
        return;
    job.state = state;
    if (is_finished(state))
        job.finished_at_usec = now_usec;
    append_event(job, now_usec, "state-changed", json{{"state", job_state_name(state)}});
}

void fail_job(JobRecord& job, OperationId at, Error error, uint64_t now_usec)
{
    set_operation_state(job, at, OpState::Failed, now_usec);
    job.error_operation = std::string(operation_key(at));
    job.error = std::move(error);
    set_job_state(job, JobState::Failed, now_usec);
    append_event(job, now_usec, "finished",
                 json{{"state", "failed"},
                      {"code", code_name(job.error->code)},
                      {"operation", *job.error_operation},
                      {"message", job.error->message},
                      {"remedy", job.error->remedy}});
}

void succeed_job(JobRecord& job, uint64_t now_usec)
{
    job.error.reset();
    job.error_operation.reset();
    set_job_state(job, JobState::Succeeded, now_usec);
    append_event(job, now_usec, "finished", json{{"state", "succeeded"}});
}

void resume_job(JobRecord& job, const std::string& boot_id, uint64_t now_usec)
{
    const bool rebooted = job.boot_id != boot_id;
    job.boot_id = boot_id;
    ++job.attempt;
    for (auto& op : job.operations)
        if (op.state == OpState::Running || op.state == OpState::Failed)
            set_operation_state(job, op.id, OpState::Pending, now_usec);
    if (job.state == JobState::Failed) {
        job.error.reset();
        job.error_operation.reset();
        job.finished_at_usec = 0;
    }
    append_event(job, now_usec, "resumed", json{{"attempt", job.attempt}, {"rebooted", rebooted}});
    set_job_state(job, JobState::Running, now_usec);
}

bool resume_at_startup(JobRecord& job, const std::string& boot_id, uint64_t now_usec,
                       uint32_t max_restarts)
{
    ++job.restarts_without_progress;
    if (job.restarts_without_progress <= max_restarts) {
        resume_job(job, boot_id, now_usec);
        return true;
    }
    // The operation the restarts keep dying in: the running one, else the
    // next to run.
    OperationId at = OperationId::Final;
    bool found = false;
    for (const auto& op : job.operations)
        if (op.state == OpState::Running) {
            at = op.id;
            found = true;
        }
    if (!found)
        if (const auto* next = next_operation(job))
            at = next->id;
    job.boot_id = boot_id;
    fail_job(job, at,
             Error{Code::RestartLimit,
                   "ferryd was restarted " + std::to_string(job.restarts_without_progress - 1) +
                       " times in a row while the job made no progress (no operation "
                       "finished, no checkpoint saved): it stops retrying by itself.",
                   "Look for the cause in 'journalctl -u ferryd' (a crash, the watchdog, or a "
                   "stop), fix it, then Resume()."},
             now_usec);
    return false;
}

void note_progress(JobRecord& job) { job.restarts_without_progress = 0; }

bool source_out_of_ring(const JobRecord& job)
{
    if (!job.source.high_availability)
        return false;
    const auto* deactivate = find_operation(job, OperationId::DeactivateReplica);
    const auto* join = find_operation(job, OperationId::CopyDataActivateReplica);
    if (!deactivate || !join || deactivate->state == OpState::Skipped)
        return false;
    const auto& dcp = deactivate->checkpoint;
    const bool left = deactivate->state == OpState::Done ||
                      (dcp.is_object() && (dcp.contains("freeze") || dcp.contains("requested")));
    const auto& jcp = join->checkpoint;
    const bool joined = join->state == OpState::Done ||
                        (jcp.is_object() && jcp.contains("joined") && jcp["joined"].is_boolean() &&
                         jcp["joined"].get<bool>());
    return left && !joined;
}

bool copied_while_serving(const JobRecord& job)
{
    const auto* op = find_operation(job, OperationId::PreCopyData);
    return op && op->state != OpState::Skipped;
}

std::vector<Event> events_since(const JobRecord& job, uint64_t since)
{
    std::vector<Event> out;
    for (const auto& e : job.events)
        if (e.sequence > since)
            out.push_back(e);
    return out;
}

std::string serialize_job(const JobRecord& job)
{
    json ops = json::array();
    for (const auto& op : job.operations)
        ops.push_back(json{{"id", operation_key(op.id)},
                           {"state", op_state_name(op.state)},
                           {"bytes_done", op.bytes_done},
                           {"bytes_total", op.bytes_total},
                           {"estimated_seconds", op.estimated_seconds},
                           {"checkpoint", op.checkpoint}});
    json events = json::array();
    for (const auto& e : job.events)
        events.push_back(json{{"seq", e.sequence},
                              {"time", e.realtime_usec},
                              {"type", e.type},
                              {"data", e.data}});
    json j{{"version", job.version},
           {"id", job.id},
           {"state", job_state_name(job.state)},
           {"options", {{kOptSwap, job.options.swap},
                        {kOptLicense, job.options.license},
                        {kOptLogs, job.options.logs}}},
           {"source", source_to_json(job.source)},
           {"target", {{"address", job.target.address}, {"host_name", job.target.host_name}}},
           {"boot_id", job.boot_id},
           {"attempt", job.attempt},
           {"restarts_without_progress", job.restarts_without_progress},
           {"started_at", job.started_at_usec},
           {"finished_at", job.finished_at_usec},
           {"operations", ops},
           {"next_sequence", job.next_sequence},
           {"events", events}};
    if (job.error)
        j["error"] = json{{"code", code_name(job.error->code)},
                          {"operation", job.error_operation.value_or("")},
                          {"message", job.error->message},
                          {"remedy", job.error->remedy}};
    return j.dump(1) + "\n";
}

namespace {

// Journals before issue 16 named the options of job-started swap, license
// and logs; they are read with the D-Bus names the front ends use.
void rename_started_options(Event& e)
{
    if (e.type != "job-started" || !e.data.is_object())
        return;
    for (const auto& [from, to] : {std::pair<const char*, const char*>{"swap", "SwapConfiguration"},
                                   {"license", "MigrateLicense"},
                                   {"logs", "CopyUserTrafficLogs"}})
        if (auto it = e.data.find(from); it != e.data.end()) {
            e.data[to] = *it;
            e.data.erase(from);
        }
}

} // namespace

Expected<JobRecord> parse_job(std::string_view text)
{
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
        return corrupt("not a JSON object");
    try {
        JobRecord job;
        job.version = json_integer<int>(j.at("version"));
        if (job.version > kJournalVersion)
            return corrupt("written by a newer ferry (journal version " +
                           std::to_string(job.version) + ")");
        if (job.version < 1)
            return corrupt("unknown journal version " + std::to_string(job.version));
        job.id = j.at("id").get<std::string>();
        if (!is_valid_job_id(job.id))
            return corrupt("invalid job id");
        auto st = enum_from<JobState>(kJobStates, j.at("state").get<std::string>());
        if (!st)
            return corrupt("invalid job state");
        job.state = *st;
        const auto& o = j.at("options");
        job.options = Options{o.at(kOptSwap).get<bool>(), o.at(kOptLicense).get<bool>(),
                              o.at(kOptLogs).get<bool>()};
        job.source = source_from_json(j.at("source"));
        job.target.address = j.at("target").at("address").get<std::string>();
        job.target.host_name = j.at("target").at("host_name").get<std::string>();
        job.boot_id = j.at("boot_id").get<std::string>();
        job.attempt = json_integer<uint32_t>(j.at("attempt"));
        // Absent in journals of earlier builds.
        job.restarts_without_progress = j.value("restarts_without_progress", 0u);
        job.started_at_usec = json_integer<uint64_t>(j.at("started_at"));
        job.finished_at_usec = json_integer<uint64_t>(j.at("finished_at"));
        job.next_sequence = json_integer<uint64_t>(j.at("next_sequence"));

        const auto& ops = j.at("operations");
        // A journal of a build before pre-copy-data lists the manual's
        // eleven: that job took the single-copy path.
        const bool before_pre_copy = ops.is_array() && ops.size() == kManualOperationCount;
        if (!ops.is_array() || (ops.size() != kOperationCount && !before_pre_copy))
            return corrupt("the operation list is incomplete");
        if (before_pre_copy)
            job.operations.push_back(OperationRecord{OperationId::PreCopyData, OpState::Skipped});
        for (std::size_t i = 0; i < ops.size(); ++i) {
            const auto& jo = ops[i];
            auto id = operation_from_key(jo.at("id").get<std::string>());
            if (!id || *id != all_operations()[i + (before_pre_copy ? 1 : 0)])
                return corrupt("operations out of order");
            auto os = enum_from<OpState>(kOpStates, jo.at("state").get<std::string>());
            if (!os)
                return corrupt("invalid operation state");
            job.operations.push_back(OperationRecord{*id, *os,
                                                     json_integer<uint64_t>(jo.at("bytes_done")),
                                                     json_integer<uint64_t>(jo.at("bytes_total")),
                                                     json_integer<uint64_t>(jo.at("estimated_seconds")),
                                                     jo.at("checkpoint"), -1});
        }
        for (const auto& je : j.at("events")) {
            Event e{json_integer<uint64_t>(je.at("seq")), json_integer<uint64_t>(je.at("time")),
                    je.at("type").get<std::string>(), je.at("data")};
            if (e.sequence >= job.next_sequence)
                return corrupt("event sequence beyond the recorded next sequence");
            rename_started_options(e);
            job.events.push_back(std::move(e));
        }
        if (j.contains("error")) {
            const auto& je = j.at("error");
            auto code = code_from_name(je.at("code").get<std::string>());
            if (!code)
                return corrupt("unknown error code");
            job.error = Error{*code, je.at("message").get<std::string>(),
                              je.at("remedy").get<std::string>()};
            job.error_operation = je.at("operation").get<std::string>();
        }
        return job;
    } catch (const json::exception& e) {
        return corrupt(std::string("missing or mistyped field (") + e.what() + ")");
    }
}

} // namespace ferry::core
