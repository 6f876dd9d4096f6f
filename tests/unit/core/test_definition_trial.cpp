// core/definition_trial: the statements that try the source's definitions
// in a scratch schema (issue 19), and the "definitions" pre-flight check.
#include <gtest/gtest.h>

#include "core/definition_trial.hpp"
#include "core/preflight.hpp"

using namespace ferry::core;

namespace {

TrialObject routine(std::string kind, std::string create)
{
    TrialObject o;
    o.kind = std::move(kind);
    o.schema = "hotspot";
    o.name = "p";
    o.create = std::move(create);
    o.sql_mode = "STRICT_TRANS_TABLES";
    return o;
}

} // namespace

TEST(DefinitionTrial, TablesSequencesAndRoutinesAreTriedAsShowCreateWroteThem)
{
    const std::string table =
        "CREATE TABLE `sessions` (\n  `id` int(11) NOT NULL\n) ENGINE=ARCHIVE";
    EXPECT_EQ(trial_statement(routine("table", table), 0), table);
    const std::string seq = "CREATE SEQUENCE `s` start with 1 minvalue 1 maxvalue 9 increment by 1 "
                            "cache 1000 nocycle ENGINE=InnoDB";
    EXPECT_EQ(trial_statement(routine("sequence", seq), 1), seq);
    const std::string proc = "CREATE DEFINER=`admin`@`%` PROCEDURE `p`(IN n INT)\nBEGIN\n"
                             "  SELECT * FROM hotspot.t LIMIT 1 OFFSET n;\nEND";
    EXPECT_EQ(trial_statement(routine("procedure", proc), 2), proc);
    const std::string agg = "CREATE DEFINER=`root`@`localhost` AGGREGATE FUNCTION `f`(x INT) "
                            "RETURNS int(11)\nBEGIN\n  RETURN 1;\nEND";
    EXPECT_EQ(trial_statement(routine("function", agg), 3), agg);
    // A definer with a quote inside, and a name that needs quoting.
    const std::string odd = "CREATE DEFINER=`o``brien`@`10.0.0.%` FUNCTION `a b`() RETURNS int "
                            "RETURN 1";
    EXPECT_EQ(trial_statement(routine("function", odd), 4), odd);
}

TEST(DefinitionTrial, AQualifiedNameIsNotTriedItWouldLeaveTheScratchSchema)
{
    EXPECT_EQ(trial_statement(routine("procedure", "CREATE DEFINER=`root`@`localhost` PROCEDURE "
                                                   "`hotspot`.`p`() SELECT 1"),
                              0),
              std::nullopt);
    EXPECT_EQ(trial_statement(routine("table", "CREATE TABLE hotspot . t (id INT)"), 0),
              std::nullopt);
    // Not what SHOW CREATE writes for the kind.
    EXPECT_EQ(trial_statement(routine("procedure", "CREATE TABLE `p` (id INT)"), 0), std::nullopt);
    EXPECT_EQ(trial_statement(routine("view", "CREATE VIEW `v` AS SELECT 1"), 0), std::nullopt);
    EXPECT_EQ(trial_statement(routine("procedure", "DROP DATABASE hotspot"), 0), std::nullopt);
}

TEST(DefinitionTrial, ATriggerIsRebuiltAroundItsBodyOnTheScratchTableUnderOurName)
{
    TrialObject t;
    t.kind = "trigger";
    t.schema = "hotspot";
    t.name = "sessions_bi";
    t.timing = "BEFORE";
    t.manipulation = "INSERT";
    t.table = "sessions";
    t.body = "SET NEW.row_number = 1";
    EXPECT_EQ(trial_statement(t, 7),
              "CREATE TRIGGER `ferry_trial_7` BEFORE INSERT ON `sessions` FOR EACH ROW SET "
              "NEW.row_number = 1");
    t.table = "odd`name";
    EXPECT_EQ(trial_statement(t, 7),
              "CREATE TRIGGER `ferry_trial_7` BEFORE INSERT ON `odd``name` FOR EACH ROW SET "
              "NEW.row_number = 1");
    t.timing = "INSTEAD OF"; // nothing MariaDB has: not tried
    EXPECT_EQ(trial_statement(t, 7), std::nullopt);
}

TEST(DefinitionTrial, AnEventsBodyIsTriedAsAProcedureSoThatNothingFires)
{
    TrialObject e;
    e.kind = "event";
    e.schema = "hotspot";
    e.name = "purge";
    e.body = "DELETE FROM hotspot.sessions WHERE started < NOW() - INTERVAL 1 YEAR";
    EXPECT_EQ(trial_statement(e, 3), "CREATE PROCEDURE `ferry_trial_3`() DELETE FROM "
                                     "hotspot.sessions WHERE started < NOW() - INTERVAL 1 YEAR");
    e.body.clear();
    EXPECT_EQ(trial_statement(e, 3), std::nullopt);
}

namespace {

std::optional<PreflightCheck> definitions_of(const std::optional<DefinitionTrial>& t)
{
    PreflightInput in;
    in.target_version = "10.11.6-MariaDB-0+deb12u1";
    in.definitions = t;
    for (const auto& c : evaluate_preflight(in))
        if (c.id == "definitions")
            return c;
    return std::nullopt;
}

} // namespace

TEST(DefinitionTrialCheck, NotTriedMeansNoCheck)
{
    EXPECT_FALSE(definitions_of(std::nullopt));
}

TEST(DefinitionTrialCheck, EveryDefinitionTakenIsOk)
{
    DefinitionTrial t;
    t.ran = true;
    t.tried = 14;
    const auto c = definitions_of(t);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->verdict, Verdict::Ok);
    EXPECT_EQ(c->title, "Object definitions");
    EXPECT_NE(c->message.find("MariaDB 10.11.6-MariaDB-0+deb12u1 created each of the source's 14 "),
              std::string::npos)
        << c->message;
}

TEST(DefinitionTrialCheck, ARefusedDefinitionFailsNamingTheObjectAndStartIsRefused)
{
    DefinitionTrial t;
    t.ran = true;
    t.tried = 14;
    t.refused = {{"procedure", "hotspot", "page",
                  "You have an error in your SQL syntax ... near 'OFFSET n'"},
                 {"table", "hotspot", "archived", "Unknown storage engine 'ARCHIVE'"}};
    const auto c = definitions_of(t);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->verdict, Verdict::Failure);
    EXPECT_NE(c->message.find("2 of the source's 14 definitions cannot be created"),
              std::string::npos);
    EXPECT_NE(c->message.find("PROCEDURE hotspot.page (You have an error"), std::string::npos);
    EXPECT_NE(c->message.find("TABLE hotspot.archived (Unknown storage engine 'ARCHIVE')"),
              std::string::npos);
    PreflightInput in;
    in.definitions = t;
    const auto refusal = preflight_refusal({*c});
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->code, Code::PreflightFailed);
    EXPECT_NE(refusal->message.find("Object definitions: 2 of the source's"), std::string::npos);
}

TEST(DefinitionTrialCheck, ATrialThatCouldNotRunOrSkippedObjectsWarns)
{
    DefinitionTrial t;
    t.error = "the source's MariaDB did not answer";
    auto c = definitions_of(t);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->verdict, Verdict::Warning);
    EXPECT_NE(c->message.find("could not be tried"), std::string::npos);
    EXPECT_NE(c->message.find("the source's MariaDB did not answer"), std::string::npos);
    DefinitionTrial s;
    s.ran = true;
    s.tried = 3;
    s.not_tried = {"PROCEDURE hotspot.q (a qualified name)"};
    c = definitions_of(s);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->verdict, Verdict::Warning);
    EXPECT_NE(c->message.find("Not tried: PROCEDURE hotspot.q (a qualified name)."),
              std::string::npos);
}
