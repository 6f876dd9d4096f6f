#include "source/data_copy.hpp"

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
#include <zlib.h>

#include "core/ddl_check.hpp"

namespace ferry::source {

std::string table_key(const std::string& schema, const std::string& table)
{
    return quote_identifier(schema) + "." + quote_identifier(table);
}

std::string SourcePosition::snapshot_id() const
{
    // GTIDs advance with every logged transaction and survive binlog
    // rotation; the file position is the fallback before the first GTID.
    if (!gtid_binlog_pos.empty())
        return "gtid:" + gtid_binlog_pos;
    if (!binlog_file.empty())
        return "binlog:" + binlog_file + ":" + std::to_string(binlog_pos);
    return {};
}

namespace {

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

core::Error internal(std::string message, std::string remedy = {})
{
    return core::Error{core::Code::Internal, std::move(message), std::move(remedy)};
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::uint64_t to_u64(const std::optional<std::string>& s)
{
    std::uint64_t v = 0;
    if (s)
        std::from_chars(s->data(), s->data() + s->size(), v);
    return v;
}

std::string lower(std::string s)
{
    for (char& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// An optional minus and 1..20 digits: what a sequence value prints as.
bool is_integer_text(const std::string& s)
{
    const std::size_t digits = s.size() - (!s.empty() && s[0] == '-');
    return digits >= 1 && digits <= 20 &&
           std::all_of(s.end() - static_cast<std::ptrdiff_t>(digits), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_integer_type(const std::string& t)
{
    return t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "bigint";
}

// Types whose text form must not be loaded as a binary string: with
// CHARACTER SET binary the server would take it for their 16-byte form.
bool needs_text_conversion(const std::string& t) { return t == "inet4" || t == "inet6" || t == "uuid"; }

// Engines whose rows live elsewhere or nowhere: create the table, copy nothing.
bool data_lives_elsewhere(const std::string& engine)
{
    const std::string e = lower(engine);
    return e == "federated" || e == "federatedx" || e == "connect" || e == "spider" || e == "blackhole";
}

struct Column {
    std::string name;
    std::string data_type;
};

struct Table {
    std::string schema, name, key, engine;
    bool transactional = true;  // InnoDB: read in the snapshot. Others: read under the lock.
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
std::string row_hash_sql(const Table& t)
{
    std::string e;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const std::string q = quote_identifier(t.columns[i].name);
        e += i ? "," : "";
        e += "IFNULL(CRC32(" + (t.columns[i].data_type == "float" ? "CAST(" + q + " AS DOUBLE)" : q) + "),'n')";
    }
    return "SELECT COUNT(*), SUM(CRC32(CONCAT_WS(','," + e + "))) FROM " + t.key;
}

struct Object {
    enum class Kind { Sequence, View, Routine, Trigger, Event } kind;
    std::string schema, name;
    std::string create_sql;
    std::string sql_mode;     // the object's own (triggers, routines, events)
    std::string time_zone;    // events
    std::string sequence_next; // sequences: next_not_cached_value
};

class Engine;

// One loader: a source connection inside the snapshot, a target connection
// with the LOAD DATA LOCAL handler, and the state of the current stream.
struct Worker {
    Worker(Engine* e, MariaDbConnection s, MariaDbConnection d) : engine(e), src(std::move(s)), dst(std::move(d)) {}

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
    std::string error_text; // for the connector's error callback
    std::string hash_scratch; // row_hash()'s per-row text

    int read(char* buf, unsigned len);
};

// LOAD DATA's default format: fields by tab, lines by newline, \ escapes.
constexpr std::array<char, 256> make_escape_table()
{
    std::array<char, 256> t{};
    t[0] = '0';
    t[static_cast<unsigned char>('\t')] = 't';
    t[static_cast<unsigned char>('\n')] = 'n';
    t[static_cast<unsigned char>('\\')] = '\\';
    return t;
}
constexpr std::array<char, 256> kEscape = make_escape_table();

void append_escaped(std::string& out, const char* s, unsigned long n)
{
    const char* run = s;
    const char* end = s + n;
    for (const char* p = s; p < end; ++p) {
        const char e = kEscape[static_cast<unsigned char>(*p)];
        if (e) {
            out.append(run, static_cast<std::size_t>(p - run));
            out.push_back('\\');
            out.push_back(e);
            run = p + 1;
        }
    }
    out.append(run, static_cast<std::size_t>(end - run));
}

// One row's term of row_hash_sql()'s sum, from the values as streamed.
std::uint64_t row_hash(const MYSQL_ROW row, const unsigned long* lengths, unsigned nf, std::string& scratch)
{
    scratch.clear();
    char num[16];
    for (unsigned i = 0; i < nf; ++i) {
        if (i)
            scratch.push_back(',');
        if (!row[i]) {
            scratch.push_back('n');
            continue;
        }
        const auto c = crc32(0L, reinterpret_cast<const Bytef*>(row[i]), static_cast<uInt>(lengths[i]));
        const auto [end, ec] = std::to_chars(num, num + sizeof num, static_cast<std::uint32_t>(c));
        scratch.append(num, static_cast<std::size_t>(end - num));
    }
    return crc32(0L, reinterpret_cast<const Bytef*>(scratch.data()), static_cast<uInt>(scratch.size()));
}

int infile_init(void** ptr, const char* /*filename*/, void* userdata)
{
    // The file name the server asks for is ignored: only the stream of
    // the statement we sent is ever given, never a local file.
    auto* w = static_cast<Worker*>(userdata);
    *ptr = w;
    if (!w->res) {
        w->error_text = "unexpected LOAD DATA LOCAL request refused";
        return 1;
    }
    return 0;
}

int infile_read(void* ptr, char* buf, unsigned int len) { return static_cast<Worker*>(ptr)->read(buf, len); }

void infile_end(void* /*ptr*/) {}

int infile_error(void* ptr, char* msg, unsigned int len)
{
    auto* w = static_cast<Worker*>(ptr);
    const std::string& text = w->error_text.empty() ? std::string("stream aborted") : w->error_text;
    if (len > 0) {
        const std::size_t n = std::min<std::size_t>(text.size(), len - 1);
        std::memcpy(msg, text.data(), n);
        msg[n] = '\0';
    }
    return 2000; // CR_UNKNOWN_ERROR: the real error is kept in stream_error
}

class Engine {
  public:
    Engine(const DataCopyRequest& req, DataCopyProgress& progress) : req_(req), progress_(progress) {}

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

int Worker::read(char* buf, unsigned len)
{
    unsigned out = 0;
    while (out < len) {
        if (pending_off < pending.size()) {
            const std::size_t n = std::min<std::size_t>(len - out, pending.size() - pending_off);
            std::memcpy(buf + out, pending.data() + pending_off, n);
            pending_off += n;
            out += static_cast<unsigned>(n);
            continue;
        }
        // Refill: encode rows until a buffer's worth is ready.
        if (pending.capacity() > (16u << 20))
            std::string().swap(pending); // a huge row passed: give the memory back
        pending.clear();
        pending_off = 0;
        if (engine->aborted()) {
            if (!stream_error)
                stream_error = internal("stopped because another part of the copy failed");
            error_text = stream_error->message;
            return -1;
        }
        const unsigned nf = res->field_count();
        const bool hash = table->row_hash;
        std::uint64_t rows = 0, hashes = 0;
        while (pending.size() < len) {
            unsigned long* lengths = nullptr;
            MYSQL_ROW row = res->next(lengths);
            if (!row) {
                if (res->finished())
                    break;
                stream_error = src.last_error("reading " + table->key + " from the source");
                error_text = stream_error->message;
                table->rows.fetch_add(rows, std::memory_order_relaxed);
                return -1;
            }
            if (hash)
                hashes += row_hash(row, lengths, nf, hash_scratch);
            for (unsigned i = 0; i < nf; ++i) {
                if (i)
                    pending.push_back('\t');
                if (row[i])
                    append_escaped(pending, row[i], lengths[i]);
                else
                    pending.append("\\N", 2);
            }
            pending.push_back('\n');
            ++rows;
        }
        stream_rows += rows;
        table->rows.fetch_add(rows, std::memory_order_relaxed);
        if (hash)
            table->stream_hash.fetch_add(hashes, std::memory_order_relaxed);
        if (pending.empty())
            break; // end of the result
    }
    stream_bytes += out;
    table->bytes.fetch_add(out, std::memory_order_relaxed);
    engine->tick(out);
    return static_cast<int>(out);
}

core::Expected<bool> Engine::validate() const
{
    if (req_.schemas.empty())
        return core::Error{core::Code::InvalidArgument, "no schema to copy", {}};
    for (const auto& s : req_.schemas) {
        if (s.empty() || s.size() > 64)
            return core::Error{core::Code::InvalidArgument, "invalid schema name '" + s + "'", {}};
        const std::string l = lower(s);
        if (l == "mysql" || l == "information_schema" || l == "performance_schema" || l == "sys")
            return core::Error{core::Code::InvalidArgument, "the system schema '" + s + "' cannot be copied", {}};
    }
    if (req_.parallelism < 1 || req_.parallelism > 16)
        return core::Error{core::Code::InvalidArgument, "parallelism must be 1..16", {}};
    return true;
}

core::Expected<bool> Engine::connect()
{
    MariaDbConnection::Options src_opt;
    src_opt.role = "source";
    MariaDbConnection::Options dst_opt;
    dst_opt.role = "target";

    auto ctl = MariaDbConnection::connect(req_.source, src_opt);
    if (!ctl)
        return ctl.error();
    ctl_.emplace(std::move(*ctl));
    if (auto r = ctl_->execute(kSourceSession); !r)
        return r.error();
    // Definitions (SHOW CREATE ...) as text, not raw.
    if (auto r = ctl_->execute("SET SESSION character_set_results=utf8mb4"); !r)
        return r.error();

    auto ddl = MariaDbConnection::connect(req_.target, dst_opt);
    if (!ddl)
        return ddl.error();
    ddl_.emplace(std::move(*ddl));
    if (auto r = ddl_->execute(kTargetSession); !r)
        return r.error();
    if (auto r = ddl_->execute("SET NAMES utf8mb4"); !r)
        return r.error();
    auto li = ddl_->query_value("SELECT @@GLOBAL.local_infile");
    if (!li)
        return li.error();
    if (!*li || **li != "1")
        return internal("the target MariaDB server refuses LOAD DATA LOCAL INFILE (local_infile=OFF)",
                        "Set local_infile=ON in the target's MariaDB server configuration and restart it.");

    dst_opt.local_infile = true;
    for (unsigned i = 0; i < req_.parallelism; ++i) {
        auto s = MariaDbConnection::connect(req_.source, src_opt);
        if (!s)
            return s.error();
        auto d = MariaDbConnection::connect(req_.target, dst_opt);
        if (!d)
            return d.error();
        auto w = std::make_unique<Worker>(this, std::move(*s), std::move(*d));
        if (auto r = w->src.execute(kSourceSession); !r)
            return r.error();
        if (auto r = w->dst.execute(kTargetSession); !r)
            return r.error();
        mysql_set_local_infile_handler(w->dst.handle(), infile_init, infile_read, infile_end, infile_error,
                                       w.get());
        workers_.push_back(std::move(w));
    }
    return true;
}

// FLUSH TABLES WITH READ LOCK stops every commit on the source; while it
// holds, each worker opens a REPEATABLE READ consistent snapshot, so all of
// them see the same committed state: the one at the recorded binlog/GTID
// position. (One START TRANSACTION WITH CONSISTENT SNAPSHOT per connection
// alone would give each connection its own moment.)
core::Expected<bool> Engine::snapshot()
{
    if (auto r = ctl_->execute("SET SESSION lock_wait_timeout=" + std::to_string(req_.lock_wait_timeout.count()));
        !r)
        return r.error();
    if (auto r = ctl_->execute("FLUSH TABLES WITH READ LOCK"); !r) {
        core::Error e = r.error();
        if (ctl_->last_errno() == ER_LOCK_WAIT_TIMEOUT)
            e.remedy = "A long-running statement on the source prevented the read lock; let it finish, then resume.";
        else if (ctl_->last_errno() == ER_SPECIFIC_ACCESS_DENIED_ERROR)
            e.remedy = "The source account needs the RELOAD privilege (FLUSH TABLES WITH READ LOCK).";
        return e;
    }
    locked_ = true;
    lock_t0_ = Clock::now();
    for (auto& w : workers_) {
        if (auto r = w->src.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"); !r)
            return r.error();
        if (auto r = w->src.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"); !r)
            return r.error();
    }

    auto vars = ctl_->query("SELECT @@gtid_binlog_pos, @@gtid_current_pos, @@gtid_slave_pos, @@server_id, "
                            "@@log_bin, VERSION()");
    if (!vars)
        return vars.error();
    if (!vars->empty()) {
        const Row& v = vars->front();
        position_.gtid_binlog_pos = v[0].value_or("");
        position_.gtid_current_pos = v[1].value_or("");
        position_.gtid_slave_pos = v[2].value_or("");
        position_.server_id = static_cast<std::uint32_t>(to_u64(v[3]));
        position_.server_version = v[5].value_or("");
        auto major_minor = [](const std::string& v) {
            const auto a = v.find('.');
            const auto b = a == std::string::npos ? a : v.find('.', a + 1);
            return v.substr(0, b);
        };
        same_version_ = major_minor(position_.server_version) == major_minor(ddl_->server_version());
        if (v[4].value_or("0") == "1") {
            auto ms = ctl_->query("SHOW MASTER STATUS");
            if (ms && !ms->empty() && ms->front().size() >= 2) {
                position_.binlog_file = ms->front()[0].value_or("");
                position_.binlog_pos = to_u64(ms->front()[1]);
            } else {
                // Without BINLOG MONITOR: the snapshot's own coordinates
                // (MariaDB keeps them per consistent-snapshot transaction).
                auto st = workers_.front()->src.query(
                    "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                    "WHERE VARIABLE_NAME IN ('BINLOG_SNAPSHOT_FILE','BINLOG_SNAPSHOT_POSITION')");
                if (!st)
                    return st.error();
                for (const auto& row : *st) {
                    if (row[0] == std::optional<std::string>("BINLOG_SNAPSHOT_FILE"))
                        position_.binlog_file = row[1].value_or("");
                    else
                        position_.binlog_pos = to_u64(row[1]);
                }
            }
        }
    }
    return true;
}

core::Expected<bool> Engine::read_catalog()
{
    for (const auto& schema : req_.schemas) {
        if (auto r = read_schema(schema); !r)
            return r;
    }
    return true;
}

core::Expected<bool> Engine::read_schema(const std::string& schema)
{
    MariaDbConnection& c = *ctl_;
    const std::string qs = quote_identifier(schema);
    const std::string lit = quote_literal(schema);

    auto db = c.query("SHOW CREATE DATABASE " + qs);
    if (!db) {
        core::Error e = db.error();
        if (c.last_errno() == ER_BAD_DB_ERROR)
            e = core::Error{core::Code::Internal, "the source has no database '" + schema + "'",
                            "Check the schema names configured for the copy."};
        return e;
    }
    if (db->empty() || db->front().size() < 2 || !db->front()[1])
        return internal("SHOW CREATE DATABASE " + qs + " returned nothing");
    if (auto bad = core::check_definition("database", schema, schema, *db->front()[1]))
        return *bad;
    databases_.emplace_back(schema, *db->front()[1]);

    auto tables = c.query("SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_ROWS, DATA_LENGTH FROM "
                          "information_schema.TABLES WHERE TABLE_SCHEMA=" + lit + " ORDER BY TABLE_NAME");
    if (!tables)
        return tables.error();
    auto columns = c.query("SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_GENERATED FROM information_schema.COLUMNS "
                           "WHERE TABLE_SCHEMA=" + lit + " ORDER BY TABLE_NAME, ORDINAL_POSITION");
    if (!columns)
        return columns.error();
    auto pks = c.query("SELECT s.TABLE_NAME, s.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE "
                       "FROM information_schema.STATISTICS s JOIN information_schema.COLUMNS c "
                       "ON c.TABLE_SCHEMA=s.TABLE_SCHEMA AND c.TABLE_NAME=s.TABLE_NAME AND c.COLUMN_NAME=s.COLUMN_NAME "
                       "WHERE s.TABLE_SCHEMA=" + lit + " AND s.INDEX_NAME='PRIMARY' AND s.SEQ_IN_INDEX=1");
    if (!pks)
        return pks.error();

    std::map<std::string, std::vector<Column>> cols;
    std::set<std::string> generated;
    for (const auto& r : *columns) {
        if (r[3].value_or("NEVER") != "NEVER")
            generated.insert(r[0].value_or(""));
        else
            cols[r[0].value_or("")].push_back(Column{r[1].value_or(""), lower(r[2].value_or(""))});
    }
    std::map<std::string, std::pair<std::string, bool>> pk;
    for (const auto& r : *pks) {
        if (is_integer_type(lower(r[2].value_or(""))))
            pk[r[0].value_or("")] = {r[1].value_or(""), lower(r[3].value_or("")).find("unsigned") != std::string::npos};
    }

    for (const auto& r : *tables) {
        const std::string name = r[0].value_or("");
        const std::string type = r[1].value_or("");
        const std::string qt = qs + "." + quote_identifier(name);
        if (type == "VIEW") {
            auto v = c.query("SHOW CREATE VIEW " + qt);
            if (!v)
                return v.error();
            if (v->empty() || v->front().size() < 2 || !v->front()[1])
                return internal("cannot read the definition of the view " + qt, "Grant SHOW VIEW to the source account.");
            if (auto bad = core::check_definition("view", schema, name, *v->front()[1]))
                return *bad;
            objects_.push_back(Object{Object::Kind::View, schema, name, *v->front()[1], {}, {}, {}});
            continue;
        }
        if (type == "SEQUENCE") {
            // Not SHOW CREATE TABLE: that gives the sequence's underlying
            // table, and a sequence made from it has the default START,
            // INCREMENT, MINVALUE, MAXVALUE and CACHE (found by comparing
            // every object of both sides, issue 14).
            auto s = c.query("SHOW CREATE SEQUENCE " + qt);
            if (!s)
                return s.error();
            auto next = c.query_value("SELECT next_not_cached_value FROM " + qt);
            if (!next)
                return next.error();
            if (s->empty() || s->front().size() < 2 || !s->front()[1] || !*next)
                return internal("cannot read the sequence " + qt);
            if (auto bad = core::check_definition("sequence", schema, name, *s->front()[1]))
                return *bad;
            // It reaches SETVAL() on the target as a number: only digits.
            if (!is_integer_text(**next))
                return core::Error{core::Code::UnexpectedDefinition,
                                   "The source gave a next value for the sequence " + qt + " that is not a number.",
                                   "Check the source's MariaDB and the network path between the two systems."};
            objects_.push_back(Object{Object::Kind::Sequence, schema, name, *s->front()[1], {}, {}, **next});
            continue;
        }
        if (type == "SYSTEM VERSIONED")
            return internal("the table " + qt + " is system-versioned; its history cannot be copied this way",
                            "Copy it with mariadb-dump --dump-history, or remove versioning on the source.");
        if (type != "BASE TABLE")
            continue;

        auto t = std::make_unique<Table>();
        t->schema = schema;
        t->name = name;
        t->key = table_key(schema, name);
        t->engine = r[2].value_or("");
        t->transactional = lower(t->engine) == "innodb";
        t->copy_data = !data_lives_elsewhere(t->engine);
        t->est_rows = to_u64(r[3]);
        t->est_bytes = to_u64(r[4]);
        t->columns = cols[name];
        t->has_generated = generated.count(name) > 0;
        t->row_hash = t->has_generated || !same_version_ || req_.row_hash_all;
        if (t->columns.empty())
            return internal("cannot read the columns of " + qt);
        if (auto it = pk.find(name); it != pk.end()) {
            t->pk_first = it->second.first;
            t->pk_unsigned = it->second.second;
        }
        auto ct = c.query("SHOW CREATE TABLE " + qt);
        if (!ct)
            return ct.error();
        if (ct->empty() || ct->front().size() < 2 || !ct->front()[1])
            return internal("SHOW CREATE TABLE " + qt + " returned nothing");
        if (auto bad = core::check_definition("table", schema, name, *ct->front()[1]))
            return *bad;
        t->create_sql = *ct->front()[1];
        tables_.push_back(std::move(t));
    }

    // Triggers, routines, events: replayed after the data (a trigger must
    // not fire while the rows are loaded).
    auto trig = c.query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=" + lit +
                        " ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER");
    if (!trig)
        return trig.error();
    for (const auto& r : *trig) {
        const std::string name = r[0].value_or("");
        auto s = c.query("SHOW CREATE TRIGGER " + qs + "." + quote_identifier(name));
        if (!s)
            return s.error();
        if (s->empty() || s->front().size() < 3 || !s->front()[2])
            return internal("cannot read the trigger " + qs + "." + quote_identifier(name),
                            "Grant TRIGGER to the source account.");
        if (auto bad = core::check_definition("trigger", schema, name, *s->front()[2]))
            return *bad;
        objects_.push_back(Object{Object::Kind::Trigger, schema, name, *s->front()[2], s->front()[1].value_or(""), {}, {}});
    }
    auto routines = c.query("SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA=" +
                            lit + " ORDER BY ROUTINE_TYPE, ROUTINE_NAME");
    if (!routines)
        return routines.error();
    for (const auto& r : *routines) {
        const std::string name = r[0].value_or("");
        const std::string type = r[1].value_or("");
        if (type != "PROCEDURE" && type != "FUNCTION")
            continue; // PACKAGE (Oracle mode): not copied
        auto s = c.query("SHOW CREATE " + type + " " + qs + "." + quote_identifier(name));
        if (!s)
            return s.error();
        if (s->empty() || s->front().size() < 3 || !s->front()[2])
            return internal("cannot read the definition of the " + lower(type) + " " + qs + "." + quote_identifier(name),
                            "Grant SELECT on mysql.proc (or SHOW CREATE ROUTINE) to the source account.");
        if (auto bad = core::check_definition(lower(type), schema, name, *s->front()[2]))
            return *bad;
        objects_.push_back(Object{Object::Kind::Routine, schema, name, *s->front()[2], s->front()[1].value_or(""), {}, {}});
    }
    auto events = c.query("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA=" + lit +
                          " ORDER BY EVENT_NAME");
    if (!events)
        return events.error();
    for (const auto& r : *events) {
        const std::string name = r[0].value_or("");
        auto s = c.query("SHOW CREATE EVENT " + qs + "." + quote_identifier(name));
        if (!s)
            return s.error();
        if (s->empty() || s->front().size() < 4 || !s->front()[3])
            return internal("cannot read the event " + qs + "." + quote_identifier(name),
                            "Grant EVENT to the source account.");
        if (auto bad = core::check_definition("event", schema, name, *s->front()[3]))
            return *bad;
        objects_.push_back(Object{Object::Kind::Event, schema, name, *s->front()[3], s->front()[1].value_or(""),
                                  s->front()[2].value_or("SYSTEM"), {}});
    }
    return true;
}

core::Expected<bool> Engine::decide_checkpoint()
{
    const DataCopyCheckpoint& cp = req_.checkpoint;
    const std::string id = position_.snapshot_id();
    checkpoint_.snapshot_id = id;
    if (cp.empty())
        return true;
    // The tables of the checkpoint were copied from the source at
    // cp.snapshot_id. If the source logged a transaction since, they may be
    // stale and mixing them with this snapshot would break consistency.
    if (!id.empty() && cp.snapshot_id != id) {
        checkpoint_discarded_ = true;
        return true;
    }
    // Tables the target still has (a checkpoint is no proof on its own).
    std::set<std::string> present;
    for (const auto& schema : req_.schemas) {
        auto rows = ddl_->query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE='BASE TABLE' "
                                "AND TABLE_SCHEMA=" + quote_literal(schema));
        if (!rows)
            return rows.error();
        for (const auto& r : *rows)
            present.insert(table_key(schema, r[0].value_or("")));
    }
    use_checkpoint_ = true;
    for (auto& t : tables_) {
        if (cp.done.count(t->key) && present.count(t->key)) {
            t->from_checkpoint = true;
            checkpoint_.done.insert(t->key);
        }
    }
    return true;
}

// Splits big tables into ranges of their integer primary key (only when
// asked: request.chunk_rows). Runs inside the snapshot (a worker's
// connection), so every chunk reads the same state. Measured on MariaDB
// 10.11 it does not pay: InnoDB loads an empty table in one transaction
// with unique_checks=0 on its bulk path (indexes built by sorting), and an
// insert into that table from another transaction waits until it commits;
// the later chunks then load without the bulk path.
core::Expected<bool> Engine::plan_chunks()
{
    MariaDbConnection& c = workers_.front()->src;
    for (auto& tp : tables_) {
        Table& t = *tp;
        t.chunks = {std::string()};
        if (t.from_checkpoint || !t.copy_data)
            continue;
        if (req_.chunk_rows == 0 || t.pk_first.empty() || t.est_rows < req_.chunk_rows + req_.chunk_rows / 2)
            continue;
        const std::string pkc = quote_identifier(t.pk_first);
        auto mm = c.query("SELECT MIN(" + pkc + "), MAX(" + pkc + ") FROM " + t.key);
        if (!mm)
            return mm.error();
        if (mm->empty() || !mm->front()[0] || !mm->front()[1])
            continue;
        // Work on the 64-bit two's complement pattern so that signed and
        // unsigned keys share the arithmetic.
        auto parse = [&](const std::string& s) -> std::uint64_t {
            if (t.pk_unsigned) {
                std::uint64_t v = 0;
                std::from_chars(s.data(), s.data() + s.size(), v);
                return v;
            }
            std::int64_t v = 0;
            std::from_chars(s.data(), s.data() + s.size(), v);
            return static_cast<std::uint64_t>(v);
        };
        auto print = [&](std::uint64_t v) {
            return t.pk_unsigned ? std::to_string(v) : std::to_string(static_cast<std::int64_t>(v));
        };
        const std::uint64_t lo = parse(*mm->front()[0]);
        const std::uint64_t hi = parse(*mm->front()[1]);
        const std::uint64_t range = hi - lo; // modulo 2^64, correct for signed too
        std::uint64_t k = (t.est_rows + req_.chunk_rows - 1) / req_.chunk_rows;
        k = std::min<std::uint64_t>({k, 1024, range == UINT64_MAX ? range : range + 1});
        if (k < 2)
            continue;
        std::vector<std::string> bounds;
        for (std::uint64_t i = 1; i < k; ++i) {
            const std::uint64_t off = (range / k) * i + (range % k) * i / k;
            std::string b = print(lo + off);
            if (bounds.empty() || bounds.back() != b)
                bounds.push_back(std::move(b));
        }
        t.chunks.clear();
        t.chunks.push_back(pkc + " < " + bounds.front());
        for (std::size_t i = 1; i < bounds.size(); ++i)
            t.chunks.push_back(pkc + " >= " + bounds[i - 1] + " AND " + pkc + " < " + bounds[i]);
        t.chunks.push_back(pkc + " >= " + bounds.back());
    }
    return true;
}

core::Expected<bool> Engine::unlock()
{
    if (!locked_)
        return true;
    auto r = ctl_->execute("UNLOCK TABLES");
    locked_ = false;
    lock_seconds_ = seconds_since(lock_t0_);
    ctl_.reset(); // not needed any more; closing also releases the lock for sure
    if (!r)
        return r.error();
    return true;
}

core::Expected<bool> Engine::prepare_target()
{
    MariaDbConnection& c = *ddl_;
    for (const auto& [schema, create] : databases_) {
        const std::string qs = quote_identifier(schema);
        if (!use_checkpoint_) {
            if (auto r = c.execute("DROP DATABASE IF EXISTS " + qs); !r)
                return r;
            if (auto r = c.execute(create); !r)
                return r;
        } else {
            std::string ine = create;
            if (ine.rfind("CREATE DATABASE ", 0) == 0)
                ine.insert(16, "IF NOT EXISTS ");
            if (auto r = c.execute(ine); !r)
                return r;
            // Keep the finished tables, drop everything else: objects are
            // re-created at the end, unfinished tables are re-created below.
            const std::string lit = quote_literal(schema);
            auto objs = c.query(
                "SELECT 'TRIGGER', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=" + lit +
                " UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA=" + lit +
                " UNION ALL SELECT 'EVENT', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA=" + lit +
                " UNION ALL SELECT IF(TABLE_TYPE='BASE TABLE','TABLE',TABLE_TYPE), TABLE_NAME FROM "
                "information_schema.TABLES WHERE TABLE_SCHEMA=" + lit);
            if (!objs)
                return objs.error();
            for (const auto& r : *objs) {
                const std::string kind = r[0].value_or("");
                const std::string name = r[1].value_or("");
                if (kind == "TABLE" && checkpoint_.done.count(table_key(schema, name)))
                    continue;
                const std::string what = kind == "SYSTEM VERSIONED" ? "TABLE" : kind;
                if (auto d = c.execute("DROP " + what + " IF EXISTS " + qs + "." + quote_identifier(name)); !d)
                    return d;
            }
        }
    }
    for (auto& t : tables_) {
        if (t->from_checkpoint)
            continue;
        if (auto r = c.execute("USE " + quote_identifier(t->schema)); !r)
            return r;
        if (auto r = c.execute(t->create_sql); !r)
            return r;
    }
    return true;
}

core::Expected<bool> Engine::create_objects()
{
    MariaDbConnection& c = *ddl_;
    auto in_mode = [&](const Object& o, const std::string& stmt) -> core::Expected<bool> {
        if (auto r = c.execute("USE " + quote_identifier(o.schema)); !r)
            return r;
        if (auto r = c.execute("SET SESSION sql_mode=" + quote_literal(o.sql_mode)); !r)
            return r;
        if (!o.time_zone.empty())
            if (auto r = c.execute("SET SESSION time_zone=" + quote_literal(o.time_zone)); !r)
                return r;
        auto r = c.execute(stmt);
        auto r2 = c.execute("SET SESSION sql_mode='" + std::string(kTargetSqlMode) + "', time_zone='+00:00'");
        if (!r)
            return r;
        return r2;
    };
    // Sequences (their current value too), then views: a view may use
    // another, so create in passes until no progress.
    for (const auto& o : objects_) {
        if (o.kind != Object::Kind::Sequence)
            continue;
        const std::string q = quote_identifier(o.schema) + "." + quote_identifier(o.name);
        if (auto r = in_mode(o, o.create_sql); !r)
            return r;
        if (auto r = c.execute("SELECT SETVAL(" + q + ", " + o.sequence_next + ", 0)"); !r)
            return r;
    }
    std::vector<const Object*> views;
    for (const auto& o : objects_)
        if (o.kind == Object::Kind::View)
            views.push_back(&o);
    while (!views.empty()) {
        std::vector<const Object*> failed;
        std::optional<core::Error> last;
        for (const Object* o : views) {
            if (auto r = in_mode(*o, o->create_sql); !r) {
                failed.push_back(o);
                last = r.error();
            }
        }
        if (failed.size() == views.size())
            return *last;
        views = std::move(failed);
    }
    for (auto kind : {Object::Kind::Routine, Object::Kind::Trigger, Object::Kind::Event}) {
        for (const auto& o : objects_) {
            if (o.kind != kind)
                continue;
            if (auto r = in_mode(o, o.create_sql); !r)
                return r;
        }
    }
    return true;
}

void Engine::fail(core::Error e)
{
    {
        std::lock_guard lk(error_mu_);
        if (!error_)
            error_ = std::move(e);
    }
    abort_ = true;
    std::lock_guard lk(queue_mu_);
    queue_cv_.notify_all();
}

std::uint64_t Engine::bytes_done_locked()
{
    std::uint64_t done = 0;
    for (const auto& t : tables_) {
        if (t->from_checkpoint || t->done) {
            done += t->est_bytes;
            continue;
        }
        const std::uint64_t rows = t->rows.load(std::memory_order_relaxed);
        if (t->est_rows == 0) {
            continue;
        }
        const long double f = std::min<long double>(1.0L, static_cast<long double>(rows) / t->est_rows);
        done += static_cast<std::uint64_t>(f * t->est_bytes);
    }
    last_reported_ = std::max(last_reported_, std::min(done, total_bytes_));
    return last_reported_;
}

void Engine::tick(std::uint64_t bytes)
{
    bytes_streamed_.fetch_add(bytes, std::memory_order_relaxed);
    const std::int64_t now = Clock::now().time_since_epoch().count();
    const std::int64_t interval = std::chrono::duration_cast<Clock::duration>(kProgressInterval).count();
    std::int64_t last = last_tick_.load(std::memory_order_relaxed);
    if (now - last < interval || !last_tick_.compare_exchange_strong(last, now))
        return;
    std::lock_guard lk(progress_mu_);
    progress_.on_bytes(bytes_done_locked(), total_bytes_);
    if (progress_.cancelled())
        fail(internal("the data copy was cancelled"));
}

std::optional<std::pair<Table*, std::size_t>> Engine::pick()
{
    std::lock_guard lk(queue_mu_);
    if (abort_)
        return std::nullopt;
    // A table nobody loads yet first (each load into an empty table gets
    // InnoDB's bulk path, and two tables contend less than one); else help
    // with the chunks of a table another worker loads.
    for (int pass = 0; pass < 2; ++pass) {
        for (Table* t : order_) {
            if (t->next_chunk < t->chunks.size() && (pass == 1 || t->active == 0)) {
                ++t->active;
                return std::pair{t, t->next_chunk++};
            }
        }
    }
    return std::nullopt;
}

void Engine::work(Worker& w)
{
    for (;;) {
        auto next = pick();
        if (!next)
            break;
        auto [t, chunk] = *next;
        const auto t0 = Clock::now();
        auto r = copy_chunk(w, *t, chunk);
        if (!r) {
            fail(r.error());
            break;
        }
        bool last;
        {
            std::lock_guard lk(queue_mu_);
            --t->active;
            t->seconds += seconds_since(t0);
            last = --t->chunks_left == 0;
        }
        if (last) {
            const auto v0 = Clock::now();
            auto v = verify(w, *t);
            if (!v) {
                fail(v.error());
                break;
            }
            {
                std::lock_guard lk(queue_mu_);
                t->seconds += seconds_since(v0);
            }
            table_finished(*t);
        }
    }
    // Release the snapshot as soon as this worker has nothing more to read.
    if (!aborted())
        if (auto r = w.src.execute("COMMIT"); !r)
            fail(r.error());
}

core::Expected<bool> Engine::copy_chunk(Worker& w, Table& t, std::size_t chunk)
{
    if (!t.copy_data)
        return true;
    std::string cols, load_cols, set;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const Column& c = t.columns[i];
        const std::string q = quote_identifier(c.name);
        if (i) {
            cols += ',';
            load_cols += ',';
        }
        // The text protocol prints FLOAT with 6 significant digits, which
        // loses bits; as DOUBLE it prints the exact value in the shortest
        // form that reads back to the same number (then to the same FLOAT).
        if (c.data_type == "float")
            cols += "CAST(" + q + " AS DOUBLE)";
        else
            cols += q;
        if (needs_text_conversion(c.data_type)) {
            const std::string var = "@ferry_c" + std::to_string(i);
            load_cols += var;
            set += (set.empty() ? " SET " : ", ") + q + "=CONVERT(" + var + " USING ascii)";
        } else {
            load_cols += q;
        }
    }
    std::string select = "SELECT " + cols + " FROM " + t.key;
    if (!t.chunks[chunk].empty())
        select += " WHERE " + t.chunks[chunk];

    auto res = w.src.stream(select);
    if (!res)
        return res.error();

    // One transaction per chunk: if the stream breaks, the connector still
    // ends the "file" normally and the server would keep the rows so far;
    // without the COMMIT they are rolled back.
    if (auto r = w.dst.execute("START TRANSACTION"); !r)
        return r;

    w.res = &*res;
    w.table = &t;
    w.pending.clear();
    w.pending_off = 0;
    w.stream_rows = 0;
    w.stream_bytes = 0;
    w.stream_error.reset();
    w.error_text.clear();

    const std::string load = "LOAD DATA LOCAL INFILE 'ferry-stream' INTO TABLE " + t.key +
                             " CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
                             "LINES TERMINATED BY '\\n' (" + load_cols + ")" + set;
    const bool ok = mysql_real_query(w.dst.handle(), load.data(), load.size()) == 0;
    w.res = nullptr;
    if (!ok) {
        if (w.stream_error)
            return *w.stream_error;
        return w.dst.last_error("loading " + t.key + " into the target");
    }
    if (!res->finished())
        return internal("loading " + t.key + ": the target ended the load before the end of the source rows");

    // LOAD DATA LOCAL skips bad or duplicate rows with a warning instead of
    // failing: any warning means the target's rows differ.
    if (w.dst.warning_count() > 0) {
        std::string detail;
        if (auto warn = w.dst.query("SHOW WARNINGS LIMIT 3"); warn) {
            for (const auto& r : *warn)
                detail += " [" + r[1].value_or("") + "] " + r[2].value_or("") + ";";
        }
        (void)w.dst.execute("ROLLBACK");
        return internal("loading " + t.key + " into the target gave warnings:" + detail,
                        "The target's MariaDB does not accept the source's data as is; check its version and "
                        "configuration.");
    }
    const std::uint64_t loaded = w.dst.affected_rows();
    if (loaded != w.stream_rows) {
        (void)w.dst.execute("ROLLBACK");
        return internal("loading " + t.key + ": " + std::to_string(w.stream_rows) + " rows sent, " +
                        std::to_string(loaded) + " loaded");
    }
    if (auto r = w.dst.execute("COMMIT"); !r)
        return r;
    return true;
}

// Verification: the rows read from the snapshot against the target's rows,
// and a checksum of the table computed by each server.
//
// CHECKSUM TABLE where it is deterministic. On the source it runs on the
// worker's snapshot connection: for InnoDB it is a plain consistent read (it
// sees the snapshot, not the live table, and keeps the transaction open:
// checked with @@in_transaction); non-transactional tables are verified while
// FLUSH TABLES WITH READ LOCK still holds.
//
// CHECKSUM TABLE hashes the record's NULL bitmap but does not read generated
// columns, so their NULL bits are whatever the cached TABLE buffer last held:
// on MariaDB 10.11 the same table gives different checksums after a restart
// or a FLUSH TABLES. It also hashes storage formats, which may differ between
// server versions. For tables with generated columns, and for every table
// when the two servers' major.minor versions differ, the row hash instead
// (row_hash_sql(): COUNT(*) and SUM over rows of CRC32 of the per-column
// CRC32s, NULL distinct from ''): the target computes it with a SELECT,
// and the source's side is computed from the streamed rows, so the source
// is not scanned a second time. The check is then that the target holds
// exactly the rows streamed; that the stream is the snapshot rests on the
// SELECT itself, which reads the whole table in the snapshot (chunks are
// complementary ranges of a NOT NULL primary key, see plan_chunks()).
core::Expected<bool> Engine::verify(Worker& w, Table& t)
{
    TableResult& res = t.result;
    res.schema = t.schema;
    res.name = t.name;
    res.chunks = static_cast<unsigned>(t.chunks.size());
    res.rows = t.rows.load();
    res.bytes = t.bytes.load();
    if (!t.copy_data) {
        res.verify_method = "none";
        return true;
    }
    res.verify_method = t.row_hash ? "row-hash" : "checksum-table";

    struct Sum {
        std::uint64_t rows;
        std::uint64_t sum;
    };
    auto measure = [&](MariaDbConnection& c) -> core::Expected<Sum> {
        if (t.row_hash) {
            auto rows = c.query(row_hash_sql(t));
            if (!rows)
                return rows.error();
            if (rows->empty() || rows->front().size() < 2)
                return internal("the row hash of " + t.key + " gave no result on the " + c.role());
            return Sum{to_u64(rows->front()[0]), to_u64(rows->front()[1])};
        }
        auto count = c.query_value("SELECT COUNT(*) FROM " + t.key);
        if (!count)
            return count.error();
        auto rows = c.query("CHECKSUM TABLE " + t.key);
        if (!rows)
            return rows.error();
        if (rows->empty() || rows->front().size() < 2 || !rows->front()[1])
            return internal("CHECKSUM TABLE " + t.key + " gave no checksum on the " + c.role());
        return Sum{to_u64(*count), to_u64(rows->front()[1])};
    };
    // The source's side: with the row hash, the rows as they were streamed
    // (no second scan of the source); otherwise CHECKSUM TABLE inside the
    // snapshot.
    Sum src{res.rows, t.stream_hash.load()};
    if (!t.row_hash) {
        auto m = measure(w.src);
        if (!m)
            return m.error();
        src = *m;
        if (t.transactional) {
            auto in_trx = w.src.query_value("SELECT @@in_transaction");
            if (!in_trx)
                return in_trx.error();
            if (in_trx->value_or("0") != "1")
                return internal("the source snapshot ended while verifying " + t.key);
        }
    }
    auto dst = measure(w.dst);
    if (!dst)
        return dst.error();
    if (src.rows != res.rows || dst->rows != res.rows || dst->sum != src.sum)
        return internal("verification of " + t.key + " (" + res.verify_method + ") failed: the source " +
                            (t.row_hash ? "stream had " : "snapshot has ") + std::to_string(src.rows) +
                            " rows (" + std::to_string(res.rows) + " copied, checksum " + std::to_string(src.sum) +
                            "), the target " + std::to_string(dst->rows) + " rows (checksum " +
                            std::to_string(dst->sum) + ")",
                        "Resume the migration: the table is copied again.");
    res.checksum = src.sum;
    return true;
}

void Engine::table_finished(Table& t)
{
    {
        std::lock_guard lk(queue_mu_);
        t.result.seconds = t.seconds;
    }
    {
        std::lock_guard lk(progress_mu_);
        t.done = true;
        checkpoint_.done.insert(t.key);
        progress_.on_table_done(t.result, checkpoint_);
        progress_.on_bytes(bytes_done_locked(), total_bytes_);
    }
    if (!t.transactional && t.copy_data) {
        std::lock_guard lk(queue_mu_);
        if (locked_tables_left_ > 0)
            --locked_tables_left_;
        queue_cv_.notify_all();
    }
}

core::Expected<DataCopyResult> Engine::run()
{
    const auto t0 = Clock::now();
    if (auto r = validate(); !r)
        return r.error();
    if (auto r = connect(); !r)
        return r.error();
    if (auto r = snapshot(); !r)
        return r.error();
    if (auto r = read_catalog(); !r)
        return r.error();
    if (auto r = decide_checkpoint(); !r)
        return r.error();
    if (auto r = plan_chunks(); !r)
        return r.error();

    // Order: non-transactional tables first (the lock holds until they are
    // verified), then the biggest first so that both workers finish late
    // together rather than one alone with the largest table.
    for (auto& t : tables_) {
        total_bytes_ += t->est_bytes;
        if (t->from_checkpoint)
            continue;
        t->chunks_left = t->chunks.size();
        order_.push_back(t.get());
        if (!t->transactional && t->copy_data)
            ++locked_tables_left_;
    }
    std::stable_sort(order_.begin(), order_.end(), [](const Table* a, const Table* b) {
        if (a->transactional != b->transactional)
            return !a->transactional;
        return a->est_bytes > b->est_bytes;
    });
    if (locked_tables_left_ == 0)
        if (auto r = unlock(); !r)
            return r.error();

    if (auto r = prepare_target(); !r)
        return r.error();

    {
        std::vector<TableInfo> info;
        for (const auto& t : tables_)
            info.push_back(TableInfo{t->schema, t->name, t->engine, t->est_rows, t->est_bytes,
                                     static_cast<unsigned>(t->chunks.size()), t->from_checkpoint});
        std::lock_guard lk(progress_mu_);
        progress_.on_start(position_, info, total_bytes_);
        progress_.on_bytes(bytes_done_locked(), total_bytes_);
    }

    std::vector<std::thread> threads;
    threads.reserve(workers_.size());
    for (auto& w : workers_)
        threads.emplace_back([this, &w] { work(*w); });

    if (locked_) {
        std::unique_lock lk(queue_mu_);
        queue_cv_.wait(lk, [&] { return locked_tables_left_ == 0 || abort_; });
        lk.unlock();
        if (!abort_)
            if (auto r = unlock(); !r)
                fail(r.error());
    }
    for (auto& th : threads)
        th.join();
    if (error_)
        return *error_;
    workers_.clear();
    ctl_.reset();

    if (auto r = create_objects(); !r)
        return r.error();

    DataCopyResult result;
    result.position = position_;
    result.total_bytes = total_bytes_;
    result.bytes_streamed = bytes_streamed_.load();
    result.lock_seconds = lock_seconds_;
    result.checkpoint_discarded = checkpoint_discarded_;
    for (const auto& t : tables_) {
        if (t->from_checkpoint) {
            TableResult r;
            r.schema = t->schema;
            r.name = t->name;
            r.from_checkpoint = true;
            result.tables.push_back(r);
        } else {
            result.tables.push_back(t->result);
        }
    }
    for (const auto& o : objects_) {
        switch (o.kind) {
        case Object::Kind::View: ++result.views; break;
        case Object::Kind::Trigger: ++result.triggers; break;
        case Object::Kind::Routine: ++result.routines; break;
        case Object::Kind::Event: ++result.events; break;
        case Object::Kind::Sequence: ++result.sequences; break;
        }
    }
    {
        std::lock_guard lk(progress_mu_);
        progress_.on_bytes(total_bytes_, total_bytes_);
    }
    result.seconds = seconds_since(t0);
    return result;
}

} // namespace

core::Expected<DataCopyResult> copy_databases(const DataCopyRequest& request, DataCopyProgress& progress)
{
    Engine engine(request, progress);
    return engine.run();
}

} // namespace ferry::source
