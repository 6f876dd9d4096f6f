// core/fixed_costs (issue 17): a machine's FIRST job estimates the
// operations that move no bytes from measurements that exist before it:
// restart-services from what systemd recorded about each service's last
// start and stop, the remote steps from their requests times the round
// trip Probe measured; the stated fallbacks only where there is no record.
#include <gtest/gtest.h>

#include "core/fixed_costs.hpp"
#include "core/plan.hpp"

using namespace ferry::core;

namespace {

constexpr uint64_t kSec = 1'000'000;

// A unit stopped at `at` for `stop` s, then started for `start` s.
UnitTimestamps restarted(const char* unit, double stop, double start, uint64_t at = 500 * kSec)
{
    const uint64_t stopped = at + uint64_t(stop * kSec);
    return {unit, stopped, stopped + uint64_t(start * kSec), at, stopped, {}};
}

// Started once at boot, never stopped since: ActiveExit 0.
UnitTimestamps started_at_boot(const char* unit, double start)
{
    return {unit, 3 * kSec, 3 * kSec + uint64_t(start * kSec), 0, 0, {}};
}

PlanInput first_job(double rtt)
{
    PlanInput in;
    in.options = Options{false, false, false};
    in.data_bytes = 0;
    in.settings_bytes = 40'000;
    in.estimate.probe.round_trip = rtt;
    in.estimate.probe.link = 100e6;
    in.estimate.services_measured = true;
    return in;
}

const PlannedOperation& op(const std::vector<PlannedOperation>& plan, OperationId id)
{
    return plan[static_cast<std::size_t>(id)];
}

} // namespace

TEST(UnitRestartRecord, FinishedStartAndStop)
{
    const auto r = unit_restart_record(restarted("a.service", 1.5, 4.25));
    ASSERT_TRUE(r.start_seconds && r.stop_seconds);
    EXPECT_DOUBLE_EQ(*r.start_seconds, 4.25);
    EXPECT_DOUBLE_EQ(*r.stop_seconds, 1.5);
}

TEST(UnitRestartRecord, WhatSystemdHasNoRecordOfIsUnknown)
{
    const auto boot = unit_restart_record(started_at_boot("a.service", 2.0));
    EXPECT_DOUBLE_EQ(boot.start_seconds.value_or(-1), 2.0);
    EXPECT_FALSE(boot.stop_seconds) << "never stopped since boot";
    EXPECT_FALSE(unit_restart_record({"a.service", 0, 0, 0, 0, {}}).start_seconds)
        << "never started";
    // Starting now: the start began after the last time it became active.
    auto starting = restarted("a.service", 1, 2);
    starting.inactive_exit = starting.active_enter + kSec;
    EXPECT_FALSE(unit_restart_record(starting).start_seconds);
    auto stuck = restarted("a.service", 1, 2);
    stuck.active_enter = stuck.inactive_exit + 2 * 3600 * kSec;
    EXPECT_FALSE(unit_restart_record(stuck).start_seconds) << "two hours is no start";
    auto unread = restarted("a.service", 1, 2);
    unread.error = "no such unit";
    EXPECT_FALSE(unit_restart_record(unread).start_seconds);
}

TEST(RestartServicesEstimate, SumsTheRecordsAndStatesTheFallbacks)
{
    const auto e = restart_services_estimate({restarted("portal.service", 0.5, 3.0),
                                              started_at_boot("radius.service", 1.25),
                                              {"gone.service", 0, 0, 0, 0, "Unknown object"}});
    // 0.5 + 3 + (1.25 + 1 assumed stop) + (10 + 1 assumed)
    EXPECT_DOUBLE_EQ(e.seconds, 16.75);
    EXPECT_NE(e.basis.find("portal.service 3.0 s to start and 0.5 s to stop"), std::string::npos)
        << e.basis;
    EXPECT_NE(e.basis.find("radius.service 1.2 s to start and 1.0 s to stop (assumed)"),
              std::string::npos)
        << e.basis;
    EXPECT_NE(e.basis.find("no record of gone.service 10.0 s to start (assumed)"),
              std::string::npos)
        << e.basis;
    EXPECT_DOUBLE_EQ(restart_services_estimate({}).seconds, 0.0);
}

TEST(RemoteRequests, CountedPerOptions)
{
    EXPECT_EQ(remote_requests(OperationId::Final, {}), 2u); // account, finish
    // round-robin restore, license, maintenance off, account, finish, the Main's finish
    EXPECT_EQ(remote_requests(OperationId::Final, {true, true, true}), 6u);
    EXPECT_EQ(remote_requests(OperationId::ModifySource, {false, true, false}), 2u);
    EXPECT_EQ(remote_requests(OperationId::CopyData, {}), 0u);
}

TEST(FirstJob, TheRigsSubSecondStepsAreNotFortyFiveSeconds)
{
    // The rig: a 3 ms round trip, services the systemd test double
    // restarts in no time. The old rule said 5 s per remote step and 20 s
    // for the services (45 s for this plan); the job took 0.3 s for them.
    auto in = first_job(0.003);
    in.estimate.services = {restarted("portal.service", 0, 0), restarted("radius.service", 0, 0)};
    const auto plan = build_plan(in);
    uint64_t fixed = 0;
    for (const auto& o : plan)
        if (o.runs && o.bytes == 0)
            fixed += o.estimated_seconds;
    EXPECT_EQ(fixed, 0u);
    const auto& maint = op(plan, OperationId::SourceMaintenance);
    EXPECT_EQ(maint.origin, RateOrigin::Measured);
    EXPECT_NE(maint.basis.find("1 request to the source at the 3.0 ms round trip"),
              std::string::npos)
        << maint.basis;
    EXPECT_EQ(op(plan, OperationId::RestartServices).origin, RateOrigin::Measured);
}

TEST(FirstJob, AnApplianceWithSlowServices)
{
    auto in = first_job(0.2); // a slow link: 200 ms per request
    in.estimate.services = {restarted("portal.service", 2.0, 6.0),
                            started_at_boot("radius.service", 3.0)};
    const auto plan = build_plan(in);
    EXPECT_EQ(op(plan, OperationId::RestartServices).estimated_seconds, 12u); // 2+6 + 3+1
    // Without Swap the source stops the same services: 2 s + 1 s assumed,
    // plus one request.
    EXPECT_EQ(op(plan, OperationId::ModifySource).estimated_seconds, 3u);
    EXPECT_NE(op(plan, OperationId::ModifySource).basis.find("for the source to stop its services"),
              std::string::npos);
    EXPECT_EQ(op(plan, OperationId::CopySettings).estimated_seconds, 0u); // 0.4 s + 40 kB
}

TEST(FirstJob, EarlierJobsStillWinAndNoRoundTripKeepsTheAssumption)
{
    auto in = first_job(0.003);
    in.estimate.services = {restarted("portal.service", 5, 5)};
    in.estimate.history.samples = {{"restart-services", 0, 0.2, 0, 1}};
    auto plan = build_plan(in);
    EXPECT_EQ(op(plan, OperationId::RestartServices).origin, RateOrigin::EarlierJobs);
    EXPECT_EQ(op(plan, OperationId::RestartServices).estimated_seconds, 0u);

    auto blind = first_job(0.0); // Probe could not time a request
    blind.estimate.services_measured = false;
    plan = build_plan(blind);
    EXPECT_EQ(op(plan, OperationId::Final).estimated_seconds, 5u);
    EXPECT_EQ(op(plan, OperationId::Final).origin, RateOrigin::Default);
    EXPECT_EQ(op(plan, OperationId::RestartServices).estimated_seconds, 20u);
}
