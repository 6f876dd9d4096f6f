#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The copy while the source serves (issue 18, docs/operations.md
# "pre-copy-data"), on the real parts of the integration rig: real mariadbd
# on both sides (the source with its binary log), ferry-peer, ferryd on a
# private bus; systemd's manager is the TEST DOUBLE of
# tests/integration/systemd_double.cpp. A writer commits inserts, updates
# and deletes on the source from before the job until just before the
# source is placed under maintenance (ferryd is held with SIGSTOP when
# copy-settings starts until the writer has stopped: the hotspot's services
# stop at maintenance, and the signal of operation 2 comes too late to hold
# ferryd before it: the operation takes milliseconds).
#
#   migration 1: the plan says the data is copied while the source serves;
#                pre-copy-data copies and this system follows the source
#                as its replica; operation 4 only catches up. kill -9 of
#                ferryd during pre-copy-data and again during copy-data.
#   migration 2: after pre-copy-data the replica is stopped, the source
#                writes on and purges its binary log past what the replica
#                read: operation 4 falls back to a full copy under
#                maintenance, with the reason in the job's events. Its
#                user-traffic logs were copied while it served; then one
#                grows and the rest rotate: operation 10 takes up each copy
#                under its new name and downloads only what changed.
#   migration 3: the source's MariaDB restarted after pre-copy-data: the
#                same fall-back, because it restarted.
#   migration 4: the source's MariaDB without a binary log: the plan copies
#                under maintenance and says why.
#
# After each: every table equal on both sides (content checksums), every
# committed write exactly once (the writer's table against its own log),
# nothing of the temporary replication left (no replica connection, no
# master-info file, the target's gtid_slave_pos and server_id as before, no
# ferry_* account on the source).
#
#   pre-copy.sh SOURCE_ROOT BUILD_DIR
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
FERRY_FAULT_ROWS=${FERRY_FAULT_ROWS:-150000}
FAULT_TARGET_MIGRATION="CopyWhileServing=yes CatchUpTimeoutSec=60"
source "$SRC/tests/faults/lib.sh"
fault_need_root

WRITER_PID=
stop_writer() {
    [ -n "$WRITER_PID" ] || return 0
    touch "$RIG/writer.stop"
    wait "$WRITER_PID" 2>/dev/null
    # The end of the writer's window: its rate is over the time it wrote,
    # not over a purge or a restart of the source that follows.
    WRITER_T1=$(date +%s.%N)
    WRITER_PID=
}
RIG_EXIT_HOOKS+=(stop_writer mdb_kill_all)

fault_rig
TGT_SERVER_ID=$(mdb_sql target "SELECT @@server_id")
TGT_SLAVE_POS=$(mdb_sql target "SELECT @@gtid_slave_pos")

# The writer: one client session, autocommit; iteration i inserts row i,
# every 3rd also updates row i-1, every 5th deletes row i-2. The statements
# of N iterations are a function of N: the expected table is computed from
# the count the writer logs once its session has ended cleanly.
mdb_sql source "CREATE TABLE hotspot.ferry_writes (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB"
# A schema that is not migrated, written too: the replica must skip it and
# still count its transactions as applied (MASTER_GTID_WAIT would never end).
mdb_sql source "CREATE DATABASE ferry_other; CREATE TABLE ferry_other.t (id INT PRIMARY KEY) ENGINE=InnoDB"
start_writer() {
    rm -f "$RIG/writer.stop" "$RIG/writer.count"
    WRITER_T0=$(date +%s.%N) WRITER_T1=
    (
        i=${1:-0}
        {
            while [ ! -e "$RIG/writer.stop" ] && [ "$i" -lt 200000 ]; do
                i=$((i + 1))
                echo "INSERT INTO hotspot.ferry_writes VALUES ($i, $i);"
                [ $((i % 3)) -eq 0 ] && echo "UPDATE hotspot.ferry_writes SET v = v + 1000 WHERE id = $((i - 1));"
                [ $((i % 5)) -eq 0 ] && echo "DELETE FROM hotspot.ferry_writes WHERE id = $((i - 2));"
                [ $((i % 10)) -eq 0 ] && echo "INSERT INTO ferry_other.t VALUES ($i);"
                echo "$i" > "$RIG/writer.sent"
                sleep 0.02 # pacing (about 40 iterations, 60 commits a second), not synchronisation
            done
        } | mdb_client source && cat "$RIG/writer.sent" > "$RIG/writer.count"
    ) &
    WRITER_PID=$!
}
expected_writes() {
    python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1]); rows = {}
for i in range(1, n + 1):
    rows[i] = i
    if i % 3 == 0 and (i - 1) in rows: rows[i - 1] += 1000
    if i % 5 == 0: rows.pop(i - 2, None)
for k in sorted(rows): print(k, rows[k])
PY
}

# ferryd was stopped (SIGSTOP): the writer's session ends, then ferryd
# continues.
release_at_maintenance() {
    [ -z "$WRITER_PID" ] || stop_writer
    kill -CONT "$FERRYD_PID"
    [ -s "$RIG/writer.count" ] || bad "the writer's session did not end cleanly"
    WRITES=$(cat "$RIG/writer.count" 2>/dev/null || echo 0)
    # Commits: every iteration one, every 3rd and 5th one more, every 10th
    # one in the other schema.
    WRITE_RATE=$(python3 -c 'import sys; n = int(sys.argv[1]); c = n + n // 3 + n // 5 + n // 10; print(round(c / (float(sys.argv[3]) - float(sys.argv[2])), 1))' \
        "$WRITES" "$WRITER_T0" "${WRITER_T1:-$(date +%s.%N)}")
}

after_migration() {
    local label=$1
    app_table_sums source > "$RIG/sums-source" # the source as it stopped
    fault_verify "$label"
    expected_writes "$WRITES" > "$RIG/writes-expected"
    mdb_sql target "SELECT id, v FROM hotspot.ferry_writes ORDER BY id" | tr '\t' ' ' > "$RIG/writes-target"
    check "$label: every one of $WRITES committed write iterations on the target exactly once" \
        cmp -s "$RIG/writes-expected" "$RIG/writes-target"
    check "$label: at least 20 commits a second while the source served ($WRITE_RATE/s)" \
        python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 20 else 1)' "$WRITE_RATE"
    check "$label: nothing of the schema that is not migrated reached the target" \
        [ -z "$(mdb_sql target "SHOW DATABASES LIKE 'ferry\_other'")" ]
    check "$label: no replica connection left on the target" \
        [ -z "$(mdb_sql target "SHOW ALL SLAVES STATUS")" ]
    check "$label: no master-info file of it left" \
        [ -z "$(ls "$RIG/target/db/data/"master-ferry_catch_up* 2>/dev/null)" ]
    check "$label: the target's server_id and gtid_slave_pos as before" \
        [ "$(mdb_sql target "SELECT @@server_id")|$(mdb_sql target "SELECT @@gtid_slave_pos")" = "$TGT_SERVER_ID|$TGT_SLAVE_POS" ]
}

# The job's events hold operation 4's fall-back to a full copy, its reason
# containing WORDS.
fell_back_because() {
    "$FERRYCTL" --json events > "$RIG/events.json" 2>&1 || return 1
    python3 -c '
import json, sys
evs = json.load(open(sys.argv[1]))
sys.exit(0 if any(e["Type"] == "data-path" and e["Data"].get("path") == "full-copy"
                  and sys.argv[2] in e["Data"].get("reason", "") for e in evs) else 1)' "$RIG/events.json" "$1"
}

# --- migration 1 ------------------------------------------------------------
start_writer
"$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" >"$RIG/probe.out" 2>&1 || rig_fail "probe"
"$FERRYCTL" --json plan --license --logs > "$RIG/plan.json" 2>&1 || rig_fail "plan: $(cat "$RIG/plan.json")"
check "plan: pre-copy-data runs first" python3 -c '
import json, sys
first = json.load(open(sys.argv[1]))["Operations"][0]
sys.exit(0 if first["Id"] == "pre-copy-data" and first["Runs"] else 1)' "$RIG/plan.json"
check "plan: the outage says the data is copied while the source serves" \
    grep -q "copied while the source still serves" "$RIG/plan.json"
"$FERRYCTL" plan --license --logs > "$RIG/plan.txt" 2>&1
check "ferryctl plan names the added operation and the unavailable time" \
    bash -c "grep -q 'Copy data while the source serves' '$RIG/plan.txt' && grep -q 'Unavailable time' '$RIG/plan.txt'"
"$FERRYCTL" start --license --logs --yes --no-ask-password > "$RIG/start.out" 2>&1 || rig_fail "start"
JOB=$(grep -o '/org/ferry/Migration1/job/[a-z0-9]*' "$RIG/start.out")
# kill -9 while the source serves, 40 % into the copy; ferryd resumes.
fire_wait() {
    rm -f "$RIG/ready"
    python3 "$DRIVER" fire --timeout 300 --ready "$RIG/ready" --journal "$RIG/target/state/job.json" \
        "$@" >> "$RIG/fire.out" &
    FIRE_PID=$!
    rig_wait_for 10 test -e "$RIG/ready" || rig_fail "the waiter did not subscribe"
}
fire_wait --op pre-copy-data --fraction 0.4 --kill-owner
wait $FIRE_PID
rig_log "fired: $(tail -1 "$RIG/fire.out")"
fault_kill_ferryd
fault_restart_ferryd
# The next kill waits for the catch-up to start; then ferryd is held at
# maintenance until the writer has stopped. (Both waiters subscribe while
# ferryd answers: a stopped ferryd answers no one.)
fire_wait --op copy-data --kill-owner
KILL_PID=$FIRE_PID
fire_wait --op copy-settings --exec kill -STOP "$FERRYD_PID"
wait $FIRE_PID
release_at_maintenance
wait $KILL_PID
rig_log "fired: $(tail -1 "$RIG/fire.out")"
fault_kill_ferryd
fault_restart_ferryd
fault_wait_end 300
check "migration 1 ended in success ($END_STATE)" [ "$END_STATE" = succeeded ]
after_migration "migration 1"
check "migration 1: copy-data caught up (no full copy)" \
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); cp=[o for o in j["operations"] if o["id"]=="copy-data"][0]["checkpoint"]; sys.exit(0 if "caught_up" in cp and not cp.get("full_copy") else 1)' "$RIG/target/state/job.json"
fault_reset
mdb_sql source "DROP TABLE hotspot.ferry_writes; CREATE TABLE hotspot.ferry_writes (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB; TRUNCATE ferry_other.t"

# --- migration 2: the binary log purged past the replica --------------------
# (and the logs moving on between their pre-copy and maintenance)
L="$RIG/source/logs"
head -c 300000 /dev/urandom > "$L/auth.log"
start_writer
fault_probe_start
fire_wait --op copy-settings --exec kill -STOP "$FERRYD_PID"
wait $FIRE_PID
every_log_pre_copied() {
    local f
    for f in "$L"/*; do [ -f "$RIG/target/logs/$(basename "$f").ferry-pre" ] || return 1; done
}
check "migration 2: pre-copy-data left a copy of every source log on the target" every_log_pre_copied
# One log grows; the traffic logs rotate as logrotate does (.2 -> .3,
# .1 -> .2, the live file -> .1, a new live file; the oldest dropped).
head -c 50000 /dev/urandom >> "$L/auth.log"
rm "$L/traffic.log.3"
mv "$L/traffic.log.2" "$L/traffic.log.3"
mv "$L/traffic.log.1" "$L/traffic.log.2"
mv "$L/traffic.log" "$L/traffic.log.1"
head -c 20000 /dev/urandom > "$L/traffic.log"
LOG_LINES_BEFORE=$(wc -l < "$RIG/ferryd-target.log")
mdb_sql target "STOP SLAVE 'ferry_catch_up'" || bad "could not stop the replica"
before=$(cat "$RIG/writer.sent")
rig_wait_for 20 bash -c "[ \$(cat '$RIG/writer.sent') -ge $((before + 20)) ]" || bad "the writer did not go on"
stop_writer
# MariaDB does not purge a file a binlog dump thread still reads: the
# source's dump thread of the stopped replica ends first.
no_dump_thread() { [ "$(mdb_sql source "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")" = 0 ]; }
rig_wait_for 20 no_dump_thread || bad "the source's binlog dump thread did not end"
mdb_sql source "FLUSH BINARY LOGS"
current=$(mdb_sql source "SHOW MASTER STATUS" | awk '{print $1}')
# Nor one that crash recovery may still need: that ends once InnoDB has
# checkpointed the last commits (MariaDB's binlog checkpoint), so the purge
# is repeated until the old file is gone.
purged() {
    mdb_sql source "PURGE BINARY LOGS TO '$current'" >/dev/null 2>&1
    [ "$(mdb_sql source "SHOW BINARY LOGS" | awk '{print $1}' | head -1)" = "$current" ]
}
check "migration 2: the source's binary log starts after what the replica read" rig_wait_for 30 purged
release_at_maintenance
fault_wait_end 300
check "migration 2 ended in success ($END_STATE)" [ "$END_STATE" = succeeded ]
after_migration "migration 2"
check "migration 2: the fall-back to a full copy is in the job's events, with the reason" \
    fell_back_because "binary log"


tail -n +"$LOG_LINES_BEFORE" "$RIG/ferryd-target.log" > "$RIG/ferryd-m2.log"
rotated_copies_taken_up() {
    local n from
    for n in 1 2 3; do
        from=traffic.log; [ $n = 1 ] || from=traffic.log.$((n - 1))
        grep -q "Log traffic.log.$n: starts from the copy of $from made" "$RIG/ferryd-m2.log" || return 1
    done
}
check "migration 2: each rotated log started from its copy under its new name" rotated_copies_taken_up
DOWNLOADED=$(sed -n 's/.*User-traffic logs: .* verified, \([0-9]*\) bytes downloaded.*/\1/p' "$RIG/ferryd-m2.log" | tail -1)
check "migration 2: under maintenance only what changed was downloaded (${DOWNLOADED:-?} bytes; appended 50000, new 20000)" \
    [ "${DOWNLOADED:-999999999}" -le 200000 ]
check "migration 2: no copy of a log left on the target" \
    [ -z "$(ls "$RIG"/target/logs/*.ferry-pre 2>/dev/null)" ]

# --- migration 3: the source's MariaDB restarted after the copy --------------
# A restarted server may have lost what it had not synced of its binary log
# (sync_binlog=0) while the replica had read it: the catch-up cannot be
# trusted, operation 4 copies everything again under maintenance.
fault_reset
mdb_sql source "DROP TABLE hotspot.ferry_writes; CREATE TABLE hotspot.ferry_writes (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB; TRUNCATE ferry_other.t"
start_writer
fault_probe_start
fire_wait --op copy-settings --exec kill -STOP "$FERRYD_PID"
wait $FIRE_PID
stop_writer
mdb_stop source
mdb_start source "$SRC_REAL" "$RIG/source/db" --ssl-cert="$RIG/source/certs/server.pem" \
    --ssl-key="$RIG/source/certs/server.key" || rig_fail "the source's mariadbd did not start again"
release_at_maintenance
fault_wait_end 300
check "migration 3 ended in success ($END_STATE)" [ "$END_STATE" = succeeded ]
after_migration "migration 3"
check "migration 3: the fall-back to a full copy is in the job's events, because the source restarted" \
    fell_back_because "restarted"

# --- migration 4: a source without a binary log ------------------------------
fault_reset
mdb_sql source "DROP TABLE hotspot.ferry_writes; CREATE TABLE hotspot.ferry_writes (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB; TRUNCATE ferry_other.t"
mdb_stop source
mdb_start source "$SRC_REAL" "$RIG/source/db" --ssl-cert="$RIG/source/certs/server.pem" \
    --ssl-key="$RIG/source/certs/server.key" --skip-log-bin || rig_fail "the source's mariadbd did not start"
check "migration 4: the source writes no binary log" [ "$(mdb_sql source "SELECT @@log_bin")" = 0 ]
start_writer
"$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" >"$RIG/probe.out" 2>&1 || rig_fail "probe"
"$FERRYCTL" --json plan --license --logs > "$RIG/plan.json" 2>&1 || rig_fail "plan"
check "migration 4: the plan copies under maintenance, and says why" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
first = p["Operations"][0]
outage = [c for c in p["Checks"] if c.get("Id", c.get("id")) == "outage" or "binary log" in json.dumps(c)]
sys.exit(0 if first["Id"] == "pre-copy-data" and not first["Runs"] and outage
         and "writes no binary log" in json.dumps(outage) else 1)' "$RIG/plan.json"
# copy-settings is the first operation now: the waiter subscribes before
# the job exists.
fire_wait --op copy-settings --exec kill -STOP "$FERRYD_PID"
"$FERRYCTL" start --license --logs --yes --no-ask-password > "$RIG/start.out" 2>&1 || rig_fail "start"
JOB=$(grep -o '/org/ferry/Migration1/job/[a-z0-9]*' "$RIG/start.out")
wait $FIRE_PID
release_at_maintenance
fault_wait_end 300
check "migration 4 ended in success ($END_STATE)" [ "$END_STATE" = succeeded ]
after_migration "migration 4"
check "migration 4: pre-copy-data skipped, copy-data copied" python3 -c '
import json, sys
ops = {o["id"]: o for o in json.load(open(sys.argv[1]))["operations"]}
sys.exit(0 if ops["pre-copy-data"]["state"] == "skipped" and "caught_up" not in ops["copy-data"]["checkpoint"] else 1)' "$RIG/target/state/job.json"

echo
printf '  %s\n' "${OUTCOMES[@]}"
[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: the copy while the source serves, with kills and the fall-back"
