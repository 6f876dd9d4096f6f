#include "local/measurements_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "system/fd.hpp"
#include "system/file_io.hpp"

namespace ferry::local {

core::Expected<core::Measurements> load_measurements(const std::filesystem::path& state_dir)
{
    const std::string path = (state_dir / kMeasurementsFile).string();
    // O_NOFOLLOW: the state directory is root's, but a link there is not
    // what ferryd wrote.
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
        if (errno == ENOENT)
            return core::Measurements{};
        return io_error("Cannot read", path, errno);
    }
    std::string text;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return io_error("Cannot read", path, errno);
        if (n == 0)
            break;
        text.append(buf, std::size_t(n));
        if (text.size() > core::kMaxMeasurementsBytes)
            break; // parse_measurements names it
    }
    return core::parse_measurements(text);
}

core::Expected<bool> save_measurements(const std::filesystem::path& state_dir,
                                       const core::Measurements& m)
{
    return write_file_atomic(state_dir / kMeasurementsFile, core::serialize_measurements(m), 0600);
}

} // namespace ferry::local
