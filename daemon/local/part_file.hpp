// Files ferryd (root) writes into a directory that an unprivileged user
// owns (the log directory of an appliance, LogDirectory=): that user can
// plant a symlink, a hard link or a FIFO under any name there, so every
// access goes through a descriptor of the directory (openat/renameat/
// unlinkat) and never follows or opens what it did not make.
//
// A part file ("NAME.ferry-part") that is not a regular file with one link
// owned by ferryd's user is not ours: it is removed (the entry itself,
// never what it points at) and a new empty file made with O_EXCL. The
// copy goes on; the warning names what was found. Refusing it instead
// would let the directory's owner stop every migration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "system/fd.hpp"

namespace ferry::local {

// The directory `path` (no symlink as its last component), for *at calls.
core::Expected<Fd> open_directory(const std::string& path);

struct PartFile {
    Fd fd;             // O_RDWR, at offset 0
    uint64_t size = 0; // what an earlier run left (0 for a new file)
    std::string found; // non-empty: what was removed ("a symbolic link", ...)
};

// NAME in `dir` for writing: the existing regular file we made, or a new
// one (see above). `what` names the directory in messages.
core::Expected<PartFile> open_part_file(int dir, const std::string& name, const std::string& what);

// A second descriptor of the same file with O_DIRECT (through
// /proc/self/fd, never by name); an empty Fd where that is not possible.
Fd reopen_direct(int fd);

// True for a name that may be used as a file name in such a directory,
// from a peer: no '/', no NUL, no control character, not "." or "..", not
// hidden, not a part file's or a pre-copy's own name, and short enough for its ".ferry-part".
bool is_safe_peer_file_name(std::string_view name);

} // namespace ferry::local
