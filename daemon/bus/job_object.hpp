// org.ferry.Migration1.Job at /org/ferry/Migration1/job/<id>: a view of
// the engine's job record. It exists from Start() (or from the journal at
// start-up) until Acknowledge().
#pragma once

#include <chrono>
#include <sdbus-c++/sdbus-c++.h>

#include "bus/authority.hpp"
#include "core/progress.hpp"
#include "engine.hpp"
#include "job-adaptor.h"

namespace ferry::bus {

inline constexpr const char* kJobPathPrefix = "/org/ferry/Migration1/job/";

class JobObject final : public sdbus::AdaptorInterfaces<org::ferry::Migration1::Job_adaptor> {
  public:
    JobObject(sdbus::IConnection& connection, Engine& engine, Authority& authority,
              const std::string& id);
    ~JobObject();

    // Emits PropertiesChanged for what differs from the last emission and
    // the Progress signal, progress at the rate of core::ProgressThrottle,
    // the one limit on it.
    void refresh(const core::JobRecord& job);
    void event(const core::JobRecord& job, const core::Event& e);

  private:
    void GetEvents(sdbus::Result<std::vector<sdbus::Struct<uint64_t, uint64_t, std::string,
                                                            std::map<std::string, sdbus::Variant>>>>&&
                       result,
                   uint64_t since) override;
    void GetReport(sdbus::Result<std::string>&& result, std::string format) override;
    void Acknowledge(sdbus::Result<>&& result) override;
    void AcknowledgeWithFlags(sdbus::Result<>&& result,
                              std::map<std::string, sdbus::Variant> flags) override;
    void acknowledge(std::shared_ptr<sdbus::Result<>> r, bool interactive, bool force);
    void Resume(sdbus::Result<>&& result) override;

    std::string State() override;
    std::vector<sdbus::Struct<std::string, std::string, std::string, double, uint64_t, uint64_t,
                              uint64_t>>
    Operations() override;
    std::string Current() override;
    double Progress() override;
    uint64_t RemainingSeconds() override;
    uint64_t StartedAt() override;
    uint64_t FinishedAt() override;
    sdbus::Struct<std::string, std::string, std::string, std::string> Error() override;
    uint64_t EventSequence() override;
    std::map<std::string, sdbus::Variant> Options() override;
    uint32_t Attempt() override;
    std::map<std::string, sdbus::Variant> Source() override;

    // The job this object shows; UnknownObject once it is acknowledged (the
    // object itself goes a little later, from the loop, not mid-dispatch).
    const core::JobRecord& job() const;
    bool exists() const;
    static sdbus::Error gone_error(const std::string& id);

    // Answers of polkit (and of the engine) arrive after the handler
    // returned, when this object may be gone (Acknowledge destroys it):
    // callbacks hold a weak reference to this token and answer
    // UnknownObject instead of touching a freed object (while_exists
    // wraps the body given to check_then).
    std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
    template <typename R, typename Body>
    std::function<void()> while_exists(std::shared_ptr<R> r, Body body) const;

    Engine& engine_;
    Authority& authority_;
    std::string id_;
    std::string last_state_;
    uint64_t last_sequence_ = 0;
    core::ProgressThrottle throttle_{core::overall_progress(job())};
};

} // namespace ferry::bus
