// The objects of the migrated schemas, each with a digest of its
// definition (brief §6a "Nothing vanishes silently"). ferry-peer lists the
// source's with local root (GET /ferry/v1/db-objects); after the copy
// ferryd lists the target's the same way (lib/mariadb/object_inventory.*) and
// compares: a missing, extra or different object fails the operation with
// ObjectMismatch, naming the objects.
//
// The digest is the SHA-256 of canonical_definition(): what SHOW CREATE
// gives for the object, with the settings it runs under, normalised so
// that the same definition gives the same text on both servers:
//   - a table's AUTO_INCREMENT=N option is removed: it is a counter (state
//     carried with the rows, like the rows themselves), not definition, and
//     each server moves it on its own (InnoDB rounds it to its
//     auto_increment_increment; a load moves it to MAX+1);
//   - "utf8mb3" is read as "utf8": MariaDB 10.6 renamed the character set
//     in every SHOW CREATE (a 10.5 source says utf8, a 10.11 target
//     utf8mb3), the set is the same;
//   - DEFINER is KEPT: who a view, routine, trigger or event runs as is
//     part of what it does (SQL SECURITY DEFINER), and the copy keeps it;
//   - triggers, routines and events carry their sql_mode, events also
//     their time zone (both change what the body does); their
//     character_set_client and collation_connection are not compared (the
//     copy sends every definition in utf8mb4).
// Pure: no I/O; the SHA-256 itself is computed by the caller.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/expected.hpp"

namespace ferry::core {

// Kinds as named in the inventory: "table", "view", "sequence", "trigger",
// "procedure", "function", "event".
bool is_object_kind(std::string_view kind);

struct DbObject {
    std::string kind;
    std::string schema;
    std::string name;
    std::string sha256; // of canonical_definition(), 64 lower-case hex

    bool operator==(const DbObject&) const = default;
};

using ObjectInventory = std::vector<DbObject>;

// The text whose SHA-256 is an object's digest. `create` is SHOW CREATE's
// statement column; `sql_mode`/`time_zone` are empty for the kinds that
// have none.
std::string canonical_definition(std::string_view kind, std::string_view create, std::string_view sql_mode = {},
                                 std::string_view time_zone = {});

// {"objects": [{"kind", "schema", "name", "sha256"}, ...]}
nlohmann::json inventory_to_json(const ObjectInventory& inventory);
// IncompatibleSource for anything else than that shape (unknown kind, a
// digest that is not 64 hex digits, a name over 64 characters...).
Expected<ObjectInventory> inventory_from_json(const nlohmann::json& j);

struct ObjectDifference {
    enum class What { Missing, Extra, Different } what;
    DbObject object; // the source's (Missing, Different) or the target's (Extra)
};

// What differs between the source's inventory and the target's, sorted by
// kind, schema, name.
std::vector<ObjectDifference> compare_inventories(const ObjectInventory& source, const ObjectInventory& target);

// ObjectMismatch naming the differences (at most `limit` of them, then
// "and N more").
Error object_mismatch_error(const std::vector<ObjectDifference>& differences, std::size_t limit = 12);

} // namespace ferry::core
