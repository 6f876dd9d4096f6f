#include "core/options.hpp"

#include "core/translatable.hpp"

namespace ferry::core {
namespace {

const char* const kLicenseTargetHasOne = N_(
    "This system already has a license; a license can only be migrated to an unlicensed system.");
const char* const kLicenseSourceHasNone = N_("The source system has no license to migrate.");
const char* const kLicenseNoContract =
    N_("The source system has no active Maintenance Contract; a license can only be migrated "
       "under an active contract.");
const char* const kSwapForcedHa =
    N_("The source is in high availability: the replication ring addresses each node by its IP "
       "address, so this system must take over the source's configuration.");

// The first reason the license option is unavailable, or empty.
std::string license_unavailable_reason(const SourceFacts* source, const TargetFacts& target)
{
    if (target.licensed)
        return kLicenseTargetHasOne;
    if (source && !source->licensed)
        return kLicenseSourceHasNone;
    if (source && !source->contract_active)
        return kLicenseNoContract;
    return {};
}

} // namespace

Expected<RequestedOptions> parse_options(const std::vector<RawOption>& raw)
{
    RequestedOptions req;
    for (const auto& o : raw) {
        std::optional<bool>* slot = nullptr;
        if (o.key == kOptSwap)
            slot = &req.swap;
        else if (o.key == kOptLicense)
            slot = &req.license;
        else if (o.key == kOptLogs)
            slot = &req.logs;
        else
            return Error{Code::UnknownOption, "Unknown option '" + o.key.substr(0, 64) + "'.",
                         std::string("Known options: ") + kOptSwap + ", " + kOptLicense + ", " +
                             kOptLogs + "."};
        if (o.type != "b")
            return Error{Code::InvalidArgument,
                         "Option '" + o.key + "' must be a boolean (b), not '" +
                             o.type.substr(0, 16) + "'.",
                         {}};
        *slot = o.value;
    }
    return req;
}

std::vector<OptionRule> option_rules(const SourceFacts& source, const TargetFacts& target)
{
    std::vector<OptionRule> rules;

    OptionRule swap{kOptSwap, true, false, false, {}};
    if (source.high_availability) {
        swap.forced = true;
        swap.default_value = true;
        swap.reason = kSwapForcedHa;
    }
    rules.push_back(swap);

    OptionRule license{kOptLicense, true, false, false, {}};
    license.reason = license_unavailable_reason(&source, target);
    license.available = license.reason.empty();
    rules.push_back(license);

    rules.push_back(OptionRule{kOptLogs, true, false, true, {}});
    return rules;
}

Expected<Options> resolve_options(const RequestedOptions& req, const SourceFacts* source,
                                  const TargetFacts& target)
{
    // Target-side rule first: it needs no source, so the answer is the same
    // before and after Probe.
    if (req.license.value_or(false) && target.licensed)
        return Error{Code::OptionUnavailable, kLicenseTargetHasOne,
                     "Run the migration without MigrateLicense."};
    if (!source)
        return Error{Code::NotProbed, "No source system has been probed yet.",
                     "Call Probe() with the source's address and Admin password first."};

    const auto rules = option_rules(*source, target);
    if (req.license.value_or(false) && !rules[1].available)
        return Error{Code::OptionUnavailable, rules[1].reason,
                     "Run the migration without MigrateLicense."};
    if (source->high_availability && req.swap.has_value() && !*req.swap)
        return Error{Code::OptionUnavailable,
                     std::string("Swap Configuration cannot be turned off. ") + kSwapForcedHa,
                     "Omit SwapConfiguration or set it to true."};

    Options o;
    o.swap = source->high_availability ? true : req.swap.value_or(rules[0].default_value);
    o.license = req.license.value_or(rules[1].default_value);
    o.logs = req.logs.value_or(rules[2].default_value);
    return o;
}

} // namespace ferry::core
