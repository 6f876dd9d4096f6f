#include "core/sql_quote.hpp"

namespace ferry::core {

std::string quote_identifier(std::string_view name)
{
    std::string out;
    out.reserve(name.size() + 2);
    out += '`';
    for (char c : name) {
        if (c == '`')
            out += '`';
        out += c;
    }
    out += '`';
    return out;
}

std::string quote_literal(std::string_view value)
{
    std::string out;
    out.reserve(value.size() + 2);
    out += '\'';
    for (char c : value) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\'': out += "\\'"; break;
        case '\0': out += "\\0"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\x1a': out += "\\Z"; break;
        default: out += c;
        }
    }
    out += '\'';
    return out;
}

} // namespace ferry::core
