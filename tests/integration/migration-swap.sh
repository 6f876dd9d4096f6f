#!/usr/bin/env bash
# A standalone migration with Swap Configuration end to end on real parts,
# with the reboot of both systems played on one machine: the source at
# address A, the target at address B (free 127.0.0.x), each with its own
# mariadbd; the real ferry-peer on the source, the real ferryd on a private
# system bus, driven by ferryctl start --swap.
#
# TEST DOUBLES (no systemd as PID 1 and no logind on this machine):
# systemd's manager (systemd_double.cpp, records RestartUnit) and logind
# (login1_double.cpp: records Reboot and reboots nothing). When the login1
# double has recorded the Reboot of BOTH sides, ferryd's on the target and
# ferry-peer's on the source, this script "reboots" both systems the way
# their boot would: SIGTERM to ferryd and ferry-peer, both mariadbd
# stopped; on the source the boot unit's `ferry-peer --apply-staged`; then
# the source's mariadbd and ferry-peer come up at B and the target's
# mariadbd at A (the addresses exchanged, as each appliance's network
# settings now say), and ferryd starts again with a new boot id
# (FERRY_BOOT_ID), before the source's ferry-peer this time, resumes the job
# by itself, waits for the source and reaches it at B.
# The container rig (tests/containers) reboots real systems through the
# real logind.
#
# Verified: the job succeeds on the same object path with Attempt
# incremented; its State was "rebooting" while it waited; a kill -9 of
# ferryd while it waits and a start in the same boot asks nobody again; GetEvents(0) is
# the whole history across the reboot; the tables are equal; the target
# has exactly the source's former settings (network with A) and the
# source exactly the target's former settings (network with B); license,
# certificates, logs and services as in the standalone test; the token
# from before the reboot is accepted from the source's former address only
# after the staged settings were applied, and revoked at the end; the
# password is nowhere.
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
RIG_EXIT_HOOKS+=(mdb_kill_all)

ROWS=${FERRY_TEST_ROWS:-50000}
boot_id() { tr -d '-' < /proc/sys/kernel/random/uuid; }

PASSWORD="Adm1n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$PASSWORD" > "$RIG/password"; chmod 600 "$RIG/password"

A=$(mdb_pick_address 127.0.0.2 127.0.0.12 127.0.0.22) || rig_fail "no free address"
B=$(mdb_pick_address 127.0.0.3 127.0.0.13 127.0.0.23 | grep -vx "$A") || rig_fail "no free address"
# A client address that is neither (for the token binding checks).
C=$(mdb_pick_address 127.0.0.4 127.0.0.14 127.0.0.24 | grep -vx -e "$A" -e "$B") || rig_fail "no free address"
rig_log "source at A=$A, target at B=$B"

rig_start_bus
"$BUILD/tests/integration/systemd-double" --record="$RIG/restarts.log" >"$RIG/systemd-double.log" 2>&1 &
RIG_PIDS+=($!)
# CanReboot "na" at first: the source's ferry-peer refuses the first reboot
# request (the source's power cut after modify-source, below).
"$BUILD/tests/integration/login1-double" --record="$RIG/reboots.rec" --can-reboot=na >"$RIG/login1-double.log" 2>&1 &
LOGIN1_PID=$!
RIG_PIDS+=($LOGIN1_PID)
rig_wait_for 10 busctl --system status org.freedesktop.systemd1 --no-pager || rig_fail "systemd double"
rig_wait_for 10 busctl --system status org.freedesktop.login1 --no-pager || rig_fail "login1 double"
touch "$RIG/reboots.rec"

app_make source "$A" yes active
app_make target "$B" no
app_fill_logs source 4
app_start_mariadb_tls source
app_start_mariadb target
python3 "$SRC/tests/rig/gen_dataset.py" --socket "$RIG/source/db/mysqld.sock" --rows "$ROWS" \
    >"$RIG/gen.log" 2>&1 || rig_fail "dataset generation failed"
app_start_peer source "$RIG/password"
PEER_PID=$APP_PEER_PID_source
BOOT1=$(boot_id)
FERRY_BOOT_ID=$BOOT1 rig_start_ferryd target
FERRYD1=$FERRYD_PID

cp -a "$RIG/target/settings" "$RIG/target-settings-before"
cp -a "$RIG/source/settings" "$RIG/source-settings-before"
cp "$RIG/source/license.conf" "$RIG/source-license-before"
app_table_sums source > "$RIG/sums-source"
app_objects source > "$RIG/objects-source"

MGR=(org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1)
prop() { busctl --system get-property "$@" 2>/dev/null | sed -E 's/^[a-z]+ "?//; s/"$//'; }
job_prop() { prop org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job "$1"; }
events() { # GetEvents(0) as JSON lines: seq type data
    busctl --system --json=short call org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job GetEvents t 0 |
        "$SRC/tests/lib/job_events.py" from-busctl
}

# --- Probe, Start with Swap Configuration ------------------------------------
"$FERRYCTL" --json=short probe "$A" --password-file="$RIG/password" > "$RIG/probe.json" 2>"$RIG/probe.err"
check "probe succeeded" [ $? -eq 0 ]
"$FERRYCTL" plan --swap --license --logs > "$RIG/plan.txt" 2>&1
check "plan with swap, license and logs" [ $? -eq 0 ]
check "the plan has the reboot" grep -q "Reboot" "$RIG/plan.txt"
"$FERRYCTL" start --swap --license --logs --yes --no-ask-password > "$RIG/start.txt" 2>&1
rc=$?
check "start --swap (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || { cat "$RIG/start.txt" >&2; rig_fail "no job"; }
JOB=$(prop "${MGR[@]}" Job)
rig_log "job $JOB"
check "a job object" [ "${JOB#/org/ferry/Migration1/job/}" != "$JOB" ]

( for i in $(seq 1500); do ps -eo pid,args >> "$RIG/ps.log"; sleep 0.2; done ) &
PS_PID=$!
RIG_PIDS+=($PS_PID)

# --- A power cut of the target after copy-settings, before the reboot -----------
# (issue 14) With Swap, copy-settings computes this system's new settings,
# the source's, network section (address A) included. They must take
# effect only at the boot the reboot operation asks for: a boot before it
# must bring the target up with its OWN settings (address B, while the
# source still has A), and the resumed job must still reach the reboot.
# Played here: kill -9 of ferryd as soon as copy-settings is done, then
# what the target's boot does (ferry-apply-staged.service, i.e. ferry-peer
# --apply-staged with the target's ferry.conf), then ferryd with a new
# boot id, which resumes the job by itself.
printf '\n[Peer]\nStateDirectory=%s\n' "$RIG/target/peer/state" >> "$RIG/target/ferry.conf"
python3 - "$RIG/target/state/job.json" <<'PY'
import json, sys, time
end = time.time() + 120
while time.time() < end:
    try:
        j = json.load(open(sys.argv[1]))
        if [o for o in j["operations"] if o["id"] == "copy-settings"][0]["state"] == "done":
            sys.exit(0)
    except (OSError, ValueError, KeyError, IndexError):
        pass
    time.sleep(0.005)
sys.exit(1)
PY
check "copy-settings done" [ $? -eq 0 ]
kill -9 "$FERRYD1"; wait "$FERRYD1" 2>/dev/null
rig_wait_for 10 sh -c '! busctl --system status org.ferry.Migration1 --no-pager' || rig_fail "name still owned"
check "the power cut came before the reboot operation" python3 -c "
import json; j = json.load(open('$RIG/target/state/job.json'))
assert [o for o in j['operations'] if o['id'] == 'reboot'][0]['state'] == 'pending', j"
"$BUILD/peer/ferry-peer" --config="$RIG/target/ferry.conf" --apply-staged >>"$RIG/peer-target.log" 2>&1
check "the target's boot: ferry-peer --apply-staged" [ $? -eq 0 ]
check "after that boot the target still has its own settings (network with B)" \
    diff -r "$RIG/target-settings-before" "$RIG/target/settings"
check "... and its new ones wait, held back until the reboot is requested" \
    diff -r "$RIG/source-settings-before" "$RIG/target/settings.staged.held"
BOOT1=$(boot_id)
FERRY_BOOT_ID=$BOOT1 rig_start_ferryd target
FERRYD1=$FERRYD_PID

# --- A power cut of the source between modify-source and the reboot request ------
# (issue 14) modify-source gives the source the target's settings (address
# B) for the Swap reboot. A boot of the source before the target asks for
# that reboot must bring it up with its OWN settings (address A): the target
# still has B until its own reboot. Played here: the source's logind refuses
# the first reboot (the login1 double's CanReboot says "na"), so the job
# stops with modify-source done and the request refused; the source then
# loses power and boots (kill -9 of ferry-peer, ferry-peer --apply-staged
# with the source's ferry.conf); then logind allows the reboot, ferry-peer
# starts again and Resume() goes on to the Swap.
state=
for i in $(seq 1500); do # 0.2 s each: at most 5 minutes
    state=$(job_prop State)
    [ "$state" = failed ] || [ "$state" = succeeded ] && break # "rebooting" comes first
    sleep 0.2
done
check "the job stopped at the source's refusal of the reboot (state $state)" [ "$state" = failed ]
check "... with that refusal as its error" sh -c "busctl --system get-property org.ferry.Migration1 '$JOB' \
    org.ferry.Migration1.Job Error | grep -q 'did not accept the reboot'"
check "... after modify-source" python3 -c "
import json; j = json.load(open('$RIG/target/state/job.json'))
assert [o for o in j['operations'] if o['id'] == 'modify-source'][0]['state'] == 'done', j"
kill -9 "$PEER_PID"; wait "$PEER_PID" 2>/dev/null
"$BUILD/peer/ferry-peer" --config="$RIG/source/ferry.conf" --apply-staged >>"$RIG/peer-source.log" 2>&1
check "the source's boot: ferry-peer --apply-staged" [ $? -eq 0 ]
check "after that boot the source still has its own settings (network with A)" \
    diff -r "$RIG/source-settings-before" "$RIG/source/settings"
check "... and the target's wait for it, held back until the reboot is requested" \
    diff -r "$RIG/target-settings-before" "$RIG/source/settings.staged.held"
check "... nothing staged for a boot" [ ! -e "$RIG/source/settings.staged" ]
kill "$LOGIN1_PID"; wait "$LOGIN1_PID" 2>/dev/null
rig_wait_for 10 sh -c '! busctl --system status org.freedesktop.login1 --no-pager' || rig_fail "login1 double still there"
"$BUILD/tests/integration/login1-double" --record="$RIG/reboots.rec" >>"$RIG/login1-double.log" 2>&1 &
RIG_PIDS+=($!)
rig_wait_for 10 busctl --system status org.freedesktop.login1 --no-pager || rig_fail "login1 double"
app_run_peer source
PEER_PID=$APP_PEER_PID_source
busctl --system call org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Resume >/dev/null
check "Resume() after the source's boot" [ $? -eq 0 ]

# A front end that stays connected across the reboot (it waits for ferryd
# to come back and catches up).
"$FERRYCTL" watch --reconnect-timeout=300 > "$RIG/watch.txt" 2>&1 &
WATCH_PID=$!
RIG_PIDS+=($WATCH_PID)

# --- Until both sides have asked logind to reboot ------------------------------
: > "$RIG/states.log"
both=
for i in $(seq 3000); do # 0.1 s each: at most 5 minutes
    s=$(job_prop State)
    echo "$s" >> "$RIG/states.log"
    [ "$s" = failed ] && { busctl --system get-property org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Error >&2; break; }
    if grep -q "pid=$FERRYD1 " "$RIG/reboots.rec" && grep -q "pid=$PEER_PID " "$RIG/reboots.rec"; then
        both=1
        break
    fi
    sleep 0.1
done
check "both sides asked logind to reboot" [ -n "$both" ]
[ -n "$both" ] || { cat "$RIG/reboots.rec" >&2; rig_fail "no reboot requested"; }
sleep 0.5 # ferryd now waits to be stopped
check "Job.State is rebooting while ferryd waits for the reboot" [ "$(job_prop State)" = rebooting ]
check "Manager.State is rebooting" [ "$(prop "${MGR[@]}" State)" = rebooting ]
check "rebooting was seen while polling" grep -qx rebooting "$RIG/states.log"
check "both Reboot calls non-interactive" [ "$(grep -c 'Reboot interactive=0 ' "$RIG/reboots.rec")" -eq 2 ]
check "the source asked exactly once" [ "$(grep -c "pid=$PEER_PID " "$RIG/reboots.rec")" -eq 1 ]
ATTEMPT1=$(job_prop Attempt)
events > "$RIG/events-before"
check "the journal says rebooting" python3 -c "
import json; j = json.load(open('$RIG/target/state/job.json'))
op = [o for o in j['operations'] if o['id'] == 'reboot'][0]
assert j['state'] == 'rebooting', j['state']
assert op['checkpoint']['requested'] and op['checkpoint']['boot_id'] == '$BOOT1', op
assert op['checkpoint']['source_asked'], op"
check "staged settings are waiting on the source" diff -r "$RIG/target-settings-before" "$RIG/source/settings.staged"
check "the target's own settings are still live while it waits for the reboot" \
    diff -r "$RIG/target-settings-before" "$RIG/target/settings"
check "the target's new settings (the source's) are staged for its boot" \
    diff -r "$RIG/source-settings-before" "$RIG/target/settings.staged"
check "... and no longer held" [ ! -e "$RIG/target/settings.staged.held" ]

# kill -9 of ferryd while it waits, and a start in the same boot: the
# checkpoint says that the source and logind said yes, so nobody is asked
# again (a system whose boot id does not change cannot reboot in a loop);
# ferryd waits for the shutdown.
kill -9 "$FERRYD1"; wait "$FERRYD1" 2>/dev/null
rig_wait_for 10 sh -c '! busctl --system status org.ferry.Migration1 --no-pager' || rig_fail "name still owned"
FERRY_BOOT_ID=$BOOT1 rig_start_ferryd target
rig_wait_for 30 grep -q "logind was asked to reboot in this boot already" "$RIG/ferryd-target.log"
check "after kill -9 in the same boot ferryd waits for the reboot again" [ $? -eq 0 ]
check "... in state rebooting" [ "$(job_prop State)" = rebooting ]
check "... without asking anyone a second time" [ "$(grep -c . "$RIG/reboots.rec")" -eq 2 ]
check "... attempt $(job_prop Attempt) after $ATTEMPT1" [ "$(job_prop Attempt)" -gt "$ATTEMPT1" ]
ATTEMPT1=$(job_prop Attempt)
events > "$RIG/events-before"

# The token of the job (a header file, never on a command line).
python3 -c "import json; print('Authorization: Bearer ' + json.load(open('$RIG/target/state/job.json'))['source']['token'])" \
    > "$RIG/auth-header"
chmod 600 "$RIG/auth-header"
describe_from() { # CLIENT_ADDRESS PEER_ADDRESS -> HTTP status
    curl -sk -o /dev/null -w '%{http_code}' --interface "$1" -H @"$RIG/auth-header" "https://$2/ferry/v1/describe"
}
check "before the reboot the token is not valid from the source's own address" [ "$(describe_from "$A" "$A")" = 401 ]

# --- The "reboot" of both systems ---------------------------------------------
rig_log "rebooting both systems"
rig_stop_ferryd
kill "$PEER_PID"; wait "$PEER_PID" 2>/dev/null
mdb_stop source
mdb_stop target
check "the journal still says rebooting after ferryd stopped" \
    python3 -c "import json,sys; sys.exit(json.load(open('$RIG/target/state/job.json'))['state'] != 'rebooting')"
# The source's boot: its boot unit applies the staged settings before the
# network comes up.
"$BUILD/peer/ferry-peer" --config="$RIG/source/ferry.conf" --apply-staged >>"$RIG/peer-source.log" 2>&1
check "ferry-peer --apply-staged" [ $? -eq 0 ]
# The target's boot: the same unit applies the settings the reboot
# operation staged.
"$BUILD/peer/ferry-peer" --config="$RIG/target/ferry.conf" --apply-staged >>"$RIG/peer-target.log" 2>&1
check "ferry-peer --apply-staged on the target" [ $? -eq 0 ]
check "the source recorded its former address A" python3 -c "
import json; d = json.load(open('$RIG/source/peer/state/former-address.json'))
assert d['address'] == '$A', d"
check "tokens persisted as hashes, 0600 in a 0700 directory" sh -c "
[ \"\$(stat -c %a '$RIG/source/peer/state')\" = 700 ] && [ \"\$(stat -c %a '$RIG/source/peer/state/tokens.json')\" = 600 ] &&
! grep -qF \"\$(cut -d' ' -f3 '$RIG/auth-header')\" '$RIG/source/peer/state/tokens.json'"
grep -q "^Address=$B\$" "$RIG/source/settings/network.conf"
check "the source's network settings now say B" [ $? -eq 0 ]
grep -q "^Address=$A\$" "$RIG/target/settings/network.conf"
check "the target's network settings now say A" [ $? -eq 0 ]
# Both come up at their new addresses.
APP_ADDR_source=$B
APP_ADDR_target=$A
app_start_mariadb_tls source
app_start_mariadb target
start_source_peer() { # at B now
    app_run_peer source
    PEER_PID=$APP_PEER_PID_source
}
start_source_peer
check "after the reboot the token works from the source's former address A" [ "$(describe_from "$A" "$B")" = 200 ]
check "... and not from another address" [ "$(describe_from "$C" "$B")" = 401 ]
# The source boots more slowly than the target this time: ferryd comes
# back first and waits for it.
kill "$PEER_PID"; wait "$PEER_PID" 2>/dev/null

BOOT2=$(boot_id)
FERRY_BOOT_ID=$BOOT2 rig_start_ferryd target
rig_wait_for 30 grep -q "Waiting for the source to come back at $B" "$RIG/ferryd-target.log"
check "ferryd resumed by itself and waits for the source at B" [ $? -eq 0 ]
check "... as job state running, operation reboot" \
    [ "$(job_prop State)/$(job_prop Current)" = running/reboot ]
sleep 2
start_source_peer

# --- Resumed by itself: wait for the end ----------------------------------------
state=
for i in $(seq 1200); do # at most 4 minutes
    state=$(job_prop State)
    [ "$state" = succeeded ] || [ "$state" = failed ] && break
    sleep 0.2
done
check "job succeeded after the reboot (state $state)" [ "$state" = succeeded ]
[ "$state" = succeeded ] || busctl --system get-property org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Error >&2
check "the same job path after the reboot" [ "$(prop "${MGR[@]}" Job)" = "$JOB" ]
ATTEMPT2=$(job_prop Attempt)
check "Attempt incremented ($ATTEMPT1 -> $ATTEMPT2)" [ "$ATTEMPT2" -gt "$ATTEMPT1" ]
for i in $(seq 100); do kill -0 "$WATCH_PID" 2>/dev/null || break; sleep 0.1; done
wait "$WATCH_PID"; rc=$?
check "ferryctl watch followed the job across the reboot (exit $rc)" [ $rc -eq 0 ]
check "watch showed the final operation" grep -q "Final operations" "$RIG/watch.txt"
kill "$PS_PID" 2>/dev/null; wait "$PS_PID" 2>/dev/null

# --- History across the reboot ---------------------------------------------------
events > "$RIG/events-after"
check "the events before the reboot are the start of the history after it" \
    "$SRC/tests/lib/job_events.py" prefix "$RIG/events-before" "$RIG/events-after"
# Four starts: after the power cut following copy-settings, Resume() after
# the source's refusal and power cut, after the kill -9 in the same boot,
# then after the reboot.
check "GetEvents(0): complete, in order, across the reboot" "$SRC/tests/lib/job_events.py" order "$RIG/events-after" \
    job-started op:copy-settings:done resumed:rebooted=true,attempt=2 \
    op:modify-source:done op:reboot:failed finished:failed resumed:attempt=3 op:reboot:running state:rebooting \
    resumed:rebooted=false,attempt=4 state:rebooting resumed:rebooted=true,attempt=5 \
    state:running op:reboot:done op:update-certificates:done op:restart-services:done op:copy-syslog:done \
    op:final:done finished:succeeded
check "the source's current address in the journal is B" python3 -c "
import json; s = json.load(open('$RIG/target/state/job.json'))['source']
assert s['address'] == '$A' and s['current_address'] == '$B', s"

# --- Verification ------------------------------------------------------------------
app_table_sums target > "$RIG/sums-target"
check "every table: same row count and checksum ($(wc -l < "$RIG/sums-source") tables)" \
    cmp -s "$RIG/sums-source" "$RIG/sums-target"
app_objects target > "$RIG/objects-target"
check_same_objects "source and target" "$RIG/objects-source" "$RIG/objects-target"
app_table_sums source > "$RIG/sums-source-after"
check "the source kept its data" cmp -s "$RIG/sums-source" "$RIG/sums-source-after"
check "the target's settings are exactly the source's former ones (network with A)" \
    diff -r "$RIG/source-settings-before" "$RIG/target/settings"
check "the source's settings are exactly the target's former ones (network with B)" \
    diff -r "$RIG/target-settings-before" "$RIG/source/settings"
check "nothing left staged on the source" [ ! -e "$RIG/source/settings.staged" ]
check "nothing left staged or held on the target" \
    [ ! -e "$RIG/target/settings.staged" ] && [ ! -e "$RIG/target/settings.staged.held" ]
for f in "$RIG"/source/logs/*; do
    check "log $(basename "$f") byte-identical" cmp -s "$f" "$RIG/target/logs/$(basename "$f")"
done
check "certificate moved" cmp -s "$RIG/source/certs/server.pem" "$RIG/target/certs/server.pem"
check "license installed on the target" grep -q "^Guid=$(sed -n 's/^Guid=//p' "$RIG/source-license-before")" "$RIG/target/license.conf"
check "license released on the source" grep -q '^State=released' "$RIG/source/license.conf"
check "with Swap the source left maintenance (it serves under the target's former identity)" [ ! -e "$RIG/source/maintenance" ]
check "the license was released to the source's former address (where this system is now)" grep -q "=$A\$" "$RIG/source/license.conf"
check "services restarted through systemd's API" grep -q 'RestartUnit hotspot-portal.service replace' "$RIG/restarts.log"
check "the source's services were not stopped (Swap)" sh -c "! grep -q 'StopUnit' '$RIG/restarts.log'"
check "the source recorded the migration with Swap" grep -qs '^Swap=yes' "$RIG/source/migrated.conf"
check "temporary MariaDB account gone" [ -z "$(mdb_sql source "SELECT user FROM mysql.user WHERE user LIKE 'ferry%'")" ]
check "the token is revoked at the end" [ "$(describe_from "$A" "$B")" = 401 ]
check "no Reboot after the reboot" [ "$(grep -c . "$RIG/reboots.rec")" -eq 2 ]
grep -rqF --exclude=password -e "$PASSWORD" "$RIG"; rc=$?
check "the password is nowhere under the rig (grep exit $rc)" [ $rc -eq 1 ]
check "ps sampled ($(grep -c . "$RIG/ps.log") lines) and the password is not in it" \
    sh -c "[ -s '$RIG/ps.log' ] && ! grep -qF -e '$PASSWORD' '$RIG/ps.log'"
"$FERRYCTL" status > "$RIG/status.txt"
check "ferryctl status: succeeded" grep -q "succeeded" "$RIG/status.txt"

[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: migration with Swap Configuration across the reboot of both systems"
