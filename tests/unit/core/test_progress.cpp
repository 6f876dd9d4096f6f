#include <gtest/gtest.h>

#include "core/progress.hpp"

using namespace ferry::core;
using namespace std::chrono_literals;

namespace {

OperationRecord op(OpState state, uint64_t done, uint64_t total, uint64_t estimate, double eta = -1)
{
    OperationRecord o;
    o.state = state;
    o.bytes_done = done;
    o.bytes_total = total;
    o.estimated_seconds = estimate;
    o.eta_seconds = eta;
    return o;
}

JobRecord job_of(std::vector<OperationRecord> ops)
{
    JobRecord j;
    j.state = JobState::Running;
    j.operations = std::move(ops);
    return j;
}

} // namespace

TEST(Progress, OperationFraction)
{
    EXPECT_DOUBLE_EQ(operation_fraction(op(OpState::Done, 0, 0, 5)), 1.0);
    EXPECT_DOUBLE_EQ(operation_fraction(op(OpState::Running, 10, 0, 5)), 0.0);
    EXPECT_DOUBLE_EQ(operation_fraction(op(OpState::Running, 25, 100, 5)), 0.25);
    // A step that counted past its total shows 1, not more.
    EXPECT_DOUBLE_EQ(operation_fraction(op(OpState::Running, 150, 100, 5)), 1.0);
}

TEST(Progress, OperationRemainingSeconds)
{
    EXPECT_EQ(operation_remaining_seconds(op(OpState::Done, 0, 100, 50)), 0u);
    EXPECT_EQ(operation_remaining_seconds(op(OpState::Skipped, 0, 100, 50)), 0u);
    EXPECT_EQ(operation_remaining_seconds(op(OpState::Pending, 0, 100, 50)), 50u);
    // Measured while running: rounded up.
    EXPECT_EQ(operation_remaining_seconds(op(OpState::Running, 10, 100, 50, 7.2)), 8u);
    // No measurement yet: the plan's share that is left, rounded up.
    EXPECT_EQ(operation_remaining_seconds(op(OpState::Running, 25, 100, 50)), 38u);
    EXPECT_EQ(operation_remaining_seconds(op(OpState::Running, 0, 100, 50)), 50u);
    EXPECT_EQ(operation_remaining_seconds(op(OpState::Running, 5, 0, 50)), 50u);
    // A failed operation keeps its estimate (Resume runs it again).
    EXPECT_EQ(operation_remaining_seconds(op(OpState::Failed, 0, 0, 12)), 12u);
}

TEST(Progress, JobRemainingSecondsIsTheSumUntilFinished)
{
    auto j = job_of({op(OpState::Done, 1, 1, 10), op(OpState::Running, 50, 100, 20, 4.5),
                     op(OpState::Pending, 0, 0, 30), op(OpState::Skipped, 0, 0, 99)});
    EXPECT_EQ(remaining_seconds(j), 35u);
    j.state = JobState::Failed;
    EXPECT_EQ(remaining_seconds(j), 0u);
}

TEST(Progress, OverallIsWeightedByEstimates)
{
    auto j = job_of({op(OpState::Done, 0, 0, 10), op(OpState::Running, 50, 100, 20),
                     op(OpState::Pending, 0, 0, 0), op(OpState::Skipped, 0, 0, 1000)});
    // (10 + 20 * 0.5 + 0) / (10 + 20 + 1): an operation without an
    // estimate weighs 1 s, a skipped one nothing.
    EXPECT_DOUBLE_EQ(overall_progress(j), 20.0 / 31.0);
    EXPECT_DOUBLE_EQ(running_fraction(j), 0.5);
    EXPECT_DOUBLE_EQ(overall_progress(job_of({})), 0.0);
    EXPECT_DOUBLE_EQ(running_fraction(job_of({op(OpState::Done, 0, 0, 1)})), 0.0);
}

TEST(Progress, ThrottleTellsProgressAtMostOncePerInterval)
{
    ProgressThrottle t(0.0);
    const ProgressThrottle::TimePoint t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(t.update_due(t0));
    EXPECT_FALSE(t.update_due(t0 + 100ms));
    EXPECT_FALSE(t.update_due(t0 + 249ms));
    EXPECT_TRUE(t.update_due(t0 + 250ms));
    // A state change told the front ends at 300 ms: the next progress
    // alone waits its interval from there.
    t.updated(t0 + 300ms);
    EXPECT_FALSE(t.update_due(t0 + 500ms));
    EXPECT_TRUE(t.update_due(t0 + 550ms));
}

TEST(Progress, ThrottleSignalsOnlyMovesOfEpsilon)
{
    ProgressThrottle t(0.5);
    const ProgressThrottle::TimePoint t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(t.signal_due(0.5, t0));
    EXPECT_FALSE(t.signal_due(0.5009, t0));
    EXPECT_TRUE(t.signal_due(0.502, t0));
    // Moved, but within the interval of the last signal: held back, and
    // not sent later by itself.
    EXPECT_FALSE(t.signal_due(0.6, t0 + 200ms));
    EXPECT_TRUE(t.signal_due(0.6, t0 + 250ms));
    // Measured from the last figure signalled, backwards too.
    EXPECT_FALSE(t.signal_due(0.6005, t0 + 1s));
    EXPECT_TRUE(t.signal_due(0.59, t0 + 1s));
}
