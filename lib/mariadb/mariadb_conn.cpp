#include "mariadb/mariadb_conn.hpp"

#include <errmsg.h>
#include <mariadb_version.h>
#include <mysqld_error.h>

#include <cctype>
#include <mutex>
#include <utility>

namespace ferry::source {

namespace {

void library_init()
{
    // mysql_init() would call it too, but not thread-safely.
    static std::once_flag once;
    std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

bool is_connection_error(unsigned e)
{
    switch (e) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_IPSOCK_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_HANDSHAKE_ERR:
    case CR_SERVER_LOST:
    case CR_SSL_CONNECTION_ERROR:
    case CR_SERVER_LOST_EXTENDED:
    case CR_ERR_NET_READ:
    case CR_ERR_NET_WRITE:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
    case ER_NET_READ_ERROR:
    case ER_NET_READ_INTERRUPTED:
    case ER_NET_ERROR_ON_WRITE:
    case ER_NET_WRITE_INTERRUPTED:
        return true;
    default:
        return false;
    }
}

} // namespace

std::string statement_label(std::string_view sql)
{
    std::string out = "statement";
    int words = 0;
    std::size_t i = 0;
    while (words < 2) {
        while (i < sql.size() && (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\n' || sql[i] == '\r'))
            ++i;
        const std::size_t start = i;
        while (i < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[i])) || sql[i] == '_'))
            ++i;
        // A word ends at a blank or the end; anything else ('(', '`', '=')
        // starts a name or a value.
        if (i == start || (i < sql.size() && sql[i] != ' ' && sql[i] != '\t' && sql[i] != '\n' && sql[i] != '\r'))
            break;
        out += ' ';
        for (std::size_t k = start; k < i; ++k)
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[k])));
        ++words;
    }
    return out;
}

std::string redact_server_message(std::string_view message)
{
    // ER_PARSE_ERROR and its kin: "... near '<up to 80 bytes of the
    // statement>' at line N". The statement text may hold a password.
    const auto near = message.find(" near '");
    if (near != std::string_view::npos)
        return std::string(message.substr(0, near)) + " (statement text omitted)";
    return std::string(message);
}

std::string MariaDbEndpoint::describe() const
{
    if (!unix_socket.empty())
        return "unix:" + unix_socket;
    if (host.find(':') != std::string::npos)
        return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::string connector_pin(const std::string& sha256, const std::string& sha1)
{
    // The Connector/C this was built against (mariadb_version.h): Debian's
    // libmariadb3 and libmariadb-dev come from one source package. The
    // library has no run-time query for its own package version
    // (MARIADB_CLIENT_VERSION_ID is the server version it shipped with).
#if MARIADB_PACKAGE_VERSION_ID >= 30400
    (void)sha1;
    return sha256;
#else
    (void)sha256;
    return sha1;
#endif
}

namespace {

core::Error classify(unsigned errnum, std::string_view message, std::string_view role,
                     std::string_view peer, std::string_view what)
{
    const bool named = role.size() >= 7 && role.substr(role.size() - 7) == "MariaDB";
    std::string text = std::string(what) + ": " + std::string(role) + (named ? " (" : " MariaDB (") +
                       std::string(peer) + ") error " + std::to_string(errnum) + ": " +
                       redact_server_message(message);
    // The TLS refusals of Connector/C (CR_SSL_CONNECTION_ERROR): the pinned
    // certificate was not the one presented, or the server has no TLS.
    if (errnum == CR_SSL_CONNECTION_ERROR && (message.find("inger print") != std::string_view::npos ||
                                              message.find("ingerprint") != std::string_view::npos))
        return core::Error{core::Code::CertificateMismatch,
                           text + " (the " + std::string(role) +
                               " presented another certificate than its ferry peer named)",
                           "Someone between the two systems may be answering in the source's place on port "
                           "3306, or the source's MariaDB certificate changed since it started (FLUSH SSL "
                           "or a restart applies it). Check the network path, then Resume()."};
    if (errnum == CR_SSL_CONNECTION_ERROR &&
        (message.find("not support") != std::string_view::npos || message.find("required") != std::string_view::npos))
        return core::Error{core::Code::TlsRequired, text + " (no TLS on the " + std::string(role) + "'s port)",
                           "Configure ssl_cert and ssl_key for the " + std::string(role) +
                               "'s MariaDB, restart it, then Resume()."};
    if (is_connection_error(errnum))
        return core::Error{core::Code::Unreachable, std::move(text),
                           "Check that the " + std::string(role) +
                               " MariaDB server runs and that port 3306 is open between the two systems, "
                               "then resume."};
    if (errnum == ER_ACCESS_DENIED_ERROR || errnum == ER_ACCESS_DENIED_NO_PASSWORD_ERROR ||
        errnum == ER_DBACCESS_DENIED_ERROR)
        return core::Error{core::Code::AuthenticationFailed, std::move(text),
                           "Check the MariaDB account used for the copy and its privileges."};
    // A full disk: "The table 'x' is full", "Disk full", "(Errcode: 28 ...)",
    // and a table that cannot be created for want of room: error 1005 with
    // "(errno: 135 "No more room in record file")" or errno 28 (ENOSPC),
    // seen by faults-disk-full when the disk filled before CREATE TABLE.
    if (errnum == ER_RECORD_FILE_FULL || errnum == ER_DISK_FULL ||
        message.find("Errcode: 28") != std::string_view::npos ||
        message.find("errno: 28 ") != std::string_view::npos ||
        message.find("errno: 135 ") != std::string_view::npos)
        return core::Error{core::Code::Internal, std::move(text),
                           "Free space on the disk of the " + std::string(role) +
                               " MariaDB (its data directory), then resume."};
    return core::Error{core::Code::Internal, std::move(text), {}};
}

} // namespace

core::Error mariadb_error(unsigned errnum, std::string_view message, std::string_view role,
                          std::string_view peer, std::string_view what)
{
    auto e = classify(errnum, message, role, peer, what);
    e.server_error = errnum;
    return e;
}

// --- StreamedResult ---------------------------------------------------------

StreamedResult::StreamedResult(MYSQL* mysql, MYSQL_RES* res)
    : mysql_(mysql), res_(res), fields_(res ? mysql_num_fields(res) : 0)
{
}

StreamedResult::StreamedResult(StreamedResult&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)), res_(std::exchange(other.res_, nullptr)),
      fields_(other.fields_), end_(other.end_)
{
}

StreamedResult& StreamedResult::operator=(StreamedResult&& other) noexcept
{
    if (this != &other) {
        release();
        mysql_ = std::exchange(other.mysql_, nullptr);
        res_ = std::exchange(other.res_, nullptr);
        fields_ = other.fields_;
        end_ = other.end_;
    }
    return *this;
}

StreamedResult::~StreamedResult() { release(); }

void StreamedResult::release()
{
    if (!res_)
        return;
    // mysql_free_result on an unfinished unbuffered result reads every
    // remaining row first: for an aborted copy of a big table that is the
    // rest of the table. Cut the connection instead; it is unusable anyway.
    if (!end_ && mysql_)
        mariadb_cancel(mysql_);
    mysql_free_result(res_);
    res_ = nullptr;
}

const MYSQL_FIELD* StreamedResult::fields() const { return res_ ? mysql_fetch_fields(res_) : nullptr; }

MYSQL_ROW StreamedResult::next(unsigned long*& lengths)
{
    if (!res_ || end_)
        return nullptr;
    MYSQL_ROW row = mysql_fetch_row(res_);
    if (!row) {
        if (mysql_errno(mysql_) == 0)
            end_ = true;
        return nullptr;
    }
    lengths = mysql_fetch_lengths(res_);
    return row;
}

bool StreamedResult::finished() const { return end_; }

// --- MariaDbConnection ----------------------------------------------------

MariaDbConnection::MariaDbConnection(MYSQL* mysql, std::string role, std::string peer)
    : mysql_(mysql), role_(std::move(role)), peer_(std::move(peer))
{
}

MariaDbConnection::MariaDbConnection(MariaDbConnection&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)), role_(std::move(other.role_)),
      peer_(std::move(other.peer_))
{
}

MariaDbConnection& MariaDbConnection::operator=(MariaDbConnection&& other) noexcept
{
    if (this != &other) {
        close();
        mysql_ = std::exchange(other.mysql_, nullptr);
        role_ = std::move(other.role_);
        peer_ = std::move(other.peer_);
    }
    return *this;
}

MariaDbConnection::~MariaDbConnection() { close(); }

void MariaDbConnection::close()
{
    if (mysql_) {
        mysql_close(mysql_);
        mysql_ = nullptr;
    }
}

void MariaDbConnection::cancel()
{
    if (mysql_)
        mariadb_cancel(mysql_);
}

core::Expected<MariaDbConnection> MariaDbConnection::connect(const MariaDbEndpoint& ep, const Options& options)
{
    library_init();
    const std::string peer = ep.describe();
    MYSQL* m = mysql_init(nullptr);
    if (!m)
        return core::Error{core::Code::Internal, "out of memory creating a MariaDB connection", {}};
    MariaDbConnection conn(m, options.role, peer);

    const unsigned connect_timeout = static_cast<unsigned>(ep.connect_timeout.count());
    const unsigned io_timeout = static_cast<unsigned>(ep.io_timeout.count());
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    if (io_timeout > 0) {
        mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
        mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    }
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, options.charset.c_str());
    const unsigned local_infile = options.local_infile ? 1 : 0;
    mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &local_infile);
    // Never read option files: the daemon's behaviour must not depend on
    // a [client] section somewhere on the appliance.
    const unsigned protocol = ep.unix_socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
    mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);

    if (ep.tls.enabled) {
        const my_bool enforce = 1;
        mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
        const my_bool verify = ep.tls.verify_server_cert ? 1 : 0;
        mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
        auto opt = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
        mysql_ssl_set(m, opt(ep.tls.key_file), opt(ep.tls.cert_file), opt(ep.tls.ca_file), nullptr, nullptr);
        if (!ep.tls.peer_fingerprint.empty())
            mysql_optionsv(m, MARIADB_OPT_TLS_PEER_FP, ep.tls.peer_fingerprint.c_str());
    }

    const char* host = ep.unix_socket.empty() ? ep.host.c_str() : "localhost";
    const char* socket = ep.unix_socket.empty() ? nullptr : ep.unix_socket.c_str();
    if (!mysql_real_connect(m, host, ep.user.c_str(), ep.password.c_str(), nullptr,
                            ep.unix_socket.empty() ? ep.port : 0, socket, 0))
        return conn.last_error("connecting");
    return conn;
}

core::Error MariaDbConnection::last_error(std::string_view what) const
{
    if (!mysql_)
        return core::Error{core::Code::Internal, std::string(what) + ": no connection", {}};
    return mariadb_error(mysql_errno(mysql_), mysql_error(mysql_), role_, peer_, what);
}

unsigned MariaDbConnection::last_errno() const { return mysql_ ? mysql_errno(mysql_) : CR_UNKNOWN_ERROR; }

std::uint64_t MariaDbConnection::affected_rows() const { return mysql_ ? mysql_affected_rows(mysql_) : 0; }

unsigned MariaDbConnection::warning_count() const { return mysql_ ? mysql_warning_count(mysql_) : 0; }

std::string MariaDbConnection::server_version() const
{
    const char* v = mysql_ ? mysql_get_server_info(mysql_) : nullptr;
    return v ? v : "";
}

core::Expected<bool> MariaDbConnection::execute(std::string_view sql)
{
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
        return last_error(statement_label(sql));
    // Drain every result (a statement may return one, e.g. CHECKSUM TABLE).
    do {
        MYSQL_RES* res = mysql_store_result(mysql_);
        if (res)
            mysql_free_result(res);
        else if (mysql_field_count(mysql_) != 0)
            return last_error(statement_label(sql));
    } while (mysql_next_result(mysql_) == 0);
    if (mysql_errno(mysql_) != 0)
        return last_error(statement_label(sql));
    return true;
}

core::Expected<MariaDbConnection::StoredResult> MariaDbConnection::store(std::string_view sql)
{
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
        return last_error(statement_label(sql));
    StoredResult res(mysql_store_result(mysql_), mysql_free_result);
    if (!res && mysql_field_count(mysql_) != 0)
        return last_error(statement_label(sql));
    return res;
}

core::Expected<std::vector<Row>> MariaDbConnection::query(std::string_view sql)
{
    auto stored = store(sql);
    if (!stored)
        return stored.error();
    MYSQL_RES* res = stored->get();
    if (!res)
        return std::vector<Row>{};
    const unsigned n = mysql_num_fields(res);
    std::vector<Row> rows;
    rows.reserve(mysql_num_rows(res));
    while (MYSQL_ROW r = mysql_fetch_row(res)) {
        unsigned long* len = mysql_fetch_lengths(res);
        Row row;
        row.reserve(n);
        for (unsigned i = 0; i < n; ++i) {
            if (r[i])
                row.emplace_back(std::string(r[i], len[i]));
            else
                row.emplace_back(std::nullopt);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

core::Expected<std::vector<NamedRow>> MariaDbConnection::query_named(std::string_view sql)
{
    auto stored = store(sql);
    if (!stored)
        return stored.error();
    MYSQL_RES* res = stored->get();
    if (!res)
        return std::vector<NamedRow>{};
    const unsigned n = mysql_num_fields(res);
    const MYSQL_FIELD* fields = mysql_fetch_fields(res);
    std::vector<NamedRow> rows;
    while (MYSQL_ROW r = mysql_fetch_row(res)) {
        unsigned long* len = mysql_fetch_lengths(res);
        NamedRow row;
        for (unsigned i = 0; i < n; ++i)
            row[fields[i].name] = r[i] ? std::string(r[i], len[i]) : std::string();
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string column(const NamedRow& row, const std::string& column)
{
    const auto it = row.find(column);
    return it == row.end() ? std::string() : it->second;
}

core::Expected<std::optional<std::string>> MariaDbConnection::query_value(std::string_view sql)
{
    auto rows = query(sql);
    if (!rows)
        return rows.error();
    if (rows->empty() || rows->front().empty())
        return std::optional<std::string>{};
    return rows->front().front();
}

core::Expected<StreamedResult> MariaDbConnection::stream(std::string_view sql)
{
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
        return last_error(statement_label(sql));
    MYSQL_RES* res = mysql_use_result(mysql_);
    if (!res)
        return last_error(statement_label(sql));
    return StreamedResult(mysql_, res);
}

} // namespace ferry::source
