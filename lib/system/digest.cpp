#include "system/digest.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <openssl/evp.h>
#include <unistd.h>
#include <vector>

namespace ferry::local {
namespace {

core::Error crypto_error()
{
    return core::Error{core::Code::Internal, "SHA-256 failed (OpenSSL).", {}};
}

} // namespace

std::string to_hex(const unsigned char* data, std::size_t size)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        s[2 * i] = kDigits[data[i] >> 4];
        s[2 * i + 1] = kDigits[data[i] & 0xf];
    }
    return s;
}

std::string sha256_hex(std::string_view data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1)
        return {};
    return to_hex(out, len);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free)
{
    ok_ = ctx_ && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1;
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

bool Sha256::update(const void* data, std::size_t size)
{
    if (ok_ && size > 0)
        ok_ = EVP_DigestUpdate(ctx_.get(), data, size) == 1;
    bytes_ += size;
    return ok_;
}

core::Expected<bool> Sha256::update_from_fd(int fd, const std::string& what, uint64_t limit)
{
    std::vector<char> buf(1 << 20);
    uint64_t left = limit;
    while (left > 0) {
        const ssize_t n = ::read(fd, buf.data(), static_cast<std::size_t>(std::min<uint64_t>(buf.size(), left)));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return core::Error{core::Code::Internal,
                               "Cannot read " + what + ": " + std::strerror(errno) + ".", {}};
        }
        if (n == 0) {
            if (limit == UINT64_MAX)
                break;
            return core::Error{core::Code::Internal, what + " is shorter than expected.", {}};
        }
        if (!update(buf.data(), static_cast<std::size_t>(n)))
            return crypto_error();
        if (limit != UINT64_MAX)
            left -= static_cast<uint64_t>(n);
    }
    return true;
}

std::string Sha256::hex()
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), out, &len) != 1) {
        ok_ = false;
        return {};
    }
    ok_ = false; // finished
    return to_hex(out, len);
}

core::Expected<std::string> Sha256::finish()
{
    std::string digest = hex();
    if (digest.empty())
        return crypto_error();
    return digest;
}

core::Expected<std::string> sha256_fd(int fd, const std::string& what, uint64_t limit)
{
    Sha256 h;
    if (auto r = h.update_from_fd(fd, what, limit); !r)
        return r.error();
    return h.finish();
}

} // namespace ferry::local
