#include "bus/job_object.hpp"

#include <memory>

#include "bus/convert.hpp"
#include "bus/errors.hpp"
#include "core/progress.hpp"

namespace ferry::bus {

JobObject::JobObject(sdbus::IConnection& connection, Engine& engine, Authority& authority,
                     const std::string& id)
    : AdaptorInterfaces(connection, kJobPathPrefix + id), engine_(engine), authority_(authority),
      id_(id)
{
    const auto& j = job();
    last_state_ = std::string(core::job_state_name(j.state));
    last_sequence_ = j.next_sequence - 1;
    registerAdaptor();
}

JobObject::~JobObject()
{
    unregisterAdaptor();
}

const core::JobRecord& JobObject::job() const
{
    if (!exists())
        throw gone_error(id_);
    return *engine_.job();
}

bool JobObject::exists() const
{
    return engine_.job() && engine_.job()->id == id_;
}

sdbus::Error JobObject::gone_error(const std::string& id)
{
    return sdbus::Error("org.freedesktop.DBus.Error.UnknownObject",
                        "The job " + id + " no longer exists.");
}

void JobObject::refresh(const core::JobRecord& j)
{
    // A change of state or events is told at once; progress alone as the
    // throttle allows (core/progress.hpp).
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::string> changed{"Operations", "Current", "Progress", "RemainingSeconds"};
    bool progress_only = true;
    const std::string st(core::job_state_name(j.state));
    if (st != last_state_) {
        changed.insert(changed.end(), {"State", "FinishedAt", "Error", "Attempt"});
        last_state_ = st;
        progress_only = false;
    }
    if (j.next_sequence - 1 != last_sequence_) {
        changed.push_back("EventSequence");
        last_sequence_ = j.next_sequence - 1;
        progress_only = false;
    }
    if (progress_only && !throttle_.update_due(now))
        return;
    throttle_.updated(now);
    getObject().emitPropertiesChangedSignal(INTERFACE_NAME, changed);

    if (const double p = core::overall_progress(j); throttle_.signal_due(p, now))
        emitProgress(p, core::remaining_seconds(j), Current(), core::running_fraction(j));
}

void JobObject::event(const core::JobRecord& j, const core::Event& e)
{
    if (e.type == "operation-changed")
        emitOperationChanged(e.data.value("id", ""), e.data.value("state", ""), e.sequence);
    else if (e.type == "finished")
        emitFinished(std::string(core::job_state_name(j.state)), Error());
}

template <typename R, typename Body>
std::function<void()> JobObject::while_exists(std::shared_ptr<R> r, Body body) const
{
    // The body runs once polkit said yes, only if this object and its job
    // still exist then.
    return [alive = std::weak_ptr<const bool>(alive_), this, id = id_, r,
            body = std::move(body)]() mutable {
        if (alive.expired() || !exists())
            return r->returnError(gone_error(id));
        body();
    };
}

void JobObject::GetEvents(
    sdbus::Result<std::vector<sdbus::Struct<uint64_t, uint64_t, std::string,
                                            std::map<std::string, sdbus::Variant>>>>&& result,
    uint64_t since)
{
    auto r = std::make_shared<std::remove_reference_t<decltype(result)>>(std::move(result));
    check_then(authority_, getObject(), kActionRead, false, r, "GetEvents",
               while_exists(r, [this, r, since] {
                   std::vector<sdbus::Struct<uint64_t, uint64_t, std::string,
                                             std::map<std::string, sdbus::Variant>>>
                       out;
                   for (const auto& e : core::events_since(job(), since))
                       out.emplace_back(e.sequence, e.realtime_usec, e.type,
                                        json_object_to_dict(e.data));
                   r->returnResults(out);
               }));
}

void JobObject::GetReport(sdbus::Result<std::string>&& result, std::string format)
{
    auto r = std::make_shared<sdbus::Result<std::string>>(std::move(result));
    check_then(authority_, getObject(), kActionRead, false, r, "GetReport",
               while_exists(r, [this, r, format] {
                   auto report = engine_.report(format);
                   if (!report)
                       return r->returnError(to_bus_error(report.error()));
                   if (!*report)
                       return r->returnError(to_bus_error(
                           core::Error{core::Code::NotFinished, "The report is being written.",
                                       "Ask again in a moment."}));
                   r->returnResults(**report);
               }));
}

void JobObject::Acknowledge(sdbus::Result<>&& result)
{
    acknowledge(std::make_shared<sdbus::Result<>>(std::move(result)), false, false);
}

void JobObject::AcknowledgeWithFlags(sdbus::Result<>&& result,
                                     std::map<std::string, sdbus::Variant> flags)
{
    auto r = std::make_shared<sdbus::Result<>>(std::move(result));
    answer_guarded(*r, "AcknowledgeWithFlags", [&] {
        auto split = split_options(flags);
        if (!split)
            return r->returnError(to_bus_error(split.error()));
        bool force = false;
        for (const auto& f : split->rest) {
            if (f.key != "Force" || f.type != "b")
                return r->returnError(to_bus_error(core::Error{
                    core::Code::UnknownOption,
                    f.key == "Force" ? "Flag 'Force' must be a boolean (b)."
                                     : "Unknown flag '" + f.key.substr(0, 64) + "'.",
                    "AcknowledgeWithFlags accepts the flags Interactive (b) and Force (b)."}));
            force = f.value;
        }
        acknowledge(r, split->interactive, force);
    });
}

void JobObject::acknowledge(std::shared_ptr<sdbus::Result<>> r, bool interactive, bool force)
{
    check_then(authority_, getObject(), kActionExecute, interactive, r, "Acknowledge",
               while_exists(r, [this, r, force] {
                   // The engine answers on the loop thread once the source's
                   // clean-up (a worker) is over; the manager destroys this
                   // object later, from the loop. `r` holds the call, not
                   // this object.
                   auto err = engine_.acknowledge(force, [r](core::Expected<bool> ok) {
                       answer_guarded(*r, "Acknowledge", [&] {
                           if (!ok)
                               return r->returnError(to_bus_error(ok.error()));
                           r->returnResults();
                       });
                   });
                   if (err)
                       r->returnError(to_bus_error(*err));
               }));
}

void JobObject::Resume(sdbus::Result<>&& result)
{
    auto r = std::make_shared<sdbus::Result<>>(std::move(result));
    check_then(authority_, getObject(), kActionExecute, false, r, "Resume",
               while_exists(r, [this, r] {
                   if (auto ok = engine_.resume(); !ok)
                       return r->returnError(to_bus_error(ok.error()));
                   r->returnResults();
               }));
}

std::string JobObject::State()
{
    return std::string(core::job_state_name(job().state));
}

std::vector<
    sdbus::Struct<std::string, std::string, std::string, double, uint64_t, uint64_t, uint64_t>>
JobObject::Operations()
{
    std::vector<
        sdbus::Struct<std::string, std::string, std::string, double, uint64_t, uint64_t, uint64_t>>
        out;
    for (const auto& op : job().operations)
        out.emplace_back(std::string(core::operation_key(op.id)),
                         std::string(core::operation_title(op.id)),
                         std::string(core::op_state_name(op.state)), core::operation_fraction(op),
                         op.bytes_done, op.bytes_total, core::operation_remaining_seconds(op));
    return out;
}

std::string JobObject::Current()
{
    for (const auto& op : job().operations)
        if (op.state == core::OpState::Running)
            return std::string(core::operation_key(op.id));
    return {};
}

double JobObject::Progress()
{
    return core::overall_progress(job());
}

uint64_t JobObject::RemainingSeconds()
{
    return core::remaining_seconds(job());
}

uint64_t JobObject::StartedAt()
{
    return job().started_at_usec;
}
uint64_t JobObject::FinishedAt()
{
    return job().finished_at_usec;
}

sdbus::Struct<std::string, std::string, std::string, std::string> JobObject::Error()
{
    const auto& j = job();
    if (!j.error)
        return {"", "", "", ""};
    return {std::string(kErrorPrefix) + std::string(core::code_name(j.error->code)),
            j.error_operation.value_or(""), j.error->message, j.error->remedy};
}

uint64_t JobObject::EventSequence()
{
    return job().next_sequence - 1;
}
std::map<std::string, sdbus::Variant> JobObject::Options()
{
    return options_to_dict(job().options);
}
uint32_t JobObject::Attempt()
{
    return job().attempt;
}

std::map<std::string, sdbus::Variant> JobObject::Source()
{
    const auto& s = job().source;
    return {{"Address", sdbus::Variant(s.address)},
            {"CurrentAddress", sdbus::Variant(s.current_address)},
            {"HostName", sdbus::Variant(s.host_name)},
            {"DomainName", sdbus::Variant(s.domain_name)},
            {"LicenseGuid", sdbus::Variant(s.license_guid)},
            {"ServerRole", sdbus::Variant(s.server_role)},
            {"HighAvailability", sdbus::Variant(s.high_availability)},
            {"DnsAdvice", sdbus::Variant(s.dns_advice)},
            {"DnsRevertAdvice", sdbus::Variant(s.dns_revert_advice)},
            {"MainNode", sdbus::Variant(s.main_node)}};
}

} // namespace ferry::bus
