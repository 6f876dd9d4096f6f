#include "core/measurements.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "core/job.hpp"
#include "core/json_number.hpp"
#include "core/report.hpp"

namespace ferry::core {
namespace {

Error invalid(const std::string& what)
{
    return Error{Code::InvalidArgument,
                 "The measurements of earlier jobs are unusable: " + what + ".",
                 "ferryd estimates from what Probe measures and writes the file anew after "
                 "the next job."};
}

// Finite and not negative: anything else in the file is damage.
bool usable(double v)
{
    return std::isfinite(v) && v >= 0.0;
}

double number(const nlohmann::json& j, const char* key)
{
    const auto& v = j.at(key);
    if (!v.is_number())
        throw_type_error(std::string(key) + " must be a number", v);
    return v.get<double>();
}

void keep_newest(Measurements& m)
{
    std::map<std::string, std::size_t> left; // per operation, from the newest
    std::vector<OperationSample> kept;
    for (auto it = m.samples.rbegin(); it != m.samples.rend(); ++it)
        if (left[it->operation]++ < kMaxSamplesPerOperation)
            kept.insert(kept.begin(), *it);
    m.samples = std::move(kept);
}

// In the plan's units, which the next plan divides by the rate: the
// source's data + index length as Probe saw it, not the step's own total
// (copy-data counts the tables' data without indexes).
uint64_t plan_bytes(const JobRecord& job, OperationId id, const OperationRecord* op)
{
    switch (id) {
    case OperationId::PreCopyData:
    case OperationId::CopyData:
    case OperationId::CopyDataActivateReplica: return job.source.data_bytes;
    case OperationId::CopySyslog: return job.source.log_bytes;
    default: return op ? op->bytes_total : 0;
    }
}

// How long pre-copy-data took for the user-traffic logs (its checkpoint's
// "logs"); 0 when it copied none, or did not finish them in one go.
double pre_copied_log_seconds(const JobRecord& job)
{
    const auto* op = find_operation(job, OperationId::PreCopyData);
    if (!op || !op->checkpoint.is_object())
        return 0;
    auto it = op->checkpoint.find("logs");
    if (it == op->checkpoint.end() || !it->is_object() || !it->value("complete", false))
        return 0;
    auto s = it->find("seconds");
    if (s == it->end() || !s->is_number())
        return 0;
    const double v = s->get<double>();
    return usable(v) ? v : 0;
}

} // namespace

std::vector<OperationSample> samples_of(const Measurements& m, std::string_view operation)
{
    std::vector<OperationSample> out;
    for (const auto& s : m.samples)
        if (s.operation == operation)
            out.push_back(s);
    return out;
}

void add_job(Measurements& m, const JobRecord& job, const std::vector<double>& probe_rates)
{
    // An operation that ran more than once (a crash, a reboot, a Resume)
    // has a time that says little about the next job: left out.
    std::map<std::string, int> runs;
    for (const auto& e : job.events)
        if (e.type == "operation-changed" && e.data.value("state", "") == "running")
            ++runs[e.data.value("id", "")];
    const auto times = operation_times(job);
    const auto& ids = all_operations();
    for (const auto& t : times) {
        if (t.state != "done" || runs[t.id] != 1 || !usable(t.seconds))
            continue;
        const auto id = operation_from_key(t.id);
        if (!id)
            continue;
        const OperationRecord* op = find_operation(job, *id);
        // After a copy while the source served, copy-data only caught up:
        // its time says nothing about the next full copy.
        if (*id == OperationId::CopyData && copied_while_serving(job))
            continue;
        // Nor copy-syslog after the logs were copied then: pre-copy-data's
        // log download stands for it (below).
        const double log_seconds = pre_copied_log_seconds(job);
        if (*id == OperationId::CopySyslog && log_seconds > 0)
            continue;
        const auto probe_of = [&](OperationId which) {
            for (std::size_t i = 0; i < ids.size() && i < probe_rates.size(); ++i)
                if (ids[i] == which && usable(probe_rates[i]))
                    return probe_rates[i];
            return 0.0;
        };
        double seconds = t.seconds;
        if (*id == OperationId::PreCopyData && log_seconds > 0) {
            // Its time is the data's and the logs': each counted as its own.
            seconds = std::max(0.0, t.seconds - log_seconds);
            m.samples.push_back({std::string(operation_key(OperationId::CopySyslog)),
                                 job.source.log_bytes, log_seconds,
                                 probe_of(OperationId::CopySyslog), job.finished_at_usec});
        }
        m.samples.push_back(
            {t.id, plan_bytes(job, *id, op), seconds, probe_of(*id), job.finished_at_usec});
    }
    keep_newest(m);
}

std::string serialize_measurements(const Measurements& m)
{
    nlohmann::json a = nlohmann::json::array();
    for (const auto& s : m.samples)
        a.push_back({{"operation", s.operation},
                     {"bytes", s.bytes},
                     {"seconds", s.seconds},
                     {"probe_bytes_per_second", s.probe_rate},
                     {"at_usec", s.at_usec}});
    return nlohmann::json{{"version", kMeasurementsVersion}, {"samples", a}}.dump(1) + "\n";
}

Expected<Measurements> parse_measurements(std::string_view text)
{
    if (text.size() > kMaxMeasurementsBytes)
        return invalid("the file is larger than " + std::to_string(kMaxMeasurementsBytes) +
                       " bytes");
    try {
        const auto j = nlohmann::json::parse(text);
        if (!j.is_object())
            return invalid("not a JSON object");
        if (json_integer<int>(j.at("version")) != kMeasurementsVersion)
            return invalid("version " + j.at("version").dump() + " is not " +
                           std::to_string(kMeasurementsVersion));
        const auto& a = j.at("samples");
        if (!a.is_array())
            return invalid("'samples' is not a list");
        if (a.size() > kMaxSamplesPerOperation * kOperationCount)
            return invalid("more samples than ferryd keeps");
        Measurements m;
        for (const auto& s : a) {
            OperationSample o;
            o.operation = s.at("operation").get<std::string>();
            if (!operation_from_key(o.operation))
                return invalid("unknown operation '" + o.operation.substr(0, 40) + "'");
            o.bytes = json_integer<uint64_t>(s.at("bytes"));
            o.seconds = number(s, "seconds");
            o.probe_rate = number(s, "probe_bytes_per_second");
            o.at_usec = json_integer<uint64_t>(s.at("at_usec"));
            if (!usable(o.seconds) || !usable(o.probe_rate))
                return invalid("a negative or non-finite number for '" + o.operation + "'");
            m.samples.push_back(std::move(o));
        }
        keep_newest(m);
        return m;
    } catch (const nlohmann::json::exception& e) {
        return invalid(std::string("malformed (") + e.what() + ")");
    }
}

} // namespace ferry::core
