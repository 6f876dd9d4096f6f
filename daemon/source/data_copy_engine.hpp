// The data copy's engine (source/data_copy.hpp's copy_databases): its
// tables, objects and workers, shared by the files that implement it:
//   data_copy.cpp         connect, snapshot, scheduling, run
//   data_copy_catalog.cpp what the source holds: schemas, tables, objects,
//                         the checkpoint's decision, chunks
//   data_copy_target.cpp  the target's schemas, tables and objects
//   data_copy_chunk.cpp   one chunk's stream into LOAD DATA, and a table's
//                         verification
//   data_copy_rows.cpp    the rows in LOAD DATA's format, the row hash and
//                         the connector's LOAD DATA LOCAL callbacks
// Internal to source/: nothing outside includes it.
#pragma once

#include <mysqld_error.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "source/data_copy.hpp"

namespace ferry::source::copy_detail {

using Clock = std::chrono::steady_clock;

constexpr auto kProgressInterval = std::chrono::milliseconds(200);
// Session settings. Both sides in UTC: TIMESTAMP columns are converted to
// and from the session time zone, and a DST gap would change values.
constexpr std::string_view kSourceSession =
    "SET SESSION time_zone='+00:00', sql_mode='', character_set_results=binary, "
    "net_write_timeout=3600, net_read_timeout=3600, wait_timeout=86400, max_statement_time=0";
// sql_log_bin=0: nothing of the copy reaches the target's binary log (in
// HA it would replicate to the ring). unique_checks=0, foreign_key_checks=0:
// the data was valid on the source; InnoDB then also takes its bulk-insert
// path for a load into an empty table. NO_AUTO_VALUE_ON_ZERO keeps an
// AUTO_INCREMENT value 0; non-strict, because every warning fails the copy
// below anyway (with the message, instead of an anonymous abort).
constexpr std::string_view kTargetSession =
    "SET SESSION sql_log_bin=0, unique_checks=0, foreign_key_checks=0, time_zone='+00:00', "
    "sql_mode='NO_AUTO_VALUE_ON_ZERO', net_read_timeout=3600, net_write_timeout=3600, "
    "wait_timeout=86400, max_statement_time=0, lock_wait_timeout=300";
constexpr std::string_view kTargetSqlMode = "NO_AUTO_VALUE_ON_ZERO";

inline core::Error internal(std::string message, std::string remedy = {})
{
    return core::Error{core::Code::Internal, std::move(message), std::move(remedy)};
}

inline double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

inline std::uint64_t to_u64(const std::optional<std::string>& s)
{
    std::uint64_t v = 0;
    if (s)
        std::from_chars(s->data(), s->data() + s->size(), v);
    return v;
}

inline std::string lower(std::string s)
{
    for (char& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// An optional minus and 1..20 digits: what a sequence value prints as.
inline bool is_integer_text(const std::string& s)
{
    const std::size_t digits = s.size() - (!s.empty() && s[0] == '-');
    return digits >= 1 && digits <= 20 &&
           std::all_of(s.end() - static_cast<std::ptrdiff_t>(digits), s.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

inline bool is_integer_type(const std::string& t)
{
    return t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "bigint";
}

// Types whose text form must not be loaded as a binary string: with
// CHARACTER SET binary the server would take it for their 16-byte form.
inline bool needs_text_conversion(const std::string& t)
{
    return t == "inet4" || t == "inet6" || t == "uuid";
}

// Engines whose rows live elsewhere or nowhere: create the table, copy nothing.
inline bool data_lives_elsewhere(const std::string& engine)
{
    const std::string e = lower(engine);
    return e == "federated" || e == "federatedx" || e == "connect" || e == "spider" ||
           e == "blackhole";
}

struct Column {
    std::string name;
    std::string data_type;
};

struct Table {
    std::string schema, name, key, engine;
    bool transactional = true; // InnoDB: read in the snapshot. Others: read under the lock.
    bool copy_data = true;
    std::uint64_t est_rows = 0, est_bytes = 0;
    std::vector<Column> columns; // not generated, in ordinal order (invisible ones included)
    bool has_generated = false;  // CHECKSUM TABLE is not deterministic then: see verify()
    bool row_hash = false;       // verified by row hash: the source's side hashed from the stream
    std::string pk_first;        // first primary-key column when it is an integer
    bool pk_unsigned = false;
    std::string create_sql;
    bool from_checkpoint = false;
    std::vector<std::string> chunks; // WHERE clauses ("" = the whole table)

    // Scheduling and results: under Engine::queue_mu_.
    std::size_t next_chunk = 0;
    std::size_t chunks_left = 0;
    unsigned active = 0;
    double seconds = 0;
    // Streaming counters (the worker that streams a chunk updates them).
    std::atomic<std::uint64_t> rows{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> stream_hash{0}; // row_hash: sum of the streamed rows' hashes
    std::atomic<bool> done{false};
    TableResult result;
};

// A deterministic hash of a table's rows, without building long strings
// (a CONCAT of big BLOBs could exceed max_allowed_packet and turn NULL):
// each column's CRC32 ('n' for NULL, so NULL differs from ''), the row's
// CRC32 over those joined by ',', summed over the rows (a multiset: equal
// rows in a table without key all count). The target computes it with
// this SELECT; for the source it is computed from the streamed values
// (Worker::read, add_row_hash), which are the bytes CRC32() hashes on the
// server: character_set_results=binary, FLOAT selected as DOUBLE on both.
std::string row_hash_sql(const Table& t);

struct Object {
    enum class Kind { Sequence, View, Routine, Trigger, Event } kind;
    std::string schema, name;
    std::string create_sql;
    std::string sql_mode;      // the object's own (triggers, routines, events)
    std::string time_zone;     // events
    std::string sequence_next; // sequences: next_not_cached_value
};

class Engine;

// One loader: a source connection inside the snapshot, a target connection
// with the LOAD DATA LOCAL handler, and the state of the current stream.
struct Worker {
    Worker(Engine* e, MariaDbConnection s, MariaDbConnection d)
        : engine(e), src(std::move(s)), dst(std::move(d))
    {
    }

    Engine* engine;
    MariaDbConnection src;
    MariaDbConnection dst;

    // The stream of the LOAD DATA in progress (nullptr when idle: then a
    // LOAD DATA LOCAL request from the server is refused).
    StreamedResult* res = nullptr;
    Table* table = nullptr;
    std::string pending;
    std::size_t pending_off = 0;
    std::uint64_t stream_rows = 0;
    std::uint64_t stream_bytes = 0;
    std::optional<core::Error> stream_error;
    std::string error_text;   // for the connector's error callback
    std::string hash_scratch; // row_hash()'s per-row text

    int read(char* buf, unsigned len);
};

// LOAD DATA's default format (fields by tab, lines by newline, \ escapes):
// `n` bytes of `s` appended to `out` escaped.
void append_escaped(std::string& out, const char* s, unsigned long n);
// One row's term of row_hash_sql()'s sum, from the values as streamed.
std::uint64_t row_hash(const MYSQL_ROW row, const unsigned long* lengths, unsigned nf,
                       std::string& scratch);

// The connector's LOAD DATA LOCAL callbacks (mysql_set_local_infile_handler),
// userdata a Worker.
int infile_init(void** ptr, const char* filename, void* userdata);
int infile_read(void* ptr, char* buf, unsigned int len);
void infile_end(void* ptr);
int infile_error(void* ptr, char* msg, unsigned int len);

class Engine {
  public:
    Engine(const DataCopyRequest& req, DataCopyProgress& progress) : req_(req), progress_(progress)
    {
    }

    core::Expected<DataCopyResult> run();

    // For Worker::read.
    bool aborted() const { return abort_.load(std::memory_order_relaxed); }
    void tick(std::uint64_t bytes);

  private:
    core::Expected<bool> validate() const;
    core::Expected<bool> connect();
    core::Expected<bool> snapshot();
    core::Expected<bool> read_catalog();
    core::Expected<bool> read_schema(const std::string& schema);
    core::Expected<bool> decide_checkpoint();
    core::Expected<bool> plan_chunks();
    core::Expected<bool> unlock();
    core::Expected<bool> prepare_target();
    core::Expected<bool> create_objects();
    void work(Worker& w);
    std::optional<std::pair<Table*, std::size_t>> pick();
    core::Expected<bool> copy_chunk(Worker& w, Table& t, std::size_t chunk);
    core::Expected<bool> verify(Worker& w, Table& t);
    void table_finished(Table& t);
    void fail(core::Error e);
    std::uint64_t bytes_done_locked();

    const DataCopyRequest& req_;
    DataCopyProgress& progress_;

    std::optional<MariaDbConnection> ctl_; // source: the read lock, the catalog
    std::optional<MariaDbConnection> ddl_; // target: schema changes
    std::vector<std::unique_ptr<Worker>> workers_;

    std::vector<std::pair<std::string, std::string>> databases_; // schema, CREATE DATABASE
    std::vector<std::unique_ptr<Table>> tables_;
    std::vector<Object> objects_;
    std::vector<Table*> order_;

    SourcePosition position_;
    bool use_checkpoint_ = false;
    bool same_version_ = true; // source and target have the same major.minor
    bool checkpoint_discarded_ = false;
    bool locked_ = false;
    Clock::time_point lock_t0_{};
    double lock_seconds_ = 0;

    // Scheduling.
    std::mutex queue_mu_;
    std::condition_variable queue_cv_;
    std::size_t locked_tables_left_ = 0; // non-transactional tables not yet verified

    // Errors: the first one wins, the others stop.
    std::atomic<bool> abort_{false};
    std::mutex error_mu_;
    std::optional<core::Error> error_;

    // Progress (every DataCopyProgress call is made under progress_mu_).
    std::mutex progress_mu_;
    std::atomic<std::int64_t> last_tick_{0};
    std::atomic<std::uint64_t> bytes_streamed_{0};
    std::uint64_t total_bytes_ = 0;
    std::uint64_t last_reported_ = 0;
    DataCopyCheckpoint checkpoint_;
};

} // namespace ferry::source::copy_detail
