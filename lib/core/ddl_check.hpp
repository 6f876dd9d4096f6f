// Checks a definition from the source (SHOW CREATE ...) before ferryd runs
// it as MariaDB root on this system (issue 14, defect 1). The copy runs
// each definition after USE <schema>, one statement per call (the
// connection has no multi-statements), so what it must be is:
//   - a CREATE of the expected kind (a CREATE TABLE for a table, never a
//     GRANT, a DROP or a CREATE USER), for exactly the expected object:
//     its name unqualified or qualified with its own schema, never
//     another schema's (mysql.user);
//   - for a trigger, on a table of its own schema;
//   - for a table, nothing that reaches outside this server's data
//     directory or out to the network: no DATA/INDEX DIRECTORY, no
//     CONNECTION=, no UNION= (MERGE over other schemas' tables), no
//     AS SELECT, and an engine that keeps its rows here.
// MariaDB's executable comments (/*! ... */, /*M! ... */) are read as the
// code they are; plain comments and string literals are skipped.
//
// What a definition may still do (docs/security.md): the body of a view,
// routine, trigger or event is the customer's code and is copied as is,
// with its DEFINER; a source that can write its own database can plant an
// object that runs with its definer's rights here, as it could there.
// Pure: no I/O.
#pragma once

#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace ferry::core {

// kind: "database", "table", "sequence", "view", "trigger", "procedure",
// "function", "event". nullopt when `text` is acceptable, else
// UnexpectedDefinition naming the object and what is wrong.
std::optional<Error> check_definition(std::string_view kind, std::string_view schema, std::string_view name,
                                      std::string_view text);

} // namespace ferry::core
