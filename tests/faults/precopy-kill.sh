#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# kill -9 of ferryd during the data copy while the hotspot writes (issue 18,
# acceptance 2; docs/faults.md): the kill campaign (kill-campaign.sh, its
# seeded plan, waiter, retries and verification) with its kills spread over
# the data operations the plan runs -- `pre-copy-data` (the copy while the
# source serves, at a progress fraction) and `copy-data` (then the
# catch-up, 0-FERRY_FAULT_PRECOPY_CATCHUP_MS after it started) where ferryd
# has the pre-copy, else `copy-data` alone (at a progress fraction) -- and
# a writer on the source's MariaDB (tests/rig/hotspot_writer.py) committing
# FERRY_FAULT_PRECOPY_RATE transactions per second of inserts, updates and
# deletes over three tables of the migrated schema until the source is
# placed under maintenance. After each migration, besides the campaign's
# checks (every table equal by row counts and checksums, no ferry account
# left on the source, ...): the writer stopped at maintenance, every write
# it committed is on the target exactly once with its final values,
# nothing of a temporary replication is left on the target (SHOW ALL
# SLAVES STATUS empty, no master-*.info / relay-log-*.info, no connection
# in multi-master.info).
#
#   precopy-kill.sh SOURCE_ROOT BUILD_DIR
#   FERRY_FAULT_PRECOPY_KILLS=10 bash tests/faults/precopy-kill.sh . build   # the full run
#
# Environment: FERRY_FAULT_PRECOPY_KILLS (default 4),
# FERRY_FAULT_PRECOPY_KILLS_PER_MIGRATION (2), FERRY_FAULT_PRECOPY_RATE
# (30), FERRY_FAULT_PRECOPY_CATCHUP_MS (250), FERRY_FAULT_SEED,
# FERRY_FAULT_ROWS (100000). systemd's manager is the rig's TEST DOUBLE.
# A data copy of a few seconds (the campaign's 150 000 rows take longer to verify).
export FERRY_FAULT_ROWS=${FERRY_FAULT_ROWS:-100000}
# The rig keeps the copy under maintenance unless told (tests/rig/appliance.sh).
export FAULT_TARGET_MIGRATION="${FAULT_TARGET_MIGRATION:-CopyWhileServing=yes}"
export FERRY_FAULT_KILLS=${FERRY_FAULT_PRECOPY_KILLS:-4}
export FERRY_FAULT_KILLS_PER_MIGRATION=${FERRY_FAULT_PRECOPY_KILLS_PER_MIGRATION:-2}
RATE=${FERRY_FAULT_PRECOPY_RATE:-30}
CATCHUP_MS=${FERRY_FAULT_PRECOPY_CATCHUP_MS:-250}
WRITER_PY=/usr/bin/python3
if [ "$(id -u)" = 0 ] && ! "$WRITER_PY" -c 'import MySQLdb' 2>/dev/null; then
    echo "SKIP: the writer needs python3-mysqldb (tools/deps installs it)" >&2
    exit 77
fi
WRITER_PID='' WRITES=0 WRITER_RATES=()

# The data operations of this ferryd's plan.
campaign_ops() {
    "$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" >"$RIG/probe-plan.out" 2>&1 || return 1
    "$FERRYCTL" --json=short plan --license --logs >"$RIG/plan.json" 2>&1 || return 1
    python3 - "$RIG/plan.json" "$CATCHUP_MS" <<'PY'
import json, sys
runs = [o["Id"] for o in json.load(open(sys.argv[1]))["Operations"] if o.get("Runs")]
if "pre-copy-data" in runs:
    print(f"pre-copy-data,copy-data:{sys.argv[2]}")
else:
    print("copy-data")
PY
}

campaign_before_start() {
    rm -f "$RIG/writer.ready"
    WRITER_LOG=$RIG/writer-$migration.jsonl
    "$WRITER_PY" "$SRC/tests/rig/hotspot_writer.py" run --socket "$RIG/source/db/mysqld.sock" \
        --flag "$RIG/source/maintenance" --log "$WRITER_LOG" --ready "$RIG/writer.ready" \
        --rate "$RATE" --rows 500 --seed "$migration" --max-seconds 900 >"$RIG/writer.out" 2>&1 &
    WRITER_PID=$!
    RIG_PIDS+=($WRITER_PID)
    rig_wait_for 30 test -e "$RIG/writer.ready" || rig_fail "the writer did not start: $(cat "$RIG/writer.out")"
}

campaign_after_job() {
    local label="migration $migration" rc=0 summary end n rate left
    # It stopped when the source went into maintenance, long before the
    # job's end; bounded all the same.
    if timeout 60 tail --pid="$WRITER_PID" -f /dev/null; then
        wait "$WRITER_PID"; rc=$?
    else
        kill "$WRITER_PID" 2>/dev/null; wait "$WRITER_PID" 2>/dev/null; rc=124
    fi
    summary=$(tail -n 1 "$WRITER_LOG" 2>/dev/null)
    end=$(fault_field "$summary" end); n=$(fault_field "$summary" committed); rate=$(fault_field "$summary" rate)
    # (read-only: the source refused its next write, which is maintenance too)
    local stopped=no
    [ "$rc" = 0 ] && [[ "$end" == maintenance || "$end" == read-only ]] && stopped=yes
    check "$label: the writer stopped at maintenance (exit $rc, $end; $n transactions at $rate/s)" \
        [ $stopped = yes ]
    WRITES=$((WRITES + ${n:-0})); WRITER_RATES+=("$rate")
    # The source as the writer left it: what the target must equal.
    app_table_sums source > "$RIG/sums-source"
    local res
    res=$("$WRITER_PY" "$SRC/tests/rig/hotspot_writer.py" check --log "$WRITER_LOG" \
        --socket "$RIG/target/db/mysqld.sock" 2>&1)
    check "$label: every committed write on the target exactly once ($res)" \
        grep -q '"ok": true' <<<"$res"
    check "$label: no replica left on the target (SHOW ALL SLAVES STATUS)" \
        [ -z "$(mdb_sql target "SHOW ALL SLAVES STATUS")" ]
    # multi-master.info is always there: it lists the named connections.
    left=$(cd "$RIG/target/db/data" && ls -d master*.info relay-log*.info 2>/dev/null
        [ -s multi-master.info ] && echo "multi-master.info: $(tr '\n' ' ' < multi-master.info)")
    check "$label: no replication info left on the target (${left:-none})" [ -z "$left" ]
}

source "$1/tests/faults/kill-campaign.sh"
rig_log "the writer committed $WRITES transactions in all (rates per migration: ${WRITER_RATES[*]} /s)"
