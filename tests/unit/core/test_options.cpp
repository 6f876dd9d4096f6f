#include <gtest/gtest.h>

#include "core/options.hpp"

using namespace ferry::core;

TEST(Options, UnknownKeyIsNamed)
{
    auto r = parse_options({{"SwapConfiguration", "b", true}, {"Swap", "b", true}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Code::UnknownOption);
    EXPECT_NE(r.error().message.find("'Swap'"), std::string::npos);
}

TEST(Options, WrongTypeIsNamed)
{
    auto r = parse_options({{"MigrateLicense", "s", false}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Code::InvalidArgument);
    EXPECT_NE(r.error().message.find("MigrateLicense"), std::string::npos);
    EXPECT_NE(r.error().message.find("boolean"), std::string::npos);
}

TEST(Options, ParsesKnownKeys)
{
    auto r = parse_options({{"SwapConfiguration", "b", true}, {"CopyUserTrafficLogs", "b", false}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->swap, std::optional<bool>(true));
    EXPECT_EQ(r->logs, std::optional<bool>(false));
    EXPECT_FALSE(r->license.has_value());
}

TEST(Options, LicenseRefusedWhenTargetLicensedEvenBeforeProbe)
{
    RequestedOptions req;
    req.license = true;
    auto r = resolve_options(req, nullptr, TargetFacts{true});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Code::OptionUnavailable);
    EXPECT_NE(r.error().message.find("already has a license"), std::string::npos);
}

TEST(Options, NotProbedWithoutSource)
{
    auto r = resolve_options(RequestedOptions{}, nullptr, TargetFacts{false});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Code::NotProbed);
}

TEST(Options, LicenseRules)
{
    struct Case {
        bool target_licensed, source_licensed, contract;
        bool available;
        const char* reason_part;
    } cases[] = {
        {false, true, true, true, ""},
        {true, true, true, false, "already has a license"},
        {false, true, false, false, "Maintenance Contract"},
        {false, false, true, false, "no license"},
        {true, false, false, false, "already has a license"},
    };
    for (const auto& c : cases) {
        SourceFacts src{false, c.source_licensed, c.contract};
        auto rules = option_rules(src, TargetFacts{c.target_licensed});
        ASSERT_EQ(rules.size(), 3u);
        EXPECT_EQ(rules[1].key, "MigrateLicense");
        EXPECT_EQ(rules[1].available, c.available);
        EXPECT_NE(rules[1].reason.find(c.reason_part), std::string::npos) << rules[1].reason;
        RequestedOptions req;
        req.license = true;
        auto r = resolve_options(req, &src, TargetFacts{c.target_licensed});
        EXPECT_EQ(r.ok(), c.available);
        if (!r.ok()) {
            EXPECT_EQ(r.error().code, Code::OptionUnavailable);
            EXPECT_EQ(r.error().message, rules[1].reason);
        }
    }
}

TEST(Options, HaForcesSwapWithReason)
{
    auto rules = option_rules(SourceFacts{true, false, false}, TargetFacts{});
    EXPECT_EQ(rules[0].key, "SwapConfiguration");
    EXPECT_TRUE(rules[0].forced);
    EXPECT_TRUE(rules[0].default_value);
    EXPECT_NE(rules[0].reason.find("high availability"), std::string::npos);

    auto standalone = option_rules(SourceFacts{false, false, false}, TargetFacts{});
    EXPECT_FALSE(standalone[0].forced);
    EXPECT_TRUE(standalone[0].reason.empty());
}

TEST(Options, Defaults)
{
    SourceFacts src{false, true, true};
    auto r = resolve_options(RequestedOptions{}, &src, TargetFacts{});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, (Options{false, false, true}));
}
