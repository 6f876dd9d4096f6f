// After the catch-up (issue 18): the tables the source wrote to since the
// snapshot, compared on both sides. The copy verified every table against
// what was read inside the snapshot; MariaDB's replication applied the
// changes since; what is left to show is that the tables those changes
// touched are now equal. Both servers compute the same row hash
// (data_copy's row_hash_sql: COUNT(*) and a sum of CRC32s over the
// non-generated columns), at the same time, for every base table whose
// UPDATE_TIME on the source is at or after the snapshot's second. InnoDB
// keeps UPDATE_TIME in memory only: NULL means "not written since the
// server started" -- unless the table was evicted from InnoDB's dictionary
// cache, which happens only with more open table definitions than
// table_definition_cache; then NULL counts as written and is checked too.
// A restart since the snapshot never gets here (catch_up.cpp falls back).
// Tables the source has not written to since are the snapshot's, already
// verified. The cost is one scan of each written table on each side,
// inside the outage; docs/operations.md gives the figures.
//
// Blocking: call from a worker thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "mariadb/mariadb_conn.hpp"
#include "source/data_copy.hpp"

namespace ferry::source {

struct ChangedTablesCheck {
    std::vector<TableResult> tables; // the tables compared (verify_method "row-hash")
    unsigned unchanged = 0;          // base tables not written since the snapshot
    double seconds = 0;
};

// `snapshot_unix_time`: the source's clock at the snapshot (SourcePosition).
core::Expected<ChangedTablesCheck> verify_changed_tables(const MariaDbEndpoint& source,
                                                         const MariaDbEndpoint& target,
                                                         const std::vector<std::string>& schemas,
                                                         std::int64_t snapshot_unix_time);

} // namespace ferry::source
