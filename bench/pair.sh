# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Two appliances on this machine for the benchmarks that run whole
# migrations again and again on one data set (bench/estimate, bench/outage):
# the rig of tools/demo (tests/integration/lib/rig.sh, tests/rig/*.sh), a
# private system bus, systemd's manager as the rig's TEST DOUBLE, the source
# with TLS and ferry-peer, the target with ferryd. Source it from the
# repository's root after setting ROOT (the repository) and BUILD_DIR.
#
#   pair_rig NAME SRC_ADDR TGT_ADDR ROWS WIDE LOG_MB GEN_LOG
#       the rig (rig_init ... app_start_peer), the data set generated on the
#       source (gen_dataset.py --rows ROWS, and bench/gen_wide.py when WIDE
#       is not empty; output in GEN_LOG), LOG_MB of user-traffic logs; sets
#       SRC_ADDR, TGT_ADDR, PEER_PID; NAME prefixes its log lines (blog).
#       With PAIR_DATA_CACHE=DIR the source's MariaDB data directory, once
#       generated, is kept in DIR (per ROWS and WIDE) and copied from there
#       by the next run instead of generating it again
#   pair_save      both appliances' files as they are now (the databases and
#                  ferryd's state apart): every job starts from here
#   pair_restore   back to pair_save's state: the target's migrated schema
#                  dropped, ferry-peer restarted; says what a job left behind
#                  (a temporary account on the source, a replica on the target)
#   pair_job_plan DIR [OPTS...]    ferryd started, probe (DIR/probe.txt),
#                  `ferryctl --json=short plan OPTS` (DIR/plan.json)
#   pair_job_run DIR [OPTS...]     `ferryctl start OPTS`, watch until the end
#                  (DIR/watch.txt), the job's events (DIR/events.json);
#                  returns 1 when the job failed
#   pair_job_end DIR               acknowledge, ferryd stopped

blog() { rig_log "[$PAIR_NAME] $*"; }

pair_rig() {
    PAIR_NAME=$1
    local src=$2 tgt=$3 rows=$4 wide=$5 log_mb=$6 gen_log=$7
    source "$ROOT/tests/integration/lib/rig.sh"
    rig_init "$ROOT" "$(cd "$BUILD_DIR" && pwd)"
    source "$ROOT/tests/rig/mariadb.sh"
    source "$ROOT/tests/rig/appliance.sh"
    RIG_EXIT_HOOKS+=(mdb_kill_all)
    SRC_ADDR=$(mdb_pick_address "$src" "${src%.*}.$((${src##*.} + 10))") || rig_fail "no free address"
    TGT_ADDR=$(mdb_pick_address "$tgt" "${tgt%.*}.$((${tgt##*.} + 10))" | grep -vx "$SRC_ADDR") \
        || rig_fail "no free address"
    head -c 18 /dev/urandom | base64 | tr -d '\n' > "$RIG/password"; chmod 600 "$RIG/password"
    rig_start_bus
    "$BUILD/tests/integration/systemd-double" --record="$RIG/systemd-calls.log" >"$RIG/systemd-double.log" 2>&1 &
    RIG_PIDS+=($!)
    rig_wait_for 10 busctl --system status org.freedesktop.systemd1 --no-pager || rig_fail "systemd double"
    app_make source "$SRC_ADDR" yes active
    app_make target "$TGT_ADDR" no
    app_fill_logs source "$log_mb"
    local cache=${PAIR_DATA_CACHE:+$PAIR_DATA_CACHE/rows-$rows${wide:+-wide}}
    if [ -n "$cache" ] && [ -e "$cache/complete" ]; then
        blog "the data set of $rows rows from $cache"
        cp -a "$cache/data" "$RIG/source/db/data" || rig_fail "cannot copy $cache"
    fi
    app_start_mariadb_tls source
    app_start_mariadb target
    if [ ! -e "${cache:-/nonexistent}/complete" ]; then
        blog "generating $rows rows${wide:+ (+ the wide tables)} and $log_mb MB of logs"
        python3 "$ROOT/tests/rig/gen_dataset.py" --socket "$RIG/source/db/mysqld.sock" --rows "$rows" --jobs 2 \
            --workdir "$RIG" >"$gen_log" 2>&1 || { cat "$gen_log"; rig_fail "gen_dataset.py failed"; }
        if [ -n "$wide" ]; then
            python3 "$ROOT/bench/gen_wide.py" --socket "$RIG/source/db/mysqld.sock" --rows "$rows" --jobs 2 \
                --workdir "$RIG" >>"$gen_log" 2>&1 || { cat "$gen_log"; rig_fail "gen_wide.py failed"; }
        fi
        if [ -n "$cache" ]; then
            # A clean shutdown: the copy must be a consistent data directory.
            mdb_stop source
            rm -rf "$cache" && mkdir -p "$cache" && cp -a "$RIG/source/db/data" "$cache/data" \
                && touch "$cache/complete" && blog "the data set kept in $cache"
            app_start_mariadb_tls source
        fi
    fi
    mdb_sql source "SELECT ROUND(SUM(data_length)/1e6), ROUND(SUM(index_length)/1e6) FROM information_schema.tables WHERE table_schema='hotspot'" \
        | { read -r d i; blog "data set: $d MB data + $i MB indexes"; }
    app_start_peer source "$RIG/password"
    PEER_PID=$APP_PEER_PID_source
}

pair_save() {
    tar -C "$RIG/source" --exclude=./db -cf "$RIG/source.tar" .
    tar -C "$RIG/target" --exclude=./db --exclude=./state -cf "$RIG/target.tar" .
}

pair_restore() {
    kill "$PEER_PID" 2>/dev/null; wait "$PEER_PID" 2>/dev/null
    find "$RIG/source" -mindepth 1 -maxdepth 1 ! -name db -exec rm -rf {} +
    tar -C "$RIG/source" -xf "$RIG/source.tar"
    find "$RIG/target" -mindepth 1 -maxdepth 1 ! -name db ! -name state -exec rm -rf {} +
    tar -C "$RIG/target" -xf "$RIG/target.tar"
    mdb_sql target "DROP DATABASE IF EXISTS hotspot" || rig_fail "cannot drop the target's copy"
    mdb_sql source "SELECT COUNT(*) FROM mysql.user WHERE user LIKE 'ferry%'" | grep -qx 0 \
        || blog "a temporary account is left on the source"
    [ -z "$(mdb_sql target "SHOW ALL SLAVES STATUS")" ] || blog "a replica is left on the target"
    sync
    app_run_peer source
    PEER_PID=$APP_PEER_PID_source
}

pair_job_plan() {
    local dir=$1; shift
    mkdir -p "$dir"
    rig_start_ferryd target
    "$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" > "$dir/probe.txt" 2>&1 \
        || { cat "$dir/probe.txt"; rig_fail "probe failed"; }
    "$FERRYCTL" --json=short plan "$@" > "$dir/plan.json" 2>&1 || rig_fail "plan failed"
}

pair_job_run() {
    local dir=$1 rc=0; shift
    "$FERRYCTL" start "$@" --yes --no-ask-password > "$dir/start.txt" 2>&1 || rig_fail "start failed"
    "$FERRYCTL" watch > "$dir/watch.txt" 2>&1 || rc=1
    "$FERRYCTL" --json=short events > "$dir/events.json" 2>&1
    return $rc
}

pair_job_end() {
    "$FERRYCTL" acknowledge > /dev/null 2>&1
    rig_stop_ferryd
}
