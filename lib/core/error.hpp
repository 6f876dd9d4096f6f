// The errors ferry reports, as values. core/ never throws transport types:
// the bus layer maps each Code to its D-Bus name (org.ferry.Migration1.Error.*)
// exactly once, like systemd's bus-common-errors.
#pragma once

#include <string>
#include <string_view>

namespace ferry::core {

enum class Code {
    InvalidArgument,    // a malformed argument (address, string too long, wrong type)
    UnknownOption,      // an option or flag key ferry does not know
    NotProbed,          // Plan/Start/GetOptions before a successful Probe
    ProbeExpired,       // the token from Probe timed out
    Unreachable,        // the source does not answer (names the closed ports)
    AuthenticationFailed,
    RateLimited,        // too many attempts
    OptionUnavailable,  // an option that the wizard rules forbid here
    SameSystem,         // the source address is this system
    IncompatibleSource, // the source speaks another protocol version
    Busy,               // a job exists already / another request is in flight
    NoJob,
    NotFinished,        // Acknowledge of a running job
    NotFailed,          // Resume of a job that did not fail
    NotAuthorized,
    JournalCorrupt,
    ReplicationFailed,  // the MariaDB ring is not in a state the HA path can use
    ObjectMismatch,     // after the copy, objects of the migrated schemas differ from the source's
    TlsRequired,        // the source's MariaDB offers no TLS on its port (3306)
    CertificateMismatch, // the source presented another certificate than expected (3306: ferry-peer's; Probe: the caller's)
    UnexpectedDefinition, // a definition from the source is not the statement expected for its object
    SourceOutOfRing,    // Acknowledge between operation 3 (source left the ring) and 7 (target joined)
    RestartLimit,       // the job was restarted too often without progress (crash loop)
    LimitsExceeded,     // too many pending requests from one caller (or overall)
    JournalWriteFailed, // a checkpoint could not reach the disk: the operation stops
    PreflightFailed,    // Start: a pre-flight check of the plan failed (no room, versions, ring, ...)
    Internal,
};

// The D-Bus error name suffix, e.g. "NotProbed".
std::string_view code_name(Code c);

struct Error {
    Code code;
    std::string message; // a sentence a person can act on
    std::string remedy;  // optional: what to do about it
    // MariaDB's own error number when a MariaDB server or Connector/C
    // refused (e.g. 1205, a lock wait timeout); 0 for every other error.
    // For what must tell MariaDB's refusals apart without reading the
    // message (the definitions trial).
    unsigned server_error = 0;
};

} // namespace ferry::core
