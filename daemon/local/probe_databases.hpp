// The two MariaDB servers as Probe reaches them, for the measurements
// (local/probe_measure.*) and the trial of the source's definitions
// (local/definition_trial.*):
//   - this system's, as root over its socket, and scratch schemas on it
//     ("ferry_probe_" + 16 hex digits): made for one measurement or trial
//     and dropped afterwards; one a crash left behind is dropped by the
//     next Probe;
//   - the source's, with a temporary account ferry-peer makes (bound to
//     this system's address, limited to the migrated schemas, dropped
//     again whatever happens) over TLS pinned to the certificate the peer
//     names, as the data copy connects.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/expected.hpp"
#include "mariadb/mariadb_conn.hpp"
#include "source/peer_client.hpp"

namespace ferry::local {

inline constexpr const char* kScratchSchemaPrefix = "ferry_probe_";

// How long a statement of Probe on this system's MariaDB waits for a lock
// another session holds (lock_wait_timeout), seconds.
inline constexpr int kProbeLockWaitSeconds = 5;

// This system's MariaDB as root (unix_socket authentication: ferryd runs
// as root), waiting at most kProbeLockWaitSeconds for a lock; `infile`:
// LOAD DATA LOCAL allowed.
core::Expected<source::MariaDbConnection> local_root(const core::ApplianceConfig& config,
                                                     bool infile);

// A new scratch schema name: kScratchSchemaPrefix + 16 random hex digits.
std::string new_scratch_schema_name();

// Drops every scratch schema on `c` (this Probe's, and one a crash left).
core::Expected<bool> drop_scratch_schemas(source::MariaDbConnection& c);

// Drops `schema`, on a fresh connection when `c` broke; logs when even
// that fails (the next Probe drops it).
void drop_scratch_schema(const core::ApplianceConfig& config, source::MariaDbConnection& c,
                         const std::string& schema);

// Calls `use` with a connection to the source's MariaDB and the migrated
// schemas; the temporary account is dropped when `use` returns. The error
// when the account or the connection could not be had.
core::Expected<bool> with_source_db(
    source::PeerClient& peer, const std::string& self_address, std::chrono::seconds io_timeout,
    const std::function<void(source::MariaDbConnection&, const std::vector<std::string>&)>& use);

} // namespace ferry::local
