#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ha.sh SOURCE_ROOT BUILD_DIR
#
# The HA path (docs/ha.md) across the real reboot of both systems: four
# booted appliances (lib.sh: systemd-nspawn containers with real systemd,
# dbus, logind, polkitd, networkd, MariaDB) on the test's bridge:
#
#   a  10.77.0.11  the ring's Main node: ferry-peer, the round-robin hosts
#   b  10.77.0.2   the source, a node of the ring
#   c  10.77.0.13  the node after the source
#   t  10.77.0.3   the target, not in any ring
#
# Each MariaDB is a ring node (log_bin, log_slave_updates, server_id and
# gtid_domain_id = the last octet of the address in the appliance's network
# settings, applied before every start of MariaDB: lib.sh ct_ring_node), the
# ring A -> B -> C -> A with GTID replication (MASTER_CONNECT_RETRY=1), the
# same seeded data set on A, B and C (tests/rig/gen_dataset.py, binary
# logging off), the replication settings section of docs/ha.md on each node.
#
# Inside t: ferryctl probe b, start --license --logs (Swap forced for HA),
# with writers inserting rows on a and c from before the probe until after
# the job. The reboot operation reboots b (its ferry-peer -> its logind) and
# t (ferryd -> its logind) for real; t comes back at b's address with b's
# server id, b at t's; ferryd-resume.path starts ferryd, which runs
# copy-data-activate-replica (t takes b's place) and finishes. Nothing in
# this test reboots, starts or calls anything after the start until the
# job has finished.
#
# Checked: Source Info (HA, Main node, upstream a, downstream c by its real
# address), the round-robin hosts off a during the job and back after it,
# the freeze (upstream a, downstream c), the ring A -> T -> C -> A after it
# (SHOW SLAVE STATUS on t: a; on c: b's former address, now t, and t sees
# c reading its binary log; a: c) with both threads running, b out of any
# ring, every writer row on a, t and c exactly once, writes made after the
# migration on a, t and c on all three, every table's checksums equal on a,
# t and c, the addresses exchanged, the job on the same object path with
# GetEvents(0) contiguous across the reboot, ferryd's journal on t showing
# the resume in the boot after the reboot; then one more reboot of t: it
# comes back in the ring with b's identity.
#
# FERRY_CT_HA_ROWS (default 20000): rows of the data set on each node.
# Exit 0 pass, 1 fail, 77 skip (only when nspawn/debootstrap cannot work here).
set -uo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
# FERRY_CT_HA_OLD_RING=1 (mixed-ha.sh, issue 19): a, b and c are Debian 11
# appliances (MariaDB 10.5, the bullseye ferry-peer), t stays Debian 12
# (MariaDB 10.11): a 10.5 node replaced by a 10.11 target.
OLD_RING=${FERRY_CT_HA_OLD_RING:-0}
ring_create() { ct_create "$@"; }
if [ "$OLD_RING" = 1 ]; then
    source "$CT_HERE/bullseye-lib.sh"
    ring_create() { ct_create_old "$@"; }
fi
ct_main "$0" "$@"
# ring_reset, ring_account, ring_link, ring_replica, ring_wait_sync,
# ring_settings (on mdb_sql and mdb_client of lib.sh)
source "$CT_HERE/../rig/ring.sh"

ROWS=${FERRY_CT_HA_ROWS:-20000}
A=$CT_NET.11 B=$CT_SOURCE_ADDR C=$CT_NET.13 T=$CT_TARGET_ADDR
NODES=(a b c t)
declare -A ADDR=([a]=$A [b]=$B [c]=$C [t]=$T)
REPL_PW="r-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# --- four appliances --------------------------------------------------------------
ct_net_up
ring_create a source "$A"
ring_create b source "$B"
ring_create c source "$C"
ct_create t target "$T"
ct_set_password b t
ct_share_password a
ct_share_password c
for n in "${NODES[@]}"; do ct_ring_node $n; done
ct_fill_logs b 2
setting() { # NAME SECTION: stdin becomes the section, as the appliance keeps it
    local f
    f=$(ct_file "$1" "/var/lib/hotspot/settings/$2.conf")
    cat > "$f"
    chroot "$(ct_file "$1" /)" sh -c "chown hotspot:hotspot /var/lib/hotspot/settings/$2.conf &&
        chmod 0640 /var/lib/hotspot/settings/$2.conf"
}
for n in a b c; do
    role=Additional; [ $n = a ] && role=Main
    ring_settings "$role" "$A" repl "$REPL_PW" "$A" "$B" "$C" | setting $n replication
    printf '[LoadBalancing]\nDomain=lb.example.test\n' | setting $n load_balancing
done
printf '[RoundRobin]\nHosts=%s %s %s\n' "$A" "$B" "$C" | setting a round_robin
cp "$(ct_file a /var/lib/hotspot/settings/round_robin.conf)" "$CT_DIR/round-robin-before"
printf '\n[Migration]\nRingJoinTimeoutSec=90\n' >> "$(ct_file t /etc/ferry/ferry.conf)"
# After the Swap the source's MariaDB starts SLOW seconds late (a drop-in
# active only with the target's former address): its ferry-peer
# (After=mariadb.service) answers only when it is up, and operation 7 needs
# it right after the reboot.
SLOW=${FERRY_CT_HA_SOURCE_DB_DELAY:-5}
printf '[Service]\nExecStartPre=+/bin/sh -c "grep -qx Address=%s /var/lib/hotspot/settings/network.conf && sleep %s || true"\n' \
    "$T" "$SLOW" > "$(ct_file b /etc/systemd/system/mariadb.service.d/70-rig-slow-after-swap.conf)"

# The writers: rows TAG-1, TAG-2, ... into hotspot.ha_writes, one
# transaction each, the last committed number in /var/lib/ha-writer/last,
# until /var/lib/ha-writer/stop exists.
for n in a c; do
    mkdir -p "$(ct_file $n /var/lib/ha-writer)"
    cat > "$(ct_file $n /usr/local/bin/ha-writer)" <<'SH'
#!/bin/sh
tag=$1 i=0 d=/var/lib/ha-writer
while [ ! -e $d/stop ] && [ $i -lt 50000 ]; do
    i=$((i + 1))
    mariadb --no-defaults -uroot -e "INSERT INTO hotspot.ha_writes VALUES ('$tag-$i', '$tag', $i)" 2>>$d/err || exit 1
    echo $i > $d/last.new && mv $d/last.new $d/last
    sleep 0.05
done
SH
    chmod 755 "$(ct_file $n /usr/local/bin/ha-writer)"
done

for n in "${NODES[@]}"; do ct_boot $n; done
for n in "${NODES[@]}"; do ct_wait_booted $n; done
for n in "${NODES[@]}"; do ct_wait_mariadb $n; done

# --- the ring -------------------------------------------------------------------------
has_addr() { local i; for ((i = 0; i < 100; i++)); do
    ct_exec "$1" ip -4 -o addr show | grep -q " $2/24 " && return 0; sleep 0.1; done; return 1; }
lacks_addr() { ! ct_exec "$1" ip -4 -o addr show | grep -q " $2/24 "; }
ids() { mdb_sql "$1" "SELECT CONCAT(@@server_id, '/', @@gtid_domain_id)"; }
ring_node_ready() { # NAME: its address, and MariaDB's identity taken from it
    local id=${ADDR[$1]##*.}
    has_addr "$1" "${ADDR[$1]}" && [ "$(ids "$1")" = "$id/$id" ] &&
        [ "$(mdb_sql "$1" 'SELECT @@log_bin, @@log_slave_updates' | tr '\t' ' ')" = "1 1" ]
}
for n in "${NODES[@]}"; do
    check "$n: address ${ADDR[$n]} from its settings; MariaDB log_bin, log_slave_updates, server_id/gtid_domain_id from it ($(ids $n))" \
        ring_node_ready $n
done
if [ "$OLD_RING" = 1 ]; then
    for n in a b c; do
        v=$(mdb_sql $n "SELECT VERSION()")
        check "$n: Debian 11, MariaDB 10.5 ($v)" sh -c "case '$v' in 10.5.*deb11*) exit 0;; esac; exit 1"
    done
    v=$(mdb_sql t "SELECT VERSION()")
    check "t: Debian 12, MariaDB 10.11 ($v)" sh -c "case '$v' in 10.11.*deb12*) exit 0;; esac; exit 1"
fi
# A fresh node: what the set-up logged must not travel round the ring. The
# target has no replication account: nothing can read its binary log before
# it takes the source's place.
for n in "${NODES[@]}"; do ring_reset $n || ct_fail "RESET MASTER on $n"; done
for n in a b c; do ring_account $n repl "$REPL_PW" || ct_fail "ring account on $n"; done
t_gen=$SECONDS
pids=()
for n in a b c; do ct_gen_data $n "$ROWS" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || ct_fail "data set generation failed"; done
ct_log "data sets generated in $((SECONDS - t_gen)) s"
ring_link b "$A" repl "$REPL_PW" && ring_link c "$B" repl "$REPL_PW" && ring_link a "$C" repl "$REPL_PW" ||
    ct_fail "ring links"
mdb_sql b "CREATE TABLE hotspot.ha_writes (id VARCHAR(32) PRIMARY KEY, node CHAR(1) NOT NULL, n INT NOT NULL) ENGINE=InnoDB" ||
    ct_fail "ha_writes"
ring_wait_sync 120 a b c || ct_fail "the ring did not converge"
check "ring formed: B replicates from A, C from B, A from C" \
    [ "$(ring_replica b)|$(ring_replica c)|$(ring_replica a)" = "$A Yes Yes|$B Yes Yes|$C Yes Yes" ]
for n in a b c; do app_table_sums $n > "$CT_DIR/sums-$n-before"; done
check "A, B and C start with the same data ($(wc -l < "$CT_DIR/sums-b-before") tables)" \
    sh -c "cmp -s '$CT_DIR/sums-a-before' '$CT_DIR/sums-b-before' && cmp -s '$CT_DIR/sums-a-before' '$CT_DIR/sums-c-before'"
check "target: ferryd not started at boot (no job)" [ "$(ct_unit t ferryd.service ActiveState)" = inactive ]
cp -a "$(ct_file b /var/lib/hotspot/settings)" "$CT_DIR/source-settings-before"
cp -a "$(ct_file t /var/lib/hotspot/settings)" "$CT_DIR/target-settings-before"
BOOT_B1=$(ct_boot_id b) BOOT_T1=$(ct_boot_id t)

ct_exec a ha-writer A >/dev/null 2>&1 & WA=$!
ct_exec c ha-writer C >/dev/null 2>&1 & WC=$!
writer_last() { cat "$(ct_file "$1" /var/lib/ha-writer/last)" 2>/dev/null || echo 0; }

# --- the wizard, through ferryctl inside the target ----------------------------------------
t0=$SECONDS
ct_exec t ferryctl --json=short probe "$B" --password-file=/root/source-password \
    > "$CT_DIR/probe.json" 2>"$CT_DIR/probe.err"
check "probe succeeded" [ $? -eq 0 ]
check "Source Info: HA, Main node A, upstream A, downstream C (by its address)" \
    python3 - "$CT_DIR/probe.json" "$A" "$B" "$C" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); A, B, C = sys.argv[2:5]
d = d.get("source", d)
def val(k):
    v = d[k]
    return v["data"] if isinstance(v, dict) and "data" in v else v
assert val("HighAvailability") is True, d
assert val("Message") == "The system is in high availability", val("Message")
assert val("ServerRole") == "Additional", val("ServerRole")
assert val("RingMembers") == [A, B, C], val("RingMembers")
assert val("MainNode") == A, val("MainNode")
assert val("Upstream") == A and val("Downstream") == [C], (val("Upstream"), val("Downstream"))
assert any(f"Remove {B} from the load-balancing domain lb.example.test" in a for a in val("DnsAdvice")), val("DnsAdvice")
PY
[ "$CT_FAILS" -eq 0 ] || cat "$CT_DIR/probe.json" "$CT_DIR/probe.err" >&2
ct_exec t ferryctl plan --swap=no > "$CT_DIR/plan-noswap.txt" 2>&1
check "HA: Swap Configuration cannot be turned off" [ $? -ne 0 ]
ct_exec t ferryctl plan --license --logs > "$CT_DIR/plan.txt" 2>&1
check "plan (swap forced) deactivates the replica, reboots, joins the ring" \
    sh -c "grep -q 'Deactivate the replica' '$CT_DIR/plan.txt' && grep -q 'Reboot' '$CT_DIR/plan.txt' &&
           grep -q 'activate the replica' '$CT_DIR/plan.txt'"
if [ "$OLD_RING" = 1 ]; then
    check "pre-flight warns that the ring's next node (10.5) will replicate from this newer server" \
        grep -q "warning  MariaDB versions: source 10.5.*this system 10.11.*replicates from this newer server" "$CT_DIR/plan.txt"
    check "pre-flight: every definition of the 10.5 source tried on 10.11 and taken" \
        grep -q "ok       Object definitions: " "$CT_DIR/plan.txt"
fi
ct_exec t ferryctl start --license --logs --yes --no-ask-password > "$CT_DIR/start.txt" 2>&1
rc=$?
check "start (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || { cat "$CT_DIR/start.txt" "$CT_DIR/probe.err" >&2; ct_fail "no job"; }

MGR=(org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1)
prop() { ct_exec t busctl get-property "$@" 2>/dev/null | sed -E 's/^[a-z]+ "?//; s/"$//'; }
# The path Start() returned (ferryctl prints it). Not the Job property:
# without a data copy before it the reboot may already be under way.
JOB=$(grep -m1 '^/org/ferry/Migration1/job/' "$CT_DIR/start.txt")
ct_log "job $JOB"
check "Start() returned a job object" [ -n "$JOB" ]

# "STATE REBOOT-OP-STATE ATTEMPT LOGIND-ASKED" from the target's job journal,
# read from the host (no D-Bus call while the systems reboot).
JOURNAL=$(ct_file t /var/lib/ferry/job.json)
job_info() {
    python3 - "$JOURNAL" <<'PY' 2>/dev/null || echo "none - 0"
import json, sys
j = json.load(open(sys.argv[1]))
op = [o for o in j["operations"] if o["id"] == "reboot"][0]
print(j["state"], op["state"], j["attempt"], 1 if op["checkpoint"] and op["checkpoint"].get("logind_asked") else 0)
PY
}
rr_hosts() { sed -n 's/^Hosts=//p' "$(ct_file a /var/lib/hotspot/settings/round_robin.conf)"; }

# --- both systems reboot by themselves --------------------------------------------------------
seen_rebooting=no seen_asked=no rr_emptied=no
for ((i = 0; i < 1800; i++)); do # 0.1 s each
    read -r state rstate _ asked <<<"$(job_info)"
    [ -z "$(rr_hosts)" ] && rr_emptied=yes
    [ "$state" = rebooting ] && seen_rebooting=yes
    [ "$asked" = 1 ] && seen_asked=yes
    [ "$state" = failed ] && break
    [ $seen_asked = yes ] && break
    if [ "$(ct_reboots t)" -ge 1 ]; then
        # It went down between the read and now: what did the journal say last?
        read -r state rstate _ asked <<<"$(job_info)"
        [ "$asked" = 1 ] && seen_asked=yes
        break
    fi
    sleep 0.1
done
cp "$JOURNAL" "$CT_DIR/job-before-reboot.json"
check "the job journal said rebooting before the reboot" [ $seen_rebooting = yes ]
# logind's yes is written to the journal after logind answered, racing with
# the shutdown that stops ferryd (harmless: the boot id tells whether the
# reboot happened); what counts is checked below in logind's own journal.
ct_log "the journal recorded logind's yes before the reboot: $seen_asked (state $state, reboot $rstate)"
[ "$state" = failed ] && { python3 -c "import json; print(json.load(open('$JOURNAL')).get('error'))" >&2; ct_fail "the job failed before the reboot"; }
check "the round-robin hosts are off the Main node while the source is away" [ $rr_emptied = yes ]
check "the freeze in the journal: upstream A, downstream C, B's server id" python3 -c "
import json; j = json.load(open('$CT_DIR/job-before-reboot.json'))
f = [o for o in j['operations'] if o['id'] == 'deactivate-replica'][0]['checkpoint']['freeze']
assert f['master_host'] == '$A' and f['downstream'] == ['$C'] and f['server_id'] == ${B##*.}, f"
ct_log "both asked to reboot $((SECONDS - t0)) s after the probe"
ct_wait_rebooted b t
t_reboot=$SECONDS
WRITES_AT_REBOOT="$(writer_last a) $(writer_last c)"
ct_wait_booted t; ct_wait_booted b
BOOT_B2=$(ct_boot_id b) BOOT_T2=$(ct_boot_id t)
differ() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ]; }
check "source: new boot id" differ "$BOOT_B1" "$BOOT_B2"
check "target: new boot id" differ "$BOOT_T1" "$BOOT_T2"
check "source: the reboot went through its logind ('System is rebooting.' in its first boot)" \
    grep -q "System is rebooting" <<<"$(ct_journal b -b "${BOOT_B1//-/}" -o cat -u systemd-logind.service)"
check "target: the reboot went through its logind ('System is rebooting.' in its first boot)" \
    grep -q "System is rebooting" <<<"$(ct_journal t -b "${BOOT_T1//-/}" -o cat -u systemd-logind.service)"

ferryd_active() { [ "$(ct_unit t ferryd.service ActiveState)" = active ]; }
for ((i = 0; i < 600; i++)); do ferryd_active && break; sleep 0.1; done
check "target: ferryd active after the reboot, no D-Bus call from the test" ferryd_active

# The job finishes by itself (journal read from the host).
for ((i = 0; i < 3000; i++)); do
    read -r state rstate _ asked <<<"$(job_info)"
    [ "$state" = succeeded ] || [ "$state" = failed ] && break
    sleep 0.1
done
check "the job succeeded after the reboot (state $state, $((SECONDS - t_reboot)) s after the reboot)" \
    [ "$state" = succeeded ]
[ "$state" = succeeded ] || python3 -c "import json; print(json.load(open('$JOURNAL')).get('error'))" >&2
ct_log "HA migration (probe to finish) took $((SECONDS - t0)) s"
read -r wa0 wc0 <<<"$WRITES_AT_REBOOT"
wa1=$(writer_last a) wc1=$(writer_last c)
check "the writers on A and C committed while B and T rebooted and T joined (A: $wa0 -> $wa1, C: $wc0 -> $wc1)" \
    eval '[ "$wa1" -gt "$wa0" ] && [ "$wc1" -gt "$wc0" ]'
activations=$(ct_journal t -b "${BOOT_T2//-/}" -o cat -u dbus.service |
    grep -c "Activating via systemd: service name='org.ferry.Migration1'")
check "target: ferryd not D-Bus-activated in the new boot ($activations activations)" [ "$activations" -eq 0 ]
check "target: ferryd.service triggered by ferryd-resume.path" \
    grep -qw ferryd-resume.path <<<"$(ct_unit t ferryd.service TriggeredBy)"

# --- addresses and identities exchanged ------------------------------------------------------
check "target now has B's former address $B, not $T" eval 'has_addr t "$B" && lacks_addr t "$T"'
check "source now has T's former address $T, not $B" eval 'has_addr b "$T" && lacks_addr b "$B"'
check "C reaches the target at $B (ping)" ct_exec c ping -q -c1 -W2 "$B" >/dev/null
check "host names exchanged (target: $(ct_exec t hostname), source: $(ct_exec b hostname))" \
    [ "$(ct_exec t hostname)/$(ct_exec b hostname)" = b/t ]
check "target: MariaDB server_id/gtid_domain_id ${B##*.}, B's ($(ids t))" [ "$(ids t)" = "${B##*.}/${B##*.}" ]
check "source: MariaDB server_id ${T##*.} from its new address ($(ids b))" [ "$(ids b)" = "${T##*.}/${T##*.}" ]

# --- the ring now --------------------------------------------------------------------------------
touch "$(ct_file a /var/lib/ha-writer/stop)" "$(ct_file c /var/lib/ha-writer/stop)"
wait "$WA"; wa=$?
wait "$WC"; wc=$?
NA=$(writer_last a) NC=$(writer_last c)
ct_log "writers committed A=$NA C=$NC rows"
check "the writers ran throughout without an error (A=$NA rows, exit $wa; C=$NC rows, exit $wc)" \
    eval '[ "$NA" -gt 50 ] && [ "$NC" -gt 50 ] && [ $wa -eq 0 ] && [ $wc -eq 0 ]'
ring_wait_sync 120 a t c
check "the ring converged: A, T and C at the same GTID position" [ $? -eq 0 ]
check "the ring is A -> T -> C -> A: T replicates from A, C from $B (T now), A from C" \
    [ "$(ring_replica t)|$(ring_replica c)|$(ring_replica a)" = "$A Yes Yes|$B Yes Yes|$C Yes Yes" ]
readers() { mdb_sql "$1" "SELECT SUBSTRING_INDEX(HOST, ':', 1) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'" | sort | tr '\n' ' '; }
check "C reads the target's binary log ($(readers t)), A reads C's ($(readers c)), T reads A's ($(readers a))" \
    [ "$(readers t)|$(readers c)|$(readers a)" = "$C |$A |$B " ]
check "B is out of any ring: no replica, nobody reads its binary log" \
    [ "$(ring_replica b)|$(readers b)" = "- - -|" ]
for n in a t c; do
    got=$(mdb_sql $n "SELECT node, COUNT(*), COUNT(DISTINCT n), MIN(n), MAX(n) FROM hotspot.ha_writes GROUP BY node ORDER BY node" | tr '\t\n' ' ')
    check "$n has every write of A and C exactly once ($got)" [ "$got" = "A $NA $NA 1 $NA C $NC $NC 1 $NC " ]
done
ring_check_later_writes a t c
for n in a t c; do app_table_sums $n > "$CT_DIR/sums-$n"; done
check "every table's checksums equal on A and T ($(wc -l < "$CT_DIR/sums-a") tables)" cmp -s "$CT_DIR/sums-a" "$CT_DIR/sums-t"
check "every table's checksums equal on A and C" cmp -s "$CT_DIR/sums-a" "$CT_DIR/sums-c"
cmp -s "$CT_DIR/sums-a" "$CT_DIR/sums-t" || diff "$CT_DIR/sums-a" "$CT_DIR/sums-t" >&2
seeded() { grep -v '^ha_writes ' "$1"; }
check "the seeded tables on T are B's before the migration (only ha_writes grew)" \
    cmp -s <(seeded "$CT_DIR/sums-t") <(seeded "$CT_DIR/sums-b-before")
check "round-robin hosts back on the Main node, as before ($(rr_hosts))" \
    cmp -s "$CT_DIR/round-robin-before" "$(ct_file a /var/lib/hotspot/settings/round_robin.conf)"
check "the target has the source's former settings (its replication section, network with $B)" \
    diff -r "$CT_DIR/source-settings-before" "$(ct_file t /var/lib/hotspot/settings)"
check "the source has the target's former settings (network with $T)" \
    diff -r "$CT_DIR/target-settings-before" "$(ct_file b /var/lib/hotspot/settings)"
check "temporary MariaDB accounts gone on A, B, T, C" \
    [ -z "$(for n in a b t c; do mdb_sql $n "SELECT user FROM mysql.user WHERE user LIKE 'ferry%'"; done)" ]

# --- the job across the reboot ------------------------------------------------------------------
check "the same job object path after the reboot" [ "$(prop "${MGR[@]}" Job)" = "$JOB" ]
check "Job.State succeeded" [ "$(prop org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job State)" = succeeded ]
ct_exec t busctl --json=short call org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job GetEvents t 0 |
    "$SRC/tests/lib/job_events.py" from-busctl > "$CT_DIR/events-after"
"$SRC/tests/lib/job_events.py" from-journal "$CT_DIR/job-before-reboot.json" > "$CT_DIR/events-before"
check "GetEvents(0): the history before the reboot ($(wc -l < "$CT_DIR/events-before") events) is its beginning" \
    "$SRC/tests/lib/job_events.py" prefix "$CT_DIR/events-before" "$CT_DIR/events-after"
# HA copies the data only after the reboot (the source's replica is frozen first).
check "GetEvents(0): complete, contiguous, in order across the reboot ($(wc -l < "$CT_DIR/events-after") events)" \
    "$SRC/tests/lib/job_events.py" order "$CT_DIR/events-after" \
    job-started op:copy-settings:done op:source-maintenance:done op:deactivate-replica:done op:modify-source:done \
    op:reboot:running state:rebooting '!op:copy-data:done' \
    resumed:rebooted=true,attempt=2 \
    state:running op:reboot:done op:copy-data-activate-replica:done op:update-certificates:done \
    op:restart-services:done op:copy-syslog:done op:final:done finished:succeeded
check "the job journal: the source's current address is $T" python3 -c "
import json; s = json.load(open('$JOURNAL'))['source']
assert s['address'] == '$B' and s['current_address'] == '$T', s"
JID=${JOB##*/}
ct_journal t -b "${BOOT_T2//-/}" -o cat -u ferryd.service > "$CT_DIR/ferryd-boot2.txt"
check "target journal (journalctl -u ferryd, boot after the reboot): started by systemd" \
    grep -q '^Started ferryd.service' "$CT_DIR/ferryd-boot2.txt"
check "... found the job ($JID) in state rebooting" \
    grep -q "Found job $JID in state rebooting (attempt 1)" "$CT_DIR/ferryd-boot2.txt"
check "... saw that the reboot happened" grep -q "The reboot requested in boot .* happened" "$CT_DIR/ferryd-boot2.txt"
# ferry-peer is After=mariadb.service: the source answers only once its
# MariaDB (SLOW seconds late) is up, which operation 7 needs at once.
# (Whether ferryd logs "Waiting for the source" depends on whether its
# first request outlasts the delay.) One clock: the host's.
when() { awk '{ print $1; exit }'; }
# systemd 252 says "Started mariadb.service - MariaDB …", 247 (Debian 11)
# "Started MariaDB … database server."
db_up=$(ct_journal b -b "${BOOT_B2//-/}" -o short-unix -u mariadb.service |
    grep -E 'Started (mariadb\.service|MariaDB .*database server)' | when)
answered=$(ct_journal t -b "${BOOT_T2//-/}" -o short-unix -u ferryd.service | grep 'The source answers at' | when)
check "... the source answered after its MariaDB was up (started at $db_up, answered at $answered)" \
    python3 -c "import sys; sys.exit(not (0 < float('$db_up' or 0) <= float('$answered' or 0)))"
check "... reached the source at $T" grep -q "The source now answers at $T" "$CT_DIR/ferryd-boot2.txt"
check "... took the source's place in the ring (replica of $A, read by $C)" \
    sh -c "grep -q 'Replica of $A:3306 configured' '$CT_DIR/ferryd-boot2.txt' &&
           grep -q 'This system is in the ring: replica of $A, read by $C' '$CT_DIR/ferryd-boot2.txt'"
check "... and finished" grep -q "Job $JID succeeded" "$CT_DIR/ferryd-boot2.txt"
[ "$CT_FAILS" -eq 0 ] || tail -n 30 "$CT_DIR/ferryd-boot2.txt" >&2

# --- T keeps B's place across its own reboot --------------------------------------------------------
ct_reboot t
ct_wait_mariadb t
check "target after another reboot: ferryd not started (job finished), still at $B" \
    eval '[ "$(ct_unit t ferryd.service ActiveState)" = inactive ] && has_addr t "$B"'
check "target after another reboot: server_id/gtid_domain_id still B's ($(ids t))" [ "$(ids t)" = "${B##*.}/${B##*.}" ]
mdb_sql t "INSERT INTO hotspot.ha_writes VALUES ('post-reboot-t', 'R', 0)" || bad "insert on t"
mdb_sql a "INSERT INTO hotspot.ha_writes VALUES ('post-reboot-a', 'R', 0)" || bad "insert on a"
ring_wait_sync 60 a t c
ring_runs_on() {
    local n
    [ "$(ring_replica t)|$(ring_replica c)|$(ring_replica a)" = "$A Yes Yes|$B Yes Yes|$C Yes Yes" ] || return 1
    for n in a t c; do
        [ "$(mdb_sql $n "SELECT COUNT(*) FROM hotspot.ha_writes WHERE node='R'")" = 2 ] || return 1
    done
}
check "... and the ring runs on: A -> T -> C -> A, a write on T and one on A reach all three" ring_runs_on
check "Acknowledge()" ct_exec t busctl call org.ferry.Migration1 "$JOB" org.ferry.Migration1.Job Acknowledge
check "after Acknowledge() no job" [ "$(prop "${MGR[@]}" Job)" = / ]

# --- the passwords ------------------------------------------------------------------------------------
grep -rqaF --exclude=source-password --exclude=password -e "$CT_PASSWORD" "$CT_DIR"/{a,b,c,t}/upper \
    "$CT_DIR"/*.txt "$CT_DIR"/*.json 2>/dev/null; rc=$?
check "the Admin password is nowhere in the appliances' files or journals (grep exit $rc)" [ $rc -eq 1 ]

[ "$CT_FAILS" -eq 0 ] || ct_fail "$CT_FAILS check(s) failed"
ct_log "PASS: HA migration with Swap across the real reboot of both: T took B's place in the ring A -> T -> C -> A"
