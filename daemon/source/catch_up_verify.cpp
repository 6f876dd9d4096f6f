#include "source/catch_up_verify.hpp"

#include <future>

#include "source/data_copy_engine.hpp"

namespace ferry::source {
namespace {

using copy_detail::Clock;
using copy_detail::internal;
using copy_detail::to_u64;

struct Sum {
    std::uint64_t rows = 0, sum = 0;
};

core::Expected<Sum> row_hash(MariaDbConnection& c, const std::string& sql, const std::string& key)
{
    auto rows = c.query(sql);
    if (!rows)
        return rows.error();
    if (rows->empty() || rows->front().size() < 2)
        return internal("the row hash of " + key + " gave no result on the " + c.role());
    return Sum{to_u64(rows->front()[0]), to_u64(rows->front()[1])};
}

std::string in_list(const std::vector<std::string>& schemas)
{
    std::string s;
    for (const auto& n : schemas)
        s += (s.empty() ? "" : ",") + quote_literal(n);
    return s;
}

} // namespace

core::Expected<ChangedTablesCheck> verify_changed_tables(const MariaDbEndpoint& source,
                                                         const MariaDbEndpoint& target,
                                                         const std::vector<std::string>& schemas,
                                                         std::int64_t snapshot_unix_time)
{
    const auto t0 = Clock::now();
    MariaDbConnection::Options so, to;
    so.role = "source";
    to.role = "target";
    auto src = MariaDbConnection::connect(source, so);
    if (!src)
        return src.error();
    auto dst = MariaDbConnection::connect(target, to);
    if (!dst)
        return dst.error();
    // The same session on both sides: TIMESTAMP values hash as UTC.
    for (auto* c : {&*src, &*dst})
        if (auto r = c->execute("SET SESSION time_zone='+00:00', max_statement_time=0"); !r)
            return r.error();
    ChangedTablesCheck out;
    if (schemas.empty())
        return out;
    // InnoDB forgets a table's UPDATE_TIME only when it evicts the table
    // from its dictionary cache, which it does only above
    // table_definition_cache tables. Below it, on a server that has not
    // restarted since the snapshot (catch_up.cpp checked), NULL means "not
    // written since it started", so not since the snapshot either.
    auto pressure = src->query_value(
        "SELECT VARIABLE_VALUE >= @@table_definition_cache FROM information_schema.GLOBAL_STATUS "
        "WHERE VARIABLE_NAME = 'OPEN_TABLE_DEFINITIONS'");
    if (!pressure)
        return pressure.error();
    const bool null_is_unknown = pressure->value_or("1") != "0";
    // The snapshot's whole second is "after" (UPDATE_TIME has seconds).
    auto tables = src->query(
        "SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, " +
        std::string(null_is_unknown ? "UPDATE_TIME IS NULL OR " : "") + "UPDATE_TIME >= "
        "FROM_UNIXTIME(" +
        std::to_string(snapshot_unix_time) +
        ") FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN (" +
        in_list(schemas) + ") ORDER BY TABLE_SCHEMA, TABLE_NAME");
    if (!tables)
        return tables.error();
    for (const auto& row : *tables) {
        if (row.size() < 4 || !row[0] || !row[1])
            continue;
        copy_detail::Table t;
        t.schema = *row[0];
        t.name = *row[1];
        t.key = table_key(t.schema, t.name);
        // NULL from the comparison: UPDATE_TIME unknown and trusted (above).
        if (row[3].value_or("0") != "1" || copy_detail::data_lives_elsewhere(row[2].value_or(""))) {
            ++out.unchanged;
            continue;
        }
        auto cols = src->query(
            "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " +
            quote_literal(t.schema) + " AND TABLE_NAME = " + quote_literal(t.name) +
            " AND IS_GENERATED = 'NEVER' ORDER BY ORDINAL_POSITION");
        if (!cols)
            return cols.error();
        for (const auto& c : *cols)
            if (c.size() >= 2 && c[0])
                t.columns.push_back({*c[0], c[1].value_or("")});
        const std::string sql = copy_detail::row_hash_sql(t);
        const auto started = Clock::now();
        // Both servers scan at once: the check costs one scan, not two.
        auto on_target = std::async(std::launch::async, [&] { return row_hash(*dst, sql, t.key); });
        auto s = row_hash(*src, sql, t.key);
        auto d = on_target.get();
        if (!s)
            return s.error();
        if (!d)
            return d.error();
        if (s->rows != d->rows || s->sum != d->sum)
            return core::Error{core::Code::Internal,
                               "After the catch-up " + t.key + " differs: the source has " +
                                   std::to_string(s->rows) + " rows (row hash " +
                                   std::to_string(s->sum) + "), this system " +
                                   std::to_string(d->rows) + " (row hash " +
                                   std::to_string(d->sum) + ").",
                               "Resume(): the data is then copied again under maintenance."};
        TableResult r;
        r.schema = t.schema;
        r.name = t.name;
        r.rows = s->rows;
        r.checksum = s->sum;
        r.verify_method = "row-hash";
        r.seconds = copy_detail::seconds_since(started);
        out.tables.push_back(std::move(r));
    }
    out.seconds = copy_detail::seconds_since(t0);
    return out;
}

} // namespace ferry::source
