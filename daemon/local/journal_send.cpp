#include "local/journal_send.hpp"

#include <string>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <vector>

namespace ferry::local {

void send_to_journal(const core::JournalRecord& record)
{
    std::vector<std::string> lines;
    lines.reserve(record.fields.size() + 3);
    lines.push_back("MESSAGE=" + record.message);
    lines.push_back("PRIORITY=" + std::to_string(record.priority));
    lines.push_back("SYSLOG_IDENTIFIER=ferryd");
    for (const auto& [k, v] : record.fields)
        lines.push_back(k + "=" + v);
    std::vector<iovec> iov;
    iov.reserve(lines.size());
    for (auto& l : lines)
        iov.push_back(iovec{l.data(), l.size()});
    // Best effort: no journal (ENOENT on its socket) is not an error here.
    (void)sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

} // namespace ferry::local
