#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A full disk on the target (docs/faults.md): the target's MariaDB data
# directory and its log directory each on a small tmpfs mounted by the test.
#
#   D1 the MariaDB data directory has room for about a third of the data:
#      copy-data fails;
#   D2 the log directory has room for about half of the logs: copy-syslog
#      fails;
#   D3 ferryd's state directory (the job journal) is full when copy-syslog
#      starts: its first checkpoint cannot be written, so the operation
#      stops there (JournalWriteFailed) and nothing after it runs -- above
#      all not final's /finish, which revokes the token a resumed job still
#      needs (issue 14 defect 10).
#
# Each must fail with a named error and a remedy, nothing half-applied;
# then space is freed (the tmpfs grows: mount -o remount,size=...),
# `ferryctl resume` continues, and the migration completes and is verified.
#
#   disk-full.sh SOURCE_ROOT BUILD_DIR
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
source "$SRC/tests/faults/lib.sh"
fault_need_root
RIG_EXIT_HOOKS+=(mdb_kill_all unmount_all)
MOUNTS=()
unmount_all() { local m; for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done; }

fault_rig

# --- the target's MariaDB on a small tmpfs ------------------------------------
DATA_MB=$(du -sm "$RIG/source/db/data/hotspot" | awk '{print $1}')
mdb_stop target
mv "$RIG/target/db/data" "$RIG/target/db/data.disk"
mkdir "$RIG/target/db/data"
USED_MB=$(du -sm "$RIG/target/db/data.disk" | awk '{print $1}')
SMALL_DB=$((USED_MB + DATA_MB / 3 + 1))
# Room enough at Start: the pre-flight check (issue 17) refuses a job that
# cannot fit. The disk fills "behind ferry's back" once the job runs: D1's
# fault shrinks both filesystems when the first operation starts.
mount -t tmpfs -o size=$((USED_MB + DATA_MB * 2 + 512))m,mode=0755 ferry-faults "$RIG/target/db/data" || rig_fail "cannot mount a tmpfs"
MOUNTS+=("$RIG/target/db/data")
cp -a "$RIG/target/db/data.disk/." "$RIG/target/db/data/" && rm -rf "$RIG/target/db/data.disk"
app_start_mariadb target
rig_log "target MariaDB data directory: tmpfs, ${SMALL_DB} MB once the job runs (${USED_MB} MB used; the source's data: ${DATA_MB} MB)"

# --- the target's log directory on a small tmpfs ------------------------------
LOGS_MB=$(du -sm "$RIG/source/logs" | awk '{print $1}')
SMALL_LOGS=$((LOGS_MB / 2))
mount -t tmpfs -o size=$((LOGS_MB * 2 + 8))m,mode=0755 ferry-faults "$RIG/target/logs" || rig_fail "cannot mount a tmpfs"
MOUNTS+=("$RIG/target/logs")
rig_log "target log directory: tmpfs, ${SMALL_LOGS} MB once the job runs (the source's logs: ${LOGS_MB} MB)"

grow() { # MOUNTPOINT MB
    mount -o remount,size=${2}m "$1" && rig_log "freed space: $1 now ${2} MB" || bad "cannot grow $1"
}
grow_db() { grow "$RIG/target/db/data" $((USED_MB + DATA_MB * 4 + 64)); }
grow_logs() { grow "$RIG/target/logs" $((LOGS_MB * 2 + 8)); }

# --- ferryd's state directory on a small tmpfs ---------------------------------
rig_stop_ferryd
mv "$RIG/target/state" "$RIG/target/state.disk"
mkdir -m 0700 "$RIG/target/state"
mount -t tmpfs -o size=2m,mode=0700 ferry-faults "$RIG/target/state" || rig_fail "cannot mount a tmpfs"
MOUNTS+=("$RIG/target/state")
cp -a "$RIG/target/state.disk/." "$RIG/target/state/" && rm -rf "$RIG/target/state.disk"
rig_start_ferryd target
free_state() { rm -f "$RIG/target/state/fill" && rig_log "freed space: the state directory"; }

# The disks fill when copy-settings starts (after the pre-flight checks).
PENDING_RESUME=2
fault_case "D1 the target's MariaDB disk full" grow_db --op copy-settings --exec bash -c \
    "mount -o remount,size=${SMALL_DB}m '$RIG/target/db/data' && mount -o remount,size=${SMALL_LOGS}m '$RIG/target/logs'"
check "D1 failed in copy-data" [ "$ERR_OP" = copy-data ]
fault_case "D2 the target's log directory full" grow_logs --op copy-settings --exec true
check "D2 failed in copy-syslog" [ "$ERR_OP" = copy-syslog ]
ERR_CODE= ERR_OP=
finish_calls() { grep -c 'POST /ferry/v1/finish' "$RIG/peer-source.log"; }
FINISH_BEFORE=$(finish_calls)
fault_case "D3 the state directory full when copy-syslog starts" free_state --op copy-syslog --exec bash -c \
    "dd if=/dev/zero of='$RIG/target/state/fill' bs=16k >/dev/null 2>&1; sync"
check "D3 failed with JournalWriteFailed in copy-syslog ($ERR_CODE in $ERR_OP)" \
    [ "$ERR_CODE|$ERR_OP" = "org.ferry.Migration1.Error.JournalWriteFailed|copy-syslog" ]
check "D3 final did not run: no /finish revoked the job's token ($FINISH_BEFORE -> $(finish_calls) calls)" \
    [ "$(finish_calls)" = "$FINISH_BEFORE" ]
migration_end "the migration after freeing space"
check "the target's MariaDB still runs" mdb_sql target "SELECT 1"

echo
echo "== full disk on the target"
printf '  %s\n' "${OUTCOMES[@]}"
[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: full disk"
