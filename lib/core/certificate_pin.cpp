#include "core/certificate_pin.hpp"

namespace ferry::core {
namespace {

constexpr std::string_view kCurlPrefix = "sha256//";
constexpr std::string_view kSshPrefix = "SHA256:";

bool is_base64_digit(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

} // namespace

Expected<std::string> parse_certificate_pin(std::string_view text)
{
    std::string_view b64;
    if (text.substr(0, kCurlPrefix.size()) == kCurlPrefix)
        b64 = text.substr(kCurlPrefix.size());
    else if (text.substr(0, kSshPrefix.size()) == kSshPrefix)
        b64 = text.substr(kSshPrefix.size());
    else
        return Error{Code::InvalidArgument,
                     "The certificate fingerprint must be SHA256:<base64> (as ferryctl and the web "
                     "page show it) or sha256//<base64>.",
                     "Copy the fingerprint from the source system."};
    if (!b64.empty() && b64.back() == '=')
        b64.remove_suffix(1);
    // 32 bytes: 43 digits, the last one carrying 4 bits (A, E, I, ... w).
    bool ok = b64.size() == 43;
    for (const char c : b64)
        ok = ok && is_base64_digit(c);
    if (ok) {
        const std::string_view last4 = "AEIMQUYcgkosw048";
        ok = last4.find(b64.back()) != std::string_view::npos;
    }
    if (!ok)
        return Error{Code::InvalidArgument,
                     "The certificate fingerprint is not a SHA-256 (43 base64 digits after SHA256:).",
                     "Copy the fingerprint from the source system."};
    return std::string(kCurlPrefix) + std::string(b64) + "=";
}

std::string pin_for_display(std::string_view pin)
{
    if (pin.substr(0, kCurlPrefix.size()) != kCurlPrefix)
        return std::string(pin);
    std::string_view b64 = pin.substr(kCurlPrefix.size());
    while (!b64.empty() && b64.back() == '=')
        b64.remove_suffix(1);
    return std::string(kSshPrefix) + std::string(b64);
}

} // namespace ferry::core
