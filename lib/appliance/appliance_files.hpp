// The file primitives of FileAppliance (appliance.cpp, settings_sets.cpp):
// regular files read without following links planted in a directory,
// files replaced atomically keeping their owner and mode, the settings
// sections of a directory. Internal to lib/appliance.
#pragma once

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>
#include <vector>

#include "appliance/appliance_rules.hpp"
#include "core/expected.hpp"
#include "core/settings.hpp"
#include "system/fd.hpp"
#include "system/file_io.hpp"

namespace ferry::local::appliance_files {

core::Expected<std::string> read_fd(int fd, const std::string& path);
// A regular file's content; nullopt when it does not exist. Files found by
// listing a directory are read with `follow` false, so that a symlink
// placed there never leads elsewhere.
core::Expected<std::optional<std::string>> read_file(const std::string& path, bool follow);

struct Entry {
    std::string name;
    struct stat st;
};

// The regular files of `dir` (not following symlinks) whose name passes
// `accept`; empty when the directory does not exist.
template <typename Accept>
core::Expected<std::vector<Entry>> regular_files(const std::string& dir, Accept accept)
{
    std::vector<Entry> out;
    Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dfd) {
        if (errno == ENOENT)
            return out;
        return io_error("Cannot open", dir, errno);
    }
    DIR* d = ::fdopendir(dfd.get());
    if (!d)
        return io_error("Cannot list", dir, errno);
    dfd.release();
    std::unique_ptr<DIR, int (*)(DIR*)> guard(d, ::closedir);
    errno = 0;
    while (const dirent* de = ::readdir(d)) {
        const std::string name = de->d_name;
        if (!is_visible_file_name(name) || !accept(name))
            continue;
        struct stat st {};
        if (::fstatat(::dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        out.push_back(Entry{name, st});
    }
    return out;
}

bool ends_with(std::string_view s, std::string_view suffix);
std::string etag_of(const struct stat& st);
// Replaces `path` atomically (temp file in the same directory, fsync,
// rename, fsync of the directory). The new file keeps the owner and mode of
// the one it replaces; a new file gets `mode` and the directory's owner.
core::Expected<bool> replace_file(const std::string& path, std::string_view content, mode_t mode);
core::Expected<bool> remove_file(const std::string& path);
// DIR/NAME.conf, the file of settings section NAME.
std::string section_path(const std::string& dir, const std::string& name);
core::Expected<core::Sections> read_sections(const std::string& dir);
bool is_certificate_name(const std::string& name);

} // namespace ferry::local::appliance_files
