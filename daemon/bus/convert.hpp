// Conversions between D-Bus values and core types, in one place.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <sdbus-c++/Types.h>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/options.hpp"
#include "core/source_info.hpp"

namespace ferry::bus {

using VariantMap = std::map<std::string, sdbus::Variant>;

inline constexpr std::size_t kMaxDictEntries = 16;
inline constexpr const char* kFlagInteractive = "Interactive";

// Splits the Interactive flag off a dictionary (InvalidArgument if it is
// not a boolean) and returns the rest as raw options.
struct SplitOptions {
    bool interactive = false;
    std::vector<core::RawOption> rest;
};
core::Expected<SplitOptions> split_options(const VariantMap& dict);

VariantMap source_info_to_dict(const core::SourceInfo& info);
// Pre-flight checks as (id, verdict, title, message).
std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>>
checks_to_structs(const std::vector<core::PreflightCheck>& checks);
VariantMap options_to_dict(const core::Options& o);
sdbus::Variant json_to_variant(const nlohmann::json& j);
VariantMap json_object_to_dict(const nlohmann::json& j);

} // namespace ferry::bus
