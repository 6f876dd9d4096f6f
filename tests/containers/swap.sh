#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# swap.sh SOURCE_ROOT BUILD_DIR
#
# A standalone migration WITH Swap Configuration between two booted
# appliances (lib.sh: systemd-nspawn containers with real systemd, dbus,
# logind, polkitd, networkd, MariaDB), across the real reboot of both:
#
#   - the source at 10.77.0.2, the target at 10.77.0.3, each address applied
#     at boot from the appliance's own network settings by ferry's boot
#     units (ferry-apply-staged.service, ferry-appliance-network.service);
#   - ferryctl start --swap inside the target; the reboot operation asks
#     the source's ferry-peer (POST /reboot, which asks the source's logind)
#     and the target's logind to reboot: both containers' systemd reboot for
#     real (nspawn exits 133, the wrapper boots again), nothing in this test
#     reboots or starts anything;
#   - at boot the source applies the staged settings (the target's former
#     ones) and comes up at 10.77.0.3, the target at 10.77.0.2 (the
#     source's former settings); ferryd-resume.path starts ferryd, which
#     finds the job by its boot id, waits for the source at its new address
#     and finishes. The test makes no D-Bus call until ferryd runs.
#
# Checked afterwards: each appliance answers on the other's former address
# (ping, MariaDB 3306 on the target, ferry-peer 443 on the source; host
# names swapped too), all tables equal, settings exchanged exactly, license
# moved and released to the source's former address, the source out of
# maintenance with its services running and not masked, both reboots asked
# through logind, the job on the same object path with GetEvents(0) the
# whole contiguous history (before and after the reboot), ferryd's journal
# showing the resume in the boot after the reboot, and the result kept
# across one more reboot until Acknowledge().
#
# The administrator's browser (web-lib.sh, tests/web/swap-containers.spec.mjs):
# logged in to the target's Cockpit at its address before the job, it
# follows the job started by ferryctl to Execution, which names the address
# the target takes and links to it, until the reboot ends the connection;
# after the job, at the new address, the Result step names it and Close
# (Acknowledge) opens the login page there.
#
# FERRY_CT_ROWS (default 50000): rows of the generated data set.
# FERRY_CT_WEB (default 1): the browser part; 0 leaves it out (the job is
#   then acknowledged with busctl).
# FERRY_CT_SWAP_SOURCE_DELAY (default 4): seconds the source's boot after
#   the swap is held back (a drop-in of ferry-apply-staged.service), so
#   that the resumed ferryd must wait for it; 0: no delay.
# Exit 0 pass, 1 fail, 77 skip (only when nspawn/debootstrap cannot work here).
set -uo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
CT_WEB=${FERRY_CT_WEB:-1}
ct_main "$0" "$@"

# shellcheck source=tests/containers/swap-lib.sh
source "$CT_HERE/swap-lib.sh"
# shellcheck source=tests/containers/web-lib.sh
[ "$CT_WEB" = 1 ] && source "$CT_HERE/web-lib.sh"

ROWS=${FERRY_CT_ROWS:-50000}
# The source boots more slowly than the target after the swap (its staged
# settings take a few seconds more here), so that ferryd, resumed first,
# has to wait for the source to come back at its new address.
SLOW=${FERRY_CT_SWAP_SOURCE_DELAY:-4}
sw_make "$SLOW"
[ "$CT_WEB" = 1 ] && ctw_prepare $T
ct_boot $S; ct_boot $T
ct_wait_booted $S; ct_wait_booted $T
ct_wait_mariadb $S; ct_wait_mariadb $T
ct_gen_data $S "$ROWS"

# --- before --------------------------------------------------------------------
check "source: address $A from its network settings" has_addr $S "$A"
check "target: address $B from its network settings" has_addr $T "$B"
check "target: ferry-appliance-network.service applied them" \
    [ "$(ct_unit $T ferry-appliance-network.service Result)" = success ]
check "target reaches the source (ping $A)" ct_exec $T ping -q -c1 -W2 "$A"
check "target: ferryd not started at boot (no job)" [ "$(ct_unit $T ferryd.service ActiveState)" = inactive ]
sw_before
BOOT_S1=$(ct_boot_id $S) BOOT_T1=$(ct_boot_id $T)

# --- the wizard with Swap Configuration, through ferryctl inside the target -------
t0=$SECONDS
WEB_BEFORE=
if [ "$CT_WEB" = 1 ]; then
    # The browser logs in at the target's address first and asks for the
    # start when the page shows Welcome (lib.mjs: a request file).
    ctw_spec swap-containers.spec.mjs before FERRY_OLD_URL="https://$B:9090" FERRY_NEW_ADDRESS="$A" &
    WEB_BEFORE=$!
    for ((i = 0; i < 1200; i++)); do # 0.1 s each
        [ -e "$CT_DIR/web-requests/start" ] || ! kill -0 $WEB_BEFORE 2>/dev/null && break
        sleep 0.1
    done
    check "browser: logged in to the target's Cockpit at $B, Welcome shown" [ -e "$CT_DIR/web-requests/start" ]
fi
sw_start
[ -n "$WEB_BEFORE" ] && touch "$CT_DIR/web-requests/start.done"
check "a job object" [ "${JOB#/org/ferry/Migration1/job/}" != "$JOB" ]

JOURNAL=$SW_JOURNAL

# --- both systems reboot by themselves ----------------------------------------------
# Until the journal says that logind was asked (the events up to here are
# the history before the reboot), then until both wrappers saw exit 133 and
# booted again.
seen_rebooting=no seen_asked=no
for ((i = 0; i < 1800; i++)); do # 0.1 s each
    read -r state rstate _ asked _ <<<"$(sw_job_info)"
    [ "$state" = rebooting ] && seen_rebooting=yes
    [ "$asked" = 1 ] && seen_asked=yes
    [ "$state" = failed ] && break
    [ $seen_asked = yes ] && break
    [ "$(ct_reboots $T)" -ge 1 ] && break
    sleep 0.1
done
check "the job journal said rebooting before the reboot" [ $seen_rebooting = yes ]
# logind's yes is written to the journal while shutdown may already be
# stopping ferryd, so it can be lost; harmless, since the boot id decides
# after the boot. That the reboot went through logind is checked in logind's
# own journal below.
ct_log "the journal recorded logind's yes before the reboot: $seen_asked (state $state, reboot $rstate)"
[ "$state" = failed ] && { cat "$JOURNAL" >&2; ct_fail "the job failed before the reboot"; }
cp "$JOURNAL" "$CT_DIR/job-before-reboot.json"
ct_log "both asked to reboot $((SECONDS - t0)) s after the probe"
ct_wait_rebooted $S $T
t_reboot=$SECONDS
if [ -n "$WEB_BEFORE" ]; then
    wait $WEB_BEFORE; rc=$?
    check "browser before the reboot: Execution named $A and linked to it, then the connection ended (exit $rc)" [ $rc -eq 0 ]
    [ $rc -eq 0 ] || tail -n 30 "$CT_DIR/browser-before.log" >&2
fi
ct_wait_booted $S; ct_wait_booted $T
BOOT_S2=$(ct_boot_id $S) BOOT_T2=$(ct_boot_id $T)
differ() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ]; }
check "source: new boot id" differ "$BOOT_S1" "$BOOT_S2"
check "target: new boot id" differ "$BOOT_T1" "$BOOT_T2"

# ferryd: started by ferryd-resume.path, nobody calls it before it runs.
ferryd_active() { [ "$(ct_unit $T ferryd.service ActiveState)" = active ]; }
for ((i = 0; i < 600; i++)); do ferryd_active && break; sleep 0.1; done
check "target: ferryd active after the reboot, no D-Bus call from the test" ferryd_active
activations=$(ct_journal $T -b "${BOOT_T2//-/}" -o cat -u dbus.service |
    grep -c "Activating via systemd: service name='org.ferry.Migration1'")
check "target: ferryd not D-Bus-activated in the new boot ($activations activations)" [ "$activations" -eq 0 ]
check "target: ferryd.service triggered by ferryd-resume.path" \
    grep -qw ferryd-resume.path <<<"$(ct_unit $T ferryd.service TriggeredBy)"

# The job finishes by itself (journal read from the host).
for ((i = 0; i < 1800; i++)); do
    read -r state rstate _ asked _ <<<"$(sw_job_info)"
    [ "$state" = succeeded ] || [ "$state" = failed ] && break
    sleep 0.1
done
check "the job succeeded after the reboot (state $state, $((SECONDS - t_reboot)) s after the reboot)" \
    [ "$state" = succeeded ]
[ "$state" = succeeded ] || python3 -c "import json; print(json.load(open('$JOURNAL')).get('error'))" >&2
ct_log "migration with swap (probe to finish) took $((SECONDS - t0)) s"

# --- the result of the Swap (swap-lib.sh) ----------------------------------------------
sw_check_swapped
check "source: ferry-apply-staged.service applied the staged settings at boot" \
    grep -q "Applied the staged settings" <<<"$(ct_journal $S -b "${BOOT_S2//-/}" -o cat -u ferry-apply-staged.service)"
check "source: the reboot went through its logind ('System is rebooting.' in its first boot)" \
    grep -q "System is rebooting" <<<"$(ct_journal $S -b "${BOOT_S1//-/}" -o cat -u systemd-logind.service)"
check "target: the reboot went through its logind ('System is rebooting.' in its first boot)" \
    grep -q "System is rebooting" <<<"$(ct_journal $T -b "${BOOT_T1//-/}" -o cat -u systemd-logind.service)"

# --- the job across the reboot ------------------------------------------------------------
check "the same job object path after the reboot" [ "$(prop "${MGR[@]}" Job)" = "$JOB" ]
check "Job.State succeeded" [ "$(prop org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job State)" = succeeded ]
events() { # GetEvents(0) as JSON lines: seq type data
    ct_exec $T busctl --json=short call org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job GetEvents t 0 |
        "$SRC/tests/lib/job_events.py" from-busctl
}
events > "$CT_DIR/events-after"
"$SRC/tests/lib/job_events.py" from-journal "$CT_DIR/job-before-reboot.json" > "$CT_DIR/events-before"
check "GetEvents(0): the history before the reboot ($(wc -l < "$CT_DIR/events-before") events) is its beginning" \
    "$SRC/tests/lib/job_events.py" prefix "$CT_DIR/events-before" "$CT_DIR/events-after"
check "GetEvents(0): complete, contiguous, in order across the reboot ($(wc -l < "$CT_DIR/events-after") events)" \
    "$SRC/tests/lib/job_events.py" order "$CT_DIR/events-after" \
    job-started op:copy-settings:done op:copy-data:done op:modify-source:done op:reboot:running state:rebooting \
    resumed:rebooted=true,attempt=2 \
    state:running op:reboot:done op:update-certificates:done op:restart-services:done op:copy-syslog:done \
    op:final:done finished:succeeded
check "the job journal: the source's current address is $B" python3 -c "
import json; s = json.load(open('$JOURNAL'))['source']
assert s['address'] == '$A' and s['current_address'] == '$B', s"
JID=${JOB##*/}
ct_journal $T -b "${BOOT_T2//-/}" -o cat -u ferryd.service > "$CT_DIR/ferryd-boot2.txt"
check "target journal (journalctl -u ferryd, boot after the reboot): started by systemd" \
    grep -q '^Started ferryd.service' "$CT_DIR/ferryd-boot2.txt"
check "... found the job ($JID) in state rebooting" \
    grep -q "Found job $JID in state rebooting (attempt 1)" "$CT_DIR/ferryd-boot2.txt"
check "... saw that the reboot happened" grep -q "The reboot requested in boot .* happened" "$CT_DIR/ferryd-boot2.txt"
if [ "$SLOW" -gt 0 ]; then
    check "... waited for the source (booting ${SLOW} s more slowly) to come back at $B" \
        grep -q "Waiting for the source to come back at $B" "$CT_DIR/ferryd-boot2.txt"
fi
check "... reached the source at $B and finished" \
    sh -c "grep -q 'The source now answers at $B' '$CT_DIR/ferryd-boot2.txt' && grep -q 'Job $JID succeeded' '$CT_DIR/ferryd-boot2.txt'"
[ "$CT_FAILS" -eq 0 ] || tail -n 30 "$CT_DIR/ferryd-boot2.txt" >&2

# --- the result stays until Acknowledge(), across one more reboot -------------------------
ct_reboot $T
check "target after another reboot: ferryd not started (job finished)" \
    [ "$(ct_unit $T ferryd.service ActiveState)" = inactive ]
check "target after another reboot: still at $A (from its settings)" has_addr $T "$A"
ct_exec $T ferryctl status > "$CT_DIR/status.txt" 2>&1
check "ferryctl status after another reboot: succeeded" grep -q succeeded "$CT_DIR/status.txt"
check "... on the same job path" [ "$(prop "${MGR[@]}" Job)" = "$JOB" ]
if [ "$CT_WEB" = 1 ]; then
    ctw_spec swap-containers.spec.mjs after FERRY_OLD_URL="https://$B:9090" FERRY_NEW_ADDRESS="$A"; rc=$?
    check "browser at $A: the Result step named the new address, Close opened its login page (exit $rc)" [ $rc -eq 0 ]
    [ $rc -eq 0 ] || tail -n 30 "$CT_DIR/browser-after.log" >&2
    check "after Close no job (the page acknowledged it)" [ "$(prop "${MGR[@]}" Job)" = / ]
else
    check "Acknowledge()" ct_exec $T busctl call org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Acknowledge
    check "after Acknowledge() no job" [ "$(prop "${MGR[@]}" Job)" = / ]
fi

# --- the password ---------------------------------------------------------------------------
grep -rqaF --exclude=source-password --exclude=password -e "$CT_PASSWORD" "$CT_DIR/$S/upper" "$CT_DIR/$T/upper" \
    "$CT_DIR"/*.txt "$CT_DIR"/*.json 2>/dev/null; rc=$?
check "the password is nowhere in either appliance's files or journal (grep exit $rc)" [ $rc -eq 1 ]

[ "$CT_FAILS" -eq 0 ] || ct_fail "$CT_FAILS check(s) failed"
ct_log "PASS: standalone migration with Swap Configuration across the real reboot of both appliances"
