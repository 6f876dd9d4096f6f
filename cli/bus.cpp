#include "bus.hpp"

#include <systemd/sd-bus.h>

#include "errors.hpp"
#include "i18n.hpp"

namespace ferryctl {
namespace {

constexpr auto kProbeTimeout = std::chrono::seconds(120); // ports, login, maybe a polkit dialog

// sdbus-c++ 1.2.0 does not expose sd_bus_message_sensitive(); the message
// pointer is a protected member, reachable from a derived class.
struct SensitiveCall : sdbus::MethodCall {
    explicit SensitiveCall(const sdbus::MethodCall& m) : sdbus::MethodCall(m) {}
    void mark() const { sd_bus_message_sensitive(static_cast<sd_bus_message*>(msg_)); }
};

template <typename T> nlohmann::json array_to_json(const sdbus::Variant& v)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& x : v.get<std::vector<T>>())
        out.push_back(x);
    return out;
}

} // namespace

ManagerProxy::ManagerProxy(sdbus::IConnection& connection)
    : ProxyInterfaces(connection, kBusName, kManagerPath)
{
    registerProxy();
}

ManagerProxy::~ManagerProxy()
{
    unregisterProxy();
}

VariantMap ManagerProxy::get_all()
{
    VariantMap props;
    getProxy()
        .callMethod("GetAll")
        .onInterface("org.freedesktop.DBus.Properties")
        .withArguments(std::string(INTERFACE_NAME))
        .storeResultsTo(props);
    return props;
}

VariantMap ManagerProxy::probe_sensitive(const std::string& address, const Secret& password,
                                         const VariantMap& flags)
{
    auto call = getProxy().createMethodCall(INTERFACE_NAME, "Probe");
    SensitiveCall(call).mark();
    // sdbus-c++ serializes from a std::string: make that copy, then wipe it.
    std::string pw;
    pw.reserve(password.view().size() + 1);
    pw.assign(password.view());
    call << address << pw << flags;
    wipe(pw);
    auto reply = getProxy().callMethod(call, kProbeTimeout);
    VariantMap info;
    reply >> info;
    return info;
}

JobProxy::JobProxy(sdbus::IConnection& connection, std::string path)
    : ProxyInterfaces(connection, kBusName, path), path_(std::move(path))
{
    registerProxy();
}

JobProxy::~JobProxy()
{
    unregisterProxy();
}

VariantMap JobProxy::get_all()
{
    return GetAll(org::ferry::Migration1::Job_proxy::INTERFACE_NAME);
}

void JobProxy::onOperationChanged(const std::string& id, const std::string& state,
                                  const uint64_t& sequence)
{
    if (on_operation_changed)
        on_operation_changed(id, state, sequence);
}

void JobProxy::onProgress(const double&, const uint64_t&, const std::string&, const double&)
{
    if (on_progress)
        on_progress();
}

void JobProxy::onFinished(const std::string& state,
                          const sdbus::Struct<std::string, std::string, std::string, std::string>&)
{
    if (on_finished)
        on_finished(state);
}

void JobProxy::onPropertiesChanged(const std::string& interfaceName, const VariantMap&,
                                   const std::vector<std::string>&)
{
    if (interfaceName == org::ferry::Migration1::Job_proxy::INTERFACE_NAME && on_properties_changed)
        on_properties_changed();
}

sdbus::IConnection& Bus::connection()
{
    if (!connection_) {
        try {
            // Honours DBUS_SYSTEM_BUS_ADDRESS.
            connection_ = sdbus::createSystemBusConnection();
        } catch (const sdbus::Error& e) {
            throw Failure(
                "org.freedesktop.DBus.Error.NoServer",
                cformat(_("Cannot connect to the system bus: %s"), e.getMessage().c_str()),
                kExitUnreachable);
        }
    }
    return *connection_;
}

ManagerProxy& Bus::manager()
{
    if (!manager_)
        manager_ = std::make_unique<ManagerProxy>(connection());
    return *manager_;
}

std::string Bus::job_path()
{
    const std::string path = manager().Job();
    if (path.empty() || path == kNoJobPath)
        throw ferry_error("NoJob", _("There is no migration job."));
    return path;
}

JobStatus job_status_from(const std::string& path, const VariantMap& p)
{
    JobStatus s;
    s.path = path;
    s.state = get_or<std::string>(p, "State");
    s.current = get_or<std::string>(p, "Current");
    s.progress = get_or<double>(p, "Progress");
    s.remaining_seconds = get_or<uint64_t>(p, "RemainingSeconds");
    s.started_at = get_or<uint64_t>(p, "StartedAt");
    s.finished_at = get_or<uint64_t>(p, "FinishedAt");
    s.event_sequence = get_or<uint64_t>(p, "EventSequence");
    s.attempt = get_or<uint32_t>(p, "Attempt");
    s.options = get_or<VariantMap>(p, "Options");
    using ErrorTuple = sdbus::Struct<std::string, std::string, std::string, std::string>;
    const auto e = get_or<ErrorTuple>(p, "Error");
    s.error = JobError{e.get<0>(), e.get<1>(), e.get<2>(), e.get<3>()};
    using OpTuple =
        sdbus::Struct<std::string, std::string, std::string, double, uint64_t, uint64_t, uint64_t>;
    for (const auto& o : get_or<std::vector<OpTuple>>(p, "Operations"))
        s.operations.push_back(Operation{o.get<0>(), o.get<1>(), o.get<2>(), o.get<3>(), o.get<4>(),
                                         o.get<5>(), o.get<6>()});
    return s;
}

nlohmann::json job_error_to_json(const JobError& e)
{
    if (e.empty())
        return nullptr;
    return {
        {"Name", e.name}, {"Operation", e.operation}, {"Message", e.message}, {"Remedy", e.remedy}};
}

nlohmann::json job_status_to_json(const JobStatus& s)
{
    nlohmann::json ops = nlohmann::json::array();
    for (const auto& o : s.operations)
        ops.push_back({{"Id", o.id},
                       {"Title", o.title},
                       {"State", o.state},
                       {"Fraction", o.fraction},
                       {"BytesDone", o.bytes_done},
                       {"BytesTotal", o.bytes_total},
                       {"RemainingSeconds", o.remaining_seconds}});
    return {{"Path", s.path},
            {"State", s.state},
            {"Current", s.current},
            {"Progress", s.progress},
            {"RemainingSeconds", s.remaining_seconds},
            {"StartedAt", s.started_at},
            {"FinishedAt", s.finished_at},
            {"EventSequence", s.event_sequence},
            {"Attempt", s.attempt},
            {"Error", job_error_to_json(s.error)},
            {"Options", dict_to_json(s.options)},
            {"Operations", ops}};
}

std::vector<Event> get_events(JobProxy& job, uint64_t since)
{
    std::vector<Event> out;
    for (const auto& e : job.GetEvents(since))
        out.push_back(Event{e.get<0>(), e.get<1>(), e.get<2>(), dict_to_json(e.get<3>())});
    return out;
}

nlohmann::json event_to_json(const Event& e)
{
    return {
        {"Sequence", e.sequence}, {"Time", e.realtime_usec}, {"Type", e.type}, {"Data", e.data}};
}

nlohmann::json variant_to_json(const sdbus::Variant& v)
{
    const std::string t = v.peekValueType();
    if (t == "s")
        return v.get<std::string>();
    if (t == "o")
        return std::string(v.get<sdbus::ObjectPath>());
    if (t == "g")
        return std::string(v.get<sdbus::Signature>());
    if (t == "b")
        return v.get<bool>();
    if (t == "y")
        return v.get<uint8_t>();
    if (t == "n")
        return v.get<int16_t>();
    if (t == "q")
        return v.get<uint16_t>();
    if (t == "i")
        return v.get<int32_t>();
    if (t == "u")
        return v.get<uint32_t>();
    if (t == "x")
        return v.get<int64_t>();
    if (t == "t")
        return v.get<uint64_t>();
    if (t == "d")
        return v.get<double>();
    if (t == "v")
        return variant_to_json(v.get<sdbus::Variant>());
    if (t == "as")
        return array_to_json<std::string>(v);
    if (t == "ab")
        return array_to_json<bool>(v);
    if (t == "au")
        return array_to_json<uint32_t>(v);
    if (t == "at")
        return array_to_json<uint64_t>(v);
    if (t == "ax")
        return array_to_json<int64_t>(v);
    if (t == "ad")
        return array_to_json<double>(v);
    if (t == "a{sv}")
        return dict_to_json(v.get<VariantMap>());
    if (t == "a{ss}")
        return nlohmann::json(v.get<std::map<std::string, std::string>>());
    if (t == "a(qsbs)") { // Probe's PortChecks
        nlohmann::json out = nlohmann::json::array();
        for (const auto& p :
             v.get<std::vector<sdbus::Struct<uint16_t, std::string, bool, std::string>>>())
            out.push_back({p.get<0>(), p.get<1>(), p.get<2>(), p.get<3>()});
        return out;
    }
    return "(unsupported D-Bus type " + t + ")";
}

nlohmann::json dict_to_json(const VariantMap& m)
{
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : m)
        out[k] = variant_to_json(v);
    return out;
}

} // namespace ferryctl
