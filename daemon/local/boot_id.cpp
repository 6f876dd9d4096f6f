#include "local/boot_id.hpp"

#include <cstdlib>
#include <systemd/sd-id128.h>

namespace ferry::local {

std::string current_boot_id()
{
    if (const char* forced = std::getenv("FERRY_BOOT_ID"); forced && *forced)
        return forced;
    sd_id128_t id;
    if (sd_id128_get_boot(&id) < 0)
        return "unknown";
    char buf[SD_ID128_STRING_MAX];
    return sd_id128_to_string(id, buf);
}

} // namespace ferry::local
