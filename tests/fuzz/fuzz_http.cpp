// The small HTTP decisions of ferry-peer on request headers (peer/http.cpp,
// peer/auth.cpp): the Range header of a log download, the Host header of a
// port-80 request and its path, the bearer token of Authorization, the
// UTF-8 check of names sent in JSON, addresses in request bodies.
//
// Input: a selector byte, a number (the file size), then NUL-separated
// header values. Properties: a partial range lies inside the file; a
// redirect target is https://, one line, a plain path; is_utf8 agrees with
// nlohmann's strict UTF-8 check; a bearer token is 64 hex digits.
#include <nlohmann/json.hpp>
#include <sys/socket.h>

#include "check.hpp"
#include "core/address.hpp"
#include "peer/auth.hpp"
#include "peer/http.hpp"

using namespace ferry;

namespace {

bool nlohmann_utf8(const std::string& s)
{
    try {
        (void)nlohmann::json(s).dump();
        return true;
    } catch (const nlohmann::json::type_error&) {
        return false;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    fuzz::Fields in(data, size);
    uint64_t file_size = 0;
    for (int i = 0; i < 8; ++i)
        file_size = (file_size << 8) | in.byte();
    if (file_size & 1) // small files are the interesting ones half of the time
        file_size = (file_size >> 1) % 4096;

    const std::string range = in.next();
    const auto r = peer::parse_range(range, file_size);
    if (r.kind == peer::RangeAnswer::Partial) {
        FUZZ_CHECK(file_size > 0);
        FUZZ_CHECK(r.first <= r.last && r.last < file_size);
    }
    if (r.kind == peer::RangeAnswer::Unsatisfiable)
        FUZZ_CHECK(range.find('=') != std::string::npos);

    const std::string host = in.next(), path = in.next();
    const std::string location =
        peer::redirect_location(host, "192.0.2.1", static_cast<uint16_t>(file_size), path);
    FUZZ_CHECK(location.rfind("https://", 0) == 0);
    for (char c : location)
        FUZZ_CHECK(c > 0x20 && c < 0x7f);

    const std::string text = in.next();
    FUZZ_CHECK(peer::is_utf8(text) == nlohmann_utf8(text));

    const std::string token = peer::bearer_token(text);
    FUZZ_CHECK(token.empty() || token.size() == 64);
    for (char c : token)
        FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));

    if (auto a = core::parse_address(text); a) {
        auto again = core::parse_address(a->text);
        FUZZ_CHECK(again.ok() && *again == *a);
    }
    if (auto l = peer::parse_listen_address(text)) {
        FUZZ_CHECK(l->len > 0);
        FUZZ_CHECK(peer::address_port(reinterpret_cast<const sockaddr*>(&l->addr)) != 0);
        FUZZ_CHECK(!peer::address_text(reinterpret_cast<const sockaddr*>(&l->addr)).empty());
    }
    return 0;
}
