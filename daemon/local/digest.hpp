// SHA-256 through OpenSSL's libcrypto (already linked for the source
// client), for the checksums of log files and the peer API's token table.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace ferry::local {

// 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

// Of everything read from `fd` from its current offset to the end.
core::Expected<std::string> sha256_fd(int fd, const std::string& what);

// Lower-case hex of raw bytes.
std::string to_hex(const unsigned char* data, std::size_t size);

} // namespace ferry::local
