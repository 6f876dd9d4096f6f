// org.ferry.Migration1 at /org/ferry/Migration1: the wizard's entry points.
// Handlers follow hostnamed's order: read and validate the arguments,
// authorize through polkit, act, emit, reply.
#pragma once

#include <functional>
#include <memory>
#include <sdbus-c++/sdbus-c++.h>

#include "bus/authority.hpp"
#include "bus/convert.hpp"
#include "bus/job_object.hpp"
#include "engine.hpp"
#include "manager-adaptor.h"

namespace ferry::bus {

inline constexpr const char* kBusName = "org.ferry.Migration1";
inline constexpr const char* kManagerPath = "/org/ferry/Migration1";

class ManagerObject final : public sdbus::AdaptorInterfaces<org::ferry::Migration1_adaptor>,
                            public EngineObserver {
  public:
    using Post = std::function<void(std::function<void()>)>;
    ManagerObject(sdbus::IConnection& connection, Engine& engine, Authority& authority, Post post);
    ~ManagerObject();

    // EngineObserver
    void manager_changed() override;
    void job_changed(const core::JobRecord& job) override;
    void job_event(const core::JobRecord& job, const core::Event& e) override;

    using PlanOps =
        std::vector<sdbus::Struct<std::string, std::string, bool, std::string, std::string, uint64_t,
                                  uint64_t>>;
    using PlanChecks =
        std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>>;

  private:
    void Probe(sdbus::Result<VariantMap>&& result, std::string address, std::string password,
               VariantMap flags) override;
    void GetOptions(
        sdbus::Result<std::vector<sdbus::Struct<std::string, bool, bool, bool, std::string>>>&& result)
        override;
    void Plan(sdbus::Result<VariantMap, PlanOps>&& result, VariantMap options) override;
    void PlanWithChecks(sdbus::Result<VariantMap, PlanOps, PlanChecks>&& result,
                        VariantMap options) override;
    // Plan and PlanWithChecks: the arguments, polkit, then `reply` with the
    // plan (on the loop thread) or the error.
    template <typename R>
    void plan_for(std::shared_ptr<R> r, const VariantMap& options,
                  std::function<void(R&, const ferry::Plan&)> reply);
    void Start(sdbus::Result<sdbus::ObjectPath>&& result, VariantMap options) override;
    std::string State() override;
    sdbus::ObjectPath Job() override;
    std::string Version() override;

    void sync_job_object();

    sdbus::IConnection& connection_;
    Engine& engine_;
    Authority& authority_;
    Post post_;
    std::unique_ptr<JobObject> job_object_;
    std::string job_object_id_;
    std::string last_state_;
    std::string last_job_;
};

} // namespace ferry::bus
