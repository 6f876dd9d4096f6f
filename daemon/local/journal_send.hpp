// Sends a core::JournalRecord to the journal as a structured entry
// (sd_journal_sendv): MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=ferryd and the
// record's fields. Without a journal (a test rig) the entry is dropped;
// ferryd's own log (spdlog) still says what happened.
#pragma once

#include "core/journal_record.hpp"

namespace ferry::local {

void send_to_journal(const core::JournalRecord& record);

} // namespace ferry::local
