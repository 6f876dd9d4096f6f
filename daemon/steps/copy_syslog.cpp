// Operation 10: the user-traffic log files. After a copy while the source
// served (steps/pre_copy_logs.cpp) its copies are taken up first. Each file is downloaded into
// "<name>.ferry-part" with HTTP Range resume and hashed (SHA-256) while it
// arrives; the source then gives the digest of the version it sent
// (GET logs/NAME/sha256, computed while sending it), and only a file whose
// digest and size match is renamed into place. The checkpoint lists the
// verified files, written only once the file and its name are on disk, so
// a re-run fetches only the rest, and only the missing bytes of a partial
// file: the bytes already there are read and hashed again, so a partial
// file that a crash left damaged fails the check and is fetched again
// whole.
//
// The log directory belongs to an unprivileged user on the appliance:
// every file here is opened relative to a descriptor of the directory,
// never following a link, and a part file that is not ours is replaced
// (local/part_file.hpp). Names come from the source and are checked.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <sys/stat.h>

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include "core/json_number.hpp"
#include "appliance/appliance_rules.hpp"
#include "system/digest.hpp"
#include "system/fd.hpp"
#include "system/file_io.hpp"
#include "local/part_file.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {
namespace {

namespace fs = std::filesystem;

using LogFile = core::LogFileSize;

// Progress goes to the main loop at most this often (a download calls back
// for every TLS record, ~100 000 times per GiB).
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
constexpr uint64_t kResumeAlign = 4096;

// The digest of what `part` holds up to `offset`, and of the rest as it
// is downloaded; the etag of the version the source sent.
struct Fetched {
    std::string sha256;
    uint64_t size = 0;
    std::string etag; // empty when nothing had to be downloaded
};

} // namespace

core::Expected<bool> copy_syslog(StepContext& ctx)
{
    uint64_t total = 0;
    auto listed = list_source_logs(ctx, total);
    if (!listed)
        return listed.error();
    const std::vector<LogFile>& files = *listed;

    const fs::path dir = ctx.appliance.config().log_dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    auto dirfd = local::open_directory(dir.string());
    if (!dirfd)
        return dirfd.error();
    const int dfd = dirfd->get();
    // What pre-copy-data copied while the source served becomes the part
    // files below: only what was appended or rotated since is downloaded.
    if (const uint64_t adopted = adopt_log_pre_copies(ctx, dfd, files); adopted > 0)
        spdlog::info("{} bytes of the user-traffic logs were copied while the source served; "
                     "each file is verified whole below.",
                     adopted);
    std::set<std::string> verified = ctx.checkpoint.value("verified", std::set<std::string>{});
    uint64_t done = 0, downloaded = 0;
    for (const auto& f : files)
        if (verified.count(f.name))
            done += f.size;
    ctx.progress(done, total);

    for (const auto& f : files) {
        if (verified.count(f.name))
            continue;
        if (ctx.stopping)
            return stopped_error();
        const std::string part_name = f.name + ".ferry-part";
        const fs::path part = dir / part_name;
        const auto started = std::chrono::steady_clock::now();
        // Two tries: a partial file that does not verify is fetched again whole.
        for (int attempt = 0;; ++attempt) {
            local::Sha256 hash;
            Fetched got;
            auto opened = local::open_part_file(dfd, part_name, dir.string());
            if (!opened)
                return opened.error();
            if (!opened->found.empty())
                spdlog::warn(
                    "Log {}: {} was {}, not ferry's partial download: removed (not followed), "
                    "downloading into a new file.",
                    f.name, part.string(), opened->found);
            const int fd = opened->fd.get();
            uint64_t offset = std::min<uint64_t>(opened->size, f.size);
            // Resumed from a block boundary (the download writes with
            // O_DIRECT from there).
            if (offset < f.size)
                offset -= offset % kResumeAlign;
            if (offset > 0) {
                // What an earlier run left: trusted only as far as the
                // digest below confirms it.
                if (auto r = hash.update_from_fd(fd, part.string(), offset); !r)
                    return r.error();
                spdlog::info("Log {}: {} bytes already here, resuming after them.", f.name, offset);
            }
            uint64_t base = done + offset;
            got.size = offset;
            if (offset < f.size) {
                auto last_post = std::chrono::steady_clock::now();
                auto size = ctx.peer.download(
                    "/logs/" + f.name, fd, part.string(), offset,
                    [&](uint64_t n) {
                        base += n;
                        const auto now = std::chrono::steady_clock::now();
                        if (now - last_post >= kProgressInterval) {
                            last_post = now;
                            ctx.progress(base, total);
                        }
                        return !ctx.stopping;
                    },
                    &hash, &got.etag);
                if (!size)
                    return ctx.stopping ? stopped_error() : size.error();
                got.size = *size;
                downloaded += *size - offset;
                ctx.progress(base, total);
            } else if (offset > 0) {
                // Complete but not verified: no more than the listed size
                // (the source's file may have shrunk), on disk.
                if (::ftruncate(fd, static_cast<off_t>(offset)) < 0 || ::fdatasync(fd) < 0)
                    return core::Error{
                        core::Code::Internal, "Cannot sync " + part.string() + ".", {}};
            } else {
                // An empty log: nothing to download, an empty file to place.
                if (::ftruncate(fd, 0) < 0 || ::fdatasync(fd) < 0)
                    return core::Error{
                        core::Code::Internal, "Cannot write " + part.string() + ".", {}};
            }
            auto digest = hash.finish();
            if (!digest)
                return digest.error();
            got.sha256 = std::move(*digest);

            // The source's digest of the version it sent (If-Match): known
            // from sending it, so the source reads nothing again.
            std::string path = "/logs/" + f.name + "/sha256";
            auto want =
                got.etag.empty() ? ctx.peer.get(path) : ctx.peer.get_if_match(path, got.etag);
            if (!want)
                return want.error();
            auto digest_of = protocol::LogDigest::from_json(*want);
            if (!digest_of)
                return digest_of.error();
            const bool same = digest_of->sha256 == got.sha256 && digest_of->size == got.size &&
                              (got.etag.empty() || digest_of->etag == got.etag);
            if (same)
                break;
            spdlog::warn("Log {} does not match the source's digest{}.", f.name,
                         attempt == 0 ? "; fetching it again whole" : " again");
            if (::unlinkat(dfd, part_name.c_str(), 0) < 0 && errno != ENOENT)
                return core::Error{
                    core::Code::Internal, "Cannot remove " + part.string() + ".", {}};
            if (attempt == 1)
                return core::Error{core::Code::IncompatibleSource,
                                   "The log file " + f.name +
                                       " does not match its checksum after two downloads.",
                                   "Check the source's disk; Resume() retries."};
        }
        // renameat replaces whatever has the final name (a planted link
        // itself, not what it points at).
        if (::renameat(dfd, part_name.c_str(), dfd, f.name.c_str()) < 0)
            return core::Error{core::Code::Internal,
                               "Cannot place " + f.name + ": " + std::strerror(errno) + ".",
                               {}};
        // The name on disk before the checkpoint says the file is there.
        if (::fsync(dfd) < 0)
            return core::Error{core::Code::Internal,
                               "Cannot sync " + dir.string() + ": " + std::strerror(errno) + ".",
                               {}};
        verified.insert(f.name);
        done += f.size;
        spdlog::debug(
            "Log {} ({} bytes) verified and placed in {:.3f} s.", f.name, f.size,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (auto saved = ctx.save_checkpoint({{"verified", verified}}); !saved)
            return saved.error();
        ctx.progress(done, total);
    }
    spdlog::info("User-traffic logs: {} file(s) verified, {} bytes downloaded by this operation.",
                 verified.size(), downloaded);
    return true;
}

} // namespace ferry::steps
