#include <gtest/gtest.h>

#include "core/address.hpp"
#include "core/source_info.hpp"

using namespace ferry::core;

TEST(Address, AcceptsUnicastLiterals)
{
    EXPECT_EQ(parse_address("192.0.2.10")->text, "192.0.2.10");
    EXPECT_EQ(parse_address("127.0.0.2")->text, "127.0.0.2");
    auto v6 = parse_address("2001:DB8::0:1");
    ASSERT_TRUE(v6.ok());
    EXPECT_TRUE(v6->ipv6);
    EXPECT_EQ(v6->text, "2001:db8::1");
}

TEST(Address, RefusesWithNamedError)
{
    for (auto bad : {"", "0.0.0.0", "255.255.255.255", "224.0.0.1", "::", "ff02::1",
                     "example.com", "192.0.2.300", "192.0.2.1:443", " 192.0.2.1", "1.2.3"}) {
        auto r = parse_address(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code, Code::InvalidArgument) << bad;
        EXPECT_FALSE(r.error().message.empty());
    }
    auto longone = parse_address(std::string(5000, '1'));
    ASSERT_FALSE(longone.ok());
    EXPECT_LT(longone.error().message.size(), 300u); // never echoes an oversize input
}

TEST(Address, ClosedPortsAreNamed)
{
    std::vector<PortCheck> ports{{80, "HTTP", true, ""},
                                 {443, "HTTPS", false, "connection refused"},
                                 {3306, "MariaDB", false, "no answer within 5 s"}};
    auto e = closed_ports_error("192.0.2.10", ports);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, Code::Unreachable);
    EXPECT_NE(e->message.find("443 (HTTPS: connection refused)"), std::string::npos) << e->message;
    EXPECT_NE(e->message.find("3306 (MariaDB"), std::string::npos);
    EXPECT_EQ(e->message.find("80 ("), std::string::npos);
    ports[1].open = ports[2].open = true;
    EXPECT_FALSE(closed_ports_error("192.0.2.10", ports));
}
