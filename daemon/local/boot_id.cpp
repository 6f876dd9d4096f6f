#include "local/boot_id.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <systemd/sd-id128.h>

#include "system/journal_store.hpp"

namespace ferry::local {
namespace {

std::string to_string(sd_id128_t id)
{
    char buf[SD_ID128_STRING_MAX];
    return sd_id128_to_string(id, buf);
}

} // namespace

std::string current_boot_id()
{
    if (const char* forced = std::getenv("FERRY_BOOT_ID"); forced && *forced)
        return forced;
    // Under systemd: an id kept in the runtime directory (RuntimeDirectory=
    // ferry, preserved across restarts of ferryd). /run is a new tmpfs on
    // every boot, also in a container, where the kernel's boot id seen
    // through ProtectProc='s /proc stays the host's for every boot.
    if (const char* run = std::getenv("RUNTIME_DIRECTORY"); run && *run) {
        const std::filesystem::path file = std::filesystem::path(run) / "boot-id";
        std::string id;
        if (std::ifstream in(file); in >> id && id.size() == 32)
            return id;
        sd_id128_t fresh;
        if (sd_id128_randomize(&fresh) >= 0 && write_file_atomic(file, to_string(fresh) + "\n"))
            return to_string(fresh);
    }
    sd_id128_t id;
    if (sd_id128_get_boot(&id) < 0)
        return "unknown";
    return to_string(id);
}

} // namespace ferry::local
