#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ferryctl.sh SOURCE_ROOT BUILD_DIR
#
# ferryctl against a real ferryd on the rig's private system bus (see
# lib/rig.sh; the caller is root, which ferryd authorizes without polkit).
# Checks, line by line: --help/--version, status (plain and JSON), the
# errors before a probe (NotProbed, with its hint, exit 3), a probe of an
# address where nothing listens (Unreachable naming ports 80, 443, 3306),
# that the password from --password-file appears in no process list, state
# file or log, that a password cannot be given on the command line (exit 2,
# never echoed), OptionUnavailable for --license on a licensed target, the
# errors without a job, and `watch` on job journals written by hand
# (STATE_DIR/job.json, format of lib/core/job.cpp serialize_job):
#   - failed:   plain lines, exit 5 with the error; acknowledge leaves no job;
#   - running:  ferryd resumes it and fails it (the fixture's source
#               127.0.0.77 does not exist); watch is started before ferryd,
#               waits for it on the bus and shows the failure (exit 5);
#   - all done: ferryd resumes it and it succeeds; watch exits 0.
# Finally ferryd is stopped: every verb exits 4.
#
# The fixture source is 127.0.0.77 (nothing else uses it) and its silent
# peer port 18977: the rigs of other tests share the network namespace.
# Every ferryctl call is bounded by timeout(1); every wait polls with a bound.
# Exit 0 pass, 1 fail.

set -u
set -o pipefail

HERE=$(dirname "$(realpath "$0")")
. "$HERE/lib/rig.sh"

[ $# -eq 2 ] || { echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2; exit 2; }
rig_init "$1" "$2"
[ -x "$FERRYCTL" ] || rig_fail "ferryctl not built at $FERRYCTL"

CALL_TIMEOUT=30
PASSWORD="Fr3ight-$RANDOM$RANDOM-not-on-argv"
N=0

ok() { N=$((N + 1)); echo "ok $N - $*"; }
fail() {
    echo "not ok $((N + 1)) - $*"
    echo "--- command: ${LAST_CMD:-}" >&2
    echo "--- rc: ${RC:-}" >&2
    echo "--- stdout:" >&2; cat "$RIG/out" >&2 2>/dev/null
    echo "--- stderr:" >&2; cat "$RIG/err" >&2 2>/dev/null
    rig_fail "$*"
}

# run ARGS...: ferryctl with stdin from /dev/null; sets RC, stdout in
# $RIG/out, stderr in $RIG/err.
run() {
    LAST_CMD="ferryctl $*"
    timeout "$CALL_TIMEOUT" "$FERRYCTL" "$@" </dev/null >"$RIG/out" 2>"$RIG/err"
    RC=$?
    [ $RC -eq 124 ] && fail "ferryctl $* did not finish within $CALL_TIMEOUT s"
    return 0
}

expect_rc() { [ "$RC" -eq "$1" ] || fail "$2 (exit $RC, expected $1)"; }
# expect_in out|err TEXT DESCRIPTION
expect_in() { grep -qF -- "$2" "$RIG/$1" || fail "$3 (no '$2' in std$1)"; }
expect_not_in() { ! grep -qF -- "$2" "$RIG/$1" || fail "$3 ('$2' in std$1)"; }
# json_check PYTHON-EXPRESSION-ON-d DESCRIPTION: stdout parsed as JSON.
json_check() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$RIG/out" "$1" || fail "$2 (JSON: $(head -c 400 "$RIG/out"))"
}
# jsonl_check PYTHON-EXPRESSION-ON-lines DESCRIPTION: one JSON object per line.
jsonl_check() {
    python3 -c 'import json, sys; lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]; sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$RIG/out" "$1" || fail "$2 (JSON lines: $(head -c 600 "$RIG/out"))"
}

# write_job STATE: a job journal of 11 operations, as a build before
# pre-copy-data wrote it (ferryd lists that one as skipped: 12) (copy-settings done,
# source-maintenance failed/running/done, four skipped) in the state dir.
write_job() {
    python3 - "$1" > "$STATE/job.json" <<'PY' || rig_fail "cannot write the job fixture"
import json, sys
mode = sys.argv[1]
OPS = ["copy-settings", "source-maintenance", "deactivate-replica", "copy-data",
       "modify-source", "reboot", "copy-data-activate-replica", "update-certificates",
       "restart-services", "copy-syslog", "final"]
SKIP = {"deactivate-replica", "reboot", "copy-data-activate-replica", "copy-syslog"}
T0 = 1767225600000000
events = [("job-started", {"swap": False, "license": False, "logs": False, "source": "127.0.0.77"})]
ops = []
for op in OPS:
    if op in SKIP:
        st = "skipped"
    elif mode in ("done", "done-ha") or op == "copy-settings":
        st = "done"
    elif op == "source-maintenance":
        st = "failed" if mode == "failed" else "running"
    else:
        st = "pending"
    total = 40000 if op == "copy-settings" else 0
    ops.append({"id": op, "state": st, "bytes_done": total if st == "done" else 0,
                "bytes_total": total, "estimated_seconds": 0 if st == "skipped" else 5,
                "checkpoint": {}})
    if st in ("done", "failed", "running"):
        events.append(("operation-changed", {"id": op, "state": "running"}))
        if st != "running":
            events.append(("operation-changed", {"id": op, "state": st}))
job = {"version": 1, "id": "fixture" + mode.replace("-", ""), "state": "failed" if mode == "failed" else "running",
       "options": {"SwapConfiguration": False, "MigrateLicense": False, "CopyUserTrafficLogs": False},
       "source": {"address": "127.0.0.77", "current_address": "127.0.0.77", "host_name": "old",
                  "domain_name": "example.test", "license_guid": "", "certificate_sha256": "",
                  "high_availability": False, "data_bytes": 0, "log_bytes": 0},
       "target": {"address": "127.0.0.2", "host_name": "target"},
       "boot_id": "fixture-boot", "attempt": 1, "started_at": T0,
       "finished_at": T0 + 10**7 if mode == "failed" else 0, "operations": ops}
if mode == "failed":
    err = {"code": "Unreachable", "operation": "source-maintenance",
           "message": "The source 127.0.0.77 does not answer on port 443 (HTTPS: connection refused).",
           "remedy": "Check that the source is running."}
    job["error"] = err
    events += [("state-changed", {"state": "failed"}), ("finished", dict(state="failed", **err))]
if mode == "done-ha":  # the Result step's advice of an HA source
    job["source"]["high_availability"] = True
    job["source"]["dns_revert_advice"] = ["The domain old.example.test is resolved with the IP address 127.0.0.77."]
job["events"] = [{"seq": i + 1, "time": T0 + (i + 1) * 10**6, "type": t, "data": d}
                 for i, (t, d) in enumerate(events)]
job["next_sequence"] = len(events) + 1
print(json.dumps(job, indent=1))
PY
}

no_escapes() { ! grep -q $'\x1b' "$RIG/out" || fail "$1 (terminal escapes in plain output)"; }

rig_start_bus
rig_make_appliance target 127.0.0.2 yes >/dev/null # licensed: MigrateLicense is unavailable
STATE="$RIG/target/state"
rig_start_ferryd target

# --- help, version -----------------------------------------------------------
run --help
expect_rc 0 "--help exits 0"
expect_in out "probe ADDRESS" "--help lists the verbs"
expect_in out "--password-file=PATH" "--help documents --password-file"
expect_in out "--json=pretty|short|off" "--help documents --json"
ok "--help"

run --version
expect_rc 0 "--version exits 0"
grep -qE '^ferryctl [0-9]+\.[0-9]+\.[0-9]+$' "$RIG/out" || fail "--version prints 'ferryctl X.Y.Z'"
VERSION=$(awk '{print $2}' "$RIG/out")
ok "--version: $VERSION"

# --- status --------------------------------------------------------------------
run
expect_rc 0 "status (the default verb) exits 0"
expect_in out "State: idle" "status shows the Manager State"
expect_in out "Version: $VERSION" "status shows ferryd's Version"
expect_in out "Job: none" "status shows that there is no job"
ok "status (default verb), plain"

run status --json
expect_rc 0 "status --json exits 0"
json_check 'd["State"] == "idle" and d["Job"] == "/" and d["Version"] == "'"$VERSION"'" and d["JobProperties"] is None' \
    "status --json has State, Job, Version"
run --json=short status
expect_rc 0 "--json=short status exits 0"
[ "$(wc -l < "$RIG/out")" -eq 1 ] || fail "--json=short prints one line"
json_check 'd["State"] == "idle"' "--json=short status parses"
ok "status --json (pretty and short)"

# --- before a probe -------------------------------------------------------------
run plan
expect_rc 3 "plan before probe exits 3"
expect_in err "Could not plan: No source system has been probed yet." "plan names NotProbed"
expect_in err "Hint: run 'ferryctl probe ADDRESS' first." "plan before probe gives the hint"
ok "plan before probe: exit 3, NotProbed message and hint"

run --json=short plan
expect_rc 3 "plan --json before probe exits 3"
json_check 'd["Error"]["Name"] == "org.ferry.Migration1.Error.NotProbed" and "probed" in d["Error"]["Message"]' \
    "JSON error object"
ok "plan --json before probe: {\"Error\":{\"Name\":...NotProbed,...}}"

# start asks first (the manual's Confirmation): without a terminal and
# without --yes nothing reaches ferryd.
run start
expect_rc 2 "start without --yes and without a terminal exits 2"
expect_in err "stdin is not a terminal to confirm it on; nothing was started" "start names why it refuses"
expect_in err "--yes" "start without a terminal names --yes"
expect_not_in err "probed" "start without confirmation did not call ferryd"
ok "start without a terminal and without --yes: exit 2, nothing asked of ferryd"

run start --force --yes
expect_rc 2 "start --force exits 2"
expect_in err "--force does not apply to 'start'." "--force is acknowledge's only"
ok "start --force: usage error"

# At a terminal: the manual's warning, then the question; "n" starts nothing.
on_tty() {
    LAST_CMD="ferryctl ${*:2} (on a terminal, answering '$1')"
    python3 "$SRC/tests/lib/on_tty.py" "$1" "$CALL_TIMEOUT" "$FERRYCTL" "${@:2}" >"$RIG/out" 2>&1
    RC=$?
    [ $RC -eq 124 ] && fail "$LAST_CMD did not finish within $CALL_TIMEOUT s"
    cp "$RIG/out" "$RIG/err" # one terminal: stdout and stderr together
}
on_tty n start
expect_rc 1 "start answered 'n' exits 1"
expect_in out "Warning! Please note that the procedure is irreversible and cannot be interrupted once initiated." "start shows the manual's Confirmation warning"
expect_in out "[y/N]" "start asks"
expect_in out "Not confirmed; nothing was started." "start answered 'n' says nothing was started"
expect_not_in out "probed" "start answered 'n' did not call ferryd"
ok "start at a terminal, answered 'n': the warning, exit 1, nothing asked of ferryd"

on_tty y start
expect_rc 3 "start answered 'y' before probe exits 3"
expect_in out "Could not start: No source system has been probed yet." "start answered 'y' reaches ferryd (NotProbed)"
ok "start at a terminal, answered 'y': ferryd is asked (NotProbed before a probe)"

run start --yes
expect_rc 3 "start before probe exits 3"
expect_in err "Could not start: No source system has been probed yet." "start names NotProbed"
expect_in err "Hint: run 'ferryctl probe ADDRESS' first." "start before probe gives the hint"
ok "start --yes before probe: exit 3"

run options
expect_rc 3 "options before probe exits 3"
expect_in err "Hint: run 'ferryctl probe ADDRESS' first." "options before probe gives the hint"
ok "options before probe: exit 3"

run plan --license
expect_rc 3 "plan --license on a licensed target exits 3"
expect_in err "Could not plan: This system already has a license" "plan --license names the reason"
expect_in err "Hint: 'ferryctl options'" "OptionUnavailable hint"
run --json=short plan --license=yes
json_check 'd["Error"]["Name"] == "org.ferry.Migration1.Error.OptionUnavailable"' "OptionUnavailable by name"
ok "plan --license on a licensed target: OptionUnavailable"

# --- probe and the password ---------------------------------------------------------
printf '%s\n' "$PASSWORD" > "$RIG/password"
chmod 600 "$RIG/password"
run probe 127.0.0.9 --password-file="$RIG/password"
expect_rc 3 "probe of an address where nothing listens exits 3"
expect_in err "Could not probe: The source 127.0.0.9 does not answer on ports 80 (HTTP" "probe names port 80"
expect_in err "443 (HTTPS" "probe names port 443"
expect_in err "3306 (MariaDB" "probe names port 3306"
expect_in err "Hint:" "Unreachable has a hint"
ok "probe 127.0.0.9 --password-file: exit 3, closed ports 80, 443, 3306"

run --json=short probe 127.0.0.9 --password-file="$RIG/password"
expect_rc 3 "probe --json exits 3"
json_check 'd["Error"]["Name"] == "org.ferry.Migration1.Error.Unreachable" and all(p in d["Error"]["Message"] for p in ("80", "443", "3306"))' \
    "probe --json error"
ok "probe --json: Unreachable by name"

# The password from a FIFO: while ferryctl waits for it, the process list
# must not show it. The test holds the FIFO open read-write, so neither
# side blocks in open(); printf is a builtin (no argv of its own).
mkfifo -m 600 "$RIG/password.fifo"
exec 7<>"$RIG/password.fifo"
timeout "$CALL_TIMEOUT" "$FERRYCTL" probe 127.0.0.9 --password-file="$RIG/password.fifo" \
    </dev/null >"$RIG/out" 2>"$RIG/err" &
CTL=$!
rig_wait_for 10 sh -c "ls -l /proc/$CTL/fd /proc/\$(pgrep -P $CTL ferryctl || echo none)/fd 2>/dev/null | grep -q password.fifo" \
    || fail "ferryctl did not open the password FIFO"
ps -eo pid,args > "$RIG/ps.txt"
grep -q -- "--password-file=$RIG/password.fifo" "$RIG/ps.txt" || fail "ferryctl not in the process list"
! grep -qF -- "$PASSWORD" "$RIG/ps.txt" || fail "the password is in the process list"
printf '%s\n' "$PASSWORD" >&7
exec 7>&-
wait $CTL
RC=$?
LAST_CMD="ferryctl probe 127.0.0.9 --password-file=FIFO"
expect_rc 3 "probe with the password from a FIFO exits 3"
expect_in err "does not answer on ports 80" "probe from FIFO reached ferryd"
ok "password not in the process list while probing"

LAST_CMD="ferryctl probe 127.0.0.9 --password-file=- (stdin)"
printf '%s\n' "$PASSWORD" | timeout "$CALL_TIMEOUT" "$FERRYCTL" probe 127.0.0.9 --password-file=- \
    >"$RIG/out" 2>"$RIG/err"
RC=$?
expect_rc 3 "probe --password-file=- exits 3"
expect_in err "does not answer on ports 80" "probe from stdin reached ferryd"
ok "probe --password-file=- (stdin)"

# A password on the command line: no such option, no extra argument, and
# never echoed back.
run probe 127.0.0.9 "$PASSWORD"
expect_rc 2 "probe ADDRESS PASSWORD is a usage error"
expect_in err "Too many arguments" "extra argument refused"
expect_not_in err "$PASSWORD" "the extra argument is not echoed"
run probe 127.0.0.9 --password="$PASSWORD"
expect_rc 2 "--password= is a usage error"
expect_in err "Unknown option '--password'" "--password is no option"
expect_not_in err "$PASSWORD" "the option value is not echoed"
run probe 127.0.0.9 --pass="$PASSWORD"
expect_rc 2 "abbreviations of --password-file are refused"
expect_not_in err "$PASSWORD" "an abbreviated option's value is not echoed"
run probe 127.0.0.9
expect_rc 2 "probe without a terminal and without --password-file is a usage error"
expect_in err "--password-file" "probe without a terminal names --password-file"
run --no-ask-password probe 127.0.0.9
expect_rc 2 "probe --no-ask-password without --password-file is a usage error"
ok "no password on argv: exit 2, nothing echoed"

grep -rlF -- "$PASSWORD" "$STATE" && fail "the password is in the state directory"
for log in "$RIG"/*.log; do
    grep -qF -- "$PASSWORD" "$log" && fail "the password is in $(basename "$log")"
done
grep -q "Probe failed" "$RIG/ferryd-target.log" || fail "ferryd's log does not show the probes"
ok "password not in the state directory, the ferryd log or the bus log"

# --- usage errors ---------------------------------------------------------------------
run frobnicate
expect_rc 2 "unknown verb exits 2"
run status extra
expect_rc 2 "status with an argument exits 2"
run status --swap
expect_rc 2 "--swap with status exits 2"
expect_in err "--swap does not apply to 'status'" "option/verb mismatch named"
run --json=yaml
expect_rc 2 "bad --json value exits 2"
run plan --swap=maybe
expect_rc 2 "bad boolean exits 2"
ok "usage errors exit 2"

# --- no job ---------------------------------------------------------------------------
for verb in events watch acknowledge resume; do
    run "$verb"
    expect_rc 3 "$verb without a job exits 3"
    expect_in err "There is no migration job." "$verb without a job says so"
    expect_in err "Hint:" "$verb without a job gives a hint"
done
run --json=short events
json_check 'd["Error"]["Name"] == "org.ferry.Migration1.Error.NoJob"' "NoJob by name"
ok "events/watch/acknowledge/resume without a job: exit 3, NoJob"

# --- a failed job from the journal -----------------------------------------------------
rig_stop_ferryd
write_job failed
rig_start_ferryd target

run status
expect_rc 0 "status with a failed job exits 0"
expect_in out "Job: /org/ferry/Migration1/job/fixturefailed" "status shows the job path"
expect_in out "Job State: failed" "status shows the job state"
expect_in out "Error Name: org.ferry.Migration1.Error.Unreachable" "status shows the error name"
expect_in out "Place the source under maintenance" "status lists the operations"
[ "$(grep -cE '  (done|failed|pending|skipped|running)' "$RIG/out")" -eq 12 ] \
    || fail "status shows one line per operation (12: the journal's 11 and pre-copy-data skipped)"
run status --json
json_check 'd["JobProperties"]["State"] == "failed" and len(d["JobProperties"]["Operations"]) == 12 and d["JobProperties"]["Operations"][0]["Id"] == "pre-copy-data" and d["JobProperties"]["Error"]["Operation"] == "source-maintenance"' \
    "status --json job properties"
ok "status with a failed job (plain and JSON)"

run watch
expect_rc 5 "watch of a failed job exits 5"
no_escapes "watch to a file"
expect_in out "Copy the System Settings: done" "watch prints the events as plain lines"
expect_in out "Place the source under maintenance: failed" "watch prints the failed operation"
expect_in out "Job fixturefailed: failed" "watch prints the final state"
expect_in err "Migration failed in 'Place the source under maintenance': The source 127.0.0.77 does not answer on port 443" \
    "watch prints the error"
expect_in err "Error: org.ferry.Migration1.Error.Unreachable" "watch names the error"
ok "watch (plain) of a failed job: lines, error, exit 5"

run --json=short watch
expect_rc 5 "watch --json of a failed job exits 5"
jsonl_check 'lines[-1]["Type"] == "result" and lines[-1]["State"] == "failed" and lines[-1]["Error"]["Name"].endswith(".Unreachable") and [l["Sequence"] for l in lines if "Sequence" in l] == list(range(1, 8))' \
    "watch --json: events 1..7 then the result"
ok "watch --json: one object per line, result failed"

run events
expect_rc 0 "events exits 0"
expect_in out "operation-changed" "events lists the events"
run --json=short events --since=5
expect_rc 0 "events --since exits 0"
json_check '[e["Sequence"] for e in d] == [6, 7] and d[1]["Type"] == "finished"' "events --since=5"
ok "events, events --since"

run acknowledge
expect_rc 0 "acknowledge exits 0"
run --json=short status
json_check 'd["Job"] == "/" and d["State"] == "idle"' "no job after acknowledge"
[ ! -e "$STATE/job.json" ] || fail "job.json still there after acknowledge"
ok "acknowledge leaves no job"

# --- an unfinished job: watch waits for ferryd, which resumes and fails it ------------
rig_stop_ferryd
write_job running
LAST_CMD="ferryctl watch (started before ferryd)"
: >"$RIG/watch.out"
timeout 60 "$FERRYCTL" watch </dev/null >"$RIG/watch.out" 2>"$RIG/watch.err" &
WATCH=$!
rig_wait_for 10 grep -q "ferryd is not on the bus; waiting" "$RIG/watch.out" \
    || fail "watch does not say that it waits for ferryd"
rig_start_ferryd target
wait $WATCH
RC=$?
cp "$RIG/watch.out" "$RIG/out"; cp "$RIG/watch.err" "$RIG/err"
expect_rc 5 "watch of the resumed job exits 5"
expect_in out "Job resumed, attempt 2" "watch shows the resume"
expect_in out "Place the source under maintenance: failed" "watch shows the failed operation"
# This build cannot reach the fixture's source (127.0.0.77): the operation
# fails, with IncompatibleSource or Unreachable depending on the steps built.
expect_in out "Migration failed in 'Place the source under maintenance'" "watch shows the failure event"
expect_in err "Migration failed in 'Place the source under maintenance'" "watch prints the error"
expect_in err "Error: org.ferry.Migration1.Error." "watch names the error"
no_escapes "watch to a file"
ok "watch started before ferryd: waits, follows the resumed job, exit 5"

run resume
expect_rc 0 "resume of a failed job exits 0"
run watch
expect_rc 5 "watch after resume exits 5 (fails again in this build)"
expect_in out "Job resumed, attempt 3" "watch shows the third attempt"
run resume --json=short
expect_rc 0 "resume --json exits 0"
json_check 'd["Job"] == "/org/ferry/Migration1/job/fixturerunning"' "resume --json names the job"
run --json=short status
json_check 'd["JobProperties"]["Attempt"] >= 3' "attempts counted"
run acknowledge
expect_rc 0 "acknowledge exits 0"
ok "resume, watch again, acknowledge"

# --- a job whose operations are all done: it succeeds --------------------------------
rig_stop_ferryd
write_job done
rig_start_ferryd target
run watch
expect_rc 0 "watch of a succeeded job exits 0"
expect_in out "Congratulations! Migration was successfully completed." "watch congratulates"
expect_in out "Setup process was successful!" "... and says the manual's Result sentence"
expect_not_in out "Now please, in the event" "no DNS advice for a standalone source"
run acknowledge
expect_rc 0 "acknowledge of a succeeded job exits 0"
ok "watch of a succeeded job: exit 0"

# --- the same for an HA source: the manual's advice to revert the DNS ----------------
rig_stop_ferryd
write_job done-ha
rig_start_ferryd target
run watch
expect_rc 0 "watch of a succeeded HA job exits 0"
expect_in out "Setup process was successful!" "HA: the Result sentence"
expect_in out "Now please, in the event you have changed the DNS configuration, please modify the following adjustments to the DNS configuration to ensure:" "HA: the manual's revert advice"
expect_in out "  - The domain old.example.test is resolved with the IP address 127.0.0.77." "HA: ... with ferryd's names and addresses"
run acknowledge
expect_rc 0 "acknowledge of the HA job exits 0"

# --- watch across a ferryd crash ---------------------------------------------------------
# A job that stays running: the fixture's source 127.0.0.77 gets a peer
# port that accepts connections and never answers, so the running
# operation waits for its request timeout (30 s). ferryd is killed and
# started again while watch follows; watch must wait, catch up from the
# last event it saw (no event twice) and follow the new attempt. Closing
# the listener then fails the job at once.
rig_stop_ferryd
printf '[Migration]\nPeerPort=18977\nProbeTimeoutSec=30\n' >> "$RIG/target/ferry.conf"
python3 -c '
import signal, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.77", 18977))
s.listen(64)
print("listening", flush=True)
signal.pause()' >"$RIG/silent-peer.out" 2>&1 &
PEER=$!
RIG_PIDS+=($PEER)
rig_wait_for 10 grep -q listening "$RIG/silent-peer.out" || rig_fail "silent peer did not start"
write_job running
rig_start_ferryd target
job_state() {
    timeout "$CALL_TIMEOUT" "$FERRYCTL" --json=short status 2>/dev/null | python3 -c \
        'import json, sys; j = json.load(sys.stdin)["JobProperties"]; print(j["State"], j["Current"], j["Attempt"]) if j else print("none")'
}
job_is() { [ "$(job_state)" = "$1" ]; }
rig_wait_for 10 job_is "running source-maintenance 2" \
    || fail "the job is not running source-maintenance: $(job_state)"

LAST_CMD="ferryctl watch (across a ferryd crash)"
# Created here, not by the background redirection (which may run late).
: >"$RIG/watch-crash.out"
timeout 90 "$FERRYCTL" watch --reconnect-timeout=30 </dev/null >"$RIG/watch-crash.out" 2>"$RIG/watch-crash.err" &
WATCH=$!
rig_wait_for 10 grep -q "Job resumed, attempt 2" "$RIG/watch-crash.out" || fail "watch did not catch up"
disown "$FERRYD_PID" 2>/dev/null # no "Killed" notice from bash
kill -KILL "$FERRYD_PID"
rig_wait_for 10 sh -c '! busctl --system status org.ferry.Migration1 --no-pager' \
    || fail "org.ferry.Migration1 still owned after kill -9"
rig_wait_for 10 grep -q "ferryd left the bus" "$RIG/watch-crash.out" \
    || { cp "$RIG/watch-crash.out" "$RIG/out"; cp "$RIG/watch-crash.err" "$RIG/err"; fail "watch did not notice ferryd leaving"; }
kill -0 "$WATCH" 2>/dev/null || fail "watch exited when ferryd left the bus"
rig_start_ferryd target
rig_wait_for 10 grep -q "Job resumed, attempt 3" "$RIG/watch-crash.out" \
    || { cp "$RIG/watch-crash.out" "$RIG/out"; cp "$RIG/watch-crash.err" "$RIG/err"; fail "watch did not follow the new attempt"; }
kill "$PEER"   # the pending request is reset: the operation fails at once
wait "$PEER" 2>/dev/null
wait $WATCH
RC=$?
cp "$RIG/watch-crash.out" "$RIG/out"; cp "$RIG/watch-crash.err" "$RIG/err"
expect_rc 5 "watch across a crash exits 5 when the job fails"
expect_in out "ferryd is back; catching up after event" "watch says where it catches up"
for line in "Job resumed, attempt 2" "Job resumed, attempt 3" "Migration started from 127.0.0.77"; do
    [ "$(grep -cF -- "$line" "$RIG/out")" -eq 1 ] || fail "'$line' shown $(grep -cF -- "$line" "$RIG/out") times, expected once"
done
expect_in err "Migration failed in 'Place the source under maintenance'" "watch prints the final error"
run acknowledge
expect_rc 0 "acknowledge after the crash test exits 0"
ok "watch across a ferryd crash: waits, catches up without repeats, follows, exit 5"

# --- ferryd not running -----------------------------------------------------------------
rig_stop_ferryd
run status
expect_rc 4 "status without ferryd exits 4"
expect_in err "ferryd is not running" "status without ferryd says so"
run --json=short status
expect_rc 4 "status --json without ferryd exits 4"
json_check 'd["Error"]["Name"].startswith("org.freedesktop.DBus.Error.")' "unreachable by name"
run watch --reconnect-timeout=0
expect_rc 4 "watch --reconnect-timeout=0 without ferryd exits 4"
run watch --reconnect-timeout=1
expect_rc 4 "watch --reconnect-timeout=1 without ferryd exits 4"
run probe 127.0.0.9 --password-file="$RIG/password"
expect_rc 4 "probe without ferryd exits 4"
ok "without ferryd: exit 4"

echo "ferryctl: all $N checks passed"
