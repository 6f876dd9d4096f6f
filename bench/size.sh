#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# One data-set size of the benchmark (bench/run calls it once per size;
# packages and the build are bench/run's job):
#
#   bench/size.sh OUT_DIR SIZE_MB
#
# A fresh rig under /tmp/ferry-rig.*: two appliances on 127.0.0.x (source
# with ferry-peer, its mariadbd with TLS; target with ferryd on a private
# system bus, systemd's manager a test double), the source filled with
# the hotspot data set (tests/rig/gen_dataset.py + bench/gen_wide.py) of
# about SIZE_MB of InnoDB data + indexes, and user-traffic logs. Then, on
# the same pair of mariadbd, one after the other:
#
#   curl        the log files over ferry-peer's HTTPS, as ferry fetches them
#   ferryd      a real migration (ferryctl probe/start/watch, with license
#               and logs); the copy-data and copy-syslog operations are timed
#               from the job's events; ferryd's memory and CPU sampled, D-Bus
#               property reads timed all along
#   engine      data-copy-tool: ferry's copy engine alone, plain TCP
#   engine-tls  the same over TLS, as ferryd connects
#   dump-load   mariadb-dump --single-transaction --quick | mariadb
#   mydumper    mydumper -t N + myloader -t N
#   mydumper-r  mydumper -t N -r CHUNK + myloader -t N
#   floor       LOAD DATA INFILE of ready files, N at a time (bench/floor.py)
#
# Before each database method the target's schema is dropped, its dirty
# pages flushed and `sync` run; after each, every base table is compared
# with the source (rows and content checksum, app_table_sums), and for a
# table that differs the columns that differ are named.
#
# Environment (bench/run sets them): BENCH_METHODS (comma list, default
# all), BENCH_THREADS (2), BENCH_CHUNK_ROWS (250000), BENCH_LOG_MB (1024),
# BENCH_BIN (dbus-reader, data-copy-tool), BENCH_BYTES_PER_ROW (360),
# BENCH_ROUNDS (1: the methods after ferryd run that many times in turn),
# BENCH_BUILD (the build directory, default build/), BENCH_KEEP=1 keeps
# the rig, BENCH_DBUS_INTERVAL_MS (20), BENCH_PERF=1
# records scheduler/fsync events with perf during the migration and
# attributes the slow D-Bus calls (bench/dbus_attr.py).
# Writes OUT_DIR/methods.jsonl, meta.json, sampler.log, dbus.log,
# events.json, sums-*.txt, logs of every tool; bench/report.py collects them.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$1
SIZE_MB=$2
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
: > "$OUT/methods.jsonl"

METHODS=${BENCH_METHODS:-ferryd,engine,engine-tls,dump-load,mydumper,mydumper-r,floor,curl}
THREADS=${BENCH_THREADS:-2}
CHUNK_ROWS=${BENCH_CHUNK_ROWS:-250000}
LOG_MB=${BENCH_LOG_MB:-1024}
BIN=${BENCH_BIN:-$ROOT/bench/out/bin}
BYTES_PER_ROW=${BENCH_BYTES_PER_ROW:-360}
DBUS_INTERVAL_MS=${BENCH_DBUS_INTERVAL_MS:-20}
ROUNDS=${BENCH_ROUNDS:-1}
ROWS=$(( SIZE_MB * 1000000 / BYTES_PER_ROW ))
[ "$ROWS" -ge 1000 ] || ROWS=1000
DCT=$BIN/data-copy-tool
[ -x "$DCT" ] || DCT=${BENCH_BUILD:-$ROOT/build}/tests/integration/data-copy-tool

source "$ROOT/tests/integration/lib/rig.sh"
rig_init "$ROOT" "${BENCH_BUILD:-$ROOT/build}"
# shellcheck disable=SC2034 # read by rig_cleanup (tests/integration/lib/rig.sh)
[ -n "${BENCH_KEEP:-}" ] && RIG_KEEP=1
source "$ROOT/tests/rig/mariadb.sh"
source "$ROOT/tests/rig/appliance.sh"
RIG_EXIT_HOOKS+=(mdb_kill_all bench_stop_bg sched_cleanup)
BG_PIDS=()
bench_stop_bg() { local p; for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; BG_PIDS=(); }

# Each daemon in a CPU cgroup of its own, as on the appliance: systemd runs
# every service in its own cgroup and session, so the scheduler shares the
# CPU between services (mariadbd, dbus-daemon, ferryd, ferry-peer) and a
# client's session, not between their threads. Without this the whole rig
# is one autogroup (the bench's session) and an idle bus daemon queues
# behind every mariadbd thread. BENCH_FLAT_SCHED=1 keeps the single group.
SCHED_CG=
as_services() { # NAME=PID...
    [ -z "${BENCH_FLAT_SCHED:-}" ] || return 0
    local base=/sys/fs/cgroup/cpu kv
    if [ ! -w "$base/cgroup.procs" ]; then
        blog "no cgroup v1 cpu hierarchy: the rig stays one scheduling group"
        return 0
    fi
    SCHED_CG=$base/ferry-bench.$$
    for kv; do
        mkdir -p "$SCHED_CG/${kv%%=*}" && echo "${kv#*=}" > "$SCHED_CG/${kv%%=*}/cgroup.procs" \
            || blog "could not move ${kv%%=*} into its cgroup"
    done
}
sched_cleanup() {
    [ -n "$SCHED_CG" ] && [ -d "$SCHED_CG" ] || return 0
    local d p
    for d in "$SCHED_CG"/*/; do
        while read -r p; do echo "$p" > /sys/fs/cgroup/cpu/cgroup.procs 2>/dev/null; done < "$d/cgroup.procs"
        rmdir "$d" 2>/dev/null
    done
    rmdir "$SCHED_CG" 2>/dev/null
}

has() { [[ ",$METHODS," == *",$1,"* ]]; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
blog() { rig_log "[${SIZE_MB} MB] $*"; }
# CPU ticks (utime+stime, all threads) of a process.
ticks() { local f; read -r -a f < "/proc/$1/stat" 2>/dev/null || { echo 0; return; }; echo $(( f[13] + f[14] )); }
# Busy ticks of the whole machine (all CPUs; user nice system irq softirq steal).
machine_ticks() { local f; read -r -a f < /proc/stat; echo $(( f[1] + f[2] + f[3] + f[6] + f[7] + f[8] )); }
json_file() { python3 -c 'import json,sys
try: print(json.dumps(json.load(open(sys.argv[1]))))
except Exception: print("null")' "$1"; }
json_str() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }

SRC_ADDR=$(mdb_pick_address 127.0.0.72 127.0.0.82 127.0.0.92) || rig_fail "no free address"
TGT_ADDR=$(mdb_pick_address 127.0.0.73 127.0.0.83 127.0.0.93 | grep -vx "$SRC_ADDR") || rig_fail "no free address"
blog "rig $RIG: source $SRC_ADDR, target $TGT_ADDR; $ROWS rows (--rows), logs $LOG_MB MB, threads $THREADS"

PASSWORD="Bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$PASSWORD" > "$RIG/password"; chmod 600 "$RIG/password"

rig_start_bus
"$BUILD/tests/integration/systemd-double" --record="$RIG/systemd-calls.log" >"$RIG/systemd-double.log" 2>&1 &
RIG_PIDS+=($!)
rig_wait_for 10 busctl --system status org.freedesktop.systemd1 --no-pager || rig_fail "systemd double"
app_make source "$SRC_ADDR" yes active
app_make target "$TGT_ADDR" no
[ "$THREADS" = 2 ] || printf 'CopyThreads=%s\n' "$THREADS" >> "$RIG/target/ferry.conf"
t0=$(now)
app_fill_logs source $(( LOG_MB ))
blog "logs: $(du -sh "$RIG/source/logs" | cut -f1) in $(since "$t0") s"
app_start_mariadb_tls source
app_start_mariadb target
SRC_PID=${MDB_PID[source]}
TGT_PID=${MDB_PID[target]}

# --- The data set ----------------------------------------------------------
t0=$(now)
python3 "$ROOT/tests/rig/gen_dataset.py" --socket "$RIG/source/db/mysqld.sock" --rows "$ROWS" --jobs 2 \
    --workdir "$RIG" >"$OUT/gen.log" 2>&1 || { cat "$OUT/gen.log"; rig_fail "gen_dataset.py failed"; }
python3 "$ROOT/bench/gen_wide.py" --socket "$RIG/source/db/mysqld.sock" --rows "$ROWS" --jobs 2 \
    --workdir "$RIG" >>"$OUT/gen.log" 2>&1 || { cat "$OUT/gen.log"; rig_fail "gen_wide.py failed"; }
GEN_S=$(since "$t0")
mdb_sql source "SELECT table_name, engine, table_rows, data_length, index_length FROM information_schema.tables WHERE table_schema='hotspot' AND table_type='BASE TABLE' ORDER BY data_length DESC" > "$OUT/tables.tsv"
read -r DATA_B INDEX_B <<<"$(awk '{d += $4; i += $5} END {print d, i}' "$OUT/tables.tsv")"
blog "data set: $(awk -v d="$DATA_B" -v i="$INDEX_B" 'BEGIN { printf "%.0f MB data + %.0f MB indexes", d/1e6, i/1e6 }'), generated in $GEN_S s"

# A TCP account on the source for the tools (ferryd makes its own through
# ferry-peer); created without binary logging, as ferry-peer's.
BENCH_PW=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
mdb_sql source "SET sql_log_bin=0; CREATE USER 'bench'@'%' IDENTIFIED BY '$BENCH_PW'; GRANT ALL ON *.* TO 'bench'@'%'" \
    || rig_fail "bench account"
printf '[client]\nuser=bench\npassword=%s\nhost=%s\n' "$BENCH_PW" "$SRC_ADDR" > "$RIG/bench.cnf"
chmod 600 "$RIG/bench.cnf"

t0=$(now)
app_table_sums source > "$OUT/sums-source.txt"
SUMS_S=$(since "$t0")
blog "source sums in $SUMS_S s ($(wc -l < "$OUT/sums-source.txt") tables)"

cat > "$OUT/meta.json" <<JSON
{"size_mb": $SIZE_MB, "rows_arg": $ROWS, "data_bytes": $DATA_B, "index_bytes": $INDEX_B,
 "tables": $(wc -l < "$OUT/tables.tsv"), "gen_seconds": $GEN_S, "sums_seconds": $SUMS_S,
 "log_bytes": $(du -sb "$RIG/source/logs" | cut -f1), "threads": $THREADS, "chunk_rows": $CHUNK_ROWS,
 "source": "$SRC_ADDR", "target": "$TGT_ADDR", "mariadb": $(json_str "$(mariadbd --version)"),
 "mydumper": $(json_str "$(mydumper --version 2>&1)"), "curl": $(json_str "$(curl --version | head -1)"),
 "nproc": $(nproc), "kernel": $(json_str "$(uname -r)"), "started": $(json_str "$(date -Is)")}
JSON

# --- Helpers for the database methods --------------------------------------
flush_target() {
    mdb_sql target "SET GLOBAL innodb_max_dirty_pages_pct_lwm=0.001, innodb_max_dirty_pages_pct=0.001" >/dev/null
    local i d
    for ((i = 0; i < 600; i++)); do
        d=$(mdb_sql target "SELECT variable_value FROM information_schema.global_status WHERE variable_name='INNODB_BUFFER_POOL_PAGES_DIRTY'")
        [ "${d:-1}" -eq 0 ] && break
        sleep 0.2
    done
    mdb_sql target "SET GLOBAL innodb_max_dirty_pages_pct_lwm=0, innodb_max_dirty_pages_pct=90" >/dev/null
    sync
}

reset_target() {
    mdb_sql target "SET SESSION sql_log_bin=0; DROP DATABASE IF EXISTS hotspot" || rig_fail "cannot drop the target's schema"
    flush_target
}

# Per-column checksums of one table on both sides: prints the columns that differ.
column_diff() {
    local t=$1 side cols
    for side in source target; do
        cols=$(mdb_sql "$side" "SET SESSION group_concat_max_len=1048576; SELECT GROUP_CONCAT(CONCAT('SUM(CRC32(IFNULL(HEX(\`', column_name, '\`),''N'')))') ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema='hotspot' AND table_name='$t'")
        mdb_sql "$side" "SELECT $cols FROM hotspot.\`$t\`" 2>/dev/null | tr '\t' '\n' > "$RIG/colsum.$side"
    done
    mdb_sql source "SELECT column_name FROM information_schema.columns WHERE table_schema='hotspot' AND table_name='$t' ORDER BY ordinal_position" \
        | paste -d' ' - "$RIG/colsum.source" "$RIG/colsum.target" | awk -v t="$t" '$2 != $3 { print t "." $1 }'
}

# verify NAME: compares the target with the source; prints a JSON fragment.
verify() {
    # Rows and the content checksum decide; CHECKSUM TABLE (4th field) is
    # not compared (it hashes storage details, and is "-" with generated columns).
    local name=$1 t n s t2 n2 s2 differ=() cols=()
    app_table_sums target > "$OUT/sums-$name.txt"
    while read -r t n s _ t2 n2 s2 _; do
        if [ "$t" != "$t2" ] || [ "$n $s" != "$n2 $s2" ]; then
            differ+=("$t")
            if [ "$t" = "$t2" ] && [ "$n" = "$n2" ]; then
                mapfile -t -O "${#cols[@]}" cols < <(column_diff "$t")
            fi
        fi
    done < <(paste -d' ' "$OUT/sums-source.txt" "$OUT/sums-$name.txt")
    local nsrc ntgt
    nsrc=$(wc -l < "$OUT/sums-source.txt"); ntgt=$(wc -l < "$OUT/sums-$name.txt")
    [ "$nsrc" = "$ntgt" ] || differ+=("table count $nsrc vs $ntgt")
    local eq=true; [ ${#differ[@]} -eq 0 ] || eq=false
    printf '"verified": %s, "tables_checked": %s, "tables_differ": %s, "columns_differ": %s' "$eq" "$nsrc" \
        "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "${differ[@]}")" \
        "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "${cols[@]}")"
    if [ "$eq" = true ]; then blog "$name: every table equal"; else blog "$name: DIFFERS: ${differ[*]} (${cols[*]})"; fi
}

# run_timed NAME CMD...: runs CMD under /usr/bin/time, records wall s,
# client CPU, both servers' CPU; sets RUN_S.
run_timed() {
    local name=$1; shift
    local t0 a0 b0 m0
    a0=$(ticks "$SRC_PID"); b0=$(ticks "$TGT_PID"); m0=$(machine_ticks); t0=$(now)
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/time-$name.txt" "$@"
    local rc=$?
    RUN_S=$(since "$t0")
    local a1 b1 m1; a1=$(ticks "$SRC_PID"); b1=$(ticks "$TGT_PID"); m1=$(machine_ticks)
    local hz; hz=$(getconf CLK_TCK)
    read -r _ U S M < <(tail -n 1 "$OUT/time-$name.txt")
    RUN_CPU=$(printf '"cpu_s": {"source_mariadbd": %s, "target_mariadbd": %s, "client": %s, "machine": %s}, "client_max_rss_kb": %s' \
        "$(awk -v a="$a0" -v b="$a1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }')" \
        "$(awk -v a="$b0" -v b="$b1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }')" \
        "$(awk -v u="${U:-0}" -v s="${S:-0}" 'BEGIN { printf "%.2f", u + s }')" \
        "$(awk -v a="$m0" -v b="$m1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }')" "${M:-0}")
    return $rc
}

record() { # record JSON_OBJECT_BODY
    printf '{"round": %s, %s}\n' "${ROUND:-1}" "$1" >> "$OUT/methods.jsonl"
}

# --- curl: the log files over the same HTTPS server --------------------------
curl_logs() {
    local hdr="$RIG/curl-auth.hdr" body="$RIG/curl-login.json" dir="$RIG/curl-logs" tok
    python3 -c 'import json,sys; print(json.dumps({"password": open(sys.argv[1]).read()}))' "$RIG/password" > "$body"
    tok=$(curl -sk --fail -X POST -H 'Content-Type: application/json' --data @"$body" \
        "https://$SRC_ADDR/ferry/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])') \
        || { blog "curl: login failed"; return 1; }
    printf 'Authorization: Bearer %s\n' "$tok" > "$hdr"; chmod 600 "$hdr"
    # The listing (ferry's copy-syslog makes the same request first); timed
    # apart. Builds before the log digests moved out of the listing hashed
    # every file here.
    local t_list; t_list=$(now)
    curl -sk --fail -H @"$hdr" "https://$SRC_ADDR/ferry/v1/logs" > "$RIG/logs-list.json" || return 1
    local list_s; list_s=$(since "$t_list")
    mapfile -t names < <(python3 -c 'import json,sys; [print(f["name"]) for f in json.load(open(sys.argv[1]))["files"]]' "$RIG/logs-list.json")
    rm -rf "$dir"; mkdir -p "$dir"; sync
    local urls=() n
    for n in "${names[@]}"; do urls+=(-o "$dir/$n" "https://$SRC_ADDR/ferry/v1/logs/$n"); done
    # One curl process, the files one after the other over one connection
    # (ferry fetches them one after the other too).
    run_timed curl curl -sk --fail -H @"$hdr" "${urls[@]}" || { blog "curl failed"; return 1; }
    local curl_s=$RUN_S curl_cpu=$RUN_CPU t0
    t0=$(now); sync -f "$dir"; local sync_s; sync_s=$(since "$t0")
    t0=$(now)
    (cd "$dir" && sha256sum "${names[@]}") > "$RIG/curl.sha256"
    local sha_s; sha_s=$(since "$t0")
    # The source's digests, untimed: GET logs/NAME/sha256 (or, from builds
    # before it existed, the listing's "sha256").
    : > "$RIG/logs-digests.txt"
    for n in "${names[@]}"; do
        curl -sk --fail -H @"$hdr" "https://$SRC_ADDR/ferry/v1/logs/$n/sha256" >> "$RIG/logs-digests.txt" 2>/dev/null \
            && echo >> "$RIG/logs-digests.txt"
    done
    local ok=true
    python3 - "$RIG/logs-list.json" "$RIG/curl.sha256" "$RIG/logs-digests.txt" <<'PY' || ok=false
import json, sys
listed = json.load(open(sys.argv[1]))["files"]
want = {f["name"]: f["sha256"] for f in listed if "sha256" in f}
for line in open(sys.argv[3]):
    if line.strip():
        d = json.loads(line)
        want[d["name"]] = d["sha256"]
got = {l.split()[1]: l.split()[0] for l in open(sys.argv[2])}
sys.exit(0 if want == got and len(want) == len(listed) else 1)
PY
    record "\"method\": \"curl\", \"seconds\": $curl_s, \"bytes\": $(du -sb "$dir" | cut -f1), \"files\": ${#names[@]}, \"sync_seconds\": $sync_s, \"sha256_seconds\": $sha_s, \"list_seconds\": $list_s, \"verified\": $ok, $curl_cpu"
    blog "curl: ${#names[@]} files in $curl_s s (+ sync $sync_s s, sha256sum $sha_s s), verified $ok"
    rm -rf "$dir"; sync
}

# --- ferryd: a real migration ------------------------------------------------
ferryd_migration() {
    local rc
    rig_start_ferryd target
    # shellcheck disable=SC2154 # set by app_start_peer (eval)
    PEER_PID=$APP_PEER_PID_source
    flush_target
    python3 "$ROOT/bench/sampler.py" "$OUT/sampler.log" 0.1 ferryd="$FERRYD_PID" source_mariadbd="$SRC_PID" \
        target_mariadbd="$TGT_PID" ferry_peer="$PEER_PID" &
    BG_PIDS+=($!)
    "$BIN/dbus-reader" "$OUT/dbus.log" "$DBUS_INTERVAL_MS" &
    local reader=$! perf_pid=
    BG_PIDS+=("$reader")
    local bus_pid
    bus_pid=$(pgrep -f -- "--config-file=$RIG/bus/bus.conf" | head -n 1)
    as_services source_mariadbd="$SRC_PID" target_mariadbd="$TGT_PID" dbus="$bus_pid" ferryd="$FERRYD_PID" \
        ferry_peer="$PEER_PID" client="$reader"
    if [ -n "${BENCH_PERF:-}" ]; then
        # Scheduler and fsync events of the whole machine, for bench/dbus_attr.py.
        perf record -q -k CLOCK_MONOTONIC -a -e sched:sched_wakeup -e sched:sched_switch \
            -e syscalls:sys_enter_fsync -e syscalls:sys_exit_fsync \
            -e syscalls:sys_enter_fdatasync -e syscalls:sys_exit_fdatasync \
            -o "$RIG/perf.data" > "$OUT/perf.log" 2>&1 &
        perf_pid=$!
        sleep 1
    fi
    "$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" > "$OUT/ferryctl-probe.txt" 2>&1 \
        || { cat "$OUT/ferryctl-probe.txt"; rig_fail "probe failed"; }
    "$FERRYCTL" start --license --logs --yes --no-ask-password > "$OUT/ferryctl-start.txt" 2>&1 \
        || { cat "$OUT/ferryctl-start.txt"; rig_fail "start failed"; }
    "$FERRYCTL" watch > "$OUT/ferryctl-watch.txt" 2>&1; rc=$?
    sleep 0.5
    bench_stop_bg
    [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null
    "$FERRYCTL" --json=short events > "$OUT/events.json" 2>&1
    "$FERRYCTL" status > "$OUT/ferryctl-status.txt" 2>&1
    if [ -n "$perf_pid" ]; then
        bus_pid=$(pgrep -f -- "--config-file=$RIG/bus/bus.conf" | head -n 1)
        perf script -i "$RIG/perf.data" -F comm,tid,cpu,time,event,trace > "$RIG/perf.txt" 2>/dev/null
        python3 "$ROOT/bench/dbus_attr.py" "$OUT" "$RIG/perf.txt" ferryd="$FERRYD_PID" bus="$bus_pid" reader="$reader" \
            > "$OUT/dbus-attribution.json" || blog "dbus_attr.py failed"
        rm -f "$RIG/perf.data" "$RIG/perf.txt"
    fi
    [ $rc -eq 0 ] || { tail -n 20 "$OUT/ferryctl-watch.txt"; blog "the migration FAILED (watch exit $rc)"; }
    local logs_ok=true f
    for f in "$RIG"/source/logs/*; do cmp -s "$f" "$RIG/target/logs/$(basename "$f")" || logs_ok=false; done
    record "\"method\": \"ferryd\", \"job_ok\": $([ $rc -eq 0 ] && echo true || echo false), \"logs_verified\": $logs_ok, $(verify ferryd)"
    "$FERRYCTL" acknowledge >/dev/null 2>&1
    cp "$RIG/ferryd-target.log" "$OUT/ferryd.log" 2>/dev/null
    FERRYD_IDLE=1 # kept running, idle: the D-Bus control measurement during the engine run
}

# What the engine's verification costs: the same statements it runs per
# table (COUNT(*) + CHECKSUM TABLE on both sides; for tables with generated
# columns the row hash of daemon/source/data_copy.cpp's row_hash_sql() on
# the target only, the source's side being hashed from the stream), one
# after the other on each side; CPU seconds of each mariadbd.
verify_cost() {
    local side sql="" src_sql="" t gen cols hz a0 a1 t0 out=()
    hz=$(getconf CLK_TCK)
    for t in $(mdb_sql source "SELECT table_name FROM information_schema.tables WHERE table_schema='hotspot' AND table_type='BASE TABLE'"); do
        gen=$(mdb_sql source "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema='hotspot' AND table_name='$t' AND is_generated<>'NEVER'")
        if [ "$gen" -eq 0 ]; then
            sql+="SELECT COUNT(*) FROM hotspot.\`$t\`; CHECKSUM TABLE hotspot.\`$t\`; "
            src_sql+="SELECT COUNT(*) FROM hotspot.\`$t\`; CHECKSUM TABLE hotspot.\`$t\`; "
        else
            cols=$(mdb_sql source "SET SESSION group_concat_max_len=1048576; SELECT GROUP_CONCAT(CONCAT('IFNULL(CRC32(', IF(data_type='float', CONCAT('CAST(\`', column_name, '\` AS DOUBLE)'), CONCAT('\`', column_name, '\`')), '),''n'')') ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema='hotspot' AND table_name='$t' AND is_generated='NEVER'")
            sql+="SELECT COUNT(*), SUM(CRC32(CONCAT_WS(',',$cols))) FROM hotspot.\`$t\`; "
        fi
    done
    for side in source target; do
        local pid=$SRC_PID q=$src_sql; [ "$side" = target ] && pid=$TGT_PID q=$sql
        a0=$(ticks "$pid"); t0=$(now)
        mdb_sql "$side" "$q" > /dev/null
        a1=$(ticks "$pid")
        out+=("\"${side}_wall_s\": $(since "$t0"), \"${side}_cpu_s\": $(awk -v a="$a0" -v b="$a1" -v h="$hz" 'BEGIN { printf "%.2f", (b - a) / h }')")
    done
    local IFS=,
    printf '{%s}' "${out[*]}"
}

# --- ferry's engine alone: data-copy-tool -------------------------------------
engine() { # engine NAME [--source-tls ...]
    local name=$1; shift
    reset_target
    # Control for the D-Bus latency: the same reads from an idle ferryd
    # while the machine is as busy as during ferryd's copy.
    if [ -n "${FERRYD_IDLE:-}" ]; then
        "$BIN/dbus-reader" "$OUT/dbus-idle.log" "$DBUS_INTERVAL_MS" &
        BG_PIDS+=($!)
        as_services client=$!
    fi
    FERRY_SOURCE_PASSWORD=$BENCH_PW run_timed "$name" "$DCT" --source-host "$SRC_ADDR" --source-user bench "$@" \
        --target-socket "$RIG/target/db/mysqld.sock" --schema hotspot --threads "$THREADS" --quiet \
        > "$OUT/$name.json" 2> "$OUT/$name.log" || { tail -n 5 "$OUT/$name.log"; blog "$name FAILED"; }
    if [ -n "${FERRYD_IDLE:-}" ]; then
        bench_stop_bg
        rig_stop_ferryd
        FERRYD_IDLE=
    fi
    local vc=null
    [ "$name" = engine ] && [ "${ROUND:-1}" = 1 ] && vc=$(verify_cost)
    record "\"method\": \"$name\", \"seconds\": $RUN_S, $RUN_CPU, \"verify_cost\": $vc, \"tool\": $(json_file "$OUT/$name.json"), $(verify "$name")"
    blog "$name: $RUN_S s (verification alone: $vc)"
}

dump_load() {
    reset_target
    run_timed dump-load bash -c 'mariadb-dump --defaults-file="$1" --single-transaction --quick --routines --events --triggers --databases hotspot | mariadb --no-defaults --socket="$2" -uroot --init-command="SET sql_log_bin=0"' \
        _ "$RIG/bench.cnf" "$RIG/target/db/mysqld.sock" 2> "$OUT/dump-load.log" || { tail -n 5 "$OUT/dump-load.log"; blog "dump-load FAILED"; }
    record "\"method\": \"dump-load\", \"seconds\": $RUN_S, $RUN_CPU, $(verify dump-load)"
    blog "dump-load: $RUN_S s"
}

mydumper_myloader() { # NAME [mydumper options...]
    local name=$1; shift
    local dir="$RIG/mydumper"
    reset_target
    rm -rf "$dir"
    run_timed "$name-dump" mydumper --defaults-file="$RIG/bench.cnf" -h "$SRC_ADDR" -B hotspot -t "$THREADS" "$@" \
        -G -E -R -o "$dir" -v 2 > "$OUT/$name-dump.log" 2>&1 || { tail -n 5 "$OUT/$name-dump.log"; blog "$name dump FAILED"; }
    local dump_s=$RUN_S dump_cpu=$RUN_CPU files
    files=$(find "$dir" -name '*.sql' | wc -l)
    sync -f "$dir"
    run_timed "$name-load" myloader -S "$RIG/target/db/mysqld.sock" -u root -t "$THREADS" -d "$dir" -o -v 2 \
        > "$OUT/$name-load.log" 2>&1 || { tail -n 5 "$OUT/$name-load.log"; blog "$name load FAILED"; }
    local load_s=$RUN_S
    record "\"method\": \"$name\", \"seconds\": $(awk -v a="$dump_s" -v b="$load_s" 'BEGIN { printf "%.3f", a + b }'), \"dump_seconds\": $dump_s, \"load_seconds\": $load_s, \"files\": $files, \"dump\": {$dump_cpu}, \"load\": {$RUN_CPU}, $(verify "$name")"
    blog "$name: dump $dump_s s + load $load_s s ($files files)"
    rm -rf "$dir"
}

floor() {
    local sdir="$RIG/source/db/floor" tdir="$RIG/target/db/floor" t0
    t0=$(now)
    if [ ! -f "$tdir/plan.json" ]; then # once, kept for the next rounds
        python3 "$ROOT/bench/floor.py" export --socket "$RIG/source/db/mysqld.sock" --dir "$sdir" > "$OUT/floor-export.json" \
            || { blog "floor export FAILED"; return; }
        rm -rf "$tdir"; mv "$sdir" "$tdir"
    fi
    local export_s; export_s=$(since "$t0")
    reset_target
    mariadb-dump --no-defaults --socket="$RIG/source/db/mysqld.sock" -uroot --no-data --skip-triggers --databases hotspot \
        | mdb_client target --init-command="SET sql_log_bin=0" || rig_fail "floor: cannot create the empty tables"
    flush_target
    run_timed floor python3 "$ROOT/bench/floor.py" load --socket "$RIG/target/db/mysqld.sock" --dir "$tdir" --jobs "$THREADS" \
        > "$OUT/floor.json" 2> "$OUT/floor.log" || { tail -n 5 "$OUT/floor.log"; blog "floor load FAILED"; }
    record "\"method\": \"floor\", \"seconds\": $RUN_S, \"export_seconds\": $export_s, \"file_bytes\": $(du -sb "$tdir" | cut -f1), $RUN_CPU, \"tool\": $(json_file "$OUT/floor.json"), $(verify floor)"
    blog "floor: $RUN_S s (export, untimed: $export_s s)"
    [ "${ROUND:-1}" -lt "$ROUNDS" ] || rm -rf "$tdir"
}

# The log baseline first, while the source is not yet migrated (the
# migration's last operation revokes every token).
if has curl || has ferryd; then app_start_peer source "$RIG/password"; fi
has curl && curl_logs
has ferryd && ferryd_migration
# The other methods, ROUNDS times in turn (a noisy machine then affects
# them alike; bench/report.py takes each method's median).
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    [ "$ROUNDS" -eq 1 ] || blog "round $ROUND of $ROUNDS"
    has engine && engine engine
    has engine-tls && engine engine-tls --source-tls --source-no-verify
    has dump-load && dump_load
    has mydumper && mydumper_myloader mydumper
    has mydumper-r && mydumper_myloader mydumper-r -r "$CHUNK_ROWS"
    has floor && floor
    if [ -n "${FERRYD_IDLE:-}" ]; then rig_stop_ferryd; FERRYD_IDLE=; fi
done
blog "done"
