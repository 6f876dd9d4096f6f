// The source's MariaDB as the peer API needs it: temporary accounts for the
// target's data copy, and the size of the migrated schemas. MariaDB
// Connector/C over the local server's admin socket ([Database] of
// ferry.conf). An interface, so that the API is tested without a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "peer/config.hpp"

namespace ferry::peer {

struct DbAccount {
    std::string user;
    std::string password;
    uint16_t port = 3306;
    bool tls = true; // the account is REQUIRE SSL: connect with TLS
};

// Temporary accounts are named ferry_ followed by 16 hex digits; nothing
// else is ever dropped.
bool is_temporary_account_name(std::string_view user);

// The statements that create a temporary account (pure, for the tests).
// `password_hash` is the mysql_native_password hash ("*" + 40 hex), so the
// password itself never reaches the server, its logs or binary log.
std::vector<std::string> create_account_statements(const std::string& user, const std::string& host,
                                                   const std::string& password_hash,
                                                   const std::vector<std::string>& schemas,
                                                   bool require_tls);

// "*" + upper-case hex of SHA1(SHA1(password)): MariaDB's
// mysql_native_password hash, as PASSWORD() computes it.
std::string native_password_hash(const std::string& password);

class DatabaseAdmin {
  public:
    virtual ~DatabaseAdmin() = default;
    // Drops every temporary account, then creates one for `host` (an IP
    // literal) with read access to `schemas`.
    virtual core::Expected<DbAccount> create_account(const std::string& host,
                                                     const std::vector<std::string>& schemas) = 0;
    // Drops every temporary account; true also when there was none.
    virtual core::Expected<bool> drop_accounts() = 0;
    // Data and index bytes of `schemas`; nullopt when the server cannot be
    // asked.
    virtual std::optional<uint64_t> data_bytes(const std::vector<std::string>& schemas) = 0;
};

class MariaDbAdmin final : public DatabaseAdmin {
  public:
    explicit MariaDbAdmin(DatabaseConfig config) : config_(std::move(config)) {}
    core::Expected<DbAccount> create_account(const std::string& host,
                                             const std::vector<std::string>& schemas) override;
    core::Expected<bool> drop_accounts() override;
    std::optional<uint64_t> data_bytes(const std::vector<std::string>& schemas) override;

  private:
    DatabaseConfig config_;
};

} // namespace ferry::peer
