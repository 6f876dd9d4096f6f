#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Acknowledge() of a failed job while the source stalls (issue 14 defect 3).
# Acknowledging a failed job asks the source's ferry-peer to drop the
# temporary account and revoke the tokens: network requests of up to
# 12 x ProbeTimeoutSec each. They run off ferryd's main loop: while they
# hang on a stalled link, property reads keep answering (every read within
# 100 ms, measured from one bus connection), a second Acknowledge() and a
# Resume() answer Busy at once, and the Acknowledge() itself ends (here in
# success: the clean-up is best effort) without ferryd being stuck.
#
# The link: tests/faults/tcp_proxy.py between the target and the source
# (fault_rig --proxy); "stall 443" accepts connections and moves no byte.
#
#   ack-stall.sh SOURCE_ROOT BUILD_DIR
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
PROBE_TIMEOUT=10
FAULT_TARGET_MIGRATION="ProbeTimeoutSec=$PROBE_TIMEOUT"
FERRY_FAULT_ROWS=${FERRY_FAULT_ROWS:-2000}
FERRY_FAULT_LOG_MB=${FERRY_FAULT_LOG_MB:-1}
source "$SRC/tests/faults/lib.sh"
fault_need_root
RIG_EXIT_HOOKS+=(mdb_kill_all)
# python3-dbus is Debian's: the python3 that has it (a pyenv python3 first in
# PATH may not).
PYDBUS=
for py in python3 /usr/bin/python3; do
    (cd / && "$py" -c 'import dbus.bus') 2>/dev/null && { PYDBUS=$py; break; }
done
[ -n "$PYDBUS" ] || { echo "SKIP: python3-dbus missing (tools/deps installs it)" >&2; exit 77; }

fault_rig --proxy

# A failed job: the link goes down when modify-source starts.
rm -f "$RIG/ready"
python3 "$DRIVER" fire --timeout 200 --ready "$RIG/ready" --journal "$RIG/target/state/job.json" \
    --op modify-source --ctl "$RIG/proxy.ctl" down all > "$RIG/fire.out" &
FIRE=$!
rig_wait_for 10 test -e "$RIG/ready" || rig_fail "the waiter did not subscribe"
fault_probe_start
wait $FIRE
fault_wait_end 300
check "the job failed with the link down ($END_STATE)" [ "$END_STATE" = failed ]
fault_expect_named_error "link down"

# The source answers again, but the link stalls: connections open, no byte moves.
proxy up all >/dev/null
proxy stall 443 >/dev/null
rm -f "$RIG/stop-latency"
"$PYDBUS" "$FAULTS_DIR/bus_latency.py" --stop "$RIG/stop-latency" --max-seconds 240 \
    /org/ferry/Migration1 "$JOB" > "$RIG/latency.json" 2>"$RIG/latency.err" &
LAT=$!
sleep 1 # a few reads before the Acknowledge, as a baseline
gd() { # METHOD ARGS...: the D-Bus error name or OK
    local out
    out=$(gdbus call --address "$DBUS_SYSTEM_BUS_ADDRESS" --timeout "${GD_TIMEOUT:-10}" --dest org.ferry.Migration1 \
        --object-path "$JOB" --method "org.ferry.Migration1.Job.$1" "${@:2}" 2>&1) && { echo OK; return; }
    grep -o 'GDBus\.Error:[A-Za-z0-9_.]*' <<<"$out" | head -n1 | sed 's/^GDBus\.Error://' | grep . || echo "UNPARSED($out)"
}
T0=$(date +%s.%N)
( GD_TIMEOUT=200 gd Acknowledge > "$RIG/ack.out"; date +%s.%N > "$RIG/ack.end" ) &
ACK=$!
sleep 1 # the Acknowledge's first request hangs now (for ProbeTimeoutSec: the TLS handshake)
check "a second Acknowledge() meanwhile -> Busy" [ "$(GD_TIMEOUT=5 gd Acknowledge)" = org.ferry.Migration1.Error.Busy ]
check "Resume() meanwhile -> Busy" [ "$(GD_TIMEOUT=5 gd Resume)" = org.ferry.Migration1.Error.Busy ]
check "the job is still there meanwhile" [ "$(job_state)" = failed ]
wait $ACK
T1=$(cat "$RIG/ack.end")
ACK_SECS=$(python3 -c "print(round($T1 - $T0, 1))")
touch "$RIG/stop-latency"
wait $LAT
rig_log "Acknowledge(): $(cat "$RIG/ack.out") after ${ACK_SECS} s; reads: $(cat "$RIG/latency.json")"
check "Acknowledge() ended in success or a named error ($(cat "$RIG/ack.out"))" \
    grep -qx 'OK\|org\.ferry\.Migration1\.Error\.[A-Za-z]*' "$RIG/ack.out"
check "... after the stalled requests gave up (${ACK_SECS} s >= $PROBE_TIMEOUT s)" \
    python3 -c "import sys; sys.exit(0 if $ACK_SECS >= $PROBE_TIMEOUT else 1)"
check "property reads answered within 100 ms throughout ($(cat "$RIG/latency.json"))" python3 -c "
import json, sys; d = json.load(open('$RIG/latency.json'))
sys.exit(0 if d['reads'] >= 50 and d['slow'] == 0 else 1)"
check "ferryd is alive" kill -0 "$FERRYD_PID"
check "the job is gone after the Acknowledge" \
    [ "$(busctl --system get-property org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 Job)" = 'o "/"' ]
grep -q "Could not clear the temporary account and tokens" "$RIG/ferryd-target.log" &&
    rig_log "ferryd logged the clean-up it could not do (best effort)"

[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: Acknowledge() off the main loop"
