#include "system/file_io.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "system/fd.hpp"

namespace ferry::local {

namespace fs = std::filesystem;

core::Error io_error(const std::string& what, const std::string& path, int err)
{
    return core::Error{core::Code::Internal, what + " " + path + ": " + std::strerror(err) + ".",
                       "Check free space and permissions of " + path + "."};
}

core::Expected<bool> write_all(int fd, std::string_view data, const std::string& path)
{
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_error("Cannot write", path, errno);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

core::Expected<bool> sync_dir(const std::string& dir)
{
    Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d)
        return io_error("Cannot open", dir, errno);
    if (::fsync(d.get()) < 0)
        return io_error("Cannot sync", dir, errno);
    return true;
}

core::Expected<bool> write_file_atomic(const fs::path& path, std::string_view content, mode_t mode)
{
    const fs::path dir = path.parent_path();
    std::string tmpl =
        (dir / (std::string(kTempPrefix) + path.filename().string() + ".XXXXXX")).string();
    Fd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
    if (!fd)
        return io_error("Cannot create a temporary file in", dir.string(), errno);
    const fs::path tmp = tmpl;
    auto fail = [&](core::Error e) -> core::Expected<bool> {
        ::unlink(tmp.c_str());
        return e;
    };
    if (::fchmod(fd.get(), mode) < 0)
        return fail(io_error("Cannot chmod", tmp.string(), errno));
    if (auto r = write_all(fd.get(), content, tmp.string()); !r)
        return fail(r.error());
    if (::fsync(fd.get()) < 0)
        return fail(io_error("Cannot sync", tmp.string(), errno));
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) < 0)
        return fail(io_error("Cannot replace", path.string(), errno));
    return sync_dir(dir.string());
}

} // namespace ferry::local
