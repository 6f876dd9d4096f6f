#include "local/target_store.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "local/journal_store.hpp"

namespace ferry::local {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuffix = ".conf";

core::Expected<bool> ensure_dir(const std::string& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return core::Error{core::Code::Internal, "Cannot create " + dir + ": " + ec.message() + ".",
                           "Check the paths in /etc/ferry/ferry.conf."};
    return true;
}

} // namespace

bool is_plain_file_name(const std::string& name)
{
    return !name.empty() && name.size() <= 255 && name != "." && name != ".." &&
           name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

core::Expected<core::Sections> read_settings(const core::ApplianceConfig& config)
{
    core::Sections out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(config.settings_dir, ec)) {
        const auto name = entry.path().filename().string();
        if (!entry.is_regular_file() || name.size() <= 5 ||
            name.compare(name.size() - 5, 5, kSuffix) != 0)
            continue;
        const auto section = name.substr(0, name.size() - 5);
        if (!core::is_valid_section_name(section))
            continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        out[section] = ss.str();
    }
    if (ec && ec != std::errc::no_such_file_or_directory)
        return core::Error{core::Code::Internal,
                           "Cannot read " + config.settings_dir + ": " + ec.message() + ".", {}};
    return out;
}

core::Expected<bool> write_settings(const core::ApplianceConfig& config,
                                    const core::Sections& sections)
{
    for (const auto& [name, _] : sections)
        if (!core::is_valid_section_name(name))
            return core::Error{core::Code::IncompatibleSource,
                               "The source sent an invalid settings section name.", {}};
    if (auto r = ensure_dir(config.settings_dir); !r)
        return r;
    for (const auto& [name, content] : sections)
        if (auto r = write_file_atomic(fs::path(config.settings_dir) / (name + kSuffix), content,
                                         0644);
            !r)
            return r;
    auto current = read_settings(config);
    if (!current)
        return current.error();
    for (const auto& [name, _] : *current)
        if (!sections.count(name))
            fs::remove(fs::path(config.settings_dir) / (name + kSuffix));
    return true;
}

core::Expected<bool> write_certificates(const core::ApplianceConfig& config,
                                        const std::map<std::string, std::string>& files)
{
    for (const auto& [name, _] : files)
        if (!is_plain_file_name(name))
            return core::Error{core::Code::IncompatibleSource,
                               "The source sent an invalid certificate file name.", {}};
    if (auto r = ensure_dir(config.certificate_dir); !r)
        return r;
    for (const auto& [name, content] : files)
        if (auto r = write_file_atomic(fs::path(config.certificate_dir) / name, content); !r)
            return r;
    return true;
}

core::Expected<bool> write_license(const core::ApplianceConfig& config, const std::string& content)
{
    if (auto r = ensure_dir(fs::path(config.license_file).parent_path().string()); !r)
        return r;
    return write_file_atomic(config.license_file, content);
}

} // namespace ferry::local
