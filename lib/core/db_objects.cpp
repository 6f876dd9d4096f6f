#include "core/db_objects.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace ferry::core {

namespace {

constexpr std::string_view kKinds[] = {"table", "view", "sequence", "trigger", "procedure", "function", "event"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

// " AUTO_INCREMENT=<digits>" (the table option; the column attribute has
// no "=") removed.
std::string drop_auto_increment(std::string s)
{
    constexpr std::string_view opt = " AUTO_INCREMENT=";
    for (std::size_t at = s.find(opt); at != std::string::npos; at = s.find(opt, at)) {
        std::size_t end = at + opt.size();
        while (end < s.size() && is_digit(s[end]))
            ++end;
        if (end == at + opt.size()) {
            at = end;
            continue;
        }
        s.erase(at, end - at);
    }
    return s;
}

// The word "utf8mb3" (alone or as the prefix of a collation name) as "utf8".
std::string utf8mb3_as_utf8(std::string s)
{
    constexpr std::string_view from = "utf8mb3";
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at)) {
        const bool starts_word = at == 0 || !is_word(s[at - 1]);
        const std::size_t end = at + from.size();
        const bool ends_word = end == s.size() || !is_word(s[end]) || s[end] == '_';
        if (starts_word && ends_word) {
            s.replace(at, from.size(), "utf8");
            at += 4;
        } else {
            at = end;
        }
    }
    return s;
}

bool is_hex64(const std::string& s)
{
    return s.size() == 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); });
}

auto key(const DbObject& o) { return std::tie(o.kind, o.schema, o.name); }

} // namespace

bool is_object_kind(std::string_view kind)
{
    return std::find(std::begin(kKinds), std::end(kKinds), kind) != std::end(kKinds);
}

std::string canonical_definition(std::string_view kind, std::string_view create, std::string_view sql_mode,
                                 std::string_view time_zone)
{
    std::string text(create);
    if (kind == "table")
        text = drop_auto_increment(std::move(text));
    text = utf8mb3_as_utf8(std::move(text));
    std::string out = std::string(kind) + "\n";
    if (kind == "trigger" || kind == "procedure" || kind == "function" || kind == "event")
        out += "sql_mode=" + std::string(sql_mode) + "\n";
    if (kind == "event")
        out += "time_zone=" + std::string(time_zone) + "\n";
    return out + text;
}

nlohmann::json inventory_to_json(const ObjectInventory& inventory)
{
    auto list = nlohmann::json::array();
    for (const auto& o : inventory)
        list.push_back({{"kind", o.kind}, {"schema", o.schema}, {"name", o.name}, {"sha256", o.sha256}});
    return {{"objects", list}};
}

Expected<ObjectInventory> inventory_from_json(const nlohmann::json& j)
{
    const Error bad{Code::IncompatibleSource, "The source's list of database objects is malformed.",
                    "Update ferry on both systems to the same version."};
    if (!j.is_object() || !j.contains("objects") || !j["objects"].is_array())
        return bad;
    ObjectInventory out;
    for (const auto& e : j["objects"]) {
        if (!e.is_object())
            return bad;
        DbObject o;
        for (auto [field, value] : {std::pair{"kind", &o.kind}, std::pair{"schema", &o.schema},
                                    std::pair{"name", &o.name}, std::pair{"sha256", &o.sha256}}) {
            const auto it = e.find(field);
            if (it == e.end() || !it->is_string())
                return bad;
            *value = it->get<std::string>();
        }
        if (!is_object_kind(o.kind) || !is_hex64(o.sha256) || o.schema.empty() || o.schema.size() > 64 ||
            o.name.empty() || o.name.size() > 64)
            return bad;
        out.push_back(std::move(o));
    }
    return out;
}

std::vector<ObjectDifference> compare_inventories(const ObjectInventory& source, const ObjectInventory& target)
{
    using Key = std::tuple<std::string, std::string, std::string>;
    std::map<Key, const DbObject*> src, dst;
    for (const auto& o : source)
        src[key(o)] = &o;
    for (const auto& o : target)
        dst[key(o)] = &o;
    std::vector<ObjectDifference> out;
    for (const auto& [k, o] : src) {
        const auto it = dst.find(k);
        if (it == dst.end())
            out.push_back({ObjectDifference::What::Missing, *o});
        else if (it->second->sha256 != o->sha256)
            out.push_back({ObjectDifference::What::Different, *o});
    }
    for (const auto& [k, o] : dst)
        if (!src.count(k))
            out.push_back({ObjectDifference::What::Extra, *o});
    std::stable_sort(out.begin(), out.end(),
                     [](const ObjectDifference& a, const ObjectDifference& b) { return key(a.object) < key(b.object); });
    return out;
}

Error object_mismatch_error(const std::vector<ObjectDifference>& differences, std::size_t limit)
{
    std::string list;
    std::size_t missing = 0, extra = 0, different = 0;
    for (std::size_t i = 0; i < differences.size(); ++i) {
        const auto& d = differences[i];
        const char* what = d.what == ObjectDifference::What::Missing ? "missing"
                           : d.what == ObjectDifference::What::Extra ? "not on the source"
                                                                     : "different";
        (d.what == ObjectDifference::What::Missing ? missing
         : d.what == ObjectDifference::What::Extra ? extra
                                                   : different)++;
        if (i < limit)
            list += std::string(list.empty() ? "" : ", ") + d.object.kind + " " + d.object.schema + "." +
                    d.object.name + " (" + what + ")";
    }
    if (differences.size() > limit)
        list += " and " + std::to_string(differences.size() - limit) + " more";
    return Error{Code::ObjectMismatch,
                 "The copied databases on this system differ from the source's: " + std::to_string(missing) +
                     " object(s) missing, " + std::to_string(different) + " different, " + std::to_string(extra) +
                     " not on the source: " + list + ".",
                 "Nothing was lost on the source. Check this system's MariaDB log (a definition it refused), "
                 "then Resume(): the data is copied again."};
}

} // namespace ferry::core
