// data-copy-tool: source::copy_databases from the command line, for the
// integration test (tests/integration/data-copy.sh), the benchmark and the
// demo.
//
//   data-copy-tool --source-host 127.0.0.2 [--source-port 3306] [--source-user U]
//                  [--source-tls [--source-ca FILE] [--source-no-verify] [--source-fingerprint FP]]
//                  (--target-socket PATH | --target-host H [--target-port P]) [--target-user U]
//                  --schema NAME [--schema NAME...] [--threads 2] [--chunk-rows 0]
//                  [--checkpoint FILE] [--lock-wait-timeout S] [--quiet]
//
// Passwords never go on the command line (ps would show them): the
// environment FERRY_SOURCE_PASSWORD / FERRY_TARGET_PASSWORD, or
// --source-password-file / --target-password-file.
// Progress lines go to stderr ("data-copy: ..."), the result as one JSON
// object to stdout. With --checkpoint, FILE is read at start when it exists
// and rewritten atomically (temp + fsync + rename + fsync dir) after every
// table, so a run killed at any moment can be resumed with the same FILE.
// Exit status: 0 copied and verified, 1 failed (JSON has the error), 2 usage.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "source/data_copy.hpp"

using namespace ferry;
using nlohmann::json;

namespace {

[[noreturn]] void usage(const std::string& why)
{
    std::cerr << "data-copy-tool: " << why << "\n"
              << "usage: data-copy-tool --source-host H [--source-port P] [--source-user U] [--source-tls]\n"
                 "         [--source-ca FILE] [--source-no-verify] [--source-fingerprint FP]\n"
                 "         [--source-password-file FILE] (--target-socket PATH | --target-host H [--target-port P])\n"
                 "         [--target-user U] [--target-password-file FILE] --schema NAME [--schema NAME...]\n"
                 "         [--threads N] [--chunk-rows N] [--checkpoint FILE] [--lock-wait-timeout S] [--row-hash] [--quiet]\n"
                 "--row-hash: verify every table by row hash, as between two MariaDB versions\n"
                 "passwords: FERRY_SOURCE_PASSWORD / FERRY_TARGET_PASSWORD or the --*-password-file options\n";
    std::exit(2);
}

std::string read_password_file(const std::string& path)
{
    std::ifstream f(path);
    if (!f)
        usage("cannot read " + path);
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

unsigned long long number(const std::string& opt, const std::string& v)
{
    char* end = nullptr;
    errno = 0;
    const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end || errno)
        usage(opt + " needs a number");
    return n;
}

bool write_file_atomic(const std::filesystem::path& path, const std::string& content, std::string& err)
{
    const std::filesystem::path tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        err = "open " + tmp.string() + ": " + std::strerror(errno);
        return false;
    }
    const char* p = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = "write " + tmp.string() + ": " + std::strerror(errno);
            ::close(fd);
            return false;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        err = "fsync " + tmp.string() + ": " + std::strerror(errno);
        return false;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        err = "rename " + tmp.string() + ": " + std::strerror(errno);
        return false;
    }
    std::filesystem::path dir = path.parent_path();
    if (dir.empty())
        dir = ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return true;
}

json checkpoint_json(const source::DataCopyCheckpoint& cp)
{
    json done = json::array();
    for (const auto& k : cp.done)
        done.push_back(k);
    return json{{"snapshot_id", cp.snapshot_id}, {"done", done}};
}

class Reporter final : public source::DataCopyProgress {
  public:
    Reporter(std::string checkpoint_path, bool quiet) : path_(std::move(checkpoint_path)), quiet_(quiet) {}

    void on_start(const source::SourcePosition& pos, const std::vector<source::TableInfo>& tables,
                  std::uint64_t total) override
    {
        unsigned resumed = 0, chunks = 0;
        for (const auto& t : tables) {
            resumed += t.from_checkpoint ? 1 : 0;
            chunks += t.from_checkpoint ? 0 : t.chunks;
        }
        std::fprintf(stderr,
                     "data-copy: start snapshot=%s binlog=%s:%llu gtid=%s tables=%zu (from checkpoint %u, "
                     "chunks to load %u) total=%.1f MB\n",
                     pos.snapshot_id().c_str(), pos.binlog_file.c_str(),
                     static_cast<unsigned long long>(pos.binlog_pos), pos.gtid_binlog_pos.c_str(), tables.size(),
                     resumed, chunks, total / 1e6);
    }

    void on_bytes(std::uint64_t done, std::uint64_t total) override
    {
        if (quiet_)
            return;
        std::fprintf(stderr, "data-copy: progress %.1f%% %.1f/%.1f MB\n", total ? 100.0 * done / total : 100.0,
                     done / 1e6, total / 1e6);
    }

    void on_table_done(const source::TableResult& t, const source::DataCopyCheckpoint& cp) override
    {
        // Persist before announcing: whoever reads the line may kill us.
        if (!path_.empty()) {
            std::string err;
            if (!write_file_atomic(path_, checkpoint_json(cp).dump() + "\n", err))
                std::fprintf(stderr, "data-copy: cannot write the checkpoint: %s\n", err.c_str());
        }
        std::fprintf(stderr,
                     "data-copy: table-done %s rows=%llu %s=%llu chunks=%u bytes=%llu seconds=%.2f\n",
                     source::table_key(t.schema, t.name).c_str(), static_cast<unsigned long long>(t.rows),
                     t.verify_method.c_str(), static_cast<unsigned long long>(t.checksum), t.chunks,
                     static_cast<unsigned long long>(t.bytes), t.seconds);
    }

  private:
    std::string path_;
    bool quiet_;
};

} // namespace

int main(int argc, char** argv)
{
    source::DataCopyRequest req;
    req.source.user = "root";
    req.target.user = "root";
    std::string checkpoint_path;
    bool quiet = false;
    bool have_target = false;

    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc)
                usage(a + " needs a value");
            return argv[++i];
        };
        if (a == "--source-host") req.source.host = val();
        else if (a == "--source-port") req.source.port = static_cast<unsigned>(number(a, val()));
        else if (a == "--source-user") req.source.user = val();
        else if (a == "--source-password-file") req.source.password = read_password_file(val());
        else if (a == "--source-tls") req.source.tls.enabled = true;
        else if (a == "--source-ca") req.source.tls.ca_file = val();
        else if (a == "--source-no-verify") req.source.tls.verify_server_cert = false;
        else if (a == "--source-fingerprint") req.source.tls.peer_fingerprint = val();
        else if (a == "--target-socket") { req.target.unix_socket = val(); have_target = true; }
        else if (a == "--target-host") { req.target.host = val(); have_target = true; }
        else if (a == "--target-port") req.target.port = static_cast<unsigned>(number(a, val()));
        else if (a == "--target-user") req.target.user = val();
        else if (a == "--target-password-file") req.target.password = read_password_file(val());
        else if (a == "--schema") req.schemas.push_back(val());
        else if (a == "--threads") req.parallelism = static_cast<unsigned>(number(a, val()));
        else if (a == "--chunk-rows") req.chunk_rows = number(a, val());
        else if (a == "--checkpoint") checkpoint_path = val();
        else if (a == "--lock-wait-timeout") req.lock_wait_timeout = std::chrono::seconds(number(a, val()));
        else if (a == "--row-hash") req.row_hash_all = true;
        else if (a == "--quiet") quiet = true;
        else usage("unknown option " + a);
    }
    if (req.source.host.empty())
        usage("--source-host is required");
    if (!have_target)
        usage("--target-socket or --target-host is required");
    if (req.schemas.empty())
        usage("at least one --schema is required");
    if (const char* p = std::getenv("FERRY_SOURCE_PASSWORD"); p && req.source.password.empty())
        req.source.password = p;
    if (const char* p = std::getenv("FERRY_TARGET_PASSWORD"); p && req.target.password.empty())
        req.target.password = p;

    if (!checkpoint_path.empty() && std::filesystem::exists(checkpoint_path)) {
        std::ifstream f(checkpoint_path);
        try {
            const json j = json::parse(f);
            req.checkpoint.snapshot_id = j.at("snapshot_id").get<std::string>();
            for (const auto& k : j.at("done"))
                req.checkpoint.done.insert(k.get<std::string>());
        } catch (const std::exception& e) {
            std::fprintf(stderr, "data-copy: unreadable checkpoint %s (%s): starting over\n", checkpoint_path.c_str(),
                         e.what());
            req.checkpoint = {};
        }
        std::fprintf(stderr, "data-copy: checkpoint %s: %zu tables done at %s\n", checkpoint_path.c_str(),
                     req.checkpoint.done.size(), req.checkpoint.snapshot_id.c_str());
    }

    Reporter reporter(checkpoint_path, quiet);
    auto result = source::copy_databases(req, reporter);
    if (!result) {
        const core::Error& e = result.error();
        json out{{"ok", false},
                 {"error", {{"code", std::string(core::code_name(e.code))}, {"message", e.message}, {"remedy", e.remedy}}}};
        std::cout << out.dump(2) << std::endl;
        std::fprintf(stderr, "data-copy: FAILED: %s: %s%s%s\n", std::string(core::code_name(e.code)).c_str(),
                     e.message.c_str(), e.remedy.empty() ? "" : " -- ", e.remedy.c_str());
        return 1;
    }

    const source::DataCopyResult& r = *result;
    json tables = json::array();
    for (const auto& t : r.tables)
        tables.push_back({{"schema", t.schema}, {"table", t.name}, {"rows", t.rows}, {"checksum", t.checksum},
                          {"verify", t.verify_method},
                          {"bytes", t.bytes}, {"seconds", t.seconds}, {"chunks", t.chunks},
                          {"from_checkpoint", t.from_checkpoint}});
    const double s = r.seconds > 0 ? r.seconds : 1e-9;
    json out{{"ok", true},
             {"seconds", r.seconds},
             {"lock_seconds", r.lock_seconds},
             {"total_bytes", r.total_bytes},
             {"bytes_streamed", r.bytes_streamed},
             {"mb_per_s", r.total_bytes / 1e6 / s},
             {"stream_mb_per_s", r.bytes_streamed / 1e6 / s},
             {"checkpoint_discarded", r.checkpoint_discarded},
             {"position",
              {{"binlog_file", r.position.binlog_file},
               {"binlog_pos", r.position.binlog_pos},
               {"gtid_binlog_pos", r.position.gtid_binlog_pos},
               {"gtid_current_pos", r.position.gtid_current_pos},
               {"gtid_slave_pos", r.position.gtid_slave_pos},
               {"server_id", r.position.server_id},
               {"server_version", r.position.server_version},
               {"snapshot_id", r.position.snapshot_id()}}},
             {"objects",
              {{"views", r.views}, {"triggers", r.triggers}, {"routines", r.routines}, {"events", r.events},
               {"sequences", r.sequences}}},
             {"tables", tables}};
    std::cout << out.dump(2) << std::endl;
    std::fprintf(stderr, "data-copy: done in %.2f s (%.1f MB/s of table data, %.1f MB/s streamed), source locked %.3f s\n",
                 r.seconds, r.total_bytes / 1e6 / s, r.bytes_streamed / 1e6 / s, r.lock_seconds);
    return 0;
}
