// The job journal (job.json in ferryd's state directory): parse_job is
// what ferryd runs at start on whatever the disk holds (a journal of an
// older ferry, a damaged one).
//
// Properties: JournalCorrupt or a job; a parsed job serializes to a journal
// that parses back to the same serialization; the rules ferryd then
// applies to it (resume, events, progress) hold on any parsed job.
#include "check.hpp"
#include "core/job.hpp"
#include "core/progress.hpp"

using namespace ferry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto job = core::parse_job(text);
    if (!job) {
        FUZZ_CHECK(job.error().code == core::Code::JournalCorrupt);
        return 0;
    }
    const std::string once = core::serialize_job(*job);
    auto back = core::parse_job(once);
    FUZZ_CHECK(back.ok());
    FUZZ_CHECK(core::serialize_job(*back) == once);

    const double p = core::overall_progress(*job);
    FUZZ_CHECK(p >= 0.0 && p <= 1.0);
    (void)core::events_since(*job, 0);
    (void)core::next_operation(*job);
    if (!core::is_finished(job->state) || job->state == core::JobState::Failed) {
        const uint32_t attempt = job->attempt;
        core::resume_job(*job, "boot", 1);
        FUZZ_CHECK(job->state == core::JobState::Running);
        FUZZ_CHECK(job->attempt == attempt + 1);
        FUZZ_CHECK(core::parse_job(core::serialize_job(*job)).ok());
    }
    return 0;
}
