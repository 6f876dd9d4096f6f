// The temporary replica of the copy while the source serves (issue 18):
// this system's MariaDB follows the source's binary log from the
// snapshot's GTID position, limited to the migrated schemas, over TLS
// whose certificate is the one ferry-peer named in its pinned answer. It
// lives from operation "pre-copy-data" until operation 4 has applied the
// source's last transaction under maintenance, then it is removed and this
// system's replication state is put back as it was.
//
// MariaDB keeps the applied position (mysql.gtid_slave_pos) in the same
// InnoDB transaction as each applied change, so a crash of ferryd -- or of
// this MariaDB -- never loses or repeats one: the replica continues from
// its own record. ferryd therefore never sets the position of a replica
// that exists; it only creates one from the snapshot's position when there
// is none.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.hpp"
#include "mariadb/mariadb_conn.hpp"

namespace ferry::source {

// The replication connection's name on this system: its relay logs and
// master-info file carry it.
inline constexpr const char* kCatchUpConnection = "ferry_catch_up";

// What this system's MariaDB was before the replica, to be put back.
struct CatchUpRestore {
    std::string gtid_slave_pos;
    std::uint32_t server_id = 0;
    nlohmann::json to_json() const;
    static CatchUpRestore from_json(const nlohmann::json& j);
};

struct CatchUpSetup {
    std::string host; // the source's address
    unsigned port = 3306;
    std::string user;
    std::string password; // a secret: the caller wipes it
    std::string ca_file;  // the source's certificate (PEM), readable by mysqld
    std::vector<std::string> schemas;
    std::string start_gtid; // the snapshot's @@gtid_binlog_pos
    std::uint32_t source_server_id = 0;
};

struct CatchUpStatus {
    bool exists = false;
    bool io_running = false, sql_running = false;
    bool io_stopped = false; // "No": not running nor (re)connecting
    unsigned io_errno = 0, sql_errno = 0;
    std::string io_error, sql_error;
};

// This system's state before a replica is made (for CatchUpRestore).
core::Expected<CatchUpRestore> catch_up_restore_point(MariaDbConnection& db);

// Creates and starts the replica from setup.start_gtid. Precondition: no
// replica of that name exists (catch_up_status().exists == false). When
// this system has the source's server_id it takes another one until
// remove_catch_up(): MariaDB would skip the source's events as its own.
core::Expected<bool> start_catch_up(MariaDbConnection& db, const CatchUpSetup& setup);

core::Expected<CatchUpStatus> catch_up_status(MariaDbConnection& db);

// A new password for the replica's account (the source's ferry-peer made
// a new one), keeping its position; starts it.
core::Expected<bool> renew_catch_up_password(MariaDbConnection& db, const std::string& user,
                                             const std::string& password);

// Until this system has applied every transaction up to `gtid_pos` (the
// source's @@gtid_binlog_pos under maintenance), bounded by `timeout`;
// the replica is stopped afterwards. An error names why it did not get
// there (the replica stopped on an error, the source's binary log no
// longer holds the position, the time ran out, ferryd is stopping).
// With `stop` false the replica goes on afterwards.
core::Expected<bool> wait_caught_up(MariaDbConnection& db, const std::string& gtid_pos,
                                    std::chrono::seconds timeout,
                                    const std::atomic<bool>& stopping, bool stop = true);

// Stops and removes the replica (nothing when there is none) and puts
// this system's gtid_slave_pos and server_id back. Idempotent.
core::Expected<bool> remove_catch_up(MariaDbConnection& db, const CatchUpRestore& restore);

// CHANGE MASTER for the setup; the password as a literal (the statement is
// never logged: errors name it by its keywords).
std::string change_master_statement(const CatchUpSetup& setup);
// replicate_wild_do_table's value: "`s`.%" per schema (MariaDB's syntax
// takes the names unquoted: `s`.% is the pattern s.% here).
std::string wild_do_table(const std::vector<std::string>& schemas);

} // namespace ferry::source
