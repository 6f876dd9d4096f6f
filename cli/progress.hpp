// What `watch` shows while it follows a job:
//  - on a terminal, one progress bar per operation (with the remaining
//    time), redrawn in place, events printed above the bars;
//  - otherwise plain appended lines: each event, and each operation's
//    progress in steps of 10%;
//  - with --json, one JSON object per line (events, progress, the result).
#pragma once

#include <memory>
#include <string>

#include "bus.hpp"
#include "events.hpp"
#include "output.hpp"

namespace ferryctl {

class ProgressDisplay {
  public:
    virtual ~ProgressDisplay() = default;

    static std::unique_ptr<ProgressDisplay> create(JsonMode json, bool tty);

    virtual void event(const Event& e, const Titles& titles) = 0;
    virtual void update(const JobStatus& job) = 0;
    // A note from ferryctl itself ("ferryd left the bus ...").
    virtual void note(const std::string& text) = 0;
    // The job has finished: the last drawing, then the result.
    virtual void finish(const JobStatus& job) = 0;
};

} // namespace ferryctl
