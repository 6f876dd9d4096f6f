#include "core/eta.hpp"

#include <algorithm>
#include <cmath>

namespace ferry::core {
namespace {

// A configuration that cannot divide by zero or run away, whatever the
// caller passed: the estimator is fed from settings files and must not
// crash or report NaN on a typo.
EtaConfig sanitized(EtaConfig cfg)
{
    if (!std::isfinite(cfg.window_seconds) || cfg.window_seconds <= 0.0)
        cfg.window_seconds = EtaConfig{}.window_seconds;
    if (!std::isfinite(cfg.max_rise_fraction) || cfg.max_rise_fraction < 0.0)
        cfg.max_rise_fraction = EtaConfig{}.max_rise_fraction;
    // The floor must stay positive, or a long stall would divide by zero.
    if (!std::isfinite(cfg.min_rate_fraction) || cfg.min_rate_fraction <= 0.0)
        cfg.min_rate_fraction = EtaConfig{}.min_rate_fraction;
    cfg.min_rate_fraction = std::min(cfg.min_rate_fraction, 1.0);
    cfg.max_window_samples = std::max<std::size_t>(cfg.max_window_samples, 1);
    return cfg;
}

double sanitized_rate(double r) { return std::isfinite(r) && r > 0.0 ? r : 1.0; }

} // namespace

EtaEstimator::EtaEstimator(uint64_t total_bytes, double seed_rate, EtaConfig cfg)
    : cfg_(sanitized(cfg)), total_(total_bytes), seed_rate_(sanitized_rate(seed_rate)),
      rate_(seed_rate_), remaining_(static_cast<double>(total_bytes) / seed_rate_)
{
}

void EtaEstimator::update(double now_seconds, uint64_t bytes_done)
{
    // Clamp rather than reject: a reader that restarts its counter or a
    // clock read out of order must not make the estimate jump or go negative.
    done_ = std::max(done_, bytes_done);
    if (!started_) {
        started_ = true;
        start_time_ = std::isfinite(now_seconds) ? now_seconds : 0.0;
        last_time_ = start_time_;
    } else if (std::isfinite(now_seconds) && now_seconds > last_time_) {
        last_time_ = now_seconds;
    }
    const double now = last_time_;

    // Merge samples that arrive faster than the spacing: the back sample is
    // only provisional until it lies a full spacing after its predecessor,
    // so consecutive kept samples are at least a spacing apart and the
    // window holds at most max_window_samples of them. The front (anchor)
    // is never overwritten, so no progress is lost from the measurement.
    const double spacing = cfg_.window_seconds / static_cast<double>(cfg_.max_window_samples);
    const std::size_t n = samples_.size();
    if (n >= 2 && samples_[n - 1].time - samples_[n - 2].time < spacing)
        samples_.back() = {now, done_};
    else
        samples_.push_back({now, done_});

    // Keep exactly one sample at or before the window start as the anchor,
    // so the measured span covers the whole window once enough history
    // exists.
    const double window_start = now - cfg_.window_seconds;
    while (samples_.size() >= 2 && samples_[1].time <= window_start)
        samples_.pop_front();

    refresh(now);
}

void EtaEstimator::set_total(uint64_t total_bytes)
{
    total_ = total_bytes;
    if (!started_) {
        // Nothing shown has been measured yet: the seeded estimate is exact.
        remaining_ = static_cast<double>(total_) / seed_rate_;
        return;
    }
    refresh(last_time_);
}

double EtaEstimator::remaining_seconds() const { return remaining_; }

double EtaEstimator::fraction() const
{
    if (total_ == 0)
        return 1.0;
    return std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
}

double EtaEstimator::rate() const { return rate_; }

uint64_t EtaEstimator::total_bytes() const { return total_; }

uint64_t EtaEstimator::bytes_done() const { return done_; }

std::size_t EtaEstimator::sample_count() const { return samples_.size(); }

std::size_t EtaEstimator::sample_capacity() const
{
    // Kept samples in the window, plus the anchor before it and the
    // provisional back sample.
    return cfg_.max_window_samples + 2;
}

uint64_t EtaEstimator::bytes_left() const { return done_ >= total_ ? 0 : total_ - done_; }

double EtaEstimator::blended_rate(double now) const
{
    const double floor = cfg_.min_rate_fraction * seed_rate_;
    if (samples_.empty())
        return seed_rate_;
    const Sample& anchor = samples_.front();
    const double span = now - anchor.time;
    if (span <= 0.0)
        return seed_rate_; // time has not advanced: nothing measured yet
    const double measured = static_cast<double>(done_ - anchor.bytes) / span;
    // Trust the measurement in proportion to how much of a window it
    // covers, so the estimate slides from the assumption to reality
    // instead of jumping on the first noisy sample.
    const double w = std::min(1.0, span / cfg_.window_seconds);
    return std::max(floor, w * measured + (1.0 - w) * seed_rate_);
}

void EtaEstimator::refresh(double now)
{
    rate_ = blended_rate(now);
    const uint64_t left = bytes_left();
    if (left == 0) {
        remaining_ = 0.0;
        return;
    }
    const double raw = static_cast<double>(left) / rate_;
    // Falling is always shown (good news, and the end must reach 0); rising
    // is limited to a fraction of the whole expected duration per step, so
    // a slow patch or a refined total bends the countdown instead of
    // making it leap.
    const double elapsed = now - start_time_;
    const double ceiling = remaining_ + cfg_.max_rise_fraction * (elapsed + remaining_);
    remaining_ = std::min(raw, ceiling);
}

} // namespace ferry::core
