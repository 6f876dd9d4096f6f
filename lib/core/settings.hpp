// The System Settings partition (brief §1 step 4, §2): a basic copy takes
// every section but the seven groups tied to this system's place in the
// network; Swap exchanges the whole configuration of the two systems.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::core {

// Section name -> section content (one file per section on the reference
// appliance).
using Sections = std::map<std::string, std::string>;

// Network, DNS, Web server, round-robin hosts, load-balancing domain,
// send/receive data to/from a remote system, FTP data backup.
inline constexpr std::array<std::string_view, 7> kExcludedSections{
    "network", "dns", "webserver", "round_robin", "load_balancing", "remote_exchange", "ftp_backup"};

bool is_excluded_section(std::string_view section);

struct SettingsOutcome {
    Sections target;                      // this system's settings afterwards
    std::optional<Sections> source_staged; // staged on the source (Swap only)
};

// Without swap: the target keeps its excluded sections (and any section the
// source does not have) and takes every basic section of the source.
// With swap: the target takes all of the source's sections and the source
// is staged with all of the target's former ones.
SettingsOutcome partition_settings(const Sections& source, const Sections& target, bool swap);

// A section name is a file name on the appliance: lower-case letters,
// digits and '_' only, so it can never escape the settings directory.
bool is_valid_section_name(std::string_view name);

} // namespace ferry::core
