#include "core/definition_trial.hpp"

#include <cctype>
#include <initializer_list>
#include <string_view>

#include "core/sql_quote.hpp"

namespace ferry::core {
namespace {

// A small reader of the header SHOW CREATE writes: "CREATE
// [DEFINER=`u`@`h`] [AGGREGATE] KIND name", nothing more.
struct Header {
    std::string_view s;
    std::size_t pos = 0;

    void skip_space()
    {
        while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos])))
            ++pos;
    }
    bool keyword(std::string_view kw)
    {
        skip_space();
        if (s.size() - pos < kw.size())
            return false;
        for (std::size_t i = 0; i < kw.size(); ++i)
            if (std::toupper(static_cast<unsigned char>(s[pos + i])) != kw[i])
                return false;
        const std::size_t end = pos + kw.size();
        if (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_'))
            return false;
        pos = end;
        return true;
    }
    // A quoted token (` or " or ', the quote doubled inside) or a bare one.
    bool token()
    {
        skip_space();
        if (pos >= s.size())
            return false;
        const char q = s[pos];
        if (q == '`' || q == '"' || q == '\'') {
            for (++pos; pos < s.size(); ++pos)
                if (s[pos] == q) {
                    if (pos + 1 < s.size() && s[pos + 1] == q) {
                        ++pos;
                        continue;
                    }
                    ++pos;
                    return true;
                }
            return false;
        }
        const std::size_t start = pos;
        while (pos < s.size() &&
               (std::isalnum(static_cast<unsigned char>(s[pos])) || s[pos] == '_' || s[pos] == '$'))
            ++pos;
        return pos > start;
    }
    // DEFINER=user@host, each part a token.
    bool definer()
    {
        if (!keyword("DEFINER"))
            return true; // optional
        skip_space();
        if (pos >= s.size() || s[pos] != '=')
            return false;
        ++pos;
        if (!token())
            return false;
        if (pos < s.size() && s[pos] == '@') {
            ++pos;
            return token();
        }
        return true; // CURRENT_USER, or a role
    }
    bool next_is(char c)
    {
        skip_space();
        return pos < s.size() && s[pos] == c;
    }
};

// True when `create` is "CREATE [DEFINER=…] [AGGREGATE] KIND name" with a
// bare (unqualified) name: created in the current database, the scratch
// schema.
bool bare_name_header(std::string_view create, std::string_view kind)
{
    Header h{create};
    if (!h.keyword("CREATE") || !h.definer())
        return false;
    h.keyword("AGGREGATE");
    if (!h.keyword(kind) || !h.token())
        return false;
    return !h.next_is('.');
}

bool one_of(std::string_view v, std::initializer_list<std::string_view> allowed)
{
    for (auto a : allowed)
        if (v == a)
            return true;
    return false;
}

} // namespace

std::string object_label(std::string_view kind, std::string_view schema, std::string_view name)
{
    std::string k(kind);
    for (auto& c : k)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return k + " " + std::string(schema) + "." + std::string(name);
}

std::optional<std::string> trial_statement(const TrialObject& o, std::size_t index)
{
    const std::string ours = quote_identifier("ferry_trial_" + std::to_string(index));
    if (o.kind == "table" || o.kind == "sequence" || o.kind == "procedure" ||
        o.kind == "function") {
        std::string kind = o.kind;
        for (auto& c : kind)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (!bare_name_header(o.create, kind))
            return std::nullopt;
        return o.create;
    }
    if (o.kind == "trigger") {
        if (!one_of(o.timing, {"BEFORE", "AFTER"}) ||
            !one_of(o.manipulation, {"INSERT", "UPDATE", "DELETE"}) || o.table.empty() ||
            o.body.empty())
            return std::nullopt;
        return "CREATE TRIGGER " + ours + " " + o.timing + " " + o.manipulation + " ON " +
               quote_identifier(o.table) + " FOR EACH ROW " + o.body;
    }
    if (o.kind == "event") {
        if (o.body.empty())
            return std::nullopt;
        return "CREATE PROCEDURE " + ours + "() " + o.body;
    }
    return std::nullopt;
}

} // namespace ferry::core
