// The version of the ferry peer protocol (docs/peer-api.md) that ferryd
// speaks and ferry-peer serves. ferryd refuses a source that answers
// another version at Probe (IncompatibleSource), before the job starts,
// rather than failing in the middle of it.
//
//   1  the first version
//   2  log digests per file: GET logs/NAME/sha256 (computed while the file
//      is sent); the log listing no longer carries sha256
#pragma once

namespace ferry::core {

inline constexpr int kPeerProtocol = 2;

} // namespace ferry::core
