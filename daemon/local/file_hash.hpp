#pragma once

#include <string>

#include "core/expected.hpp"

namespace ferry::local {

// SHA-256 of a file as 64 lower-case hex digits, read in 1 MiB blocks.
core::Expected<std::string> sha256_file(const std::string& path);

} // namespace ferry::local
