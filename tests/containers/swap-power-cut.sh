#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# swap-power-cut.sh SOURCE_ROOT BUILD_DIR
#
# Power cuts DURING (and just before) the reboot of a migration with Swap Configuration
# (swap.sh runs it without faults; power-cut.sh cuts the target at other
# points of a job): for each point the same two appliances (restored from
# a snapshot taken before the first point) run `ferryctl start --swap`, and
# while the reboot operation reboots both systems one or both lose power
# (SIGKILL of the container's systemd) at a random instant of a phase:
#
#   target-shutdown   the target, 0..150 ms after the job journal records
#                     the source's yes (the target asks its logind next)
#   target-boot       the target, 0..2500 ms into its boot after the reboot
#                     (before or while ferryd resumes the job)
#   source-shutdown   the source, 0..300 ms after the journal records that it
#                     is asked (its shutdown starts with its answer)
#   source-staged     the source, 0..800 ms into its boot after the reboot,
#                     around ferry-apply-staged.service (the staged settings
#                     become the settings)
#   both-shutdown     both at the same instant, 0..300 ms after the source
#                     is asked
#   target-copy       the target, 0..300 ms after copy-data started (held
#                     there by a global read lock on the target's MariaDB
#                     until the cut), i.e.
#                     BEFORE the reboot, after copy-settings computed the
#                     source's settings for it: it must come up with its own
#                     address (the settings are held back until the source
#                     agrees to reboot) and the job must still swap (issue
#                     14; docs/containers.md, Findings)
#   source-boot       (points 7+) the source, 0.8..3 s into its boot: after
#                     the staged settings, before ferry-peer answers
#   both-boot         (points 7+) both, 0..2000 ms after both booted again
#
# Each cut system is powered on again at once (nothing else is done by
# hand: no D-Bus call, no start of ferryd). The job must end succeeded on
# its own, with the result swap.sh checks (swap-lib.sh: addresses and host
# names exchanged, every table equal, settings exchanged exactly, logs,
# certificate, license, the source out of maintenance). The log says where
# each cut landed (which boot, whether the staged settings were still
# staged, which attempt ferryd was at).
#
# FERRY_CT_SWAP_CUT_POINTS  points to run (default 6: the six above; more
#                           go on through the eight kinds, round robin)
# FERRY_CT_SWAP_CUT_SEED    seed of the random instants (printed; set it to
#                           replay a run)
# FERRY_CT_SWAP_CUT_ONLY    run only these kinds (space-separated names)
# FERRY_CT_ROWS             rows of the data set (default 5000)
# Exit 0 pass, 1 fail, 77 skip (only when nspawn/debootstrap cannot work here).
set -uo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
ct_main "$0" "$@"
# shellcheck source=tests/containers/swap-lib.sh
source "$CT_HERE/swap-lib.sh"

POINTS=${FERRY_CT_SWAP_CUT_POINTS:-6}
SEED=${FERRY_CT_SWAP_CUT_SEED:-$(($(date +%s%N) / 1000 % 1000000007))}
ROWS=${FERRY_CT_ROWS:-5000}
KINDS=(target-shutdown target-boot source-shutdown source-staged both-shutdown target-copy source-boot both-boot)
[ -n "${FERRY_CT_SWAP_CUT_ONLY:-}" ] && read -r -a KINDS <<<"$FERRY_CT_SWAP_CUT_ONLY"
ct_log "seed $SEED (FERRY_CT_SWAP_CUT_SEED=$SEED replays the instants), $POINTS point(s)"

# A generator of our own (bash's RANDOM is also used by lib.sh), so that
# the seed alone decides the instants: rnd N sets R to 0..N-1.
RNG=$SEED
rnd() { RNG=$(((RNG * 1103515245 + 12345) % 2147483648)); R=$(((RNG / 65536) % $1)); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# --- the two appliances, once: booted, data generated, powered off, kept ----------
sw_make 2
# Bounded: a source that does not come back fails the job in 2 minutes,
# not 15 (swap-source-gone.sh tests that failure itself).
sw_source_reboot_timeout 120
ct_boot $S; ct_boot $T
ct_wait_booted $S; ct_wait_booted $T
ct_wait_mariadb $S; ct_wait_mariadb $T
ct_gen_data $S "$ROWS"
ct_poweroff $S; ct_poweroff $T
ct_snapshot $S; ct_snapshot $T

# Waits (bounded, 120 s) until the reboot operation's checkpoint has KEY
# true (0: asking_source is written just before the request to the source,
# source_asked after its yes, just before this system asks its logind), or
# the job failed or the reboot operation is over (1).
wait_checkpoint() {
    python3 - "$SW_JOURNAL" "$1" <<'PY'
import json, sys, time
end = time.time() + 120
while time.time() < end:
    try:
        j = json.load(open(sys.argv[1]))
        op = [o for o in j["operations"] if o["id"] == "reboot"][0]
        if (op["checkpoint"] or {}).get(sys.argv[2]):
            sys.exit(0)
        if j["state"] in ("failed", "succeeded") or op["state"] == "done":
            sys.exit(1)
    except (OSError, ValueError, KeyError, IndexError):
        pass
    time.sleep(0.005)
sys.exit(1)
PY
}
# Waits (bounded, 120 s) until copy-data runs (0) or the job ended (1).
wait_copy_data() {
    python3 - "$SW_JOURNAL" <<'PY'
import json, sys, time
end = time.time() + 120
while time.time() < end:
    try:
        j = json.load(open(sys.argv[1]))
        if [o for o in j["operations"] if o["id"] == "copy-data"][0]["state"] == "running":
            sys.exit(0)
        if j["state"] in ("failed", "succeeded"):
            sys.exit(1)
    except (OSError, ValueError, KeyError, IndexError):
        pass
    time.sleep(0.005)
sys.exit(1)
PY
}
# Waits (bounded, 120 s) until NAME booted again after its reboot (its
# systemd runs in the new boot).
wait_new_boot() {
    local name=$1 i
    for ((i = 0; i < 6000; i++)); do
        [ "$(ct_reboots "$name")" -ge 1 ] && ct_pid1 "$name" >/dev/null && return 0
        sleep 0.02
    done
    return 1
}
# Where a cut of NAME landed: "shutdown" (no reboot yet), "boot N" (the
# Nth boot after it), and for the source whether the staged settings were
# still staged.
landed() {
    local name=$1 n where
    n=$(ct_reboots "$name")
    if [ "$n" -eq 0 ]; then where="in its shutdown (before its reboot)"; else where="in its boot after the reboot"; fi
    if [ "$name" = $S ]; then
        if [ -e "$(ct_file $S /var/lib/hotspot/settings.staged)" ]; then where+=", settings still staged"
        else where+=", staged settings applied"; fi
    else
        read -r st _ at _ <<<"$(sw_job_info)"
        where+=", job $st, attempt $at"
    fi
    echo "$where"
}

declare -a SUMMARY=()
run_point() {
    local k=$1 kind=$2 t0=$SECONDS ms where cut=() n fails0=$CT_FAILS st
    ct_log "=== point $k/$POINTS: $kind"
    ct_restore $S; ct_restore $T
    ct_boot $S; ct_boot $T
    ct_wait_booted $S; ct_wait_booted $T
    ct_wait_mariadb $S; ct_wait_mariadb $T
    sw_before

    # The instant (from the seed), the systems to cut and the trigger,
    # fixed before the start; the trigger is watched from before the start
    # by a background firer, so that the delay counts from the trigger
    # itself and not from whenever this shell gets to look.
    local trigger
    case $kind in
    # Containers shut down within a few hundred milliseconds: the source's
    # shutdown starts with its answer to the request, the target's right
    # after the journal records that answer.
    target-shutdown) trigger="wait_checkpoint source_asked"; rnd 150; ms=$R; cut=($T) ;;
    source-shutdown) trigger="wait_checkpoint asking_source"; rnd 300; ms=$R; cut=($S) ;;
    both-shutdown) trigger="wait_checkpoint asking_source"; rnd 300; ms=$R; cut=($S $T) ;;
    target-boot) trigger="wait_new_boot $T"; rnd 2500; ms=$R; cut=($T) ;;
    source-staged) trigger="wait_new_boot $S"; rnd 800; ms=$R; cut=($S) ;;
    source-boot) trigger="wait_new_boot $S"; rnd 2200; ms=$((R + 800)); cut=($S) ;;
    both-boot) trigger="wait_new_boot $S && wait_new_boot $T"; rnd 2000; ms=$R; cut=($S $T) ;;
    target-copy) trigger=wait_copy_data; rnd 300; ms=$R; cut=($T) ;;
    *) ct_fail "unknown kind $kind" ;;
    esac
    (
        eval "$trigger" || exit 3
        sleep_ms "$ms"
        pids=()
        for n in "${cut[@]}"; do ct_cut_now "$n" & pids+=($!); done
        wait "${pids[@]}"
    ) &
    local firer=$! holder=
    if [ "$kind" = target-copy ]; then
        # The point is a cut DURING copy-data, before the reboot. On a quiet
        # machine this rig's copy and everything up to the reboot take less
        # than the 300 ms window (CI: cut at +272 ms found the job already
        # rebooting). A global read lock on the target's MariaDB, held until
        # the power goes, keeps copy-data at its first statement on the
        # target: the cut lands inside it at any instant of the window.
        ct_exec $T mariadb --unbuffered -N -e "FLUSH TABLES WITH READ LOCK; SELECT 'locked'; DO SLEEP(600)" \
            > "$CT_DIR/ftwrl.out" 2>&1 &
        holder=$!
        local i
        for ((i = 0; i < 500; i++)); do grep -qx locked "$CT_DIR/ftwrl.out" && break; sleep 0.02; done
        grep -qx locked "$CT_DIR/ftwrl.out" || ct_fail "the read lock on the target was not taken: $(cat "$CT_DIR/ftwrl.out")"
    fi
    sw_start
    if ! wait $firer; then
        bad "point $k ($kind): the trigger did not come ($trigger; $(sw_job_info))"
        ct_cut_now $S; ct_cut_now $T
        [ -n "$holder" ] && { kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; }
        return
    fi
    for n in "${cut[@]}"; do wait "${CT_WRAPPER[$n]}" 2>/dev/null; done
    # The lock's session died with the target.
    [ -n "$holder" ] && { kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; }
    where=""
    for n in "${cut[@]}"; do where+="$n $(landed "$n"); "; done
    ct_log "point $k ($kind): cut ${ms} ms after the trigger: $where"
    if [ "$kind" = target-copy ]; then
        # What the next boot of the target applies, read while it is off:
        # its own settings (address B), nothing staged, its new settings
        # held back; so the two systems never have one address.
        check "point $k: after the cut the target's settings still say its own address $B" \
            grep -qx "Address=$B" "$(ct_file $T /var/lib/hotspot/settings/network.conf)"
        check "point $k: ... nothing staged for its boot, the new settings held back" \
            sh -c "[ ! -e '$(ct_file $T /var/lib/hotspot/settings.staged)' ] && [ -d '$(ct_file $T /var/lib/hotspot/settings.staged.held)' ]"
    fi
    for n in "${cut[@]}"; do ct_boot "$n"; done

    # Nothing more by hand: the job must finish by itself.
    sw_wait_finished 400
    read -r st _ <<<"$(sw_job_info)"
    check "point $k ($kind): the job succeeded by itself (state $st, $((SECONDS - t0)) s)" [ "$st" = succeeded ]
    if [ "$st" != succeeded ]; then
        python3 -c "import json; print(json.load(open('$SW_JOURNAL')).get('error'))" >&2
        ct_journal $T -o cat -u ferryd.service | tail -n 20 >&2
    fi
    ct_wait_booted $S; ct_wait_booted $T
    sw_check_swapped
    # ferryd resumed the job in the target's last boot by itself.
    check "point $k: ferryd started by ferryd-resume.path after the reboot" \
        grep -qw ferryd-resume.path <<<"$(ct_unit $T ferryd.service TriggeredBy)"
    SUMMARY+=("point $k $kind +${ms} ms: ${where}-> $st, $((CT_FAILS - fails0)) failed check(s), $((SECONDS - t0)) s")
    ct_cut_now $S; ct_cut_now $T
}

for ((k = 1; k <= POINTS; k++)); do
    run_point "$k" "${KINDS[$(((k - 1) % ${#KINDS[@]}))]}"
done
ct_log "seed $SEED; points:"
for line in "${SUMMARY[@]}"; do ct_log "  $line"; done
[ "$CT_FAILS" -eq 0 ] || ct_fail "$CT_FAILS check(s) failed (seed $SEED)"
ct_log "PASS: $POINTS power cut point(s) during the Swap reboot, every job succeeded by itself and verified (seed $SEED)"
