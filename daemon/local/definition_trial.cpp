#include "local/definition_trial.hpp"

#include <set>
#include <string>

#include <mysqld_error.h>

#include <spdlog/spdlog.h>

#include "core/sql_quote.hpp"
#include "local/probe_databases.hpp"

namespace ferry::local {
namespace {

using Objects = std::vector<core::TrialObject>;

std::string value(const source::Row& r, std::size_t i)
{
    return i < r.size() && r[i] ? *r[i] : std::string();
}

// Tables and sequences, routines, triggers, events of `schema` as the
// source's MariaDB gives them, in the order they are tried (a trigger
// needs its table). A definition that cannot be read is `not_tried`.
core::Expected<Objects> read_objects(source::MariaDbConnection& c, const std::string& schema,
                                     std::vector<std::string>& not_tried)
{
    Objects out;
    const std::string lit = core::quote_literal(schema);
    const std::string qs = core::quote_identifier(schema);
    auto add_show_create = [&](const std::string& kind, const std::string& name,
                               const std::string& show, std::size_t create_col,
                               std::size_t mode_col) -> core::Expected<bool> {
        auto r = c.query("SHOW CREATE " + show + " " + qs + "." + core::quote_identifier(name));
        if (!r)
            return r.error();
        if (r->empty() || value(r->front(), create_col).empty()) {
            not_tried.push_back(show + " " + schema + "." + name +
                                " (its definition is not readable)");
            return true;
        }
        core::TrialObject o;
        o.kind = kind;
        o.schema = schema;
        o.name = name;
        o.create = value(r->front(), create_col);
        if (mode_col)
            o.sql_mode = value(r->front(), mode_col);
        out.push_back(std::move(o));
        return true;
    };
    auto tables = c.query("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE "
                          "TABLE_SCHEMA=" +
                          lit +
                          " AND TABLE_TYPE IN ('BASE TABLE','SYSTEM VERSIONED','SEQUENCE') "
                          "ORDER BY TABLE_NAME");
    if (!tables)
        return tables.error();
    for (const auto& t : *tables) {
        const bool seq = value(t, 1) == "SEQUENCE";
        if (auto r = add_show_create(seq ? "sequence" : "table", value(t, 0),
                                     seq ? "SEQUENCE" : "TABLE", 1, 0);
            !r)
            return r.error();
    }
    auto routines = c.query("SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES "
                            "WHERE ROUTINE_SCHEMA=" +
                            lit + " AND ROUTINE_TYPE IN ('PROCEDURE','FUNCTION') ORDER BY 1, 2");
    if (!routines)
        return routines.error();
    for (const auto& r : *routines) {
        const std::string type = value(r, 0);
        if (auto a = add_show_create(type == "FUNCTION" ? "function" : "procedure", value(r, 1),
                                     type, 2, 1);
            !a)
            return a.error();
    }
    auto triggers =
        c.query("SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, "
                "ACTION_STATEMENT, SQL_MODE FROM information_schema.TRIGGERS WHERE "
                "TRIGGER_SCHEMA=" +
                lit + " ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER");
    if (!triggers)
        return triggers.error();
    for (const auto& r : *triggers) {
        core::TrialObject o;
        o.kind = "trigger";
        o.schema = schema;
        o.name = value(r, 0);
        o.timing = value(r, 1);
        o.manipulation = value(r, 2);
        o.table = value(r, 3);
        o.body = value(r, 4);
        o.sql_mode = value(r, 5);
        out.push_back(std::move(o));
    }
    auto events = c.query("SELECT EVENT_NAME, EVENT_DEFINITION, SQL_MODE FROM "
                          "information_schema.EVENTS WHERE EVENT_SCHEMA=" +
                          lit + " ORDER BY EVENT_NAME");
    if (!events)
        return events.error();
    for (const auto& r : *events) {
        core::TrialObject o;
        o.kind = "event";
        o.schema = schema;
        o.name = value(r, 0);
        o.body = value(r, 1);
        o.sql_mode = value(r, 2);
        out.push_back(std::move(o));
    }
    return out;
}

// MariaDB's own words in a refusal of its ("statement CREATE TABLE: this
// system's MariaDB (unix:/run/...) error 1286: Unknown storage engine
// 'ARCHIVE'"): "error 1286: Unknown storage engine 'ARCHIVE'"; the whole
// message for an error that is not MariaDB's.
std::string server_words(const core::Error& e)
{
    if (e.server_error == 0)
        return e.message;
    const auto at = e.message.find("error " + std::to_string(e.server_error) + ": ");
    return at == std::string::npos ? e.message : e.message.substr(at);
}

// A lock another session holds (a backup's global read lock) outlasted
// lock_wait_timeout. Nothing about the object.
bool lock_timeout(const core::Error& e)
{
    return e.server_error == ER_LOCK_WAIT_TIMEOUT;
}

// Tries `objects` (of one source schema) in `scratch`. An error of the
// connection itself (this system's MariaDB stopped answering) ends the
// trial: `t.ran` false. Returns whether `scratch` was created (and must be
// dropped).
bool try_in_scratch(source::MariaDbConnection& c, const std::string& scratch,
                    const Objects& objects, core::DefinitionTrial& t, std::size_t& index)
{
    // Nothing of the trial in the binary log (an HA target's ring must not
    // see it); foreign keys may name tables that are not tried.
    for (const std::string& sql :
         {std::string("SET SESSION sql_log_bin=0, foreign_key_checks=0"),
          "CREATE DATABASE " + core::quote_identifier(scratch) + " CHARACTER SET utf8mb4",
          "USE " + core::quote_identifier(scratch)})
        if (auto r = c.execute(sql); !r) {
            t.ran = false;
            t.error = lock_timeout(r.error())
                          ? "this system's MariaDB is locked by another session (" +
                                server_words(r.error()) + ")"
                          : r.error().message;
            return sql.rfind("USE ", 0) == 0; // created when USE failed
        }
    std::set<std::string> refused_tables;
    for (const auto& o : objects) {
        if (o.kind == "trigger" && refused_tables.count(o.table))
            continue; // named with its table
        const auto stmt = core::trial_statement(o, index++);
        if (!stmt) {
            t.not_tried.push_back(core::object_label(o.kind, o.schema, o.name) + " (a qualified name)");
            continue;
        }
        // A table's engine must exist here: NO_ENGINE_SUBSTITUTION turns
        // MariaDB's silent InnoDB instead into the error the copy's
        // object check would find later.
        const std::string mode =
            o.kind == "table" || o.kind == "sequence" ? "NO_ENGINE_SUBSTITUTION" : o.sql_mode;
        if (auto r = c.execute("SET SESSION sql_mode=" + core::quote_literal(mode)); !r) {
            t.refused.push_back({o.kind, o.schema, o.name, "its sql_mode: " + r.error().message});
            continue;
        }
        ++t.tried;
        if (auto r = c.execute(*stmt); !r) {
            if (lock_timeout(r.error())) {
                t.ran = false;
                t.error = "this system's MariaDB is locked by another session (" +
                          server_words(r.error()) + ")";
                return true;
            }
            if (!c.query_value("SELECT 1")) {
                t.ran = false;
                t.error = "this system's MariaDB stopped answering: " + r.error().message;
                return true;
            }
            t.refused.push_back({o.kind, o.schema, o.name, server_words(r.error())});
            if (o.kind == "table")
                refused_tables.insert(o.name);
        }
    }
    return true;
}

} // namespace

core::DefinitionTrial try_source_definitions(const core::ApplianceConfig& config,
                                             source::PeerClient& peer,
                                             const std::string& self_address)
{
    core::DefinitionTrial t;
    std::vector<std::pair<std::string, Objects>> by_schema;
    std::optional<core::Error> read_error;
    try {
        auto opened = with_source_db(
            peer, self_address, std::chrono::seconds(30),
            [&](source::MariaDbConnection& c, const std::vector<std::string>& schemas) {
                for (const auto& s : schemas) {
                    auto objects = read_objects(c, s, t.not_tried);
                    if (!objects) {
                        read_error = objects.error();
                        return;
                    }
                    by_schema.emplace_back(s, std::move(*objects));
                }
            });
        if (!opened)
            read_error = opened.error();
        if (read_error) {
            t.error = "the source's definitions could not be read: " + read_error->message;
            return t;
        }
        auto local = local_root(config, false);
        if (!local) {
            t.error = local.error().message;
            return t;
        }
        if (auto old = drop_scratch_schemas(*local); !old) {
            t.error = old.error().message;
            return t;
        }
        t.ran = true;
        std::size_t index = 0;
        for (const auto& [schema, objects] : by_schema) {
            const std::string scratch = new_scratch_schema_name();
            if (try_in_scratch(*local, scratch, objects, t, index))
                drop_scratch_schema(config, *local, scratch);
            if (!t.ran)
                break;
        }
    } catch (const std::exception& e) {
        t.ran = false;
        t.error = e.what();
    }
    if (!t.ran)
        spdlog::warn("Probe: the source's definitions could not be tried here: {}", t.error);
    else
        spdlog::info(
            "Probe: {} of the source's definitions tried here, {} refused{}", t.tried,
            t.refused.size(),
            t.not_tried.empty() ? "" : ", " + std::to_string(t.not_tried.size()) + " not tried");
    return t;
}

} // namespace ferry::local
