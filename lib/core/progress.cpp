#include "core/progress.hpp"

#include <algorithm>
#include <cmath>

namespace ferry::core {
namespace {

double counted_fraction(const OperationRecord& op)
{
    return static_cast<double>(std::min(op.bytes_done, op.bytes_total)) /
           static_cast<double>(op.bytes_total);
}

} // namespace

double operation_fraction(const OperationRecord& op)
{
    if (op.state == OpState::Done)
        return 1.0;
    if (op.bytes_total == 0)
        return 0.0;
    return counted_fraction(op);
}

uint64_t operation_remaining_seconds(const OperationRecord& op)
{
    if (op.state == OpState::Done || op.state == OpState::Skipped)
        return 0;
    if (op.state == OpState::Running && op.eta_seconds >= 0)
        return static_cast<uint64_t>(std::ceil(op.eta_seconds)); // measured
    if (op.bytes_total == 0 || op.bytes_done == 0)
        return op.estimated_seconds;
    return static_cast<uint64_t>(
        std::ceil((1.0 - counted_fraction(op)) * static_cast<double>(op.estimated_seconds)));
}

uint64_t remaining_seconds(const JobRecord& job)
{
    if (is_finished(job.state))
        return 0;
    uint64_t s = 0;
    for (const auto& op : job.operations)
        s += operation_remaining_seconds(op);
    return s;
}

double overall_progress(const JobRecord& job)
{
    double total = 0, done = 0;
    for (const auto& op : job.operations) {
        if (op.state == OpState::Skipped)
            continue;
        const double w = static_cast<double>(std::max<uint64_t>(op.estimated_seconds, 1));
        total += w;
        if (op.state == OpState::Done)
            done += w;
        else if (op.bytes_total > 0)
            done += w * counted_fraction(op);
    }
    return total > 0 ? done / total : 0.0;
}

double running_fraction(const JobRecord& job)
{
    double f = 0.0;
    for (const auto& op : job.operations)
        if (op.state == OpState::Running)
            f = operation_fraction(op);
    return f;
}

bool ProgressThrottle::update_due(TimePoint now)
{
    if (now - updated_ < kInterval)
        return false;
    updated_ = now;
    return true;
}

bool ProgressThrottle::signal_due(double progress, TimePoint now)
{
    if (std::abs(progress - signalled_) < kEpsilon || now - signalled_at_ < kInterval)
        return false;
    signalled_ = progress;
    signalled_at_ = now;
    return true;
}

} // namespace ferry::core
