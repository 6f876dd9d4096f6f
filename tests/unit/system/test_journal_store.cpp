// The journal on a real file system: atomic replace, marker file, modes.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sys/stat.h>
#include <thread>

#include "system/journal_store.hpp"

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
        core::PlanInput in{core::Options{false, false, true}, false, 10, 10, 10, {}, {}};
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

TEST_F(JournalStoreTest, AsyncSavesAreWrittenInOrderOnTheWriterThread)
{
    local::JournalStore store(dir_);
    ASSERT_TRUE(store.prepare().ok());
    std::atomic<int> callbacks{0};
    const auto caller = std::this_thread::get_id();
    std::atomic<bool> other_thread{true};
    store.set_on_written([&] {
        if (std::this_thread::get_id() == caller)
            other_thread = false;
        ++callbacks;
    });
    auto j = job();
    uint64_t last = 0;
    for (uint64_t i = 1; i <= 50; ++i) {
        j.attempt = static_cast<uint32_t>(i);
        const uint64_t t = store.save_async(j);
        EXPECT_EQ(t, last + 1); // tickets increase by one
        last = t;
    }
    EXPECT_EQ(store.queued_ticket(), last);
    ASSERT_TRUE(store.wait(last).ok());
    EXPECT_GE(store.finished_ticket(), last);
    EXPECT_TRUE(store.wait(1).ok()) << "an older save is covered by a newer one";
    // The journal holds the last save (older queued ones may be skipped).
    auto loaded = store.load();
    ASSERT_TRUE(loaded.ok() && loaded->has_value());
    EXPECT_EQ((*loaded)->attempt, 50u);
    EXPECT_TRUE(fs::exists(store.marker_path()));
    EXPECT_GE(callbacks.load(), 1);
    EXPECT_LE(callbacks.load(), 50);
    EXPECT_TRUE(other_thread.load());
    store.set_on_written(nullptr);

    // remove() comes after the queued saves: none of them brings it back.
    core::succeed_job(j, 7);
    store.save_async(j);
    ASSERT_TRUE(store.remove().ok());
    EXPECT_FALSE(fs::exists(store.journal_path()));
    EXPECT_FALSE(fs::exists(store.marker_path()));
}

TEST_F(JournalStoreTest, DestructorWritesWhatIsQueued)
{
    auto j = job();
    j.attempt = 42;
    {
        local::JournalStore store(dir_);
        ASSERT_TRUE(store.prepare().ok());
        store.save_async(j);
    }
    local::JournalStore again(dir_);
    auto loaded = again.load();
    ASSERT_TRUE(loaded.ok() && loaded->has_value());
    EXPECT_EQ((*loaded)->attempt, 42u);
}

TEST_F(JournalStoreTest, WaitGivesUpWhenStopping)
{
    local::JournalStore store(dir_);
    ASSERT_TRUE(store.prepare().ok());
    std::atomic<bool> stop{true};
    // Ticket 5 is never queued: only `stop` ends the wait.
    EXPECT_FALSE(store.wait(5, &stop).ok());
}

// The owner of the callback (the Engine) clears it in its destructor and is
// then freed: a call already under way on the writer thread must have
// returned by then (CI's ASan run found the Engine used after free).
TEST_F(JournalStoreTest, ClearingTheCallbackWaitsForACallUnderWay)
{
    local::JournalStore store(dir_);
    ASSERT_TRUE(store.prepare().ok());
    std::mutex m;
    std::condition_variable cv;
    bool entered = false;
    std::atomic<bool> returned{false};
    store.set_on_written([&] {
        {
            std::lock_guard lk(m);
            entered = true;
        }
        cv.notify_all();
        // Long enough for the clearing below to overtake an unguarded call.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        returned = true;
    });
    store.save_async(job());
    {
        std::unique_lock lk(m);
        ASSERT_TRUE(cv.wait_for(lk, std::chrono::seconds(10), [&] { return entered; }));
    }
    store.set_on_written(nullptr);
    EXPECT_TRUE(returned.load()) << "set_on_written(nullptr) returned while the callback ran";
}
