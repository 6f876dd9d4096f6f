// The verbs of ferryctl. Each takes the Context and its positional
// arguments (args[0] is the verb) and returns the exit code; failures are
// thrown as Failure and printed by main.cpp as "Could not <action>: ...".
#pragma once

#include <string>
#include <vector>

#include "args.hpp"
#include "bus.hpp"

namespace ferryctl {

// Owns everything a verb needs (hostnamectl's Context): the parsed
// command line and the bus, connected on first use.
struct Context {
    Args args;
    Bus bus;

    // Interactive authorization: asked for unless --no-ask-password, and
    // only with a terminal on stdin.
    bool interactive() const;
    // {"Interactive": b} plus the given --swap/--license/--logs.
    VariantMap request_options(bool with_migration_options) const;
};

using Verbs = std::vector<std::string>;

int verb_status(Context& c, const Verbs& args);
int verb_probe(Context& c, const Verbs& args);
int verb_options(Context& c, const Verbs& args);
int verb_plan(Context& c, const Verbs& args);
int verb_start(Context& c, const Verbs& args);
int verb_watch(Context& c, const Verbs& args);
int verb_events(Context& c, const Verbs& args);
int verb_report(Context& c, const Verbs& args);
int verb_acknowledge(Context& c, const Verbs& args);
int verb_resume(Context& c, const Verbs& args);

} // namespace ferryctl
