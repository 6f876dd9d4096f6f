// core/report: the job's part of the migration report (issue 17): times per
// operation from the event log (across a failure and a resume), the
// source's identity without its tokens, and both renderings.
#include <gtest/gtest.h>

#include "core/report.hpp"

using namespace ferry::core;

namespace {

JobRecord a_job()
{
    PlanInput in;
    in.data_bytes = 1000;
    SourceIdentity src;
    src.address = src.current_address = "192.0.2.10";
    src.host_name = "old";
    src.domain_name = "example.test";
    src.certificate_sha256 = "sha256//AAAA=";
    src.token = "secret-token-value";
    src.main_token = "secret-main-token";
    return new_job("0123456789abcdef", in.options, build_plan(in), src,
                   TargetIdentity{"192.0.2.20", "new"}, "boot", 1'000'000);
}

} // namespace

TEST(Report, OperationTimesSumOverAttempts)
{
    auto job = a_job();
    set_operation_state(job, OperationId::CopySettings, OpState::Running, 2'000'000);
    set_operation_state(job, OperationId::CopySettings, OpState::Done, 3'500'000); // 1.5 s
    set_operation_state(job, OperationId::SourceMaintenance, OpState::Running, 4'000'000);
    fail_job(job, OperationId::SourceMaintenance, Error{Code::Unreachable, "down", "up"},
             6'000'000); // 2 s
    resume_job(job, "boot", 10'000'000);
    set_operation_state(job, OperationId::SourceMaintenance, OpState::Running, 11'000'000);
    set_operation_state(job, OperationId::SourceMaintenance, OpState::Done, 12'000'000); // +1 s
    const auto times = operation_times(job);
    ASSERT_GE(times.size(), 2u);
    EXPECT_EQ(times[0].id, "copy-settings");
    EXPECT_DOUBLE_EQ(times[0].seconds, 1.5);
    EXPECT_EQ(times[1].id, "source-maintenance");
    EXPECT_DOUBLE_EQ(times[1].seconds, 3.0);
    EXPECT_EQ(times[1].state, "done");
    for (const auto& t : times)
        EXPECT_NE(t.id, "deactivate-replica") << "skipped operations are not listed";
}

TEST(Report, JsonAndTextCarryIdentityButNoToken)
{
    auto job = a_job();
    succeed_job(job, 5'000'000);
    auto r = report_from_job(job);
    r.tables = {{"hotspot", "users", 42, "123456"}};
    r.logs = {{"traffic.log", 10, std::string(64, 'a')}};
    r.settings = {{"general", true, std::string(64, 'b')}};
    const auto j = report_to_json(r);
    EXPECT_EQ(j["job"], "0123456789abcdef");
    EXPECT_EQ(j["state"], "succeeded");
    EXPECT_EQ(j["source"]["certificate_sha256"], "sha256//AAAA=");
    EXPECT_EQ(j["tables"][0]["rows"], 42);
    EXPECT_EQ(j["tables"][0]["checksum"], "123456");
    EXPECT_EQ(j["started_at"], "1970-01-01T00:00:01Z");
    const std::string dump = j.dump();
    const std::string text = report_to_text(r);
    for (const auto* secret : {"secret-token-value", "secret-main-token"}) {
        EXPECT_EQ(dump.find(secret), std::string::npos);
        EXPECT_EQ(text.find(secret), std::string::npos);
    }
    EXPECT_NE(text.find("hotspot.users: 42 rows, checksum 123456"), std::string::npos) << text;
    EXPECT_NE(text.find("Source: old.example.test at 192.0.2.10"), std::string::npos) << text;
}
