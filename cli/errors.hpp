// ferryctl's exit codes and errors: every failure is a Failure with a
// D-Bus-style name, a message and the exit code scripts can rely on
// (docs/ferryctl.md, EXIT STATUS). Known error names get a "Hint:" line,
// like hostnamectl's.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sdbus {
class Error;
}

namespace ferryctl {

enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,     // anything else (local I/O, unexpected replies)
    kExitUsage = 2,       // bad command line
    kExitDaemonError = 3, // ferryd (or the bus on its behalf) answered with a named error
    kExitUnreachable = 4, // no system bus, or ferryd is not on it / does not answer
    kExitJobFailed = 5,   // watch: the job finished in state "failed"
};

inline constexpr std::string_view kFerryErrorPrefix = "org.ferry.Migration1.Error.";

// A bad command line: printed as "ferryctl: <message>", exit 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Failure : std::exception {
    std::string name;    // e.g. org.ferry.Migration1.Error.NotProbed, System.Error.ENOENT
    std::string message; // a sentence a person can act on
    int exit_code = kExitFailure;

    Failure(std::string n, std::string m, int code)
        : name(std::move(n)), message(std::move(m)), exit_code(code)
    {
    }
    const char* what() const noexcept override { return message.c_str(); }
};

// A named ferry error (exit 3), e.g. ferry_error("NoJob", "There is no job.").
Failure ferry_error(std::string_view code, std::string message);
// A local failure from errno (exit 1), named System.Error.<ERRNO> like sd-bus.
Failure errno_failure(int err, std::string message);
// ferryd is not reachable (exit 4).
Failure unreachable(std::string message);

// Maps an error reply or a bus failure to its exit code.
Failure classify(const sdbus::Error& e);
bool is_unreachable(const Failure& f);

// The "Hint:" text for a known error name, if any.
std::optional<std::string_view> hint_for(std::string_view name);

} // namespace ferryctl
