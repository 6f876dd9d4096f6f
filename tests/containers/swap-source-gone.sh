#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# swap-source-gone.sh SOURCE_ROOT BUILD_DIR
#
# A migration with Swap Configuration whose source never comes back from
# the reboot: it shuts down for the reboot the target asked for (through
# its logind) and stays off (its wrapper does not boot it again: a power
# failure while it reboots). With `[Migration] SourceRebootTimeoutSec=20`
# in the target's ferry.conf:
#
#   - the target reboots, ferryd-resume.path starts ferryd, which waits for
#     the source at the target's former address; meanwhile `ferryctl
#     status` shows the job at the reboot operation;
#   - about 20 s later the job FAILS (not stuck in "rebooting"), with the
#     named error org.ferry.Migration1.Error.Unreachable in the operation
#     `reboot`, a message that says where the source was expected and for
#     how long, and a remedy that says what to check and that `ferryctl
#     resume` goes on; the same in `ferryctl status` (text and JSON) and on
#     the job's Error property; no marker left that would restart ferryd at
#     boot;
#   - the source is powered on: it applies the staged settings and comes up
#     at the target's former address; `ferryctl resume` (nothing else: no
#     reboot of the target, no second reboot request) and the job completes;
#     the result is what swap.sh checks (swap-lib.sh), every table equal.
#
# FERRY_CT_ROWS (default 5000): rows of the generated data set.
# Exit 0 pass, 1 fail, 77 skip (only when nspawn/debootstrap cannot work here).
set -uo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
ct_main "$0" "$@"
# shellcheck source=tests/containers/swap-lib.sh
source "$CT_HERE/swap-lib.sh"

ROWS=${FERRY_CT_ROWS:-5000}
WAIT=20

sw_make 0
sw_source_reboot_timeout $WAIT
ct_boot $S; ct_boot $T
ct_wait_booted $S; ct_wait_booted $T
ct_wait_mariadb $S; ct_wait_mariadb $T
ct_gen_data $S "$ROWS"
sw_before

# The source's power supply: off at its next reboot.
touch "$CT_DIR/$S/stop"
t0=$SECONDS
sw_start

# --- the source goes down for the reboot and stays off -------------------------
for ((i = 0; i < 1200; i++)); do kill -0 "${CT_WRAPPER[$S]}" 2>/dev/null || break; sleep 0.1; done
check "the source shut down for the reboot (nspawn exit 133) and stays off" \
    sh -c "[ \"\$(awk '\$2 == 133' '$CT_DIR/$S/boots.log' | grep -c .)\" -eq 1 ] && ! kill -0 ${CT_WRAPPER[$S]} 2>/dev/null"
wait "${CT_WRAPPER[$S]}" 2>/dev/null
for ((i = 0; i < 1200; i++)); do [ "$(ct_reboots $T)" -ge 1 ] && break; sleep 0.1; done
check "the target rebooted by itself" [ "$(ct_reboots $T)" -eq 1 ]
ct_wait_booted $T
ferryd_active() { [ "$(ct_unit $T ferryd.service ActiveState)" = active ]; }
for ((i = 0; i < 600; i++)); do ferryd_active && break; sleep 0.1; done
check "target: ferryd started by ferryd-resume.path after the reboot" \
    grep -qw ferryd-resume.path <<<"$(ct_unit $T ferryd.service TriggeredBy)"
t_up=$SECONDS

# What the administrator sees while ferryd waits.
ct_exec $T ferryctl status > "$CT_DIR/status-waiting.txt" 2>&1
ct_log "ferryctl status while ferryd waits for the source:"; sed 's/^/    /' "$CT_DIR/status-waiting.txt" >&2
check "status while waiting: the job is not finished, at the reboot" \
    sh -c "grep -Eq '^ *Job State: (running|rebooting)' '$CT_DIR/status-waiting.txt' && grep -q '^ *Current: Reboot' '$CT_DIR/status-waiting.txt'"

# --- the timeout ----------------------------------------------------------------------
sw_wait_finished $((WAIT + 120))
read -r state rstate attempt _ <<<"$(sw_job_info)"
waited=$((SECONDS - t_up))
check "the job failed ($state, operation reboot $rstate) $waited s after ferryd came up (SourceRebootTimeoutSec=$WAIT)" \
    [ "$state/$rstate" = failed/failed ]
check "... after the timeout, not before and not much later ($waited s)" \
    test $waited -ge $WAIT -a $waited -le $((WAIT + 30))
check "... not stuck: no job-active marker (ferryd is not restarted at boot for it)" \
    [ ! -e "$(ct_file $T /var/lib/ferry/job-active)" ]

ct_exec $T ferryctl status > "$CT_DIR/status-failed.txt" 2>&1
ct_exec $T ferryctl --json=short status > "$CT_DIR/status-failed.json" 2>&1
ct_log "ferryctl status after the timeout:"; sed 's/^/    /' "$CT_DIR/status-failed.txt" >&2
jq_err() { python3 -c "import json,sys; e=json.load(open('$CT_DIR/status-failed.json'))['JobProperties']['Error']; print(e['$1'])" 2>/dev/null; }
check "ferryctl status --json: Error.Name org.ferry.Migration1.Error.Unreachable ($(jq_err Name))" \
    [ "$(jq_err Name)" = org.ferry.Migration1.Error.Unreachable ]
check "... Error.Operation reboot ($(jq_err Operation))" [ "$(jq_err Operation)" = reboot ]
check "... the message says where the source was expected and for how long" \
    bash -c "grep -q 'did not come back at $B' <<<\"\$0\" && grep -q 'within $WAIT seconds' <<<\"\$0\"" "$(jq_err Message)"
check "... the remedy says what to check and to resume" \
    bash -c "grep -q 'powered on' <<<\"\$0\" && grep -q '$B' <<<\"\$0\" && grep -q 'ferryctl resume' <<<\"\$0\"" "$(jq_err Remedy)"
check "ferryctl status (text): State, Error, Error Name and Remedy lines" \
    sh -c "grep -q '^ *Job State: failed' '$CT_DIR/status-failed.txt' && grep -q '^ *Error: in Reboot.*did not come back at $B' '$CT_DIR/status-failed.txt' &&
           grep -q '^ *Error Name: org.ferry.Migration1.Error.Unreachable' '$CT_DIR/status-failed.txt' && grep -q '^ *Remedy: .*ferryctl resume' '$CT_DIR/status-failed.txt'"
JOB=$(prop "${MGR[@]}" Job)
ct_exec $T busctl get-property org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Error > "$CT_DIR/error-property.txt" 2>&1
ct_log "the job's Error property: $(cat "$CT_DIR/error-property.txt")"
check "the job's Error property (code, operation, message, remedy)" \
    sh -c "grep -q '\"org.ferry.Migration1.Error.Unreachable\" \"reboot\" \"The source did not come back at $B' '$CT_DIR/error-property.txt'"
ct_journal $T -o cat -u ferryd.service > "$CT_DIR/ferryd-failed.txt"
check "ferryd's journal: waited for the source at $B, then the failure" \
    sh -c "grep -q 'Waiting for the source to come back at $B' '$CT_DIR/ferryd-failed.txt' &&
           grep -q 'Operation reboot failed: The source did not come back at $B' '$CT_DIR/ferryd-failed.txt'"

# --- the source comes back; Resume ------------------------------------------------------
ct_boot $S
ct_wait_booted $S
check "the source came up at the target's former address $B (staged settings applied at boot)" has_addr $S "$B"
ct_exec $T ferryctl resume > "$CT_DIR/resume.txt" 2>&1; rc=$?
check "ferryctl resume (exit $rc)" [ $rc -eq 0 ]
ct_exec $T timeout 300 ferryctl watch > "$CT_DIR/watch.txt" 2>&1; rc=$?
check "the resumed job succeeded (ferryctl watch exit $rc, $((SECONDS - t0)) s since the start)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 20 "$CT_DIR/watch.txt" "$CT_DIR/resume.txt" >&2
read -r state rstate attempt _ <<<"$(sw_job_info)"
check "job journal: succeeded, reboot done, attempt 3 (start, boot, Resume) ($state $rstate $attempt)" \
    [ "$state/$rstate/$attempt" = succeeded/done/3 ]
check "Resume() rebooted nothing: the target rebooted once, the source once" \
    [ "$(ct_reboots $T)/$(ct_reboots $S)" = 1/1 ]
sw_check_swapped

[ "$CT_FAILS" -eq 0 ] || ct_fail "$CT_FAILS check(s) failed"
ct_log "PASS: the source never came back: Unreachable after ${WAIT} s with a remedy; powered on, Resume() completed the Swap"
