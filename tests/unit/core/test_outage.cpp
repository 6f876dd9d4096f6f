// The hotspot's unavailable time from the plan (core/outage.hpp): which
// operations count, the HA case, and the sentence the plan shows. The plans
// are built by build_plan with fixed figures, the expectations written out.
#include <gtest/gtest.h>

#include "core/outage.hpp"
#include "core/plan.hpp"

using namespace ferry::core;

namespace {

// A plan whose every running operation has `seconds` of estimate except
// the named ones.
std::vector<PlannedOperation> plan_with(bool ha, bool swap, bool logs,
                                        std::vector<std::pair<OperationId, uint64_t>> times,
                                        uint64_t seconds = 1)
{
    PlanInput in;
    in.options = Options{swap, false, logs};
    in.high_availability = ha;
    auto plan = build_plan(in);
    for (auto& op : plan) {
        op.estimated_seconds = op.runs ? seconds : 0;
        for (const auto& [id, s] : times)
            if (op.id == id && op.runs)
                op.estimated_seconds = s;
    }
    return plan;
}

TEST(Outage, StandaloneCountsFromMaintenanceToRestartedServices)
{
    // Running: copy-settings 3, source-maintenance 1, copy-data 50,
    // modify-source 1, update-certificates 1, restart-services 4,
    // copy-syslog 20, final 2. Window: 1 + 50 + 1 + 1 + 4 = 57.
    const auto plan = plan_with(false, false, true,
                                {{OperationId::CopySettings, 3},
                                 {OperationId::CopyData, 50},
                                 {OperationId::RestartServices, 4},
                                 {OperationId::CopySyslog, 20},
                                 {OperationId::Final, 2}});
    const auto o = plan_outage(plan, false);
    EXPECT_EQ(o.seconds, 57u);
    EXPECT_EQ(o.data_seconds, 50u);
    EXPECT_EQ(o.total_seconds, 82u);
    EXPECT_FALSE(o.ring_keeps_serving);
}

TEST(Outage, SwapAddsTheReboot)
{
    const auto plan = plan_with(false, true, false, {{OperationId::Reboot, 90}});
    // source-maintenance, copy-data, modify-source, reboot 90,
    // update-certificates, restart-services: 5 x 1 + 90.
    EXPECT_EQ(plan_outage(plan, false).seconds, 95u);
}

TEST(Outage, HaRingKeepsServingAndTheCopyIsTheReplicaOne)
{
    const auto plan = plan_with(true, true, false, {{OperationId::CopyDataActivateReplica, 40}});
    const auto o = plan_outage(plan, true);
    EXPECT_TRUE(o.ring_keeps_serving);
    EXPECT_EQ(o.data_seconds, 40u);
    // source-maintenance, deactivate-replica, modify-source, reboot,
    // copy-data-activate-replica 40, update-certificates, restart-services.
    EXPECT_EQ(o.seconds, 46u);
}

TEST(Outage, SummarySaysTheWindowTheTotalAndWhyItGrows)
{
    const auto plan = plan_with(false, false, false,
                                {{OperationId::CopyData, 75}, {OperationId::CopySettings, 10}});
    const auto s = outage_summary(plan_outage(plan, false), plan);
    EXPECT_NE(s.find("Guests cannot log in for about 1 min 19 s of the job's 1 min 30 s"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("Copy data 1 min 15 s"), std::string::npos) << s;
    EXPECT_NE(s.find("grows with the data"), std::string::npos) << s;
    EXPECT_EQ(s.find("Copy the System Settings"), std::string::npos) << s; // before the window
}

TEST(Outage, SummaryForHaNamesTheRing)
{
    const auto plan = plan_with(true, true, false, {});
    const auto s = outage_summary(plan_outage(plan, true), plan);
    EXPECT_NE(s.find("The other nodes of the replication ring keep serving guests"),
              std::string::npos)
        << s;
    EXPECT_EQ(s.find("Guests cannot log in"), std::string::npos) << s;
}

} // namespace
