// A job's progress as the front ends see it, and how often they are told.
// The figures of the Job object (docs/dbus-api.md): each operation's
// fraction and remaining time, the job's remaining time and its overall
// fraction. Pure: the caller passes the time.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/job.hpp"

namespace ferry::core {

// bytes_done / bytes_total; 1 when done, 0 when nothing is counted.
double operation_fraction(const OperationRecord& op);

// Seconds left: 0 once done or skipped; while running, the measured
// estimate (eta_seconds) when there is one; else the planned estimate,
// less the share already counted.
uint64_t operation_remaining_seconds(const OperationRecord& op);

// The sum over the operations; 0 once the job finished.
uint64_t remaining_seconds(const JobRecord& job);

// Weighted overall fraction: each operation weighs its estimate (at least
// 1 s), skipped ones nothing.
double overall_progress(const JobRecord& job);

// The fraction of the running operation; 0 when none runs.
double running_fraction(const JobRecord& job);

// The one rate limit on what front ends are told of progress (the Job
// object's PropertiesChanged and Progress signal). A change of the job's
// state or events is always told at once; progress alone at most once per
// kInterval, and the Progress signal only when the figure moved by
// kEpsilon since the last one. A change held back is not sent later: the
// properties are authoritative.
class ProgressThrottle {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    static constexpr std::chrono::milliseconds kInterval{250}; // at most 4 per second
    static constexpr double kEpsilon = 0.001;

    // `progress` is the figure the front ends have already.
    explicit ProgressThrottle(double progress) : signalled_(progress) {}

    // Progress alone changed at `now`: whether the properties are told.
    bool update_due(TimePoint now);
    // The properties were told at `now` anyway (a state change or event).
    void updated(TimePoint now) { updated_ = now; }
    // Whether the Progress signal carries `progress` at `now`.
    bool signal_due(double progress, TimePoint now);

  private:
    TimePoint updated_{};
    TimePoint signalled_at_{};
    double signalled_;
};

} // namespace ferry::core
