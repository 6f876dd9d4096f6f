#include "bus/manager_object.hpp"

#include <cstring>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "bus/errors.hpp"
#include "config.h"
#include "core/certificate_pin.hpp"

namespace ferry::bus {
namespace {

// Probe's flags dictionary takes Interactive (b) and CertificateSha256 (s):
// the fingerprint the source must present. The latter is taken out of
// `flags` here; anything else left over is refused.
core::Expected<std::string> take_expected_pin(VariantMap& flags)
{
    const auto it = flags.find("CertificateSha256");
    if (it == flags.end())
        return std::string();
    if (it->second.peekValueType() != "s")
        return core::Error{
            core::Code::InvalidArgument, "Flag 'CertificateSha256' must be a string (s).", {}};
    auto pin = core::parse_certificate_pin(it->second.get<std::string>());
    flags.erase(it);
    return pin;
}

std::optional<core::Error> reject_unknown_flags(const std::vector<core::RawOption>& rest)
{
    if (rest.empty())
        return std::nullopt;
    return core::Error{core::Code::UnknownOption,
                       "Unknown flag '" + rest.front().key.substr(0, 64) + "'.",
                       "Probe accepts the flags Interactive (b) and CertificateSha256 (s)."};
}

// Options after the Interactive flag is split off and keys/types checked.
struct ParsedOptions {
    bool interactive = false;
    core::RequestedOptions requested;
};

core::Expected<ParsedOptions> parse_request(const VariantMap& dict)
{
    auto split = split_options(dict);
    if (!split)
        return split.error();
    auto req = core::parse_options(split->rest);
    if (!req)
        return req.error();
    return ParsedOptions{split->interactive, *req};
}

} // namespace

ManagerObject::ManagerObject(sdbus::IConnection& connection, Engine& engine, Authority& authority,
                             Post post)
    : AdaptorInterfaces(connection, kManagerPath), connection_(connection), engine_(engine),
      authority_(authority), post_(std::move(post))
{
    registerAdaptor();
    last_state_ = engine_.state();
    sync_job_object();
    last_job_ = Job();
}

ManagerObject::~ManagerObject()
{
    job_object_.reset();
    unregisterAdaptor();
}

void ManagerObject::sync_job_object()
{
    const auto* job = engine_.job();
    if (job && job_object_id_ != job->id) {
        job_object_ = std::make_unique<JobObject>(connection_, engine_, authority_, job->id);
        job_object_id_ = job->id;
    } else if (!job && job_object_) {
        // Not destroyed here: we may be inside one of its handlers.
        job_object_id_.clear();
        post_([this, dead = std::shared_ptr<JobObject>(job_object_.release())]() mutable {
            dead.reset();
        });
    }
}

void ManagerObject::manager_changed()
{
    sync_job_object();
    std::vector<std::string> changed;
    if (const auto s = engine_.state(); s != last_state_) {
        last_state_ = s;
        changed.push_back("State");
        sd_notifyf(0, "STATUS=%s", s.c_str());
    }
    if (const std::string j = Job(); j != last_job_) {
        last_job_ = j;
        changed.push_back("Job");
    }
    if (!changed.empty())
        getObject().emitPropertiesChangedSignal(INTERFACE_NAME, changed);
}

void ManagerObject::job_changed(const core::JobRecord& job)
{
    sync_job_object();
    if (job_object_)
        job_object_->refresh(job);
}

void ManagerObject::job_event(const core::JobRecord& job, const core::Event& e)
{
    if (job_object_)
        job_object_->event(job, e);
}

void ManagerObject::Probe(sdbus::Result<VariantMap>&& result, std::string address,
                          std::string password, VariantMap flags)
{
    auto r = std::make_shared<sdbus::Result<VariantMap>>(std::move(result));
    // The password lives in this shared buffer only, wiped when done.
    auto pw =
        std::shared_ptr<std::string>(new std::string(std::move(password)), [](std::string* s) {
            explicit_bzero(s->data(), s->size());
            delete s;
        });
    explicit_bzero(password.data(), password.size());

    answer_guarded(*r, "Probe", [&] {
        auto expected_pin = take_expected_pin(flags);
        if (!expected_pin)
            return r->returnError(to_bus_error(expected_pin.error()));
        auto split = split_options(flags);
        if (!split)
            return r->returnError(to_bus_error(split.error()));
        if (auto err = reject_unknown_flags(split->rest))
            return r->returnError(to_bus_error(*err));
        if (auto err = engine_.check_probe_args(address, *pw))
            return r->returnError(to_bus_error(*err));

        check_then(authority_, getObject(), kActionProbe, split->interactive, r, "Probe",
                   [this, r, pw, address, pin = *expected_pin] {
                       auto err = engine_.probe(
                           address, *pw,
                           [r](core::Expected<core::SourceInfo> info) {
                               answer_guarded(*r, "Probe", [&] {
                                   if (!info)
                                       return r->returnError(to_bus_error(info.error()));
                                   r->returnResults(source_info_to_dict(*info));
                               });
                           },
                           pin);
                       if (err)
                           r->returnError(to_bus_error(*err));
                   });
    });
}

void ManagerObject::GetOptions(
    sdbus::Result<std::vector<sdbus::Struct<std::string, bool, bool, bool, std::string>>>&& result)
{
    auto r = std::make_shared<std::decay_t<decltype(result)>>(std::move(result));
    check_then(authority_, getObject(), kActionRead, false, r, "GetOptions", [this, r] {
        auto rules = engine_.options();
        if (!rules)
            return r->returnError(to_bus_error(rules.error()));
        std::vector<sdbus::Struct<std::string, bool, bool, bool, std::string>> out;
        for (const auto& o : *rules)
            out.emplace_back(o.key, o.available, o.forced, o.default_value, o.reason);
        r->returnResults(out);
    });
}

template <typename R>
void ManagerObject::plan_for(std::shared_ptr<R> r, const VariantMap& options,
                             std::function<void(R&, const ferry::Plan&)> reply)
{
    answer_guarded(*r, "Plan", [&] {
        auto req = parse_request(options);
        if (!req)
            return r->returnError(to_bus_error(req.error()));
        check_then(authority_, getObject(), kActionRead, req->interactive, r, "Plan",
                   [this, r, req = *req, reply] {
                       auto plan = engine_.plan(req.requested);
                       if (!plan)
                           return r->returnError(to_bus_error(plan.error()));
                       reply(*r, *plan);
                   });
    });
}

namespace {

ManagerObject::PlanOps plan_ops(const ferry::Plan& plan)
{
    ManagerObject::PlanOps ops;
    for (const auto& op : plan.operations)
        ops.emplace_back(op.key, op.title, op.runs, op.condition, op.detail, op.bytes,
                         op.estimated_seconds);
    return ops;
}

} // namespace

void ManagerObject::Plan(sdbus::Result<VariantMap, PlanOps>&& result, VariantMap options)
{
    using R = sdbus::Result<VariantMap, PlanOps>;
    plan_for<R>(std::make_shared<R>(std::move(result)), options, [](R& r, const ferry::Plan& plan) {
        r.returnResults(options_to_dict(plan.options), plan_ops(plan));
    });
}

void ManagerObject::PlanWithChecks(sdbus::Result<VariantMap, PlanOps, PlanChecks>&& result,
                                   VariantMap options)
{
    using R = sdbus::Result<VariantMap, PlanOps, PlanChecks>;
    plan_for<R>(std::make_shared<R>(std::move(result)), options, [](R& r, const ferry::Plan& plan) {
        r.returnResults(options_to_dict(plan.options), plan_ops(plan),
                        checks_to_structs(plan.checks));
    });
}

void ManagerObject::Start(sdbus::Result<sdbus::ObjectPath>&& result, VariantMap options)
{
    auto r = std::make_shared<sdbus::Result<sdbus::ObjectPath>>(std::move(result));
    answer_guarded(*r, "Start", [&] {
        auto req = parse_request(options);
        if (!req)
            return r->returnError(to_bus_error(req.error()));
        check_then(authority_, getObject(), kActionExecute, req->interactive, r, "Start",
                   [this, r, req = *req] {
                       auto id = engine_.start(req.requested);
                       if (!id)
                           return r->returnError(to_bus_error(id.error()));
                       r->returnResults(sdbus::ObjectPath(kJobPathPrefix + *id));
                   });
    });
}

std::string ManagerObject::State()
{
    return engine_.state();
}

sdbus::ObjectPath ManagerObject::Job()
{
    const auto* job = engine_.job();
    return sdbus::ObjectPath(job ? kJobPathPrefix + job->id : std::string("/"));
}

std::string ManagerObject::Version()
{
    return FERRY_VERSION;
}

} // namespace ferry::bus
