// core/journal_record: every event of a job's life becomes a journal record
// with its MESSAGE_ID, the job id, the operation and the state (issue 17).
// The records are sent by local/journal_send (sd_journal_sendv); no journald
// runs in the one-machine rig, so this checks their construction, and
// tests/unit/catalog.sh the catalog that explains them.
#include <gtest/gtest.h>

#include <set>

#include "core/journal_record.hpp"

using namespace ferry::core;

namespace {

JobRecord a_job()
{
    PlanInput in;
    in.data_bytes = 1000;
    SourceIdentity src;
    src.address = src.current_address = "192.0.2.10";
    return new_job("0123456789abcdef", in.options, build_plan(in), src,
                   TargetIdentity{"192.0.2.20", "target"}, "boot", 1);
}

} // namespace

TEST(JournalRecord, EveryEventOfAFailedAndResumedJob)
{
    auto job = a_job();
    set_operation_state(job, OperationId::CopySettings, OpState::Running, 2);
    set_operation_state(job, OperationId::CopySettings, OpState::Done, 3);
    set_operation_state(job, OperationId::SourceMaintenance, OpState::Running, 4);
    fail_job(job, OperationId::SourceMaintenance,
             Error{Code::Unreachable, "The source does not answer.", "Check port 443."}, 5);
    resume_job(job, "boot", 6);

    std::set<std::string> ids;
    for (const auto& e : job.events) {
        const auto r = event_journal_record(job, e);
        SCOPED_TRACE(e.type + " " + e.data.dump());
        EXPECT_EQ(r.field("FERRY_JOB_ID"), "0123456789abcdef");
        EXPECT_EQ(r.field("FERRY_EVENT"), e.type);
        EXPECT_EQ(r.field("FERRY_SEQUENCE"), std::to_string(e.sequence));
        EXPECT_EQ(r.field("FERRY_SOURCE"), "192.0.2.10");
        EXPECT_EQ(r.field("MESSAGE_ID").size(), 32u);
        EXPECT_FALSE(r.message.empty());
        ids.insert(r.field("MESSAGE_ID"));
        if (e.type == "operation-changed") {
            EXPECT_FALSE(r.field("FERRY_OPERATION").empty());
            EXPECT_FALSE(r.field("FERRY_OPERATION_TITLE").empty());
            EXPECT_FALSE(r.field("FERRY_STATE").empty());
        }
    }
    // started, op running, op done, op failed, state failed, finished
    // failed, op reset, resumed, state running: 8 kinds.
    EXPECT_EQ(ids.size(), 8u);
    const auto& first = job.events.front();
    EXPECT_EQ(event_journal_record(job, first).field("MESSAGE_ID"), kMsgJobStarted);

    const auto failed = std::find_if(job.events.begin(), job.events.end(),
                                     [](const Event& e) { return e.type == "finished"; });
    ASSERT_NE(failed, job.events.end());
    const auto r = event_journal_record(job, *failed);
    EXPECT_EQ(r.field("MESSAGE_ID"), kMsgJobFailed);
    EXPECT_EQ(r.field("FERRY_ERROR"), "Unreachable");
    EXPECT_EQ(r.field("FERRY_OPERATION"), "source-maintenance");
    EXPECT_EQ(r.field("FERRY_OPERATION_TITLE"), "Place the source under maintenance");
    EXPECT_EQ(r.priority, 3);
    EXPECT_NE(r.message.find("The source does not answer. Check port 443."), std::string::npos);
}

TEST(JournalRecord, SucceededAndRebootingAndStartRecords)
{
    auto job = a_job();
    set_job_state(job, JobState::Rebooting, 2);
    succeed_job(job, 3);
    bool saw_rebooting = false, saw_succeeded = false;
    for (const auto& e : job.events) {
        const auto r = event_journal_record(job, e);
        if (r.field("FERRY_STATE") == "rebooting" && e.type == "state-changed")
            saw_rebooting = r.field("MESSAGE_ID") == kMsgJobState;
        if (e.type == "finished")
            saw_succeeded = r.field("MESSAGE_ID") == kMsgJobSucceeded;
    }
    EXPECT_TRUE(saw_rebooting);
    EXPECT_TRUE(saw_succeeded);

    const auto w = preflight_warning_record({"clock", Verdict::Warning, "Clock difference", "30 s"},
                                            "192.0.2.10");
    EXPECT_EQ(w.field("MESSAGE_ID"), kMsgPreflightWarning);
    EXPECT_EQ(w.field("FERRY_CHECK"), "clock");
    EXPECT_EQ(w.priority, 4);
    const auto s = start_refused_record(Error{Code::PreflightFailed, "no room", {}}, "192.0.2.10");
    EXPECT_EQ(s.field("MESSAGE_ID"), kMsgStartRefused);
    EXPECT_EQ(s.field("FERRY_ERROR"), "PreflightFailed");
}

TEST(JournalRecord, MessageIdsAreDistinctLowerHex)
{
    std::set<std::string_view> seen;
    for (const auto id : all_message_ids()) {
        EXPECT_EQ(id.size(), 32u);
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string_view::npos) << id;
        EXPECT_TRUE(seen.insert(id).second) << id;
    }
    EXPECT_EQ(seen.size(), 11u);
}
