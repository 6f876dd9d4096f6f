// The journal records of a job (issue 17): every event of the job's event
// log (core/job.hpp), and the pre-flight verdicts of Start, as a structured
// journal entry: a MESSAGE_ID per kind of event, explained by the message
// catalog (units/ferry.catalog, `journalctl -x`), with the job's id, the
// operation and the state as fields. Built here, sent by local/journal_send.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/job.hpp"
#include "core/preflight.hpp"

namespace ferry::core {

// MESSAGE_IDs (128-bit, as sd-id128 prints them). Each has an entry in
// units/ferry.catalog; tests/unit/core/test_journal_record.cpp and
// tests/catalog.sh check that the two agree.
inline constexpr std::string_view kMsgJobStarted = "6138e8b38fba4c63a30d72451cf9875c";
inline constexpr std::string_view kMsgOperationStarted = "ac2818e7ec6d4326977bfde1df995081";
inline constexpr std::string_view kMsgOperationDone = "be7e2fae97064322942385e903812e8e";
inline constexpr std::string_view kMsgOperationFailed = "72ac252a3269407f98598d76a5a814bb";
inline constexpr std::string_view kMsgOperationReset = "2d0ab5fb7fc74424b44f9b1ea9423807";
inline constexpr std::string_view kMsgJobState = "bb50f7540fa6461096f590945bb52b4a";
inline constexpr std::string_view kMsgJobResumed = "d897368d408b40069f03c9bc138c9b0a";
inline constexpr std::string_view kMsgJobSucceeded = "1eab38c467fc4654bc49385ca6bb5c5e";
inline constexpr std::string_view kMsgJobFailed = "1a8d4150b9bd400c8f4dc07f0349ebf3";
inline constexpr std::string_view kMsgPreflightWarning = "81b98be0a1be48e79da2dfa6697565fa";
inline constexpr std::string_view kMsgStartRefused = "77c71fb7f89f4a70b627510ac04696f8";

// Every MESSAGE_ID above, for the catalog's test.
const std::vector<std::string_view>& all_message_ids();

struct JournalRecord {
    std::string message;
    int priority = 6; // syslog: 3 err, 4 warning, 5 notice, 6 info
    // MESSAGE_ID and the FERRY_* fields (FERRY_JOB_ID, FERRY_EVENT,
    // FERRY_SEQUENCE, FERRY_OPERATION, FERRY_OPERATION_TITLE, FERRY_STATE,
    // FERRY_SOURCE, FERRY_ATTEMPT, FERRY_ERROR, FERRY_CHECK), in this order
    // where present.
    std::vector<std::pair<std::string, std::string>> fields;

    // The value of `name`, "" when absent.
    std::string field(std::string_view name) const;
};

JournalRecord event_journal_record(const JobRecord& job, const Event& e);
// Start: a warning of the checks (the job is started anyway).
JournalRecord preflight_warning_record(const PreflightCheck& check, const std::string& source);
// Start refused with PreflightFailed: nothing was changed.
JournalRecord start_refused_record(const Error& refusal, const std::string& source);

} // namespace ferry::core
