// The rows in LOAD DATA's format, the row hash, the LOAD DATA LOCAL
// callbacks and the stream a worker feeds them from (data_copy_engine.hpp).
#include "source/data_copy_engine.hpp"

#include <zlib.h>

namespace ferry::source::copy_detail {

std::string row_hash_sql(const Table& t)
{
    std::string e;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const std::string q = quote_identifier(t.columns[i].name);
        e += i ? "," : "";
        e += "IFNULL(CRC32(" +
             (t.columns[i].data_type == "float" ? "CAST(" + q + " AS DOUBLE)" : q) + "),'n')";
    }
    return "SELECT COUNT(*), SUM(CRC32(CONCAT_WS(','," + e + "))) FROM " + t.key;
}

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
std::uint64_t row_hash(const MYSQL_ROW row, const unsigned long* lengths, unsigned nf,
                       std::string& scratch)
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
        const auto c =
            crc32(0L, reinterpret_cast<const Bytef*>(row[i]), static_cast<uInt>(lengths[i]));
        const auto [end, ec] = std::to_chars(num, num + sizeof num, static_cast<std::uint32_t>(c));
        scratch.append(num, static_cast<std::size_t>(end - num));
    }
    return crc32(0L, reinterpret_cast<const Bytef*>(scratch.data()),
                 static_cast<uInt>(scratch.size()));
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

int infile_read(void* ptr, char* buf, unsigned int len)
{
    return static_cast<Worker*>(ptr)->read(buf, len);
}

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

} // namespace ferry::source::copy_detail
