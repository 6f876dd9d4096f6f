#include "local/former_settings.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "system/file_io.hpp"

namespace ferry::local {
namespace {

core::Error former_error(const char* message)
{
    return core::Error{core::Code::Internal, message,
                       "Restore this system from its backup and start again."};
}

} // namespace

std::filesystem::path former_settings_path(const std::filesystem::path& state_dir)
{
    return state_dir / "former-settings.json";
}

core::Expected<bool>
save_former_settings_once(const std::filesystem::path& state_dir,
                          const std::function<core::Expected<core::Sections>()>& read_mine)
{
    const auto file = former_settings_path(state_dir);
    if (std::filesystem::exists(file))
        return true;
    auto mine = read_mine();
    if (!mine)
        return mine.error();
    return write_file_atomic(file, nlohmann::json(*mine).dump());
}

core::Expected<core::Sections> read_former_settings(const std::filesystem::path& state_dir)
{
    std::ifstream in(former_settings_path(state_dir));
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return former_error("This system's former settings were not saved before the copy.");
    core::Sections sections;
    for (const auto& [name, text] : j.items()) {
        if (!text.is_string())
            return former_error("This system's saved former settings are malformed.");
        sections.emplace(name, text.get<std::string>());
    }
    return sections;
}

void remove_former_settings(const std::filesystem::path& state_dir)
{
    std::error_code ec;
    std::filesystem::remove(former_settings_path(state_dir), ec);
}

} // namespace ferry::local
