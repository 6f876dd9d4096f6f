// The reference appliance's decisions as pure functions (no I/O, no
// clock): what its files mean and how they change. appliance.cpp reads and
// writes the files; these decide. Unit-tested in peer/tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "core/ini.hpp"
#include "core/settings.hpp"

namespace ferry::local {

// network.conf: [Network] HostName=, Domain=, Address=.
struct Identity {
    std::string host_name;
    std::string domain_name;
    std::string address;
};

// YYYY-MM-DD naming a real calendar date.
bool is_iso_date(std::string_view s);

// A name the appliance serves from one of its directories (a log file, a
// certificate): a plain file name (not empty, at most 255 bytes, no '/', no
// NUL) that does not start with '.' (so neither "." nor ".." nor hidden or
// temporary files).
bool is_visible_file_name(std::string_view name);

// The license file: [License] Guid=, State=active|released,
// ContractEnd=YYYY-MM-DD (the last day of the maintenance contract), and
// after a release ReleasedTo=<address>.
struct LicenseFacts {
    std::string guid;
    std::string state;
    std::string contract_end;
    bool licensed = false;        // State=active (what facts() has always said)
    bool contract_active = false; // ContractEnd >= today; a missing or malformed date is not
};

LicenseFacts license_facts(const core::Ini& license, std::string_view today);

struct LicenseRelease {
    core::Ini source;        // the source's license file afterwards
    std::string target_text; // the license file the target installs
    bool changed = false;    // false: released to `to` already (a retry)
};

// Releasing the license to `to`: allowed for an active license with an
// active maintenance contract (brief §1 step 4); a retry for the same
// target answers the same content again. OptionUnavailable otherwise.
core::Expected<LicenseRelease>
decide_license_release(const core::Ini& license, const std::string& to, std::string_view today);

// What to do to the settings directory so that it holds `wanted`: the
// sections whose content differs (or are new), and with `remove_others`
// the sections not in `wanted`.
struct SettingsChange {
    core::Sections write;
    std::vector<std::string> remove;
};
SettingsChange settings_change(const core::Sections& current, const core::Sections& wanted,
                               bool remove_others);

// InvalidArgument naming the first invalid section name, if any.
std::optional<core::Error> check_section_names(const core::Sections& sections);

// Server role and ring membership. The reference appliance keeps them in
// the `replication` settings section:
//   [Replication]
//   Role=Main|Additional          (default Main)
//   RingMembers=ADDR ADDR ...     (every node of the ring, this one included)
//   Main=ADDR                     (the ring's Main node, which holds the
//                                  round-robin hosts; default: this system
//                                  when Role=Main, else the first other member)
//   User=, Password=              (the ring's replication account)
// and the load-balancing domain in `load_balancing`: [LoadBalancing] Domain=.
// Standalone unless RingMembers names a node other than this system.
struct HaFacts {
    std::string server_role = "Main";
    bool high_availability = false;
    std::vector<std::string> ring_members;
    std::string main_node;                      // address; empty when standalone
    std::vector<std::string> dns_advice;        // sentences naming names and addresses
    std::vector<std::string> dns_revert_advice; // for the Result step
};
HaFacts decide_ha_facts(const core::Ini& replication, const core::Ini& load_balancing,
                        const Identity& self);

// The "migrated" record on the source: [Migrated] To=, At= (µs since the
// epoch), Swap=yes|no.
struct MigratedRecord {
    std::string to;
    uint64_t at_usec = 0;
    bool swap = false;
    bool operator==(const MigratedRecord&) const = default;
};
core::Ini migrated_ini(const MigratedRecord& r);
std::optional<MigratedRecord> parse_migrated(const core::Ini& ini);

} // namespace ferry::local
