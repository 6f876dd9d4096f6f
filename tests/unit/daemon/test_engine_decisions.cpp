// The engine's resume and acknowledge decisions (issue 16), on a real
// Engine with its journal in a scratch state directory. The source is a
// TEST DOUBLE behind the SourceClient interface (it is never asked: no
// decision below probes); the few requests a failed job's clean-up sends
// go to a port on 127.0.0.1 where nothing listens, which is what the
// best-effort clean-up must survive. The real peer is covered by the
// integration suites. The main loop is a queue this test runs.
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>

#include "core/job.hpp"
#include "engine.hpp"

using namespace ferry;

namespace {

class NoSource final : public source::SourceClient {
  public:
    core::Expected<source::ProbeSession> probe(const core::Address&, const std::string&,
                                               std::chrono::milliseconds,
                                               const std::string&) override
    {
        ++probes;
        return core::Error{core::Code::Unreachable, "test double", {}};
    }
    int probes = 0;
};

// The loop: tasks posted from any thread, run by the test's thread.
class Loop {
  public:
    Engine::Post post()
    {
        return [this](std::function<void()> f) {
            std::lock_guard lk(mu_);
            tasks_.push_back(std::move(f));
            cv_.notify_all();
        };
    }
    // Runs tasks until `done` is true; bounded.
    bool run_until(const bool& done, std::chrono::seconds limit = std::chrono::seconds(20))
    {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        std::unique_lock lk(mu_);
        while (!done) {
            if (!cv_.wait_until(lk, deadline, [&] { return !tasks_.empty(); }))
                return false;
            auto f = std::move(tasks_.front());
            tasks_.pop_front();
            lk.unlock();
            f();
            lk.lock();
        }
        return true;
    }
    std::size_t pending()
    {
        std::lock_guard lk(mu_);
        return tasks_.size();
    }
    // Runs what is queued now (not what those tasks queue).
    void run_pending()
    {
        std::deque<std::function<void()>> now;
        {
            std::lock_guard lk(mu_);
            now.swap(tasks_);
        }
        for (auto& f : now)
            f();
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> tasks_;
};

constexpr uint16_t kClosedPort = 1; // nothing listens on 127.0.0.1:1

class EngineDecisions : public ::testing::Test {
  protected:
    void SetUp() override
    {
        dir_ = std::filesystem::temp_directory_path() /
               ("ferry-engine-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_ / "settings");
        config_.settings_dir = (dir_ / "settings").string();
        config_.license_file = (dir_ / "license.conf").string();
        config_.certificate_dir = (dir_ / "certs").string();
        config_.log_dir = (dir_ / "logs").string();
        config_.peer_port = kClosedPort;
        config_.probe_timeout_sec = 1;
    }
    void TearDown() override
    {
        engine_.reset();
        appliance_.reset();
        journal_.reset();
        std::filesystem::remove_all(dir_);
    }

    // A job in the journal (high availability or not), in `state`, with
    // the operations up to `done_until` done.
    core::JobRecord job(bool ha, core::JobState state, core::OperationId done_until)
    {
        core::PlanInput in;
        in.options = core::Options{ha, false, false};
        in.high_availability = ha;
        core::SourceIdentity src;
        src.address = src.current_address = "127.0.0.1";
        src.high_availability = ha;
        src.certificate_sha256 = "sha256//AAAA";
        auto j = core::new_job("0123456789abcdef", in.options, core::build_plan(in), src,
                               core::TargetIdentity{"127.0.0.2", "target"}, "boot-a", 1000);
        for (auto& op : j.operations) {
            if (op.state == core::OpState::Skipped)
                continue;
            if (static_cast<int>(op.id) > static_cast<int>(done_until))
                break;
            core::set_operation_state(j, op.id, core::OpState::Done, 2000);
        }
        if (state == core::JobState::Failed)
            core::fail_job(j, core::OperationId::CopySettings,
                           core::Error{core::Code::Unreachable, "gone", "retry"}, 3000);
        else if (state == core::JobState::Succeeded)
            core::succeed_job(j, 3000);
        return j;
    }

    Engine& start(const std::optional<core::JobRecord>& on_disk, uint32_t max_restarts = 5)
    {
        journal_ = std::make_unique<local::JournalStore>(dir_ / "state");
        EXPECT_TRUE(journal_->prepare());
        if (on_disk) {
            EXPECT_TRUE(journal_->save(*on_disk));
        }
        appliance_ = std::make_unique<local::FileAppliance>(config_);
        auto src = std::make_unique<NoSource>();
        source_ = src.get();
        engine_ = std::make_unique<Engine>(*appliance_, *journal_, std::move(src), loop_.post(),
                                           "boot-b", std::chrono::seconds(1), kClosedPort,
                                           max_restarts);
        auto loaded = engine_->load();
        EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().message);
        return *engine_;
    }

    // acknowledge() to its end: the refusal, or the result `done` got.
    core::Expected<bool> acknowledge(bool force)
    {
        bool finished = false;
        core::Expected<bool> result = true;
        auto refused = engine_->acknowledge(force, [&](core::Expected<bool> r) {
            result = std::move(r);
            finished = true;
        });
        if (refused)
            return *refused;
        EXPECT_TRUE(loop_.run_until(finished)) << "acknowledge did not finish";
        return result;
    }

    std::filesystem::path dir_;
    core::ApplianceConfig config_;
    Loop loop_;
    std::unique_ptr<local::JournalStore> journal_;
    std::unique_ptr<local::FileAppliance> appliance_;
    std::unique_ptr<Engine> engine_;
    NoSource* source_ = nullptr;
};

} // namespace

TEST_F(EngineDecisions, WithoutAJobBothAreRefused)
{
    auto& e = start(std::nullopt);
    EXPECT_EQ(e.state(), "idle");
    EXPECT_EQ(acknowledge(false).error().code, core::Code::NoJob);
    EXPECT_EQ(e.resume().error().code, core::Code::NoJob);
}

TEST_F(EngineDecisions, ASucceededJobIsNotResumedAndIsForgotten)
{
    auto& e = start(job(false, core::JobState::Succeeded, core::OperationId::Final));
    EXPECT_EQ(e.state(), "finished");
    EXPECT_EQ(e.resume().error().code, core::Code::NotFailed);
    auto r = acknowledge(false);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(e.state(), "idle");
    EXPECT_FALSE(journal_->load().value().has_value()) << "the journal is gone";
    EXPECT_EQ(source_->probes, 0);
}

TEST_F(EngineDecisions, ARunningJobIsNotAcknowledgedAndResumesAtStart)
{
    auto& e = start(job(false, core::JobState::Running, core::OperationId::CopySettings));
    // Found unfinished at start: resumed in this boot, attempt 2; its next
    // operation is queued on the loop (not run here: it would need the source).
    EXPECT_EQ(e.state(), "running");
    ASSERT_NE(e.job(), nullptr);
    EXPECT_EQ(e.job()->attempt, 2u);
    EXPECT_EQ(e.job()->events.back().type, "resumed");
    EXPECT_GE(loop_.pending(), 1u);
    EXPECT_EQ(acknowledge(false).error().code, core::Code::NotFinished);
    EXPECT_EQ(e.resume().error().code, core::Code::NotFailed);
}

TEST_F(EngineDecisions, ACrashLoopFailsTheJobInsteadOfResumingIt)
{
    auto j = job(false, core::JobState::Running, core::OperationId::CopySettings);
    j.restarts_without_progress = 2;
    auto& e = start(j, 2);
    EXPECT_EQ(e.state(), "finished");
    ASSERT_TRUE(e.job()->error);
    EXPECT_EQ(e.job()->error->code, core::Code::RestartLimit);
    // What the start queued runs no operation.
    loop_.run_pending();
    EXPECT_EQ(e.state(), "finished");
    for (const auto& op : e.job()->operations)
        EXPECT_NE(op.state, core::OpState::Running) << core::operation_key(op.id);
    // A person may still retry it.
    ASSERT_TRUE(e.resume());
    EXPECT_EQ(e.state(), "running");
    EXPECT_EQ(e.job()->restarts_without_progress, 0u);
}

TEST_F(EngineDecisions, AFailedHaJobOutOfTheRingNeedsForce)
{
    // Operation 3 done (the source left the ring), operation 7 not joined.
    auto& e = start(job(true, core::JobState::Failed, core::OperationId::DeactivateReplica));
    ASSERT_TRUE(core::source_out_of_ring(*e.job()));
    EXPECT_EQ(acknowledge(false).error().code, core::Code::SourceOutOfRing);
    EXPECT_EQ(e.state(), "finished") << "refused: nothing forgotten";
    // Forced: the source's clean-up is best effort (nothing answers on
    // 127.0.0.1:1), and the job is forgotten.
    auto r = acknowledge(true);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(e.state(), "idle");
}

TEST_F(EngineDecisions, AFailedJobIsResumedOnce)
{
    auto& e = start(job(false, core::JobState::Failed, core::OperationId::CopySettings));
    EXPECT_EQ(e.state(), "finished");
    ASSERT_TRUE(e.resume());
    EXPECT_EQ(e.state(), "running");
    EXPECT_EQ(e.job()->attempt, 2u);
    EXPECT_EQ(e.resume().error().code, core::Code::NotFailed);
    EXPECT_EQ(acknowledge(false).error().code, core::Code::NotFinished);
}
