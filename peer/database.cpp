#include "peer/database.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <memory>
#include <mysql.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "core/sql_quote.hpp"
#include "system/digest.hpp"
#include "peer/auth.hpp"
#include "mariadb/object_inventory.hpp"

namespace ferry::peer {
namespace {

using core::quote_identifier;
using core::quote_literal;

constexpr std::string_view kPrefix = "ferry_";
constexpr std::size_t kNameHexDigits = 16;

struct Close {
    void operator()(MYSQL* m) const { mysql_close(m); }
};
using Connection = std::unique_ptr<MYSQL, Close>;

struct FreeResult {
    void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
using Result = std::unique_ptr<MYSQL_RES, FreeResult>;

core::Error db_error(const std::string& what, const std::string& detail)
{
    return core::Error{core::Code::Internal, what + ": " + detail + ".",
                       "Check that MariaDB runs on the source and [Database] in ferry.conf."};
}

std::string account(const std::string& user, const std::string& host)
{
    return quote_literal(user) + "@" + quote_literal(host);
}

core::Expected<Connection> connect(const DatabaseConfig& c)
{
    Connection m(mysql_init(nullptr));
    if (!m)
        return db_error("Cannot connect to MariaDB", "out of memory");
    const unsigned connect_timeout = 5, io_timeout = 30;
    mysql_optionsv(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_optionsv(m.get(), MYSQL_OPT_READ_TIMEOUT, &io_timeout);
    mysql_optionsv(m.get(), MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    std::string password;
    if (!c.password_file.empty()) {
        std::ifstream in(c.password_file);
        if (!in)
            return db_error("Cannot read the MariaDB password", c.password_file);
        std::getline(in, password);
        while (!password.empty() && (password.back() == '\r' || password.back() == ' '))
            password.pop_back();
    }
    MYSQL* ok = mysql_real_connect(m.get(), "localhost", c.user.c_str(),
                                   c.password_file.empty() ? nullptr : password.c_str(), nullptr, 0,
                                   c.socket.c_str(), 0);
    wipe(password);
    if (!ok)
        return db_error("Cannot connect to MariaDB at " + c.socket + " as " + c.user,
                        mysql_error(m.get()));
    return m;
}

core::Expected<bool> execute(MYSQL* m, const std::string& sql, const std::string& what)
{
    if (mysql_real_query(m, sql.data(), sql.size()) != 0)
        return db_error(what,
                        "MariaDB error " + std::to_string(mysql_errno(m)) + ": " + mysql_error(m));
    if (MYSQL_RES* r = mysql_store_result(m))
        mysql_free_result(r);
    return true;
}

// Keeps the account changes out of the binary log: a temporary account of
// one ring node must not travel to the others.
core::Expected<bool> local_session(MYSQL* m)
{
    return execute(m, "SET SESSION sql_log_bin=0", "Cannot turn binary logging off");
}

core::Expected<bool> drop_all(MYSQL* m)
{
    const std::string sql = "SELECT User, Host FROM mysql.user WHERE User LIKE 'ferry\\_%'";
    if (mysql_real_query(m, sql.data(), sql.size()) != 0)
        return db_error("Cannot list the temporary accounts", mysql_error(m));
    Result res(mysql_store_result(m));
    if (!res)
        return db_error("Cannot list the temporary accounts", mysql_error(m));
    std::vector<std::pair<std::string, std::string>> accounts;
    while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
        const unsigned long* len = mysql_fetch_lengths(res.get());
        std::string user(row[0] ? row[0] : "", row[0] ? len[0] : 0);
        std::string host(row[1] ? row[1] : "", row[1] ? len[1] : 0);
        if (is_temporary_account_name(user))
            accounts.emplace_back(std::move(user), std::move(host));
    }
    for (const auto& [user, host] : accounts) {
        if (auto r = execute(m, "DROP USER IF EXISTS " + account(user, host),
                             "Cannot drop the temporary account " + user + "@" + host);
            !r)
            return r;
        spdlog::info("Dropped the temporary MariaDB account {}@{}.", user, host);
    }
    return true;
}

} // namespace

bool is_temporary_account_name(std::string_view user)
{
    if (user.size() != kPrefix.size() + kNameHexDigits || user.substr(0, kPrefix.size()) != kPrefix)
        return false;
    return std::all_of(user.begin() + kPrefix.size(), user.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string native_password_hash(const std::string& password)
{
    unsigned char once[EVP_MAX_MD_SIZE], twice[EVP_MAX_MD_SIZE];
    unsigned int n1 = 0, n2 = 0;
    EVP_Digest(password.data(), password.size(), once, &n1, EVP_sha1(), nullptr);
    EVP_Digest(once, n1, twice, &n2, EVP_sha1(), nullptr);
    explicit_bzero(once, sizeof once);
    std::string hex = local::to_hex(twice, n2);
    std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    return "*" + hex;
}

// What the copy (daemon/source/data_copy.cpp) does with the account, and
// the privilege each needs; nothing else is granted:
//   FLUSH TABLES WITH READ LOCK     RELOAD, global (the only way to a
//       snapshot that is consistent across the copy's connections AND
//       covers non-transactional tables AND has an exact binlog/GTID
//       position, which the HA join needs; BACKUP STAGE needs RELOAD too;
//       per-connection snapshots compared by Binlog_snapshot_position
//       cannot be proven consistent on a source without a binary log)
//   SELECT, SHOW CREATE TABLE/SEQUENCE      SELECT on the schema
//   SHOW CREATE VIEW                        SHOW VIEW on the schema
//   information_schema.TRIGGERS, SHOW CREATE TRIGGER   TRIGGER on the schema
//   information_schema.EVENTS, SHOW CREATE EVENT       EVENT on the schema
//   information_schema.ROUTINES, SHOW CREATE PROCEDURE/FUNCTION
//       SELECT on mysql.proc (MariaDB before 11.3 has no narrower
//       privilege that shows routines of others: EXECUTE would show the
//       names but not the bodies, and would let the account run them)
// The binary log position comes from the snapshot itself
// (BINLOG_SNAPSHOT_FILE/POSITION), so no REPLICATION CLIENT / BINLOG
// MONITOR; LOCK TABLES is not used. The account exists from the copy's
// POST /db-account until its DELETE right after the copy is verified.
// With `replica` (the copy while the source serves, issue 18) the target's
// MariaDB also reads this server's binary log from the snapshot on:
//   binlog dump (COM_BINLOG_DUMP, GTID mode)   REPLICATION SLAVE, global
std::vector<std::string> create_account_statements(const std::string& user, const std::string& host,
                                                   const std::string& password_hash,
                                                   const std::vector<std::string>& schemas,
                                                   bool replica)
{
    const std::string who = account(user, host);
    std::vector<std::string> out;
    out.push_back("CREATE USER " + who + " IDENTIFIED BY PASSWORD " + quote_literal(password_hash) +
                  " REQUIRE SSL");
    out.push_back(std::string(replica ? "GRANT RELOAD, REPLICATION SLAVE" : "GRANT RELOAD") +
                  " ON *.* TO " + who);
    out.push_back("GRANT SELECT ON `mysql`.`proc` TO " + who);
    for (const auto& s : schemas)
        out.push_back("GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON " + quote_identifier(s) + ".* TO " + who);
    return out;
}

core::Expected<DbAccount> MariaDbAdmin::create_account(const std::string& host,
                                                       const std::vector<std::string>& schemas,
                                                       bool replica)
{
    auto m = connect(config_);
    if (!m)
        return m.error();
    // ferryd always connects with TLS and pins the certificate: without
    // TLS there is nothing to pin, say so now instead of an "Access
    // denied" at the target.
    auto certificate = server_certificate(m->get());
    if (!certificate)
        return certificate.error();
    if (auto r = local_session(m->get()); !r)
        return r.error();
    if (auto r = drop_all(m->get()); !r)
        return r.error();

    auto suffix = random_hex(kNameHexDigits / 2);
    auto password = random_hex(24);
    if (!suffix)
        return suffix.error();
    if (!password)
        return password.error();
    DbAccount a{std::string(kPrefix) + *suffix,
                std::move(*password),
                config_.port,
                true,
                certificate->sha256,
                certificate->sha1,
                certificate->pem};
    for (const auto& sql : create_account_statements(a.user, host, native_password_hash(a.password),
                                                     schemas, replica))
        if (auto r = execute(m->get(), sql, "Cannot create the temporary account " + a.user); !r) {
            drop_all(m->get());
            return r.error();
        }
    spdlog::info("Created the temporary MariaDB account {}@{} for {}.", a.user, host,
                 schemas.empty() ? std::string("no schema")
                                 : fmt::format("{}", fmt::join(schemas, ", ")));
    return a;
}

core::Expected<bool> MariaDbAdmin::drop_accounts()
{
    auto m = connect(config_);
    if (!m)
        return m.error();
    if (auto r = local_session(m->get()); !r)
        return r;
    return drop_all(m->get());
}

core::Expected<core::ObjectInventory> DatabaseAdmin::object_inventory(const std::vector<std::string>&)
{
    return core::Error{core::Code::Internal, "This source cannot list its database objects.", {}};
}

core::Expected<core::ObjectInventory> MariaDbAdmin::object_inventory(const std::vector<std::string>& schemas)
{
    source::MariaDbEndpoint e;
    e.unix_socket = config_.socket;
    e.user = config_.user;
    if (!config_.password_file.empty()) {
        std::ifstream in(config_.password_file);
        if (!in)
            return db_error("Cannot read the MariaDB password", config_.password_file);
        std::getline(in, e.password);
        while (!e.password.empty() && (e.password.back() == '\r' || e.password.back() == ' '))
            e.password.pop_back();
    }
    source::MariaDbConnection::Options o;
    o.role = "source's";
    auto db = source::MariaDbConnection::connect(e, o);
    wipe(e.password);
    if (!db)
        return db.error();
    return source::read_object_inventory(*db, schemas);
}

std::optional<uint64_t> MariaDbAdmin::data_bytes(const std::vector<std::string>& schemas)
{
    if (schemas.empty())
        return 0;
    auto m = connect(config_);
    if (!m) {
        spdlog::warn("{}", m.error().message);
        return std::nullopt;
    }
    std::string in;
    for (const auto& s : schemas)
        in += (in.empty() ? "" : ",") + quote_literal(s);
    const std::string sql = "SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) FROM "
                            "information_schema.TABLES WHERE TABLE_SCHEMA IN (" +
                            in + ")";
    if (mysql_real_query(m->get(), sql.data(), sql.size()) != 0) {
        spdlog::warn("Cannot measure the data: {}", mysql_error(m->get()));
        return std::nullopt;
    }
    Result res(mysql_store_result(m->get()));
    MYSQL_ROW row = res ? mysql_fetch_row(res.get()) : nullptr;
    uint64_t v = 0;
    if (!row || !row[0])
        return std::nullopt;
    const std::string_view t(row[0]);
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc())
        return std::nullopt;
    return v;
}

} // namespace ferry::peer
