// journal-stress: the writer and the checker of the kill -9 test
// (journal-kill.sh).
//
//   journal-stress DIR [--counter FILE]
//       Loops forever over jobs built like ferryd builds them
//       (core::build_plan + core::new_job): walks their operations through
//       running / done (sometimes failed, then resumed), grows the running
//       operation's checkpoint in steps up to ~100 KB, appends events, and
//       saves after every change with local::JournalStore::save. Every save
//       is stamped with a generation number g: the last event is
//       {"type": "stress", "data": {"gen": g, "op": OP, "pad": L}} and the
//       checkpoint of operation OP is {"gen": g, "pad": <L bytes derived
//       from g>}, so a checker can tell one whole save from a mixture of
//       two. On start it continues from the journal it finds (an unfinished
//       job is resumed, as ferryd does). Prints nothing; with --counter it
//       writes the last saved generation to FILE. It only stops when killed.
//
//   journal-stress --check DIR
//       What ferryd does at start: JournalStore::prepare() (removes the
//       temporary files of an interrupted write) and JournalStore::load()
//       (the real parser). Then checks that no temporary file is left and,
//       for a journal written by the writer above, that it is one whole
//       save. Prints one line:
//         absent temps=K
//         ok id=ID state=STATE gen=G bytes=B temps=K marker=yes|no
//       where K is the number of temporary files found (and removed).
//       Exit 0: no journal, or a readable and consistent one; 1: the parser
//       rejects it; 2: it parses but is not one whole save; 3: temporary
//       files are left; 64: usage.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "core/job.hpp"
#include "core/plan.hpp"
#include "system/journal_store.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace ferry;

constexpr std::size_t kMaxPad = 100 * 1024;
constexpr const char* kStressEvent = "stress";
constexpr const char* kIdPrefix = "stress";

uint64_t now_usec()
{
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

// The checkpoint padding of generation g: L printable bytes that depend on
// g, so that a checkpoint from one save next to an event of another shows.
std::string pad_for(uint64_t gen, std::size_t len)
{
    std::string s(len, ' ');
    for (std::size_t i = 0; i < len; ++i)
        s[i] = static_cast<char>('a' + (gen * 7 + i) % 26);
    return s;
}

std::size_t count_temps(const fs::path& dir)
{
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename().string().rfind(".tmp-", 0) == 0)
            ++n;
    return n;
}

// The generation of a writer-made record, or an explanation of why the
// record is not one whole save. Records not made by the writer: gen 0.
struct Stamp {
    uint64_t gen = 0;
    std::string problem; // empty: consistent
};

Stamp read_stamp(const core::JobRecord& job)
{
    Stamp st;
    if (job.id.rfind(kIdPrefix, 0) != 0)
        return st;
    if (job.events.empty()) {
        st.problem = "no events";
        return st;
    }
    for (std::size_t i = 1; i < job.events.size(); ++i)
        if (job.events[i].sequence <= job.events[i - 1].sequence) {
            st.problem = "event sequences not increasing";
            return st;
        }
    if (job.events.back().sequence + 1 != job.next_sequence) {
        st.problem = "next_sequence does not follow the last event";
        return st;
    }
    const auto& last = job.events.back();
    if (last.type != kStressEvent) {
        st.problem = "the last event is '" + last.type + "', not the stamp of a save";
        return st;
    }
    try {
        st.gen = last.data.at("gen").get<uint64_t>();
        const auto key = last.data.at("op").get<std::string>();
        const auto len = last.data.at("pad").get<std::size_t>();
        const auto id = core::operation_from_key(key);
        if (!id) {
            st.problem = "the stamp names an unknown operation";
            return st;
        }
        const auto& cp = job.operations[static_cast<std::size_t>(*id)].checkpoint;
        if (cp.at("gen").get<uint64_t>() != st.gen)
            st.problem = "checkpoint of " + key + " is from generation " +
                         std::to_string(cp.at("gen").get<uint64_t>()) + ", the stamp from " +
                         std::to_string(st.gen);
        else if (cp.at("pad").get<std::string>() != pad_for(st.gen, len))
            st.problem = "checkpoint padding of " + key + " does not match its generation";
    } catch (const json::exception& e) {
        st.problem = std::string("stamp unreadable: ") + e.what();
    }
    return st;
}

int check(const fs::path& dir)
{
    const std::size_t temps = count_temps(dir);
    local::JournalStore store(dir);
    if (auto r = store.prepare(); !r) {
        std::printf("error %s\n", r.error().message.c_str());
        return 1;
    }
    if (const std::size_t left = count_temps(dir); left != 0) {
        std::printf("temps-left %zu of %zu\n", left, temps);
        return 3;
    }
    auto loaded = store.load();
    if (!loaded) {
        std::printf("corrupt %s\n", loaded.error().message.c_str());
        return 1;
    }
    if (!*loaded) {
        std::printf("absent temps=%zu\n", temps);
        return 0;
    }
    const auto& job = **loaded;
    const Stamp st = read_stamp(job);
    if (!st.problem.empty()) {
        std::printf("inconsistent id=%s: %s\n", job.id.c_str(), st.problem.c_str());
        return 2;
    }
    std::error_code ec;
    const auto bytes = fs::file_size(store.journal_path(), ec);
    std::printf("ok id=%s state=%s gen=%llu bytes=%llu temps=%zu marker=%s\n", job.id.c_str(),
                std::string(core::job_state_name(job.state)).c_str(),
                static_cast<unsigned long long>(st.gen), static_cast<unsigned long long>(bytes),
                temps, fs::exists(store.marker_path()) ? "yes" : "no");
    return 0;
}

class Writer {
  public:
    Writer(const fs::path& dir, std::string counter)
        : store_(dir), counter_(std::move(counter)), rng_(std::random_device{}())
    {
    }

    int run()
    {
        if (auto r = store_.prepare(); !r)
            return fail(r.error().message);
        auto loaded = store_.load();
        if (!loaded)
            return fail(loaded.error().message);
        if (*loaded) {
            job_ = std::move(**loaded);
            const Stamp st = read_stamp(*job_);
            if (!st.problem.empty())
                return fail("inconsistent journal at start: " + st.problem);
            gen_ = st.gen;
            if (!core::is_finished(job_->state))
                core::resume_job(*job_, "stress-boot", now_usec());
        }
        if (!counter_.empty()) {
            counter_fd_ = ::open(counter_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (counter_fd_ < 0)
                return fail("cannot open " + counter_ + ": " + std::strerror(errno));
        }
        for (;;)
            if (!step())
                return 1;
    }

  private:
    int fail(const std::string& why)
    {
        std::fprintf(stderr, "journal-stress: %s\n", why.c_str());
        return 1;
    }

    bool chance(int percent) { return std::uniform_int_distribution<int>(0, 99)(rng_) < percent; }

    void new_job()
    {
        core::PlanInput in;
        in.high_availability = chance(30);
        in.options.swap = in.high_availability || chance(50);
        in.options.license = chance(30);
        in.options.logs = chance(70);
        in.data_bytes = std::uniform_int_distribution<uint64_t>(0, 80'000'000'000ull)(rng_);
        in.log_bytes = std::uniform_int_distribution<uint64_t>(0, 5'000'000'000ull)(rng_);
        in.settings_bytes = 40'000;
        core::SourceIdentity src{"192.0.2.10", "192.0.2.10", "old-hotspot", "example.test",
                                 "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", std::string(64, 'f'),
                                 in.high_availability, in.data_bytes, in.log_bytes, "", {}, "", {}, "", "", ""};
        job_ = core::new_job(kIdPrefix + std::to_string(gen_ + 1), in.options,
                             core::build_plan(in), src,
                             core::TargetIdentity{"192.0.2.20", "new-hotspot"}, "stress-boot",
                             now_usec());
    }

    static std::size_t pad_of(const core::OperationRecord& op)
    {
        const auto it = op.checkpoint.find("pad");
        return it != op.checkpoint.end() && it->is_string() ? it->get_ref<const std::string&>().size()
                                                            : 0;
    }

    // One change and one save.
    bool step()
    {
        const uint64_t now = now_usec();
        core::OperationId stamped = core::OperationId::Final;
        std::optional<std::size_t> new_pad; // unset: the stamped checkpoint keeps its size

        if (!job_) {
            new_job();
            if (const auto* op = core::next_operation(*job_))
                stamped = op->id;
        } else if (core::is_finished(job_->state)) {
            if (job_->state == core::JobState::Failed && chance(60)) {
                // Resume(): the failed operation restarts from its checkpoint.
                stamped = core::operation_from_key(job_->error_operation.value_or(""))
                              .value_or(core::OperationId::Final);
                core::resume_job(*job_, "stress-boot", now);
            } else {
                job_.reset(); // Acknowledge(), except that the file stays
                return true;
            }
        } else if (auto* op = core::next_operation(*job_); !op) {
            core::succeed_job(*job_, now);
        } else {
            stamped = op->id;
            const std::size_t had = pad_of(*op);
            if (op->state == core::OpState::Pending) {
                core::set_operation_state(*job_, op->id, core::OpState::Running, now);
            } else if (had >= kMaxPad || chance(5)) {
                if (chance(15)) {
                    core::fail_job(*job_, op->id,
                                   core::Error{core::Code::Unreachable,
                                               "The source does not answer (stress).", "Resume()."},
                                   now);
                } else {
                    core::set_operation_state(*job_, op->id, core::OpState::Done, now);
                    new_pad = 0; // a finished operation keeps a small checkpoint
                }
            } else {
                // Running: the checkpoint grows.
                new_pad = std::min(kMaxPad, had + std::uniform_int_distribution<std::size_t>(
                                                      4 * 1024, 24 * 1024)(rng_));
                op->bytes_done = std::min(op->bytes_total, op->bytes_done + op->bytes_total / 8);
            }
        }

        // The stamp: the last event and the checkpoint of one operation.
        ++gen_;
        auto& op = job_->operations[static_cast<std::size_t>(stamped)];
        const std::size_t pad = new_pad.value_or(pad_of(op));
        op.checkpoint = json{{"gen", gen_}, {"pad", pad_for(gen_, pad)}};
        core::append_event(*job_, now, kStressEvent,
                           json{{"gen", gen_}, {"op", core::operation_key(stamped)}, {"pad", pad}});
        if (auto r = store_.save(*job_); !r) {
            fail(r.error().message);
            return false;
        }
        if (counter_fd_ >= 0) {
            const std::string s = std::to_string(gen_) + "\n";
            [[maybe_unused]] auto n = ::pwrite(counter_fd_, s.data(), s.size(), 0);
        }
        return true;
    }

    local::JournalStore store_;
    std::string counter_;
    int counter_fd_ = -1;
    std::mt19937_64 rng_;
    std::optional<core::JobRecord> job_;
    uint64_t gen_ = 0;
};

int usage()
{
    std::fprintf(stderr, "usage: journal-stress DIR [--counter FILE]\n"
                         "       journal-stress --check DIR\n");
    return 64;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 3 && std::strcmp(argv[1], "--check") == 0)
        return check(argv[2]);
    if (argc == 2 && argv[1][0] != '-')
        return Writer(argv[1], {}).run();
    if (argc == 4 && argv[1][0] != '-' && std::strcmp(argv[2], "--counter") == 0)
        return Writer(argv[1], argv[3]).run();
    return usage();
}
