// The MariaDB data copy (brief §1 op 4 "Copy data", §6): a consistent
// snapshot of the named schemas on the source, streamed table by table
// (tables in parallel, big tables in primary-key chunks) into the target's
// LOAD DATA LOCAL INFILE, binary logging off for the target sessions, every
// table verified (row count and CHECKSUM TABLE) before it is reported done.
// A re-run with the checkpoint of a crashed run copies the unfinished
// tables only. See docs/data-copy.md for the method and its argument.
//
// Blocking: call from a worker thread. Memory is bounded by
// parallelism x (the largest row + a few buffers), whatever the data size.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "mariadb/mariadb_conn.hpp"

namespace ferry::source {

// Which tables are already on the target, copied and verified, and the
// source state they were copied from. Persist it at every on_table_done.
struct DataCopyCheckpoint {
    // SourcePosition::snapshot_id() of the run that copied `done`. A re-run
    // that finds the source at another position (it was written to since)
    // discards the checkpoint and starts over.
    std::string snapshot_id;
    // table_key(schema, table) of every finished table.
    std::set<std::string> done;

    bool empty() const { return done.empty(); }
};

// "`schema`.`table`": the key of a table in checkpoints and results.
std::string table_key(const std::string& schema, const std::string& table);

struct DataCopyRequest {
    MariaDbEndpoint source;            // e.g. the source's address:3306, a temporary account, TLS
    MariaDbEndpoint target;            // e.g. this system's unix socket, root
    std::vector<std::string> schemas;  // copied whole: dropped and re-created on the target
    unsigned parallelism = 2;          // tables (or chunks) loaded at once; 1..16
    // Split tables above ~1.5x this many rows into ranges of an integer
    // primary key; 0 (the default): never. Measured: it does not pay with
    // LOAD DATA, see docs/data-copy.md (a chunk cannot load beside the
    // first chunk's bulk insert, and later chunks lose the bulk path).
    std::uint64_t chunk_rows = 0;
    DataCopyCheckpoint checkpoint;     // empty: a fresh copy
    // How long FLUSH TABLES WITH READ LOCK may wait for running statements
    // on the source before the copy fails (the source's writes wait too).
    std::chrono::seconds lock_wait_timeout{30};
    // Verify every table with the row hash, as when the two servers'
    // versions differ (for tests of that path on one MariaDB version).
    bool row_hash_all = false;
};

// The source's replication coordinates, read while FLUSH TABLES WITH READ
// LOCK was held: the snapshot contains exactly the transactions up to here.
struct SourcePosition {
    std::string binlog_file;        // SHOW MASTER STATUS (empty without log_bin)
    std::uint64_t binlog_pos = 0;
    std::string gtid_binlog_pos;    // @@gtid_binlog_pos
    std::string gtid_current_pos;   // @@gtid_current_pos (what a replica of this snapshot starts from)
    std::string gtid_slave_pos;     // @@gtid_slave_pos
    std::uint32_t server_id = 0;
    std::string server_version;
    // The source's clock at the snapshot, and when its MariaDB started
    // (both UNIX seconds, its own clock): the catch-up after a copy while
    // it served checks the tables written since, and that it did not
    // restart in between (source/catch_up_verify.hpp).
    std::int64_t unix_time = 0;
    std::int64_t started_unix_time = 0;

    // Changes whenever the source commits a logged transaction; "" when the
    // source has no binary log (then a checkpoint cannot be checked).
    std::string snapshot_id() const;
};

struct TableInfo {
    std::string schema;
    std::string name;
    std::string engine;
    std::uint64_t estimated_rows = 0;  // information_schema.TABLES.TABLE_ROWS
    std::uint64_t estimated_bytes = 0; // DATA_LENGTH: the unit of progress
    unsigned chunks = 1;
    bool from_checkpoint = false;      // done by an earlier run; not copied again
};

struct TableResult {
    std::string schema;
    std::string name;
    std::uint64_t rows = 0;            // equal on both sides
    std::uint64_t checksum = 0;        // equal on both sides, computed per verify_method
    std::string verify_method;         // "checksum-table" (CHECKSUM TABLE on both sides),
                                       // "row-hash" (the target's row hash against the one
                                       // computed from the stream, see docs/data-copy.md),
                                       // "none" (engine without local rows)
    std::uint64_t bytes = 0;           // bytes streamed (LOAD DATA text)
    double seconds = 0;                // load + verify, summed over chunks
    unsigned chunks = 1;
    bool from_checkpoint = false;
};

struct DataCopyResult {
    SourcePosition position;
    std::vector<TableResult> tables;
    std::uint64_t total_bytes = 0;     // sum of estimated_bytes (all tables)
    std::uint64_t bytes_streamed = 0;  // LOAD DATA text sent to the target by this run
    double seconds = 0;
    double lock_seconds = 0;           // how long the source was read-locked
    bool checkpoint_discarded = false; // the source changed since the checkpoint
    unsigned views = 0, triggers = 0, routines = 0, events = 0, sequences = 0;
};

// Progress reports. The engine serialises the calls (never two at once)
// but makes them from its worker threads; keep them short.
class DataCopyProgress {
  public:
    virtual ~DataCopyProgress() = default;
    // Once, after the snapshot is taken and the plan is known.
    virtual void on_start(const SourcePosition& /*position*/, const std::vector<TableInfo>& /*tables*/,
                          std::uint64_t /*total_bytes*/) {}
    // Bytes are estimated_bytes units: a table counts in proportion to its
    // rows streamed, fully once done. Monotonic; at most every ~200 ms.
    virtual void on_bytes(std::uint64_t /*done*/, std::uint64_t /*total*/) {}
    // A table is on the target and verified; `checkpoint` includes it.
    virtual void on_table_done(const TableResult& /*table*/, const DataCopyCheckpoint& /*checkpoint*/) {}
    // Polled often: true stops the copy (it then fails, resumable).
    virtual bool cancelled() { return false; }
};

// A SELECT expression: when the server started (UNIX seconds, its clock).
inline constexpr const char* kSourceStartedSql =
    "(SELECT UNIX_TIMESTAMP() - VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
    "WHERE VARIABLE_NAME = 'UPTIME')";

core::Expected<DataCopyResult> copy_databases(const DataCopyRequest& request, DataCopyProgress& progress);

} // namespace ferry::source
