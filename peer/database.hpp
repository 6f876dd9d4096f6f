// The source's MariaDB as the peer API needs it: temporary accounts for the
// target's data copy, and the size of the migrated schemas. MariaDB
// Connector/C over the local server's admin socket ([Database] of
// ferry.conf). An interface, so that the API is tested without a server.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <mysql.h>

#include "core/db_objects.hpp"
#include "core/expected.hpp"
#include "core/ring.hpp"
#include "peer/config.hpp"

namespace ferry::peer {

struct DbAccount {
    std::string user;
    std::string password;
    uint16_t port = 3306;
    bool tls = true; // the account is REQUIRE SSL: connect with TLS
    // Of the certificate MariaDB presents on `port` (lower-case hex of the
    // DER): ferryd pins it. Connector/C 3.3 (Debian 12) pins SHA-1 only,
    // 3.4 and later SHA-256 too; both are sent (peer/database_tls.cpp).
    std::string tls_sha256;
    std::string tls_sha1;
    // The certificate itself (PEM), for a replica of this server: MariaDB's
    // replication checks its chain against a file, it cannot pin a digest.
    std::string tls_pem;
};

// The certificate MariaDB presents on its port: its digests (what ferryd
// pins) and the certificate in PEM (what ferryd's replica trusts).
struct ServerCertificate {
    std::string sha256, sha1, pem;
};

// Temporary accounts are named ferry_ followed by 16 hex digits; nothing
// else is ever dropped.
bool is_temporary_account_name(std::string_view user);

// The statements that create a temporary account (pure, for the tests).
// `password_hash` is the mysql_native_password hash ("*" + 40 hex), so the
// password itself never reaches the server, its logs or binary log. The
// account always requires TLS.
std::vector<std::string> create_account_statements(const std::string& user, const std::string& host,
                                                   const std::string& password_hash,
                                                   const std::vector<std::string>& schemas,
                                                   bool replica = false);

// "*" + upper-case hex of SHA1(SHA1(password)): MariaDB's
// mysql_native_password hash, as PASSWORD() computes it.
std::string native_password_hash(const std::string& password);

// The live replication facts of this server (SHOW SLAVE STATUS, the
// processlist's binlog dump threads, the GTID variables).
struct ReplicationState {
    bool replica_configured = false;
    std::string master_host;
    uint16_t master_port = 0;
    std::string using_gtid; // "No" | "Slave_Pos" | "Current_Pos"
    bool io_running = false;
    bool sql_running = false;
    std::string last_error;
    std::vector<std::string> downstream; // addresses reading this server's binary log
    uint32_t server_id = 0;
    uint32_t gtid_domain_id = 0;
    std::string gtid_binlog_pos;
    std::string gtid_current_pos;
    bool log_bin = false;
    bool log_slave_updates = false;
    int64_t seconds_behind = -1; // Seconds_Behind_Master; -1 when NULL or no replica
    // How long binary logs are kept before the server purges them
    // (expire_logs_days, in seconds); 0: never purged automatically.
    uint64_t binlog_expire_seconds = 0;
    std::string server_version;  // VERSION(), for the target's pre-flight check
};

class DatabaseAdmin {
  public:
    virtual ~DatabaseAdmin() = default;
    // Drops every temporary account, then creates one for `host` (an IP
    // literal) with read access to `schemas`.
    // `replica`: the account may also read the binary log (REPLICATION
    // SLAVE), for a target that follows this server's changes (issue 18).
    virtual core::Expected<DbAccount> create_account(const std::string& host,
                                                     const std::vector<std::string>& schemas,
                                                     bool replica) = 0;
    // Drops every temporary account; true also when there was none.
    virtual core::Expected<bool> drop_accounts() = 0;
    // Data and index bytes of `schemas`; nullopt when the server cannot be
    // asked.
    virtual std::optional<uint64_t> data_bytes(const std::vector<std::string>& schemas) = 0;
    // Every object of `schemas` with the digest of its definition
    // (lib/mariadb/object_inventory.hpp), as local root sees them.
    virtual core::Expected<core::ObjectInventory> object_inventory(const std::vector<std::string>& schemas);

    // --- the ring (peer/replication.cpp; docs/ha.md)
    // This server's replica and binary log as the describe answer shows them.
    virtual core::Expected<ReplicationState> replication_state();
    // Takes this server out of the ring (operation 3): stops its replica,
    // makes it read-only, waits (at most `wait`) until every replica
    // reading its binary log has received all of it, then calls `record`
    // with the freeze (it must be on disk when `record` returns) and only
    // then forgets the replica (RESET SLAVE ALL), so that no restart joins
    // the ring again. When the wait or `record` fails the replica is
    // started again and read-only lifted: nothing changed.
    // RESET SLAVE ALL when a replica is still configured (a deactivation
    // that was recorded but interrupted before it forgot the replica).
    virtual core::Expected<bool> forget_replica();
    virtual core::Expected<core::ReplicaFreeze>
    deactivate_replica(std::chrono::seconds wait,
                       const std::function<core::Expected<bool>(const core::ReplicaFreeze&)>& record);
};

class MariaDbAdmin final : public DatabaseAdmin {
  public:
    explicit MariaDbAdmin(DatabaseConfig config) : config_(std::move(config)) {}
    core::Expected<DbAccount> create_account(const std::string& host,
                                             const std::vector<std::string>& schemas,
                                             bool replica) override;
    core::Expected<bool> drop_accounts() override;
    std::optional<uint64_t> data_bytes(const std::vector<std::string>& schemas) override;
    core::Expected<core::ObjectInventory> object_inventory(const std::vector<std::string>& schemas) override;
    core::Expected<ReplicationState> replication_state() override;
    core::Expected<bool> forget_replica() override;
    core::Expected<core::ReplicaFreeze> deactivate_replica(
        std::chrono::seconds wait,
        const std::function<core::Expected<bool>(const core::ReplicaFreeze&)>& record) override;

  private:
    DatabaseConfig config_;
};

// The digests of the certificate the MariaDB server of `m` presents: the
// first certificate of the file its @@ssl_cert names. TlsRequired when the
// server has no TLS (peer/database_tls.cpp).
core::Expected<ServerCertificate> server_certificate(MYSQL* m);

} // namespace ferry::peer
