// The statements of the temporary replica (source/catch_up_replica.hpp)
// that can be checked without a server: the filter pattern and CHANGE
// MASTER. The replica itself runs against real servers in the
// integration suite migration-pre-copy.
#include <gtest/gtest.h>

#include "source/catch_up_replica.hpp"

using namespace ferry::source;

TEST(CatchUpReplica, TheFilterNamesEachSchemaLiterally)
{
    EXPECT_EQ(wild_do_table({"hotspot"}), "hotspot.%");
    EXPECT_EQ(wild_do_table({"hotspot", "radius"}), "hotspot.%,radius.%");
    // % and _ are wildcards in the pattern: escaped, they match themselves.
    EXPECT_EQ(wild_do_table({"my_db"}), "my\\_db.%");
    EXPECT_EQ(wild_do_table({"a%b"}), "a\\%b.%");
}

TEST(CatchUpReplica, ChangeMasterPinsTheCertificateAndFollowsGtid)
{
    CatchUpSetup s;
    s.host = "192.0.2.10";
    s.port = 3306;
    s.user = "ferry_0123456789abcdef";
    s.password = "it's";
    s.ca_file = "/run/ferry/source-mariadb.pem";
    const auto sql = change_master_statement(s);
    EXPECT_EQ(sql.rfind("CHANGE MASTER 'ferry_catch_up' TO ", 0), 0u) << sql;
    EXPECT_NE(sql.find("MASTER_HOST='192.0.2.10'"), std::string::npos);
    EXPECT_NE(sql.find("MASTER_PASSWORD='it\\'s'"), std::string::npos) << sql;
    EXPECT_NE(sql.find("MASTER_SSL=1"), std::string::npos);
    EXPECT_NE(sql.find("MASTER_SSL_CA='/run/ferry/source-mariadb.pem'"), std::string::npos);
    EXPECT_NE(sql.find("MASTER_USE_GTID=slave_pos"), std::string::npos);
}

TEST(CatchUpReplica, TheRestorePointSurvivesTheJournal)
{
    CatchUpRestore r{"0-1-77", 5};
    const auto back = CatchUpRestore::from_json(r.to_json());
    EXPECT_EQ(back.gtid_slave_pos, "0-1-77");
    EXPECT_EQ(back.server_id, 5u);
    // Nothing recorded: nothing to put back but an empty position.
    EXPECT_EQ(CatchUpRestore::from_json(nullptr).server_id, 0u);
}
