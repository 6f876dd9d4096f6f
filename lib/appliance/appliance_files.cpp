#include "appliance/appliance_files.hpp"

#include <filesystem>
#include <unistd.h>

namespace ferry::local::appliance_files {

namespace fs = std::filesystem;

core::Expected<std::string> read_fd(int fd, const std::string& path)
{
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_error("Cannot read", path, errno);
        }
        if (n == 0)
            return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

core::Expected<std::optional<std::string>> read_file(const std::string& path, bool follow)
{
    Fd fd(::open(path.c_str(),
                 O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (follow ? 0 : O_NOFOLLOW)));
    if (!fd) {
        if (errno == ENOENT)
            return std::optional<std::string>{};
        return io_error("Cannot open", path, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0)
        return io_error("Cannot stat", path, errno);
    if (!S_ISREG(st.st_mode))
        return io_error("Cannot read", path, EINVAL);
    auto text = read_fd(fd.get(), path);
    if (!text)
        return text.error();
    return std::optional<std::string>(std::move(*text));
}

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string etag_of(const struct stat& st)
{
    return std::to_string(st.st_ino) + "-" + std::to_string(st.st_size) + "-" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

core::Expected<bool> replace_file(const std::string& path, std::string_view content, mode_t mode)
{
    const fs::path p(path);
    const std::string dir = p.parent_path().string();
    struct stat old {};
    uid_t uid;
    gid_t gid;
    if (::lstat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
        mode = old.st_mode & 07777;
        uid = old.st_uid;
        gid = old.st_gid;
    } else {
        struct stat ds {};
        if (::stat(dir.c_str(), &ds) < 0)
            return io_error("Cannot stat", dir, errno);
        uid = ds.st_uid;
        gid = ds.st_gid;
    }
    std::string tmpl = dir + "/" + kTempPrefix + p.filename().string() + ".XXXXXX";
    Fd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
    if (!fd)
        return io_error("Cannot create a temporary file in", dir, errno);
    auto fail = [&](core::Error e) -> core::Expected<bool> {
        ::unlink(tmpl.c_str());
        return e;
    };
    if (::fchmod(fd.get(), mode) < 0)
        return fail(io_error("Cannot chmod", tmpl, errno));
    // Root keeps the owner; an unprivileged test run cannot and need not.
    if ((uid != ::geteuid() || gid != ::getegid()) && ::fchown(fd.get(), uid, gid) < 0 &&
        errno != EPERM)
        return fail(io_error("Cannot chown", tmpl, errno));
    if (auto r = write_all(fd.get(), content, tmpl); !r)
        return fail(r.error());
    if (::fsync(fd.get()) < 0)
        return fail(io_error("Cannot sync", tmpl, errno));
    fd.reset();
    if (::rename(tmpl.c_str(), path.c_str()) < 0)
        return fail(io_error("Cannot replace", path, errno));
    return sync_dir(dir);
}

core::Expected<bool> remove_file(const std::string& path)
{
    if (::unlink(path.c_str()) < 0) {
        if (errno == ENOENT)
            return true;
        return io_error("Cannot remove", path, errno);
    }
    return sync_dir(fs::path(path).parent_path().string());
}

std::string section_path(const std::string& dir, const std::string& name)
{
    return dir + "/" + name + ".conf";
}

core::Expected<core::Sections> read_sections(const std::string& dir)
{
    auto files = regular_files(dir, [](const std::string& n) {
        return ends_with(n, ".conf") && core::is_valid_section_name(n.substr(0, n.size() - 5));
    });
    if (!files)
        return files.error();
    core::Sections out;
    for (const auto& f : *files) {
        auto text = read_file(dir + "/" + f.name, false);
        if (!text)
            return text.error();
        if (*text) // gone in between: not a section any more
            out.emplace(f.name.substr(0, f.name.size() - 5), std::move(**text));
    }
    return out;
}

bool is_certificate_name(const std::string& name)
{
    return is_visible_file_name(name) && ends_with(name, ".pem") && name.size() > 4;
}

} // namespace ferry::local::appliance_files
