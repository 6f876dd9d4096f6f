// The ring arithmetic and the statements the target runs to take the
// source's place (core/ring.*).
#include <gtest/gtest.h>

#include "core/ring.hpp"

using namespace ferry::core;

TEST(Gtid, ParsesAndFormats)
{
    auto l = parse_gtid_list("1-11-5,2-12-7, 3-13-0");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->size(), 3u);
    EXPECT_EQ(l->at(2), (GtidPos{12, 7}));
    EXPECT_EQ(format_gtid_list(*l), "1-11-5,2-12-7,3-13-0");
    EXPECT_TRUE(parse_gtid_list("")->empty());
    for (const char* bad : {"1-2", "a-1-1", "1-1-1,1-2-2", "1--1-1", "1-1-1,", "-1-1-1", "1-1-99999999999999999999"})
        EXPECT_FALSE(parse_gtid_list(bad)) << bad;
}

TEST(Gtid, Reached)
{
    const auto have = *parse_gtid_list("1-11-5,2-12-7");
    EXPECT_TRUE(gtid_reached(have, *parse_gtid_list("1-11-5")));
    EXPECT_TRUE(gtid_reached(have, *parse_gtid_list("1-11-4,2-12-7")));
    EXPECT_FALSE(gtid_reached(have, *parse_gtid_list("1-11-6")));
    EXPECT_FALSE(gtid_reached(have, *parse_gtid_list("3-13-1")));
    EXPECT_TRUE(gtid_reached(have, {}));
}

namespace {
ReplicaFreeze freeze()
{
    ReplicaFreeze f;
    f.master_host = "192.0.2.1";
    f.master_port = 3306;
    f.using_gtid = "Slave_Pos";
    f.gtid_binlog_state = "1-11-40,2-12-9,3-13-20";
    f.gtid_binlog_pos = "1-11-40,2-12-9,3-13-20";
    f.gtid_slave_pos = "1-11-40,3-13-20";
    f.gtid_current_pos = "1-11-40,2-12-9,3-13-20";
    f.server_id = 12;
    f.gtid_domain_id = 2;
    f.downstream = {"192.0.2.3"};
    return f;
}
} // namespace

TEST(ReplicaFreeze, JsonRoundTripAndValidation)
{
    auto back = ReplicaFreeze::from_json(freeze().to_json());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->to_json(), freeze().to_json());
    auto j = freeze().to_json();
    j["gtid_binlog_state"] = "1-x-1";
    EXPECT_EQ(ReplicaFreeze::from_json(j).error().code, Code::IncompatibleSource);
    j = freeze().to_json();
    j["master_host"] = "a.example";
    EXPECT_FALSE(ReplicaFreeze::from_json(j));
    j = freeze().to_json();
    j["using_gtid"] = "No";
    EXPECT_FALSE(ReplicaFreeze::from_json(j));
    j = freeze().to_json();
    j.erase("downstream");
    EXPECT_FALSE(ReplicaFreeze::from_json(j));
}

TEST(RingJoin, StatementsTakeTheSourcesPlace)
{
    auto s = ring_join_statements(freeze(), {"repl", "pa'ss"}, 2);
    ASSERT_TRUE(s);
    auto index = [&](const std::string& prefix) {
        for (std::size_t i = 0; i < s->size(); ++i)
            if ((*s)[i].rfind(prefix, 0) == 0)
                return static_cast<long>(i);
        return -1L;
    };
    EXPECT_EQ(s->front(), "STOP ALL SLAVES");
    EXPECT_EQ(s->back(), "START SLAVE");
    // The source's identity in the ring.
    EXPECT_GE(index("SET GLOBAL server_id = 12"), 0);
    EXPECT_GE(index("SET GLOBAL gtid_domain_id = 2"), 0);
    // The binary log is emptied before its state is set (MariaDB allows
    // gtid_binlog_state only on an empty binary log), and to the source's.
    EXPECT_LT(index("RESET MASTER"), index("SET GLOBAL gtid_binlog_state = '1-11-40,2-12-9,3-13-20'"));
    // The replica continues from everything the source had seen.
    EXPECT_GE(index("SET GLOBAL gtid_slave_pos = '1-11-40,2-12-9,3-13-20'"), 0);
    EXPECT_LT(index("SET GLOBAL gtid_slave_pos"), index("CHANGE MASTER TO"));
    const std::string& cm = (*s)[static_cast<std::size_t>(index("CHANGE MASTER TO"))];
    EXPECT_NE(cm.find("MASTER_HOST='192.0.2.1'"), std::string::npos);
    EXPECT_NE(cm.find("MASTER_USE_GTID=slave_pos"), std::string::npos);
    EXPECT_NE(cm.find("MASTER_PASSWORD='pa\\'ss'"), std::string::npos) << cm;
    EXPECT_NE(cm.find("MASTER_CONNECT_RETRY=2"), std::string::npos);
    EXPECT_GE(index("CREATE USER IF NOT EXISTS 'repl'@'%'"), 0);

    auto cur = freeze();
    cur.using_gtid = "Current_Pos";
    EXPECT_NE(ring_join_statements(cur, {"repl", "x"}, 1)->at(10).find("current_pos"), std::string::npos);
    EXPECT_EQ(ring_join_statements(freeze(), {"", "x"}, 1).error().code, Code::InvalidArgument);
}

TEST(RingJoin, RevertAdvice)
{
    auto a = dns_revert_advice("hs.example.test", "192.0.2.2", "lb.example.test");
    ASSERT_EQ(a.size(), 3u);
    EXPECT_NE(a[0].find("hs.example.test back at 192.0.2.2"), std::string::npos);
    EXPECT_NE(a[1].find("192.0.2.2 back to the load-balancing domain lb.example.test"), std::string::npos);
    EXPECT_TRUE(dns_revert_advice("", "192.0.2.2", "").empty());
}
