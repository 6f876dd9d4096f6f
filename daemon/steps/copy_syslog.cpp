// Operation 10: the user-traffic log files. Each file is downloaded into
// "<name>.ferry-part" with HTTP Range resume, verified against the
// source's SHA-256, then renamed into place; the checkpoint lists the
// verified files, so a re-run fetches only the rest, and only the missing
// bytes of a partial file.
#include <filesystem>
#include <set>
#include <sys/stat.h>

#include <fcntl.h>

#include "local/appliance_rules.hpp"
#include "local/digest.hpp"
#include "local/fd.hpp"
#include "steps/steps.hpp"

namespace ferry::steps {
namespace {

namespace fs = std::filesystem;

struct LogFile {
    std::string name;
    uint64_t size = 0;
    std::string sha256;
};

} // namespace

core::Expected<bool> copy_syslog(StepContext& ctx)
{
    auto listed = ctx.peer.get("/logs");
    if (!listed)
        return listed.error();
    std::vector<LogFile> files;
    uint64_t total = 0;
    try {
        for (const auto& f : listed->at("files")) {
            LogFile lf{f.at("name").get<std::string>(), f.at("size").get<uint64_t>(),
                       f.at("sha256").get<std::string>()};
            if (!local::is_visible_file_name(lf.name))
                return core::Error{core::Code::IncompatibleSource,
                                   "The source listed an invalid log file name.", {}};
            total += lf.size;
            files.push_back(std::move(lf));
        }
    } catch (const nlohmann::json::exception&) {
        return core::Error{core::Code::IncompatibleSource, "The source sent a malformed log list.", {}};
    }

    const fs::path dir = ctx.appliance.config().log_dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::set<std::string> verified = ctx.checkpoint.value("verified", std::set<std::string>{});
    uint64_t done = 0;
    for (const auto& f : files)
        if (verified.count(f.name))
            done += f.size;
    ctx.progress(done, total);

    for (const auto& f : files) {
        if (verified.count(f.name))
            continue;
        if (ctx.stopping)
            return stopped_error();
        const fs::path part = dir / (f.name + ".ferry-part");
        // Two tries: a partial file that does not verify is fetched again whole.
        for (int attempt = 0;; ++attempt) {
            uint64_t offset = 0;
            if (struct stat st {}; ::stat(part.c_str(), &st) == 0)
                offset = std::min<uint64_t>(static_cast<uint64_t>(st.st_size), f.size);
            uint64_t base = done + offset;
            if (offset < f.size) {
                auto got = ctx.peer.download("/logs/" + f.name, part.string(), offset,
                                             [&](uint64_t n) {
                                                 base += n;
                                                 ctx.progress(base, total);
                                                 return !ctx.stopping;
                                             });
                if (!got)
                    return ctx.stopping ? stopped_error() : got.error();
            }
            local::Fd fd(::open(part.c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd)
                return core::Error{core::Code::Internal, "Cannot read " + part.string() + ".", {}};
            auto sum = local::sha256_fd(fd.get(), part.string());
            if (!sum)
                return sum.error();
            if (*sum == f.sha256)
                break;
            fs::remove(part, ec);
            if (attempt == 1)
                return core::Error{core::Code::IncompatibleSource,
                                   "The log file " + f.name + " does not match its checksum after two downloads.",
                                   "Check the source's disk; Resume() retries."};
        }
        fs::rename(part, dir / f.name, ec);
        if (ec)
            return core::Error{core::Code::Internal, "Cannot place " + f.name + ": " + ec.message() + ".", {}};
        verified.insert(f.name);
        done += f.size;
        ctx.save_checkpoint({{"verified", verified}});
        ctx.progress(done, total);
    }
    return true;
}

} // namespace ferry::steps
