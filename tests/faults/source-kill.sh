#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# kill -9 of the source's mariadbd and of ferry-peer in the middle of a job
# (docs/faults.md). Each kill ends either in completion or in a named error
# with a remedy and nothing half-applied; then the killed part is started
# again, `ferryctl resume` retries from the checkpoint, and the migration is
# verified (tables, settings, license, logs, certificate, temporary account).
#
#   migration 1: mariadbd killed during copy-data (at a seeded fraction),
#                ferry-peer killed during copy-syslog (seeded delay);
#   migration 2: ferry-peer killed at the start of a seeded operation among
#                those that call it; mariadbd killed before final (it drops
#                the temporary account through the peer).
#
#   source-kill.sh SOURCE_ROOT BUILD_DIR     (FERRY_FAULT_SEED reproduces the points)
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
source "$SRC/tests/faults/lib.sh"
fault_need_root
RIG_EXIT_HOOKS+=(mdb_kill_all)

SEED=${FERRY_FAULT_SEED:-$(( $(date +%s) % 100000 ))}
echo "FERRY_FAULT_SEED=$SEED"
read -r FRACTION LOGDELAY PEEROP < <(python3 -c '
import random, sys
r = random.Random("ferry-source-kill:" + sys.argv[1])
print(round(r.uniform(0.1, 0.8), 2), r.randint(0, 300),
      r.choice(["copy-settings", "source-maintenance", "modify-source", "update-certificates"]))' "$SEED")
rig_log "points: mariadbd at copy-data@$FRACTION, ferry-peer at copy-syslog+${LOGDELAY}ms, ferry-peer at $PEEROP"

fault_rig

# The killed process is this shell's child: reap it first (a zombie still
# answers kill -0).
restart_mariadb() { { wait "${MDB_PID[source]}"; } 2>/dev/null; MDB_PID[source]=; app_start_mariadb_tls source; }
restart_peer() { { wait "$PEER_VICTIM"; } 2>/dev/null; fault_start_peer; }

# --- migration 1 ------------------------------------------------------------
PENDING_RESUME=2
fault_case "source mariadbd killed in copy-data at $FRACTION" restart_mariadb \
    --op copy-data --fraction "$FRACTION" --exec kill -9 "${MDB_PID[source]}"
PEER_VICTIM=$PEER_PID
fault_case "ferry-peer killed in copy-syslog +${LOGDELAY}ms" restart_peer \
    --op copy-syslog --delay-ms "$LOGDELAY" --exec kill -9 "$PEER_VICTIM"
migration_end "migration 1"
fault_reset

# --- migration 2 ------------------------------------------------------------
PENDING_RESUME=2
PEER_VICTIM=$PEER_PID
fault_case "ferry-peer killed when $PEEROP starts" restart_peer \
    --op "$PEEROP" --exec kill -9 "$PEER_VICTIM"
fault_case "source mariadbd killed before final" restart_mariadb \
    --op restart-services --exec kill -9 "${MDB_PID[source]}"
migration_end "migration 2"

echo
echo "== source-side kills (seed $SEED)"
printf '  %s\n' "${OUTCOMES[@]}"
[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: kills of the source's mariadbd and ferry-peer"
