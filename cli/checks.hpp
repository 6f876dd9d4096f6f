// The pre-flight checks (Probe's PreflightChecks, PlanWithChecks' checks),
// a(ssss) = (id, verdict, title, message), as ferryctl prints them.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sdbus-c++/Types.h>
#include <string>
#include <vector>

#include "i18n.hpp"

namespace ferryctl {

using CheckTuple = sdbus::Struct<std::string, std::string, std::string, std::string>;

inline nlohmann::json checks_to_json(const std::vector<CheckTuple>& checks)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : checks)
        out.push_back({{"Id", c.get<0>()},
                       {"Verdict", c.get<1>()},
                       {"Title", c.get<2>()},
                       {"Message", c.get<3>()}});
    return out;
}

// "  ok       Title: message" per check; returns whether one failed.
inline bool print_checks(const std::vector<CheckTuple>& checks)
{
    bool failed = false;
    if (checks.empty())
        return false;
    std::printf("%s", _("\nPre-flight checks:\n"));
    for (const auto& c : checks) {
        failed = failed || c.get<1>() == "failure";
        // The title is one of ferryd's fixed sentences (N_() there, in the
        // catalog); the message carries this job's figures: English.
        std::printf("  %-8s %s: %s\n", c.get<1>().c_str(), daemon_text(c.get<2>()).c_str(),
                    c.get<3>().c_str());
    }
    if (failed)
        std::printf("%s", _("A check failed: 'ferryctl start' with these options is refused "
                            "(PreflightFailed) until its cause is removed.\n"));
    return failed;
}

} // namespace ferryctl
