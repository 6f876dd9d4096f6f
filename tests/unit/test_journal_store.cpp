// The journal on a real file system: atomic replace, marker file, modes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "local/journal_store.hpp"

using namespace ferry;
namespace fs = std::filesystem;

namespace {

class JournalStoreTest : public ::testing::Test {
  protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/ferry-journal-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root_ = tmpl;
        dir_ = root_ / "state";
    }
    void TearDown() override { fs::remove_all(root_); }

    core::JobRecord job()
    {
        core::PlanInput in{core::Options{false, false, true}, false, 10, 10, 10, {}};
        return core::new_job("abc123", in.options, core::build_plan(in),
                             core::SourceIdentity{"192.0.2.1", "192.0.2.1", "a", "b", "c", "d",
                                                  false, 10, 10, "", {}, "", {}, "", "", ""},
                             core::TargetIdentity{"192.0.2.2", "t"}, "boot", 1);
    }

    fs::path root_, dir_;
};

mode_t mode_of(const fs::path& p)
{
    struct stat st {};
    EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

} // namespace

TEST_F(JournalStoreTest, EmptyDirectoryHasNoJob)
{
    local::JournalStore store(dir_);
    ASSERT_TRUE(store.prepare().ok());
    EXPECT_EQ(mode_of(dir_), 0700u);
    auto loaded = store.load();
    ASSERT_TRUE(loaded.ok());
    EXPECT_FALSE(loaded->has_value());
}

TEST_F(JournalStoreTest, SaveLoadMarkerAndModes)
{
    local::JournalStore store(dir_);
    ASSERT_TRUE(store.prepare().ok());
    auto j = job();
    ASSERT_TRUE(store.save(j).ok());
    EXPECT_EQ(mode_of(store.journal_path()), 0600u);
    EXPECT_TRUE(fs::exists(store.marker_path()));
    EXPECT_EQ(mode_of(store.marker_path()), 0600u);
    auto loaded = store.load();
    ASSERT_TRUE(loaded.ok());
    ASSERT_TRUE(loaded->has_value());
    EXPECT_EQ(core::serialize_job(**loaded), core::serialize_job(j));

    core::succeed_job(j, 5);
    ASSERT_TRUE(store.save(j).ok());
    EXPECT_FALSE(fs::exists(store.marker_path())) << "a finished job must not trigger a resume";

    ASSERT_TRUE(store.remove().ok());
    EXPECT_FALSE(fs::exists(store.journal_path()));
    EXPECT_FALSE((*store.load()).has_value());
}

TEST_F(JournalStoreTest, LeftoverTempFilesAreRemovedAndIgnored)
{
    local::JournalStore store(dir_);
    ASSERT_TRUE(store.prepare().ok());
    ASSERT_TRUE(store.save(job()).ok());
    std::ofstream(dir_ / ".tmp-job.json.XXXXXX") << "{ torn";
    ASSERT_TRUE(store.prepare().ok());
    EXPECT_FALSE(fs::exists(dir_ / ".tmp-job.json.XXXXXX"));
    EXPECT_TRUE(store.load().ok());
}

TEST_F(JournalStoreTest, CorruptJournalIsANamedError)
{
    local::JournalStore store(dir_);
    ASSERT_TRUE(store.prepare().ok());
    std::ofstream(store.journal_path()) << "{\"version\": 1";
    auto loaded = store.load();
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, core::Code::JournalCorrupt);
}

TEST_F(JournalStoreTest, WriteFailureLeavesOldJournal)
{
    local::JournalStore store(dir_);
    ASSERT_TRUE(store.prepare().ok());
    auto j = job();
    ASSERT_TRUE(store.save(j).ok());
    const auto before = core::serialize_job(j);
    if (geteuid() == 0)
        GTEST_SKIP() << "root ignores directory permissions; the kill -9 test covers atomicity";
    chmod(dir_.c_str(), 0500);
    core::succeed_job(j, 9);
    EXPECT_FALSE(store.save(j).ok());
    chmod(dir_.c_str(), 0700);
    EXPECT_EQ(core::serialize_job(**store.load()), before);
}
