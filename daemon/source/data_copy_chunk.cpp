// One chunk streamed from the snapshot into LOAD DATA, and a table's
// verification (data_copy_engine.hpp).
#include "source/data_copy_engine.hpp"

namespace ferry::source::copy_detail {

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
                             "LINES TERMINATED BY '\\n' (" +
                             load_cols + ")" + set;
    const bool ok = mysql_real_query(w.dst.handle(), load.data(), load.size()) == 0;
    w.res = nullptr;
    if (!ok) {
        if (w.stream_error)
            return *w.stream_error;
        return w.dst.last_error("loading " + t.key + " into the target");
    }
    if (!res->finished())
        return internal("loading " + t.key +
                        ": the target ended the load before the end of the source rows");

    // LOAD DATA LOCAL skips bad or duplicate rows with a warning instead of
    // failing: any warning means the target's rows differ.
    if (w.dst.warning_count() > 0) {
        std::string detail;
        if (auto warn = w.dst.query("SHOW WARNINGS LIMIT 3"); warn) {
            for (const auto& r : *warn)
                detail += " [" + r[1].value_or("") + "] " + r[2].value_or("") + ";";
        }
        (void)w.dst.execute("ROLLBACK");
        return internal(
            "loading " + t.key + " into the target gave warnings:" + detail,
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
        return internal(
            "verification of " + t.key + " (" + res.verify_method + ") failed: the source " +
                (t.row_hash ? "stream had " : "snapshot has ") + std::to_string(src.rows) +
                " rows (" + std::to_string(res.rows) + " copied, checksum " +
                std::to_string(src.sum) + "), the target " + std::to_string(dst->rows) +
                " rows (checksum " + std::to_string(dst->sum) + ")",
            "Resume the migration: the table is copied again.");
    res.checksum = src.sum;
    return true;
}

} // namespace ferry::source::copy_detail
