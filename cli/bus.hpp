// ferryctl's side of the D-Bus contract: the system bus connection, the
// generated proxies (manager-proxy.h, job-proxy.h) and the conversions of
// their values to JSON and plain structs. No event loop thread: calls are
// synchronous and `watch` drives the connection itself (verb_watch.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sdbus-c++/sdbus-c++.h>
#include <string>
#include <vector>

#include "job-proxy.h"
#include "manager-proxy.h"
#include "password.hpp"

namespace ferryctl {

inline constexpr const char* kBusName = "org.ferry.Migration1";
inline constexpr const char* kManagerPath = "/org/ferry/Migration1";
inline constexpr const char* kNoJobPath = "/";
inline constexpr const char* kJobInterface = "org.ferry.Migration1.Job";
inline constexpr const char* kManagerInterface = "org.ferry.Migration1";

using VariantMap = std::map<std::string, sdbus::Variant>;

class ManagerProxy final : public sdbus::ProxyInterfaces<org::ferry::Migration1_proxy> {
  public:
    explicit ManagerProxy(sdbus::IConnection& connection);
    ~ManagerProxy();

    VariantMap get_all();
    // Probe with the method call message marked sensitive, so libsystemd
    // wipes its copy of the password when the message is freed.
    VariantMap probe_sensitive(const std::string& address, const Secret& password,
                               const VariantMap& flags);
};

// One job object; the signal callbacks are optional (watch sets them).
class JobProxy final
    : public sdbus::ProxyInterfaces<org::ferry::Migration1::Job_proxy, sdbus::Properties_proxy> {
  public:
    JobProxy(sdbus::IConnection& connection, std::string path);
    ~JobProxy();

    const std::string& path() const { return path_; }
    VariantMap get_all();

    std::function<void(const std::string& id, const std::string& state, uint64_t seq)>
        on_operation_changed;
    std::function<void()> on_progress;
    std::function<void(const std::string& state)> on_finished;
    std::function<void()> on_properties_changed;

  private:
    void onOperationChanged(const std::string& id, const std::string& state,
                            const uint64_t& sequence) override;
    void onProgress(const double& progress, const uint64_t& remaining_seconds,
                    const std::string& current, const double& current_fraction) override;
    void onFinished(const std::string& state,
                    const sdbus::Struct<std::string, std::string, std::string, std::string>& error)
        override;
    void onPropertiesChanged(const std::string& interfaceName, const VariantMap& changed,
                             const std::vector<std::string>& invalidated) override;

    std::string path_;
};

// The connection and the manager proxy, created on first use. Failing to
// reach the system bus is kExitUnreachable.
class Bus {
  public:
    sdbus::IConnection& connection();
    ManagerProxy& manager();
    // The current job path; throws the NoJob error when there is none.
    std::string job_path();

  private:
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<ManagerProxy> manager_;
};

// Typed views of the job's values.
struct JobError {
    std::string name, operation, message, remedy; // all empty: no error
    bool empty() const { return name.empty() && message.empty(); }
};

struct Operation {
    std::string id, title, state; // state: pending | running | done | failed | skipped
    double fraction = 0;
    uint64_t bytes_done = 0, bytes_total = 0, remaining_seconds = 0;
};

struct JobStatus {
    std::string path, state, current;
    double progress = 0;
    uint64_t remaining_seconds = 0, started_at = 0, finished_at = 0, event_sequence = 0;
    uint32_t attempt = 0;
    JobError error;
    std::vector<Operation> operations;
    VariantMap options;
};

struct Event {
    uint64_t sequence = 0, realtime_usec = 0;
    std::string type;
    nlohmann::json data; // an object
};

JobStatus job_status_from(const std::string& path, const VariantMap& props);
nlohmann::json job_status_to_json(const JobStatus& s);
nlohmann::json job_error_to_json(const JobError& e);
std::vector<Event> get_events(JobProxy& job, uint64_t since);
nlohmann::json event_to_json(const Event& e);

// Any value ferryd sends in an a{sv}: scalars, arrays, dictionaries and
// structs (as arrays); other signatures become their signature string.
nlohmann::json variant_to_json(const sdbus::Variant& v);
nlohmann::json dict_to_json(const VariantMap& m);

// A property or dictionary entry of the expected type, or `fallback`.
template <typename T> T get_or(const VariantMap& m, const std::string& key, T fallback = T{})
{
    auto it = m.find(key);
    if (it == m.end() || !it->second.containsValueOfType<T>())
        return fallback;
    return it->second.get<T>();
}

} // namespace ferryctl
