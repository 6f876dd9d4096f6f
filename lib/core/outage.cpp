#include "core/outage.hpp"

namespace ferry::core {
namespace {

bool in_window(OperationId id)
{
    // Operation 2 places the source under maintenance; operation 9
    // restarts this system's services. The order is the manual's.
    return static_cast<int>(id) >= static_cast<int>(OperationId::SourceMaintenance) &&
           static_cast<int>(id) <= static_cast<int>(OperationId::RestartServices);
}

} // namespace

Outage plan_outage(const std::vector<PlannedOperation>& plan, bool high_availability)
{
    Outage o;
    o.total_seconds = plan_total_seconds(plan);
    o.ring_keeps_serving = high_availability;
    // After a copy while the source served, copy-data only catches up.
    bool copied_before = false;
    for (const auto& op : plan)
        copied_before = copied_before || (op.id == OperationId::PreCopyData && op.runs);
    for (const auto& op : plan) {
        if (!op.runs || !in_window(op.id))
            continue;
        o.seconds += op.estimated_seconds;
        if ((op.id == OperationId::CopyData || op.id == OperationId::CopyDataActivateReplica) &&
            !copied_before)
            o.data_seconds += op.estimated_seconds;
    }
    return o;
}

std::string outage_summary(const Outage& o, const std::vector<PlannedOperation>& plan,
                           const std::string& data_path_reason)
{
    std::string inside;
    for (const auto& op : plan)
        if (op.runs && in_window(op.id) && op.estimated_seconds > 0)
            inside +=
                (inside.empty() ? "" : ", ") + op.title + " " + duration_text(op.estimated_seconds);
    const std::string window =
        "from \"" + std::string(operation_title(OperationId::SourceMaintenance)) + "\" until \"" +
        std::string(operation_title(OperationId::RestartServices)) + "\" is done";
    std::string s;
    if (o.ring_keeps_serving)
        s = "The other nodes of the replication ring keep serving guests throughout (the DNS "
            "advice "
            "sends them to the Main node); the source node is out of service for about " +
            duration_text(o.seconds) + " of the job's " + duration_text(o.total_seconds) + ", " +
            window + ".";
    else
        s = "Guests cannot log in for about " + duration_text(o.seconds) + " of the job's " +
            duration_text(o.total_seconds) + ", " + window + ".";
    if (!inside.empty())
        s += " Inside it: " + inside + ".";
    if (o.data_seconds > 0)
        s += " The data copy is part of it, so this time grows with the data.";
    if (!data_path_reason.empty())
        s += " " + data_path_reason;
    return s;
}

} // namespace ferry::core
