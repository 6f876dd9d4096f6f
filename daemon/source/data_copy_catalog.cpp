// What the source holds (data_copy_engine.hpp): its schemas, tables and
// objects read inside the snapshot, the checkpoint's decision, the chunks.
#include "source/data_copy_engine.hpp"

#include "core/ddl_check.hpp"

namespace ferry::source::copy_detail {

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
                          "information_schema.TABLES WHERE TABLE_SCHEMA=" +
                          lit + " ORDER BY TABLE_NAME");
    if (!tables)
        return tables.error();
    auto columns = c.query(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_GENERATED FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA=" +
        lit + " ORDER BY TABLE_NAME, ORDINAL_POSITION");
    if (!columns)
        return columns.error();
    auto pks = c.query("SELECT s.TABLE_NAME, s.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE "
                       "FROM information_schema.STATISTICS s JOIN information_schema.COLUMNS c "
                       "ON c.TABLE_SCHEMA=s.TABLE_SCHEMA AND c.TABLE_NAME=s.TABLE_NAME AND "
                       "c.COLUMN_NAME=s.COLUMN_NAME "
                       "WHERE s.TABLE_SCHEMA=" +
                       lit + " AND s.INDEX_NAME='PRIMARY' AND s.SEQ_IN_INDEX=1");
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
            pk[r[0].value_or("")] = {r[1].value_or(""), lower(r[3].value_or("")).find("unsigned") !=
                                                            std::string::npos};
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
                return internal("cannot read the definition of the view " + qt,
                                "Grant SHOW VIEW to the source account.");
            if (auto bad = core::check_definition("view", schema, name, *v->front()[1]))
                return *bad;
            objects_.push_back(
                Object{Object::Kind::View, schema, name, *v->front()[1], {}, {}, {}});
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
                return core::Error{
                    core::Code::UnexpectedDefinition,
                    "The source gave a next value for the sequence " + qt +
                        " that is not a number.",
                    "Check the source's MariaDB and the network path between the two systems."};
            objects_.push_back(
                Object{Object::Kind::Sequence, schema, name, *s->front()[1], {}, {}, **next});
            continue;
        }
        if (type == "SYSTEM VERSIONED")
            return internal(
                "the table " + qt + " is system-versioned; its history cannot be copied this way",
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
    auto trig =
        c.query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=" + lit +
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
        objects_.push_back(Object{Object::Kind::Trigger,
                                  schema,
                                  name,
                                  *s->front()[2],
                                  s->front()[1].value_or(""),
                                  {},
                                  {}});
    }
    auto routines = c.query(
        "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA=" +
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
            return internal(
                "cannot read the definition of the " + lower(type) + " " + qs + "." +
                    quote_identifier(name),
                "Grant SELECT on mysql.proc (or SHOW CREATE ROUTINE) to the source account.");
        if (auto bad = core::check_definition(lower(type), schema, name, *s->front()[2]))
            return *bad;
        objects_.push_back(Object{Object::Kind::Routine,
                                  schema,
                                  name,
                                  *s->front()[2],
                                  s->front()[1].value_or(""),
                                  {},
                                  {}});
    }
    auto events =
        c.query("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA=" + lit +
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
        objects_.push_back(Object{Object::Kind::Event,
                                  schema,
                                  name,
                                  *s->front()[3],
                                  s->front()[1].value_or(""),
                                  s->front()[2].value_or("SYSTEM"),
                                  {}});
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
        auto rows = ddl_->query(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE='BASE TABLE' "
            "AND TABLE_SCHEMA=" +
            quote_literal(schema));
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
        if (req_.chunk_rows == 0 || t.pk_first.empty() ||
            t.est_rows < req_.chunk_rows + req_.chunk_rows / 2)
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

} // namespace ferry::source::copy_detail
