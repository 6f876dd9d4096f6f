#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# power-cut.sh SOURCE_ROOT BUILD_DIR
#
# Power cuts of the target appliance during a standalone migration: SIGKILL
# of the target container's systemd (every process inside dies at once) at
# random moments of the job, then the container is booted again. Nobody
# starts ferryd by hand and no D-Bus client calls it: ferryd-resume.path
# must start it at boot because /var/lib/ferry/job-active exists, ferryd
# must find its job and resume it, and the job must complete with every
# table equal. The journal of the target shows the resume in every boot.
#
# FERRY_CT_POWERCUT_POINTS   number of power cuts (default 3; the full run: 10)
# FERRY_CT_POWERCUT_MAX_MS   a "timed" cut comes 0..MAX ms after ferryd is
#                            up again (default 2500); an "aimed" cut as soon
#                            as the next operation runs (see the loop)
# FERRY_CT_POWERCUT_ROWS     rows of the data set (default 400000)
# FERRY_CT_STRICT_BOOT_ID    fail (instead of a NOTE) when ferryd does not see
#                            the container's new boot id after a cut
# Exit 0 pass, 1 fail, 77 skip (only when nspawn/debootstrap cannot work here).
set -uo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
ct_main "$0" "$@"

POINTS=${FERRY_CT_POWERCUT_POINTS:-3}
MAX_MS=${FERRY_CT_POWERCUT_MAX_MS:-2500}
ROWS=${FERRY_CT_POWERCUT_ROWS:-400000}
S=source T=target

ct_net_up
ct_create $S source "$CT_SOURCE_ADDR"
ct_create $T target "$CT_TARGET_ADDR"
ct_set_password $S $T
# One copy thread: the copy lasts long enough to be cut in the middle.
printf 'CopyThreads=1\n' >> "$(ct_file $T /etc/ferry/ferry.conf)"
ct_fill_logs $S 32
ct_boot $S; ct_boot $T
ct_wait_booted $S; ct_wait_booted $T
ct_wait_mariadb $S; ct_wait_mariadb $T
ct_gen_data $S "$ROWS"
app_table_sums $S > "$CT_DIR/sums-source"

JOURNAL=$(ct_file $T /var/lib/ferry/job.json)
# "STATE OPERATION ATTEMPT" from the job journal, read from the host.
job_info() {
    python3 - "$JOURNAL" <<'PY' 2>/dev/null || echo "none - 0"
import json, sys
j = json.load(open(sys.argv[1]))
running = [o["id"] for o in j["operations"] if o["state"] == "running"]
print(j["state"], running[0] if running else "-", j["attempt"])
PY
}
# "LATER COPYING REMAINING": how many operations after copy-data are still
# to run, 1 while copy-data has not finished, how many are still to run.
op_counts() {
    python3 - "$JOURNAL" <<'PY'
import json, sys
ops = json.load(open(sys.argv[1]))["operations"]
ids = [o["id"] for o in ops]
i = ids.index("copy-data")
later = sum(1 for o in ops[i + 1:] if o["state"] in ("pending", "running"))
remaining = sum(1 for o in ops if o["state"] in ("pending", "running"))
print(later, 1 if ops[i]["state"] in ("pending", "running") else 0, remaining)
PY
}
# The first pending operation after the running one (next), or the first
# one not done yet (again: the one a cut interrupted runs again).
pick_op() {
    python3 - "$JOURNAL" "$1" <<'PY'
import json, sys
ops = json.load(open(sys.argv[1]))["operations"]
todo = [o for o in ops if o["state"] in ("pending", "running")]
if sys.argv[2] == "again":
    print(todo[0]["id"] if todo else "final")
    sys.exit(0)
run = [k for k, o in enumerate(ops) if o["state"] == "running"]
start = run[0] + 1 if run else 0
nxt = [o["id"] for o in ops[start:] if o["state"] == "pending"]
print(nxt[0] if nxt else "final")
PY
}
# Sleeps MS milliseconds, or less when copy-data is no longer running (1).
wait_timed() {
    python3 - "$JOURNAL" "$1" <<'PY'
import json, sys, time
path, end = sys.argv[1], time.time() + int(sys.argv[2]) / 1000
while time.time() < end:
    try:
        ops = json.load(open(path))["operations"]
        if [o for o in ops if o["id"] == "copy-data"][0]["state"] not in ("pending", "running"):
            sys.exit(1)
    except (OSError, ValueError):
        pass
    time.sleep(0.002)
PY
}
# Waits until operation OP runs in attempt MIN_ATTEMPT or later (0), has
# passed (2), the job finished (1), or TIMEOUT seconds went by (3). Polls
# the journal every 2 ms. (Right after a cut the journal still says
# "running" for the interrupted operation until ferryd resumes: hence the
# attempt.)
wait_for_op() {
    python3 - "$JOURNAL" "$1" "$2" "$3" <<'PY'
import json, sys, time
path, op, end = sys.argv[1], sys.argv[2], time.time() + float(sys.argv[3])
min_attempt = int(sys.argv[4])
while time.time() < end:
    try:
        j = json.load(open(path))
    except (OSError, ValueError):
        time.sleep(0.002)
        continue
    if j["state"] in ("succeeded", "failed"):
        sys.exit(1)
    if j["attempt"] < min_attempt:
        time.sleep(0.002)
        continue
    st = {o["id"]: o["state"] for o in j["operations"]}.get(op)
    if st == "running":
        sys.exit(0)
    if st in ("done", "skipped", "failed", None):
        sys.exit(2)
    time.sleep(0.002)
sys.exit(3)
PY
}
# Whether the newest "resumed" event says the boot id changed.
resumed_after_reboot() {
    python3 - "$JOURNAL" <<'PY'
import json, sys
ev = [e for e in json.load(open(sys.argv[1]))["events"] if e["type"] == "resumed"]
sys.exit(0 if ev and ev[-1]["data"].get("rebooted") is True else 1)
PY
}
ferryd_active() { [ "$(ct_unit $T ferryd.service ActiveState)" = active ]; }
attempt_is() { [ "$(job_info | awk '{print $3}')" = "$1" ]; }

ct_exec $T ferryctl probe "$CT_SOURCE_ADDR" --password-file=/root/source-password >/dev/null 2>"$CT_DIR/probe.err" ||
    { cat "$CT_DIR/probe.err" >&2; ct_fail "probe"; }
ct_exec $T ferryctl start --license --logs --yes --no-ask-password >"$CT_DIR/start.txt" 2>&1 ||
    { cat "$CT_DIR/start.txt" >&2; ct_fail "start"; }
JOB_STARTED=$SECONDS

# Two kinds of cut, so that the cuts land all over the job: "timed", at a
# random moment 0..MAX_MS after ferryd is up again (nearly always in the
# data copy, the only long operation), and "aimed", as soon as the next
# operation that has not run yet is running (the others last milliseconds,
# so the wait for it starts with the boot, before ferryd resumes). Timed
# while more cuts are left than operations after the data copy, else at
# random while the data copy still runs; an aimed cut hits the interrupted
# operation again while as many cuts are left as operations to run; with
# more cuts left than operations, the cut comes while the appliance boots. Each boot is checked afterwards
# from the target's journal (below), so that an aimed cut is not delayed by
# checks.
cuts=0 cut_attempt=0
declare -A AT KIND
while [ $cuts -lt "$POINTS" ]; do
    read -r state op attempt <<<"$(job_info)"
    if [ "$state" = succeeded ] || [ "$state" = failed ]; then
        ct_log "the job is $state before cut $((cuts + 1)); no more cuts"
        break
    fi
    read -r later copying remaining <<<"$(op_counts)"
    left=$((POINTS - cuts))
    if [ "$copying" = 1 ] && { [ $left -gt "$later" ] || [ $((RANDOM % 2)) -eq 0 ]; }; then
        for ((i = 0; i < 1200; i++)); do ferryd_active && break; sleep 0.1; done
        delay=$(( (RANDOM * 32768 + RANDOM) % (MAX_MS + 1) ))
        # Early when the data copy ends first (the rest of the job takes
        # well under a second: the cut would come after the job).
        wait_timed "$delay"; w=$?
        how="timed, $delay ms after ferryd was up$([ $w -eq 0 ] || echo ", early: copy-data had ended")"
        KIND[$((cuts + 1))]=timed
    elif [ $cuts -gt 0 ] && [ $left -gt "$remaining" ]; then
        # Not enough operations left for the cuts: a cut while the
        # appliance boots again (MariaDB's crash recovery, ferryd
        # starting or resuming).
        delay=$(( (RANDOM * 32768 + RANDOM) % 1200 ))
        sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
        until ct_pid1 $T >/dev/null; do sleep 0.01; done
        how="during the boot, $delay ms after power-on"
        KIND[$((cuts + 1))]=boot
    else
        KIND[$((cuts + 1))]=aimed
        # More cuts left than operations: cut the interrupted one again.
        # ("final" is too short to be caught twice: one cut to spare.)
        if [ $left -ge "$remaining" ]; then aim=$(pick_op again); else aim=$(pick_op next); fi
        wait_for_op "$aim" 300 $((cut_attempt + 1)); w=$?
        if [ $w -eq 1 ]; then
            ct_log "the job finished before $aim ran; no more cuts"
            break
        fi
        how="aimed at $aim ($([ $w -eq 0 ] && echo running || echo "missed, rc $w"))"
    fi
    ct_powercut $T
    cuts=$((cuts + 1))
    # The journal as the cut left it (nothing runs in the target now).
    read -r state op attempt <<<"$(job_info)"
    AT[$op]=$((${AT[$op]:-0} + 1))
    cut_attempt=$attempt
    ct_log "power cut $cuts/$POINTS, $how: job $state, operation $op, attempt $attempt"
    marker=no
    [ -e "$(ct_file $T /var/lib/ferry/job-active)" ] && marker=yes
    ct_boot $T
    if [ "$state" = succeeded ] || [ "$state" = failed ]; then
        ct_wait_booted $T
        if [ $marker = no ]; then
            check "cut $cuts came after the job had finished: ferryd not started at boot" \
                [ "$(ct_unit $T ferryd.service ActiveState)" = inactive ]
        else
            # Cut between the final journal write and the marker's removal:
            # ferryd starts, sees the finished job and removes the marker.
            for ((i = 0; i < 300; i++)); do [ -e "$(ct_file $T /var/lib/ferry/job-active)" ] || break; sleep 0.1; done
            check "cut $cuts came between the job's end and the marker's removal: ferryd started and removed it" \
                [ ! -e "$(ct_file $T /var/lib/ferry/job-active)" ]
        fi
        break
    fi
done
# The boot after the last cut: ferryd must come up by itself.
ct_wait_booted $T
read -r state op attempt <<<"$(job_info)"
if [ "$state" = running ]; then
    for ((i = 0; i < 1200; i++)); do ferryd_active && break; sleep 0.1; done
    check "ferryd active after the last boot, no D-Bus call from the test" ferryd_active
fi

ct_exec $T timeout 900 ferryctl watch >"$CT_DIR/watch.txt" 2>&1; rc=$?
check "the job completed after $cuts power cut(s) (watch exit $rc, $((SECONDS - JOB_STARTED)) s)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 20 "$CT_DIR/watch.txt" >&2
app_table_sums $T > "$CT_DIR/sums-target"
check "every table equal after the power cuts ($(wc -l < "$CT_DIR/sums-source") tables)" cmp -s "$CT_DIR/sums-source" "$CT_DIR/sums-target"
cmp -s "$CT_DIR/sums-source" "$CT_DIR/sums-target" || diff "$CT_DIR/sums-source" "$CT_DIR/sums-target" >&2
for f in "$(ct_file $S /var/log/hotspot)"/*; do
    check "log $(basename "$f") byte-identical" cmp -s "$f" "$(ct_file $T "/var/log/hotspot/$(basename "$f")")"
done
check "license installed on the target" grep -q '^State=active' "$(ct_file $T /var/lib/hotspot/license.conf)"
check "temporary MariaDB account gone on the source" \
    [ -z "$(mdb_sql $S "SELECT user FROM mysql.user WHERE user LIKE 'ferry%'")" ]
for u in "${CT_SERVICES[@]}"; do
    check "target: $u running" [ "$(ct_unit $T "$u" ActiveState)" = active ]
    check "source: $u masked" [ "$(ct_exec $S systemctl is-enabled "$u")" = masked ]
done
# Every boot after a cut, from the target's journal: ferryd started by
# systemd with no D-Bus activation of org.ferry.Migration1 in that boot
# (ferryd.service is static: only ferryd-resume.path can have started
# it), found the job running and resumed it with the next attempt number.
mapfile -t BOOTS < <(ct_journal $T --list-boots | awk '$2 ~ /^[0-9a-f]{32}$/ { print $2 }')
check "target journal: $((${#BOOTS[@]})) boots for $cuts cut(s)" [ ${#BOOTS[@]} -eq $((cuts + 1)) ]
expect_attempt=1
for ((k = 1; k < ${#BOOTS[@]}; k++)); do
    b=${BOOTS[$k]}
    j=$(ct_journal $T -b "$b" -o cat -u ferryd.service)
    started=$(grep -c '^Started ferryd.service' <<<"$j")
    resumed_line=$(grep -o 'Found job [0-9a-f]* in state [a-z]* (attempt [0-9]*)' <<<"$j" | head -n 1)
    activations=$(ct_journal $T -b "$b" -o cat -u dbus.service | grep -c "Activating via systemd: service name='org.ferry.Migration1'")
    if [ -z "$resumed_line" ] && [ "${KIND[$((k + 1))]:-}" = boot ]; then
        check "boot $k (${b:0:8}): cut while booting, before ferryd resumed; $activations D-Bus activations" \
            [ "$activations" -eq 0 ]
    elif ! grep -q -e "in state succeeded" -e "in state failed" <<<"$resumed_line"; then
        good=no
        [ "$started" -ge 1 ] && [ "$activations" -eq 0 ] &&
            grep -q "in state running (attempt $expect_attempt)" <<<"$resumed_line" && good=yes
        check "boot $k (${b:0:8}): ferryd started by systemd at boot, $activations D-Bus activations, '$resumed_line'" \
            [ $good = yes ]
        expect_attempt=$((expect_attempt + 1))
    else
        check "boot $k (${b:0:8}): the job had finished ($resumed_line), nothing to resume" true
    fi
done
# ferryd tells a reboot from a restart by an id kept in /run/ferry (its
# RuntimeDirectory): the kernel's boot id it sees through ProtectProc=
# is the host's inside nspawn. After power cuts the last resume must be
# recorded as after a reboot.
check "the job journal records the last resume as after a reboot (new boot id)" resumed_after_reboot
check "job journal: attempt $(job_info | awk '{print $3}') = resumed boots + 1" attempt_is $((expect_attempt))
check "target: job-active marker removed" [ ! -e "$(ct_file $T /var/lib/ferry/job-active)" ]
check "$cuts of $POINTS cuts landed in the job" [ $cuts -ge $((POINTS > 2 ? POINTS - 1 : POINTS)) ]
where=""
for op in "${!AT[@]}"; do where+=" $op:${AT[$op]}"; done
ct_log "cuts by operation:$where"

[ $CT_FAILS -eq 0 ] || ct_fail "$CT_FAILS check(s) failed"
ct_log "PASS: $cuts power cut(s) of the target, ferryd resumed by ferryd-resume.path each time, job completed"
