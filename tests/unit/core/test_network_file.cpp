// The .network file written at boot from the appliance's network settings
// (core/network_file.*, ferry-peer --apply-network). The boot itself is
// covered by tests/containers/swap.sh; here: every key and every refusal.
#include <gtest/gtest.h>

#include "core/network_file.hpp"

using namespace ferry::core;

TEST(NetworkFile, Ipv4WithDefaults)
{
    auto f = network_file_from_settings("[Network]\nAddress=192.0.2.10\n");
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->address, "192.0.2.10");
    EXPECT_EQ(f->prefix, 24);
    EXPECT_EQ(f->host_name, "");
    EXPECT_NE(f->text.find("[Match]\nType=ether\n"), std::string::npos);
    EXPECT_NE(f->text.find("\nAddress=192.0.2.10/24\n"), std::string::npos);
    EXPECT_EQ(f->text.find("Gateway="), std::string::npos);
    EXPECT_NE(f->text.find("LinkLocalAddressing=no\nIPv6AcceptRA=no\n"), std::string::npos);
}

TEST(NetworkFile, AllKeys)
{
    auto f = network_file_from_settings(
        "[Network]\nAddress=10.1.2.3\nPrefixLength=16\nGateway=10.1.0.1\nHostName=hotspot-b\n");
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->prefix, 16);
    EXPECT_EQ(f->host_name, "hotspot-b");
    EXPECT_NE(f->text.find("\nAddress=10.1.2.3/16\nGateway=10.1.0.1\n"), std::string::npos);
}

TEST(NetworkFile, Ipv6DefaultsTo64AndCanonicalText)
{
    auto f = network_file_from_settings("[Network]\nAddress=2001:DB8:0:0::7\nGateway=2001:db8::1\n");
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->prefix, 64);
    EXPECT_NE(f->text.find("\nAddress=" + f->address + "/64\n"), std::string::npos);
    EXPECT_EQ(f->address.find_first_of("ABCDEF"), std::string::npos) << f->address;
    EXPECT_NE(f->text.find("\nGateway=2001:db8::1\n"), std::string::npos);
}

TEST(NetworkFile, PrefixBounds)
{
    EXPECT_TRUE(network_file_from_settings("[Network]\nAddress=192.0.2.1\nPrefixLength=32\n"));
    EXPECT_TRUE(network_file_from_settings("[Network]\nAddress=2001:db8::1\nPrefixLength=128\n"));
    for (const char* p : {"0", "33", "-1", "abc", "1000", "24x", " "}) {
        auto f = network_file_from_settings(std::string("[Network]\nAddress=192.0.2.1\nPrefixLength=") + p + "\n");
        ASSERT_FALSE(f) << p;
        EXPECT_EQ(f.error().code, Code::InvalidArgument);
        EXPECT_NE(f.error().message.find("PrefixLength"), std::string::npos) << f.error().message;
    }
    EXPECT_FALSE(network_file_from_settings("[Network]\nAddress=2001:db8::1\nPrefixLength=129\n"));
}

TEST(NetworkFile, Refusals)
{
    struct Case {
        const char* settings;
        const char* names; // what the message must name
    } cases[] = {
        {"[Network]\nHostName=x\n", "Address"},
        {"[Network]\nAddress=\n", "Address"},
        {"[Network]\nAddress=192.0.2.300\n", "Address"},
        {"[Network]\nAddress=hotspot.example\n", "Address"},
        {"[Other]\nAddress=192.0.2.1\n", "Address"},
        {"[Network]\nAddress=192.0.2.1\nGateway=2001:db8::1\n", "Gateway"},
        {"[Network]\nAddress=2001:db8::1\nGateway=192.0.2.1\n", "Gateway"},
        {"[Network]\nAddress=192.0.2.1\nGateway=router\n", "Gateway"},
        {"[Network\nAddress=192.0.2.1\n", "malformed"},
    };
    for (const auto& c : cases) {
        auto f = network_file_from_settings(c.settings);
        ASSERT_FALSE(f) << c.settings;
        EXPECT_EQ(f.error().code, Code::InvalidArgument) << c.settings;
        EXPECT_NE(f.error().message.find(c.names), std::string::npos) << f.error().message;
        EXPECT_FALSE(f.error().remedy.empty());
    }
}

// Issue 14 defect 12: HostName= from the source reached sethostname(2)
// unchecked.
TEST(NetworkFile, HostNameChecked)
{
    for (const char* good : {"hs", "hs-target", "a.example.test", "A1", "x123-4.y",
                             "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij"})
        EXPECT_EQ(is_valid_host_name(good), std::string_view(good).size() <= 64) << good;
    const std::string label63(63, 'a');
    EXPECT_TRUE(is_valid_host_name(label63));
    EXPECT_FALSE(is_valid_host_name(label63 + "a")); // a label over 63
    for (const char* bad : {"", ".", "..", "../x", "a/b", "-a", "a-", "a..b", "a.", ".a", "a b",
                            "a_b", "a\nb", "h\xc3\xa9", "a.-b", "a;reboot"})
        EXPECT_FALSE(is_valid_host_name(bad)) << bad;
    EXPECT_FALSE(is_valid_host_name(std::string(65, 'a')));
    EXPECT_FALSE(is_valid_host_name(std::string("a\0b", 3)));

    auto f = network_file_from_settings("[Network]\nAddress=192.0.2.1\nHostName=evil\x1b[2Jname\n");
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, Code::InvalidArgument);
    EXPECT_NE(f.error().message.find("HostName"), std::string::npos) << f.error().message;
    EXPECT_EQ(f.error().message.find('\x1b'), std::string::npos) << "the hostile value is not echoed";
    auto ok = network_file_from_settings("[Network]\nAddress=192.0.2.1\nHostName=hs-target\n");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->host_name, "hs-target");
    auto none = host_name_of("[Network]\nAddress=192.0.2.1\n");
    ASSERT_TRUE(none);
    EXPECT_EQ(*none, "");
}
