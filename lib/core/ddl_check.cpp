#include "core/ddl_check.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ferry::core {

namespace {

struct Token {
    enum class Type { Word, Ident, String, Punct } type;
    std::string text; // Word: upper-cased; Ident: unquoted; String: raw
};

bool word_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
           c >= 0x80;
}

std::string upper(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// MariaDB's lexer as far as the checks need it. nullopt: unterminated
// quote or comment (never the output of SHOW CREATE).
std::optional<std::vector<Token>> tokenize(std::string_view s)
{
    std::vector<Token> out;
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            ++i;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            // Executable comment: its content is code. Skip the marker and
            // the version; the closing */ is skipped where it comes.
            std::size_t j = i + 2;
            if (j < n && s[j] == 'M' && j + 1 < n && s[j + 1] == '!')
                ++j;
            if (j < n && s[j] == '!') {
                ++j;
                while (j < n && s[j] >= '0' && s[j] <= '9')
                    ++j;
                i = j;
                continue;
            }
            const auto end = s.find("*/", i + 2);
            if (end == std::string_view::npos)
                return std::nullopt;
            i = end + 2;
        } else if (c == '*' && i + 1 < n && s[i + 1] == '/') {
            i += 2; // the end of an executable comment
        } else if (c == '#' || (c == '-' && i + 2 < n && s[i + 1] == '-' &&
                                (s[i + 2] == ' ' || s[i + 2] == '\t' || s[i + 2] == '\n'))) {
            const auto end = s.find('\n', i);
            i = end == std::string_view::npos ? n : end + 1;
        } else if (c == '`') {
            std::string id;
            std::size_t j = i + 1;
            for (;; ++j) {
                if (j >= n)
                    return std::nullopt;
                if (s[j] == '`') {
                    if (j + 1 < n && s[j + 1] == '`') {
                        id += '`';
                        ++j;
                        continue;
                    }
                    break;
                }
                id += s[j];
            }
            out.push_back({Token::Type::Ident, id});
            i = j + 1;
        } else if (c == '\'' || c == '"') {
            std::size_t j = i + 1;
            for (;; ++j) {
                if (j >= n)
                    return std::nullopt;
                if (s[j] == '\\') {
                    ++j;
                    continue;
                }
                if (s[j] == c) {
                    if (j + 1 < n && s[j + 1] == c) {
                        ++j;
                        continue;
                    }
                    break;
                }
            }
            out.push_back({Token::Type::String, std::string(s.substr(i, j + 1 - i))});
            i = j + 1;
        } else if (word_char(static_cast<unsigned char>(c))) {
            std::size_t j = i;
            while (j < n && word_char(static_cast<unsigned char>(s[j])))
                ++j;
            out.push_back({Token::Type::Word, upper(s.substr(i, j - i))});
            i = j;
        } else {
            out.push_back({Token::Type::Punct, std::string(1, c)});
            ++i;
        }
    }
    return out;
}

bool same_name(const std::string& a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return upper(std::string(1, x)) == upper(std::string(1, y));
           });
}

class Parser {
  public:
    explicit Parser(const std::vector<Token>& t) : t_(t) {}

    bool word(std::string_view w)
    {
        if (i_ < t_.size() && t_[i_].type == Token::Type::Word && t_[i_].text == w) {
            ++i_;
            return true;
        }
        return false;
    }
    bool punct(char c)
    {
        if (i_ < t_.size() && t_[i_].type == Token::Type::Punct && t_[i_].text[0] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    // An identifier (quoted or a plain word), its text.
    std::optional<std::string> name()
    {
        if (i_ < t_.size() && (t_[i_].type == Token::Type::Ident || t_[i_].type == Token::Type::Word))
            return t_[i_++].text;
        return std::nullopt;
    }
    // `n` or `schema`.`n`: true when it is the expected object.
    bool object_name(std::string_view schema, std::string_view expected)
    {
        auto first = name();
        if (!first)
            return false;
        if (punct('.')) {
            auto second = name();
            return second && same_name(*first, schema) && same_name(*second, expected);
        }
        return same_name(*first, expected);
    }
    // DEFINER = user@host | role | CURRENT_USER[()], when present.
    bool definer()
    {
        if (!word("DEFINER"))
            return true;
        if (!punct('='))
            return false;
        if (word("CURRENT_USER")) {
            if (punct('('))
                return punct(')');
            return true;
        }
        auto user_part = [&] {
            if (i_ < t_.size() && t_[i_].type != Token::Type::Punct) {
                ++i_;
                return true;
            }
            return false;
        };
        if (!user_part())
            return false;
        if (punct('@'))
            return user_part();
        return true;
    }
    std::size_t pos() const { return i_; }

  private:
    const std::vector<Token>& t_;
    std::size_t i_ = 0;
};

// Table options that would reach outside the data directory or the server.
std::optional<std::string> unsafe_table_option(const std::vector<Token>& t, std::size_t from)
{
    static const std::vector<std::string> engines{"INNODB", "ARIA", "MYISAM", "MEMORY", "HEAP",
                                                  "CSV",    "ARCHIVE", "BLACKHOLE", "SEQUENCE"};
    for (std::size_t i = from; i < t.size(); ++i) {
        if (t[i].type != Token::Type::Word)
            continue;
        const std::string& w = t[i].text;
        const bool next_directory = i + 1 < t.size() && t[i + 1].type == Token::Type::Word &&
                                    t[i + 1].text == "DIRECTORY";
        if ((w == "DATA" || w == "INDEX") && next_directory)
            return w + " DIRECTORY";
        if (w == "CONNECTION" || w == "UNION" || w == "SELECT")
            return w;
        if (w == "ENGINE") {
            std::size_t j = i + 1;
            if (j < t.size() && t[j].type == Token::Type::Punct && t[j].text == "=")
                ++j;
            if (j >= t.size())
                return std::string("ENGINE");
            const std::string engine = upper(t[j].text);
            if (std::find(engines.begin(), engines.end(), engine) == engines.end())
                return "ENGINE=" + t[j].text;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<Error> check_definition(std::string_view kind, std::string_view schema, std::string_view name,
                                      std::string_view text)
{
    auto refuse = [&](const std::string& why) {
        return Error{Code::UnexpectedDefinition,
                     "The source's definition of the " + std::string(kind) + " " + std::string(schema) + "." +
                         std::string(name) + " is not what ferry runs for it (" + why + "); nothing of it was run.",
                     "Check the source's MariaDB: an object defined this way is not copied. If the source may be "
                     "compromised, do not migrate from it."};
    };
    auto tokens = tokenize(text);
    if (!tokens)
        return refuse("an unterminated quote or comment");
    Parser p(*tokens);
    if (!p.word("CREATE"))
        return refuse("not a CREATE statement");

    if (kind == "database") {
        if (!p.word("DATABASE") || !p.object_name(schema, schema))
            return refuse("not a CREATE DATABASE of that schema");
        return std::nullopt;
    }
    if (kind == "table" || kind == "sequence") {
        if (!p.word(kind == "table" ? "TABLE" : "SEQUENCE"))
            return refuse("not a CREATE " + upper(kind));
        if (!p.object_name(schema, name))
            return refuse("it names another object");
        if (auto bad = unsafe_table_option(*tokens, p.pos()))
            return refuse("it has " + *bad);
        return std::nullopt;
    }
    if (kind == "view") {
        if (p.word("ALGORITHM") && (!p.punct('=') || !p.name()))
            return refuse("a malformed ALGORITHM");
        if (!p.definer())
            return refuse("a malformed DEFINER");
        if (p.word("SQL") && (!p.word("SECURITY") || !p.name()))
            return refuse("a malformed SQL SECURITY");
        if (!p.word("VIEW"))
            return refuse("not a CREATE VIEW");
        if (!p.object_name(schema, name))
            return refuse("it names another object");
        if (!p.word("AS"))
            return refuse("no AS after the view's name");
        return std::nullopt;
    }
    if (!p.definer())
        return refuse("a malformed DEFINER");
    if (kind == "trigger") {
        if (!p.word("TRIGGER") || !p.object_name(schema, name))
            return refuse("not a CREATE TRIGGER of that name");
        if (!p.word("BEFORE") && !p.word("AFTER"))
            return refuse("no BEFORE or AFTER");
        if (!p.word("INSERT") && !p.word("UPDATE") && !p.word("DELETE"))
            return refuse("no INSERT, UPDATE or DELETE");
        if (!p.word("ON"))
            return refuse("no ON");
        // The table: its own schema's (a qualified name must say so).
        auto first = p.name();
        if (!first || (p.punct('.') && (!same_name(*first, schema) || !p.name())))
            return refuse("it is on a table of another schema");
        return std::nullopt;
    }
    if (kind == "procedure" || kind == "function") {
        if (kind == "function")
            p.word("AGGREGATE");
        if (!p.word(kind == "procedure" ? "PROCEDURE" : "FUNCTION"))
            return refuse("not a CREATE " + upper(kind));
        if (!p.object_name(schema, name))
            return refuse("it names another object");
        return std::nullopt;
    }
    if (kind == "event") {
        if (!p.word("EVENT") || !p.object_name(schema, name))
            return refuse("not a CREATE EVENT of that name");
        return std::nullopt;
    }
    return refuse("an unknown kind of object");
}

} // namespace ferry::core
