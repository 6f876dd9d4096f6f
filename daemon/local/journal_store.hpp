// The job journal on disk: one JSON file in the state directory, replaced
// atomically (write temp, fsync, rename, fsync the directory) so that a
// kill -9 or power cut at any instant leaves either the old or the new
// journal, never a torn one. A marker file exists while the job is
// unfinished; ferryd-resume.path starts ferryd at boot on it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

#include "core/expected.hpp"
#include "core/job.hpp"

namespace ferry::local {

class JournalStore {
  public:
    explicit JournalStore(std::filesystem::path state_dir);

    // Creates the state directory (0700) if needed; removes temp files left
    // by an interrupted write.
    core::Expected<bool> prepare();

    // nullopt when there is no job; JournalCorrupt when unreadable.
    core::Expected<std::optional<core::JobRecord>> load() const;

    // Atomic replace; also creates/removes the marker by the job's state.
    core::Expected<bool> save(const core::JobRecord& job);

    // The marker exists exactly while the job is unfinished (a crash
    // between journal and marker writes can leave either state behind).
    core::Expected<bool> sync_marker(const core::JobRecord& job);

    // Acknowledge: the journal and the marker go.
    core::Expected<bool> remove();

    std::filesystem::path journal_path() const { return dir_ / "job.json"; }
    std::filesystem::path marker_path() const { return dir_ / "job-active"; }
    const std::filesystem::path& dir() const { return dir_; }

  private:
    std::filesystem::path dir_;
};

// Writes `content` to `path` atomically (temp in the same directory, fsync,
// rename, fsync of the directory) with the given mode.
core::Expected<bool> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                                       mode_t mode = 0600);

} // namespace ferry::local
