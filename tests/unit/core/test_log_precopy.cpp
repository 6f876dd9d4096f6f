// Which pre-copy each user-traffic log of operation 10 starts from.
#include <gtest/gtest.h>

#include "core/log_precopy.hpp"

using namespace ferry::core;

namespace {

std::string show(const std::vector<LogAdoption>& a)
{
    std::string s;
    for (const auto& x : a)
        s += x.copy + "->" + x.file + (x.by_digest ? "(digest)" : "") + ";";
    return s;
}

} // namespace

TEST(LogPreCopy, AGrownOrUnchangedFileResumesFromItsOwnCopy)
{
    auto a = plan_log_adoption({{"a.log", 150}, {"b.log", 100}}, {{"a.log", 100}, {"b.log", 100}});
    EXPECT_EQ(show(a), "a.log->a.log;b.log->b.log;");
    // A file that did not rotate but has a rotated copy's size keeps its own.
    a = plan_log_adoption({{"a.log", 100}, {"a.log.1", 100}}, {{"a.log", 100}});
    EXPECT_EQ(show(a), "a.log->a.log;");
}

TEST(LogPreCopy, ARotationFollowsTheCopyToItsNewNameByDigest)
{
    // a.log was rotated to a.log.1 (unchanged since), a new a.log began.
    auto a = plan_log_adoption({{"a.log", 10}, {"a.log.1", 100}}, {{"a.log", 100}});
    EXPECT_EQ(show(a), "a.log->a.log.1(digest);");
}

TEST(LogPreCopy, AChainOfRotationsMovesEveryCopyOneName)
{
    // a.log.1 -> a.log.2 and a.log -> a.log.1 at the same rotation.
    auto a = plan_log_adoption({{"a.log", 5}, {"a.log.1", 100}, {"a.log.2", 80}},
                               {{"a.log", 100}, {"a.log.1", 80}});
    // a.log.1's own copy (80) would fit as a prefix of the new a.log.1
    // (100): the rotation of a.log onto that name tells it moved on.
    EXPECT_EQ(show(a), "a.log->a.log.1(digest);a.log.1->a.log.2(digest);");
}

TEST(LogPreCopy, ACopyWhoseFileStillHasItsSizeIsNotTakenByAnother)
{
    // b.log has a's size by chance; a.log is still there and as long.
    auto a = plan_log_adoption({{"a.log", 100}, {"b.log", 100}}, {{"a.log", 100}});
    EXPECT_EQ(show(a), "a.log->a.log;");
}

TEST(LogPreCopy, GoneAndNewFilesAndEmptyOnesTakeNoCopy)
{
    auto a = plan_log_adoption({{"new.log", 7}, {"empty.log", 0}}, {{"gone.log", 3}, {"x", 0}});
    EXPECT_EQ(show(a), "");
    EXPECT_TRUE(plan_log_adoption({}, {{"a", 1}}).empty());
    EXPECT_TRUE(plan_log_adoption({{"a", 1}}, {}).empty());
}

TEST(LogPreCopy, EachCopyServesOneFile)
{
    // Two new files of the rotated copy's size: the first listed is tried.
    auto a = plan_log_adoption({{"a.log.1", 100}, {"b.log.1", 100}}, {{"a.log", 100}});
    EXPECT_EQ(show(a), "a.log->a.log.1(digest);");
}

TEST(LogPreCopy, AFileWithADownloadUnderWayTakesNoCopyAndFreesItsOwn)
{
    // Operation 10 resumed after a crash in the middle of the moves: a.log.1
    // has its part file (a.log's copy went there), a.log.1's copy remains.
    auto a = plan_log_adoption({{"a.log", 5}, {"a.log.1", 100}, {"a.log.2", 80}}, {{"a.log.1", 80}},
                               {"a.log.1"});
    EXPECT_EQ(show(a), "a.log.1->a.log.2(digest);");
}
