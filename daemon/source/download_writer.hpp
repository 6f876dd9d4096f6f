// The download's file writer (PeerClient::download). The receiving thread
// (curl's callback) only copies the bytes into 1 MiB buffers; a writer
// thread hashes each buffer and writes it with O_DIRECT, so that the data
// goes to the disk while the download goes on, without the page cache: no
// copy into it, no write-back left for the final fdatasync, and the two
// threads share the work. Where O_DIRECT is not possible (a file system
// without it, an offset or a tail that is not block-aligned) the bytes are
// written through the page cache and their write-back started every few
// MiB.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/expected.hpp"

namespace ferry::local {
class Sha256;
}

namespace ferry::source {

class FileWriter {
  public:
    static constexpr size_t kBlock = 1u << 20; // one buffer; a multiple of kAlign
    static constexpr size_t kAlign = 4096;     // O_DIRECT alignment (offset, size, memory)
    static constexpr size_t kBuffers = 4;      // in flight at most
    static constexpr uint64_t kWritebackBlock = 8u << 20;

    // Writes to `fd` (through `direct_fd`, opened O_DIRECT, when >= 0) from
    // byte `offset`; `hash`, when given, is fed every byte in order.
    FileWriter(int fd, int direct_fd, uint64_t offset, local::Sha256* hash);
    ~FileWriter();
    FileWriter(const FileWriter&) = delete;
    FileWriter& operator=(const FileWriter&) = delete;

    // Receiving thread. False after a write error (error()).
    bool append(const char* data, size_t len);
    // Writes what is left, waits for the writer, and makes it durable.
    // Also after an aborted transfer: what arrived is kept for a resume.
    core::Expected<bool> finish(const std::string& file);
    int error();

  private:
    struct Buffer {
        char* data = nullptr;
        size_t used = 0;
    };

    bool submit();
    void finish_thread();
    void run();
    // Writer thread: hash, then write at position_; 0 or an errno.
    int write(const Buffer& b);

    const int fd_;
    int direct_fd_;         // writer thread only
    uint64_t position_;     // writer thread only
    uint64_t written_back_; // writer thread only
    bool buffered_ = false; // writer thread only
    local::Sha256* hash_;

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Buffer> full_;
    std::vector<Buffer> free_;
    Buffer current_; // receiving thread only
    int error_ = 0;
    bool quit_ = false;
    bool running_ = true;
    std::thread thread_;
};

} // namespace ferry::source
