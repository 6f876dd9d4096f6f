#include "source/download_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "system/digest.hpp"

namespace ferry::source {

FileWriter::FileWriter(int fd, int direct_fd, uint64_t offset, local::Sha256* hash)
    : fd_(fd), direct_fd_(direct_fd), position_(offset), written_back_(offset), hash_(hash)
{
    for (size_t i = 0; i < kBuffers; ++i)
        if (void* p = std::aligned_alloc(kAlign, kBlock))
            free_.push_back(Buffer{static_cast<char*>(p), 0});
    if (free_.empty()) {
        error_ = ENOMEM;
        return;
    }
    current_ = free_.back();
    free_.pop_back();
    thread_ = std::thread([this] { run(); });
}

FileWriter::~FileWriter()
{
    finish_thread();
    std::free(current_.data);
    for (auto& b : free_)
        std::free(b.data);
    for (auto& b : full_)
        std::free(b.data);
}

// Receiving thread. False after a write error (error()).
bool FileWriter::append(const char* data, size_t len)
{
    if (!current_.data)
        return false;
    while (len > 0) {
        const size_t n = std::min(len, kBlock - current_.used);
        std::memcpy(current_.data + current_.used, data, n);
        current_.used += n;
        data += n;
        len -= n;
        if (current_.used == kBlock && !submit())
            return false;
    }
    return error() == 0;
}

// Writes what is left, waits for the writer, and makes it durable.
// Also after an aborted transfer: what arrived is kept for a resume.
core::Expected<bool> FileWriter::finish(const std::string& file)
{
    if (current_.data && current_.used > 0)
        submit();
    finish_thread();
    if (error_ == 0 && ::fdatasync(fd_) < 0)
        error_ = errno;
    if (error_ != 0)
        return core::Error{core::Code::Internal,
                           "Cannot write " + file + ": " + std::strerror(error_) + ".",
                           "Check free space on this system."};
    return true;
}

int FileWriter::error()
{
    std::lock_guard lock(mutex_);
    return error_;
}

bool FileWriter::submit()
{
    std::unique_lock lock(mutex_);
    full_.push_back(current_);
    current_ = Buffer{};
    cv_.notify_all();
    cv_.wait(lock, [this] { return !free_.empty() || error_ != 0 || !running_; });
    if (free_.empty())
        return false;
    current_ = free_.back();
    free_.pop_back();
    return error_ == 0;
}

void FileWriter::finish_thread()
{
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void FileWriter::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait(lock, [this] { return !full_.empty() || quit_; });
        if (full_.empty())
            break;
        Buffer b = full_.front();
        full_.pop_front();
        const bool ok = error_ == 0;
        lock.unlock();
        const int err = ok ? write(b) : 0;
        lock.lock();
        if (err != 0 && error_ == 0)
            error_ = err;
        b.used = 0;
        free_.push_back(b);
        cv_.notify_all();
    }
    running_ = false;
    cv_.notify_all();
}

// Writer thread: hash, then write at position_; 0 or an errno.
int FileWriter::write(const Buffer& b)
{
    if (hash_ && !hash_->update(b.data, b.used))
        return EIO;
    size_t done = 0;
    while (done < b.used) {
        const size_t left = b.used - done;
        const size_t aligned = left & ~(kAlign - 1);
        const bool direct = direct_fd_ >= 0 && aligned > 0 && position_ % kAlign == 0;
        const ssize_t w = ::pwrite(direct ? direct_fd_ : fd_, b.data + done,
                                   direct ? aligned : left, static_cast<off_t>(position_));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (direct && errno == EINVAL) { // O_DIRECT refused after all
                direct_fd_ = -1;
                continue;
            }
            return errno;
        }
        done += static_cast<size_t>(w);
        position_ += static_cast<uint64_t>(w);
        if (!direct)
            buffered_ = true;
    }
    if (buffered_ && position_ - written_back_ >= kWritebackBlock) {
        // Starts the write-back of what went through the page cache.
        ::sync_file_range(fd_, static_cast<off_t>(written_back_),
                          static_cast<off_t>(position_ - written_back_), SYNC_FILE_RANGE_WRITE);
        written_back_ = position_;
    }
    return 0;
}

} // namespace ferry::source
