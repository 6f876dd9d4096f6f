// The version of the ferry peer protocol (docs/peer-api.md) that ferryd
// speaks and ferry-peer serves. ferryd refuses a source that answers
// another version at Probe (IncompatibleSource), before the job starts,
// rather than failing in the middle of it.
//
//   1  the first version
//   2  log digests per file: GET logs/NAME/sha256 (computed while the file
//      is sent); the log listing no longer carries sha256
//   3  GET db-objects (every object of the migrated schemas with a digest
//      of its definition); db-account always requires TLS and names the
//      MariaDB certificate's digests (tls_certificate), which ferryd pins;
//      the account has only the grants the copy needs
#pragma once

namespace ferry::core {

inline constexpr int kPeerProtocol = 3;

} // namespace ferry::core
