// The small pieces every handler of the peer API is made of: JSON answers,
// the 400 answers for a malformed body or field, and the checks on the
// fields themselves (peer/api_request.hpp).
#include "peer/api_request.hpp"

#include "peer/http.hpp"

namespace ferry::peer::request {

std::string dump(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Response ok(const json& j)
{
    Response r;
    r.body = dump(j);
    return r;
}

Response invalid(const std::string& message)
{
    return error_response(400, "InvalidArgument", message);
}

Response not_found()
{
    return error_response(404, "NotFound", "No such resource.",
                          "Check the path against docs/peer-api.md.");
}

// The body as a JSON object, or the 400 answer.
std::variant<json, Response> body_object(const Request& r)
{
    json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return invalid("The request body must be a JSON object.");
    return j;
}

// An IP address field of the body.
std::variant<core::Address, Response> address_field(const json& body, const char* key)
{
    const auto it = body.find(key);
    if (it == body.end() || !it->is_string())
        return invalid(std::string("\"") + key + "\" must be an IP address.");
    auto a = core::parse_address(it->get<std::string>());
    if (!a) {
        // The reason without the client's text: an answer (and the log
        // line it makes) never repeats what the client put there, which may
        // be anything (fuzz-peer-api sent the session's token as the
        // address and got it back).
        const std::string& m = a.error().message;
        const std::string_view fixed = "is not a usable source address: ";
        const auto at = m.find(fixed);
        return invalid(std::string("\"") + key + "\" is not a usable IP address" +
                       (at == std::string::npos ? std::string(".")
                                                : ": " + m.substr(at + fixed.size())));
    }
    return *a;
}

std::optional<bool> bool_field(const json& body, const char* key)
{
    const auto it = body.find(key);
    if (it == body.end() || !it->is_boolean())
        return std::nullopt;
    return it->get<bool>();
}

// Every text must be UTF-8 to travel in JSON; name the offender instead of
// sending it mangled.
std::optional<Response> check_utf8(const std::map<std::string, std::string>& files,
                                   const std::string& what)
{
    for (const auto& [name, text] : files)
        if (!is_utf8(name) || !is_utf8(text))
            return error_response(500, "Internal", what + " " + name + " is not UTF-8 text.",
                                  "Convert the file to UTF-8 on the source.");
    return std::nullopt;
}

} // namespace ferry::peer::request
