#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A hostile source (issue 14 defect 9): every JSON answer ferryd reads from
# the source's peer API comes once with the right keys and values of the
# wrong JSON type (tests/faults/hostile_peer.py, a TEST DOUBLE of a
# compromised source in front of the real ferry-peer, holding the source's
# own key so the pin matches). Probe is called until it succeeds and the job
# resumed after each failure until it completes: every failure must be a
# named error, ferryd must stay alive throughout (a wrong JSON
# type used to throw nlohmann's type_error on a worker thread and terminate
# ferryd), and the migration must complete and verify in the end.
#
#   hostile-peer.sh SOURCE_ROOT BUILD_DIR
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
FERRY_FAULT_ROWS=${FERRY_FAULT_ROWS:-2000}
FERRY_FAULT_LOG_MB=${FERRY_FAULT_LOG_MB:-2}
FAULT_PROXY_PORTS="80 3306" # 443 is the hostile front's
source "$SRC/tests/faults/lib.sh"
fault_need_root
RIG_EXIT_HOOKS+=(mdb_kill_all)

start_hostile() {
    python3 "$FAULTS_DIR/hostile_peer.py" --listen "$SRC_ADDR:443" --upstream "$SRC_REAL:443" \
        --bind "$TGT_ADDR" --cert "$RIG/source/certs/server.pem" --key "$RIG/source/certs/server.key" \
        --record "$RIG/corrupted" >"$RIG/hostile.log" 2>&1 &
    RIG_PIDS+=($!)
    rig_wait_for 10 grep -q ready "$RIG/hostile.log" || rig_fail "hostile_peer.py: $(cat "$RIG/hostile.log")"
}
FAULT_BEFORE_FERRYD=start_hostile
fault_rig --proxy
touch "$RIG/corrupted"

alive() { kill -0 "$FERRYD_PID" 2>/dev/null && busctl --system get-property org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 State >/dev/null 2>&1; }
corrupted() { wc -l < "$RIG/corrupted"; }

# --- A wrong password: the source's 401 answer with wrong types ---------------------
# (json::value() on the error's fields threw type_error on the probe thread.)
out=$(gdbus call --address "$DBUS_SYSTEM_BUS_ADDRESS" --timeout 120 --dest org.ferry.Migration1 \
    --object-path /org/ferry/Migration1 --method org.ferry.Migration1.Probe "$SRC_ADDR" "not-the-password" '{}' 2>&1)
name=$(grep -o 'GDBus\.Error:[A-Za-z0-9_.]*' <<<"$out" | head -n1)
check "Probe with a wrong password, its 401 corrupted: a named error (${name#GDBus.Error:})" \
    grep -q '^GDBus.Error:org.ferry.Migration1.Error.' <<<"$name"
check "... ferryd alive" alive
alive || rig_fail "ferryd died: $(tail -5 "$RIG/ferryd-target.log")"

# --- Probe until it succeeds -------------------------------------------------------
probed=
for i in $(seq 20); do
    out=$(gdbus call --address "$DBUS_SYSTEM_BUS_ADDRESS" --timeout 120 --dest org.ferry.Migration1 \
        --object-path /org/ferry/Migration1 --method org.ferry.Migration1.Probe "$SRC_ADDR" "$PASSWORD" '{}' 2>&1) \
        && { probed=1; break; }
    name=$(grep -o 'GDBus\.Error:[A-Za-z0-9_.]*' <<<"$out" | head -n1)
    check "Probe $i after $(tail -n1 "$RIG/corrupted"): a named error (${name#GDBus.Error:})" \
        grep -q '^GDBus.Error:org.ferry.Migration1.Error.' <<<"$name"
    check "Probe $i: ferryd alive" alive
    alive || rig_fail "ferryd died: $(tail -5 "$RIG/ferryd-target.log")"
done
check "Probe succeeded after $((i - 1)) failure(s)" [ -n "$probed" ]
rig_log "Probe: $(corrupted) answers corrupted so far"

# --- The job, resumed after every failure -------------------------------------------
JOB=$("$FERRYCTL" start --license --logs --yes --no-ask-password 2>&1) || rig_fail "start: $JOB"
JOB=$(grep -o '/org/ferry/Migration1/job/[a-z0-9]*' <<<"$JOB")
FAILURES=0
for i in $(seq 60); do
    fault_wait_end 300
    [ "$END_STATE" = failed ] || break
    FAILURES=$((FAILURES + 1))
    e=$(fault_error)
    check "job failure $FAILURES after $(tail -n1 "$RIG/corrupted"): a named error (${e%%|*} in $(cut -d'|' -f2 <<<"$e"): $(cut -d'|' -f3 <<<"$e"))" \
        grep -q '^org\.ferry\.Migration1\.Error\.[A-Za-z]*|' <<<"$e"
    check "job failure $FAILURES: ferryd alive" alive
    alive || rig_fail "ferryd died: $(tail -5 "$RIG/ferryd-target.log")"
    "$FERRYCTL" resume >/dev/null 2>&1 || bad "ferryctl resume failed"
done
check "the job ended ($END_STATE) and ferryd is alive" alive
check "the job succeeded after $FAILURES failure(s)" [ "$END_STATE" = succeeded ]
fault_verify "the migration through the hostile source"
rig_log "answers corrupted: $(corrupted) distinct (method, path):"
sed 's/^/    /' "$RIG/corrupted"
[ "$(corrupted)" -ge 10 ] && ok "$(corrupted) endpoints answered with wrong types" ||
    bad "only $(corrupted) endpoints corrupted"

[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: a hostile source's wrong JSON types give named errors; ferryd stays alive"
