#include "system/file_io.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "system/fd.hpp"

namespace ferry::local {

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

} // namespace ferry::local
