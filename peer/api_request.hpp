// The pieces every handler of the peer API (peer/api*.cpp) is made of.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/address.hpp"
#include "peer/api.hpp"

namespace ferry::peer::request {

using json = nlohmann::json;

// Set by a PUT: more than this many settings sections is not an appliance.
constexpr std::size_t kMaxSections = 1024;

// JSON text of an answer; invalid UTF-8 replaced, never thrown on.
std::string dump(const json& j);
// 200 with a JSON body.
Response ok(const json& j = json::object());
// 400 InvalidArgument with this message.
Response invalid(const std::string& message);
// 404 NotFound.
Response not_found();
// The body as a JSON object, or the 400 answer.
std::variant<json, Response> body_object(const Request& r);
// An IP address field of the body, or the 400 answer.
std::variant<core::Address, Response> address_field(const json& body, const char* key);
// A boolean field of the body; nullopt when missing or of another type.
std::optional<bool> bool_field(const json& body, const char* key);
// Every text must be UTF-8 to travel in JSON: the 500 answer naming the
// first file that is not.
std::optional<Response> check_utf8(const std::map<std::string, std::string>& files,
                                   const std::string& what);

} // namespace ferry::peer::request
