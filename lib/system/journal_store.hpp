// The job journal on disk: one JSON file in the state directory, replaced
// atomically (write temp, fsync, rename, fsync the directory) so that a
// kill -9 or power cut at any instant leaves either the old or the new
// journal, never a torn one. A marker file exists while the job is
// unfinished; ferryd-resume.path starts ferryd at boot on it.
//
// The writes happen on a writer thread of the store, so that ferryd's main
// loop (which answers D-Bus property reads) never waits for a disk:
// save_async() serializes the job on the caller's thread and returns a
// ticket at once; wait() blocks until that save is on disk. Saves are
// written in order; a queued save that a newer one replaces before its
// turn is skipped, the newer one holding everything it had.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>

#include "core/expected.hpp"
#include "core/job.hpp"
#include "system/file_io.hpp" // write_file_atomic, used with the store

namespace ferry::local {

class JournalStore {
  public:
    explicit JournalStore(std::filesystem::path state_dir);
    // Writes what is still queued, then stops the writer.
    ~JournalStore();
    JournalStore(const JournalStore&) = delete;
    JournalStore& operator=(const JournalStore&) = delete;

    // Creates the state directory (0700) if needed; removes temp files left
    // by an interrupted write.
    core::Expected<bool> prepare();

    // nullopt when there is no job; JournalCorrupt when unreadable.
    core::Expected<std::optional<core::JobRecord>> load() const;

    // Atomic replace; also creates/removes the marker by the job's state.
    // Returns once it is on disk (save_async() + wait()).
    core::Expected<bool> save(const core::JobRecord& job);

    // The same without waiting: the ticket of the save (increasing from 1).
    uint64_t save_async(const core::JobRecord& job);
    // Waits until save `ticket` (or a newer one) has been written: true
    // when it is on disk, else the write's error. With `stop`: gives up
    // when it becomes true (checked every 100 ms), with an error.
    core::Expected<bool> wait(uint64_t ticket, const std::atomic<bool>* stop = nullptr) const;
    // The ticket of the last save queued, and of the last one finished
    // (written or failed); 0 for none.
    uint64_t queued_ticket() const;
    uint64_t finished_ticket() const;
    // Called on the writer thread after each write (e.g. to post work to
    // the main loop); nullptr to stop. Waits for a call under way, so the
    // old callback is not used once this returns. Not to be called from
    // the callback itself.
    void set_on_written(std::function<void()> f);

    // The marker exists exactly while the job is unfinished (a crash
    // between journal and marker writes can leave either state behind).
    core::Expected<bool> sync_marker(const core::JobRecord& job);

    // Acknowledge: the journal and the marker go (after any queued save).
    core::Expected<bool> remove();

    std::filesystem::path journal_path() const { return dir_ / "job.json"; }
    std::filesystem::path marker_path() const { return dir_ / "job-active"; }
    const std::filesystem::path& dir() const { return dir_; }

  private:
    struct Pending {
        uint64_t ticket = 0;
        std::string text;
        bool active = false;
        std::string id;
    };
    core::Expected<bool> write(const Pending& p);
    core::Expected<bool> sync_marker(bool active, const std::string& id);
    void run_writer();

    std::filesystem::path dir_;

    mutable std::mutex mutex_;
    std::mutex callback_mutex_; // held while on_written_ runs; taken before mutex_
    mutable std::condition_variable written_cv_;
    std::condition_variable queued_cv_;
    std::optional<Pending> pending_;
    uint64_t queued_ = 0;   // last ticket handed out
    uint64_t finished_ = 0; // last ticket written or failed
    uint64_t on_disk_ = 0;  // last ticket written
    std::optional<core::Error> last_error_;
    std::function<void()> on_written_;
    bool quit_ = false;
    std::thread writer_;
};

} // namespace ferry::local
