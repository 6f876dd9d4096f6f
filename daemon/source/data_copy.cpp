#include "source/data_copy.hpp"

#include "source/data_copy_engine.hpp"

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

namespace copy_detail {

core::Expected<bool> Engine::validate() const
{
    if (req_.schemas.empty())
        return core::Error{core::Code::InvalidArgument, "no schema to copy", {}};
    for (const auto& s : req_.schemas) {
        if (s.empty() || s.size() > 64)
            return core::Error{core::Code::InvalidArgument, "invalid schema name '" + s + "'", {}};
        const std::string l = lower(s);
        if (l == "mysql" || l == "information_schema" || l == "performance_schema" || l == "sys")
            return core::Error{
                core::Code::InvalidArgument, "the system schema '" + s + "' cannot be copied", {}};
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
        return internal(
            "the target MariaDB server refuses LOAD DATA LOCAL INFILE (local_infile=OFF)",
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
        mysql_set_local_infile_handler(w->dst.handle(), infile_init, infile_read, infile_end,
                                       infile_error, w.get());
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
    if (auto r = ctl_->execute("SET SESSION lock_wait_timeout=" +
                               std::to_string(req_.lock_wait_timeout.count()));
        !r)
        return r.error();
    if (auto r = ctl_->execute("FLUSH TABLES WITH READ LOCK"); !r) {
        core::Error e = r.error();
        if (ctl_->last_errno() == ER_LOCK_WAIT_TIMEOUT)
            e.remedy = "A long-running statement on the source prevented the read lock; let it "
                       "finish, then resume.";
        else if (ctl_->last_errno() == ER_SPECIFIC_ACCESS_DENIED_ERROR)
            e.remedy =
                "The source account needs the RELOAD privilege (FLUSH TABLES WITH READ LOCK).";
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

    auto vars =
        ctl_->query("SELECT @@gtid_binlog_pos, @@gtid_current_pos, @@gtid_slave_pos, @@server_id, "
                    "@@log_bin, VERSION(), UNIX_TIMESTAMP(), " +
                    std::string(kSourceStartedSql));
    if (!vars)
        return vars.error();
    if (!vars->empty()) {
        const Row& v = vars->front();
        position_.gtid_binlog_pos = v[0].value_or("");
        position_.gtid_current_pos = v[1].value_or("");
        position_.gtid_slave_pos = v[2].value_or("");
        position_.server_id = static_cast<std::uint32_t>(to_u64(v[3]));
        position_.server_version = v[5].value_or("");
        position_.unix_time = static_cast<std::int64_t>(to_u64(v[6]));
        position_.started_unix_time = static_cast<std::int64_t>(to_u64(v[7]));
        auto major_minor = [](const std::string& v) {
            const auto a = v.find('.');
            const auto b = a == std::string::npos ? a : v.find('.', a + 1);
            return v.substr(0, b);
        };
        same_version_ =
            major_minor(position_.server_version) == major_minor(ddl_->server_version());
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
        const long double f =
            std::min<long double>(1.0L, static_cast<long double>(rows) / t->est_rows);
        done += static_cast<std::uint64_t>(f * t->est_bytes);
    }
    last_reported_ = std::max(last_reported_, std::min(done, total_bytes_));
    return last_reported_;
}

void Engine::tick(std::uint64_t bytes)
{
    bytes_streamed_.fetch_add(bytes, std::memory_order_relaxed);
    const std::int64_t now = Clock::now().time_since_epoch().count();
    const std::int64_t interval =
        std::chrono::duration_cast<Clock::duration>(kProgressInterval).count();
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

} // namespace copy_detail

core::Expected<DataCopyResult> copy_databases(const DataCopyRequest& request,
                                              DataCopyProgress& progress)
{
    copy_detail::Engine engine(request, progress);
    return engine.run();
}

} // namespace ferry::source
