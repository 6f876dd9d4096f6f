#include <gtest/gtest.h>

#include "core/job.hpp"
#include "core/progress.hpp"

using namespace ferry::core;

namespace {

JobRecord sample_job()
{
    PlanInput in{Options{true, false, true}, false, 5000, 700, 10, {}, {}};
    return new_job("0123456789abcdef", in.options, build_plan(in),
                   SourceIdentity{"192.0.2.10", "192.0.2.10", "hs-old", "example.net", "GUID-1",
                                  "ab:cd", false, 5000, 700, "Main", {}, "tok", {"Point x back"}, "192.0.2.9", "sha256//m", "mtok"},
                   TargetIdentity{"192.0.2.20", "hs-new"}, "boot-a", 1000);
}

} // namespace

TEST(Job, NewJobSkipsOperationsThatDoNotRun)
{
    auto job = sample_job();
    ASSERT_EQ(job.operations.size(), 12u);
    // Without a copy while the source serves (the plan's data path).
    EXPECT_EQ(find_operation(job, OperationId::PreCopyData)->state, OpState::Skipped);
    EXPECT_FALSE(copied_while_serving(job));
    EXPECT_EQ(find_operation(job, OperationId::DeactivateReplica)->state, OpState::Skipped);
    EXPECT_EQ(find_operation(job, OperationId::CopyData)->state, OpState::Pending);
    EXPECT_EQ(find_operation(job, OperationId::Reboot)->state, OpState::Pending);
    EXPECT_EQ(next_operation(job)->id, OperationId::CopySettings);
    ASSERT_EQ(job.events.size(), 1u);
    EXPECT_EQ(job.events[0].type, "job-started");
    EXPECT_EQ(job.events[0].sequence, 1u);
}

TEST(Job, SerializeParseRoundTrip)
{
    auto job = sample_job();
    set_operation_state(job, OperationId::CopySettings, OpState::Done, 2000);
    set_operation_state(job, OperationId::SourceMaintenance, OpState::Running, 2100);
    find_operation(job, OperationId::CopyData)->checkpoint = {{"tables_done", {"users"}}};
    fail_job(job, OperationId::SourceMaintenance,
             Error{Code::Unreachable, "gone", "check it"}, 3000);
    auto text = serialize_job(job);
    auto back = parse_job(text);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(serialize_job(*back), text);
    EXPECT_EQ(back->state, JobState::Failed);
    EXPECT_EQ(back->error->code, Code::Unreachable);
    EXPECT_EQ(*back->error_operation, "source-maintenance");
    EXPECT_EQ(back->finished_at_usec, 3000u);
    EXPECT_EQ(find_operation(*back, OperationId::CopyData)->checkpoint["tables_done"][0], "users");
}

TEST(Job, ParseRefusesCorruptOrNewer)
{
    auto text = serialize_job(sample_job());
    EXPECT_EQ(parse_job("").error().code, Code::JournalCorrupt);
    EXPECT_EQ(parse_job(text.substr(0, text.size() / 2)).error().code, Code::JournalCorrupt);
    auto j = nlohmann::json::parse(text);
    j["version"] = kJournalVersion + 1;
    auto newer = parse_job(j.dump());
    ASSERT_FALSE(newer.ok());
    EXPECT_NE(newer.error().message.find("newer"), std::string::npos);
    j = nlohmann::json::parse(text);
    j["operations"].erase(3);
    EXPECT_FALSE(parse_job(j.dump()).ok());
    j = nlohmann::json::parse(text);
    j["id"] = "../../etc";
    EXPECT_FALSE(parse_job(j.dump()).ok());
    j = nlohmann::json::parse(text);
    j["state"] = "exploded";
    EXPECT_FALSE(parse_job(j.dump()).ok());
}

TEST(Job, ResumeAfterRebootAndAfterRestart)
{
    auto job = sample_job();
    set_operation_state(job, OperationId::CopySettings, OpState::Running, 2000);
    resume_job(job, "boot-a", 3000);
    EXPECT_EQ(job.attempt, 2u);
    EXPECT_EQ(find_operation(job, OperationId::CopySettings)->state, OpState::Pending);
    auto ev = events_since(job, 0);
    auto resumed = std::find_if(ev.begin(), ev.end(), [](auto& e) { return e.type == "resumed"; });
    ASSERT_NE(resumed, ev.end());
    EXPECT_FALSE(resumed->data["rebooted"].get<bool>());

    resume_job(job, "boot-b", 4000);
    EXPECT_EQ(job.boot_id, "boot-b");
    EXPECT_TRUE(job.events[job.events.size() - 1].type == "resumed" ||
                job.events[job.events.size() - 2].type == "resumed");
    bool rebooted = false;
    for (auto& e : events_since(job, 0))
        if (e.type == "resumed" && e.data["attempt"] == 3)
            rebooted = e.data["rebooted"].get<bool>();
    EXPECT_TRUE(rebooted);
}

TEST(Job, ResumeOfFailedClearsError)
{
    auto job = sample_job();
    fail_job(job, OperationId::CopySettings, Error{Code::Unreachable, "x", ""}, 2000);
    resume_job(job, "boot-a", 3000);
    EXPECT_EQ(job.state, JobState::Running);
    EXPECT_FALSE(job.error.has_value());
    EXPECT_EQ(job.finished_at_usec, 0u);
    EXPECT_EQ(find_operation(job, OperationId::CopySettings)->state, OpState::Pending);
}

TEST(Job, EventsSinceHasNoGaps)
{
    auto job = sample_job();
    for (auto id : all_operations())
        if (find_operation(job, id)->state == OpState::Pending) {
            set_operation_state(job, id, OpState::Running, 1);
            set_operation_state(job, id, OpState::Done, 2);
        }
    succeed_job(job, 5);
    auto all = events_since(job, 0);
    for (std::size_t i = 0; i < all.size(); ++i)
        EXPECT_EQ(all[i].sequence, i + 1);
    auto tail = events_since(job, 5);
    ASSERT_FALSE(tail.empty());
    EXPECT_EQ(tail.front().sequence, 6u);
    EXPECT_EQ(tail.back().type, "finished");
    EXPECT_TRUE(events_since(job, job.next_sequence - 1).empty());
    EXPECT_DOUBLE_EQ(overall_progress(job), 1.0);
}

TEST(Job, EventLogIsBounded)
{
    auto job = sample_job();
    for (std::size_t i = 0; i < kMaxEvents + 50; ++i)
        append_event(job, i, "resumed", {{"attempt", i}});
    EXPECT_EQ(job.events.size(), kMaxEvents);
    EXPECT_EQ(job.events.back().sequence, job.next_sequence - 1);
}

TEST(Job, ProgressIsWeightedByEstimates)
{
    auto job = sample_job();
    EXPECT_DOUBLE_EQ(overall_progress(job), 0.0);
    auto* data = find_operation(job, OperationId::CopyData);
    data->bytes_done = data->bytes_total / 2;
    const double half = overall_progress(job);
    EXPECT_GT(half, 0.0);
    EXPECT_LT(half, 0.5);
}

// Issue 14 defect 9: the crash-loop limit the unit file promises. Each start
// of ferryd with an unfinished job counts; progress (a checkpoint saved, an
// operation done) starts the count again; past the limit the job fails with
// RestartLimit at the operation it keeps dying in.
TEST(Job, RestartLimitWithoutProgress)
{
    auto job = sample_job();
    set_operation_state(job, OperationId::CopySettings, OpState::Running, 2000);
    for (uint32_t i = 1; i <= 3; ++i) {
        EXPECT_TRUE(resume_at_startup(job, "boot-a", 3000 + i, 3)) << "restart " << i;
        EXPECT_EQ(job.state, JobState::Running);
        set_operation_state(job, OperationId::CopySettings, OpState::Running, 3000 + i);
    }
    EXPECT_FALSE(resume_at_startup(job, "boot-a", 4000, 3));
    EXPECT_EQ(job.state, JobState::Failed);
    ASSERT_TRUE(job.error.has_value());
    EXPECT_EQ(job.error->code, Code::RestartLimit);
    EXPECT_EQ(*job.error_operation, "copy-settings");
    EXPECT_NE(job.error->remedy.find("Resume()"), std::string::npos);
    // The count is journalled: a crash right after it does not reset it.
    auto back = parse_job(serialize_job(job));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->restarts_without_progress, 4u);
}

TEST(Job, ProgressResetsTheRestartCount)
{
    auto job = sample_job();
    for (int round = 0; round < 5; ++round) {
        EXPECT_TRUE(resume_at_startup(job, "boot-a", 3000, 2));
        EXPECT_TRUE(resume_at_startup(job, "boot-a", 3001, 2));
        note_progress(job); // a checkpoint or an operation done in between
    }
    EXPECT_EQ(job.state, JobState::Running);
    EXPECT_EQ(job.restarts_without_progress, 0u);
    // Not running: the next operation to run is named.
    EXPECT_TRUE(resume_at_startup(job, "boot-a", 3002, 1));
    EXPECT_FALSE(resume_at_startup(job, "boot-a", 3003, 1));
    EXPECT_EQ(*job.error_operation, "copy-settings");
}

// A journal written before pre-copy-data existed lists the manual's eleven
// operations: it parses, as a job that copied under maintenance.
TEST(Job, JournalOfElevenOperationsParses)
{
    auto job = sample_job();
    set_operation_state(job, OperationId::CopySettings, OpState::Done, 2000);
    auto j = nlohmann::json::parse(serialize_job(job));
    ASSERT_EQ(j["operations"][0]["id"], "pre-copy-data");
    j["operations"].erase(0);
    auto back = parse_job(j.dump());
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_EQ(back->operations.size(), 12u);
    EXPECT_EQ(back->operations[0].id, OperationId::PreCopyData);
    EXPECT_EQ(back->operations[0].state, OpState::Skipped);
    EXPECT_EQ(find_operation(*back, OperationId::CopySettings)->state, OpState::Done);
    EXPECT_EQ(next_operation(*back)->id, OperationId::SourceMaintenance);
    EXPECT_FALSE(copied_while_serving(*back));
    // Eleven in another order is still corrupt.
    std::swap(j["operations"][0], j["operations"][1]);
    EXPECT_FALSE(parse_job(j.dump()).ok());
}

// Issue 16: job-started names the options as D-Bus does; journals of
// earlier builds (swap, license, logs) are read with those names.
TEST(Job, JobStartedNamesTheOptionsAsDbusDoes)
{
    auto job = sample_job();
    const auto& d = job.events.at(0).data;
    EXPECT_EQ(d.at("SwapConfiguration"), true);
    EXPECT_EQ(d.at("MigrateLicense"), false);
    EXPECT_EQ(d.at("CopyUserTrafficLogs"), true);
    EXPECT_FALSE(d.contains("swap"));

    auto j = nlohmann::json::parse(serialize_job(job));
    j["events"][0]["data"] = {{"swap", false}, {"license", true}, {"logs", false}, {"source", "x"}};
    auto back = parse_job(j.dump());
    ASSERT_TRUE(back.ok()) << back.error().message;
    const auto& old = back->events.at(0).data;
    EXPECT_EQ(old, (nlohmann::json{{"SwapConfiguration", false},
                                   {"MigrateLicense", true},
                                   {"CopyUserTrafficLogs", false},
                                   {"source", "x"}}));
}

TEST(Job, CopiedWhileServingFollowsThePlan)
{
    PlanInput in{Options{false, false, false}, false, 5000, 0, 10, {}, {}};
    in.path_input.peer_offers_replica = true;
    in.path_input.source_log_bin = true;
    auto job = new_job("0123456789abcdef", in.options, build_plan(in), SourceIdentity{},
                       TargetIdentity{}, "boot-a", 1000);
    EXPECT_EQ(find_operation(job, OperationId::PreCopyData)->state, OpState::Pending);
    EXPECT_EQ(next_operation(job)->id, OperationId::PreCopyData);
    EXPECT_TRUE(copied_while_serving(job));
}

TEST(Job, JournalWithoutRestartCountParses)
{
    auto j = nlohmann::json::parse(serialize_job(sample_job()));
    j.erase("restarts_without_progress"); // journals of earlier builds
    auto back = parse_job(j.dump());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->restarts_without_progress, 0u);
}

// Issue 14 defect 2: the window in which Acknowledge() of a failed HA job
// would break the ring.
TEST(Job, SourceOutOfRingBetweenDeactivateAndJoin)
{
    PlanInput in{Options{true, false, false}, true, 5000, 700, 10, {}, {}};
    SourceIdentity src{"192.0.2.10", "192.0.2.10", "hs-old", "example.net", "GUID-1", "ab:cd",
                       true, 5000, 700, "Additional", {}, "tok", {}, "192.0.2.9", "sha256//m", "mtok"};
    auto job = new_job("0123456789abcdef", in.options, build_plan(in), src,
                       TargetIdentity{"192.0.2.20", "hs-new"}, "boot-a", 1000);
    auto* deactivate = find_operation(job, OperationId::DeactivateReplica);
    auto* join = find_operation(job, OperationId::CopyDataActivateReplica);
    ASSERT_EQ(deactivate->state, OpState::Pending);
    EXPECT_FALSE(source_out_of_ring(job)) << "nothing asked of the source yet";
    deactivate->state = OpState::Failed; // failed before the request (local check)
    EXPECT_FALSE(source_out_of_ring(job));
    deactivate->checkpoint = {{"requested", true}}; // asked; answer lost
    EXPECT_TRUE(source_out_of_ring(job));
    deactivate->checkpoint = {{"freeze", {{"gtid_binlog_pos", "0-1-5"}}}};
    deactivate->state = OpState::Done;
    EXPECT_TRUE(source_out_of_ring(job));
    join->state = OpState::Failed;
    join->checkpoint = {{"loaded", true}};
    EXPECT_TRUE(source_out_of_ring(job)) << "loaded, not joined";
    join->checkpoint = {{"loaded", true}, {"joined", true}};
    EXPECT_FALSE(source_out_of_ring(job)) << "joined: the ring is whole again";
    join->checkpoint = nlohmann::json::object();
    join->state = OpState::Done;
    EXPECT_FALSE(source_out_of_ring(job));
    job.source.high_availability = false;
    join->state = OpState::Pending;
    EXPECT_FALSE(source_out_of_ring(job)) << "standalone";
}
