// protocol::Reader (peer_protocol.hpp): the fields of one JSON object of
// the peer protocol read without throwing; the first failure is kept as
// IncompatibleSource naming the message and the field.
#include "protocol/peer_protocol.hpp"

namespace ferry::protocol {

namespace {

constexpr const char* kUpdateBoth = "Update ferry on both systems to the same version.";

// A JSON value's type for a message, e.g. "a string".
std::string type_of(const json& v)
{
    if (v.is_null())
        return "null";
    if (v.is_boolean())
        return "a boolean";
    if (v.is_number())
        return "a number";
    if (v.is_string())
        return "a string";
    if (v.is_array())
        return "an array";
    return "an object";
}

} // namespace

// ------------------------------------------------------------ Reader

Reader::Reader(const json& j, std::string what) : j_(j), what_(std::move(what))
{
    if (!j_.is_object())
        error_ =
            core::Error{core::Code::IncompatibleSource,
                        "The source's answer (" + what_ + ") is not a JSON object.", kUpdateBoth};
}

bool Reader::has(const char* key) const
{
    return j_.is_object() && j_.contains(key);
}

void Reader::fail(const char* key, const char* should_be)
{
    if (error_)
        return;
    const auto it = j_.find(key);
    error_ = core::Error{core::Code::IncompatibleSource,
                         it == j_.end()
                             ? "The source's answer (" + what_ + ") has no field \"" + key + "\"."
                             : "The source's answer (" + what_ + "): field \"" + key + "\" is " +
                                   type_of(*it) + ", not " + should_be + ".",
                         kUpdateBoth};
}

const json* Reader::find(const char* key, bool required)
{
    if (error_)
        return nullptr;
    const auto it = j_.find(key);
    if (it == j_.end()) {
        if (required)
            fail(key, "");
        return nullptr;
    }
    return &*it;
}

bool Reader::integer_in(const json& v, int64_t min, uint64_t max, const char* key)
{
    bool fits = false;
    if (v.is_number_unsigned())
        fits = v.get<uint64_t>() <= max;
    else if (v.is_number_integer())
        fits = v.get<int64_t>() >= min &&
               (v.get<int64_t>() < 0 || static_cast<uint64_t>(v.get<int64_t>()) <= max);
    if (!fits)
        fail(key, "an integer within the field's range");
    return fits;
}

std::string Reader::text(const char* key)
{
    const json* v = find(key, true);
    if (v && !v->is_string())
        fail(key, "a string");
    return v && !error_ ? v->get<std::string>() : std::string();
}

bool Reader::flag(const char* key)
{
    const json* v = find(key, true);
    if (v && !v->is_boolean())
        fail(key, "a boolean");
    return v && !error_ ? v->get<bool>() : false;
}

std::vector<std::string> Reader::texts(const char* key)
{
    const json* v = find(key, true);
    std::vector<std::string> out;
    if (!v)
        return out;
    if (!v->is_array()) {
        fail(key, "an array of strings");
        return out;
    }
    for (const auto& e : *v) {
        if (!e.is_string()) {
            fail(key, "an array of strings");
            return {};
        }
        out.push_back(e.get<std::string>());
    }
    return out;
}

Files Reader::files(const char* key)
{
    const json* v = find(key, true);
    Files out;
    if (!v)
        return out;
    if (!v->is_object()) {
        fail(key, "an object of strings");
        return out;
    }
    for (const auto& [name, e] : v->items()) {
        if (!e.is_string()) {
            fail(key, "an object of strings");
            return {};
        }
        out.emplace(name, e.get<std::string>());
    }
    return out;
}

std::string Reader::text_or(const char* key, std::string fallback)
{
    return has(key) ? text(key) : fallback;
}

bool Reader::flag_or(const char* key, bool fallback)
{
    return has(key) ? flag(key) : fallback;
}

std::vector<std::string> Reader::texts_or(const char* key)
{
    return has(key) ? texts(key) : std::vector<std::string>{};
}

const json* Reader::object_or_null(const char* key)
{
    const json* v = find(key, false);
    if (v && !v->is_object()) {
        fail(key, "an object");
        return nullptr;
    }
    return v;
}

} // namespace ferry::protocol
