#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The MariaDB data copy (source/data_copy.cpp) between two real mariadbd:
#
#   data-copy.sh SOURCE_ROOT BUILD_DIR
#
# Rig: private mariadbd for the source (127.0.0.2) and the target
# (127.0.0.3) from tests/rig/mariadb.sh (another free 127.x address when one
# is taken), the hotspot data set from tests/rig/gen_dataset.py (default
# ~200k rows: FERRY_DATA_COPY_ROWS), a temporary source account over TCP
# with TLS required (a throw-away CA and server certificate made here with
# openssl, verified by the client), the target through its unix socket;
# BUILD_DIR/tests/integration/data-copy-tool drives source::copy_databases.
#
#  0. errors: a source address where nothing listens -> Unreachable, a
#     wrong password -> AuthenticationFailed, no TLS to an account that
#     requires it -> refused;
#  1. copy while a writer commits on the source, big tables in primary-key
#     chunks: the copy is one consistent cut across tables and chunks loaded
#     by different connections (every writer transaction adds an audit row
#     AND a unit of users.balance; on the target both counts agree) and the
#     engine's in-snapshot verification passes although the live tables
#     change;
#  2. copy of the now quiet source with a checkpoint file, kill -9 of the
#     tool after its first verified table, re-run with the checkpoint: only
#     unfinished tables are copied again (the others come from the
#     checkpoint);
#  3. independent checks of the result: per table row counts and
#     CHECKSUM TABLE equal on both sides (tables with generated columns:
#     CHECKSUM TABLE is not deterministic there on MariaDB 10.11, see
#     docs/data-copy.md, so a SELECT row hash written here instead), SHOW
#     CREATE TABLE equal (AUTO_INCREMENT included), view and trigger there
#     and the trigger did not fire during the load;
#  4. the target's binary log holds no event of the copy (sql_log_bin=0);
#     4b. a copy with every table verified by the row hash computed from the
#     stream (--row-hash, as between two MariaDB versions) succeeds;
#  5. informational: throughput of the copy and the time of
#     `mariadb-dump --single-transaction --quick | mariadb` on the same data.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, tools missing).

set -u
set -o pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2
    exit 1
fi
SRC=$(cd "$1" && pwd) || exit 1
BUILD=$(cd "$2" && pwd) || exit 1
TOOL="$BUILD/tests/integration/data-copy-tool"

log() { printf '[data-copy %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
skip() { log "SKIP: $*"; exit 77; }
since() { awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.2f", t1 - t0 }'; }
fail() {
    log "FAIL: $*"
    KEEP=1
    exit 1
}

[ "$(id -u)" = 0 ] || skip "must run as root (mariadbd --user=root, root@localhost by unix socket)"
for t in mariadbd mariadb mariadb-install-db mariadb-admin mariadb-dump mariadb-binlog python3 openssl; do
    command -v "$t" >/dev/null || skip "'$t' not installed (Debian: mariadb-server, mariadb-client)"
done
[ -x "$TOOL" ] || fail "$TOOL is not built (ninja -C $BUILD)"

ROWS=${FERRY_DATA_COPY_ROWS:-200000}
SEED=${FERRY_DATA_COPY_SEED:-1}
THREADS=${FERRY_DATA_COPY_THREADS:-2}
WORK=$(mktemp -d /tmp/ferry-data-copy.XXXXXX) || exit 1
chmod 755 "$WORK"
KEEP=${FERRY_KEEP:-}
TOOL_PID=
WRITER_PID=

# shellcheck source=../rig/mariadb.sh
source "$SRC/tests/rig/mariadb.sh"

cleanup() {
    local rc=$?
    [ -n "$TOOL_PID" ] && kill -9 "$TOOL_PID" 2>/dev/null
    [ -n "$WRITER_PID" ] && { touch "$WORK/stop-writer"; wait "$WRITER_PID" 2>/dev/null; }
    mdb_kill_all
    if [ -n "$KEEP" ]; then
        log "kept $WORK (mysqld logs, tool output)"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT

SRC_ADDR=$(mdb_pick_address 127.0.0.2) || fail "no free loopback address"
# TLS: a CA and a certificate for the source's address.
mkdir -p "$WORK/tls"
(
    cd "$WORK/tls" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=ferry test CA" -keyout ca.key -out ca.pem &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$SRC_ADDR" \
        -keyout server.key -out server.csr &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out server.pem \
        -extfile <(printf 'subjectAltName=IP:%s\n' "$SRC_ADDR")
) >"$WORK/tls/openssl.log" 2>&1 || fail "openssl: $(tail -n 5 "$WORK/tls/openssl.log")"
CA="$WORK/tls/ca.pem"
mdb_start src "$SRC_ADDR" "$WORK/src" --ssl-ca="$CA" --ssl-cert="$WORK/tls/server.pem" \
    --ssl-key="$WORK/tls/server.key" || fail "source mariadbd did not start"
TGT_ADDR=$(mdb_pick_address 127.0.0.3) || fail "no free loopback address"
mdb_start tgt "$TGT_ADDR" "$WORK/tgt" || fail "target mariadbd did not start"
TGT_SOCK=${MDB_SOCK[tgt]}

t0=$(date +%s.%N)
python3 "$SRC/tests/rig/gen_dataset.py" --socket "${MDB_SOCK[src]}" --rows "$ROWS" --seed "$SEED" \
    --workdir "$WORK" >&2 || fail "gen_dataset.py failed"
log "data set loaded in $(since "$t0") s"

# The temporary account the peer API would create: TCP from loopback only.
PASSWORD="ferry-$RANDOM$RANDOM"
mdb_sql src "CREATE USER 'ferrycopy'@'127.%' IDENTIFIED BY '$PASSWORD' REQUIRE SSL;
  GRANT SELECT, RELOAD, SHOW VIEW, TRIGGER, EVENT, BINLOG MONITOR ON *.* TO 'ferrycopy'@'127.%';" ||
    fail "cannot create the copy account"
export FERRY_SOURCE_PASSWORD=$PASSWORD

SCHEMA=hotspot
TABLES=$(mdb_sql src "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA='$SCHEMA'
  AND TABLE_TYPE='BASE TABLE' ORDER BY TABLE_NAME") || fail "cannot list tables"
NTABLES=$(echo "$TABLES" | wc -w)

run_tool() { # OUT_PREFIX [extra args]; runs in the background, sets TOOL_PID
    local out=$1; shift
    "$TOOL" --source-host "$SRC_ADDR" --source-user ferrycopy --source-tls --source-ca "$CA" \
        --target-socket "$TGT_SOCK" --schema "$SCHEMA" --threads "$THREADS" "$@" >"$out.json" 2>"$out.err" &
    TOOL_PID=$!
}
wait_tool() { # OUT_PREFIX; waits, fails on a non-zero exit
    local rc
    wait "$TOOL_PID"
    rc=$?
    TOOL_PID=
    if [ $rc -ne 0 ]; then
        cat "$1.err" "$1.json" >&2
        fail "data-copy-tool exited with $rc"
    fi
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- 0. errors as values ----------------------------------------------------
expect_error() { # CODE OUT_PREFIX TOOL-ARGS...: the tool fails with CODE
    local code=$1 out=$2 rc; shift 2
    "$TOOL" "$@" --target-socket "$TGT_SOCK" --schema "$SCHEMA" >"$out.json" 2>"$out.err"
    rc=$?
    [ $rc = 1 ] || fail "expected failure $code, the tool exited with $rc: $(cat "$out.err")"
    [ "$(json "$out.json" 'd["error"]["code"]')" = "$code" ] ||
        fail "expected $code, got: $(cat "$out.json")"
    log "  ok  $code: $(json "$out.json" 'd["error"]["message"]')"
}
NOBODY=$(mdb_pick_address 127.0.0.254) || fail "no free loopback address"
expect_error Unreachable "$WORK/e-unreachable" --source-host "$NOBODY" --source-user ferrycopy --source-tls --source-ca "$CA"
FERRY_SOURCE_PASSWORD=wrong expect_error AuthenticationFailed "$WORK/e-auth" --source-host "$SRC_ADDR" \
    --source-user ferrycopy --source-tls --source-ca "$CA"
expect_error AuthenticationFailed "$WORK/e-notls" --source-host "$SRC_ADDR" --source-user ferrycopy
[ "$(mdb_sql tgt "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='$SCHEMA'")" = 0 ] ||
    fail "a failed connection left a schema on the target"

# --- 1. consistency under concurrent writes --------------------------------
BAL0=$(mdb_sql src "SELECT balance FROM $SCHEMA.users WHERE id=1")
W0=$(mdb_sql src "SELECT COUNT(*) FROM $SCHEMA.audit WHERE action='w'")
[ "$W0" = 0 ] || fail "unexpected writer rows in the data set"
# The writer ends (and its client with it) when the stop file appears.
STOP="$WORK/stop-writer"
(
    i=0
    while [ ! -e "$STOP" ]; do
        i=$((i + 1))
        echo "START TRANSACTION; INSERT INTO $SCHEMA.audit (user_id, action, at) VALUES (1, 'w', NOW());
              UPDATE $SCHEMA.users SET balance = balance + 1 WHERE id = 1; COMMIT;"
        [ $((i % 50)) = 0 ] && echo "DO SLEEP(0.01);"
    done | mdb_client src 2>/dev/null
) &
WRITER_PID=$!
for ((i = 0; i < 300; i++)); do # until the writer has committed (bounded: 30 s)
    [ "$(mdb_sql src "SELECT COUNT(*) FROM $SCHEMA.audit WHERE action='w'")" -gt 0 ] && break
    sleep 0.1
done
run_tool "$WORK/concurrent" --chunk-rows $((ROWS / 20))
wait_tool "$WORK/concurrent"
touch "$STOP"
wait "$WRITER_PID" 2>/dev/null
WRITER_PID=
[ "$(json "$WORK/concurrent.json" 'd["ok"]')" = True ] || fail "the copy under writes did not succeed"
NCHUNKED=$(json "$WORK/concurrent.json" 'sum(1 for t in d["tables"] if t["chunks"] > 1)')
[ "$NCHUNKED" -ge 1 ] || fail "no table was split into chunks"
WROWS=$(mdb_sql tgt "SELECT COUNT(*) FROM $SCHEMA.audit WHERE action='w'")
BAL=$(mdb_sql tgt "SELECT balance - $BAL0 FROM $SCHEMA.users WHERE id=1")
SRC_WROWS=$(mdb_sql src "SELECT COUNT(*) FROM $SCHEMA.audit WHERE action='w'")
log "under writes: target has $WROWS writer transactions (audit rows) and balance +${BAL%.*}; source now $SRC_WROWS"
[ "$WROWS" -gt 0 ] || fail "the writer committed nothing before the snapshot (rig too slow?)"
[ "$WROWS" -lt "$SRC_WROWS" ] || fail "the writer committed nothing after the snapshot (rig too slow?)"
[ "$WROWS" = "${BAL%.*}" ] || fail "inconsistent cut: $WROWS audit rows but users.balance moved by $BAL"

# --- 2. kill -9 mid-copy, resume with the checkpoint -----------------------
CP="$WORK/checkpoint.json"
# One thread: the copy takes long enough after the first verified table.
run_tool "$WORK/killed" --checkpoint "$CP" --threads 1
for ((i = 0; i < 6000; i++)); do
    grep -q "table-done" "$WORK/killed.err" 2>/dev/null && break
    kill -0 "$TOOL_PID" 2>/dev/null || break
    sleep 0.01
done
kill -0 "$TOOL_PID" 2>/dev/null || { cat "$WORK/killed.err" >&2; fail "the tool ended before it could be killed"; }
kill -9 "$TOOL_PID"
wait "$TOOL_PID" 2>/dev/null
TOOL_PID=
grep -q '"ok"' "$WORK/killed.json" && fail "the killed run printed a result: it was not killed mid-copy"
[ -s "$CP" ] || fail "no checkpoint after the first verified table"
NDONE=$(json "$CP" 'len(d["done"])')
log "killed after $NDONE of $NTABLES tables; checkpoint: $(cat "$CP")"
if [ "$NDONE" -lt 1 ] || [ "$NDONE" -ge "$NTABLES" ]; then
    fail "checkpoint has $NDONE of $NTABLES tables"
fi

run_tool "$WORK/resumed" --checkpoint "$CP"
wait_tool "$WORK/resumed"
grep -v progress "$WORK/resumed.err" >&2
[ "$(json "$WORK/resumed.json" 'd["ok"]')" = True ] || fail "the resumed copy did not succeed"
[ "$(json "$WORK/resumed.json" 'd["checkpoint_discarded"]')" = False ] || fail "the resumed run discarded the checkpoint"
NFROM=$(json "$WORK/resumed.json" 'sum(1 for t in d["tables"] if t["from_checkpoint"])')
[ "$NFROM" = "$NDONE" ] || fail "the resumed run took $NFROM tables from the checkpoint, expected $NDONE"
NCOPIED=$(json "$WORK/resumed.json" 'sum(1 for t in d["tables"] if not t["from_checkpoint"])')
log "resumed: $NFROM tables from the checkpoint, $NCOPIED copied again"

# --- 3. independent verification -------------------------------------------
GENERATED=$(mdb_sql src "SELECT DISTINCT TABLE_NAME FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA='$SCHEMA' AND IS_GENERATED<>'NEVER'")
row_hash() { # SIDE TABLE: COUNT and a hash over every stored column, written independently of the engine
    local cols
    cols=$(mdb_sql "$1" "SELECT GROUP_CONCAT(CONCAT('IFNULL(HEX(CAST(\`', COLUMN_NAME, '\` AS BINARY)),''~'')')
      ORDER BY ORDINAL_POSITION SEPARATOR ',') FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA='$SCHEMA' AND TABLE_NAME='$2' AND IS_GENERATED='NEVER'")
    mdb_sql "$1" "SELECT COUNT(*), SUM(CAST(CONV(LEFT(MD5(CONCAT_WS('|', $cols)), 12), 16, 10) AS UNSIGNED)) FROM $SCHEMA.\`$2\`"
}
bad=0
for t in $TABLES; do
    if echo "$GENERATED" | grep -qx "$t"; then
        a=$(row_hash src "$t"); b=$(row_hash tgt "$t"); how="row hash (generated columns)"
    else
        a=$(mdb_sql src "SELECT COUNT(*) FROM $SCHEMA.\`$t\`; CHECKSUM TABLE $SCHEMA.\`$t\`" | awk '{print $NF}' | paste -sd' ')
        b=$(mdb_sql tgt "SELECT COUNT(*) FROM $SCHEMA.\`$t\`; CHECKSUM TABLE $SCHEMA.\`$t\`" | awk '{print $NF}' | paste -sd' ')
        how="COUNT(*), CHECKSUM TABLE"
    fi
    if [ "$a" = "$b" ] && [ -n "$a" ]; then
        log "  ok  $t: $how = $a"
    else
        log "  BAD $t: $how source [$a] target [$b]"
        bad=1
    fi
    sa=$(mdb_sql src "SHOW CREATE TABLE $SCHEMA.\`$t\`")
    sb=$(mdb_sql tgt "SHOW CREATE TABLE $SCHEMA.\`$t\`")
    [ "$sa" = "$sb" ] || { log "  BAD $t: SHOW CREATE TABLE differs"; diff <(echo "$sa") <(echo "$sb") >&2; bad=1; }
done
[ $bad = 0 ] || fail "the target differs from the source"
objects() { # SIDE: the schema's views, triggers, routines, events and sequences with their definitions
    mdb_sql "$1" "SELECT 'view', TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA='$SCHEMA'
      UNION ALL SELECT 'trigger', TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='$SCHEMA'
      UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME, ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA='$SCHEMA'
      UNION ALL SELECT 'event', EVENT_NAME, CONCAT(STATUS, ' ', EVENT_DEFINITION) FROM information_schema.EVENTS WHERE EVENT_SCHEMA='$SCHEMA'
      UNION ALL SELECT 'sequence', TABLE_NAME, '' FROM information_schema.TABLES WHERE TABLE_SCHEMA='$SCHEMA' AND TABLE_TYPE='SEQUENCE'
      ORDER BY 1, 2"
}
OBJ_SRC=$(objects src); OBJ_TGT=$(objects tgt)
[ "$OBJ_SRC" = "$OBJ_TGT" ] || { diff <(echo "$OBJ_SRC") <(echo "$OBJ_TGT") >&2; fail "views/triggers/routines/events differ"; }
log "  ok  objects: $(echo "$OBJ_SRC" | awk -F'\t' '{print $1 " " $2}' | paste -sd, -)"
SEQ_SRC=$(mdb_sql src "SELECT next_not_cached_value FROM $SCHEMA.voucher_batch")
SEQ_TGT=$(mdb_sql tgt "SET SESSION sql_log_bin=0; SELECT NEXTVAL($SCHEMA.voucher_batch)")
[ "$SEQ_TGT" -ge "$SEQ_SRC" ] || fail "the sequence restarts at $SEQ_TGT on the target, below the source's $SEQ_SRC"
[ "$(mdb_sql tgt "SELECT $SCHEMA.mac_norm('aa-bb-cc-dd-ee-ff')")" = "AA:BB:CC:DD:EE:FF" ] || fail "the function does not work"
[ "$(mdb_sql tgt "SELECT COUNT(*) FROM $SCHEMA.v_open_sessions")" = \
  "$(mdb_sql src "SELECT COUNT(*) FROM $SCHEMA.v_open_sessions")" ] || fail "the view differs"

# --- 4. nothing of the copy in the target's binary log ---------------------
mapfile -t BINLOGS < <(mdb_sql tgt "SHOW BINARY LOGS" | awk '{print $1}')
( cd "$WORK/tgt/data" && mariadb-binlog --no-defaults "${BINLOGS[@]}" ) >"$WORK/tgt-binlog.txt" 2>&1 ||
    fail "mariadb-binlog failed: $(tail -n 3 "$WORK/tgt-binlog.txt")"
ROWEV=$(grep -Ec 'Write_rows|Update_rows|Delete_rows|Table_map' "$WORK/tgt-binlog.txt")
SCHEMAEV=$(grep -ci "$SCHEMA" "$WORK/tgt-binlog.txt")
log "target binlog: $ROWEV row events, $SCHEMAEV mentions of $SCHEMA (${#BINLOGS[@]} files)"
[ "$ROWEV" = 0 ] || fail "the load wrote $ROWEV row events to the target's binary log"
[ "$SCHEMAEV" = 0 ] || fail "the copy's DDL reached the target's binary log"

# --- 4b. the row hash from the stream, for every table ----------------------
# As between two MariaDB versions (where CHECKSUM TABLE's storage formats may
# differ): the target's row hash against the one ferry computes from the
# values it streamed, for every column type of the data set (FLOAT as
# DOUBLE, BIT, UUID, INET6, POINT, JSON, TEXT/BLOB with NUL, tab, newline
# and backslash, NULLs). Any difference between what was streamed and what
# the target stored fails the copy.
run_tool "$WORK/rowhash" --row-hash --quiet
wait_tool "$WORK/rowhash"
RH=$(json "$WORK/rowhash.json" '" ".join(sorted({t["verify"] for t in d["tables"]}))')
RHN=$(json "$WORK/rowhash.json" 'sum(1 for t in d["tables"] if t["verify"] == "row-hash")')
[ "$RH" = row-hash ] && [ "$RHN" -eq "$NTABLES" ] ||
    fail "--row-hash: verify methods [$RH], $RHN of $NTABLES tables by row hash"
log "  ok  --row-hash: all $NTABLES tables verified by the row hash computed from the stream"

# --- 5. throughput, and dump|load on the same data (informational) ---------
# A fresh copy of the quiet source, the way the daemon runs it.
run_tool "$WORK/bench" --quiet
wait_tool "$WORK/bench"
COPY_S=$(json "$WORK/bench.json" '"%.2f" % d["seconds"]')
MBS=$(json "$WORK/bench.json" '"%.1f" % d["mb_per_s"]')
MB=$(json "$WORK/bench.json" '"%.1f" % (d["total_bytes"] / 1e6)')
STREAM_MBS=$(json "$WORK/bench.json" '"%.1f" % d["stream_mb_per_s"]')
LOCK_S=$(json "$WORK/bench.json" '"%.3f" % d["lock_seconds"]')

mdb_sql tgt "SET SESSION sql_log_bin=0; DROP DATABASE IF EXISTS hotspot_dump; CREATE DATABASE hotspot_dump" ||
    fail "cannot create hotspot_dump"
t0=$(date +%s.%N)
MYSQL_PWD=$PASSWORD mariadb-dump --no-defaults -h "$SRC_ADDR" -u ferrycopy --ssl --ssl-ca="$CA" \
    --ssl-verify-server-cert --single-transaction --quick \
    "$SCHEMA" 2>"$WORK/dump.err" |
    mdb_client tgt --init-command="SET SESSION sql_log_bin=0" hotspot_dump 2>"$WORK/load.err" ||
    fail "mariadb-dump | mariadb failed: $(cat "$WORK/dump.err" "$WORK/load.err")"
DUMP_S=$(since "$t0")
RATIO=$(awk -v a="$DUMP_S" -v b="$COPY_S" 'BEGIN { printf "%.2f", a / b }')
log "data copy: $MB MB (InnoDB/Aria data_length) in $COPY_S s = $MBS MB/s" \
    "($STREAM_MBS MB/s of LOAD DATA text), source read-locked $LOCK_S s, $THREADS threads, $ROWS rows"
log "mariadb-dump --single-transaction --quick | mariadb: $DUMP_S s -> the copy is ${RATIO}x faster"
echo "data-copy: rows=$ROWS mb=$MB copy_s=$COPY_S mb_per_s=$MBS dump_load_s=$DUMP_S speedup=$RATIO"
log "PASS"
