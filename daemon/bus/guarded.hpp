// Every handler body of ferryd's D-Bus objects runs through answer_guarded:
// sdbus-c++ 1.2 turns only a thrown sdbus::Error into an error reply (in
// method callbacks; in async reply callbacks, such as polkit's answer, not
// even that). Anything else thrown by a body (std::bad_alloc, a
// std::filesystem_error, a JSON exception from a file) would unwind through
// sd-bus's C frames into std::terminate: ferryd dead, every caller without
// an answer, and any local user who found such an input could restart the
// daemon at will. Here it becomes the caller's Internal error and one
// journal line; the daemon and the job go on.
#pragma once

#include <exception>
#include <sdbus-c++/Error.h>
#include <spdlog/spdlog.h>
#include <utility>

#include "bus/errors.hpp"

namespace ferry::bus {

inline core::Error unexpected_failure()
{
    return core::Error{
        core::Code::Internal,
        "ferryd failed unexpectedly while handling this request; nothing was changed by it.",
        "See ferryd's journal (journalctl -u ferryd) and report the message there."};
}

// `result` is an sdbus::Result<...> (or anything with returnError), `what`
// names the handler in the journal line.
template <typename R, typename Body>
void answer_guarded(R& result, const char* what, Body&& body) noexcept
{
    try {
        try {
            std::forward<Body>(body)();
        } catch (const sdbus::Error& e) {
            result.returnError(e);
        } catch (const std::exception& e) {
            spdlog::error("{}: unexpected exception: {}", what, e.what());
            result.returnError(to_bus_error(unexpected_failure()));
        } catch (...) {
            spdlog::error("{}: unexpected exception of unknown type", what);
            result.returnError(to_bus_error(unexpected_failure()));
        }
    } catch (...) {
        // returnError itself failed (the connection is gone): nobody is
        // left to answer, and nothing may escape into sd-bus.
        spdlog::warn("{}: could not send the error reply", what);
    }
}

} // namespace ferry::bus
