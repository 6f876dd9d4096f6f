// core/db_objects: the normalisation of definitions, the inventory's JSON
// and the comparison that fails a copy with ObjectMismatch.
#include <gtest/gtest.h>

#include "core/db_objects.hpp"

using namespace ferry::core;

TEST(DbObjects, CanonicalDefinition)
{
    // AUTO_INCREMENT=N is a counter: two servers may differ, the definition not.
    EXPECT_EQ(
        canonical_definition("table", "CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n) "
                                      "ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4"),
        canonical_definition("table", "CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n) "
                                      "ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4"));
    // ... but nothing else of a table.
    EXPECT_NE(canonical_definition("table", "CREATE TABLE `t` (`a` int) ENGINE=InnoDB"),
              canonical_definition("table", "CREATE TABLE `t` (`a` bigint) ENGINE=InnoDB"));
    // utf8 (MariaDB 10.5) and utf8mb3 (10.6+) are one character set.
    EXPECT_EQ(
        canonical_definition("table",
                             "CREATE TABLE `t` (`a` text) DEFAULT CHARSET=utf8 COLLATE=utf8_bin"),
        canonical_definition(
            "table", "CREATE TABLE `t` (`a` text) DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_bin"));
    EXPECT_NE(canonical_definition("table", "CREATE TABLE `t` (`a` text) DEFAULT CHARSET=utf8mb4"),
              canonical_definition("table", "CREATE TABLE `t` (`a` text) DEFAULT CHARSET=utf8"));
    // DEFINER is kept: who a routine runs as is part of it.
    EXPECT_NE(canonical_definition("procedure",
                                   "CREATE DEFINER=`root`@`localhost` PROCEDURE `p`() SELECT 1",
                                   "STRICT"),
              canonical_definition("procedure", "CREATE DEFINER=`app`@`%` PROCEDURE `p`() SELECT 1",
                                   "STRICT"));
    // The sql_mode of a routine and the time zone of an event count.
    EXPECT_NE(canonical_definition("function", "CREATE FUNCTION `f`() RETURNS int RETURN 1",
                                   "ANSI_QUOTES"),
              canonical_definition("function", "CREATE FUNCTION `f`() RETURNS int RETURN 1", ""));
    EXPECT_NE(canonical_definition("event", "CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY DO SELECT 1",
                                   "", "+00:00"),
              canonical_definition("event", "CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY DO SELECT 1",
                                   "", "SYSTEM"));
    // A table and a view of the same text are different objects.
    EXPECT_NE(canonical_definition("table", "x"), canonical_definition("view", "x"));
}

TEST(DbObjects, Json)
{
    const std::string h(64, 'a');
    ObjectInventory in{{"table", "hotspot", "users", h},
                       {"procedure", "hotspot", "expire_vouchers", h}};
    auto back = inventory_from_json(inventory_to_json(in));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, in);
    for (const char* bad :
         {R"([])", R"({"objects": {}})", R"({"objects": [1]})",
          R"({"objects": [{"kind": "grant", "schema": "s", "name": "n", "sha256": ""}]})",
          R"({"objects": [{"kind": "table", "schema": "s", "name": "n", "sha256": "xyz"}]})",
          R"({"objects": [{"kind": "table", "schema": "", "name": "n", "sha256": "xyz"}]})",
          R"({"objects": [{"kind": "table", "schema": "s", "name": 5, "sha256": "xyz"}]})"}) {
        auto r = inventory_from_json(nlohmann::json::parse(bad));
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, Code::IncompatibleSource);
    }
}

TEST(DbObjects, Compare)
{
    const std::string a(64, 'a'), b(64, 'b');
    ObjectInventory src{{"table", "hotspot", "users", a},
                        {"procedure", "hotspot", "expire_vouchers", a},
                        {"function", "hotspot", "mac_norm", a},
                        {"view", "hotspot", "v", a}};
    ObjectInventory dst{{"table", "hotspot", "users", a},
                        {"view", "hotspot", "v", b},
                        {"event", "hotspot", "e", a}};
    EXPECT_TRUE(compare_inventories(src, src).empty());
    auto d = compare_inventories(src, dst);
    ASSERT_EQ(d.size(), 4u);
    const Error e = object_mismatch_error(d);
    EXPECT_EQ(e.code, Code::ObjectMismatch);
    EXPECT_EQ(code_name(e.code), "ObjectMismatch");
    for (const char* named :
         {"procedure hotspot.expire_vouchers (missing)", "function hotspot.mac_norm (missing)",
          "view hotspot.v (different)", "event hotspot.e (not on the source)",
          "2 object(s) missing, 1 different, 1 not on the source"})
        EXPECT_NE(e.message.find(named), std::string::npos) << named << " in " << e.message;
    EXPECT_NE(object_mismatch_error(d, 1).message.find("and 3 more"), std::string::npos);
}
