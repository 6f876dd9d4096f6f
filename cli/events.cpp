#include "events.hpp"
#include "i18n.hpp"

#include <array>

namespace ferryctl {
namespace {

std::string text(const nlohmann::json& j, const char* key)
{
    if (!j.is_object() || !j.contains(key))
        return {};
    const auto& v = j.at(key);
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_boolean())
        return v.get<bool>() ? _("yes") : _("no");
    return v.dump();
}

bool flag(const nlohmann::json& j, const char* key)
{
    return j.is_object() && j.contains(key) && j.at(key).is_boolean() && j.at(key).get<bool>();
}

std::string title_for(const Titles& titles, const std::string& id)
{
    auto it = titles.find(id);
    // ferryd's operation names are the manual's: translated as the page's.
    return it != titles.end() && !it->second.empty() ? _(it->second.c_str()) : id;
}

} // namespace

Titles titles_of(const JobStatus& job)
{
    Titles t;
    for (const auto& op : job.operations)
        t[op.id] = op.title;
    return t;
}

std::string describe_options(const nlohmann::json& o)
{
    static constexpr std::array<std::pair<const char*, const char*>, 3> kNames{{
        {"SwapConfiguration", N_("Swap Configuration")},
        {"MigrateLicense", N_("Migrate License")},
        {"CopyUserTrafficLogs", N_("Copy User Traffic Logs")},
    }};
    std::string out;
    for (const auto& [key, name] : kNames) {
        if (!o.is_object() || !o.contains(key))
            continue;
        if (!out.empty())
            out += ", ";
        out += std::string(_(name)) + ": " + text(o, key);
    }
    return out;
}

std::string describe_event(const Event& e, const Titles& titles)
{
    const auto& d = e.data;
    if (e.type == "job-started") {
        // The D-Bus names since issue 16 (ferryd maps older journals).
        const nlohmann::json opts{{"SwapConfiguration", flag(d, "SwapConfiguration")},
                                  {"MigrateLicense", flag(d, "MigrateLicense")},
                                  {"CopyUserTrafficLogs", flag(d, "CopyUserTrafficLogs")}};
        return cformat(_("Migration started from %s (%s)"), text(d, "source").c_str(),
                       describe_options(opts).c_str());
    }
    if (e.type == "operation-changed")
        return title_for(titles, text(d, "id")) + ": " + text(d, "state");
    if (e.type == "state-changed")
        return cformat(_("Job %s"), text(d, "state").c_str());
    if (e.type == "resumed")
        return cformat(flag(d, "rebooted") ? _("Job resumed, attempt %s (after a reboot)")
                                           : _("Job resumed, attempt %s"),
                       text(d, "attempt").c_str());
    if (e.type == "data-path" && text(d, "path") == "full-copy")
        return cformat(_("The data is copied again, under maintenance: %s"),
                       text(d, "reason").c_str());
    if (e.type == "finished") {
        if (text(d, "state") == "succeeded")
            return _("Migration finished: succeeded");
        std::string s = _("Migration failed");
        if (auto op = text(d, "operation"); !op.empty())
            s = cformat(_("Migration failed in '%s'"), title_for(titles, op).c_str());
        if (auto code = text(d, "code"); !code.empty())
            s += " (" + code + ")";
        if (auto msg = text(d, "message"); !msg.empty())
            s += ": " + msg;
        return s;
    }
    return e.type + (event_data_text(e).empty() ? "" : " " + event_data_text(e));
}

std::string event_data_text(const Event& e)
{
    std::string out;
    if (!e.data.is_object())
        return out;
    for (const auto& [k, v] : e.data.items()) {
        if (!out.empty())
            out += " ";
        out += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    return out;
}

} // namespace ferryctl
