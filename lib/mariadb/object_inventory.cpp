#include "mariadb/object_inventory.hpp"

#include "system/digest.hpp"

namespace ferry::source {

namespace {

core::Error unreadable(const std::string& what)
{
    return core::Error{
        core::Code::Internal, "Cannot read the definition of " + what + ".",
        "Check that the MariaDB account can see every object of the migrated schemas."};
}

// Column `col` of SHOW CREATE's single row; an error when it is missing
// or NULL (the account cannot see the definition).
core::Expected<std::string> show_create(MariaDbConnection& db, const std::string& sql,
                                        std::size_t col, const std::string& what,
                                        std::vector<std::string>* more = nullptr,
                                        std::vector<std::size_t> more_cols = {})
{
    auto rows = db.query(sql);
    if (!rows)
        return rows.error();
    if (rows->empty() || rows->front().size() <= col || !rows->front()[col])
        return unreadable(what);
    for (std::size_t c : more_cols)
        more->push_back(c < rows->front().size() ? rows->front()[c].value_or("") : "");
    return *rows->front()[col];
}

std::string upper_kind(const std::string& kind)
{
    return kind == "view" ? "VIEW" : kind == "sequence" ? "SEQUENCE" : "TABLE";
}

} // namespace

core::Expected<core::ObjectInventory> read_object_inventory(MariaDbConnection& db,
                                                            const std::vector<std::string>& schemas)
{
    if (auto r = db.execute("SET SESSION character_set_results=utf8mb4"); !r)
        return r.error();
    core::ObjectInventory out;
    auto add = [&](std::string kind, const std::string& schema, const std::string& name,
                   const std::string& text, const std::string& sql_mode = {},
                   const std::string& tz = {}) {
        out.push_back(core::DbObject{
            kind, schema, name,
            local::sha256_hex(core::canonical_definition(kind, text, sql_mode, tz))});
    };
    for (const auto& schema : schemas) {
        const std::string qs = quote_identifier(schema);
        const std::string lit = quote_literal(schema);
        auto tables = db.query(
            "SELECT TABLE_TYPE, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=" +
            lit + " ORDER BY TABLE_NAME");
        if (!tables)
            return tables.error();
        for (const auto& r : *tables) {
            const std::string type = r[0].value_or("");
            const std::string name = r[1].value_or("");
            const std::string q = qs + "." + quote_identifier(name);
            // SYSTEM VERSIONED is a base table (the copy refuses it).
            const std::string kind = type == "VIEW"       ? "view"
                                     : type == "SEQUENCE" ? "sequence"
                                                          : "table";
            // SHOW CREATE TABLE of a sequence gives its underlying table,
            // without START, INCREMENT, CACHE...: SHOW CREATE SEQUENCE.
            auto text =
                show_create(db, "SHOW CREATE " + upper_kind(kind) + " " + q, 1, kind + " " + q);
            if (!text)
                return text.error();
            add(kind, schema, name, *text);
        }
        auto triggers = db.query(
            "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=" + lit +
            " ORDER BY TRIGGER_NAME");
        if (!triggers)
            return triggers.error();
        for (const auto& r : *triggers) {
            const std::string name = r[0].value_or("");
            std::vector<std::string> mode;
            auto text = show_create(db, "SHOW CREATE TRIGGER " + qs + "." + quote_identifier(name),
                                    2, "trigger " + schema + "." + name, &mode, {1});
            if (!text)
                return text.error();
            add("trigger", schema, name, *text, mode[0]);
        }
        auto routines =
            db.query("SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE "
                     "ROUTINE_SCHEMA=" +
                     lit + " ORDER BY ROUTINE_TYPE, ROUTINE_NAME");
        if (!routines)
            return routines.error();
        for (const auto& r : *routines) {
            const std::string type = r[0].value_or("");
            const std::string name = r[1].value_or("");
            if (type != "PROCEDURE" && type != "FUNCTION") {
                // PACKAGE / PACKAGE BODY (Oracle mode): the copy has no way
                // to move them yet; listed, so their absence on the target
                // is reported instead of passing unnoticed.
                out.push_back(core::DbObject{"procedure", schema, name,
                                             local::sha256_hex(type + "\n" + name)});
                continue;
            }
            std::vector<std::string> mode;
            auto text =
                show_create(db, "SHOW CREATE " + type + " " + qs + "." + quote_identifier(name), 2,
                            type + " " + schema + "." + name, &mode, {1});
            if (!text)
                return text.error();
            add(type == "PROCEDURE" ? "procedure" : "function", schema, name, *text, mode[0]);
        }
        auto events =
            db.query("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA=" + lit +
                     " ORDER BY EVENT_NAME");
        if (!events)
            return events.error();
        for (const auto& r : *events) {
            const std::string name = r[0].value_or("");
            std::vector<std::string> more;
            auto text = show_create(db, "SHOW CREATE EVENT " + qs + "." + quote_identifier(name), 3,
                                    "event " + schema + "." + name, &more, {1, 2});
            if (!text)
                return text.error();
            add("event", schema, name, *text, more[0], more[1]);
        }
    }
    return out;
}

} // namespace ferry::source
