// Whether this system's MariaDB takes the source's object definitions,
// tried at Probe before anything changes (issue 19): a newer server may
// refuse what an older one stored (a word 10.11 reserves used unquoted in a
// routine body, a storage engine this system does not load). Found during
// copy-data, that would fail the job after the source went into
// maintenance; found here it is a failed pre-flight check naming each
// object, and Start is refused.
//
// How (local/definition_trial.*): every table, sequence, routine, trigger
// and event of the migrated schemas is created once in a scratch schema on
// this system's MariaDB, under the object's own sql_mode, and the scratch
// schema is dropped again. Views are not tried: MariaDB stores them
// rewritten with every identifier quoted and qualified, so their text
// parses on every newer server, and they name the real schemas (a trial
// would read this system's own tables). Nothing a trial creates can touch
// another schema or run:
//   - tables, sequences and routines come from SHOW CREATE, whose header
//     MariaDB rebuilds with the bare object name (checked here: a
//     qualified name is not tried);
//   - a trigger is rebuilt around its body (information_schema.TRIGGERS)
//     on the scratch copy of its table, under a name of ours;
//   - an event's body is tried as the body of a procedure of ours: an
//     event created for the trial could fire.
// Pure: the statements and the verdict; the caller runs them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::core {

struct TrialObject {
    // "table", "sequence", "procedure", "function", "trigger", "event"
    std::string kind;
    std::string schema;
    std::string name;
    // table, sequence, procedure, function: SHOW CREATE's statement.
    std::string create;
    // trigger: ACTION_TIMING ("BEFORE"), EVENT_MANIPULATION ("INSERT"),
    // EVENT_OBJECT_TABLE; trigger and event: the body as stored.
    std::string timing, manipulation, table, body;
    std::string sql_mode; // empty for tables and sequences
};

// The statement that tries `o` inside the scratch schema (the connection's
// current database), `index` making our own names unique; nullopt when
// the definition cannot be tried safely there (a qualified name, an
// unknown kind), which the caller reports as not tried.
std::optional<std::string> trial_statement(const TrialObject& o, std::size_t index);

// "PROCEDURE hotspot.p": how messages name an object of `kind`.
std::string object_label(std::string_view kind, std::string_view schema, std::string_view name);

struct RefusedDefinition {
    std::string kind, schema, name;
    std::string error; // MariaDB's message
};

struct DefinitionTrial {
    bool ran = false; // false: could not be tried at all, `error` says why
    std::string error;
    std::size_t tried = 0;
    std::vector<RefusedDefinition> refused;
    std::vector<std::string> not_tried; // "PROCEDURE hotspot.p (a qualified name)"
};

} // namespace ferry::core
