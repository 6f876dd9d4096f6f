#include "core/fixed_costs.hpp"

#include <cstdio>

#include "core/plan.hpp"

namespace ferry::core {
namespace {

// A span longer than this is no start or stop (a unit stuck, a clock
// mix-up): treated as no record.
constexpr uint64_t kMaxSpanUsec = 3600ull * 1'000'000;

std::optional<double> span(uint64_t from, uint64_t to)
{
    if (from == 0 || to < from || to - from > kMaxSpanUsec)
        return std::nullopt;
    return double(to - from) / 1e6;
}

std::string secs(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

} // namespace

UnitRestartRecord unit_restart_record(const UnitTimestamps& t)
{
    UnitRestartRecord r;
    if (!t.error.empty())
        return r;
    // The start is finished when it became active after it began; a
    // start in progress has InactiveExit after ActiveEnter.
    r.start_seconds = span(t.inactive_exit, t.active_enter);
    // The same for the stop; a unit never stopped since boot has
    // ActiveExit 0.
    r.stop_seconds = span(t.active_exit, t.inactive_enter);
    return r;
}

FixedEstimate restart_services_estimate(const std::vector<UnitTimestamps>& units,
                                        const ServiceAssumptions& a)
{
    FixedEstimate e;
    if (units.empty()) {
        e.basis = "no services to restart";
        return e;
    }
    std::string recorded, assumed;
    auto add = [](std::string& list, const std::string& item) {
        list += (list.empty() ? "" : ", ") + item;
    };
    for (const auto& u : units) {
        const auto rec = unit_restart_record(u);
        const double start = rec.start_seconds.value_or(a.unrecorded_start_seconds);
        const double stop = rec.stop_seconds.value_or(a.unrecorded_stop_seconds);
        e.seconds += start + stop;
        const std::string item = u.unit + " " + secs(start) + " to start" +
                                 (rec.start_seconds ? "" : " (assumed)") + " and " + secs(stop) +
                                 " to stop" + (rec.stop_seconds ? "" : " (assumed)");
        add(rec.start_seconds || rec.stop_seconds ? recorded : assumed, item);
    }
    e.basis = secs(e.seconds) + ", each service's last start and stop as systemd recorded them";
    if (!recorded.empty())
        e.basis += ": " + recorded;
    if (!assumed.empty())
        e.basis += (recorded.empty() ? ": " : "; ") + std::string("no record of ") + assumed;
    return e;
}

unsigned remote_requests(OperationId id, const JobShape& s)
{
    const unsigned ha = s.high_availability ? 1 : 0;
    switch (id) {
    case OperationId::CopySettings: return 2 + ha;      // token extend (and on the Main), settings
    case OperationId::SourceMaintenance: return 1 + ha; // maintenance, round-robin hosts
    case OperationId::DeactivateReplica: return 2;      // this system's check, deactivate
    case OperationId::ModifySource: return 1 + (s.swap ? 1 : 0); // staged settings, migrated
    case OperationId::UpdateCertificates: return 1;
    case OperationId::Final:
        // round-robin restore, license, maintenance off, account, finish (and on the Main)
        return 2 + 2 * ha + (s.license ? 1 : 0) + (s.swap ? 1 : 0);
    default: return 0;
    }
}

std::optional<FixedEstimate> source_work_estimate(OperationId id, const JobShape& shape,
                                                  const std::vector<UnitTimestamps>& units,
                                                  const ServiceAssumptions& a)
{
    if (id != OperationId::ModifySource || shape.swap || units.empty())
        return std::nullopt;
    FixedEstimate e;
    bool any = false;
    for (const auto& u : units) {
        const auto rec = unit_restart_record(u);
        any = any || rec.stop_seconds.has_value();
        e.seconds += rec.stop_seconds.value_or(a.unrecorded_stop_seconds);
    }
    e.basis = secs(e.seconds) + " for the source to stop its services, as long as " +
              (any ? "systemd recorded stopping them on this system"
                   : "assumed (systemd here has no record of stopping them)");
    return e;
}

} // namespace ferry::core
