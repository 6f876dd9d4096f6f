#!/usr/bin/env bash
# The exe_wrapper of the `sanitize` test setup (meson.build; the default
# setup of a build directory configured with b_sanitize, e.g. build-asan of
# tools/test): runs one test (a unit test, or an integration script and
# every ferryd, ferry-peer, ferryctl and helper it starts) with
# AddressSanitizer, LeakSanitizer and UBSan writing their reports into a
# directory of its own, and fails the test when any report is there after
# it ended, whatever the test itself said. A daemon's report would
# otherwise go to its log (or nowhere, once the rig is removed) and the
# test could pass.
#
#   halt_on_error/abort_on_error: the first finding ends the process (the
#     build also has -fno-sanitize-recover=all, so UBSan aborts too);
#   detect_leaks=1 (FERRY_SANITIZE_LEAKS=0 turns it off): a leak at the
#     exit of a process that exits is a finding; a daemon killed by SIGKILL
#     is not checked, one stopped by SIGTERM is (ferryd and ferry-peer exit
#     normally on it); known leaks of libraries ferry uses are suppressed in
#     lsan.supp, each with its reason.
set -u
here=$(dirname "$(realpath "$0")")
reports=$(mktemp -d /tmp/ferry-sanitize.XXXXXX) || exit 1
chmod 1777 "$reports" # the polkit test runs ferryctl as other uids
common="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports/report"
export ASAN_OPTIONS="$common:detect_leaks=${FERRY_SANITIZE_LEAKS:-1}:check_initialization_order=1"
export UBSAN_OPTIONS="$common"
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"

"$@"
rc=$?

found=$(find "$reports" -type f | sort)
if [ -n "$found" ]; then
    for f in $found; do
        echo "==================== sanitizer report $(basename "$f") (test exit $rc)"
        cat "$f"
    done
    echo "FAIL: $(echo "$found" | wc -l) sanitizer report(s) above" >&2
    rc=1
fi
rm -rf "$reports"
exit $rc
