#include "appliance/appliance.hpp"
#include "system/file_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "appliance/appliance_files.hpp"
#include "system/digest.hpp"
#include "system/services.hpp"

namespace ferry::local {
using namespace appliance_files;

namespace {

namespace fs = std::filesystem;

constexpr auto kServiceStopTimeout = std::chrono::seconds(90);

} // namespace

std::string etag_of_fd(int fd)
{
    struct stat st {};
    return ::fstat(fd, &st) == 0 ? etag_of(st) : std::string();
}

ApplianceLayout default_layout(const core::ApplianceConfig& config)
{
    fs::path settings(config.settings_dir);
    if (!settings.has_filename()) // a trailing slash
        settings = settings.parent_path();
    const fs::path parent = settings.parent_path();
    ApplianceLayout l{settings.string() + ".staged", (parent / "maintenance").string(),
                      (parent / "migrated.conf").string()};
    // ferry.conf's [Appliance] keys, when set (ferryd holds and hands over
    // its new settings next to the staged set ferry-apply-staged applies).
    if (!config.staged_settings_dir.empty())
        l.staged_settings_dir = config.staged_settings_dir;
    if (!config.maintenance_file.empty())
        l.maintenance_file = config.maintenance_file;
    if (!config.migrated_file.empty())
        l.migrated_file = config.migrated_file;
    return l;
}

core::Expected<core::Ini> read_ini_file(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return core::Ini{};
    std::ostringstream ss;
    ss << in.rdbuf();
    auto ini = core::parse_ini(ss.str());
    if (!ini)
        return core::Error{ini.error().code, path + ": " + ini.error().message, {}};
    return ini;
}

FileAppliance::FileAppliance(core::ApplianceConfig config)
    : FileAppliance(config, default_layout(config))
{
}

FileAppliance::FileAppliance(core::ApplianceConfig config, ApplianceLayout layout)
    : config_(std::move(config)), layout_(std::move(layout))
{
}

Identity FileAppliance::identity() const
{
    auto ini = read_ini_file(config_.settings_dir + "/network.conf");
    if (!ini)
        return {};
    return Identity{core::ini_get(*ini, "Network", "HostName"),
                    core::ini_get(*ini, "Network", "Domain"),
                    core::ini_get(*ini, "Network", "Address")};
}

core::TargetFacts FileAppliance::facts() const
{
    auto ini = read_ini_file(config_.license_file);
    core::TargetFacts f;
    f.licensed = ini && core::ini_get(*ini, "License", "State") == "active";
    return f;
}

// ------------------------------------------------------------------ settings

core::Expected<core::Sections> FileAppliance::read_settings() const
{
    return read_sections(config_.settings_dir);
}

core::Expected<bool> FileAppliance::write_settings(const core::Sections& sections,
                                                   bool remove_others)
{
    if (auto e = check_section_names(sections))
        return *e;
    std::lock_guard lock(write_mutex_);
    auto current = read_sections(config_.settings_dir);
    if (!current)
        return current.error();
    const SettingsChange change = settings_change(*current, sections, remove_others);
    for (const auto& [name, content] : change.write)
        if (auto r = replace_file(section_path(config_.settings_dir, name), content, 0600); !r)
            return r;
    for (const auto& name : change.remove)
        if (auto r = remove_file(section_path(config_.settings_dir, name)); !r)
            return r;
    return true;
}

core::Expected<std::optional<core::Sections>> FileAppliance::staged_settings() const
{
    struct stat st {};
    if (::stat(layout_.staged_settings_dir.c_str(), &st) < 0) {
        if (errno == ENOENT)
            return std::optional<core::Sections>{};
        return io_error("Cannot stat", layout_.staged_settings_dir, errno);
    }
    auto s = read_sections(layout_.staged_settings_dir);
    if (!s)
        return s.error();
    return std::optional<core::Sections>(std::move(*s));
}

core::Expected<bool> FileAppliance::apply_staged_settings()
{
    const std::string applied = layout_.staged_settings_dir + ".applied";
    std::error_code ec;
    fs::remove_all(applied, ec); // left by a cut during an earlier removal (below)
    auto staged = staged_settings();
    if (!staged)
        return staged.error();
    if (!*staged)
        return false;
    if (auto r = write_settings(**staged, true); !r)
        return r;
    // Gone as a whole before anything in it is removed: a power cut in the
    // middle of removing the files would leave a part of the set staged,
    // and the next boot would apply that part as the whole set (removing
    // every section that is not in it).
    std::lock_guard lock(write_mutex_);
    if (::rename(layout_.staged_settings_dir.c_str(), applied.c_str()) < 0)
        return io_error("Cannot rename", layout_.staged_settings_dir, errno);
    if (auto r = sync_dir(fs::path(layout_.staged_settings_dir).parent_path().string()); !r)
        return r;
    fs::remove_all(applied, ec);
    if (ec)
        return io_error("Cannot remove", applied, ec.value());
    return true;
}

uint64_t FileAppliance::settings_bytes() const
{
    auto files = regular_files(config_.settings_dir,
                               [](const std::string& n) { return ends_with(n, ".conf"); });
    uint64_t total = 0;
    if (files)
        for (const auto& f : *files)
            total += static_cast<uint64_t>(f.st.st_size);
    return total;
}

// ------------------------------------------------------------------- license

std::string FileAppliance::today() const
{
    if (today_)
        return today_();
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

void FileAppliance::set_today(std::function<std::string()> today)
{
    today_ = std::move(today);
}

LicenseFacts FileAppliance::license() const
{
    auto ini = read_ini_file(config_.license_file);
    return ini ? license_facts(*ini, today()) : LicenseFacts{};
}

core::Expected<std::optional<std::string>> FileAppliance::read_license() const
{
    return read_file(config_.license_file, true);
}

core::Expected<bool> FileAppliance::install_license(const std::string& text)
{
    auto ini = core::parse_ini(text);
    if (!ini)
        return core::Error{core::Code::InvalidArgument,
                           "The license is not a valid license file: " + ini.error().message,
                           {}};
    if (core::ini_get(*ini, "License", "Guid").empty())
        return core::Error{
            core::Code::InvalidArgument, "The license file has no [License] Guid=.", {}};
    std::lock_guard lock(write_mutex_);
    return replace_file(config_.license_file, text, 0600);
}

core::Expected<std::string> FileAppliance::release_license(const std::string& to)
{
    std::lock_guard lock(write_mutex_);
    auto text = read_file(config_.license_file, true);
    if (!text)
        return text.error();
    auto ini = core::parse_ini(text->value_or(""));
    if (!ini)
        return core::Error{core::Code::Internal, config_.license_file + ": " + ini.error().message,
                           "Repair the license file of the source."};
    auto decision = decide_license_release(*ini, to, today());
    if (!decision)
        return decision.error();
    if (decision->changed)
        if (auto r = replace_file(config_.license_file, core::format_ini(decision->source), 0600);
            !r)
            return r.error();
    return std::move(decision->target_text);
}

// -------------------------------------------------------------- certificates

core::Expected<std::map<std::string, std::string>> FileAppliance::read_certificates() const
{
    auto files = regular_files(config_.certificate_dir, is_certificate_name);
    if (!files)
        return files.error();
    std::map<std::string, std::string> out;
    for (const auto& f : *files) {
        auto text = read_file(config_.certificate_dir + "/" + f.name, false);
        if (!text)
            return text.error();
        if (*text)
            out.emplace(f.name, std::move(**text));
    }
    return out;
}

core::Expected<bool>
FileAppliance::write_certificates(const std::map<std::string, std::string>& files)
{
    for (const auto& [name, pem] : files) {
        if (!is_certificate_name(name))
            return core::Error{core::Code::InvalidArgument,
                               "Invalid certificate file name \"" + name.substr(0, 64) +
                                   "\": a plain file name ending in .pem is expected.",
                               {}};
        if (pem.find("-----BEGIN ") == std::string::npos)
            return core::Error{core::Code::InvalidArgument, name + " is not a PEM file.", {}};
    }
    std::lock_guard lock(write_mutex_);
    for (const auto& [name, pem] : files)
        if (auto r = replace_file(config_.certificate_dir + "/" + name, pem, 0600); !r)
            return r;
    return true;
}

// ---------------------------------------------------------------------- logs

core::Expected<std::vector<LogFile>> FileAppliance::list_logs(bool checksums) const
{
    auto files = regular_files(config_.log_dir, [](const std::string&) { return true; });
    if (!files)
        return files.error();
    std::vector<LogFile> out;
    for (const auto& f : *files) {
        if (!checksums) {
            out.push_back(LogFile{f.name, static_cast<uint64_t>(f.st.st_size), {}});
            continue;
        }
        auto d = log_digest(f.name, {});
        if (!d)
            return d.error();
        if (!*d) // rotated away in between
            continue;
        out.push_back(LogFile{f.name, (*d)->size, (*d)->sha256});
    }
    std::sort(out.begin(), out.end(),
              [](const LogFile& a, const LogFile& b) { return a.name < b.name; });
    return out;
}

core::Expected<std::optional<LogDigest>> FileAppliance::log_digest(const std::string& name,
                                                                   const std::string& etag) const
{
    const auto cached = [&](const std::string& want) -> std::optional<LogDigest> {
        std::lock_guard lock(sums_mutex_);
        if (auto it = sums_.find(name);
            !want.empty() && it != sums_.end() && it->second.etag == want)
            return it->second;
        return std::nullopt;
    };
    if (auto d = cached(etag))
        return std::optional<LogDigest>(std::move(*d));
    auto file = open_log(name);
    if (!file)
        return file.error();
    if (!*file)
        return std::optional<LogDigest>{};
    if (auto d = cached((*file)->etag))
        return std::optional<LogDigest>(std::move(*d));
    auto sum = sha256_fd((*file)->fd.get(), config_.log_dir + "/" + name, (*file)->size);
    if (!sum)
        return sum.error();
    // Only a version that did not change while it was read.
    if (etag_of_fd((*file)->fd.get()) == (*file)->etag)
        remember_log_digest(name, LogDigest{(*file)->size, (*file)->etag, *sum});
    return std::optional<LogDigest>(LogDigest{(*file)->size, (*file)->etag, *sum});
}

void FileAppliance::remember_log_digest(const std::string& name, const LogDigest& digest) const
{
    std::lock_guard lock(sums_mutex_);
    sums_[name] = digest;
}

core::Expected<std::optional<OpenFile>> FileAppliance::open_log(const std::string& name) const
{
    if (!is_visible_file_name(name))
        return std::optional<OpenFile>{};
    const std::string path = config_.log_dir + "/" + name;
    // O_NOFOLLOW: a symlink never leads out of the log directory;
    // O_NONBLOCK: a FIFO does not hang the caller (it is refused below).
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    if (!fd) {
        if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR || errno == ENXIO)
            return std::optional<OpenFile>{};
        return io_error("Cannot open", path, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0)
        return io_error("Cannot stat", path, errno);
    if (!S_ISREG(st.st_mode))
        return std::optional<OpenFile>{};
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags >= 0)
        ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    return std::optional<OpenFile>(
        OpenFile{std::move(fd), static_cast<uint64_t>(st.st_size), etag_of(st)});
}

// ------------------------------------------------- maintenance and migration

bool FileAppliance::maintenance() const
{
    struct stat st {};
    return ::lstat(layout_.maintenance_file.c_str(), &st) == 0;
}

core::Expected<bool> FileAppliance::set_maintenance(bool on)
{
    std::lock_guard lock(write_mutex_);
    if (!on)
        return remove_file(layout_.maintenance_file);
    if (maintenance())
        return true;
    return replace_file(layout_.maintenance_file, "[Maintenance]\nSetBy=ferry\n", 0644);
}

std::optional<MigratedRecord> FileAppliance::migrated() const
{
    auto ini = read_ini_file(layout_.migrated_file);
    return ini ? parse_migrated(*ini) : std::nullopt;
}

core::Expected<bool> FileAppliance::record_migrated(const MigratedRecord& record)
{
    std::lock_guard lock(write_mutex_);
    return replace_file(layout_.migrated_file, core::format_ini(migrated_ini(record)), 0644);
}

core::Expected<bool> FileAppliance::stop_user_services()
{
    return stop_and_mask_units(config_.services, kServiceStopTimeout);
}

// ------------------------------------------------------------ role and sizes

HaFacts FileAppliance::ha_facts() const
{
    auto replication = read_ini_file(config_.settings_dir + "/replication.conf");
    auto lb = read_ini_file(config_.settings_dir + "/load_balancing.conf");
    return decide_ha_facts(replication ? *replication : core::Ini{}, lb ? *lb : core::Ini{},
                           identity());
}

void FileAppliance::set_data_size_probe(std::function<std::optional<uint64_t>()> probe)
{
    data_probe_ = std::move(probe);
}

uint64_t FileAppliance::data_bytes() const
{
    if (!data_probe_)
        return 0;
    return data_probe_().value_or(0);
}

} // namespace ferry::local
