#include "system/journal_store.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "system/fd.hpp"
#include "system/file_io.hpp"

namespace ferry::local {
namespace {

namespace fs = std::filesystem;

core::Error io_error(const std::string& what, const fs::path& p, int err)
{
    return local::io_error(what, p.string(), err);
}

core::Expected<bool> fsync_dir(const fs::path& dir)
{
    return sync_dir(dir.string());
}

} // namespace

JournalStore::JournalStore(fs::path state_dir) : dir_(std::move(state_dir)) {}

JournalStore::~JournalStore()
{
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
        on_written_ = nullptr;
    }
    queued_cv_.notify_all();
    if (writer_.joinable())
        writer_.join();
}

core::Expected<bool> JournalStore::prepare()
{
    if (::mkdir(dir_.c_str(), 0700) < 0 && errno != EEXIST)
        return io_error("Cannot create", dir_, errno);
    if (::chmod(dir_.c_str(), 0700) < 0)
        return io_error("Cannot chmod", dir_, errno);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec))
        if (entry.path().filename().string().rfind(kTempPrefix, 0) == 0)
            fs::remove(entry.path(), ec);
    return true;
}

core::Expected<std::optional<core::JobRecord>> JournalStore::load() const
{
    std::ifstream in(journal_path(), std::ios::binary);
    if (!in) {
        if (errno == ENOENT || !fs::exists(journal_path()))
            return std::optional<core::JobRecord>{};
        return io_error("Cannot read", journal_path(), errno);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    auto job = core::parse_job(ss.str());
    if (!job)
        return job.error();
    return std::optional<core::JobRecord>{std::move(job.value())};
}

core::Expected<bool> JournalStore::save(const core::JobRecord& job)
{
    return wait(save_async(job));
}

uint64_t JournalStore::save_async(const core::JobRecord& job)
{
    Pending p{0, core::serialize_job(job), !core::is_finished(job.state), job.id};
    uint64_t ticket;
    {
        std::lock_guard lock(mutex_);
        ticket = p.ticket = ++queued_;
        pending_ = std::move(p); // a save not yet started is superseded
        if (!writer_.joinable())
            writer_ = std::thread([this] { run_writer(); });
    }
    queued_cv_.notify_one();
    return ticket;
}

core::Expected<bool> JournalStore::wait(uint64_t ticket, const std::atomic<bool>* stop) const
{
    std::unique_lock lock(mutex_);
    while (finished_ < ticket) {
        if (stop && *stop)
            return core::Error{
                core::Code::Internal, "ferryd stopped before the job journal was written.", {}};
        written_cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
    if (on_disk_ >= ticket)
        return true;
    return last_error_ ? *last_error_
                       : core::Error{core::Code::Internal, "Cannot write the job journal.", {}};
}

uint64_t JournalStore::queued_ticket() const
{
    std::lock_guard lock(mutex_);
    return queued_;
}

uint64_t JournalStore::finished_ticket() const
{
    std::lock_guard lock(mutex_);
    return finished_;
}

void JournalStore::set_on_written(std::function<void()> f)
{
    // callback_mutex_ first: a call under way on the writer thread returns
    // before the callback is replaced, so whatever the old one captured
    // (the Engine, at its destruction) may be freed once this returns.
    std::lock_guard calling(callback_mutex_);
    std::lock_guard lock(mutex_);
    on_written_ = std::move(f);
}

void JournalStore::run_writer()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        queued_cv_.wait(lock, [this] { return pending_ || quit_; });
        if (!pending_)
            return; // quit_, nothing left to write
        Pending p = std::move(*pending_);
        pending_.reset();
        lock.unlock();
        auto r = write(p);
        lock.lock();
        finished_ = p.ticket;
        if (r)
            on_disk_ = p.ticket;
        else
            last_error_ = r.error();
        written_cv_.notify_all();
        lock.unlock();
        {
            // Held while the callback runs: set_on_written() waits for it.
            // The callback is read again under it, as it may have been
            // cleared since the write finished.
            std::lock_guard calling(callback_mutex_);
            std::function<void()> cb;
            {
                std::lock_guard again(mutex_);
                cb = on_written_;
            }
            if (cb)
                cb();
        }
        lock.lock();
    }
}

core::Expected<bool> JournalStore::write(const Pending& p)
{
    // The journal first, then the marker: a crash in between leaves a job
    // that ferryd finds on its next (activated) start either way.
    if (auto r = write_file_atomic(journal_path(), p.text); !r)
        return r;
    return sync_marker(p.active, p.id);
}

core::Expected<bool> JournalStore::sync_marker(const core::JobRecord& job)
{
    return sync_marker(!core::is_finished(job.state), job.id);
}

core::Expected<bool> JournalStore::sync_marker(bool active, const std::string& id)
{
    if (active && !fs::exists(marker_path()))
        return write_file_atomic(marker_path(), id + "\n");
    if (!active && ::unlink(marker_path().c_str()) == 0)
        return fsync_dir(dir_);
    return true;
}

core::Expected<bool> JournalStore::remove()
{
    // After the saves queued before: none of them may bring the journal back.
    if (const uint64_t t = queued_ticket())
        (void)wait(t);
    ::unlink(marker_path().c_str());
    if (::unlink(journal_path().c_str()) < 0 && errno != ENOENT)
        return io_error("Cannot remove", journal_path(), errno);
    return fsync_dir(dir_);
}

} // namespace ferry::local
