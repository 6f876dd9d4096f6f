// The user-traffic logs copied while the source still serves (issue 18).
//
// pre-copy-data, after the data: every file the source lists is downloaded
// into "<name>.ferry-pre" in the log directory, resumed after a crash from
// what is there. Nothing is verified here (the source is still writing its
// logs); the checkpoint's "logs" records the names listed ("names", so a
// file half copied is found again) and those complete ("files").
//
// Operation 10, under maintenance, first turns those copies into its part
// files (core::plan_log_adoption decides which copy serves which file it
// lists now: the same name grown, or a rotated one), removes the rest, and
// then runs as before: it downloads only the missing bytes and verifies
// every file whole against the source's digest. A wrong guess costs a
// download, never a wrong file.
//
// The copies live in a directory an unprivileged user owns: every access
// goes through its descriptor, never follows a link, and a copy that is
// not a regular file of ours with one link is not used (local/part_file.hpp).
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <sys/stat.h>

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "core/log_precopy.hpp"
#include "local/part_file.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {
namespace {

constexpr uint64_t kResumeAlign = 4096; // the download writes with O_DIRECT from there
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

std::string copy_name(const std::string& file)
{
    return file + std::string(core::kLogPreCopySuffix);
}

const nlohmann::json& logs_checkpoint(const core::JobRecord& job)
{
    static const nlohmann::json none = nlohmann::json::object();
    const auto* op = core::find_operation(job, core::OperationId::PreCopyData);
    if (!op || !op->checkpoint.is_object())
        return none;
    auto it = op->checkpoint.find("logs");
    return it != op->checkpoint.end() && it->is_object() ? *it : none;
}

std::set<std::string> names_in(const nlohmann::json& logs, const char* key)
{
    std::set<std::string> out;
    auto it = logs.find(key);
    if (it != logs.end() && it->is_array())
        for (const auto& n : *it)
            if (n.is_string() && local::is_safe_peer_file_name(n.get<std::string>()))
                out.insert(n.get<std::string>());
    return out;
}

// The size of our regular file `name` in `dfd`; nullopt for none, or for
// anything that is not ours (a link, a FIFO, another user's file).
std::optional<uint64_t> own_file_size(int dfd, const std::string& name)
{
    struct stat st {};
    if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
        return std::nullopt;
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != ::geteuid())
        return std::nullopt;
    return static_cast<uint64_t>(st.st_size);
}

} // namespace

bool job_copies_logs(const core::JobRecord& job)
{
    const auto* op = core::find_operation(job, core::OperationId::CopySyslog);
    return op && op->state != core::OpState::Skipped;
}

core::Expected<std::vector<core::LogFileSize>> list_source_logs(StepContext& ctx, uint64_t& total)
{
    auto answer = ctx.peer.get("/logs");
    if (!answer)
        return answer.error();
    auto listed = protocol::LogList::from_json(*answer);
    if (!listed)
        return listed.error();
    std::vector<core::LogFileSize> files;
    total = 0;
    for (auto& f : listed->files) {
        if (!local::is_safe_peer_file_name(f.name))
            return core::Error{core::Code::IncompatibleSource,
                               "The source listed an invalid log file name.",
                               "A log file name must not contain '/', a control character or "
                               "end in .ferry-part or .ferry-pre; check the source's log "
                               "directory."};
        if (__builtin_add_overflow(total, f.size, &total))
            return core::Error{core::Code::IncompatibleSource,
                               "The source sent a malformed log list (the sizes overflow).",
                               {}};
        files.push_back({std::move(f.name), f.size});
    }
    return files;
}

core::Expected<bool> pre_copy_logs(StepContext& ctx, nlohmann::json& cp, uint64_t data_bytes)
{
    nlohmann::json logs = cp.value("logs", nlohmann::json::object());
    if (!job_copies_logs(ctx.job) || logs.value("complete", false))
        return true;
    uint64_t total = 0;
    auto files = list_source_logs(ctx, total);
    if (!files)
        return files.error();
    const std::string dir = ctx.appliance.config().log_dir;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    auto dirfd = local::open_directory(dir);
    if (!dirfd)
        return dirfd.error();
    const int dfd = dirfd->get();

    // Every name ever listed here, so that what is left of any of them is
    // found by operation 10 and by Acknowledge.
    std::set<std::string> names = names_in(logs, "names");
    for (const auto& f : *files)
        names.insert(f.name);
    std::set<std::string> complete = names_in(logs, "files");
    logs["names"] = names;
    cp["logs"] = logs;
    if (auto saved = ctx.save_checkpoint(cp); !saved)
        return saved.error();

    const auto started = std::chrono::steady_clock::now();
    uint64_t done = 0, fetched = 0;
    for (const auto& f : *files)
        if (complete.count(f.name))
            done += f.size;
    for (const auto& f : *files) {
        if (complete.count(f.name))
            continue;
        if (ctx.stopping)
            return stopped_error();
        const std::string name = copy_name(f.name);
        auto opened = local::open_part_file(dfd, name, dir);
        if (!opened)
            return opened.error();
        uint64_t offset = std::min<uint64_t>(opened->size, f.size);
        if (offset < f.size)
            offset -= offset % kResumeAlign;
        if (offset < f.size) {
            uint64_t at = done + offset;
            auto last_post = std::chrono::steady_clock::now();
            auto on_bytes = [&](uint64_t n) {
                at += n;
                const auto now = std::chrono::steady_clock::now();
                if (now - last_post >= kProgressInterval) {
                    last_post = now;
                    ctx.progress(data_bytes + at, data_bytes + total);
                }
                return !ctx.stopping;
            };
            auto size = ctx.peer.download("/logs/" + f.name, opened->fd.get(), dir + "/" + name,
                                          offset, on_bytes);
            if (!size) {
                if (ctx.stopping)
                    return stopped_error();
                // The source rotated or removed it meanwhile, or one
                // request failed: operation 10 fetches this file whole.
                spdlog::warn("Log {}: not copied while the source serves ({}); operation 10 "
                             "downloads it.",
                             f.name, size.error().message);
                ::unlinkat(dfd, name.c_str(), 0);
                continue;
            }
            fetched += *size - offset;
        }
        complete.insert(f.name);
        done += f.size;
        logs["files"] = complete;
        cp["logs"] = logs;
        if (auto saved = ctx.save_checkpoint(cp); !saved)
            return saved.error();
        ctx.progress(data_bytes + done, data_bytes + total);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    logs["complete"] = true;
    logs["seconds"] = seconds;
    logs["bytes"] = fetched;
    cp["logs"] = logs;
    spdlog::info("{} user-traffic log file(s) copied while the source serves ({} bytes "
                 "downloaded in {:.1f} s); operation 10 fetches only what changes until "
                 "maintenance.",
                 complete.size(), fetched, seconds);
    return ctx.save_checkpoint(cp);
}

uint64_t adopt_log_pre_copies(const StepContext& ctx, int dfd,
                              const std::vector<core::LogFileSize>& listed)
{
    const auto names = names_in(logs_checkpoint(ctx.job), "names");
    if (names.empty())
        return 0;
    std::vector<core::LogFileSize> copies;
    for (const auto& n : names)
        if (auto size = own_file_size(dfd, copy_name(n)))
            copies.push_back({n, *size});
    std::set<std::string> started;
    for (const auto& f : listed) {
        struct stat st {};
        if (::fstatat(dfd, (f.name + ".ferry-part").c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
            started.insert(f.name);
    }
    uint64_t adopted = 0;
    for (const auto& a : core::plan_log_adoption(listed, copies, started)) {
        const std::string from = copy_name(a.copy), to = a.file + ".ferry-part";
        // Never over a part file: one that appeared since is a download's.
        if (::renameat2(dfd, from.c_str(), dfd, to.c_str(), RENAME_NOREPLACE) < 0) {
            spdlog::warn("Log {}: its copy made while the source served is not used ({}).", a.file,
                         std::strerror(errno));
            continue;
        }
        for (const auto& c : copies)
            if (c.name == a.copy)
                adopted += c.size;
        if (a.by_digest)
            spdlog::info("Log {}: starts from the copy of {} made while the source served (it "
                         "was rotated); its digest decides.",
                         a.file, a.copy);
    }
    remove_log_pre_copies(dfd, ctx.job);
    return adopted;
}

void remove_log_pre_copies(int dfd, const core::JobRecord& job)
{
    // unlinkat removes the entry itself, whatever it is (never what a link
    // points at).
    for (const auto& n : names_in(logs_checkpoint(job), "names"))
        if (::unlinkat(dfd, copy_name(n).c_str(), 0) < 0 && errno != ENOENT)
            spdlog::warn("Cannot remove the log copy {}: {}", copy_name(n), std::strerror(errno));
}

} // namespace ferry::steps
