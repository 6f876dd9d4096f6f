// The options dictionaries of the D-Bus API (Plan, Start: a{sv}), on the
// core side: bus/convert.cpp only turns each entry into a RawOption (key,
// D-Bus type signature, boolean value) and splits off "Interactive"; every
// rule is core::parse_options and core::resolve_options.
//
// Input: entries of [type byte][value byte][key bytes] NUL ..., then the
// facts of source and target. Properties: UnknownOption or InvalidArgument
// naming the key for a bad entry; resolved options respect the rules the
// Options step shows (an unavailable option is never on, a forced one
// always).
#include <vector>

#include "check.hpp"
#include "core/options.hpp"

using namespace ferry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    fuzz::Fields in(data, size);
    static const char* const kTypes[] = {"b", "s", "i", "u", "v", "as", "a{sv}", "", "bb"};
    const unsigned facts = in.byte();
    const core::SourceFacts source{(facts & 1) != 0, (facts & 2) != 0, (facts & 4) != 0};
    const core::TargetFacts target{(facts & 8) != 0};
    std::vector<core::RawOption> raw;
    for (int i = 0; i < 32; ++i) {
        std::string entry = in.next();
        if (entry.size() < 2)
            break;
        const std::string type = kTypes[static_cast<unsigned char>(entry[0]) % std::size(kTypes)];
        raw.push_back(core::RawOption{entry.substr(2), type, (entry[1] & 1) != 0});
    }
    auto req = core::parse_options(raw);
    if (!req) {
        FUZZ_CHECK(req.error().code == core::Code::UnknownOption ||
                   req.error().code == core::Code::InvalidArgument);
        return 0;
    }
    const auto rules = core::option_rules(source, target);
    FUZZ_CHECK(rules.size() == 3);
    auto opts = core::resolve_options(*req, (facts & 16) ? nullptr : &source, target);
    if (!opts)
        return 0;
    FUZZ_CHECK(!(facts & 16)); // no options without a Probe
    const bool values[] = {opts->swap, opts->license, opts->logs};
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (!rules[i].available)
            FUZZ_CHECK(!values[i]);
        if (rules[i].forced)
            FUZZ_CHECK(values[i]);
    }
    return 0;
}
