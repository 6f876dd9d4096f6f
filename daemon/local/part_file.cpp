#include "local/part_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appliance/appliance_rules.hpp"
#include "core/log_precopy.hpp"

namespace ferry::local {
namespace {

core::Error io_error(const std::string& what, const std::string& file, int err)
{
    return core::Error{core::Code::Internal, what + " " + file + ": " + std::strerror(err) + ".", {}};
}

const char* kind_of(mode_t m)
{
    if (S_ISLNK(m))
        return "a symbolic link";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device node";
    if (S_ISDIR(m))
        return "a directory";
    return "a file";
}

constexpr std::string_view kPartSuffix = ".ferry-part";

} // namespace

core::Expected<Fd> open_directory(const std::string& path)
{
    Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd)
        return io_error("Cannot open the directory", path, errno);
    return fd;
}

core::Expected<PartFile> open_part_file(int dir, const std::string& name, const std::string& what)
{
    const std::string shown = what + "/" + name;
    PartFile p;
    // What is there now, without following it and without blocking on a
    // FIFO (O_NONBLOCK makes a FIFO's open return at once; O_PATH would
    // not tell the owner of a symlink apart from its target's).
    {
        Fd old(::openat(dir, name.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        const int err = errno;
        struct stat st {};
        if (old && ::fstat(old.get(), &st) < 0)
            return io_error("Cannot stat", shown, errno);
        if (old && S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == ::geteuid()) {
            // Ours from an earlier run: kept, in blocking mode again.
            const int fl = ::fcntl(old.get(), F_GETFL);
            if (fl < 0 || ::fcntl(old.get(), F_SETFL, fl & ~O_NONBLOCK) < 0)
                return io_error("Cannot use", shown, errno);
            p.fd = std::move(old);
            p.size = static_cast<uint64_t>(st.st_size);
            return p;
        }
        if (!old && err != ENOENT) {
            // ELOOP: a symlink (O_NOFOLLOW); ENXIO: a FIFO with no reader
            // or a socket; EISDIR; EACCES/EPERM: not ours either.
            struct stat lst {};
            if (::fstatat(dir, name.c_str(), &lst, AT_SYMLINK_NOFOLLOW) < 0)
                return io_error("Cannot stat", shown, errno);
            p.found = kind_of(lst.st_mode);
            if (S_ISDIR(lst.st_mode))
                return core::Error{core::Code::Internal,
                                   shown + " is a directory, not a partial download of ferry.",
                                   "Remove it, then Resume()."};
        } else if (old) {
            p.found = S_ISREG(st.st_mode) ? (st.st_nlink != 1 ? "a hard link" : "a file of another user")
                                          : kind_of(st.st_mode);
            if (S_ISDIR(st.st_mode))
                return core::Error{core::Code::Internal,
                                   shown + " is a directory, not a partial download of ferry.",
                                   "Remove it, then Resume()."};
        }
    }
    // Not ours: the entry goes (unlinkat never follows a link), and the new
    // file is made only if nothing took the name meanwhile.
    if (!p.found.empty() && ::unlinkat(dir, name.c_str(), 0) < 0 && errno != ENOENT)
        return io_error("Cannot remove", shown, errno);
    Fd fd(::openat(dir, name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600));
    if (!fd) {
        if (errno == EEXIST)
            return core::Error{core::Code::Internal,
                               "Something else created " + shown + " while ferry was making it.",
                               "Check who writes to that directory, then Resume()."};
        return io_error("Cannot create", shown, errno);
    }
    p.fd = std::move(fd);
    p.size = 0;
    return p;
}

Fd reopen_direct(int fd)
{
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    Fd direct(::open(self.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC));
    struct stat a {}, b {};
    if (!direct || ::fstat(fd, &a) < 0 || ::fstat(direct.get(), &b) < 0 || a.st_dev != b.st_dev ||
        a.st_ino != b.st_ino)
        return Fd();
    return direct;
}

bool is_safe_peer_file_name(std::string_view name)
{
    if (!is_visible_file_name(name) || name == "." || name == ".." ||
        name.size() + kPartSuffix.size() > 255)
        return false;
    for (const char c : name)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return false;
    // Neither of ferryd's own working names (a download, a pre-copy).
    for (const std::string_view own : {kPartSuffix, core::kLogPreCopySuffix})
        if (name.size() >= own.size() && name.substr(name.size() - own.size()) == own)
            return false;
    return true;
}

} // namespace ferry::local
