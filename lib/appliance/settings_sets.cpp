// The whole sets of settings that wait for a boot: the staged set (the
// source of a Swap: PUT /staged-settings; the target: handed over by the
// reboot operation) and the target's held set (copy-settings of a Swap).
// Each is replaced as a whole, so that a crash leaves the old or the new
// set and never a mix. Part of FileAppliance (appliance.hpp).
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appliance/appliance.hpp"
#include "appliance/appliance_files.hpp"
#include "system/file_io.hpp"

namespace ferry::local {

namespace fs = std::filesystem;

using appliance_files::section_path;

core::Expected<bool> FileAppliance::stage_settings(const core::Sections& sections)
{
    if (auto e = check_section_names(sections))
        return *e;
    std::lock_guard lock(write_mutex_);
    return replace_set_locked(layout_.staged_settings_dir, sections);
}

core::Expected<bool> FileAppliance::replace_set_locked(const std::string& dir,
                                                       const core::Sections& sections)
{
    const fs::path staged(dir);
    const std::string parent = staged.parent_path().string();
    const std::string prefix = staged.filename().string() + ".new-";

    // Left over by an interrupted call.
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(parent, ec))
        if (e.path().filename().string().rfind(prefix, 0) == 0)
            fs::remove_all(e.path(), ec);

    std::string tmpl = parent + "/" + prefix + "XXXXXX";
    if (!::mkdtemp(tmpl.data()))
        return io_error("Cannot create a directory in", parent, errno);
    auto fail = [&](core::Error e) -> core::Expected<bool> {
        std::error_code ignored;
        fs::remove_all(tmpl, ignored);
        return e;
    };
    for (const auto& [name, content] : sections) {
        const std::string path = section_path(tmpl, name);
        Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd)
            return fail(io_error("Cannot create", path, errno));
        if (auto r = write_all(fd.get(), content, path); !r)
            return fail(r.error());
        if (::fsync(fd.get()) < 0)
            return fail(io_error("Cannot sync", path, errno));
    }
    if (auto r = sync_dir(tmpl); !r)
        return fail(r.error());

    // Swap the new set in as a whole: a crash leaves the old or the new set.
    if (::renameat2(AT_FDCWD, tmpl.c_str(), AT_FDCWD, staged.c_str(), RENAME_EXCHANGE) == 0) {
        fs::remove_all(tmpl, ec); // now the previous set
    } else if (errno == ENOENT) {
        if (::rename(tmpl.c_str(), staged.c_str()) < 0)
            return fail(io_error("Cannot rename to", staged.string(), errno));
    } else {
        return fail(io_error("Cannot replace", staged.string(), errno));
    }
    return sync_dir(parent);
}

core::Expected<bool> FileAppliance::hold_settings(const core::Sections& sections)
{
    if (auto e = check_section_names(sections))
        return *e;
    std::lock_guard lock(write_mutex_);
    return replace_set_locked(held_settings_dir(), sections);
}

core::Expected<bool> FileAppliance::settings_held() const
{
    struct stat st {};
    if (::stat(held_settings_dir().c_str(), &st) == 0)
        return true;
    if (errno == ENOENT)
        return false;
    return io_error("Cannot stat", held_settings_dir(), errno);
}

core::Expected<bool> FileAppliance::release_held_settings()
{
    std::lock_guard lock(write_mutex_);
    const std::string held = held_settings_dir();
    const std::string& staged = layout_.staged_settings_dir;
    const std::string parent = fs::path(staged).parent_path().string();
    struct stat st {};
    if (::stat(held.c_str(), &st) < 0) {
        if (errno == ENOENT)
            return false;
        return io_error("Cannot stat", held, errno);
    }
    // A staged set already here (left from a Swap in which this system was
    // the source and never rebooted) is not this job's: gone as a whole
    // first, the way apply_staged_settings() removes an applied set. The
    // held set stays held until the one rename below, so a crash anywhere
    // leaves it either held or handed over, never half of it.
    if (::stat(staged.c_str(), &st) == 0) {
        const std::string old = staged + ".applied";
        std::error_code ec;
        fs::remove_all(old, ec);
        if (::rename(staged.c_str(), old.c_str()) < 0)
            return io_error("Cannot rename", staged, errno);
        if (auto r = sync_dir(parent); !r)
            return r;
        fs::remove_all(old, ec);
    }
    if (::rename(held.c_str(), staged.c_str()) < 0)
        return io_error("Cannot rename", held, errno);
    if (auto r = sync_dir(parent); !r)
        return r;
    return true;
}

} // namespace ferry::local
