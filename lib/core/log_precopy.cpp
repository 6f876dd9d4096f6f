#include "core/log_precopy.hpp"

#include <map>
#include <set>

namespace ferry::core {

std::vector<LogAdoption> plan_log_adoption(const std::vector<LogFileSize>& listed,
                                           const std::vector<LogFileSize>& copies,
                                           const std::set<std::string>& started)
{
    std::map<std::string, uint64_t> listed_size;
    for (const auto& f : listed)
        listed_size[f.name] = f.size;

    std::vector<LogAdoption> out;
    std::set<std::string> used;             // copies given to a file
    std::set<std::string> served = started; // files given a copy (or busy)
    // Rotations first: a copy whose own name is gone, now shorter, or
    // already taken by a rotated copy (logrotate moves a whole chain at
    // once: .1 -> .2 and the live file -> .1) goes to a file of exactly its
    // size that has none yet. Repeated until nothing moves: each round
    // places at least one copy, so at most copies.size() rounds.
    for (bool moved = true; moved;) {
        moved = false;
        for (const auto& c : copies) {
            if (used.count(c.name) || c.size == 0)
                continue;
            auto now = listed_size.find(c.name);
            const bool moved_away =
                now == listed_size.end() || now->second < c.size || served.count(c.name);
            if (!moved_away)
                continue;
            for (const auto& f : listed) {
                if (served.count(f.name) || f.name == c.name || f.size != c.size)
                    continue;
                out.push_back({c.name, f.name, true});
                used.insert(c.name);
                served.insert(f.name);
                moved = true;
                break;
            }
        }
    }
    // Then the plain case: a file that kept its name and grew (or not)
    // resumes after its own copy.
    for (const auto& c : copies) {
        if (used.count(c.name) || served.count(c.name))
            continue;
        auto now = listed_size.find(c.name);
        if (now != listed_size.end() && c.size <= now->second) {
            out.push_back({c.name, c.name, false});
            used.insert(c.name);
            served.insert(c.name);
        }
    }
    return out;
}

} // namespace ferry::core
