#include "core/plan.hpp"
#include "core/translatable.hpp"

#include <cmath>

namespace ferry::core {
namespace {

struct Descriptor {
    OperationId id;
    std::string_view key;
    std::string_view title;
    std::string_view condition;
};

constexpr std::array<Descriptor, kOperationCount> kCatalogue{{
    // Ours, not the manual's (docs/operations.md): the copy that takes the
    // data out of the outage.
    {OperationId::PreCopyData, "pre-copy-data", "Copy data while the source serves",
     N_("standalone, source with a binary log")},
    {OperationId::CopySettings, "copy-settings", "Copy the System Settings", N_("always")},
    {OperationId::SourceMaintenance, "source-maintenance", "Place the source under maintenance",
     N_("always")},
    {OperationId::DeactivateReplica, "deactivate-replica", "Deactivate the replica on the source",
     N_("HA only")},
    {OperationId::CopyData, "copy-data", "Copy data", N_("standalone only")},
    {OperationId::ModifySource, "modify-source", "Modify the source configuration", N_("always")},
    {OperationId::Reboot, "reboot", "Reboot this system and the source",
     N_("Swap Configuration only")},
    {OperationId::CopyDataActivateReplica, "copy-data-activate-replica",
     "Copy data and activate the replica", N_("HA only")},
    {OperationId::UpdateCertificates, "update-certificates", "Update the certificates",
     N_("always")},
    {OperationId::RestartServices, "restart-services", "Restart the services", N_("always")},
    {OperationId::CopySyslog, "copy-syslog", "Copy the syslog user-traffic data",
     N_("Copy User Traffic Logs only")},
    {OperationId::Final, "final", "Final operations", N_("always")},
}};

const Descriptor& descriptor(OperationId id)
{
    return kCatalogue[static_cast<std::size_t>(id)];
}

bool runs(OperationId id, const PlanInput& in, bool while_serving)
{
    const bool ha = in.high_availability;
    switch (id) {
    case OperationId::PreCopyData: return while_serving;
    case OperationId::DeactivateReplica:
    case OperationId::CopyDataActivateReplica: return ha;
    case OperationId::CopyData: return !ha;
    case OperationId::Reboot: return in.options.swap;
    case OperationId::CopySyslog: return in.options.logs;
    default: return true;
    }
}

// Each detail is one whole fixed sentence (N_(): ferryctl and the page show
// its translation, core/translatable.hpp), so no sentence is put together
// from pieces a translator never sees together.
std::string detail(OperationId id, const PlanInput& in, bool while_serving)
{
    const bool ha = in.high_availability;
    const bool swap = in.options.swap;
    const bool license = in.options.license;
    switch (id) {
    case OperationId::PreCopyData:
        return in.options.logs
                   ? N_("Copy a consistent snapshot of the source's databases while it still "
                        "serves, verify every table, and follow the source's later changes as "
                        "its temporary replica. Copy the user-traffic log files too: operation "
                        "10 then fetches only what changed since.")
                   : N_("Copy a consistent snapshot of the source's databases while it still "
                        "serves, verify every table, and follow the source's later changes as "
                        "its temporary replica.");
    case OperationId::CopySettings:
        return swap ? N_("Exchange the System Settings: this system takes the source's identity.")
                    : N_("Copy the basic System Settings; Network, DNS, Web server, round-robin "
                         "hosts, load-balancing domain, remote data exchange and FTP data backup "
                         "stay as they are.");
    case OperationId::SourceMaintenance:
        return ha ? N_("Put the source under maintenance and temporarily remove the round-robin "
                       "hosts from the ring's Master.")
                  : N_("Put the source under maintenance.");
    case OperationId::DeactivateReplica:
        return N_("Stop the source's replica and record its GTID position.");
    case OperationId::CopyData:
        return while_serving
                   ? N_("Apply what changed on the source since the copy, stop and remove the "
                        "temporary replica, and verify every table written since the snapshot.")
                   : N_("Copy a consistent snapshot of the source's databases and verify every "
                        "table.");
    case OperationId::ModifySource:
        return swap ? N_("Stage this system's former System Settings on the source (applied at "
                         "its reboot) and record the migration on the source.")
                    : N_("Keep the source in maintenance with its user-facing services stopped "
                         "and record the migration on the source.");
    case OperationId::Reboot:
        return N_("Reboot both systems so that the exchanged network settings take effect.");
    case OperationId::CopyDataActivateReplica:
        return N_("Copy the data and join the replication ring at the source's position.");
    case OperationId::UpdateCertificates: return N_("Install the source's certificates.");
    case OperationId::RestartServices: return N_("Restart the services of this system.");
    case OperationId::CopySyslog: return N_("Copy and verify the user-traffic log files.");
    case OperationId::Final:
        if (license && ha)
            return N_("Remove temporary accounts and tokens; move the license to this system and "
                      "invalidate it on the source; restore the round-robin hosts on the Master.");
        if (license)
            return N_("Remove temporary accounts and tokens; move the license to this system and "
                      "invalidate it on the source.");
        if (ha)
            return N_("Remove temporary accounts and tokens; restore the round-robin hosts on "
                      "the Master.");
        return N_("Remove temporary accounts and tokens.");
    }
    return {};
}

} // namespace

std::string_view operation_key(OperationId id)
{
    return descriptor(id).key;
}
std::string_view operation_title(OperationId id)
{
    return descriptor(id).title;
}

std::optional<OperationId> operation_from_key(std::string_view key)
{
    for (const auto& d : kCatalogue)
        if (d.key == key)
            return d.id;
    return std::nullopt;
}

const std::array<OperationId, kOperationCount>& all_operations()
{
    static const std::array<OperationId, kOperationCount> ids = [] {
        std::array<OperationId, kOperationCount> a{};
        for (std::size_t i = 0; i < kOperationCount; ++i)
            a[i] = kCatalogue[i].id;
        return a;
    }();
    return ids;
}

DataPath plan_data_path(const PlanInput& in)
{
    DataPathInput p = in.path_input;
    p.high_availability = in.high_availability;
    EstimateInput estimate = in.estimate;
    estimate.shape = {in.high_availability, in.options.swap, in.options.license};
    p.copy_seconds = estimate_operation(OperationId::CopyData, in.data_bytes, estimate).seconds;
    return decide_data_path(p);
}

std::vector<PlannedOperation> build_plan(const PlanInput& in)
{
    std::vector<PlannedOperation> plan;
    plan.reserve(kOperationCount);
    EstimateInput estimate = in.estimate;
    estimate.shape = {in.high_availability, in.options.swap, in.options.license};
    const bool while_serving = plan_data_path(in).copy_while_serving;
    for (const auto& d : kCatalogue) {
        PlannedOperation op;
        op.id = d.id;
        op.key = d.key;
        op.title = d.title;
        op.runs = runs(d.id, in, while_serving);
        op.condition = d.condition;
        if (op.runs) {
            op.detail = detail(d.id, in, while_serving);
            switch (d.id) {
            case OperationId::CopySettings: op.bytes = in.settings_bytes; break;
            case OperationId::PreCopyData:
            case OperationId::CopyDataActivateReplica: op.bytes = in.data_bytes; break;
            case OperationId::CopyData: op.bytes = while_serving ? 0 : in.data_bytes; break;
            case OperationId::CopySyslog: op.bytes = in.log_bytes; break;
            default: break;
            }
            auto e = d.id == OperationId::CopyData && while_serving ? catch_up_estimate(estimate)
                     : d.id == OperationId::CopySyslog && while_serving
                         ? log_catch_up_estimate(estimate)
                         : estimate_operation(d.id, op.bytes, estimate);
            if (d.id == OperationId::PreCopyData && in.options.logs && in.log_bytes > 0) {
                // It copies the user-traffic logs too (steps/pre_copy_logs.cpp).
                const auto logs =
                    estimate_operation(OperationId::CopySyslog, in.log_bytes, estimate);
                e.seconds += logs.seconds;
                e.basis += "; then the user-traffic logs: " + logs.basis;
                op.bytes += in.log_bytes;
            }
            op.estimated_seconds = e.seconds;
            op.origin = e.origin;
            op.basis = std::move(e.basis);
            op.rate = e.rate;
            op.probe_rate = e.probe_rate;
        }
        plan.push_back(std::move(op));
    }
    return plan;
}

std::string duration_text(uint64_t seconds)
{
    if (seconds >= 60)
        return std::to_string(seconds / 60) + " min " + std::to_string(seconds % 60) + " s";
    return std::to_string(seconds) + " s";
}

uint64_t plan_total_seconds(const std::vector<PlannedOperation>& plan)
{
    uint64_t s = 0;
    for (const auto& op : plan)
        s += op.estimated_seconds;
    return s;
}

} // namespace ferry::core

namespace ferry::core {

std::string estimate_summary(const std::vector<PlannedOperation>& plan)
{
    std::string s = "About " + duration_text(plan_total_seconds(plan)) + " in all.";
    for (const auto& op : plan)
        if (op.runs)
            s += " " + op.title + ": " + std::to_string(op.estimated_seconds) + " s (" +
                 std::string(rate_origin_key(op.origin)) + "; " + op.basis + ").";
    return s;
}

} // namespace ferry::core
