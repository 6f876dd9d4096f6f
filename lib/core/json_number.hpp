// Integers read from JSON that came from outside (a peer's answer, the
// journal on disk). nlohmann's get<uint64_t>() converts whatever number it
// holds: a negative one wraps around, a floating-point one outside the
// type's range is undefined behaviour (a float-to-integer cast; UBSan
// reports it, tests/fuzz found it). These take only an integer that fits
// the type and otherwise throw nlohmann::json::type_error, as get<>() does
// for a wrong type, so that callers catching json::exception turn it into
// their named error as before.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

namespace ferry::core {

// nlohmann::json::type_error 302, what get<>() throws for a wrong type.
// nlohmann_json 3.9 (Debian 11, the peer-only build) has no context
// argument (3.10 added it; it only adds the value's place to the message).
[[noreturn]] inline void throw_type_error(const std::string& what, const nlohmann::json& j)
{
#if NLOHMANN_JSON_VERSION_MAJOR > 3 ||                                                             \
    (NLOHMANN_JSON_VERSION_MAJOR == 3 && NLOHMANN_JSON_VERSION_MINOR >= 10)
    throw nlohmann::json::type_error::create(302, what, &j);
#else
    (void)j;
    throw nlohmann::json::type_error::create(302, what);
#endif
}

template <typename T> T json_integer(const nlohmann::json& j)
{
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    if (j.is_number_unsigned()) {
        const auto v = j.get<uint64_t>();
        if (v <= static_cast<uint64_t>(std::numeric_limits<T>::max()))
            return static_cast<T>(v);
    } else if (j.is_number_integer()) {
        const auto v = j.get<int64_t>();
        if constexpr (std::is_signed_v<T>) {
            if (v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max())
                return static_cast<T>(v);
        }
    }
    throw_type_error("type must be an integer within the range of the field, but is " +
                         j.dump().substr(0, 32),
                     j);
}

} // namespace ferry::core
