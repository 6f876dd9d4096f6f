#include "peer/auth.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <crypt.h>
#include <cstring>
#include <memory>
#include <sys/random.h>
#include <vector>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "core/address.hpp"
#include "system/digest.hpp"
#include "system/file_io.hpp"
#include "system/journal_store.hpp"

namespace ferry::peer {
namespace {

// Overwrites a string's bytes before it is freed.
struct Wipe {
    std::string& s;
    ~Wipe() { wipe(s); }
};

} // namespace

void wipe(std::string& s)
{
    s.resize(s.capacity());
    explicit_bzero(s.data(), s.size());
    s.clear();
}

bool constant_time_equal(std::string_view a, std::string_view b)
{
    // Compare over the longer length so that the time does not depend on
    // where the first difference is.
    const std::size_t n = std::max(a.size(), b.size());
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

bool verify_password(std::string_view password, const std::string& hash)
{
    if (hash.empty() || hash[0] == '*' || password.size() > kMaxPasswordLength ||
        password.find('\0') != std::string_view::npos)
        return false;
    std::string pw(password);
    Wipe wipe{pw};
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char* out = ::crypt_r(pw.c_str(), hash.c_str(), data.get());
    // libxcrypt returns a string starting with '*' on failure, never NULL
    // (crypt_r may with other libraries).
    const bool ok = out && out[0] != '*' && constant_time_equal(out, hash);
    explicit_bzero(data.get(), sizeof(crypt_data));
    return ok;
}

core::Expected<std::string> hash_password(std::string_view password)
{
    if (password.empty() || password.size() > kMaxPasswordLength ||
        password.find('\0') != std::string_view::npos)
        return core::Error{
            core::Code::InvalidArgument, "The password must be 1 to 1024 bytes without NUL.", {}};
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!::crypt_gensalt_rn("$y$", 0, nullptr, 0, salt, sizeof salt))
        return core::Error{core::Code::Internal,
                           std::string("Cannot make a salt: ") + std::strerror(errno) + ".",
                           {}};
    std::string pw(password);
    Wipe wipe{pw};
    auto data = std::make_unique<crypt_data>();
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char* out = ::crypt_r(pw.c_str(), salt, data.get());
    if (!out || out[0] == '*')
        return core::Error{core::Code::Internal, "crypt(3) failed.", {}};
    std::string hash = out;
    explicit_bzero(data.get(), sizeof(crypt_data));
    return hash;
}

core::Expected<std::string> random_hex(std::size_t n)
{
    std::vector<unsigned char> buf(n);
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::getrandom(buf.data() + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return core::Error{
                core::Code::Internal, std::string("getrandom: ") + std::strerror(errno) + ".", {}};
        }
        got += static_cast<std::size_t>(r);
    }
    std::string hex = local::to_hex(buf.data(), buf.size());
    explicit_bzero(buf.data(), buf.size());
    return hex;
}

} // namespace ferry::peer
