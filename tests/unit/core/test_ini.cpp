#include <gtest/gtest.h>

#include "core/config.hpp"
#include "core/ini.hpp"

using namespace ferry::core;

TEST(Ini, ParsesSectionsKeysComments)
{
    auto r = parse_ini("# comment\n[Network]\nHostName = hs1\n; other\nAddress=192.0.2.1\n\n[License]\nState=active\n");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(ini_get(*r, "Network", "HostName"), "hs1");
    EXPECT_EQ(ini_get(*r, "Network", "Address"), "192.0.2.1");
    EXPECT_EQ(ini_get(*r, "License", "State"), "active");
    EXPECT_EQ(ini_get(*r, "License", "Guid", "none"), "none");
}

TEST(Ini, MalformedLinesAreNamed)
{
    auto r = parse_ini("[A]\nok=1\nbroken line\n");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("Line 3"), std::string::npos);
    EXPECT_FALSE(parse_ini("key=outside\n").ok());
    EXPECT_FALSE(parse_ini("[unterminated\n").ok());
    // Found by tests/fuzz: "[ ]" was a section "" that format_ini wrote as
    // "[]", which does not parse.
    auto empty = parse_ini("[ ]\nA=b\n");
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().message.find("empty section name"), std::string::npos);
}

TEST(Ini, FormatRoundTrips)
{
    Ini ini{{"A", {{"k", "v"}, {"x", "y z"}}}, {"B", {{"q", ""}}}};
    auto back = parse_ini(format_ini(ini));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, ini);
}

TEST(Config, DefaultsAndOverrides)
{
    auto c = parse_config(*parse_ini("[Appliance]\nSettingsDirectory=/srv/a/settings\n"
                                     "Databases=hotspot radius\n[Migration]\nProbeTimeoutSec=9\n"));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->settings_dir, "/srv/a/settings");
    EXPECT_EQ(c->databases, (std::vector<std::string>{"hotspot", "radius"}));
    EXPECT_EQ(c->probe_timeout_sec, 9u);
    EXPECT_EQ(c->log_dir, "/var/log/hotspot");
}

TEST(Config, RefusesTyposAndRelativePaths)
{
    EXPECT_FALSE(parse_config(*parse_ini("[Appliance]\nSettingsDir=/x\n")).ok());
    EXPECT_FALSE(parse_config(*parse_ini("[Appliance]\nLogDirectory=relative\n")).ok());
    EXPECT_FALSE(parse_config(*parse_ini("[Nope]\nA=1\n")).ok());
    EXPECT_FALSE(parse_config(*parse_ini("[Migration]\nProbeTimeoutSec=0\n")).ok());
}

TEST(Config, DataReadTimeout)
{
    EXPECT_EQ(parse_config(*parse_ini("")).value().data_read_timeout_sec, 900u);
    auto c = parse_config(*parse_ini("[Migration]\nDataReadTimeoutSec=6\n"));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->data_read_timeout_sec, 6u);
    EXPECT_FALSE(parse_config(*parse_ini("[Migration]\nDataReadTimeoutSec=0\n")).ok());
    EXPECT_FALSE(parse_config(*parse_ini("[Migration]\nDataReadTimeoutSec=86401\n")).ok());
    EXPECT_FALSE(parse_config(*parse_ini("[Migration]\nDataReadTimeoutSec=6s\n")).ok());
}

TEST(Config, CopyWhileServing)
{
    const auto defaults = parse_config(*parse_ini("")).value();
    EXPECT_TRUE(defaults.copy_while_serving);
    EXPECT_EQ(defaults.catch_up_timeout_sec, 300u);
    for (const char* no : {"no", "false", "0", "off"})
        EXPECT_FALSE(
            parse_config(*parse_ini(std::string("[Migration]\nCopyWhileServing=") + no + "\n"))
                .value()
                .copy_while_serving)
            << no;
    EXPECT_TRUE(
        parse_config(*parse_ini("[Migration]\nCopyWhileServing=yes\n")).value().copy_while_serving);
    EXPECT_FALSE(parse_config(*parse_ini("[Migration]\nCopyWhileServing=maybe\n")).ok());
    EXPECT_EQ(parse_config(*parse_ini("[Migration]\nCatchUpTimeoutSec=30\n"))
                  .value()
                  .catch_up_timeout_sec,
              30u);
    EXPECT_FALSE(parse_config(*parse_ini("[Migration]\nCatchUpTimeoutSec=0\n")).ok());
}

TEST(Config, SourceRebootTimeout)
{
    EXPECT_EQ(parse_config(*parse_ini("")).value().source_reboot_timeout_sec, 900u);
    auto c = parse_config(*parse_ini("[Migration]\nSourceRebootTimeoutSec=20\n"));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->source_reboot_timeout_sec, 20u);
    EXPECT_FALSE(parse_config(*parse_ini("[Migration]\nSourceRebootTimeoutSec=0\n")).ok());
    EXPECT_FALSE(parse_config(*parse_ini("[Migration]\nSourceRebootTimeoutSec=86401\n")).ok());
    EXPECT_FALSE(parse_config(*parse_ini("[Migration]\nSourceRebootTimeoutSec=15m\n")).ok());
}
