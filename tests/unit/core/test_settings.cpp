#include <gtest/gtest.h>

#include "core/settings.hpp"

using namespace ferry::core;

namespace {
Sections source_sections()
{
    return {{"network", "src-net"},     {"dns", "src-dns"},           {"webserver", "src-web"},
            {"round_robin", "src-rr"},  {"load_balancing", "src-lb"}, {"remote_exchange", "src-rx"},
            {"ftp_backup", "src-ftp"},  {"general", "src-general"},   {"portal", "src-portal"},
            {"auth", "src-auth"},       {"smtp", "src-smtp"},         {"time", "src-time"}};
}
Sections target_sections()
{
    return {{"network", "tgt-net"},    {"dns", "tgt-dns"},         {"webserver", "tgt-web"},
            {"round_robin", "tgt-rr"}, {"load_balancing", "tgt-lb"}, {"remote_exchange", "tgt-rx"},
            {"ftp_backup", "tgt-ftp"}, {"general", "tgt-general"}, {"local_only", "tgt-local"}};
}
} // namespace

TEST(Settings, SevenExcludedGroups)
{
    EXPECT_EQ(kExcludedSections.size(), 7u);
    for (auto s : {"network", "dns", "webserver", "round_robin", "load_balancing",
                   "remote_exchange", "ftp_backup"})
        EXPECT_TRUE(is_excluded_section(s)) << s;
    for (auto s : {"general", "portal", "auth", "smtp", "time"})
        EXPECT_FALSE(is_excluded_section(s)) << s;
}

TEST(Settings, BasicCopyKeepsExcludedAndTakesBasic)
{
    auto out = partition_settings(source_sections(), target_sections(), false);
    EXPECT_FALSE(out.source_staged.has_value());
    for (auto s : kExcludedSections)
        EXPECT_EQ(out.target.at(std::string(s)), "tgt-" + std::string(
            s == "network" ? "net" : s == "dns" ? "dns" : s == "webserver" ? "web" :
            s == "round_robin" ? "rr" : s == "load_balancing" ? "lb" :
            s == "remote_exchange" ? "rx" : "ftp")) << s;
    EXPECT_EQ(out.target.at("general"), "src-general");
    EXPECT_EQ(out.target.at("portal"), "src-portal");
    EXPECT_EQ(out.target.at("time"), "src-time");
    EXPECT_EQ(out.target.at("local_only"), "tgt-local");
}

TEST(Settings, SwapExchanges)
{
    auto out = partition_settings(source_sections(), target_sections(), true);
    EXPECT_EQ(out.target, source_sections());
    ASSERT_TRUE(out.source_staged.has_value());
    EXPECT_EQ(*out.source_staged, target_sections());
}

TEST(Settings, SectionNames)
{
    EXPECT_TRUE(is_valid_section_name("load_balancing"));
    EXPECT_FALSE(is_valid_section_name(""));
    EXPECT_FALSE(is_valid_section_name("../etc"));
    EXPECT_FALSE(is_valid_section_name("Network"));
    EXPECT_FALSE(is_valid_section_name(std::string(65, 'a')));
}
