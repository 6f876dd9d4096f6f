#include "local/probe_measure.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <sys/mman.h>

#include <spdlog/spdlog.h>

#include "core/sql_quote.hpp"
#include "local/probe_databases.hpp"
#include "protocol/peer_protocol.hpp"
#include "system/fd.hpp"

namespace ferry::local {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Rows shaped like the appliance's (an integer key, a number with an
// index, a hash with an index, text, a time), generated until the time or
// the byte budget is spent: LOAD DATA LOCAL reads them as a file.
class ScratchStream {
  public:
    ScratchStream(Clock::time_point deadline, uint64_t max_bytes)
        : deadline_(deadline), max_bytes_(max_bytes)
    {
    }
    int read(char* out, unsigned len)
    {
        if (off_ == buf_.size()) {
            if (sent_ >= max_bytes_ || Clock::now() >= deadline_)
                return 0; // the end of the "file"
            refill();
        }
        const std::size_t n = std::min<std::size_t>(len, buf_.size() - off_);
        std::memcpy(out, buf_.data() + off_, n);
        off_ += n;
        sent_ += n;
        return int(n);
    }

  private:
    void refill()
    {
        buf_.clear();
        off_ = 0;
        char line[320];
        static const char kWords[] = "guest portal voucher session lobby room tower north south "
                                     "east west level floor suite pool garden conference ";
        while (buf_.size() < (64u << 10)) {
            const uint64_t a = rng_(), b = rng_();
            const int words = int(a % 12) + 4;
            std::string text;
            for (int i = 0; i < words; ++i) {
                const std::size_t at = std::size_t((b >> (i * 3)) % (sizeof kWords - 12));
                text.append(kWords + at, 8);
            }
            const int n = std::snprintf(
                line, sizeof line,
                "%llu\t%llu\t%016llx%016llx\t%s\t2026-%02d-%02d %02d:%02d:%02d\n",
                static_cast<unsigned long long>(++row_),
                static_cast<unsigned long long>(a % 1000003), static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b), text.c_str(), int(b % 12) + 1, int(a % 28) + 1,
                int(b % 24), int(a % 60), int(b % 60));
            buf_.append(line, std::size_t(std::max(n, 0)));
        }
    }

    Clock::time_point deadline_;
    uint64_t max_bytes_;
    uint64_t sent_ = 0, row_ = 0;
    std::string buf_;
    std::size_t off_ = 0;
    std::mt19937_64 rng_{0x5eed};
};

int stream_init(void** ptr, const char*, void* userdata)
{
    *ptr = userdata;
    return 0;
}
int stream_read(void* ptr, char* buf, unsigned int len)
{
    return static_cast<ScratchStream*>(ptr)->read(buf, len);
}
void stream_end(void*) {}
int stream_error(void*, char* msg, unsigned int len)
{
    std::snprintf(msg, len, "scratch stream failed");
    return 2000; // CR_UNKNOWN_ERROR
}

// The load, in a schema made for it; the caller drops it whatever happens.
core::Expected<double> load_scratch(source::MariaDbConnection& c, const std::string& schema,
                                    const ProbeBudget& budget)
{
    auto li = c.query_value("SELECT @@GLOBAL.local_infile");
    if (!li)
        return li.error();
    if (!*li || (**li != "1" && **li != "ON"))
        return core::Error{
            core::Code::Internal, "local_infile is OFF on this system's MariaDB", {}};
    // As the data copy loads: nothing in the binary log, InnoDB's bulk
    // path for an empty table in one transaction.
    const std::string table = core::quote_identifier(schema) + ".`scratch`";
    for (const std::string& sql :
         {std::string("SET SESSION sql_log_bin=0, unique_checks=0, foreign_key_checks=0, "
                      "sql_mode='', time_zone='+00:00'"),
          "CREATE DATABASE " + core::quote_identifier(schema),
          "CREATE TABLE " + table +
              " (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, n INT UNSIGNED NOT NULL, "
              "k CHAR(32) NOT NULL, t VARCHAR(255) NOT NULL, d DATETIME NOT NULL, KEY (n), "
              "KEY (k)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"})
        if (auto r = c.execute(sql); !r)
            return r.error();
    const auto t0 = Clock::now();
    ScratchStream stream(t0 + budget.each, budget.max_write_bytes);
    mysql_set_local_infile_handler(c.handle(), stream_init, stream_read, stream_end, stream_error,
                                   &stream);
    if (auto r = c.execute("START TRANSACTION"); !r)
        return r.error();
    if (auto r = c.execute("LOAD DATA LOCAL INFILE 'ferry-probe' INTO TABLE " + table +
                           " FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n'");
        !r)
        return r.error();
    if (auto r = c.execute("COMMIT"); !r)
        return r.error();
    const double elapsed = seconds_since(t0);
    // Bytes as InnoDB stores them, the unit of the source's data size.
    if (auto r = c.execute("ANALYZE TABLE " + table); !r)
        return r.error();
    auto stored = c.query_value("SELECT data_length + index_length FROM information_schema.TABLES "
                                "WHERE table_schema = " +
                                core::quote_literal(schema) + " AND table_name = 'scratch'");
    if (!stored)
        return stored.error();
    const double bytes = *stored ? std::strtod(stored->value().c_str(), nullptr) : 0.0;
    if (bytes <= 0 || elapsed <= 0)
        return core::Error{core::Code::Internal, "the scratch table is empty", {}};
    return bytes / elapsed;
}

// A timed read of the biggest table of `schemas`: bytes/second as the
// source stores them.
core::Expected<double> read_biggest_table(source::MariaDbConnection& c,
                                          const std::vector<std::string>& schemas,
                                          const ProbeBudget& budget)
{
    std::string in;
    for (const auto& s : schemas)
        in += (in.empty() ? "" : ",") + core::quote_literal(s);
    if (in.empty())
        return core::Error{core::Code::Internal, "no schema to read", {}};
    auto biggest =
        c.query("SELECT table_schema, table_name, data_length + index_length, table_rows "
                 "FROM information_schema.TABLES WHERE table_type = 'BASE TABLE' AND "
                 "table_rows > 0 AND table_schema IN (" +
                 in + ") ORDER BY data_length DESC LIMIT 1");
    if (!biggest)
        return biggest.error();
    if (biggest->empty() || biggest->front().size() < 4 || !biggest->front()[2] ||
        !biggest->front()[3])
        return core::Error{core::Code::Internal, "the source has no table with rows", {}};
    const auto& row = biggest->front();
    const double stored = std::strtod(row[2]->c_str(), nullptr);
    const double rows = std::strtod(row[3]->c_str(), nullptr);
    if (auto r = c.execute("SET SESSION time_zone='+00:00', sql_mode='', "
                            "character_set_results=binary");
        !r)
        return r.error();
    const auto t0 = Clock::now();
    auto res = c.stream("SELECT * FROM " + core::quote_identifier(row[0].value_or("")) + "." +
                         core::quote_identifier(row[1].value_or("")));
    if (!res)
        return res.error();
    uint64_t got = 0, bytes = 0;
    unsigned long* lengths = nullptr;
    while (bytes < budget.max_read_bytes) {
        MYSQL_ROW r = res->next(lengths);
        if (!r)
            break;
        ++got;
        for (unsigned i = 0; i < res->field_count(); ++i)
            bytes += lengths[i];
        if ((got & 255) == 0 && Clock::now() - t0 >= budget.each)
            break;
    }
    const double elapsed = seconds_since(t0);
    // Destroying the undrained result cancels the connection: the rest of
    // the table is not read.
    if (got < 1000 || elapsed <= 0 || rows <= 0)
        return core::Error{core::Code::Internal, "too few rows to time", {}};
    return double(got) * (stored / rows) / elapsed;
}

core::Expected<double> measure_source_read(source::PeerClient& peer,
                                           const std::string& self_address,
                                           const ProbeBudget& budget)
{
    core::Expected<double> rate = 0.0;
    auto opened = with_source_db(
        peer, self_address, std::chrono::seconds(10),
        [&](source::MariaDbConnection& c, const std::vector<std::string>& schemas) {
            rate = read_biggest_table(c, schemas, budget);
        });
    if (!opened)
        return opened.error();
    return rate;
}

core::Expected<double> measure_link(source::PeerClient& peer, const ProbeBudget& budget,
                                    double& round_trip)
{
    const auto t0 = Clock::now();
    auto list = peer.get("/logs");
    round_trip = seconds_since(t0);
    if (!list)
        return list.error();
    auto listed = protocol::LogList::from_json(*list);
    if (!listed)
        return listed.error();
    std::string name;
    uint64_t size = 0;
    for (const auto& f : listed->files)
        if (f.size > size) {
            size = f.size;
            name = f.name;
        }
    if (size < (4u << 20))
        return core::Error{core::Code::Internal, "no log file of 4 MB or more to time", {}};
    // Into memory: the link is measured, not this system's disk.
    Fd mem(::memfd_create("ferry-probe", MFD_CLOEXEC));
    if (mem.get() < 0)
        return core::Error{core::Code::Internal, std::string("memfd: ") + std::strerror(errno), {}};
    uint64_t got = 0;
    const auto start = Clock::now();
    const uint64_t max = budget.max_download_bytes;
    auto r = peer.download("/logs/" + name, mem.get(), "a probe download", 0, [&](uint64_t n) {
        got += n;
        return got < max && Clock::now() - start < budget.each;
    });
    const double elapsed = seconds_since(start);
    if (!r && got < (1u << 20))
        return r.error();
    return elapsed > 0 ? double(got) / elapsed : 0.0;
}

} // namespace

core::Expected<double> measure_target_write(const core::ApplianceConfig& config,
                                            const ProbeBudget& budget)
{
    auto c = local_root(config, true);
    if (!c)
        return c.error();
    const std::string schema = new_scratch_schema_name();
    core::Expected<double> rate = 0.0;
    if (auto old = drop_scratch_schemas(*c); !old)
        rate = old.error();
    else
        rate = load_scratch(*c, schema, budget);
    // Removed whatever happened; on a fresh connection when the load
    // broke this one.
    drop_scratch_schema(config, *c, schema);
    return rate;
}

core::ProbeRates measure_probe_rates(const core::ApplianceConfig& config, source::PeerClient& peer,
                                     const std::string& self_address, const TargetMeasure& target,
                                     const ProbeBudget& budget)
{
    core::ProbeRates p;
    auto note = [&p](const std::string& what, const core::Error& e) {
        p.notes += (p.notes.empty() ? "" : " ") + what + " not measured: " + e.message;
    };
    // The scratch load needs room: never where the data would not fit
    // anyway (the pre-flight check says so), nor near a full disk.
    uint64_t room = 0;
    for (const auto& f : target.filesystems)
        if (std::find(f.roles.begin(), f.roles.end(), "data") != f.roles.end())
            room = f.free_bytes;
    if (room >= 4 * budget.max_write_bytes) {
        if (auto w = measure_target_write(config, budget); w)
            p.target_write = *w;
        else
            note("This system's write rate", w.error());
    } else {
        p.notes +=
            "This system's write rate not measured: too little free room for a scratch load.";
    }
    if (auto r = measure_source_read(peer, self_address, budget); r)
        p.source_read = *r;
    else
        note("The source's read rate", r.error());
    if (auto l = measure_link(peer, budget, p.round_trip); l)
        p.link = *l;
    else
        note("The link's rate", l.error());
    spdlog::info("Probe measured: source read {}, link {}, this system's write {}, round trip "
                 "{:.1f} ms. {}",
                 core::rate_text(p.source_read), core::rate_text(p.link),
                 core::rate_text(p.target_write), p.round_trip * 1000, p.notes);
    return p;
}

} // namespace ferry::local
