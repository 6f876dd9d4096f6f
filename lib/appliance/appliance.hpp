// An appliance as ferry sees it: its identity, System Settings, license,
// certificates, user-traffic logs, maintenance state and place in an HA
// ring, at the places ferry.conf names. The one interface behind which the
// reference appliance lives, so that tests run several on one machine.
// ferryd uses it for this system (the target); ferry-peer for the source.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/options.hpp"
#include "core/settings.hpp"
#include "appliance/appliance_rules.hpp"
#include "system/fd.hpp"

namespace ferry::local {

// Paths of the reference appliance beyond core::ApplianceConfig. By default
// they sit next to the settings directory (its parent directory P):
//   P/settings.staged   settings staged for the next boot (Swap)
//   P/settings.staged.held  (the target of a Swap) the new settings, held
//                       back until the reboot is requested
//   P/maintenance       exists while the appliance is under maintenance
//   P/migrated.conf     the record that this appliance was migrated
// ferry.conf keys: [Appliance] StagedSettingsDirectory=, MaintenanceFile=,
// MigratedFile= (see docs/peer.md); ferryd and ferry-peer read the same.
struct ApplianceLayout {
    std::string staged_settings_dir;
    std::string maintenance_file;
    std::string migrated_file;
};
ApplianceLayout default_layout(const core::ApplianceConfig& config);

struct LogFile {
    std::string name;
    uint64_t size = 0;
    std::string sha256; // empty unless asked for
};

// A file opened for reading, e.g. for an HTTP Range answer.
struct OpenFile {
    Fd fd;
    uint64_t size = 0;
    std::string etag; // changes whenever the file is replaced or modified
};

// The etag of an open file as OpenFile has it (inode, size, mtime); empty
// when it cannot be read.
std::string etag_of_fd(int fd);

// The SHA-256 of one version (etag) of a log file.
struct LogDigest {
    uint64_t size = 0;
    std::string etag;
    std::string sha256;
};

class Appliance {
  public:
    virtual ~Appliance() = default;

    // --- identity and the facts the wizard rules need (ferryd's engine)
    virtual Identity identity() const = 0;
    virtual core::TargetFacts facts() const = 0;

    // --- System Settings: one section per name (core::is_valid_section_name)
    virtual core::Expected<core::Sections> read_settings() const = 0;
    // Writes each section atomically (unchanged ones are left alone); with
    // `remove_others` the directory afterwards holds exactly `sections`.
    virtual core::Expected<bool> write_settings(const core::Sections& sections,
                                                bool remove_others) = 0;
    // Replaces the staged set (atomically as a whole); applied at the next
    // boot by apply_staged_settings().
    virtual core::Expected<bool> stage_settings(const core::Sections& sections) = 0;
    virtual core::Expected<std::optional<core::Sections>> staged_settings() const = 0;
    // Makes the staged set the settings (exactly) and drops it. Idempotent;
    // false when nothing was staged.
    virtual core::Expected<bool> apply_staged_settings() = 0;
    // The target of a Swap: its new settings are held back (a complete
    // set, replaced as a whole) until the reboot operation has the
    // source's yes, and only then handed to the boot unit: renamed to the
    // staged set, which apply_staged_settings() applies at the next boot.
    // A boot before that keeps this system's own settings (and address).
    virtual core::Expected<bool> hold_settings(const core::Sections& sections) = 0;
    virtual core::Expected<bool> settings_held() const = 0;
    // true: handed over now; false: nothing was held (handed over before).
    virtual core::Expected<bool> release_held_settings() = 0;

    // --- license
    virtual LicenseFacts license() const = 0;
    // The file as it is; nullopt when this appliance has none.
    virtual core::Expected<std::optional<std::string>> read_license() const = 0;
    virtual core::Expected<bool> install_license(const std::string& text) = 0;
    // Marks the license released to `to` and returns the file to install
    // there (see decide_license_release).
    virtual core::Expected<std::string> release_license(const std::string& to) = 0;

    // --- certificates: PEM files NAME.pem
    virtual core::Expected<std::map<std::string, std::string>> read_certificates() const = 0;
    virtual core::Expected<bool>
    write_certificates(const std::map<std::string, std::string>& files) = 0;

    // --- user-traffic logs: regular files in the log directory
    virtual core::Expected<std::vector<LogFile>> list_logs(bool checksums) const = 0;
    // nullopt: no such log (or a name that is not a plain file name).
    virtual core::Expected<std::optional<OpenFile>> open_log(const std::string& name) const = 0;
    // The digest of version `etag` of a log when it is known (remembered
    // below), else of the file as it is now, read now and remembered.
    // nullopt: no such log.
    virtual core::Expected<std::optional<LogDigest>> log_digest(const std::string& name,
                                                                const std::string& etag) const = 0;
    // Remembers the digest of version `etag` of a log, e.g. computed while
    // the file was being sent: the next log_digest() does not read it.
    virtual void remember_log_digest(const std::string& name, const LogDigest& digest) const = 0;

    // --- maintenance and the migrated record
    virtual bool maintenance() const = 0;
    virtual core::Expected<bool> set_maintenance(bool on) = 0;
    virtual std::optional<MigratedRecord> migrated() const = 0;
    virtual core::Expected<bool> record_migrated(const MigratedRecord& record) = 0;
    // Stops the user-facing services (Services= of ferry.conf) for good.
    virtual core::Expected<bool> stop_user_services() = 0;

    // --- role, ring, sizes
    virtual HaFacts ha_facts() const = 0;
    virtual std::vector<std::string> databases() const = 0;
    virtual uint64_t settings_bytes() const = 0;
    virtual uint64_t data_bytes() const = 0;
};

// The reference appliance: settings files NAME.conf in a directory, the
// network identity in network.conf ([Network] HostName=, Domain=,
// Address=), the license in an INI file ([License] Guid=, State=active,
// ContractEnd=), certificates NAME.pem, logs in a directory, maintenance
// and migrated state in files (ApplianceLayout). Safe to use from several
// threads.
class FileAppliance final : public Appliance {
  public:
    explicit FileAppliance(core::ApplianceConfig config);
    FileAppliance(core::ApplianceConfig config, ApplianceLayout layout);

    Identity identity() const override;
    core::TargetFacts facts() const override;

    core::Expected<core::Sections> read_settings() const override;
    core::Expected<bool> write_settings(const core::Sections& sections,
                                        bool remove_others) override;
    core::Expected<bool> stage_settings(const core::Sections& sections) override;
    core::Expected<std::optional<core::Sections>> staged_settings() const override;
    core::Expected<bool> apply_staged_settings() override;
    core::Expected<bool> hold_settings(const core::Sections& sections) override;
    core::Expected<bool> settings_held() const override;
    core::Expected<bool> release_held_settings() override;

    LicenseFacts license() const override;
    core::Expected<std::optional<std::string>> read_license() const override;
    core::Expected<bool> install_license(const std::string& text) override;
    core::Expected<std::string> release_license(const std::string& to) override;

    core::Expected<std::map<std::string, std::string>> read_certificates() const override;
    core::Expected<bool>
    write_certificates(const std::map<std::string, std::string>& files) override;

    core::Expected<std::vector<LogFile>> list_logs(bool checksums) const override;
    core::Expected<std::optional<OpenFile>> open_log(const std::string& name) const override;
    core::Expected<std::optional<LogDigest>> log_digest(const std::string& name,
                                                        const std::string& etag) const override;
    void remember_log_digest(const std::string& name, const LogDigest& digest) const override;

    bool maintenance() const override;
    core::Expected<bool> set_maintenance(bool on) override;
    std::optional<MigratedRecord> migrated() const override;
    core::Expected<bool> record_migrated(const MigratedRecord& record) override;
    core::Expected<bool> stop_user_services() override;

    HaFacts ha_facts() const override;
    std::vector<std::string> databases() const override { return config_.databases; }
    uint64_t settings_bytes() const override;
    uint64_t data_bytes() const override;

    const core::ApplianceConfig& config() const { return config_; }
    const ApplianceLayout& layout() const { return layout_; }

    // The hook that measures the data (the MariaDB schemas), e.g. a query
    // of information_schema; unset or nullopt: 0.
    void set_data_size_probe(std::function<std::optional<uint64_t>()> probe);
    // Today as YYYY-MM-DD (the contract check); default: the local date.
    void set_today(std::function<std::string()> today);

  private:
    std::string today() const;
    std::string held_settings_dir() const { return layout_.staged_settings_dir + ".held"; }
    // Replaces the set in directory `dir` as a whole; write_mutex_ held.
    core::Expected<bool> replace_set_locked(const std::string& dir,
                                            const core::Sections& sections);

    core::ApplianceConfig config_;
    ApplianceLayout layout_;
    std::function<std::optional<uint64_t>()> data_probe_;
    std::function<std::string()> today_;

    // Serialises every change (read-modify-write of the license, the staged
    // directory swap).
    mutable std::mutex write_mutex_;

    // Log digests by file name, of the version `etag` (inode, size, mtime):
    // one entry per log, replaced when the file changes.
    mutable std::mutex sums_mutex_;
    mutable std::map<std::string, LogDigest> sums_;
};

// Reads and parses an INI file; an empty Ini when the file does not exist.
core::Expected<core::Ini> read_ini_file(const std::string& path);

} // namespace ferry::local
