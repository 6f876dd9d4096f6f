// Small file-system helpers shared by the journal store and the appliance:
// the write loop and the directory fsync of an atomic replace.
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace ferry::local {

// Internal error "WHAT PATH: strerror(err)." with a remedy about space and
// permissions.
core::Error io_error(const std::string& what, const std::string& path, int err);

// Writes all of `data`, retrying on EINTR and short writes.
core::Expected<bool> write_all(int fd, std::string_view data, const std::string& path);

// fsync of a directory: makes a rename or unlink in it durable.
core::Expected<bool> sync_dir(const std::string& dir);

} // namespace ferry::local
