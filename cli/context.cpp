#include <unistd.h>

#include "verbs.hpp"

namespace ferryctl {

bool Context::interactive() const { return args.ask_password && isatty(STDIN_FILENO) == 1; }

VariantMap Context::request_options(bool with_migration_options) const
{
    VariantMap m{{"Interactive", sdbus::Variant(interactive())}};
    if (!with_migration_options)
        return m;
    // Only the options given: ferryd fills in defaults and forced values.
    if (args.swap)
        m.emplace("SwapConfiguration", sdbus::Variant(*args.swap));
    if (args.license)
        m.emplace("MigrateLicense", sdbus::Variant(*args.license));
    if (args.logs)
        m.emplace("CopyUserTrafficLogs", sdbus::Variant(*args.logs));
    return m;
}

} // namespace ferryctl
