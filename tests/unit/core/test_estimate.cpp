// core/estimate and core/measurements (issue 17): the plan's estimates from
// what Probe measured, corrected by this machine's earlier jobs, with the
// assumptions only for what neither measured; the earlier jobs' file
// parsed with checks.
#include <gtest/gtest.h>

#include <cmath>

#include "core/estimate.hpp"
#include "core/job.hpp"
#include "core/measurements.hpp"
#include "core/plan.hpp"

using namespace ferry::core;

namespace {

OperationSample sample(const char* op, uint64_t bytes, double seconds, double probe = 0)
{
    return {op, bytes, seconds, probe, 1};
}

PlanInput standalone(uint64_t data, uint64_t logs)
{
    PlanInput in;
    in.options = Options{false, false, true};
    in.data_bytes = data;
    in.log_bytes = logs;
    return in;
}

const PlannedOperation& op(const std::vector<PlannedOperation>& plan, OperationId id)
{
    return plan[static_cast<std::size_t>(id)];
}

} // namespace

TEST(Estimate, NothingMeasuredUsesTheAssumptions)
{
    auto plan = build_plan(standalone(300'000'000, 0));
    const auto& data = op(plan, OperationId::CopyData);
    EXPECT_EQ(data.origin, RateOrigin::Default);
    EXPECT_EQ(data.estimated_seconds, 5u + 10u); // a step + 300 MB at 30 MB/s
    EXPECT_NE(data.basis.find("assumed"), std::string::npos) << data.basis;
    EXPECT_EQ(op(plan, OperationId::RestartServices).estimated_seconds, 20u);
    EXPECT_EQ(op(plan, OperationId::RestartServices).origin, RateOrigin::Default);
}

TEST(Estimate, ProbeRateIsTheSlowestOfReadLinkAndWrite)
{
    EXPECT_DOUBLE_EQ(probe_data_rate(ProbeRates{80e6, 500e6, 60e6, 0.01, {}}), 60e6);
    EXPECT_DOUBLE_EQ(probe_data_rate(ProbeRates{0, 20e6, 60e6, 0, {}}), 20e6); // read unmeasured
    EXPECT_DOUBLE_EQ(probe_data_rate(ProbeRates{}), 0.0);
    EXPECT_DOUBLE_EQ(probe_data_rate(ProbeRates{NAN, -1, 40e6, 0, {}}), 40e6);
    EXPECT_DOUBLE_EQ(probe_log_rate(ProbeRates{80e6, 500e6, 60e6, 0, {}}), 500e6);
}

TEST(Estimate, MeasuredAtProbeWithTheAssumedRatio)
{
    auto in = standalone(400'000'000, 0);
    in.estimate.probe = ProbeRates{200e6, 1e9, 100e6, 0.002, {}};
    in.estimate.defaults.data_probe_factor = 0.5;
    const auto plan = build_plan(in);
    const auto& data = op(plan, OperationId::CopyData);
    EXPECT_EQ(data.origin, RateOrigin::Measured);
    EXPECT_DOUBLE_EQ(data.probe_rate, 100e6);
    EXPECT_DOUBLE_EQ(data.rate, 50e6);
    EXPECT_EQ(data.estimated_seconds, 8u); // 400 MB at 50 MB/s, no assumed step added
    EXPECT_NE(data.basis.find("ratio assumed"), std::string::npos) << data.basis;
}

TEST(Estimate, EarlierJobsCorrectTheProbeMeasurement)
{
    auto in = standalone(400'000'000, 0);
    in.estimate.probe = ProbeRates{0, 0, 200e6, 0, {}};
    // Actual / Probe: 0.5, 0.25, 0.4 -> median 0.4, so 80 MB/s from
    // Probe; the same jobs' median rate 40 MB/s; their geometric mean
    // 56.6 MB/s. A sample without a Probe rate and another operation's
    // sample do not count.
    in.estimate.history.samples = {
        sample("copy-data", 100'000'000, 2.0, 100e6), sample("copy-data", 100'000'000, 4.0, 100e6),
        sample("copy-data", 100'000'000, 2.5, 100e6), sample("copy-data", 100'000'000, 100.0, 0),
        sample("copy-syslog", 100'000'000, 100.0, 100e6)};
    const auto plan = build_plan(in);
    const auto& data = op(plan, OperationId::CopyData);
    EXPECT_EQ(data.origin, RateOrigin::Measured);
    EXPECT_NEAR(data.rate, std::sqrt(80e6 * 40e6), 1);
    EXPECT_EQ(data.estimated_seconds, 7u);
    EXPECT_NE(data.basis.find("times 0.40"), std::string::npos) << data.basis;
    EXPECT_NE(data.basis.find("median rate 40 MB/s"), std::string::npos) << data.basis;
    EXPECT_NE(data.basis.find("3 earlier jobs"), std::string::npos) << data.basis;
}

TEST(Estimate, EarlierJobsAloneWhenProbeMeasuredNothing)
{
    auto in = standalone(300'000'000, 64'000'000);
    in.estimate.history.samples = {
        sample("copy-data", 100'000'000, 1.0), sample("copy-data", 100'000'000, 4.0),
        sample("copy-data", 100'000'000, 2.0), sample("copy-syslog", 64'000'000, 0.5)};
    const auto plan = build_plan(in);
    EXPECT_EQ(op(plan, OperationId::CopyData).origin, RateOrigin::EarlierJobs);
    EXPECT_EQ(op(plan, OperationId::CopyData).estimated_seconds, 6u); // 50 MB/s median
    EXPECT_EQ(op(plan, OperationId::CopySyslog).origin, RateOrigin::EarlierJobs);
    EXPECT_EQ(op(plan, OperationId::CopySyslog).estimated_seconds, 1u); // 0.5 s, rounded
}

TEST(Estimate, FixedOperationsTakeTheMedianOfEarlierJobs)
{
    auto in = standalone(0, 0);
    in.estimate.history.samples = {sample("restart-services", 0, 0.2),
                                   sample("restart-services", 0, 0.4), sample("final", 0, 2.6),
                                   sample("final", 0, 3.0), sample("final", 0, 9.0)};
    const auto plan = build_plan(in);
    // Nearest second: ten sub-second operations must not add up to ten.
    EXPECT_EQ(op(plan, OperationId::RestartServices).estimated_seconds, 0u);
    EXPECT_EQ(op(plan, OperationId::RestartServices).origin, RateOrigin::EarlierJobs);
    EXPECT_EQ(op(plan, OperationId::Final).estimated_seconds, 3u);
    EXPECT_EQ(op(plan, OperationId::ModifySource).origin, RateOrigin::Default);
    EXPECT_EQ(op(plan, OperationId::ModifySource).estimated_seconds, 5u);
    const auto text = estimate_summary(plan);
    EXPECT_NE(text.find("Restart the services: 0 s (earlier-jobs"), std::string::npos) << text;
    EXPECT_NE(text.find("(default;"), std::string::npos) << text;
    EXPECT_EQ(text.find("Reboot"), std::string::npos) << "operations that do not run are left out";
}

TEST(Estimate, Median)
{
    EXPECT_DOUBLE_EQ(median({}), 0.0);
    EXPECT_DOUBLE_EQ(median({3}), 3.0);
    EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
    EXPECT_DOUBLE_EQ(median({NAN, 1, 5}), 3.0);
}

namespace {

JobRecord finished_job()
{
    auto in = standalone(1000, 64);
    SourceIdentity src;
    src.data_bytes = 1000;
    src.log_bytes = 64;
    JobRecord job = new_job("0123456789abcdef", in.options, build_plan(in), src, TargetIdentity{},
                            "boot", 1'000'000);
    // copy-data's step counts the data without indexes: its total is not
    // the plan's bytes.
    find_operation(job, OperationId::CopyData)->bytes_total = 600;
    uint64_t t = 2'000'000;
    for (auto id : all_operations()) {
        auto* o = find_operation(job, id);
        if (o->state == OpState::Skipped)
            continue;
        set_operation_state(job, id, OpState::Running, t);
        t += 1'500'000;
        set_operation_state(job, id, OpState::Done, t);
    }
    succeed_job(job, t);
    return job;
}

} // namespace

TEST(Measurements, AJobAddsItsOperationsWithTheProbeRates)
{
    const auto job = finished_job();
    std::vector<double> probe(kOperationCount, 0.0);
    probe[static_cast<std::size_t>(OperationId::CopyData)] = 42e6;
    Measurements m;
    add_job(m, job, probe);
    const auto data = samples_of(m, "copy-data");
    ASSERT_EQ(data.size(), 1u);
    EXPECT_EQ(data[0].bytes, 1000u) << "the plan's bytes (data + indexes), not the step's";
    EXPECT_DOUBLE_EQ(data[0].seconds, 1.5);
    EXPECT_DOUBLE_EQ(data[0].probe_rate, 42e6);
    EXPECT_EQ(samples_of(m, "final").size(), 1u);
    EXPECT_TRUE(samples_of(m, "reboot").empty()) << "a skipped operation has no time";
}

TEST(Measurements, AnInterruptedOperationIsLeftOut)
{
    auto in = standalone(1000, 0);
    JobRecord job = new_job("0123456789abcdef", in.options, build_plan(in), SourceIdentity{},
                            TargetIdentity{}, "boot", 1'000'000);
    set_operation_state(job, OperationId::CopySettings, OpState::Running, 2'000'000);
    resume_job(job, "other-boot", 3'000'000); // a crash: back to pending
    set_operation_state(job, OperationId::CopySettings, OpState::Running, 4'000'000);
    set_operation_state(job, OperationId::CopySettings, OpState::Done, 5'000'000);
    set_operation_state(job, OperationId::SourceMaintenance, OpState::Running, 5'000'000);
    set_operation_state(job, OperationId::SourceMaintenance, OpState::Done, 6'000'000);
    Measurements m;
    add_job(m, job, {});
    EXPECT_TRUE(samples_of(m, "copy-settings").empty());
    EXPECT_EQ(samples_of(m, "source-maintenance").size(), 1u);
}

TEST(Measurements, KeepsTheNewestPerOperation)
{
    Measurements m;
    for (int i = 0; i < 20; ++i)
        add_job(m, finished_job(), {});
    EXPECT_EQ(samples_of(m, "copy-data").size(), kMaxSamplesPerOperation);
    EXPECT_LE(m.samples.size(), kMaxSamplesPerOperation * kOperationCount);
}

TEST(Measurements, RoundTrip)
{
    Measurements m;
    m.samples = {sample("copy-data", 123, 4.5, 6e7), sample("final", 0, 0.25)};
    auto back = parse_measurements(serialize_measurements(m));
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_EQ(back->samples.size(), 2u);
    EXPECT_EQ(back->samples[0].operation, "copy-data");
    EXPECT_EQ(back->samples[0].bytes, 123u);
    EXPECT_DOUBLE_EQ(back->samples[0].seconds, 4.5);
    EXPECT_DOUBLE_EQ(back->samples[0].probe_rate, 6e7);
    EXPECT_DOUBLE_EQ(back->samples[1].seconds, 0.25);
}

TEST(Measurements, DamagedFilesAreRefusedWithANamedError)
{
    const char* bad[] = {
        "",
        "[]",
        "{\"version\": 2, \"samples\": []}",
        "{\"version\": 1}",
        "{\"version\": 1, \"samples\": {}}",
        "{\"version\": 1, \"samples\": [{\"operation\": \"copy-everything\", \"bytes\": 1, "
        "\"seconds\": 1, \"probe_bytes_per_second\": 0, \"at_usec\": 1}]}",
        "{\"version\": 1, \"samples\": [{\"operation\": \"final\", \"bytes\": -1, "
        "\"seconds\": 1, \"probe_bytes_per_second\": 0, \"at_usec\": 1}]}",
        "{\"version\": 1, \"samples\": [{\"operation\": \"final\", \"bytes\": 1, "
        "\"seconds\": -3, \"probe_bytes_per_second\": 0, \"at_usec\": 1}]}",
        "{\"version\": 1, \"samples\": [{\"operation\": \"final\", \"bytes\": 1, "
        "\"seconds\": \"3\", \"probe_bytes_per_second\": 0, \"at_usec\": 1}]}",
        "{\"version\": 1, \"samples\": [{\"operation\": \"final\", \"bytes\": 1, "
        "\"seconds\": 1e999, \"probe_bytes_per_second\": 0, \"at_usec\": 1}]}",
    };
    for (const char* text : bad) {
        auto m = parse_measurements(text);
        ASSERT_FALSE(m.ok()) << text;
        EXPECT_EQ(m.error().code, Code::InvalidArgument);
        EXPECT_NE(m.error().message.find("earlier jobs"), std::string::npos);
    }
    EXPECT_FALSE(parse_measurements(std::string(kMaxMeasurementsBytes + 1, ' ')).ok());
}

TEST(Measurements, APreCopyOfTheLogsCountsAsTheLogsAndNotAsTheData)
{
    PlanInput in = standalone(1000, 64);
    in.path_input.enabled = true;
    in.path_input.peer_offers_replica = true;
    in.path_input.source_log_bin = true;
    in.path_input.binlog_retention_seconds = 0;
    SourceIdentity src;
    src.data_bytes = 1000;
    src.log_bytes = 64;
    JobRecord job = new_job("0123456789abcdef", in.options, build_plan(in), src, TargetIdentity{},
                            "boot", 1'000'000);
    ASSERT_TRUE(copied_while_serving(job));
    uint64_t t = 2'000'000;
    for (auto id : all_operations()) {
        if (find_operation(job, id)->state == OpState::Skipped)
            continue;
        set_operation_state(job, id, OpState::Running, t);
        t += id == OperationId::PreCopyData ? 10'000'000 : 1'000'000;
        set_operation_state(job, id, OpState::Done, t);
    }
    find_operation(job, OperationId::PreCopyData)->checkpoint = {
        {"copied", true}, {"logs", {{"complete", true}, {"seconds", 4.0}, {"bytes", 64}}}};
    succeed_job(job, t);
    Measurements m;
    add_job(m, job, {});
    const auto pre = samples_of(m, "pre-copy-data");
    ASSERT_EQ(pre.size(), 1u);
    EXPECT_DOUBLE_EQ(pre[0].seconds, 6.0) << "10 s less the logs' 4 s";
    const auto logs = samples_of(m, "copy-syslog");
    ASSERT_EQ(logs.size(), 1u) << "the pre-copy's download, not operation 10's catch-up";
    EXPECT_DOUBLE_EQ(logs[0].seconds, 4.0);
    EXPECT_EQ(logs[0].bytes, 64u);
    EXPECT_TRUE(samples_of(m, "copy-data").empty());
}
