// The INI readers: ferry.conf (ferryd's and ferry-peer's view), and the
// appliance files read through core::parse_ini that come from the source
// in a migration (settings sections, the license file, the replication
// and load-balancing sections, the migrated record).
//
// Properties: nothing but a named error for a malformed file; a parsed
// file written back with format_ini reads back to the same sections and
// keys.
#include "check.hpp"
#include "core/config.hpp"
#include "core/ini.hpp"
#include "appliance/appliance_rules.hpp"
#include "peer/config.hpp"

using namespace ferry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto ini = core::parse_ini(text);
    if (!ini) {
        FUZZ_CHECK(ini.error().code == core::Code::InvalidArgument);
        FUZZ_CHECK(!ini.error().message.empty());
        return 0;
    }
    const std::string again = core::format_ini(*ini);
    auto reread = core::parse_ini(again);
    FUZZ_CHECK(reread.ok());
    FUZZ_CHECK(*reread == *ini);

    if (auto c = core::parse_config(*ini); !c)
        FUZZ_CHECK(c.error().code == core::Code::InvalidArgument);
    if (auto c = peer::parse_peer_config(*ini); !c)
        FUZZ_CHECK(!c.error().message.empty());

    const auto lic = local::license_facts(*ini, "2030-01-01");
    FUZZ_CHECK(!lic.contract_active || local::is_iso_date(lic.contract_end));
    if (auto r = local::decide_license_release(*ini, "192.0.2.3", "2030-01-01"); r)
        FUZZ_CHECK(core::parse_ini(r->target_text).ok());
    local::Identity self{"src", "example.test", "192.0.2.1"};
    (void)local::decide_ha_facts(*ini, *ini, self);
    if (auto m = local::parse_migrated(*ini))
        FUZZ_CHECK(local::parse_migrated(local::migrated_ini(*m)) == m);
    return 0;
}
