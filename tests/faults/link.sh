#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Link cuts and stalls between the target and the source (docs/faults.md).
# The source's services listen on SRC_REAL; the target reaches them at
# SRC_ADDR through tests/faults/tcp_proxy.py (ports 80, 443 and 3306,
# forwarded from the target's own address, so the source sees the same
# client). Each fault is armed on the job's signals, then:
#
#   L1 3306 cut in copy-data          (connections reset)
#   L2 3306 stalled in copy-data      (no byte moves, longer than DataReadTimeoutSec)
#   L3 the link down when modify-source starts (every port refuses)
#   L4 443 cut in copy-syslog         (a log download broken off)
#   L5 443 stalled in copy-syslog     (longer than 12 x ProbeTimeoutSec)
#   L6 443 stalled when final starts  (a request that never gets its answer)
#
# Every one must end in a failed job with a named error and a remedy and
# nothing half-applied (verified tables equal, verified logs identical, no
# partial file under its final name, the license either released and
# installed or neither); the link recovers, `ferryctl resume` continues from
# the checkpoint, and the migration completes and is verified.
#
#   link.sh SOURCE_ROOT BUILD_DIR      (FERRY_FAULT_SEED reproduces the points)
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
# Short stall timeouts, so that a stall is found in seconds: peer requests
# and downloads give up after 12 x ProbeTimeoutSec without progress, the
# data copy after DataReadTimeoutSec without a byte from MariaDB.
PROBE_TIMEOUT=2
DATA_TIMEOUT=6
FAULT_TARGET_MIGRATION="ProbeTimeoutSec=$PROBE_TIMEOUT DataReadTimeoutSec=$DATA_TIMEOUT"
FERRY_FAULT_ROWS=${FERRY_FAULT_ROWS:-200000}
# Logs big enough for Progress signals (4 a second) during their copy.
FERRY_FAULT_LOG_MB=${FERRY_FAULT_LOG_MB:-96}
source "$SRC/tests/faults/lib.sh"
fault_need_root
RIG_EXIT_HOOKS+=(mdb_kill_all)

SEED=${FERRY_FAULT_SEED:-$(( $(date +%s) % 100000 ))}
echo "FERRY_FAULT_SEED=$SEED"
# The points: bytes through the proxy after the operation started (the
# proxy itself cuts or stalls at that byte: exactly mid-stream). The data
# copy moves ~45 MB for the default data set, the log copy ~96 MB.
read -r B1 B2 B4 B5 < <(python3 -c '
import random, sys
r = random.Random("ferry-link:" + sys.argv[1])
mb = 1 << 20
print(r.randint(2 * mb, 20 * mb), r.randint(2 * mb, 20 * mb), r.randint(4 * mb, 40 * mb), r.randint(4 * mb, 40 * mb))' "$SEED")
rig_log "points (bytes after the operation started): L1 $B1, L2 $B2, L4 $B4, L5 $B5"

fault_rig --proxy
FAULT_FIRE_TIMEOUT=200
grep -q "^DataReadTimeoutSec=$DATA_TIMEOUT" "$RIG/target/ferry.conf" || rig_fail "DataReadTimeoutSec not set"

# The license: released on the source and installed here, or neither.
license_whole() {
    local released=no installed=no
    grep -q '^State=released' "$RIG/source/license.conf" && released=yes
    [ -s "$RIG/target/license.conf" ] && installed=yes
    # Released before the install is what a resume completes (final's
    # checkpoint); released and not installed with final done would be a loss.
    if [ $released = $installed ] || [ "$(journal_field op-states | grep -o 'final=[a-z]*')" != final=done ]; then
        ok "$1: license released=$released installed=$installed (final not done: the resume completes it)"
    else
        bad "$1: license released=$released installed=$installed"
    fi
}
FAULT_AFTER_FAILURE=license_whole

stalled() { # LABEL PORT SECONDS: how long the job took to fail after the stall
    [ "$END_STATE" = failed ] || return 0
    local t=$(( FAILED_AT - STALL_AT ))
    rig_log "$1: failed ${t}s after the stall began"
    check "$1: the stall was found within $3 s (took ${t}s)" [ "$t" -le "$3" ]
}

# The stalls: when they began (the proxy's trigger fired; polled here).
stall_began() { cat "$RIG/stall-at" 2>/dev/null || echo 0; }
# wait-fired in the background notes when the armed trigger fired.
note_fired() { # PORT
    rm -f "$RIG/stall-at"
    ( proxy wait-fired "$1" 300 | grep -q true && date +%s > "$RIG/stall-at" ) &
}
partial_logs() { # after L4: a log cut off in the middle must be resumed with Range
    local f
    for f in "$RIG"/target/logs/*.ferry-part; do
        [ -s "$f" ] && PARTIAL="$PARTIAL $(basename "$f") ($(stat -c %s "$f") bytes)"
    done
    license_whole "$1"
}
PARTIAL=

PENDING_RESUME=2
CTL=(--ctl "$RIG/proxy.ctl")
fault_case "L1 3306 cut $B1 bytes into copy-data" "proxy disarm all" \
    --op copy-data "${CTL[@]}" cut-at 3306 "$B1"
note_fired 3306
fault_case "L2 3306 stalled $B2 bytes into copy-data" "proxy disarm all; proxy resume 3306" \
    --op copy-data "${CTL[@]}" stall-at 3306 "$B2"
STALL_AT=$(stall_began); stalled "L2" 3306 $((DATA_TIMEOUT + 15))
fault_case "L3 link down when modify-source starts" "proxy up all" \
    --op modify-source "${CTL[@]}" down all
FAULT_AFTER_FAILURE=partial_logs
fault_case "L4 443 cut $B4 bytes into copy-syslog" "proxy disarm all" \
    --op copy-syslog "${CTL[@]}" cut-at 443 "$B4"
FAULT_AFTER_FAILURE=license_whole
rig_log "partial log files after L4:${PARTIAL:- none}"
note_fired 443
fault_case "L5 443 stalled $B5 bytes into copy-syslog" "proxy disarm all; proxy resume 443" \
    --op copy-syslog "${CTL[@]}" stall-at 443 "$B5"
STALL_AT=$(stall_began); stalled "L5" 443 $((12 * PROBE_TIMEOUT + 15))
fault_case "L6 443 stalled when final starts" "proxy resume 443" --op final "${CTL[@]}" stall 443
STALL_AT=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["fired_at"]))' "$RIG/fire.out"); stalled "L6" 443 $((12 * PROBE_TIMEOUT + 15))
migration_end "the migration through the proxy"

# A log download cut off in the middle continued where it stopped (HTTP Range).
ranges=$(grep -c 'GET /ferry/v1/logs/.*: 206' "$RIG/peer-source.log")
rig_log "log downloads answered 206 (Range): $ranges"
if [ -n "$PARTIAL" ]; then
    check "the log cut off in L4 ($PARTIAL) resumed with a Range request ($ranges answered 206)" [ "$ranges" -ge 1 ]
else
    rig_log "L4 cut between two files: no partial download to resume"
fi
rig_log "proxy: $(proxy stats)"

echo
echo "== link cuts and stalls (seed $SEED)"
printf '  %s\n' "${OUTCOMES[@]}"
[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: link cuts and stalls"
