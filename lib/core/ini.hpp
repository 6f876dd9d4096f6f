// A strict reader for the INI-style files ferry uses (/etc/ferry/ferry.conf,
// the reference appliance's settings and license files), in the syntax of
// systemd unit files: [Section], Key=Value, '#' or ';' comments.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace ferry::core {

using IniSection = std::map<std::string, std::string>;
using Ini = std::map<std::string, IniSection>;

// InvalidArgument naming the line for a malformed file.
Expected<Ini> parse_ini(std::string_view text);

std::string ini_get(const Ini& ini, const std::string& section, const std::string& key,
                    const std::string& fallback = {});

std::string format_ini(const Ini& ini);

} // namespace ferry::core
