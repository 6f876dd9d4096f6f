// The user-traffic logs copied while the source still serves (issue 18):
// operation "pre-copy-data" downloads each listed file into
// "<name>.ferry-pre" next to the logs; operation 10, under maintenance,
// first decides which of those copies each file it now lists starts from,
// and then downloads only what is missing and verifies every file by its
// digest as before. Pure: which copy serves which file.
//
// Between the two the source kept writing: a file grew (the copy is a
// prefix of it: the download resumes after it) or was rotated (it has a
// new name, e.g. "user-traffic.log" -> "user-traffic.log.1", and is
// unchanged since: a copy of exactly its size may be it, which the digests
// decide), or is gone. Nothing here is trusted: operation 10 verifies each
// file whole against the source's digest, and a wrong guess costs a
// download, never a wrong file.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace ferry::core {

inline constexpr std::string_view kLogPreCopySuffix = ".ferry-pre";

struct LogFileSize {
    std::string name;
    uint64_t size = 0;
};

// One file of operation 10 and the pre-copy it starts from.
struct LogAdoption {
    std::string copy;       // the pre-copy's file name (without the suffix)
    std::string file;       // the name the source lists now
    bool by_digest = false; // a rotation guess: only when the digests are equal
};

// `listed`: what the source lists now. `copies`: the pre-copies on disk.
// `started`: files that have a download under way already (a resumed
// operation 10): they take no copy, and their names count as taken.
// A file takes its own name's copy when that is not longer than the file
// (it grew or stayed); otherwise, or when it has none, a copy of exactly
// its size whose own file shrank or went (rotated away), by digest. Each
// copy serves at most one file; candidates by digest are tried in listed
// order.
std::vector<LogAdoption> plan_log_adoption(const std::vector<LogFileSize>& listed,
                                           const std::vector<LogFileSize>& copies,
                                           const std::set<std::string>& started = {});

} // namespace ferry::core
