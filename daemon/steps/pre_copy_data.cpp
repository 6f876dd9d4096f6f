// Operation "pre-copy-data" (ours, before the manual's eleven; issue 18):
// the data copy of operation 4, taken while the source still serves --
// a consistent snapshot at a recorded GTID position, every table verified
// against what was read inside the snapshot -- then this system becomes a
// temporary replica of the source from that position
// (source/catch_up_replica.hpp), so that under maintenance operation 4 only
// has to let it apply the last transactions.
//
// Checkpoints: the copy's ("snapshot", "done") as operation 4's; then
// "copied" with the position and the restore point, written BEFORE the
// replica is made; then "replicating". A resume trusts MariaDB over the
// checkpoint: a replica that exists is kept (it knows what it applied);
// none, after "copied", is made from the snapshot's position (nothing was
// applied without one); none before "copied" means copying again.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "source/catch_up_replica.hpp"
#include "steps/steps.hpp"
#include "system/digest.hpp"

namespace ferry::steps {
namespace {

core::Error replica_error(std::string message, std::string remedy = {})
{
    return core::Error{core::Code::ReplicationFailed, std::move(message), std::move(remedy)};
}

// The source's certificate as the replica's CA file, after checking that
// it is the certificate the pinned answer named (its SHA-256). mysqld
// reads it, so it is world-readable (a certificate is public) in a
// directory mysqld can enter: ferryd's RuntimeDirectory (0711).
core::Expected<std::filesystem::path> write_source_certificate(const StepContext& ctx,
                                                               const protocol::DbAccount& a)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(a.tls_pem.data(), static_cast<int>(a.tls_pem.size())), &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr, &X509_free);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!cert || !X509_digest(cert.get(), EVP_sha256(), md, &n) ||
        local::to_hex(md, n) != a.tls_sha256)
        return replica_error(
            "The source's ferry-peer named a certificate for its MariaDB that is not the one it "
            "pinned; this system will not follow the source's changes with it.",
            "Check the source's MariaDB certificate (ssl_cert), then Resume().");
    const auto path = replica_certificate_path(ctx);
    auto tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << a.tls_pem;
        if (!out.flush())
            return core::Error{core::Code::Internal, "Cannot write " + tmp.string() + ".", {}};
    }
    ::chmod(tmp.c_str(), 0644);
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        return core::Error{
            core::Code::Internal, "Cannot write " + path.string() + ": " + ec.message() + ".", {}};
    return path;
}

core::Expected<bool> make_replica(StepContext& ctx, source::MariaDbConnection& db,
                                  protocol::DbAccount& account, const nlohmann::json& position)
{
    auto ca = write_source_certificate(ctx, account);
    if (!ca)
        return ca.error();
    source::CatchUpSetup setup;
    setup.host = ctx.job.source.current_address;
    setup.port = account.port;
    setup.user = account.user;
    setup.password = account.password;
    setup.ca_file = ca->string();
    setup.schemas = account.databases;
    setup.start_gtid = position.value("gtid_binlog_pos", "");
    setup.source_server_id = position.value("server_id", 0u);
    auto r = source::start_catch_up(db, setup);
    explicit_bzero(setup.password.data(), setup.password.size());
    return r;
}

// The replica starts at the snapshot: what the source wrote during the
// copy is still to be applied. That happens here, while the source serves,
// not under maintenance: rounds of "where does the source's binary log end
// now (GET /describe), wait until this system has applied that", until a
// round takes under 2 s -- then the backlog left for operation 4 is about
// 2 s of the source's writes. Bounded by CatchUpTimeoutSec= in all; a
// replica that fails here is operation 4's to judge (it falls back to a
// full copy), so this only warns.
void follow_until_current(StepContext& ctx, source::MariaDbConnection& db)
{
    using Clock = std::chrono::steady_clock;
    const auto deadline =
        Clock::now() + std::chrono::seconds(ctx.appliance.config().catch_up_timeout_sec);
    for (int round = 1; round <= 20 && !ctx.stopping; ++round) {
        auto answer = ctx.peer.get("/describe");
        auto d = answer ? protocol::Description::from_json(*answer)
                        : core::Expected<protocol::Description>(answer.error());
        if (d && d->replication && d->replication->gtid_binlog_pos.empty()) {
            // No transaction in the source's binary log yet: nothing to follow.
            spdlog::info("The source's binary log holds no transaction: the replica is current.");
            return;
        }
        if (!d || !d->replication) {
            spdlog::warn("The source did not say where its binary log ends; operation 4 applies "
                         "what its replica has not.");
            return;
        }
        const auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now());
        if (left.count() <= 0)
            break;
        const auto t0 = Clock::now();
        auto caught = source::wait_caught_up(db, d->replication->gtid_binlog_pos, left,
                                             ctx.stopping, false);
        if (!caught) {
            spdlog::warn("The temporary replica did not catch up while the source served: {}",
                         caught.error().message);
            return;
        }
        const double took = std::chrono::duration<double>(Clock::now() - t0).count();
        spdlog::info("This system applied the source's writes up to {} while it serves (round {}, "
                     "{:.1f} s).",
                     d->replication->gtid_binlog_pos, round, took);
        if (took < 2.0)
            return;
    }
    spdlog::warn("The temporary replica is still behind the source after {} s; operation 4 "
                 "applies the rest under maintenance.",
                 ctx.appliance.config().catch_up_timeout_sec);
}

} // namespace

std::filesystem::path replica_certificate_path(const StepContext& ctx)
{
    const char* run = std::getenv("RUNTIME_DIRECTORY");
    const std::filesystem::path dir = run && *run ? std::filesystem::path(run) : ctx.state_dir;
    return dir / "source-mariadb.pem";
}

core::Expected<bool> pre_copy_data(StepContext& ctx)
{
    auto db = local_database(ctx);
    if (!db)
        return db.error();
    auto status = source::catch_up_status(*db);
    if (!status)
        return status.error();
    nlohmann::json cp = ctx.checkpoint.is_object() ? ctx.checkpoint : nlohmann::json::object();
    const bool copied = cp.value("copied", false);
    // The data copy's own total, for the logs' progress after it.
    auto data_total = std::make_shared<uint64_t>(0);
    ctx.progress = [data_total, report = ctx.progress](uint64_t done, uint64_t total) {
        *data_total = std::max(*data_total, total);
        report(done, total);
    };

    if (status->exists && copied) {
        // Made before a crash or a restart: it continues from its own record.
        if (!status->io_running || !status->sql_running)
            if (auto r =
                    db->execute(std::string("START SLAVE '") + source::kCatchUpConnection + "'");
                !r)
                return r.error();
    } else {
        if (status->exists) {
            // A replica without a finished copy under it (not ours to trust).
            if (auto r = source::remove_catch_up(
                    *db, source::CatchUpRestore::from_json(cp.value("restore", nlohmann::json())));
                !r)
                return r.error();
        }
        protocol::DbAccount account;
        nlohmann::json position;
        if (copied) {
            // The copy is complete; only the replica was not made.
            auto a = source_account(ctx, true);
            if (!a)
                return a.error();
            account = std::move(*a);
            position = cp["position"];
        } else {
            auto result = copy_source_databases(ctx, nlohmann::json::object(), &account);
            if (!result)
                return result.error();
            const auto& pos = result->position;
            if (pos.gtid_binlog_pos.empty() && pos.binlog_file.empty()) {
                explicit_bzero(account.password.data(), account.password.size());
                return replica_error(
                    "The source's MariaDB has no binary log now, so its changes since the copy "
                    "cannot be followed.",
                    "Set CopyWhileServing=no in /etc/ferry/ferry.conf on this system and start "
                    "the migration again, or enable log_bin on the source.");
            }
            auto restore = source::catch_up_restore_point(*db);
            if (!restore) {
                explicit_bzero(account.password.data(), account.password.size());
                return restore.error();
            }
            cp = nlohmann::json::object();
            cp["done"] = nlohmann::json::array();
            for (const auto& t : result->tables)
                cp["done"].push_back(source::table_key(t.schema, t.name));
            cp["snapshot"] = pos.snapshot_id();
            position = {{"gtid_binlog_pos", pos.gtid_binlog_pos},
                        {"binlog_file", pos.binlog_file},
                        {"binlog_pos", pos.binlog_pos},
                        {"server_id", pos.server_id},
                        {"server_version", pos.server_version},
                        {"unix_time", pos.unix_time},
                        {"started_unix_time", pos.started_unix_time}};
            cp["position"] = position;
            cp["restore"] = restore->to_json();
            cp["copied"] = true;
            if (auto saved = ctx.save_checkpoint(cp); !saved) {
                explicit_bzero(account.password.data(), account.password.size());
                return saved.error();
            }
        }
        auto made = make_replica(ctx, *db, account, position);
        explicit_bzero(account.password.data(), account.password.size());
        if (!made)
            return made.error();
    }
    if (!cp.value("replicating", false)) {
        cp["replicating"] = true;
        if (auto saved = ctx.save_checkpoint(cp); !saved)
            return saved.error();
    }
    // The logs while the replica applies what the source wrote meanwhile;
    // then it follows until current, so that the backlog left for the
    // outage is the last seconds, not the logs' download time.
    if (auto logs = pre_copy_logs(ctx, cp, *data_total); !logs)
        return logs.error();
    follow_until_current(ctx, *db);
    if (ctx.stopping)
        return stopped_error();
    return true;
}

} // namespace ferry::steps
