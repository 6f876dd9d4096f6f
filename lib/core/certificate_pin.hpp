// The pin of a source's TLS key as Probe reports it (CertificateSha256:
// "sha256//" + base64 of the SHA-256 of the certificate's
// SubjectPublicKeyInfo, curl's pinned-public-key format) and as an
// administrator may give it back (Probe flag CertificateSha256, ferryctl
// probe --fingerprint=): that form, or ssh's "SHA256:" + unpadded base64.
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace ferry::core {

// The pin in Probe's form; InvalidArgument when `text` is neither form of
// a SHA-256 (32 bytes, 43 base64 digits).
Expected<std::string> parse_certificate_pin(std::string_view text);

// "sha256//X=" -> "SHA256:X", as ssh shows a key's fingerprint; the text
// as is when it is not a pin.
std::string pin_for_display(std::string_view pin);

} // namespace ferry::core
