// Which way the data is copied (core/data_path.hpp) and what the plan
// makes of it: pre-copy-data runs with the data's bytes, copy-data becomes
// the catch-up (no bytes), and the outage no longer holds the copy.
#include <gtest/gtest.h>

#include "core/data_path.hpp"
#include "core/outage.hpp"
#include "core/plan.hpp"

using namespace ferry::core;

namespace {

DataPathInput serving_source()
{
    DataPathInput in;
    in.enabled = true;
    in.peer_offers_replica = true;
    in.source_log_bin = true;
    in.binlog_retention_seconds = 0; // never purged automatically
    in.copy_seconds = 600;
    return in;
}

const PlannedOperation& op(const std::vector<PlannedOperation>& plan, OperationId id)
{
    for (const auto& o : plan)
        if (o.id == id)
            return o;
    throw std::logic_error("no such operation");
}

} // namespace

TEST(DataPath, ASourceWithABinaryLogIsCopiedWhileItServes)
{
    const auto p = decide_data_path(serving_source());
    EXPECT_TRUE(p.copy_while_serving);
    EXPECT_NE(p.reason.find("while the source still serves"), std::string::npos) << p.reason;
}

TEST(DataPath, EachReasonForTheCopyUnderMaintenance)
{
    auto in = serving_source();
    in.high_availability = true;
    EXPECT_FALSE(decide_data_path(in).copy_while_serving);
    EXPECT_NE(decide_data_path(in).reason.find("replication ring"), std::string::npos);

    in = serving_source();
    in.enabled = false;
    EXPECT_FALSE(decide_data_path(in).copy_while_serving);
    EXPECT_NE(decide_data_path(in).reason.find("CopyWhileServing=no"), std::string::npos);

    in = serving_source();
    in.peer_offers_replica = false;
    EXPECT_FALSE(decide_data_path(in).copy_while_serving);
    EXPECT_NE(decide_data_path(in).reason.find("earlier version"), std::string::npos);

    in = serving_source();
    in.source_log_bin = false;
    const auto no_log = decide_data_path(in);
    EXPECT_FALSE(no_log.copy_while_serving);
    // The choice offered, with its cost.
    EXPECT_NE(no_log.reason.find("writes no binary log"), std::string::npos) << no_log.reason;
    EXPECT_NE(no_log.reason.find("log_bin"), std::string::npos);
    EXPECT_NE(no_log.reason.find("grows with the data"), std::string::npos);
}

TEST(DataPath, TheBinaryLogMustOutlastTheCopy)
{
    auto in = serving_source();
    in.copy_seconds = 2000;
    in.binlog_retention_seconds = 3999; // less than twice the copy
    const auto p = decide_data_path(in);
    EXPECT_FALSE(p.copy_while_serving);
    EXPECT_NE(p.reason.find("1 h"), std::string::npos) << p.reason;
    in.binlog_retention_seconds = 4000;
    EXPECT_TRUE(decide_data_path(in).copy_while_serving);
    // An hour at least, however short the copy.
    in.copy_seconds = 10;
    in.binlog_retention_seconds = 3599;
    EXPECT_FALSE(decide_data_path(in).copy_while_serving);
    in.binlog_retention_seconds = 10 * 86400; // expire_logs_days=10
    EXPECT_TRUE(decide_data_path(in).copy_while_serving);
    // An older peer that does not say: not held against the source.
    in.binlog_retention_seconds.reset();
    EXPECT_TRUE(decide_data_path(in).copy_while_serving);
}

TEST(DataPath, ThePlanCopiesFirstAndCatchesUpInTheOutage)
{
    PlanInput in;
    in.options = Options{false, false, false};
    in.data_bytes = 3'000'000'000;
    in.path_input = serving_source();
    const auto plan = build_plan(in);
    ASSERT_EQ(plan.size(), kOperationCount);
    EXPECT_EQ(plan.front().id, OperationId::PreCopyData);
    EXPECT_EQ(plan.front().key, "pre-copy-data");
    EXPECT_TRUE(op(plan, OperationId::PreCopyData).runs);
    EXPECT_EQ(op(plan, OperationId::PreCopyData).bytes, in.data_bytes);
    const auto& catch_up = op(plan, OperationId::CopyData);
    EXPECT_TRUE(catch_up.runs);
    EXPECT_EQ(catch_up.bytes, 0u);
    EXPECT_NE(catch_up.detail.find("changed on the source since the copy"), std::string::npos);
    // The catch-up's estimate does not grow with the data; the copy's does.
    EXPECT_LT(catch_up.estimated_seconds, op(plan, OperationId::PreCopyData).estimated_seconds);

    const auto path = plan_data_path(in);
    const auto o = plan_outage(plan, false);
    EXPECT_EQ(o.data_seconds, 0u);
    EXPECT_LT(o.seconds,
              o.total_seconds - op(plan, OperationId::PreCopyData).estimated_seconds + 1);
    const auto text = outage_summary(o, plan, path.reason);
    EXPECT_EQ(text.find("grows with the data"), std::string::npos) << text;
    EXPECT_NE(text.find("while the source still serves"), std::string::npos) << text;
}

TEST(DataPath, WithoutABinaryLogThePlanIsTheManuals)
{
    PlanInput in;
    in.options = Options{false, false, false};
    in.data_bytes = 3'000'000'000;
    in.path_input = serving_source();
    in.path_input.source_log_bin = false;
    const auto plan = build_plan(in);
    EXPECT_FALSE(op(plan, OperationId::PreCopyData).runs);
    EXPECT_EQ(op(plan, OperationId::PreCopyData).estimated_seconds, 0u);
    EXPECT_EQ(op(plan, OperationId::CopyData).bytes, in.data_bytes);
    const auto o = plan_outage(plan, false);
    EXPECT_GT(o.data_seconds, 0u);
    const auto text = outage_summary(o, plan, plan_data_path(in).reason);
    EXPECT_NE(text.find("grows with the data"), std::string::npos) << text;
    EXPECT_NE(text.find("writes no binary log"), std::string::npos) << text;
}

TEST(DataPath, TheLogsAreCopiedWhileTheSourceServesToo)
{
    PlanInput in;
    in.options = Options{false, false, true};
    in.data_bytes = 3'000'000'000;
    in.log_bytes = 2'000'000'000;
    in.path_input = serving_source();
    const auto plan = build_plan(in);
    PlanInput without_logs = in;
    without_logs.options.logs = false;
    const auto data_only = build_plan(without_logs);
    const auto& pre = op(plan, OperationId::PreCopyData);
    EXPECT_EQ(pre.bytes, in.data_bytes + in.log_bytes);
    // The logs' download is added to the data copy's time...
    EXPECT_GT(pre.estimated_seconds, op(data_only, OperationId::PreCopyData).estimated_seconds);
    EXPECT_NE(pre.basis.find("then the user-traffic logs"), std::string::npos) << pre.basis;
    // ...and taken out of operation 10, which only catches up.
    const auto& logs = op(plan, OperationId::CopySyslog);
    EXPECT_TRUE(logs.runs);
    EXPECT_LT(logs.estimated_seconds, 10u);
    EXPECT_NE(logs.basis.find("appended or rotated since"), std::string::npos) << logs.basis;

    // Without the pre-copy, operation 10 downloads them all.
    in.path_input.source_log_bin = false;
    const auto manual = build_plan(in);
    EXPECT_EQ(op(manual, OperationId::CopySyslog).bytes, in.log_bytes);
    EXPECT_GT(op(manual, OperationId::CopySyslog).estimated_seconds, 10u);
}
