// A small RAII wrapper of MariaDB Connector/C (libmariadb): one connection,
// its errors as core::Error values, stored and streamed results. Used by the
// data copy (source/data_copy.cpp); no exceptions, no global state apart
// from the library's one-time initialisation.
//
// Error mapping: connection-level failures (cannot connect, server gone,
// connection lost, unknown host, TLS handshake) -> Code::Unreachable;
// access denied -> Code::AuthenticationFailed; everything else ->
// Code::Internal with the MariaDB error number and message.
//
// No error carries SQL text: a statement may hold a secret (the ring's
// MASTER_PASSWORD, the temporary account's IDENTIFIED BY) and an error
// becomes the job's Error property, which every local user may read. An
// error names the statement by its leading keywords ("CHANGE MASTER")
// and the server's message loses any quoted statement fragment ("near
// '...'").
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <mysql.h>

#include "core/error.hpp"
#include "core/expected.hpp"
#include "core/sql_quote.hpp"

namespace ferry::source {

struct MariaDbTls {
    bool enabled = false;            // require TLS (the connection fails without it)
    bool verify_server_cert = true;  // check the certificate chain and host name against ca_file
    std::string ca_file;             // PEM; empty: the system store
    std::string cert_file;           // client certificate, optional
    std::string key_file;
    std::string peer_fingerprint;    // hex SHA-1/SHA-256 of the server certificate (pinning), optional
};

struct MariaDbEndpoint {
    std::string host;                // used when unix_socket is empty
    unsigned port = 3306;
    std::string unix_socket;         // a local server: the socket path
    std::string user;
    std::string password;
    MariaDbTls tls;
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds io_timeout{900}; // client read/write timeout: a silent peer fails after this

    // "127.0.0.2:3306" or "unix:/run/mysqld/mysqld.sock", for messages.
    std::string describe() const;
};

using core::quote_identifier;
using core::quote_literal;

using Row = std::vector<std::optional<std::string>>;

// A result read with mysql_use_result: rows come from the socket one at a
// time; nothing else may run on the connection until it is drained or
// destroyed. Destroying an undrained result cancels the connection
// (mariadb_cancel) instead of reading the remaining rows.
class StreamedResult {
  public:
    StreamedResult() = default;
    StreamedResult(StreamedResult&& other) noexcept;
    StreamedResult& operator=(StreamedResult&& other) noexcept;
    StreamedResult(const StreamedResult&) = delete;
    StreamedResult& operator=(const StreamedResult&) = delete;
    ~StreamedResult();

    unsigned field_count() const { return fields_; }
    const MYSQL_FIELD* fields() const;
    // The next row, or nullptr at the end or on error (see finished()).
    MYSQL_ROW next(unsigned long*& lengths);
    // After next() returned nullptr: true at the clean end of the result.
    bool finished() const;
    MYSQL_RES* handle() { return res_; }

  private:
    friend class MariaDbConnection;
    StreamedResult(MYSQL* mysql, MYSQL_RES* res);
    void release();

    MYSQL* mysql_ = nullptr;
    MYSQL_RES* res_ = nullptr;
    unsigned fields_ = 0;
    bool end_ = false;
};

using NamedRow = std::map<std::string, std::string>;
// The value of `column` in `row`; "" when it has none.
std::string column(const NamedRow& row, const std::string& column);

class MariaDbConnection {
  public:
    struct Options {
        bool local_infile = false;         // allow LOAD DATA LOCAL INFILE (target only)
        std::string charset = "utf8mb4";
        std::string role = "MariaDB";      // "source", "target": named in error messages
    };

    static core::Expected<MariaDbConnection> connect(const MariaDbEndpoint& endpoint, const Options& options);

    MariaDbConnection(MariaDbConnection&& other) noexcept;
    MariaDbConnection& operator=(MariaDbConnection&& other) noexcept;
    MariaDbConnection(const MariaDbConnection&) = delete;
    MariaDbConnection& operator=(const MariaDbConnection&) = delete;
    ~MariaDbConnection();

    // Runs one statement, discarding any result set.
    core::Expected<bool> execute(std::string_view sql);
    // Runs one statement and stores its (small) result.
    core::Expected<std::vector<Row>> query(std::string_view sql);
    // Runs one statement and stores its (small) result by column name, SQL
    // NULL as "": for SHOW SLAVE STATUS and its ~60 columns, whose order
    // changes between versions.
    core::Expected<std::vector<NamedRow>> query_named(std::string_view sql);
    // The first column of the first row; std::nullopt for SQL NULL or no row.
    core::Expected<std::optional<std::string>> query_value(std::string_view sql);
    // Runs a SELECT and streams its rows (mysql_use_result).
    core::Expected<StreamedResult> stream(std::string_view sql);

    // The last error of this connection as a core::Error ("what" says what
    // was being done, e.g. "reading hotspot.users"; never SQL text).
    core::Error last_error(std::string_view what) const;
    unsigned last_errno() const;
    std::uint64_t affected_rows() const;
    unsigned warning_count() const;
    std::string server_version() const;
    const std::string& role() const { return role_; }
    const std::string& peer() const { return peer_; }
    // Closes the socket at once (another thread may be blocked on it).
    void cancel();

    MYSQL* handle() { return mysql_; }

  private:
    MariaDbConnection(MYSQL* mysql, std::string role, std::string peer);
    void close();
    // Runs one statement and stores its result (query, query_named); a null
    // result for a statement that returns none.
    using StoredResult = std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)>;
    core::Expected<StoredResult> store(std::string_view sql);

    MYSQL* mysql_ = nullptr;
    std::string role_;
    std::string peer_;
};

// The fingerprint MARIADB_OPT_TLS_PEER_FP takes from this Connector/C, out
// of the SHA-256 and SHA-1 (hex) of one certificate: Connector/C 3.3
// (Debian 12's libmariadb3 3.3.x) compares SHA-1 only (40 hex digits, ':'
// allowed), 3.4 and later pick the hash by the length (SHA-256: 64).
// SHA-1 second preimages are not feasible: an attacker cannot make a
// certificate with the digest of one it did not choose.
std::string connector_pin(const std::string& sha256, const std::string& sha1);


// "CHANGE MASTER TO MASTER_PASSWORD='x'" -> "statement CHANGE MASTER": the
// leading keywords (at most two words of letters and '_'), never a name
// or a value.
std::string statement_label(std::string_view sql);

// The server's message without quoted statement text: a parse error's
// "near '...' at line 1" is cut off.
std::string redact_server_message(std::string_view message);

// The core::Error for a MariaDB error number and message (the message is
// redacted as above; the number is its server_error too).
core::Error mariadb_error(unsigned errnum, std::string_view message, std::string_view role,
                          std::string_view peer, std::string_view what);

} // namespace ferry::source
