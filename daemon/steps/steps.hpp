// The operations, one file each (steps/<id>.cpp).
#pragma once

#include "core/log_precopy.hpp"
#include "mariadb/mariadb_conn.hpp"
#include "protocol/peer_protocol.hpp"
#include "source/data_copy.hpp"
#include "steps/step.hpp"

namespace ferry::steps {

core::Expected<bool> copy_settings(StepContext& ctx);
core::Expected<bool> source_maintenance(StepContext& ctx);
core::Expected<bool> deactivate_replica(StepContext& ctx);
core::Expected<bool> copy_data(StepContext& ctx);
core::Expected<bool> modify_source(StepContext& ctx);
core::Expected<bool> reboot_systems(StepContext& ctx);
core::Expected<bool> copy_data_activate_replica(StepContext& ctx);
core::Expected<bool> update_certificates(StepContext& ctx);
core::Expected<bool> restart_services(StepContext& ctx);
core::Expected<bool> copy_syslog(StepContext& ctx);
core::Expected<bool> final_operations(StepContext& ctx);

// Shared by the two data operations (copy_data.cpp): the source's schemas
// copied into this system's MariaDB through a temporary account, resumed
// from the "snapshot"/"done" keys of ctx.checkpoint; each verified table is
// saved as a checkpoint that merges `extra` in.
// With `keep_for_replica` the account may also follow the binary log and
// is not dropped: it is moved there (the caller wipes its password).
core::Expected<source::DataCopyResult>
copy_source_databases(StepContext& ctx, const nlohmann::json& extra,
                      protocol::DbAccount* keep_for_replica = nullptr);
// A temporary account on the source (POST /db-account), its TLS pin checked.
core::Expected<protocol::DbAccount> source_account(StepContext& ctx, bool replica);
// The source's MariaDB with that account: TLS pinned to its certificate.
source::MariaDbEndpoint source_endpoint(const StepContext& ctx, protocol::DbAccount& account);

// The copy while the source serves and its catch-up (issue 18).
core::Expected<bool> pre_copy_data(StepContext& ctx);
// The source's certificate as the replica's CA file: ferryd's
// RuntimeDirectory (mysqld reads it), else the state directory.
std::filesystem::path replica_certificate_path(const StepContext& ctx);
// The user-traffic logs while the source serves (steps/pre_copy_logs.cpp):
// downloaded by pre-copy-data into "<name>.ferry-pre" (its checkpoint's
// "logs" in `cp`; progress counted after `data_bytes`), then taken up by
// operation 10 as its part files, which it verifies as it does any.
bool job_copies_logs(const core::JobRecord& job);
core::Expected<std::vector<core::LogFileSize>> list_source_logs(StepContext& ctx, uint64_t& total);
core::Expected<bool> pre_copy_logs(StepContext& ctx, nlohmann::json& cp, uint64_t data_bytes);
// Operation 10's start: the copies become part files of the files listed
// now (core::plan_log_adoption), the rest are removed; returns the bytes
// taken up. `dfd` is the log directory.
uint64_t adopt_log_pre_copies(const StepContext& ctx, int dfd,
                              const std::vector<core::LogFileSize>& listed);
// Every copy the job's pre-copy made, removed (operation 10, Acknowledge).
void remove_log_pre_copies(int dfd, const core::JobRecord& job);
// Operation 4 after pre-copy-data (steps/catch_up.cpp).
core::Expected<bool> catch_up(StepContext& ctx);
// Operation 4's whole copy under maintenance; `extra` goes into its
// checkpoints (the fallback's reason).
core::Expected<bool> copy_everything(StepContext& ctx, const nlohmann::json& extra);
// After the copy (verify_copy.cpp): every object of `schemas` here against
// the source's GET /db-objects (ObjectMismatch naming what differs), and
// the source's temporary account dropped (DELETE /db-account, idempotent).
core::Expected<bool> verify_copied_objects(StepContext& ctx, const std::vector<std::string>& schemas);
core::Expected<bool> drop_source_account(StepContext& ctx);
// This system's MariaDB as root over its unix socket ([Database] Socket=).
core::Expected<source::MariaDbConnection> local_database(const StepContext& ctx);

// The round-robin hosts of the ring's Main node (round_robin.cpp): removed
// by operation 2, restored by operation 11 and when a failed job is
// acknowledged. `removal` is the checkpoint operation 2 recorded.
core::Expected<nlohmann::json> remove_round_robin_hosts(StepContext& ctx);
core::Expected<bool> restore_round_robin_hosts(const core::JobRecord& job, source::PeerClient& peer,
                                               source::PeerClient* ring_main,
                                               local::FileAppliance& appliance);

} // namespace ferry::steps
