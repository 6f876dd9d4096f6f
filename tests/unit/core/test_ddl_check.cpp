// core/ddl_check: what a definition from the source must be before ferryd
// runs it as MariaDB root (issue 14, defect 1).
#include <gtest/gtest.h>

#include "core/ddl_check.hpp"

using ferry::core::check_definition;
using ferry::core::Code;

namespace {

bool accepted(const char* kind, const char* name, const std::string& text)
{
    auto e = check_definition(kind, "hotspot", name, text);
    if (e) {
        EXPECT_EQ(e->code, Code::UnexpectedDefinition);
    }
    return !e;
}

} // namespace

TEST(DdlCheck, WhatShowCreateGives)
{
    // The data set's own objects, as MariaDB 10.11 prints them.
    EXPECT_TRUE(accepted("database", "hotspot",
                         "CREATE DATABASE `hotspot` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE "
                         "utf8mb4_general_ci */"));
    EXPECT_TRUE(accepted(
        "table", "users",
        "CREATE TABLE `users` (\n  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,\n  `note` "
        "varchar(20) DEFAULT 'SELECT ; DATA DIRECTORY' COMMENT 'it''s',\n  PRIMARY KEY (`id`)\n) "
        "ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"));
    EXPECT_TRUE(
        accepted("table", "audit", "CREATE TABLE `audit` (`a` int) ENGINE=Aria PAGE_CHECKSUM=1"));
    EXPECT_TRUE(accepted(
        "sequence", "voucher_batch",
        "CREATE SEQUENCE `voucher_batch` start with 1000 minvalue 1 maxvalue 9223372036854775806 "
        "increment by 1 cache 100 nocycle ENGINE=InnoDB"));
    EXPECT_TRUE(
        accepted("view", "v_open_sessions",
                 "CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW "
                 "`v_open_sessions` AS select `s`.`id` AS `id` from `sessions` `s`"));
    EXPECT_TRUE(accepted(
        "trigger", "users_ai",
        "CREATE DEFINER=`root`@`localhost` TRIGGER `users_ai` AFTER INSERT ON `users` FOR EACH "
        "ROW INSERT INTO audit(user_id) VALUES (NEW.id)"));
    EXPECT_TRUE(accepted(
        "function", "mac_norm",
        "CREATE DEFINER=`root`@`localhost` FUNCTION `mac_norm`(m VARCHAR(17)) RETURNS char(17) "
        "CHARSET ascii COLLATE ascii_general_ci\n    DETERMINISTIC\nRETURN UPPER(m)"));
    EXPECT_TRUE(accepted(
        "procedure", "expire_vouchers",
        "CREATE DEFINER=`root`@`localhost` PROCEDURE `expire_vouchers`(IN d DATE)\n    MODIFIES "
        "SQL DATA\nUPDATE vouchers SET state='expired' WHERE valid_until < d"));
    EXPECT_TRUE(accepted(
        "event", "purge_event_log",
        "CREATE DEFINER=`root`@`localhost` EVENT `purge_event_log` ON SCHEDULE EVERY 1 DAY STARTS "
        "'2026-12-06 00:00:00' ON COMPLETION NOT PRESERVE DISABLE DO DELETE FROM event_log"));
    EXPECT_TRUE(accepted("table", "we`ird", "CREATE TABLE `we``ird` (`a` int)"));
    EXPECT_TRUE(accepted("procedure", "p",
                         "CREATE DEFINER=CURRENT_USER PROCEDURE `hotspot`.`P`() SELECT 1"));
}

TEST(DdlCheck, ForgedDefinitionsAreRefused)
{
    // Another kind of statement, another object, another schema.
    EXPECT_FALSE(accepted("table", "users", "GRANT ALL ON *.* TO 'x'@'%'"));
    EXPECT_FALSE(accepted("table", "users", "CREATE USER 'x'@'%'"));
    EXPECT_FALSE(accepted("table", "users", "/* CREATE TABLE `users` */ DROP DATABASE mysql"));
    EXPECT_FALSE(accepted("table", "users", "CREATE TABLE `mysql`.`users` (`a` int)"));
    EXPECT_FALSE(accepted("table", "users", "CREATE TABLE `other` (`a` int)"));
    EXPECT_FALSE(accepted("table", "users", "CREATE VIEW `users` AS SELECT 1"));
    EXPECT_FALSE(accepted("database", "hotspot", "CREATE DATABASE `mysql`"));
    EXPECT_FALSE(
        accepted("view", "v", "CREATE DEFINER=`root`@`localhost` VIEW `mysql`.`v` AS select 1"));
    EXPECT_FALSE(
        accepted("trigger", "t",
                 "CREATE TRIGGER `t` AFTER INSERT ON `mysql`.`user` FOR EACH ROW SET @a = 1"));
    EXPECT_FALSE(accepted("procedure", "p", "CREATE FUNCTION `p`() RETURNS int RETURN 1"));
    EXPECT_FALSE(
        accepted("event", "e", "CREATE EVENT `other`.`e` ON SCHEDULE EVERY 1 DAY DO SELECT 1"));
    // Tables that reach outside the data directory or the server.
    EXPECT_FALSE(
        accepted("table", "t", "CREATE TABLE `t` (`a` int) ENGINE=MyISAM DATA DIRECTORY='/etc'"));
    EXPECT_FALSE(accepted(
        "table", "t", "CREATE TABLE `t` (`a` int) ENGINE=MyISAM /*!50000 INDEX DIRECTORY='/x' */"));
    EXPECT_FALSE(accepted(
        "table", "t", "CREATE TABLE `t` (`a` int) ENGINE=FEDERATED CONNECTION='mysql://e/x/y'"));
    EXPECT_FALSE(accepted(
        "table", "t",
        "CREATE TABLE `t` (`a` int) ENGINE=CONNECT table_type=CSV file_name='/etc/shadow'"));
    EXPECT_FALSE(accepted("table", "t",
                          "CREATE TABLE `t` (`a` int) ENGINE=MRG_MyISAM UNION=(`mysql`.`user`)"));
    EXPECT_FALSE(accepted("table", "t", "CREATE TABLE `t` SELECT * FROM mysql.global_priv"));
    // Broken text.
    EXPECT_FALSE(accepted("table", "t", "CREATE TABLE `t` (`a` int) COMMENT 'open"));
    EXPECT_FALSE(accepted("table", "t", ""));
}
