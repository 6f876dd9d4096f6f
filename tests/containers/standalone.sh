#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# standalone.sh SOURCE_ROOT BUILD_DIR
#
# A standalone migration (no Swap Configuration) between two booted
# appliances: systemd-nspawn containers with real systemd, dbus, logind,
# polkitd, networkd and the distribution's MariaDB (lib.sh). ferry-peer is
# socket-activated on the source (443/80); ferryd is D-Bus-activated on the
# target, driven by ferryctl run inside the target. Checks the data (per
# table content checksums), settings, license, certificates, logs, and what
# real systemd did: the target's services restarted (new InvocationID), the
# source's stopped and masked, both still right after a reboot. It takes
# ferry's default path, the copy while the source serves (below).
#
# FERRY_CT_ROWS (default 100000): rows of the generated data set.
# Exit 0 pass, 1 fail, 77 skip (only when nspawn/debootstrap cannot work here).
set -uo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
# FERRY_CT_STANDALONE_OLD_SOURCE=1 (mixed-standalone.sh, issue 19): the
# source is a Debian 11 appliance (MariaDB 10.5, the bullseye ferry-peer),
# the target Debian 12 (MariaDB 10.11); tables compared by content.
OLD_SOURCE=${FERRY_CT_STANDALONE_OLD_SOURCE:-0}
source_create() { ct_create "$@"; }
if [ "$OLD_SOURCE" = 1 ]; then
    source "$CT_HERE/bullseye-lib.sh"
    source_create() { ct_create_old "$@"; }
fi
ct_main "$0" "$@"

ROWS=${FERRY_CT_ROWS:-100000}
# ferry's default, the copy while the source serves (pre-copy-data, then the
# catch-up as a temporary replica of the source's MariaDB, which reads the
# source's certificate from ferryd's /run/ferry as user mysql); the other
# container suites keep the manual's path (lib.sh). CT_COPY_WHILE_SERVING=no
# runs this one on it too.
export CT_COPY_WHILE_SERVING=${CT_COPY_WHILE_SERVING:-yes}
S=source T=target

ct_net_up
source_create $S source "$CT_SOURCE_ADDR"
ct_create $T target "$CT_TARGET_ADDR"
ct_set_password $S $T
ct_fill_logs $S 8
ct_boot $S; ct_boot $T
ct_wait_booted $S; ct_wait_booted $T
ct_wait_mariadb $S; ct_wait_mariadb $T
ct_gen_data $S "$ROWS"
if [ "$OLD_SOURCE" = 1 ]; then
    SV=$(mdb_sql $S "SELECT VERSION()") TV=$(mdb_sql $T "SELECT VERSION()")
    check "source: Debian 11, MariaDB 10.5 ($SV); target: Debian 12, MariaDB 10.11 ($TV)" \
        sh -c "case '$SV/$TV' in 10.5.*deb11*/10.11.*deb12*) exit 0;; esac; exit 1"
fi

# --- before: what the appliances look like ---------------------------------
check "source: ferry-peer.service not running before the first connection (socket activation)" \
    [ "$(ct_unit $S ferry-peer.service ActiveState)" = inactive ]
check "source: ferry-peer.socket listening" [ "$(ct_unit $S ferry-peer.socket ActiveState)" = active ]
check "target: ferryd not started at boot (static unit, no job)" \
    [ "$(ct_unit $T ferryd.service ActiveState)" = inactive ]
check "target: ferryd-resume.path waiting" [ "$(ct_unit $T ferryd-resume.path SubState)" = waiting ]
check "target reaches the source over the bridge (ping 10.77.0.2)" ct_exec $T ping -c1 -W2 "$CT_SOURCE_ADDR"

declare -A INV_BEFORE
for u in "${CT_SERVICES[@]}"; do
    INV_BEFORE[$u]=$(ct_unit $T "$u" InvocationID)
    check "target: $u running before" [ "$(ct_unit $T "$u" ActiveState)" = active ]
    check "source: $u running before" [ "$(ct_unit $S "$u" ActiveState)" = active ]
done
cp -a "$(ct_file $T /var/lib/hotspot/settings)" "$CT_DIR/target-settings-before"
cp -a "$(ct_file $S /var/lib/hotspot/settings)" "$CT_DIR/source-settings-before"
cp "$(ct_file $S /var/lib/hotspot/license.conf)" "$CT_DIR/source-license-before"
app_table_sums $S > "$CT_DIR/sums-source"
ct_log "source: $(wc -l < "$CT_DIR/sums-source") tables, $(awk '{n += $2} END {print n}' "$CT_DIR/sums-source") rows"

# --- the wizard, through ferryctl inside the target ---------------------------
t0=$SECONDS
ct_exec $T ferryctl --json=short probe "$CT_SOURCE_ADDR" --password-file=/root/source-password \
    > "$CT_DIR/probe.json" 2>"$CT_DIR/probe.err"
check "probe succeeded" [ $? -eq 0 ]
py() { python3 -c "import json,sys; d=json.load(open('$CT_DIR/probe.json')); $1"; }
check "Source Info: HostName source" py "sys.exit(d.get('HostName')!='source')"
check "Source Info: Address $CT_SOURCE_ADDR" py "sys.exit(d.get('Address')!='$CT_SOURCE_ADDR')"
check "Source Info: standalone" py "sys.exit(d.get('Message')!='The system is a standalone type')"
dbus_activated() { ct_journal $T -b -u dbus.service |
    grep -q "Activating via systemd: service name='org.ferry.Migration1' unit='dbus-org.ferry.Migration1.service'"; }
check "target: ferryd was started by D-Bus activation (dbus-daemon's journal)" dbus_activated
check "source: ferry-peer.service started by its socket" [ "$(ct_unit $S ferry-peer.service ActiveState)" = active ]

ct_exec $T ferryctl plan --license --logs > "$CT_DIR/plan.txt" 2>&1
check "plan" [ $? -eq 0 ]
# The first job's restart-services estimate from what real systemd recorded
# about each service's last start (local/unit_times.cpp, issue 17): "UNIT
# N s to start and", not "to start (assumed)". A unit never stopped since
# its boot has its stop assumed, so the text may hold ")" before the next.
ct_exec $T ferryctl --json=short plan --license --logs > "$CT_DIR/plan.json" 2>&1
for u in "${CT_SERVICES[@]}"; do
    check "plan: restart-services estimated from systemd's record of $u's last start" \
        grep -q "Restart the services: [0-9]* s (measured; [^\"]*$u [0-9.]* s to start and" "$CT_DIR/plan.json"
done
# With CT_COPY_WHILE_SERVING=yes the plan takes the copy while the source
# serves (the source's MariaDB writes a binary log here).
if [ "${CT_COPY_WHILE_SERVING:-no}" = yes ]; then
    pre_copy_planned() { python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
ops = {o["Id"]: o for o in p["Operations"]}
sys.exit(0 if ops["pre-copy-data"]["Runs"] else 1)' "$CT_DIR/plan.json"; }
    check "plan: pre-copy-data runs (CT_COPY_WHILE_SERVING=yes)" pre_copy_planned
    pre_copy_planned || grep -o '"outage[^}]*' "$CT_DIR/plan.json" >&2
fi
ct_exec $T ferryctl start --license --logs --yes --no-ask-password > "$CT_DIR/start.txt" 2>&1
check "start" [ $? -eq 0 ]
check "target: job-active marker while the job runs (or it already finished)" \
    sh -c "[ -e '$(ct_file $T /var/lib/ferry/job-active)' ] || grep -q '\"state\": *\"succeeded\"' '$(ct_file $T /var/lib/ferry/job.json)'"
ct_exec $T timeout 600 ferryctl watch > "$CT_DIR/watch.txt" 2>&1; rc=$?
check "watch: the job succeeded (exit $rc) in $((SECONDS - t0)) s" [ $rc -eq 0 ]
if [ "$CT_COPY_WHILE_SERVING" = yes ]; then
    check "watch: pre-copy-data ran and finished before the source's maintenance" \
        python3 -c '
import sys
lines = open(sys.argv[1]).read().splitlines()
def at(s): return next(i for i, l in enumerate(lines) if l.endswith(s))
sys.exit(0 if at("Copy data while the source serves: done") < at("Place the source under maintenance: running") else 1)' "$CT_DIR/watch.txt"
    replica_followed_and_removed() {
        ct_journal $T -u ferryd > "$CT_DIR/ferryd-journal.txt"
        grep -q 'This system follows the source' "$CT_DIR/ferryd-journal.txt" &&
            grep -q 'The temporary replica of the source is removed' "$CT_DIR/ferryd-journal.txt"
    }
    check "target: the temporary replica followed the source and was removed (ferryd's journal)" \
        replica_followed_and_removed
    no_replica_left() {
        local out
        out=$(ct_exec $T mariadb -uroot -N -e 'SHOW ALL SLAVES STATUS') || return 1
        [ -z "$out" ]
    }
    check "target: no replica connection left in its MariaDB" no_replica_left
fi
[ $rc -eq 0 ] || tail -n 30 "$CT_DIR/watch.txt" >&2
ct_log "migration (probe to finish) took $((SECONDS - t0)) s"

# --- data, settings, license, certificates, logs --------------------------------
app_table_sums $T > "$CT_DIR/sums-target"
check "every table: same rows and content checksum ($(wc -l < "$CT_DIR/sums-source") tables)" \
    cmp -s "$CT_DIR/sums-source" "$CT_DIR/sums-target"
cmp -s "$CT_DIR/sums-source" "$CT_DIR/sums-target" || diff "$CT_DIR/sums-source" "$CT_DIR/sums-target" >&2
TS=$(ct_file $T /var/lib/hotspot/settings)
for s in "${APP_BASIC[@]}"; do
    check "basic section $s equals the source's" cmp -s "$CT_DIR/source-settings-before/$s.conf" "$TS/$s.conf"
    check "basic section $s kept owner hotspot:hotspot and mode 0640" \
        [ "$(ct_exec $T stat -c %U:%G:%a "/var/lib/hotspot/settings/$s.conf")" = hotspot:hotspot:640 ]
done
for s in "${APP_EXCLUDED[@]}"; do
    check "excluded section $s untouched on the target" cmp -s "$CT_DIR/target-settings-before/$s.conf" "$TS/$s.conf"
done
for f in "$(ct_file $S /var/log/hotspot)"/*; do
    check "log $(basename "$f") byte-identical" cmp -s "$f" "$(ct_file $T "/var/log/hotspot/$(basename "$f")")"
done
check "certificate moved" cmp -s "$(ct_file $S /etc/hotspot/certs/server.pem)" "$(ct_file $T /etc/hotspot/certs/server.pem)"
check "license installed on the target" \
    grep -q "^Guid=$(sed -n 's/^Guid=//p' "$CT_DIR/source-license-before")" "$(ct_file $T /var/lib/hotspot/license.conf)"
check "license released on the source" grep -q '^State=released' "$(ct_file $S /var/lib/hotspot/license.conf)"
check "source in maintenance" test -e "$(ct_file $S /var/lib/hotspot/maintenance)"
check "source recorded the migration to $CT_TARGET_ADDR" grep -qs "$CT_TARGET_ADDR" "$(ct_file $S /var/lib/hotspot/migrated.conf)"
check "temporary MariaDB account gone on the source" \
    [ -z "$(mdb_sql $S "SELECT user FROM mysql.user WHERE user LIKE 'ferry%'")" ]
rowev=0
for f in $(mdb_sql $T "SHOW BINARY LOGS" | awk '{print $1}'); do
    rowev=$((rowev + $(mdb_sql $T "SHOW BINLOG EVENTS IN '$f'" | grep -c -E 'Write_rows|Table_map')))
done
check "target binary log: no row events from the load ($rowev)" [ "$rowev" -eq 0 ]

# --- what real systemd did ----------------------------------------------------
for u in "${CT_SERVICES[@]}"; do
    inv=$(ct_unit $T "$u" InvocationID)
    restarted=no
    [ -n "$inv" ] && [ "$inv" != "${INV_BEFORE[$u]}" ] && [ "$(ct_unit $T "$u" ActiveState)" = active ] && restarted=yes
    check "target: $u restarted by systemd (InvocationID ${INV_BEFORE[$u]:0:8}.. -> ${inv:0:8}.., active)" \
        [ $restarted = yes ]
    check "source: $u stopped" [ "$(ct_unit $S "$u" ActiveState)" = inactive ]
    check "source: $u masked" [ "$(ct_exec $S systemctl is-enabled "$u")" = masked ]
done
ct_journal $T -b -u hotspot-portal.service -o cat > "$CT_DIR/portal-journal.txt"
check "target journal: hotspot-portal stopped and started again" \
    sh -c "grep -q '^Stopping' '$CT_DIR/portal-journal.txt' && [ \$(grep -c '^Started' '$CT_DIR/portal-journal.txt') -ge 2 ]"
check "target: job-active marker removed after the job" [ ! -e "$(ct_file $T /var/lib/ferry/job-active)" ]
ct_exec $T ferryctl status > "$CT_DIR/status.txt" 2>&1
check "job succeeded (ferryctl status)" grep -q succeeded "$CT_DIR/status.txt"
# The job's events explained by ferry's message catalog (units/ferry.catalog,
# installed by the package; Debian's systemd runs journalctl --update-catalog
# on its trigger): journalctl -x inside the target, as an administrator reads it.
jx() { ct_exec $T journalctl -x -b --no-pager "MESSAGE_ID=$1" > "$CT_DIR/journal-x-$1.txt" 2>&1; }
jx 6138e8b38fba4c63a30d72451cf9875c
check "target journalctl -x: the job's start with the catalog's subject and text" \
    sh -c "grep -q 'Subject: Migration job [0-9a-f]* started' '$CT_DIR/journal-x-6138e8b38fba4c63a30d72451cf9875c.txt' &&
           grep -q 'procedure is irreversible' '$CT_DIR/journal-x-6138e8b38fba4c63a30d72451cf9875c.txt'"
jx be7e2fae97064322942385e903812e8e
check "target journalctl -x: each operation done, explained ($(grep -c "Subject: Migration operation '.*' done" "$CT_DIR/journal-x-be7e2fae97064322942385e903812e8e.txt") entries)" \
    sh -c "grep -q \"Subject: Migration operation 'Copy data' done\" '$CT_DIR/journal-x-be7e2fae97064322942385e903812e8e.txt' &&
           grep -q 'it is not repeated when the job' '$CT_DIR/journal-x-be7e2fae97064322942385e903812e8e.txt'"
jx 1eab38c467fc4654bc49385ca6bb5c5e
check "target journalctl -x: the job's success, explained" \
    grep -q 'Subject: Migration job [0-9a-f]* succeeded' "$CT_DIR/journal-x-1eab38c467fc4654bc49385ca6bb5c5e.txt"

# --- both reboot (what Swap Configuration will need) ---------------------------
ct_reboot $S
ct_reboot $T
# networkd configures the address shortly after the boot finished.
has_addr() { local i; for ((i = 0; i < 100; i++)); do
    ct_exec "$1" ip -4 -o addr show | grep -q " $2/24 " && return 0; sleep 0.1; done; return 1; }
check "source after reboot: address $CT_SOURCE_ADDR from its settings" has_addr $S "$CT_SOURCE_ADDR"
check "target after reboot: address $CT_TARGET_ADDR from its settings" has_addr $T "$CT_TARGET_ADDR"
check "target after reboot: reaches the source" ct_exec $T ping -c1 -W2 "$CT_SOURCE_ADDR"
for u in "${CT_SERVICES[@]}"; do
    check "source after reboot: $u still stopped and masked" \
        [ "$(ct_unit $S "$u" ActiveState)/$(ct_exec $S systemctl is-enabled "$u")" = inactive/masked ]
done
check "target after reboot: ferryd not started (no unfinished job)" [ "$(ct_unit $T ferryd.service ActiveState)" = inactive ]
ct_exec $T ferryctl status > "$CT_DIR/status2.txt" 2>&1
check "target after reboot: the result is still there until acknowledged" grep -q succeeded "$CT_DIR/status2.txt"
check "target: ferryctl acknowledge" ct_exec $T ferryctl acknowledge

# --- the password -------------------------------------------------------------
grep -rqaF --exclude=source-password --exclude=password -e "$CT_PASSWORD" "$CT_DIR/$S/upper" "$CT_DIR/$T/upper" \
    "$CT_DIR"/*.txt "$CT_DIR"/*.json 2>/dev/null; rc=$?
check "the password is nowhere in either appliance's files or journal (grep exit $rc)" [ $rc -eq 1 ]

[ $CT_FAILS -eq 0 ] || ct_fail "$CT_FAILS check(s) failed"
ct_log "PASS: standalone migration between two booted appliances"
