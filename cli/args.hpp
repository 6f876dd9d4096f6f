// The command line: global options, verb options and the positional
// arguments (verb first). Verb-specific options are checked against the
// verb in main.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "output.hpp"

namespace ferryctl {

// Options that only some verbs take.
enum VerbOption : unsigned {
    kOptPasswordFile = 1u << 0,
    kOptSwap = 1u << 1,
    kOptLicense = 1u << 2,
    kOptLogs = 1u << 3,
    kOptSince = 1u << 4,
    kOptReconnectTimeout = 1u << 5,
    kOptFingerprint = 1u << 6,
    kOptForce = 1u << 7,
    kOptYes = 1u << 8,
    kOptLast = kOptYes, // the highest bit, for the loops over all of them
};

inline constexpr unsigned kDefaultReconnectTimeoutSec = 120;

struct Args {
    JsonMode json = JsonMode::Off;
    bool ask_password = true;
    std::optional<std::string> password_file; // "-" = stdin
    std::string fingerprint; // probe: the source's expected certificate (SHA256:...)
    std::optional<bool> swap, license, logs; // only the given ones go to Plan/Start
    uint64_t since = 0;
    unsigned reconnect_timeout_sec = kDefaultReconnectTimeoutSec;
    bool force = false;                  // acknowledge --force (AcknowledgeWithFlags Force)
    bool yes = false;                    // start --yes: confirmed without asking
    unsigned given = 0;                  // VerbOption bits seen on the command line
    std::vector<std::string> positional; // the verb and its arguments
    bool done = false;                   // --help or --version was handled
};

// Throws UsageError. Never echoes an option's value in a message (a
// mistyped --password=... must not end up on the screen or in a log).
Args parse_args(int argc, char** argv);

void print_help();

// "--swap" for kOptSwap, ...
const char* verb_option_name(VerbOption o);

} // namespace ferryctl
