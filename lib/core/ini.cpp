#include "core/ini.hpp"

namespace ferry::core {
namespace {

std::string_view trim(std::string_view s)
{
    const auto ws = " \t\r";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos)
        return {};
    const auto e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

} // namespace

Expected<Ini> parse_ini(std::string_view text)
{
    Ini ini;
    std::string section;
    bool in_section = false;
    std::size_t lineno = 0;
    while (!text.empty()) {
        ++lineno;
        const auto nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty() || line[0] == '#' || line[0] == ';')
            continue;
        if (line.front() == '[') {
            if (line.back() != ']' || line.size() < 3)
                return Error{Code::InvalidArgument,
                             "Line " + std::to_string(lineno) + ": malformed section header.", {}};
            section = std::string(trim(line.substr(1, line.size() - 2)));
            // "[ ]" would be a section named "" that format_ini writes as
            // "[]", which is no section header (found by tests/fuzz).
            if (section.empty())
                return Error{Code::InvalidArgument,
                             "Line " + std::to_string(lineno) + ": empty section name.", {}};
            ini[section];
            in_section = true;
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return Error{Code::InvalidArgument,
                         "Line " + std::to_string(lineno) + ": expected Key=Value.", {}};
        if (!in_section)
            return Error{Code::InvalidArgument,
                         "Line " + std::to_string(lineno) + ": key outside of a [Section].", {}};
        ini[section][std::string(trim(line.substr(0, eq)))] = std::string(trim(line.substr(eq + 1)));
    }
    return ini;
}

std::string ini_get(const Ini& ini, const std::string& section, const std::string& key,
                    const std::string& fallback)
{
    const auto s = ini.find(section);
    if (s == ini.end())
        return fallback;
    const auto k = s->second.find(key);
    return k == s->second.end() ? fallback : k->second;
}

std::string format_ini(const Ini& ini)
{
    std::string out;
    for (const auto& [name, keys] : ini) {
        if (!out.empty())
            out += '\n';
        out += '[' + name + "]\n";
        for (const auto& [k, v] : keys)
            out += k + '=' + v + '\n';
    }
    return out;
}

} // namespace ferry::core
