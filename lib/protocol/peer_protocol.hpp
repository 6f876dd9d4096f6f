// The ferry peer protocol (docs/peer-api.md): its version, and every
// request and answer body as a struct with its JSON mapping. The one
// source of the keys: ferry-peer (peer/api*.cpp) writes its answers and
// reads its requests with these, ferryd (source/peer_client.cpp,
// source/source_client.cpp, steps/) writes its requests and reads the
// answers with these. Pure: no I/O.
//
// Reading never throws: an answer comes from the network (the source's,
// or anyone's on the path before Probe pinned the source's key), and a
// thrown json::exception on one of ferryd's worker threads would end it.
// A missing field, a field of another type or an integer out of range
// gives the named error IncompatibleSource whose message names the
// message and the field.
//
// Versions: ferryd refuses a source that answers another version at
// Probe (IncompatibleSource), before the job starts, rather than failing
// in the middle of it.
//   1  the first version
//   2  log digests per file: GET logs/NAME/sha256 (computed while the file
//      is sent); the log listing no longer carries sha256
//   3  GET db-objects (every object of the migrated schemas with a digest
//      of its definition); db-account always requires TLS and names the
//      MariaDB certificate's digests (tls_certificate), which ferryd pins;
//      the account has only the grants the copy needs
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace ferry::protocol {

inline constexpr int kVersion = 3;

using nlohmann::json;
using Files = std::map<std::string, std::string>; // file name -> contents

// ------------------------------------------------------------ reading

// Reads the fields of one JSON object; the first failure is kept and
// every later read returns a default, so a from_json reads straight
// through and returns error() at the end.
class Reader {
  public:
    // `what` names the message in errors: "the source's description".
    Reader(const json& j, std::string what);

    std::string text(const char* key);
    bool flag(const char* key);
    // An integer that fits T (core/json_number.hpp's rule: no wrap, no float).
    template <typename T> T integer(const char* key);
    std::vector<std::string> texts(const char* key);
    Files files(const char* key);

    // Optional fields: `fallback` when missing; of another type, an error.
    std::string text_or(const char* key, std::string fallback);
    bool flag_or(const char* key, bool fallback);
    template <typename T> T integer_or(const char* key, T fallback);
    std::vector<std::string> texts_or(const char* key);
    // An optional object field: nullptr when missing.
    const json* object_or_null(const char* key);

    bool has(const char* key) const;
    bool failed() const { return error_.has_value(); }
    const core::Error& error() const { return *error_; }

    template <typename T> core::Expected<T> result(T value) const
    {
        if (error_)
            return *error_;
        return value;
    }

  private:
    const json* find(const char* key, bool required);
    void fail(const char* key, const char* should_be);
    bool integer_in(const json& v, int64_t min, uint64_t max, const char* key);

    const json& j_;
    std::string what_;
    std::optional<core::Error> error_;
};

template <typename T> T Reader::integer(const char* key)
{
    const json* v = find(key, true);
    if (!v || !integer_in(*v, std::is_signed_v<T> ? std::numeric_limits<T>::min() : 0,
                          static_cast<uint64_t>(std::numeric_limits<T>::max()), key))
        return T{};
    return v->is_number_unsigned() ? static_cast<T>(v->get<uint64_t>())
                                   : static_cast<T>(v->get<int64_t>());
}

template <typename T> T Reader::integer_or(const char* key, T fallback)
{
    return has(key) ? integer<T>(key) : fallback;
}

// ------------------------------------------------------------ messages

// Every non-2xx answer: {"error": NAME, "message": ..., "remedy": ...}.
// Read leniently (a hostile or older peer's error still names what it
// can): a missing or mistyped field is "", each capped at 1024 bytes.
struct ErrorBody {
    std::string error; // an org.ferry.Migration1.Error suffix, or InvalidToken, NotFound
    std::string message;
    std::string remedy; // optional
    json to_json() const;
    static ErrorBody from_json(const json& j);
};

// POST /login. The password is a secret: the peer reads it in place and
// wipes it (peer/api_login.cpp), so only the keys are shared here.
struct LoginRequest {
    static constexpr const char* kPassword = "password";
    static constexpr const char* kAlsoFrom = "also_from"; // optional IP address
};

struct LoginAnswer {
    std::string token;
    int64_t expires_in = 0; // seconds
    int protocol = kVersion;
    json to_json() const;
    // Also checks the version: IncompatibleSource naming both versions.
    // `address` names the source in errors.
    static core::Expected<LoginAnswer> from_json(const json& j, const std::string& address);
};

// The live side of the source's ring membership, what its MariaDB says.
struct Replication {
    bool replica_configured = false;
    std::string master_host;
    uint16_t master_port = 0;
    std::string using_gtid;
    bool io_running = false;
    bool sql_running = false;
    std::string last_error;
    std::vector<std::string> downstream;
    uint32_t server_id = 0;
    uint32_t gtid_domain_id = 0;
    std::string gtid_binlog_pos;
    std::string gtid_current_pos;
    bool log_bin = false;
    bool log_slave_updates = false;
    std::optional<int64_t> seconds_behind_master; // none: NULL, or no replica
    // How long the binary logs are kept (0: until purged by hand); none
    // from an older ferry-peer.
    std::optional<uint64_t> binlog_expire_seconds;
    std::string error; // set instead of the rest when MariaDB could not be asked
    json to_json() const;
    // Every field optional: an error answer carries only "error".
    static core::Expected<Replication> from_json(const json& j);
};

// GET /describe: Source Info and Probe's measurements.
struct Description {
    int protocol = kVersion;
    std::string license_guid;
    bool licensed = false;
    bool maintenance_contract_active = false;
    std::string host_name;
    std::string domain_name;
    std::string address;
    std::string server_role; // "Main" | "Additional"
    bool high_availability = false;
    std::vector<std::string> ring_members;
    std::vector<std::string> dns_advice;
    std::vector<std::string> dns_revert_advice;
    std::string main_node;
    std::optional<Replication> replication;
    uint64_t data_bytes = 0;
    uint64_t log_bytes = 0;
    uint64_t settings_bytes = 0;
    std::vector<std::string> databases;
    std::string mariadb_version;      // optional in protocol 3
    std::optional<int64_t> time_usec; // optional in protocol 3: the source's clock
    // The peer creates accounts that may follow its binary log
    // (DbAccountRequest::replica) and names its certificate in PEM: the
    // copy while the source serves (issue 18). False from an older peer.
    bool replica_account = false;
    json to_json() const;
    // Checks the version first (IncompatibleSource).
    static core::Expected<Description> from_json(const json& j);
};

// POST /db-account.
struct DbAccountRequest {
    std::string target_address;
    bool replica = false; // also REPLICATION SLAVE (optional key, false when absent)
    json to_json() const;
    static constexpr const char* kTargetAddress = "target_address";
    static constexpr const char* kReplica = "replica";
};

struct DbAccount {
    std::string user;
    std::string password; // a secret: the caller wipes it
    uint16_t port = 3306;
    std::vector<std::string> databases;
    bool tls = true;
    std::string tls_sha256; // of the certificate MariaDB presents on `port`, hex
    std::string tls_sha1;
    std::string tls_pem; // the certificate itself ("" from an older peer)
    json to_json() const;
    static core::Expected<DbAccount> from_json(const json& j);
};

// GET /logs: names and sizes.
struct LogEntry {
    std::string name;
    uint64_t size = 0;
};
struct LogList {
    std::vector<LogEntry> files;
    json to_json() const;
    static core::Expected<LogList> from_json(const json& j);
};

// GET /logs/NAME/sha256.
struct LogDigest {
    std::string name;
    uint64_t size = 0;
    std::string etag; // as the ETag header gives it, quoted
    std::string sha256;
    json to_json() const;
    static core::Expected<LogDigest> from_json(const json& j);
};

// POST /license/release.
struct LicenseRelease {
    std::string to; // the address the license is released to
    json to_json() const;
    static constexpr const char* kTo = "to";
};
struct License {
    std::string license;
    json to_json() const;
    static core::Expected<License> from_json(const json& j);
};

// GET /settings: section name -> its text.
struct Settings {
    Files sections;
    json to_json() const;
    static core::Expected<Settings> from_json(const json& j);
};

// GET /certificates: file name -> PEM text.
struct Certificates {
    Files files;
    json to_json() const;
    static core::Expected<Certificates> from_json(const json& j);
};

// POST /round-robin/remove and /round-robin/restore.
struct RoundRobin {
    std::string section; // the round-robin section as it was before removal
    bool removed = false;
    json to_json() const;
    static core::Expected<RoundRobin> from_json(const json& j);
};

// PUT /staged-settings: this system's former settings, held on the source
// until the Swap reboot.
struct StagedSettings {
    static constexpr const char* kSections = "sections";
    Files sections;
    json to_json() const;
};

// POST /maintenance.
struct Maintenance {
    static constexpr const char* kOn = "on";
    bool on = true;
    json to_json() const;
};

// POST /migrated: the record the source keeps of where it went.
struct Migrated {
    static constexpr const char* kTo = "to";     // the target's address
    static constexpr const char* kAt = "at";     // the job's start, microseconds
    static constexpr const char* kSwap = "swap"; // Swap Configuration
    std::string to;
    uint64_t at = 0;
    bool swap = false;
    json to_json() const;
};

// POST /lease.
struct Lease {
    int64_t expires_in = 0; // seconds
    json to_json() const;
};

} // namespace ferry::protocol

namespace ferry::core {
inline constexpr int kPeerProtocol = protocol::kVersion;
}
