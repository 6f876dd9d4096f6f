// Remaining-time estimate for a byte copy. Pure logic: the caller passes the
// time in, so the estimator is deterministic and testable without clocks.
//
// Before anything is measured the estimate comes from an assumed rate (the
// plan's RateAssumptions); as samples arrive it moves smoothly to the rate
// measured over a moving window. The reported value may fall freely but
// rises only in small steps, because a countdown that jumps back up reads
// as broken to the person watching it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace ferry::core {

struct EtaConfig {
    double window_seconds = 10.0;    // moving window for the measured rate
    double max_rise_fraction = 0.02; // a single update may raise the estimate by at most this
                                     // fraction of the total estimated duration
    // The rate never falls below this fraction of the seed rate, so a stall
    // longer than the window still yields a finite (if large) estimate.
    double min_rate_fraction = 0.01;
    // Samples closer together than window_seconds / max_window_samples are
    // merged, which bounds the sample memory however often update() is called.
    std::size_t max_window_samples = 256;
};

class EtaEstimator {
  public:
    // total_bytes: the byte total measured at Probe; seed_rate: bytes/second
    // assumed before any measurement (> 0; anything else is replaced by 1).
    EtaEstimator(uint64_t total_bytes, double seed_rate, EtaConfig cfg = {});

    // now_seconds: monotonic seconds (any origin, non-decreasing); bytes_done:
    // cumulative, non-decreasing. Values going backwards are clamped to the
    // largest seen so far.
    void update(double now_seconds, uint64_t bytes_done);
    // Totals can be refined while running. A larger total raises the
    // estimate within the same per-step limit as update().
    void set_total(uint64_t total_bytes);

    double remaining_seconds() const; // >= 0; 0 when done
    double fraction() const;          // 0..1
    double rate() const;              // current blended bytes/second used for the estimate
    uint64_t total_bytes() const;
    uint64_t bytes_done() const;
    const EtaConfig& config() const { return cfg_; }

    // Samples currently held for the moving window (bounded; for tests).
    std::size_t sample_count() const;
    // Upper bound on sample_count() for this configuration.
    std::size_t sample_capacity() const;

  private:
    struct Sample {
        double time;
        uint64_t bytes;
    };

    uint64_t bytes_left() const;
    double blended_rate(double now) const;
    // Recomputes the estimate at now and applies the rise limit.
    void refresh(double now);

    EtaConfig cfg_;
    uint64_t total_;
    double seed_rate_;
    uint64_t done_ = 0;
    bool started_ = false;
    double start_time_ = 0.0; // the first update's time: the origin of "elapsed"
    double last_time_ = 0.0;
    std::deque<Sample> samples_; // oldest first; front is the window's anchor
    double rate_;
    double remaining_;
};

} // namespace ferry::core
