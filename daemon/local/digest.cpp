#include "local/digest.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <openssl/evp.h>
#include <unistd.h>
#include <vector>

namespace ferry::local {
namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

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

core::Expected<std::string> sha256_fd(int fd, const std::string& what)
{
    MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        return crypto_error();
    std::vector<char> buf(1 << 20);
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return core::Error{core::Code::Internal,
                               "Cannot read " + what + ": " + std::strerror(errno) + ".",
                               {}};
        }
        if (n == 0)
            break;
        if (EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(n)) != 1)
            return crypto_error();
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), out, &len) != 1)
        return crypto_error();
    return to_hex(out, len);
}

} // namespace ferry::local
