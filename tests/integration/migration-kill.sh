#!/usr/bin/env bash
# kill -9 of ferryd in the middle of the data copy, at several points, then
# a restart: the job resumes from its checkpoint (tables already verified
# are not copied again; the unfinished ones are reloaded) and completes
# with every table equal on both sides. Then once more in the middle of a
# log file's download, which resumes after the part already on disk. Same rig as
# migration-standalone.sh (systemd's manager is a TEST DOUBLE there).
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
RIG_EXIT_HOOKS+=(mdb_kill_all)

ROWS=${FERRY_KILL_ROWS:-600000}
POINTS=${FERRY_KILL_POINTS:-0.15 0.45 0.75}

PASSWORD="Adm1n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$PASSWORD" > "$RIG/password"; chmod 600 "$RIG/password"

SRC_ADDR=$(mdb_pick_address 127.0.0.32 127.0.0.42) || rig_fail "no free address"
TGT_ADDR=$(mdb_pick_address 127.0.0.33 127.0.0.43 | grep -vx "$SRC_ADDR") || rig_fail "no free address"

rig_start_bus
"$BUILD/tests/integration/systemd-double" --record="$RIG/restarts.log" >"$RIG/systemd-double.log" 2>&1 &
RIG_PIDS+=($!)
rig_wait_for 10 busctl --system status org.freedesktop.systemd1 --no-pager || rig_fail "systemd double"

app_make source "$SRC_ADDR" yes active
app_make target "$TGT_ADDR" no
# One copy thread: the copy lasts long enough to be killed at each point.
printf 'CopyThreads=1\n' >> "$RIG/target/ferry.conf"
# Logs large enough to kill ferryd in the middle of one (4 files).
app_fill_logs source "${FERRY_KILL_LOG_MB:-512}"
app_start_mariadb_tls source
app_start_mariadb target
python3 "$SRC/tests/rig/gen_dataset.py" --socket "$RIG/source/db/mysqld.sock" --rows "$ROWS" \
    >"$RIG/gen.log" 2>&1 || rig_fail "dataset generation failed"
app_start_peer source "$RIG/password"
app_table_sums source > "$RIG/sums-source"
app_objects source > "$RIG/objects-source"
rig_start_ferryd target

"$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" >/dev/null || rig_fail "probe"
JOB=$("$FERRYCTL" start --logs --yes --no-ask-password) || rig_fail "start"
JOB=$(grep -o '/org/ferry/Migration1/job/[a-z0-9]*' <<<"$JOB")

# The fraction of copy-data done, or -1 while it is not running.
copy_fraction() {
    busctl --system get-property org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Operations --json=short 2>/dev/null |
        python3 -c 'import json,sys
ops = json.load(sys.stdin)["data"]
op = [o for o in ops if o[0] == "copy-data"][0]
print(op[3] if op[2] == "running" else (2 if op[2] in ("done", "failed") else -1))'
}
past() { awk -v a="$(copy_fraction)" -v b="$1" 'BEGIN { exit !(a >= b) }'; }

# ferryctl watch on a real terminal (tmux): bars redrawn in place while the
# data copy runs, and it follows the job across the kills below.
TMUX_SOCK="$RIG/tmux.sock"
tmux -S "$TMUX_SOCK" new-session -d -x 120 -y 40 -s watch \
    "env DBUS_SYSTEM_BUS_ADDRESS=$DBUS_SYSTEM_BUS_ADDRESS $FERRYCTL watch; echo WATCH-EXIT=\$?; sleep 600"
RIG_EXIT_HOOKS+=("tmux -S $TMUX_SOCK kill-server")
pane() { tmux -S "$TMUX_SOCK" capture-pane -p -t watch; }
copy_bar() { pane | grep -o 'Copy data *\[[#-]*\] *[0-9]*%' | head -1; }
if rig_wait_for 120 sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t watch | grep -q 'Copy data *\[#'"; then
    first=$(copy_bar)
    rig_wait_for 60 sh -c "[ \"\$(tmux -S '$TMUX_SOCK' capture-pane -p -t watch | grep -o 'Copy data *\[[#-]*\] *[0-9]*%' | head -1)\" != '$first' ]"
    second=$(copy_bar)
    [ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ] \
        && ok "watch on a terminal: the bar moved from '$first' to '$second'" \
        || bad "watch on a terminal: bar '$first' then '$second'"
    [ "$(pane | grep -c "Copy data *\\[")" -eq 1 ] && ok "the bars are redrawn in place (one Copy data bar on screen)" \
        || { bad "the Copy data bar appears $(pane | grep -c 'Copy data *\\[') times: not redrawn in place"; pane >&2; }
else
    bad "no progress bar for Copy data on the terminal: $(pane | tail -5)"
fi

kills=0
for point in $POINTS; do
    if ! rig_wait_for 300 past "$point"; then
        bad "copy-data never reached $point (at $(copy_fraction))"
        break
    fi
    at=$(copy_fraction)
    if awk -v a="$at" 'BEGIN { exit !(a > 1) }'; then
        rig_log "copy-data finished before the kill at $point; no more kill points"
        break
    fi
    kill -9 "$FERRYD_PID"; wait "$FERRYD_PID" 2>/dev/null
    kills=$((kills + 1))
    ok "ferryd killed with SIGKILL in copy-data at fraction $at"
    attempt_before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["attempt"])' "$RIG/target/state/job.json")
    rig_start_ferryd target
    attempt=$(busctl --system get-property org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Attempt | awk '{print $2}')
    [ "$attempt" -eq $((attempt_before + 1)) ] && ok "restarted ferryd resumed the job (attempt $attempt)" \
        || bad "attempt after restart: $attempt (before: $attempt_before)"
done

# And once in the middle of a log file's download: at the restart the part
# on disk is read and hashed again and the download resumes after it.
part_past() { find "$RIG/target/logs" -name '*.ferry-part' -size +16384k | grep -q .; }
if rig_wait_for 300 part_past; then
    kill -9 "$FERRYD_PID"; wait "$FERRYD_PID" 2>/dev/null
    kills=$((kills + 1))
    part=$(find "$RIG/target/logs" -name '*.ferry-part' -size +16384k | head -n 1)
    ok "ferryd killed with SIGKILL in copy-syslog ($(basename "$part"): $(stat -c %s "$part") bytes)"
    name=$(basename "$part" .ferry-part)
    attempt_before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["attempt"])' "$RIG/target/state/job.json")
    rig_start_ferryd target
    attempt=$(busctl --system get-property org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Attempt | awk '{print $2}')
    [ "$attempt" -eq $((attempt_before + 1)) ] && ok "restarted ferryd resumed the job (attempt $attempt)" \
        || bad "attempt after restart: $attempt (before: $attempt_before)"
    rig_wait_for 60 grep -q "Log $name: [0-9]* bytes already here, resuming after them." "$RIG/ferryd-target.log" \
        && ok "the download of $name resumed after the part on disk" \
        || bad "no resume of $name in the log"
else
    bad "no log file download was caught in the middle"
fi

"$FERRYCTL" watch > "$RIG/watch.txt" 2>&1; rc=$?
rig_wait_for 30 sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t watch | grep -q WATCH-EXIT=" || true
pane | grep -q "WATCH-EXIT=0" && pane | grep -q "Congratulations" \
    && ok "the terminal watch followed the job across the kills to 'Congratulations'" \
    || bad "the terminal watch did not end with success: $(pane | tail -4 | tr '\n' '|')"
[ $rc -eq 0 ] && ok "the job completed after $kills kill(s)" || { bad "watch exit $rc"; tail -20 "$RIG/watch.txt" >&2; }
app_table_sums target > "$RIG/sums-target"
cmp -s "$RIG/sums-source" "$RIG/sums-target" && ok "every table equal after the kills ($(wc -l < "$RIG/sums-source") tables)" \
    || { bad "tables differ"; diff "$RIG/sums-source" "$RIG/sums-target" >&2; }
app_objects target > "$RIG/objects-target"
check_same_objects "after the kills" "$RIG/objects-source" "$RIG/objects-target"
[ "$kills" -ge 2 ] && ok "$kills kill points reached" || bad "only $kills kill point(s) reached"
logs_equal=true
for f in "$RIG"/source/logs/*; do cmp -s "$f" "$RIG/target/logs/$(basename "$f")" || logs_equal=false; done
$logs_equal && ok "every log file byte-identical after the kills" || bad "log files differ"
[ -z "$(mdb_sql source "SELECT user FROM mysql.user WHERE user LIKE 'ferry%'")" ] \
    && ok "temporary MariaDB account gone" || bad "temporary account left on the source"

[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: kill -9 during the data copy and the log copy ($kills points)"
