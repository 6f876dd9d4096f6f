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
