#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The kill campaign (docs/faults.md): kill -9 of ferryd at FERRY_FAULT_KILLS
# random instants spread over every operation of standalone migrations
# (with license and logs), on the real parts of the integration rig (real
# mariadbd on both sides, ferry-peer, ferryd on a private bus; systemd's
# manager is the TEST DOUBLE of tests/integration/systemd_double.cpp).
#
# The plan is drawn from FERRY_FAULT_SEED (printed; the same seed gives the
# same plan): for each kill an operation and an injection point in it -- a
# progress fraction for copy-data (Progress signals), a random delay after
# the operation started (OperationChanged signals) for the others. Several
# kills share one migration (FERRY_FAULT_KILLS_PER_MIGRATION): kill, restart
# (ferryd resumes the journal's job at start), kill again later. After each
# migration: every table (row counts, content checksums), settings, license,
# logs, certificate and the temporary account are verified, then both
# appliances are put back and the next migration starts.
#
#   kill-campaign.sh SOURCE_ROOT BUILD_DIR
#   FERRY_FAULT_KILLS=50 FERRY_FAULT_SEED=7 bash tests/faults/kill-campaign.sh . build
#
# Prints the table of kills and a summary line; exit 0 only when every
# migration completed with nothing lost or duplicated.
#
# Another campaign runs this one with its own points and checks
# (tests/faults/precopy-kill.sh): it defines these functions and sources
# this script with the same arguments.
#   campaign_ops            prints fault_driver.py plan's --ops (called once
#                           the rig is up); only kills that land in one of
#                           these operations count, the others are drawn
#                           again in the next migration
#   campaign_before_start   before each migration's start (e.g. a writer)
#   campaign_after_job      once the job ended, before fault_verify
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
# A data copy of a few seconds, so that kills land at several fractions of it.
FERRY_FAULT_ROWS=${FERRY_FAULT_ROWS:-150000}
source "$SRC/tests/faults/lib.sh"
fault_need_root
RIG_EXIT_HOOKS+=(mdb_kill_all)

SEED=${FERRY_FAULT_SEED:-$(( $(date +%s) % 100000 ))}
KILLS=${FERRY_FAULT_KILLS:-8}
PER=${FERRY_FAULT_KILLS_PER_MIGRATION:-4}
echo "FERRY_FAULT_SEED=$SEED FERRY_FAULT_KILLS=$KILLS FERRY_FAULT_KILLS_PER_MIGRATION=$PER"
hook() { declare -F "$1" >/dev/null || return 0; "$@"; }

fault_rig

OPS=
declare -F campaign_ops >/dev/null && { OPS=$(campaign_ops) || rig_fail "campaign_ops failed"; }
python3 "$DRIVER" plan --seed "$SEED" --kills "$KILLS" --per-migration "$PER" ${OPS:+--ops "$OPS"} > "$RIG/plan" \
    || rig_fail "no plan"
[ -n "$OPS" ] && rig_log "kills over: $OPS"
# A kill that counts: in a running job and, with campaign_ops, in one of its operations.
counts() { [ "$1" != after-the-end ] && { [ -z "$OPS" ] || [[ ",$OPS," == *",$1,"* || ",$OPS," == *",$1:"* ]]; }; }

completed=0 total_lost=0 total_dup=0 killed=0 resumes=0
migration=0
plan_migration=
# Per kill (index k): its migration, planned point, trigger, time since the
# job started, operation running at the kill, the attempt it interrupted.
K_MIG=() K_POINT=() K_TRIG=() K_T=() K_AT=() K_ATT=() K_NOTE=()
# Per migration: kills, final attempt count, rows lost/duplicated, result.
M_KILLS=() M_ATT=() M_LOST=() M_DUP=() M_RES=()

# Ends the current migration: wait for the job (a failed one is resumed, at
# most 3 times, and counted), verify, record, put the appliances back.
finish_migration() {
    local tries=0 err
    fault_wait_end 600
    while [ "$END_STATE" = failed ] && [ $tries -lt 3 ]; do
        err=$(fault_error)
        bad "migration $migration failed after a kill: $err; Resume()"
        resumes=$((resumes + 1)); tries=$((tries + 1))
        "$FERRYCTL" resume >/dev/null 2>&1
        fault_wait_end 600
    done
    local before=$FAILS result
    hook campaign_after_job
    fault_verify "migration $migration"
    if [ "$END_STATE" = succeeded ] && [ $FAILS -eq $before ]; then
        completed=$((completed + 1)); result=verified
    else
        result="NOT VERIFIED ($END_STATE)"
    fi
    total_lost=$((total_lost + ${V_LOST:-0})); total_dup=$((total_dup + ${V_DUP:-0}))
    M_KILLS[$migration]=$MIG_KILLS
    M_ATT[$migration]=$(job_attempt)
    M_LOST[$migration]=${V_LOST:-?}
    M_DUP[$migration]=${V_DUP:-?}
    M_RES[$migration]=$result
    fault_reset
}

mapfile -t PLAN < "$RIG/plan"
k=0
need_new=1
p=0
retried=0
while [ $p -lt ${#PLAN[@]} ]; do
    read -r m op fraction delay <<<"${PLAN[$p]}"
    p=$((p + 1))
    [ -n "$plan_migration" ] && [ "$m" != "$plan_migration" ] && need_new=1 # the plan's next group (or a retry)
    plan_migration=$m
    # A migration that ended before this kill: the kill goes to the next one.
    [ $need_new -eq 0 ] && [ "$(journal_field state)" != running ] && need_new=1
    if [ $need_new -eq 1 ]; then
        if [ "$migration" != 0 ]; then
            fault_ferryd_back
            finish_migration
        fi
        migration=$((migration + 1))
        MIG_KILLS=0
        need_new=0
        rig_log "== migration $migration"
        hook campaign_before_start
        fault_arm_kill "$op" "$fraction" "$delay"
        fault_probe_start
    else
        fault_arm_kill "$op" "$fraction" "$delay"
        fault_ferryd_up || fault_ferryd_nowait # it resumes the job; the waiter kills it at the point
    fi
    k=$((k + 1))
    MIG_KILLS=$((MIG_KILLS + 1))
    point="$op+${delay}ms"
    [ "$fraction" != 0.0 ] && point="$op@$fraction+${delay}ms"
    wait "$FIRE_PID"
    out=$(cat "$RIG/fire.out")
    { wait "$FERRYD_PID"; } 2>/dev/null
    killed=$((killed + 1))
    jstate=$(journal_field state)
    at=$(journal_field running)
    note=
    case $jstate in
    running|rebooting) ;;
    succeeded) at="after-the-end" ;;
    *) at="$jstate-job"; note="job $jstate: $(fault_error)"; bad "kill $k: $note" ;;
    esac
    [ -z "$(fault_field "$out" killed)" ] && { note="nothing killed"; bad "kill $k: nothing was killed ($out)"; }
    K_MIG[$k]=$migration K_POINT[$k]=$point K_TRIG[$k]=$(fault_field "$out" trigger)
    K_T[$k]=$(fault_field "$out" since_start) K_AT[$k]=$at K_ATT[$k]=$(journal_field attempt) K_NOTE[$k]=$note
    rig_log "kill $k: $point (${K_TRIG[$k]}) at ${K_T[$k]}s in $at, attempt ${K_ATT[$k]}"
    tries=0
    [[ "${PLAN[$((p - 1))]}" =~ ^retry([0-9]+)- ]] && tries=${BASH_REMATCH[1]}
    if ! counts "$at" && [ "$tries" -lt 4 ]; then
        # The job ended before this point came (a short operation, a fast
        # copy), or the kill came in an operation campaign_ops does not
        # name: the same point again, at most 4 times, in the next
        # migration (the kill above stays in the table).
        # Without the delay: an operation shorter than it (final takes a
        # few ms) is still running when its start is signalled.
        PLAN=("${PLAN[@]:0:$p}" "retry$((tries + 1))-$k $op $fraction 0" "${PLAN[@]:$p}")
        retried=$((retried + 1))
    fi
done
fault_ferryd_back
finish_migration

# The result of a kill: the next attempt of its migration (the next kill's,
# or the final count) must be one more, and the migration verified.
echo
echo "== kill -9 of ferryd: seed $SEED, $killed kills, $migration migrations"
K_RES=()
for ((i = 1; i <= k; i++)); do
    m=${K_MIG[$i]}
    if [ $i -lt $k ] && [ "${K_MIG[$((i + 1))]}" = "$m" ]; then next=${K_ATT[$((i + 1))]}; else next=${M_ATT[$m]}; fi
    if [ "${K_AT[$i]}" = after-the-end ]; then
        K_RES[$i]="no job to resume; ${M_RES[$m]}"
    elif [ "$next" = $((K_ATT[$i] + 1)) ]; then
        K_RES[$i]="resumed as attempt $next; ${M_RES[$m]}"
    else
        K_RES[$i]="NOT resumed (next attempt $next); ${M_RES[$m]}"
        bad "kill $i: not resumed"
    fi
    [ -n "${K_NOTE[$i]}" ] && K_RES[$i]="${K_RES[$i]}; ${K_NOTE[$i]}"
done
TABLE=$(
    printf '%5s %4s  %-28s %-12s %9s  %-24s %7s  %s\n' "kill" "mig" "planned point" "trigger" "t" \
        "operation at kill" "attempt" "result"
    for ((i = 1; i <= k; i++)); do
        printf '%5s %4s  %-28s %-12s %8ss  %-24s %7s  %s\n' "$i" "${K_MIG[$i]}" "${K_POINT[$i]}" "${K_TRIG[$i]}" \
            "${K_T[$i]:-?}" "${K_AT[$i]}" "${K_ATT[$i]}" "${K_RES[$i]}"
    done
    echo
    printf '%9s %6s %9s %5s %11s  %s\n' "migration" "kills" "attempts" "lost" "duplicated" "result"
    for ((i = 1; i <= migration; i++)); do
        printf '%9s %6s %9s %5s %11s  %s\n' "$i" "${M_KILLS[$i]}" "${M_ATT[$i]}" "${M_LOST[$i]}" "${M_DUP[$i]}" "${M_RES[$i]}"
    done
    echo
    echo "kills by the operation running at the kill:"
    for ((i = 1; i <= k; i++)); do echo "${K_AT[$i]}"; done | sort | uniq -c | sort -rn |
        awk '{printf "  %-22s %s\n", $2, $1}'
)
echo "$TABLE"
in_job=0 after=0
for ((i = 1; i <= k; i++)); do
    [ "${K_AT[$i]}" = after-the-end ] && after=$((after + 1))
    counts "${K_AT[$i]}" && in_job=$((in_job + 1))
done
SUMMARY="SUMMARY kills=$killed in_a_running_job=$((killed - after))${OPS:+ in_the_operations=$in_job} after_the_end=$after migrations=$migration completed=$completed rows_lost=$total_lost rows_duplicated=$total_dup failed_jobs_resumed=$resumes seed=$SEED"
echo "$SUMMARY"
[ -n "${FERRY_FAULT_REPORT:-}" ] && { echo "$TABLE"; echo "$SUMMARY"; } > "$FERRY_FAULT_REPORT"

check "$in_job of the $KILLS planned kills landed in a running job${OPS:+ in $OPS}" [ "$in_job" -ge "$KILLS" ]
check "every migration completed ($completed/$migration)" [ "$completed" -eq "$migration" ]
check "no row lost or duplicated (lost $total_lost, duplicated $total_dup)" [ $((total_lost + total_dup)) -eq 0 ]
check "no job failed after a kill ($resumes Resume() needed)" [ "$resumes" -eq 0 ]
[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: $killed kills of ferryd, $completed/$migration migrations completed and verified"
