// Small file-system helpers shared by the journal store and the appliance:
// the write loop and the directory fsync of an atomic replace.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "core/expected.hpp"

namespace ferry::local {

// Internal error "WHAT PATH: strerror(err)." with a remedy about space and
// permissions.
core::Error io_error(const std::string& what, const std::string& path, int err);

// Writes all of `data`, retrying on EINTR and short writes.
core::Expected<bool> write_all(int fd, std::string_view data, const std::string& path);

// fsync of a directory: makes a rename or unlink in it durable.
core::Expected<bool> sync_dir(const std::string& dir);

// The prefix of the temporary files of an atomic write: what a crash
// leaves behind is recognised and removed (JournalStore::prepare).
inline constexpr const char* kTempPrefix = ".tmp-";

// Writes `content` to `path` atomically (temp .tmp-NAME.XXXXXX in the same
// directory, fsync, rename, fsync of the directory) with the given mode:
// a crash leaves the old file or the new one, never a mix. The one atomic
// write of ferryd and ferry-peer (appliance_files' replace_file() also
// keeps the replaced file's owner and mode).
core::Expected<bool> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                                       mode_t mode = 0600);

} // namespace ferry::local
