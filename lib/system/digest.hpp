// SHA-256 through OpenSSL's libcrypto (already linked for the source
// client), for the checksums of log files and the peer API's token table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/expected.hpp"

struct evp_md_ctx_st;

namespace ferry::local {

// 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

// Of everything read from `fd` from its current offset to the end, or of
// its next `limit` bytes (fewer bytes than that is an error).
core::Expected<std::string> sha256_fd(int fd, const std::string& what, uint64_t limit = UINT64_MAX);

// Lower-case hex of raw bytes.
std::string to_hex(const unsigned char* data, std::size_t size);

// An incremental SHA-256: update() with the bytes as they pass (a download,
// a file being sent), then hex() once. Not thread-safe; movable.
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;

    // False only when OpenSSL fails (then hex() is empty).
    bool update(const void* data, std::size_t size);
    // Adds what `fd` holds from its current offset: `limit` bytes, or all
    // of it to the end.
    core::Expected<bool> update_from_fd(int fd, const std::string& what, uint64_t limit = UINT64_MAX);
    uint64_t bytes() const { return bytes_; }
    // The digest of everything added; the object is finished afterwards.
    std::string hex();
    // The same, with OpenSSL's failure as an error instead of "".
    core::Expected<std::string> finish();

  private:
    std::unique_ptr<evp_md_ctx_st, void (*)(evp_md_ctx_st*)> ctx_;
    uint64_t bytes_ = 0;
    bool ok_ = true;
};

} // namespace ferry::local
