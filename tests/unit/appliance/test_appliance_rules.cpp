// The reference appliance's pure decisions (appliance/appliance_rules.hpp):
// dates, file names, license facts and release, settings changes, HA
// facts, the migrated record. No files, no network.
#include <gtest/gtest.h>

#include "appliance/appliance_rules.hpp"
#include "core/ini.hpp"

using namespace ferry;

namespace {

core::Ini ini(const std::string& text)
{
    return *core::parse_ini(text);
}

} // namespace

TEST(ApplianceRules, IsoDate)
{
    EXPECT_TRUE(local::is_iso_date("2024-02-29"));
    EXPECT_FALSE(local::is_iso_date("2023-02-29"));
    EXPECT_FALSE(local::is_iso_date("2023-13-01"));
    EXPECT_FALSE(local::is_iso_date("2023-1-01"));
    EXPECT_FALSE(local::is_iso_date("tomorrow"));
    EXPECT_FALSE(local::is_iso_date(""));
}

TEST(ApplianceRules, PlainFileName)
{
    EXPECT_TRUE(local::is_visible_file_name("traffic.log.1"));
    EXPECT_FALSE(local::is_visible_file_name(""));
    EXPECT_FALSE(local::is_visible_file_name("."));
    EXPECT_FALSE(local::is_visible_file_name(".."));
    EXPECT_FALSE(local::is_visible_file_name("../etc/passwd"));
    EXPECT_FALSE(local::is_visible_file_name("a/b"));
    EXPECT_FALSE(local::is_visible_file_name(".hidden"));
    EXPECT_FALSE(local::is_visible_file_name(std::string("a\0b", 3)));
    EXPECT_FALSE(local::is_visible_file_name(std::string(256, 'a')));
}

TEST(ApplianceRules, LicenseFacts)
{
    const auto f = local::license_facts(
        ini("[License]\nGuid=G\nState=active\nContractEnd=2030-01-01\n"), "2030-01-01");
    EXPECT_EQ(f.guid, "G");
    EXPECT_TRUE(f.licensed);
    EXPECT_TRUE(f.contract_active); // the last day counts
    EXPECT_FALSE(local::license_facts(
                     ini("[License]\nGuid=G\nState=active\nContractEnd=2029-12-31\n"), "2030-01-01")
                     .contract_active);
    EXPECT_FALSE(local::license_facts(ini("[License]\nGuid=G\nState=active\n"), "2030-01-01")
                     .contract_active);
    EXPECT_FALSE(
        local::license_facts(ini("[License]\nGuid=G\nState=released\n"), "2030-01-01").licensed);
    EXPECT_FALSE(local::license_facts({}, "2030-01-01").licensed);
}

TEST(ApplianceRules, LicenseRelease)
{
    const auto active = ini("[License]\nGuid=G\nState=active\nContractEnd=2030-06-30\n");
    auto r = local::decide_license_release(active, "192.0.2.2", "2030-01-01");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->changed);
    EXPECT_EQ(core::ini_get(r->source, "License", "State"), "released");
    EXPECT_EQ(core::ini_get(r->source, "License", "ReleasedTo"), "192.0.2.2");
    auto target = ini(r->target_text);
    EXPECT_EQ(core::ini_get(target, "License", "State"), "active");
    EXPECT_EQ(core::ini_get(target, "License", "Guid"), "G");
    EXPECT_EQ(core::ini_get(target, "License", "ReleasedTo", "none"), "none");

    // A retry for the same target: the same content, nothing changes.
    auto again = local::decide_license_release(r->source, "192.0.2.2", "2031-01-01");
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->changed);
    EXPECT_EQ(again->target_text, r->target_text);
    // Another target: refused.
    auto other = local::decide_license_release(r->source, "192.0.2.3", "2030-01-01");
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, core::Code::OptionUnavailable);
    // Expired contract, no license.
    EXPECT_FALSE(local::decide_license_release(active, "192.0.2.2", "2030-07-01").ok());
    EXPECT_FALSE(local::decide_license_release({}, "192.0.2.2", "2030-01-01").ok());
}

TEST(ApplianceRules, SettingsChange)
{
    const core::Sections current{{"a", "1"}, {"b", "2"}, {"c", "3"}};
    const core::Sections wanted{{"a", "1"}, {"b", "x"}, {"d", "4"}};
    auto keep = local::settings_change(current, wanted, false);
    EXPECT_EQ(keep.write, (core::Sections{{"b", "x"}, {"d", "4"}}));
    EXPECT_TRUE(keep.remove.empty());
    auto exact = local::settings_change(current, wanted, true);
    EXPECT_EQ(exact.remove, std::vector<std::string>{"c"});
    EXPECT_TRUE(local::check_section_names({{"ok_1", ""}}) == std::nullopt);
    EXPECT_TRUE(local::check_section_names({{"../x", ""}}).has_value());
}

TEST(ApplianceRules, HaFacts)
{
    const local::Identity self{"hs1", "example.test", "192.0.2.10"};
    auto standalone = local::decide_ha_facts({}, {}, self);
    EXPECT_FALSE(standalone.high_availability);
    EXPECT_EQ(standalone.server_role, "Main");
    EXPECT_TRUE(standalone.dns_advice.empty());
    // Only itself in the ring: still standalone.
    EXPECT_FALSE(local::decide_ha_facts(ini("[Replication]\nRingMembers=192.0.2.10\n"), {}, self)
                     .high_availability);

    auto ha = local::decide_ha_facts(
        ini("[Replication]\nRole=Additional\nRingMembers=192.0.2.10 192.0.2.11 192.0.2.12\n"),
        ini("[LoadBalancing]\nDomain=lb.example.test\n"), self);
    EXPECT_TRUE(ha.high_availability);
    EXPECT_EQ(ha.server_role, "Additional");
    EXPECT_EQ(ha.ring_members.size(), 3u);
    ASSERT_EQ(ha.dns_advice.size(), 3u);
    EXPECT_NE(ha.dns_advice[0].find("example.test at 192.0.2.11"), std::string::npos);
    EXPECT_NE(ha.dns_advice[1].find("192.0.2.10 from the load-balancing domain lb.example.test"),
              std::string::npos);
}

TEST(ApplianceRules, Migrated)
{
    const local::MigratedRecord r{"192.0.2.2", 1700000000000000, true};
    EXPECT_EQ(local::parse_migrated(local::migrated_ini(r)), r);
    EXPECT_EQ(local::parse_migrated(ini("[Migrated]\nTo=x\nAt=1\nSwap=maybe\n")), std::nullopt);
}
