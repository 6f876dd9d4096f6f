// Lists the objects of some schemas of a MariaDB server with the digest of
// each definition (core/db_objects.hpp says what is normalised and why).
// ferry-peer runs it on the source as local root, ferryd on the target
// after the copy; both sides run exactly this code, so that the same
// definition gives the same digest. Blocking.
#pragma once

#include <string>
#include <vector>

#include "core/db_objects.hpp"
#include "core/expected.hpp"
#include "mariadb/mariadb_conn.hpp"

namespace ferry::source {

// Tables, views, sequences, triggers, procedures, functions and events of
// `schemas` (a schema that does not exist has none). The connection must
// see every object: root, or a user with SELECT on mysql.proc, TRIGGER,
// EVENT and SHOW VIEW on the schemas. Sets character_set_results=utf8mb4
// on the session.
core::Expected<core::ObjectInventory> read_object_inventory(MariaDbConnection& db,
                                                            const std::vector<std::string>& schemas);

} // namespace ferry::source
