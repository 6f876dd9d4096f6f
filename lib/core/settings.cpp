#include "core/settings.hpp"

#include <algorithm>

namespace ferry::core {

bool is_excluded_section(std::string_view section)
{
    return std::find(kExcludedSections.begin(), kExcludedSections.end(), section) !=
           kExcludedSections.end();
}

SettingsOutcome partition_settings(const Sections& source, const Sections& target, bool swap)
{
    if (swap)
        return SettingsOutcome{source, target};

    SettingsOutcome out{target, std::nullopt};
    for (const auto& [name, content] : source)
        if (!is_excluded_section(name))
            out.target[name] = content;
    return out;
}

bool is_valid_section_name(std::string_view name)
{
    if (name.empty() || name.size() > 64)
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

} // namespace ferry::core
