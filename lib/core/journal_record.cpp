#include "core/journal_record.hpp"

namespace ferry::core {

const std::vector<std::string_view>& all_message_ids()
{
    static const std::vector<std::string_view> ids = {
        kMsgJobStarted,     kMsgOperationStarted, kMsgOperationDone, kMsgOperationFailed,
        kMsgOperationReset, kMsgJobState,         kMsgJobResumed,    kMsgJobSucceeded,
        kMsgJobFailed,      kMsgPreflightWarning, kMsgStartRefused,
    };
    return ids;
}

std::string JournalRecord::field(std::string_view name) const
{
    for (const auto& [k, v] : fields)
        if (k == name)
            return v;
    return {};
}

namespace {

// A string member of the event's data, "" when absent or of another type.
std::string text(const nlohmann::json& data, const char* key)
{
    const auto it = data.find(key);
    return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string operation_title_of(const std::string& key)
{
    const auto id = operation_from_key(key);
    return id ? std::string(operation_title(*id)) : key;
}

} // namespace

JournalRecord event_journal_record(const JobRecord& job, const Event& e)
{
    JournalRecord r;
    std::string_view id = kMsgJobState;
    const std::string op = text(e.data, "id");
    const std::string state = text(e.data, "state");
    std::string title;
    if (e.type == "job-started") {
        id = kMsgJobStarted;
        r.priority = 5;
        r.message =
            "Migration job " + job.id + " started from the source " + job.source.address + ".";
    } else if (e.type == "operation-changed") {
        title = operation_title_of(op);
        if (state == "running") {
            id = kMsgOperationStarted;
            r.message = "Operation '" + title + "' started.";
        } else if (state == "done") {
            id = kMsgOperationDone;
            r.message = "Operation '" + title + "' done.";
        } else if (state == "failed") {
            id = kMsgOperationFailed;
            r.priority = 3;
            r.message = "Operation '" + title + "' failed.";
        } else {
            id = kMsgOperationReset;
            r.message = "Operation '" + title + "' is " + state + " again (the job resumes).";
        }
    } else if (e.type == "state-changed") {
        id = kMsgJobState;
        r.message = "Migration job " + job.id + " is " + state + ".";
    } else if (e.type == "resumed") {
        id = kMsgJobResumed;
        r.priority = 5;
        const bool rebooted = e.data.value("rebooted", false);
        r.message = "Migration job " + job.id + " resumed (attempt " +
                    std::to_string(e.data.value("attempt", uint64_t(0))) + ")" +
                    (rebooted ? " after a reboot." : ".");
    } else if (e.type == "finished" && state == "succeeded") {
        id = kMsgJobSucceeded;
        r.priority = 5;
        r.message = "Migration job " + job.id + " succeeded.";
    } else if (e.type == "finished") {
        id = kMsgJobFailed;
        r.priority = 3;
        title = operation_title_of(text(e.data, "operation"));
        r.message = "Migration job " + job.id + " failed in '" + title +
                    "': " + text(e.data, "message") + " " + text(e.data, "remedy");
    } else {
        r.message = "Migration job " + job.id + ": " + e.type + ".";
    }
    r.fields.emplace_back("MESSAGE_ID", std::string(id));
    r.fields.emplace_back("FERRY_JOB_ID", job.id);
    r.fields.emplace_back("FERRY_EVENT", e.type);
    r.fields.emplace_back("FERRY_SEQUENCE", std::to_string(e.sequence));
    const std::string op_key = e.type == "finished" ? text(e.data, "operation") : op;
    if (!op_key.empty()) {
        r.fields.emplace_back("FERRY_OPERATION", op_key);
        r.fields.emplace_back("FERRY_OPERATION_TITLE", operation_title_of(op_key));
    }
    if (!state.empty())
        r.fields.emplace_back("FERRY_STATE", state);
    r.fields.emplace_back("FERRY_SOURCE", job.source.address);
    r.fields.emplace_back("FERRY_ATTEMPT", std::to_string(job.attempt));
    if (const auto code = text(e.data, "code"); !code.empty())
        r.fields.emplace_back("FERRY_ERROR", code);
    return r;
}

JournalRecord preflight_warning_record(const PreflightCheck& check, const std::string& source)
{
    JournalRecord r;
    r.priority = 4;
    r.message = "Pre-flight warning (" + check.title + "): " + check.message;
    r.fields = {{"MESSAGE_ID", std::string(kMsgPreflightWarning)},
                {"FERRY_CHECK", check.id},
                {"FERRY_SOURCE", source}};
    return r;
}

JournalRecord start_refused_record(const Error& refusal, const std::string& source)
{
    JournalRecord r;
    r.priority = 4;
    r.message = "Start refused: " + refusal.message;
    r.fields = {{"MESSAGE_ID", std::string(kMsgStartRefused)},
                {"FERRY_SOURCE", source},
                {"FERRY_ERROR", std::string(code_name(refusal.code))}};
    return r;
}

} // namespace ferry::core
