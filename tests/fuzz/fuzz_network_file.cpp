// The network settings section that ferry-peer --apply-network turns into
// a systemd-networkd file at boot (it came from the other appliance in a
// Swap Configuration).
//
// Properties: a named error or a file whose every line is a section header,
// a comment or Key=Value of the keys written; the address and gateway are
// canonical IP literals; nothing of the input but those reaches the file.
#include "check.hpp"
#include "core/address.hpp"
#include "core/ini.hpp"
#include "core/network_file.hpp"

using namespace ferry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto f = core::network_file_from_settings(text);
    if (!f) {
        FUZZ_CHECK(f.error().code == core::Code::InvalidArgument);
        return 0;
    }
    auto a = core::parse_address(f->address);
    FUZZ_CHECK(a.ok() && a->text == f->address);
    FUZZ_CHECK(f->prefix >= 1 && f->prefix <= (a->ipv6 ? 128 : 32));
    auto ini = core::parse_ini(f->text);
    FUZZ_CHECK(ini.ok());
    FUZZ_CHECK(ini->size() == 2 && ini->count("Match") && ini->count("Network"));
    for (const auto& [key, value] : ini->at("Network")) {
        FUZZ_CHECK(key == "Address" || key == "Gateway" || key == "LinkLocalAddressing" ||
                   key == "IPv6AcceptRA");
        if (key == "Gateway")
            FUZZ_CHECK(core::parse_address(value).ok() &&
                       core::parse_address(value)->text == value);
    }
    FUZZ_CHECK(ini->at("Network").at("Address") == f->address + "/" + std::to_string(f->prefix));
    FUZZ_CHECK(f->host_name.find('\n') == std::string::npos);
    return 0;
}
