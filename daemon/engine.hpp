// The migration engine: every rule and state of ferryd with no D-Bus in it
// (fwupd's FuEngine shape). bus/ is a thin transport over it. All methods
// run on the main loop thread; blocking work (network) runs on a worker
// and its result comes back through `post`.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "appliance/appliance.hpp"
#include "core/address.hpp"
#include "core/eta.hpp"
#include "core/job.hpp"
#include "core/measurements.hpp"
#include "core/options.hpp"
#include "core/plan.hpp"
#include "core/source_info.hpp"
#include "local/target_measure.hpp"
#include "source/peer_client.hpp"
#include "source/source_client.hpp"
#include "system/journal_store.hpp"

namespace ferry {

inline constexpr std::size_t kMaxPasswordLength = 1024;
inline constexpr auto kProbeValidity = std::chrono::minutes(30);

// Who is notified of changes (the bus layer emits signals from these).
class EngineObserver {
  public:
    virtual ~EngineObserver() = default;
    virtual void manager_changed() = 0;                   // State or Job changed
    virtual void job_changed(const core::JobRecord&) = 0; // any job property
    virtual void job_event(const core::JobRecord&, const core::Event&) = 0;
};

struct Plan {
    core::Options options;
    std::vector<core::PlannedOperation> operations;
    std::vector<core::PreflightCheck> checks; // core/preflight.hpp
};

class Engine {
  public:
    using Post = std::function<void(std::function<void()>)>;
    using Clock = std::chrono::steady_clock;

    Engine(local::FileAppliance& appliance, local::JournalStore& journal,
           std::unique_ptr<source::SourceClient> source, Post post, std::string boot_id,
           std::chrono::milliseconds probe_timeout, uint16_t peer_port,
           uint32_t max_restarts_without_progress = 5);
    ~Engine();

    void set_observer(EngineObserver* o) { observer_ = o; }

    // At start-up: loads the journal; an unfinished job is resumed.
    core::Expected<bool> load();

    // idle | probed | running | rebooting | finished
    std::string state() const;
    const core::JobRecord* job() const { return job_ ? &*job_ : nullptr; }

    // Argument checks of probe(), usable before authorization.
    std::optional<core::Error> check_probe_args(const std::string& address,
                                                const std::string& password) const;

    // Validates at once (the error comes back synchronously), then checks
    // the source on a worker and calls `done` on the main thread.
    std::optional<core::Error> probe(const std::string& address, std::string password,
                                     std::function<void(core::Expected<core::SourceInfo>)> done,
                                     std::string expected_pin = {});

    core::Expected<std::vector<core::OptionRule>> options() const;
    core::Expected<Plan> plan(const core::RequestedOptions& req) const;
    core::Expected<std::string> start(const core::RequestedOptions& req); // the job id
    // Clears a finished job. Refusals come back at once; otherwise `done`
    // is called on the loop thread when it is over: a failed job's clean-up
    // on the source (network, bounded by ProbeTimeoutSec per request) runs
    // on a worker, never on the loop. Meanwhile Acknowledge and Resume
    // answer Busy. `force`: also a failed HA job whose source has left the
    // ring before this system joined it (else SourceOutOfRing); its
    // round-robin hosts are then not restored (docs/dbus-api.md).
    std::optional<core::Error> acknowledge(bool force,
                                           std::function<void(core::Expected<bool>)> done);
    core::Expected<bool> resume();
    // The migration report of the finished job (docs/dbus-api.md,
    // GetReport): "json" or "text"; nullopt while it is being written.
    core::Expected<std::optional<std::string>> report(const std::string& format) const;

  private:
    // The job's clients of the peer API: the source at its current
    // address and the ring's Main node when it is not the source, each
    // pinned and with its token.
    struct JobPeers {
        source::PeerClient source;
        std::optional<source::PeerClient> ring_main;
        source::PeerClient* main() { return ring_main ? &*ring_main : nullptr; }
    };
    JobPeers job_peers(const core::SourceIdentity& src) const; // engine_identity.cpp
    static core::Error busy_with_job();
    // The source's side of acknowledging a failed job (worker thread;
    // engine_acknowledge.cpp).
    core::Expected<bool> clean_up_source(const core::JobRecord& job, bool out_of_ring) const;
    // A failed job that copied while the source served: its temporary
    // replica off this system's MariaDB (source/catch_up_replica.hpp).
    core::Expected<bool> remove_catch_up_replica(const core::JobRecord& job) const;
    // The job forgotten once its journal is gone (loop thread).
    core::Expected<bool> forget_job();
    const core::SourceInfo* probed() const;
    core::Expected<bool> persist(); // returns once the journal is on disk
    // Queues the journal write (local::JournalStore's writer thread) and
    // returns its ticket: the main loop never waits for the disk. Whatever
    // must not happen before the write is on disk waits for the ticket on
    // its own thread (the step thread).
    uint64_t persist_async();
    // Signals the events whose journal write has finished (see
    // emit_events_from).
    void flush_events();
    // The runner: one operation at a time on step_worker_, results back
    // on the loop thread.
    void run_next();
    void on_progress(core::OperationId id, uint64_t done, uint64_t total);
    uint64_t on_checkpoint(core::OperationId id, const nlohmann::json& checkpoint); // the ticket
    void on_step_done(core::OperationId id, core::Expected<bool> result);
    // The reboot operation's checkpoint and job state "rebooting", persisted
    // together (loop thread).
    core::Expected<bool> on_rebooting(core::OperationId id, const nlohmann::json& checkpoint);
    // The report of the job that just ended, collected and written on
    // report_worker_ (local/report_files).
    void write_report_async();
    // A job that succeeded: its operations' times join the history
    // (saved by write_report_async's worker, local/measurements_file).
    void record_measurements();
    uint64_t now_usec() const;
    void emit_events_from(uint64_t first_seq);

    local::FileAppliance& appliance_;
    local::JournalStore& journal_;
    std::unique_ptr<source::SourceClient> source_;
    Post post_;
    std::string boot_id_;
    std::chrono::milliseconds probe_timeout_;
    uint16_t peer_port_;
    uint32_t max_restarts_;
    EngineObserver* observer_ = nullptr;

    std::optional<core::SourceInfo> source_info_;
    local::TargetMeasure target_measure_; // this system, measured at Probe
    core::ProbeRates probe_rates_;        // the rates measured at Probe (local/probe_measure)
    core::Measurements history_;          // earlier jobs on this machine (measurements.json)
    // Per operation (all_operations() order), of the running job's plan:
    // the rate behind its estimate (seeds the remaining time) and Probe's
    // own rate (kept with the job's times). In memory only: after a
    // restart the seed is bytes / estimated seconds, and no Probe rate.
    std::vector<double> plan_rates_, plan_probe_rates_;
    std::string token_;      // the peer token from Probe, kept in memory only until Start
    std::string main_token_; // the same for the ring's Main node
    Clock::time_point probed_at_{};
    bool probe_in_flight_ = false;
    std::thread worker_;
    bool ack_in_flight_ = false;
    std::thread ack_worker_;
    std::thread report_worker_;

    std::optional<core::JobRecord> job_;
    std::thread step_worker_;
    bool step_running_ = false;
    std::atomic<bool> stopping_{false};
    std::optional<core::EtaEstimator> eta_;
    Clock::time_point eta_origin_{};
    // Events to signal once journal write `ticket` has finished, in order.
    struct PendingEvents {
        uint64_t ticket;
        std::string job_id;
        uint64_t first, last; // sequence numbers
    };
    std::deque<PendingEvents> pending_events_;
};

} // namespace ferry
