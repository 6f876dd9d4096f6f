# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Shared by the fault tests (tests/faults/*.sh, docs/faults.md). Source after
# tests/integration/lib/rig.sh, tests/rig/mariadb.sh and tests/rig/appliance.sh.
#
#   fault_rig [--proxy]   two appliances (source licensed, with logs and a data
#                         set; target unlicensed), the private bus, the systemd
#                         double, ferry-peer, ferryd. With --proxy the source's
#                         services listen on SRC_REAL and tcp_proxy.py forwards
#                         SRC_ADDR:80/443/3306 to them (bound to TGT_ADDR, so
#                         the source sees the target's address): the link
#                         between the two systems can be cut and stalled.
#   fault_probe_start     probe + start (--license --logs); sets JOB
#   fault_wait_end SECS   waits (ferryctl watch: signals) until the job
#                         finished; sets END_STATE (succeeded/failed/timeout)
#   fault_verify LABEL    tables (rows lost/duplicated, content), settings,
#                         license, logs, certificates, temporary account
#   fault_reset           acknowledge and put both appliances back as before
#   fault_restart_ferryd  after a kill -9: start it again (it resumes)
#   fault_arm_kill OP FRACTION DELAY   the waiter of a kill -9 of ferryd at a
#                         point (fault_driver.py fire), subscribed before it
#                         returns; FIRE_PID, its JSON line in $RIG/fire.out
#   fault_ferryd_nowait / fault_ferryd_up / fault_ferryd_back   ferryd again
#                         without waiting for its name (an armed waiter may
#                         kill it while it resumes) / alive / up and named
#   fault_field JSON KEY  one field of a JSON object
#   fault_error           the job's Error (code operation message remedy)
#   fault_half_applied LABEL   after a failure: what the journal says is done
#                         is really done (verified tables equal, verified logs
#                         identical, no half-written file under a final name)
#
#   fault_case LABEL RECOVER FIRE-ARGS...   one fault in a running migration
#                         (see below); migration_end LABEL verifies it
#
# Environment: FERRY_FAULT_ROWS (data set, default 120000), FERRY_FAULT_LOG_MB
# (user-traffic logs, default 24), FAULT_TARGET_MIGRATION ("Key=value ..."
# added to the target's [Migration] in ferry.conf).

FAULTS_DIR="$SRC/tests/faults"
DRIVER="$FAULTS_DIR/fault_driver.py"
PROXY="$FAULTS_DIR/tcp_proxy.py"
ROWS=${FERRY_FAULT_ROWS:-120000}
LOG_MB=${FERRY_FAULT_LOG_MB:-24}
unset JOURNAL_STREAM
export LC_ALL=C.UTF-8 SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat

fault_need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: the fault tests bind ports 80/443 and run mariadbd as root" >&2
        exit 77
    fi
    local t
    for t in mariadbd mariadb-install-db dbus-daemon busctl gdbus python3 openssl curl; do
        command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t not found (tools/deps installs it)" >&2; exit 77; }
    done
}

# A free loopback address: nothing on 80, 443, 3306 (other rigs run beside).
fault_free() {
    local a=$1 p
    for p in 80 443 3306; do
        timeout 1 bash -c "exec 3<>/dev/tcp/$a/$p" 2>/dev/null && return 1
    done
    return 0
}
fault_pick() {
    local a
    for a in "$@"; do
        fault_free "$a" && { echo "$a"; return 0; }
    done
    return 1
}

fault_rig() {
    local proxy=${1:-}
    PASSWORD="Adm1n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    printf '%s' "$PASSWORD" > "$RIG/password"; chmod 600 "$RIG/password"
    local base=$((RANDOM % 50 * 4 + 20))
    SRC_ADDR=$(fault_pick 127.0.9.$base 127.0.9.$((base + 100)) 127.0.10.$base) || rig_fail "no free address"
    TGT_ADDR=$(fault_pick 127.0.9.$((base + 1)) 127.0.9.$((base + 101)) 127.0.10.$((base + 1))) || rig_fail "no free address"
    SRC_REAL=$SRC_ADDR
    if [ "$proxy" = --proxy ]; then
        SRC_REAL=$(fault_pick 127.0.9.$((base + 2)) 127.0.9.$((base + 102)) 127.0.10.$((base + 2))) \
            || rig_fail "no free address"
    fi
    rig_log "source $SRC_ADDR (services on $SRC_REAL), target $TGT_ADDR, rows $ROWS, logs $LOG_MB MB"

    rig_start_bus
    "$BUILD/tests/integration/systemd-double" --record="$RIG/restarts.log" >"$RIG/systemd-double.log" 2>&1 &
    RIG_PIDS+=($!)
    rig_wait_for 10 busctl --system status org.freedesktop.systemd1 --no-pager || rig_fail "systemd double"

    app_make source "$SRC_REAL" yes active
    app_make target "$TGT_ADDR" no
    printf 'CopyThreads=1\n' >> "$RIG/target/ferry.conf"
    # FAULT_TARGET_MIGRATION: "Key=value ..." for the target's [Migration].
    local kv
    for kv in ${FAULT_TARGET_MIGRATION:-}; do
        if grep -q "^${kv%%=*}=" "$RIG/target/ferry.conf"; then
            sed -i "s/^${kv%%=*}=.*/$kv/" "$RIG/target/ferry.conf"
        else
            sed -i "/^\[Migration\]\$/a $kv" "$RIG/target/ferry.conf"
        fi
    done
    app_fill_logs source "$LOG_MB"
    app_start_mariadb_tls source
    app_start_mariadb target
    python3 "$SRC/tests/rig/gen_dataset.py" --socket "$RIG/source/db/mysqld.sock" --rows "$ROWS" \
        >"$RIG/gen.log" 2>&1 || rig_fail "dataset generation failed: $(tail -3 "$RIG/gen.log")"
    app_start_peer source "$RIG/password"
    PEER_PID=$APP_PEER_PID_source
    if [ "$proxy" = --proxy ]; then
        # FAULT_PROXY_PORTS: the ports forwarded (tls-pin.sh puts its own
        # man in the middle on 3306).
        local port forwards=()
        for port in ${FAULT_PROXY_PORTS:-80 443 3306}; do
            forwards+=("$SRC_ADDR:$port=$SRC_REAL:$port")
        done
        python3 "$PROXY" serve --control "$RIG/proxy.ctl" --bind "$TGT_ADDR" --lifetime 3000 \
            "${forwards[@]}" >"$RIG/proxy.log" 2>&1 &
        PROXY_PID=$!
        RIG_PIDS+=($PROXY_PID)
        rig_wait_for 10 grep -q ready "$RIG/proxy.log" || rig_fail "tcp_proxy did not start: $(cat "$RIG/proxy.log")"
    fi
    [ -n "${FAULT_BEFORE_FERRYD:-}" ] && $FAULT_BEFORE_FERRYD
    rig_start_ferryd target

    cp -a "$RIG/target/settings" "$RIG/target-settings-before"
    cp -a "$RIG/target/certs" "$RIG/target-certs-before"
    cp -a "$RIG/source/settings" "$RIG/source-settings-before"
    cp "$RIG/source/license.conf" "$RIG/source-license-before"
    app_table_sums source > "$RIG/sums-source"
    rig_log "source data: $(awk '{n += $2} END {print n}' "$RIG/sums-source") rows in $(wc -l < "$RIG/sums-source") tables"
}

proxy() { python3 "$PROXY" ctl "$RIG/proxy.ctl" "$@"; }

fault_probe_start() {
    "$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" >"$RIG/probe.out" 2>&1 \
        || rig_fail "probe: $(cat "$RIG/probe.out")"
    JOB=$("$FERRYCTL" start --license --logs --yes --no-ask-password 2>&1) || rig_fail "start: $JOB"
    JOB=$(grep -o '/org/ferry/Migration1/job/[a-z0-9]*' <<<"$JOB")
    [ -n "$JOB" ] || rig_fail "no job path from ferryctl start"
}

jprop() { busctl --system get-property org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job "$1" 2>/dev/null; }
job_state() { jprop State | sed 's/^s "\(.*\)"$/\1/'; }
job_attempt() { jprop Attempt | awk '{print $2}'; }
# From the journal on disk (also while ferryd is down).
journal_field() {
    python3 - "$RIG/target/state/job.json" "$1" <<'PY' 2>/dev/null
import json, sys
j = json.load(open(sys.argv[1]))
what = sys.argv[2]
if what == "running":
    running = [o["id"] for o in j["operations"] if o["state"] == "running"]
    done = [o["id"] for o in j["operations"] if o["state"] == "done"]
    print(running[0] if running else "after-" + (done[-1] if done else "start"))
elif what == "attempt":
    print(j["attempt"])
elif what == "state":
    print(j["state"])
elif what == "checkpoint-tables":
    cp = next(o for o in j["operations"] if o["id"] == "copy-data").get("checkpoint") or {}
    for t in cp.get("done", []):
        print(t)
elif what == "checkpoint-logs":
    cp = next(o for o in j["operations"] if o["id"] == "copy-syslog").get("checkpoint") or {}
    for t in cp.get("verified", []):
        print(t)
elif what == "op-states":
    print(" ".join(f'{o["id"]}={o["state"]}' for o in j["operations"] if o["state"] != "skipped"))
PY
}

# Waits until the job is finished, following its signals (ferryctl watch).
fault_wait_end() {
    local secs=$1 rc
    timeout "$secs" "$FERRYCTL" watch >"$RIG/watch.out" 2>&1; rc=$?
    case $rc in
    0) END_STATE=succeeded ;;
    5) END_STATE=failed ;;
    124) END_STATE=timeout ;;
    *) END_STATE="watch-exit-$rc" ;;
    esac
}

# The job's Error property: "CODE|OPERATION|MESSAGE|REMEDY".
fault_error() {
    busctl --system --json=short get-property org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Error 2>/dev/null |
        python3 -c 'import json,sys; print("|".join(json.load(sys.stdin)["data"]))' 2>/dev/null
}

fault_restart_ferryd() {
    rig_start_ferryd target
}

# ferryd again, without waiting for its name: the armed waiter may kill it
# at once (a kill while it resumes the job).
fault_ferryd_nowait() {
    "$FERRYD" --config="$RIG/target/ferry.conf" --state-dir="$RIG/target/state" --log-level=debug \
        >>"$RIG/ferryd-target.log" 2>&1 &
    FERRYD_PID=$!
    RIG_PIDS+=($FERRYD_PID)
}
fault_ferryd_up() { kill -0 "$FERRYD_PID" 2>/dev/null; }
fault_ferryd_back() {
    fault_ferryd_up || fault_ferryd_nowait
    rig_wait_for 10 busctl --system status org.ferry.Migration1 --no-pager || rig_fail "ferryd did not come back"
}

# Arms the waiter of a kill: subscribed to the signals before anything moves.
fault_arm_kill() { # OP FRACTION DELAY
    rm -f "$RIG/ready"
    python3 "$DRIVER" fire --op "$1" --fraction "$2" --delay-ms "$3" --timeout 300 --kill-owner \
        --journal "$RIG/target/state/job.json" --ready "$RIG/ready" --log "$RIG/monitor.log" \
        > "$RIG/fire.out" &
    FIRE_PID=$!
    rig_wait_for 10 test -e "$RIG/ready" || rig_fail "the waiter did not subscribe"
}

fault_field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }

# kill -9 of ferryd, waited for.
fault_kill_ferryd() {
    kill -9 "$FERRYD_PID" 2>/dev/null
    wait "$FERRYD_PID" 2>/dev/null
}

# After a failure: everything the journal calls finished is complete and
# nothing half-written carries a final name. Returns non-zero (and says why)
# otherwise.
fault_half_applied() {
    local label=$1 t n=0 why=
    app_table_sums target > "$RIG/sums-target-partial" 2>/dev/null
    for t in $(journal_field checkpoint-tables); do
        t=${t//\`/}; t=${t#*.}
        if ! grep -Fqx "$(grep "^$t " "$RIG/sums-source")" "$RIG/sums-target-partial"; then
            why+=" table $t is in the checkpoint but differs;"
        fi
        n=$((n + 1))
    done
    local l m=0
    for l in $(journal_field checkpoint-logs); do
        cmp -s "$RIG/source/logs/$l" "$RIG/target/logs/$l" || why+=" log $l verified but differs;"
        m=$((m + 1))
    done
    for l in "$RIG"/target/logs/*; do
        [ -f "$l" ] || continue
        case $l in *.ferry-part) continue ;; esac
        cmp -s "$l" "$RIG/source/logs/$(basename "$l")" || why+=" $(basename "$l") half-written under its final name;"
    done
    if [ -z "$why" ]; then
        ok "$label: nothing half-applied ($n verified table(s) equal, $m verified log(s) identical, no partial file under a final name)"
    else
        bad "$label: half-applied:$why"
    fi
}

# The full verification after a migration. Sets V_SUMMARY ("lost L dup D").
fault_verify() {
    local label=$1 s f
    app_table_sums target > "$RIG/sums-target"
    V_SUMMARY=$(python3 "$DRIVER" sums "$RIG/sums-source" "$RIG/sums-target")
    check "$label: every table equal ($V_SUMMARY)" cmp -s "$RIG/sums-source" "$RIG/sums-target"
    V_LOST=$(awk '{print $4}' <<<"$V_SUMMARY"); V_DUP=$(awk '{print $6}' <<<"$V_SUMMARY")
    f=0
    for s in "${APP_BASIC[@]}"; do
        cmp -s "$RIG/source-settings-before/$s.conf" "$RIG/target/settings/$s.conf" || f=$((f + 1))
    done
    for s in "${APP_EXCLUDED[@]}"; do
        cmp -s "$RIG/target-settings-before/$s.conf" "$RIG/target/settings/$s.conf" || f=$((f + 1))
    done
    check "$label: settings (5 basic copied, 7 excluded kept)" [ $f -eq 0 ]
    check "$label: license installed on the target" \
        grep -q "^Guid=$(sed -n 's/^Guid=//p' "$RIG/source-license-before")" "$RIG/target/license.conf"
    check "$label: license released on the source" grep -q '^State=released' "$RIG/source/license.conf"
    f=0
    for s in "$RIG"/source/logs/*; do
        cmp -s "$s" "$RIG/target/logs/$(basename "$s")" || f=$((f + 1))
    done
    f=$((f + $(ls "$RIG"/target/logs/*.ferry-part 2>/dev/null | wc -l)))
    check "$label: logs byte-identical, no partial file left" [ $f -eq 0 ]
    check "$label: certificate moved" cmp -s "$RIG/source/certs/server.pem" "$RIG/target/certs/server.pem"
    check "$label: temporary MariaDB account gone" \
        [ -z "$(mdb_sql source "SELECT user FROM mysql.user WHERE user LIKE 'ferry%'")" ]
    check "$label: job succeeded" [ "$(job_state)" = succeeded ]
}

# Acknowledge and put both appliances back to their state before the
# migration (the source's data set stays).
fault_reset() {
    if [ "$(busctl --system get-property org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 Job 2>/dev/null)" != 'o "/"' ]; then
        "$FERRYCTL" acknowledge >/dev/null 2>&1 || bad "acknowledge failed"
    fi
    mdb_sql target "DROP DATABASE IF EXISTS hotspot" || bad "cannot drop the target's data"
    rm -rf "$RIG/target/settings" "$RIG/target/certs" "$RIG/target/license.conf"
    rm -rf "$RIG/target/logs"/* "$RIG/target/settings.staged"
    cp -a "$RIG/target-settings-before" "$RIG/target/settings"
    cp -a "$RIG/target-certs-before" "$RIG/target/certs"
    rm -rf "$RIG/source/settings" "$RIG/source/maintenance" "$RIG/source/migrated.conf" "$RIG/source/settings.staged"
    cp -a "$RIG/source-settings-before" "$RIG/source/settings"
    cp "$RIG/source-license-before" "$RIG/source/license.conf"
}

# ferry-peer of the source again (after a kill), same configuration.
fault_start_peer() {
    "$BUILD/peer/ferry-peer" --config="$RIG/source/ferry.conf" --listen="$SRC_REAL:443" \
        --redirect-listen="$SRC_REAL:80" --log-level=debug >>"$RIG/peer-source.log" 2>&1 &
    PEER_PID=$!
    RIG_PIDS+=($PEER_PID)
    rig_wait_for 10 curl -sk -o /dev/null "https://$SRC_REAL/ferry/v1/" \
        || rig_fail "ferry-peer on $SRC_REAL:443 did not come back"
}
fault_kill_peer() {
    kill -9 "$PEER_PID" 2>/dev/null
    wait "$PEER_PID" 2>/dev/null
}

# A failed job's error: a name of org.ferry.Migration1.Error.* and a remedy
# (in the error or in ferryctl's hint). Sets ERR_CODE, ERR_OP, ERR_TEXT.
fault_expect_named_error() {
    local label=$1 e
    e=$(fault_error)
    ERR_CODE=${e%%|*}; e=${e#*|}
    ERR_OP=${e%%|*}; e=${e#*|}
    ERR_TEXT=$e
    local remedy=${e#*|}
    if [[ "$ERR_CODE" == org.ferry.Migration1.Error.* ]] && [ -n "${e%%|*}" ]; then
        ok "$label: named error ${ERR_CODE##*.} in $ERR_OP: ${ERR_TEXT%%|*}"
    else
        bad "$label: no named error: '$ERR_CODE' '$ERR_TEXT'"
    fi
    if [ -n "$remedy" ]; then
        ok "$label: remedy: $remedy"
    else
        bad "$label: the error has no remedy"
    fi
}

# ferryctl resume, then wait for the end.
fault_resume_and_wait() {
    local label=$1 secs=${2:-600} out
    out=$("$FERRYCTL" resume 2>&1) || { bad "$label: ferryctl resume: $out"; return 1; }
    fault_wait_end "$secs"
}

# fault_case LABEL RECOVER FIRE-ARGS...: arms the fault (the waiter is
# subscribed first), lets the job go on (resuming it when an earlier fault
# of this migration left it failed), waits until the job ends, expects a
# named error with a remedy and nothing half-applied (FAULT_AFTER_FAILURE:
# a further check), then runs RECOVER (a command: the killed part comes
# back, the link works again); the resume happens at the next fault or at
# migration_end, so that the next fault is armed before the job moves.
PENDING_RESUME=0
OUTCOMES=()
fault_case() {
    local label=$1 recover=$2
    shift 2
    rm -f "$RIG/ready"
    python3 "$DRIVER" fire --timeout "${FAULT_FIRE_TIMEOUT:-120}" --ready "$RIG/ready" --journal "$RIG/target/state/job.json" --after-resume \
        "$@" > "$RIG/fire.out" &
    local fire=$!
    rig_wait_for 10 test -e "$RIG/ready" || rig_fail "the waiter did not subscribe"
    resume_if_pending
    wait $fire
    rig_log "$label: fired ($(cat "$RIG/fire.out"))"
    fault_wait_end 300
    FAILED_AT=$(date +%s)
    if [ "$END_STATE" = succeeded ]; then
        ok "$label: the job completed despite the fault"
        OUTCOMES+=("$label: completed without a failure")
        eval "$recover"
        return
    fi
    check "$label: the job failed (not hung: $END_STATE)" [ "$END_STATE" = failed ]
    fault_expect_named_error "$label"
    fault_half_applied "$label"
    [ -n "${FAULT_AFTER_FAILURE:-}" ] && $FAULT_AFTER_FAILURE "$label"
    OUTCOMES+=("$label: ${ERR_CODE##*.} in $ERR_OP (\"${ERR_TEXT%%|*}\"); recovered, resumed")
    eval "$recover"
    PENDING_RESUME=1
}
# 1: a failed job to resume; 2: a new migration to start.
resume_if_pending() {
    case $PENDING_RESUME in
    1) "$FERRYCTL" resume >/dev/null 2>&1 || bad "ferryctl resume failed" ;;
    2) fault_probe_start ;;
    esac
    PENDING_RESUME=0
}
migration_end() {
    resume_if_pending
    fault_wait_end 300
    check "$1 ended in success ($END_STATE)" [ "$END_STATE" = succeeded ]
    fault_verify "$1"
}

