// The wizard's Options step as rules (brief §1 step 4): which options exist,
// when each is available, and what a request resolves to. Pure logic.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace ferry::core {

inline constexpr const char* kOptSwap = "SwapConfiguration";
inline constexpr const char* kOptLicense = "MigrateLicense";
inline constexpr const char* kOptLogs = "CopyUserTrafficLogs";

// What Probe learned about the source that the rules depend on.
struct SourceFacts {
    bool high_availability = false;
    bool licensed = false;
    bool contract_active = false; // active Maintenance Contract
};

// What this system (the target) knows about itself.
struct TargetFacts {
    bool licensed = false;
};

struct Options {
    bool swap = false;
    bool license = false;
    bool logs = false;
    bool operator==(const Options&) const = default;
};

// One option as the Options step shows it.
struct OptionRule {
    std::string key;
    bool available = true;
    bool forced = false;        // shown on and locked (HA forces Swap)
    bool default_value = false; // the value used when the request omits the key
    std::string reason;         // why unavailable or forced; empty otherwise
};

// One entry of an options dictionary as received, before validation. The
// transport fills `type` with its type signature ("b" for a boolean).
struct RawOption {
    std::string key;
    std::string type;
    bool value = false; // meaningful only when type == "b"
};

struct RequestedOptions {
    std::optional<bool> swap, license, logs;
};

// Checks keys and types: UnknownOption / InvalidArgument naming the key.
Expected<RequestedOptions> parse_options(const std::vector<RawOption>& raw);

// The three options with availability, in the wizard's order.
std::vector<OptionRule> option_rules(const SourceFacts& source, const TargetFacts& target);

// Resolves a request to effective options. `source` is null before a Probe:
// target-side rules still apply (they need no source), then NotProbed.
Expected<Options> resolve_options(const RequestedOptions& req, const SourceFacts* source,
                                  const TargetFacts& target);

} // namespace ferry::core
