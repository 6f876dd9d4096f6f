#include "local/journal_store.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "local/fd.hpp"
#include "local/file_io.hpp"

namespace ferry::local {
namespace {

namespace fs = std::filesystem;

core::Error io_error(const std::string& what, const fs::path& p, int err)
{
    return local::io_error(what, p.string(), err);
}

core::Expected<bool> fsync_dir(const fs::path& dir) { return sync_dir(dir.string()); }

constexpr const char* kTempPrefix = ".tmp-";

} // namespace

core::Expected<bool> write_file_atomic(const fs::path& path, std::string_view content, mode_t mode)
{
    const fs::path dir = path.parent_path();
    std::string tmpl = (dir / (std::string(kTempPrefix) + path.filename().string() + ".XXXXXX")).string();
    Fd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
    if (!fd)
        return io_error("Cannot create a temporary file in", dir, errno);
    const fs::path tmp = tmpl;
    auto fail = [&](core::Error e) -> core::Expected<bool> {
        ::unlink(tmp.c_str());
        return e;
    };
    if (::fchmod(fd.get(), mode) < 0)
        return fail(io_error("Cannot chmod", tmp, errno));
    if (auto r = write_all(fd.get(), content, tmp.string()); !r)
        return fail(r.error());
    if (::fsync(fd.get()) < 0)
        return fail(io_error("Cannot sync", tmp, errno));
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) < 0)
        return fail(io_error("Cannot replace", path, errno));
    return fsync_dir(dir);
}

JournalStore::JournalStore(fs::path state_dir) : dir_(std::move(state_dir)) {}

core::Expected<bool> JournalStore::prepare()
{
    if (::mkdir(dir_.c_str(), 0700) < 0 && errno != EEXIST)
        return io_error("Cannot create", dir_, errno);
    if (::chmod(dir_.c_str(), 0700) < 0)
        return io_error("Cannot chmod", dir_, errno);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec))
        if (entry.path().filename().string().rfind(kTempPrefix, 0) == 0)
            fs::remove(entry.path(), ec);
    return true;
}

core::Expected<std::optional<core::JobRecord>> JournalStore::load() const
{
    std::ifstream in(journal_path(), std::ios::binary);
    if (!in) {
        if (errno == ENOENT || !fs::exists(journal_path()))
            return std::optional<core::JobRecord>{};
        return io_error("Cannot read", journal_path(), errno);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    auto job = core::parse_job(ss.str());
    if (!job)
        return job.error();
    return std::optional<core::JobRecord>{std::move(job.value())};
}

core::Expected<bool> JournalStore::save(const core::JobRecord& job)
{
    // The journal first, then the marker: a crash in between leaves a job
    // that ferryd finds on its next (activated) start either way.
    if (auto r = write_file_atomic(journal_path(), core::serialize_job(job)); !r)
        return r;
    return sync_marker(job);
}

core::Expected<bool> JournalStore::sync_marker(const core::JobRecord& job)
{
    const bool active = !core::is_finished(job.state);
    if (active && !fs::exists(marker_path()))
        return write_file_atomic(marker_path(), job.id + "\n");
    if (!active && ::unlink(marker_path().c_str()) == 0)
        return fsync_dir(dir_);
    return true;
}

core::Expected<bool> JournalStore::remove()
{
    ::unlink(marker_path().c_str());
    if (::unlink(journal_path().c_str()) < 0 && errno != ENOENT)
        return io_error("Cannot remove", journal_path(), errno);
    return fsync_dir(dir_);
}

} // namespace ferry::local
