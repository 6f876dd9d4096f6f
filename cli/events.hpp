// Job events in words, for `events` and the plain lines of `watch`.
#pragma once

#include <map>
#include <string>

#include "bus.hpp"

namespace ferryctl {

// Operation id -> title, from the job's Operations property.
using Titles = std::map<std::string, std::string>;
Titles titles_of(const JobStatus& job);

// "Copy the System Settings: running", "Job failed in copy-data: ...".
std::string describe_event(const Event& e, const Titles& titles);

// The event's data as "key=value" pairs, for the events table.
std::string event_data_text(const Event& e);

// The Options dictionary as "Swap Configuration: yes, ...".
std::string describe_options(const nlohmann::json& options);

} // namespace ferryctl
