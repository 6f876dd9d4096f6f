#!/usr/bin/env bash
# Pre-flight checks (issue 17) on real parts: a target whose MariaDB data
# directory sits on a small filesystem (a tmpfs this test mounts, sized to
# hold the source's data but not InnoDB's margin and the reserve) gets the
# failed "space" check with the sizes at Probe and Plan; Start refuses with
# org.ferry.Migration1.Error.PreflightFailed and nothing changed on either
# side (no job, no journal, the source never asked for anything). Once the
# filesystem grows, the same Plan shows the check ok. Also: a service of
# Services= that systemd does not have fails the "services" check (the
# systemd TEST DOUBLE answers GetUnitFileState; no systemd as PID 1 here),
# and every check of a healthy pair is shown (versions, protocol, clock).
# The source's definitions are tried on the target at Probe (issue 19): a
# table in a storage engine the source loads (ARCHIVE, INSTALL SONAME) and
# the target does not fails the "definitions" check naming it, Start is
# refused, and the trial leaves nothing on either side.
#
#   preflight.sh SOURCE_ROOT BUILD_DIR   (root: it mounts a tmpfs)
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to mount a small filesystem"; exit 77; }
matches() { grep -q -- "$1" <<<"$2"; } # PATTERN TEXT
MOUNTS=()
unmount_all() { local m; for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done; }
RIG_EXIT_HOOKS+=(mdb_kill_all unmount_all)

PASSWORD="Adm1n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$PASSWORD" > "$RIG/password"; chmod 600 "$RIG/password"
SRC_ADDR=$(mdb_pick_address 127.0.0.2 127.0.0.12 127.0.0.22) || rig_fail "no free address"
TGT_ADDR=$(mdb_pick_address 127.0.0.3 127.0.0.13 127.0.0.23 | grep -vx "$SRC_ADDR") || rig_fail "no free address"

rig_start_bus
# freeradius.service (of Services=) is not installed on the target (the
# test double has no unit file for it).
# hotspot-portal.service's last stop and start took 1 s and 3 s, as systemd
# recorded them (the double's unit properties): the restart-services estimate.
"$BUILD/tests/integration/systemd-double" --record="$RIG/restarts.log" --missing=freeradius.service \
    --unit-times=hotspot-portal.service:3000:1000 >"$RIG/systemd-double.log" 2>&1 &
RIG_PIDS+=($!)
rig_wait_for 10 busctl --system status org.freedesktop.systemd1 --no-pager || rig_fail "systemd double"

app_make source "$SRC_ADDR" yes active
app_make target "$TGT_ADDR" no
app_fill_logs source 2
app_start_mariadb_tls source
python3 "$SRC/tests/rig/gen_dataset.py" --socket "$RIG/source/db/mysqld.sock" --rows "${FERRY_TEST_ROWS:-100000}" \
    >"$RIG/gen.log" 2>&1 || rig_fail "dataset generation failed"
app_start_peer source "$RIG/password"

# --- the target's MariaDB data directory on a small filesystem ---------------
# The data as the source's MariaDB reports it (data + index length), which
# is what ferryd plans with.
DATA_BYTES=$(mdb_sql source "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES WHERE TABLE_SCHEMA='hotspot'")
DATA_MB=$(( (DATA_BYTES + 1048575) / 1048576 ))
mkdir -p "$RIG/target/db/data"
app_start_mariadb target
USED_MB=$(du -sm "$RIG/target/db/data" | awk '{print $1}')
mdb_stop target
mv "$RIG/target/db/data" "$RIG/target/db/data.disk"
mkdir "$RIG/target/db/data"
# Room for the data as the source stores it, not for the 25 % + 128 MiB
# margin and the 256 MiB reserve.
SMALL_MB=$((USED_MB + DATA_MB + 16))
mount -t tmpfs -o size=${SMALL_MB}m,mode=0755 ferry-preflight "$RIG/target/db/data" || rig_fail "cannot mount a tmpfs"
MOUNTS+=("$RIG/target/db/data")
cp -a "$RIG/target/db/data.disk/." "$RIG/target/db/data/" && rm -rf "$RIG/target/db/data.disk"
app_start_mariadb target
rig_log "target data directory: tmpfs of $SMALL_MB MB ($USED_MB MB used); the source's data: $DATA_MB MB"
rig_start_ferryd target

snapshot() {
    (cd "$RIG" && find source/settings source/license.conf source/peer/state target/settings target/state target/certs \
        -type f -exec sha256sum {} + 2>/dev/null | sort
     ls -la "$RIG/source" | grep -c maintenance)
}
mdb_sql target "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='hotspot'" > "$RIG/tables-before" 2>/dev/null

# --- Probe: the checks in Source Info -----------------------------------------
"$FERRYCTL" --json=short probe "$SRC_ADDR" --password-file="$RIG/password" > "$RIG/probe.json" 2>"$RIG/probe.err"
check "probe succeeded" [ $? -eq 0 ]
verdict() { # FILE ID -> the verdict of check ID
    python3 -c "import json,sys; d=json.load(open('$1')); c=d.get('PreflightChecks', d.get('Checks', []));
print(next((x['Verdict'] for x in c if x['Id']=='$2'), 'absent'))"
}
message() {
    python3 -c "import json,sys; d=json.load(open('$1')); c=d.get('PreflightChecks', d.get('Checks', []));
print(next((x['Message'] for x in c if x['Id']=='$2'), ''))"
}
check "Probe: the space check failed ($(verdict "$RIG/probe.json" space))" [ "$(verdict "$RIG/probe.json" space)" = failure ]
msg=$(message "$RIG/probe.json" space)
check "Probe: the message names the data directory and what is missing: $msg" \
    matches 'target/db/data.*(data.*): needs .* free: NOT ENOUGH, .* missing' "$msg"
check "Probe: MariaDB versions checked ($(verdict "$RIG/probe.json" mariadb-version): $(message "$RIG/probe.json" mariadb-version))" \
    [ "$(verdict "$RIG/probe.json" mariadb-version)" = ok ]
check "Probe: peer protocol ok" [ "$(verdict "$RIG/probe.json" peer-protocol)" = ok ]
check "Probe: clock difference measured and ok ($(message "$RIG/probe.json" clock))" \
    [ "$(verdict "$RIG/probe.json" clock)" = ok ]
msg=$(message "$RIG/probe.json" services)
check "Probe: the missing service fails its check ($msg)" [ "$(verdict "$RIG/probe.json" services)" = failure ]
check "... naming it" matches 'freeradius.service (no unit file)' "$msg"
check "Probe: no ring check for a standalone source" [ "$(verdict "$RIG/probe.json" ring)" = absent ]

# --- Plan: the failed check with the sizes ------------------------------------
"$FERRYCTL" --json=short plan --logs > "$RIG/plan.json" 2>&1
check "plan succeeded" [ $? -eq 0 ]
check "Plan: the space check failed" [ "$(verdict "$RIG/plan.json" space)" = failure ]
"$FERRYCTL" plan --logs > "$RIG/plan.txt" 2>&1
check "ferryctl plan prints the failed check" grep -q '^  failure  Free space on this system: .*NOT ENOUGH' "$RIG/plan.txt"
check "... and that Start is refused" grep -q PreflightFailed "$RIG/plan.txt"
busctl --system --json=short call org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 \
    PlanWithChecks 'a{sv}' 0 > "$RIG/plan-busctl.json" 2>&1
check "PlanWithChecks over D-Bus answers a(ssss) checks" grep -q '"type":"a{sv}a(ssbsstt)a(ssss)"' "$RIG/plan-busctl.json"
busctl --system call org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 Plan 'a{sv}' 0 > "$RIG/plan-old.txt" 2>&1
check "Plan keeps its signature (a{sv}a(ssbsstt))" grep -q '^a{sv}a(ssbsstt) ' "$RIG/plan-old.txt"

# --- Start refuses, and nothing changed ---------------------------------------
# (After the Probe: its login wrote the source's token store.)
snapshot > "$RIG/snap-before"
peer_requests() { grep -c -E 'POST /ferry/v1/(maintenance|token/extend|db-account|migrated)|PUT /ferry/v1/staged' "$RIG/peer-source.log"; }
REQ_BEFORE=$(peer_requests)
out=$(gdbus call --system --dest org.ferry.Migration1 --object-path /org/ferry/Migration1 \
    --method org.ferry.Migration1.Start '{}' 2>&1); rc=$?
check "Start refused (exit $rc)" [ $rc -ne 0 ]
check "... with PreflightFailed naming the space check: $(head -c 300 <<<"$out")" \
    matches "org.ferry.Migration1.Error.PreflightFailed: A pre-flight check failed; nothing was changed. Free space on this system: .*NOT ENOUGH" "$out"
out=$("$FERRYCTL" start --logs --yes --no-ask-password 2>&1); rc=$?
check "ferryctl start: failure exit ($rc)" [ $rc -ne 0 ]
check "... with the error name's hint" matches "ferryctl plan' with the same options shows every pre-flight check" "$out"
check "no job" [ "$(busctl --system get-property org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 Job)" = 'o "/"' ]
check "manager still probed" [ "$(busctl --system get-property org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 State)" = 's "probed"' ]
snapshot > "$RIG/snap-after"
check "nothing changed on either side (settings, license, certificates, state, maintenance)" cmp -s "$RIG/snap-before" "$RIG/snap-after"
check "no journal in the state directory" [ ! -e "$RIG/target/state/job.json" ]
check "the source was asked for nothing ($REQ_BEFORE -> $(peer_requests) changing requests)" [ "$(peer_requests)" = "$REQ_BEFORE" ]
mdb_sql target "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='hotspot'" > "$RIG/tables-after" 2>/dev/null
check "no table was created on the target" cmp -s "$RIG/tables-before" "$RIG/tables-after"
check "the refusal is in ferryd's log (journal)" grep -q "Start refused: A pre-flight check failed" "$RIG/ferryd-target.log"

# --- more room: the same Plan shows the space check ok -------------------------
mount -o remount,size=$((USED_MB + DATA_MB * 2 + 1024))m "$RIG/target/db/data" || rig_fail "cannot grow the tmpfs"
# A scratch schema as a Probe killed during its measurement would leave it.
mdb_sql target "CREATE DATABASE ferry_probe_0123456789abcdef; CREATE TABLE ferry_probe_0123456789abcdef.scratch (id INT PRIMARY KEY)" \
    || rig_fail "cannot plant a scratch schema"
"$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" > /dev/null 2>&1
"$FERRYCTL" --json=short plan --logs > "$RIG/plan2.json" 2>&1
check "after growing the filesystem: space ok ($(message "$RIG/plan2.json" space))" \
    [ "$(verdict "$RIG/plan2.json" space)" = ok ]

# --- the estimates: measured at Probe, nothing of the measuring left ----------
check "ferryd measured this system's write rate at Probe ($(grep -o 'Probe measured: .*' "$RIG/ferryd-target.log" | tail -n 1))" \
    grep -q "Probe measured: source read [0-9].*, link .*, this system's write [0-9]" "$RIG/ferryd-target.log"
check "no scratch schema is left on this system after Probe, the planted one neither" \
    [ "$(mdb_sql target "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'ferry\\_probe\\_%'")" = 0 ]
check "no temporary account is left on the source after Probe" \
    [ "$(mdb_sql source "SELECT COUNT(*) FROM mysql.user WHERE user LIKE 'ferry\\_%'")" = 0 ]
msg=$(message "$RIG/plan2.json" estimate)
check "the plan says where its estimates come from: $msg" \
    matches 'Copy data: [0-9]* s (measured; .* measured at Probe' "$msg"
check "... the estimate entry is ok" [ "$(verdict "$RIG/plan2.json" estimate)" = ok ]
# A first job: the operations that move no bytes from what exists before it
# (issue 17), not 5 s per remote step and 20 s for the services.
check "restart-services from systemd's record: portal 3 s + 1 s, freeradius (no unit) assumed 10 s + 1 s" \
    matches "Restart the services: 15 s (measured; 15.0 s, each service's last start and stop as systemd recorded them: hotspot-portal.service 3.0 s to start and 1.0 s to stop; no record of freeradius.service 10.0 s to start (assumed)" "$msg"
check "remote steps from Probe's round trip; without Swap the source stops its services (portal's recorded stop)" \
    matches "Modify the source configuration: 2 s (measured; 1 request to the source at the [0-9.]* ms round trip measured at Probe, 2.0 s for the source to stop its services" "$msg"
check "... the final operations: their requests at the round trip" \
    matches "Final operations: 0 s (measured; 2 requests to the source at the" "$msg"

# --- the source's definitions, tried on this system's MariaDB (issue 19) ------
check "Probe tried every definition of the source here: $(message "$RIG/plan2.json" definitions)" \
    [ "$(verdict "$RIG/plan2.json" definitions)" = ok ]
# A table in a storage engine the source loads and this system does not:
# MariaDB would put it in InnoDB silently; the trial names it before Start.
archive_here() { [ "$(mdb_sql "$1" "SELECT COUNT(*) FROM information_schema.ENGINES WHERE ENGINE='ARCHIVE' AND SUPPORT IN ('YES','DEFAULT')")" = 1 ]; }
if archive_here target; then
    rig_log "SKIP the refused-definition part: this system's MariaDB has the ARCHIVE engine compiled in"
else
    mdb_sql source "INSTALL SONAME 'ha_archive'" || rig_fail "cannot load the ARCHIVE engine on the source"
    mdb_sql source "SET SESSION sql_log_bin=0; CREATE TABLE hotspot.archived_sessions (id INT NOT NULL, note TEXT) ENGINE=ARCHIVE;
        INSERT INTO hotspot.archived_sessions VALUES (1, 'kept since 2019');
        CREATE TRIGGER hotspot.archived_sessions_bi BEFORE INSERT ON hotspot.archived_sessions FOR EACH ROW SET NEW.note = UPPER(NEW.note)" ||
        rig_fail "cannot create the ARCHIVE table on the source"
    mdb_sql target "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA NOT IN ('mysql','sys','performance_schema','information_schema') ORDER BY 1, 2" > "$RIG/target-tables-before"
    "$FERRYCTL" --json=short probe "$SRC_ADDR" --password-file="$RIG/password" > "$RIG/probe3.json" 2>"$RIG/probe3.err"
    check "probe with an ARCHIVE table on the source succeeded" [ $? -eq 0 ]
    msg=$(message "$RIG/probe3.json" definitions)
    check "Probe: the definitions check failed ($(verdict "$RIG/probe3.json" definitions))" [ "$(verdict "$RIG/probe3.json" definitions)" = failure ]
    check "... naming the table and MariaDB's reason: $msg" \
        matches "^1 of the source's [0-9]* definitions cannot be created on this system's MariaDB .*: TABLE hotspot.archived_sessions (error 1286: Unknown storage engine 'ARCHIVE')" "$msg"
    check "... not its trigger as well (it goes with its table)" eval '! matches "TRIGGER hotspot.archived_sessions_bi" "$msg"'
    "$FERRYCTL" plan --logs > "$RIG/plan3.txt" 2>&1
    check "ferryctl plan prints the failed check" grep -q "^  failure  Object definitions: 1 of the source's" "$RIG/plan3.txt"
    out=$(gdbus call --system --dest org.ferry.Migration1 --object-path /org/ferry/Migration1 \
        --method org.ferry.Migration1.Start '{}' 2>&1); rc=$?
    check "Start refused (exit $rc) with PreflightFailed naming the object: $(head -c 300 <<<"$out")" \
        matches "PreflightFailed: A pre-flight check failed; nothing was changed. .*Object definitions: 1 of the source's .*TABLE hotspot.archived_sessions" "$out"
    check "no job" [ "$(busctl --system get-property org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 Job)" = 'o "/"' ]
    mdb_sql target "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA NOT IN ('mysql','sys','performance_schema','information_schema') ORDER BY 1, 2" > "$RIG/target-tables-after"
    check "the trial left nothing on this system (schemas, tables: $(wc -l < "$RIG/target-tables-after"))" \
        cmp -s "$RIG/target-tables-before" "$RIG/target-tables-after"
    no_source_account() { [ "$(mdb_sql source "SELECT COUNT(*) FROM mysql.user WHERE user LIKE 'ferry\\_%'")" = 0 ]; }
    check "... nor the source's temporary account" no_source_account
    mdb_sql source "SET SESSION sql_log_bin=0; DROP TABLE hotspot.archived_sessions; UNINSTALL SONAME 'ha_archive'" || rig_fail "cannot drop the ARCHIVE table"
    "$FERRYCTL" --json=short probe "$SRC_ADDR" --password-file="$RIG/password" > "$RIG/probe4.json" 2>&1
    check "without it, the next Probe's definitions check is ok again" [ "$(verdict "$RIG/probe4.json" definitions)" = ok ]
fi

# --- a global read lock on this system's MariaDB during Probe ----------------
# (a backup's FLUSH TABLES WITH READ LOCK): Probe must not wait for it
# (found by containers-swap-power-cut, whose Probe hung 2 minutes): the
# trial could not run, which the check says as a warning; nothing left.
mdb_client target --unbuffered -N -e "FLUSH TABLES WITH READ LOCK; SELECT 'locked'; DO SLEEP(300)" > "$RIG/ftwrl.out" 2>&1 &
HOLDER=$!
rig_wait_for 10 grep -qx locked "$RIG/ftwrl.out" || rig_fail "the read lock on the target was not taken"
"$FERRYCTL" --json=short probe "$SRC_ADDR" --password-file="$RIG/password" > "$RIG/probe5.json" 2>"$RIG/probe5.err"
check "Probe under a global read lock on this system's MariaDB succeeded" [ $? -eq 0 ]
msg=$(message "$RIG/probe5.json" definitions)
check "... the definitions check says they could not be tried, because of the lock: $msg" \
    eval '[ "$(verdict "$RIG/probe5.json" definitions)" = warning ] && matches "could not be tried on .*locked by another session (error 1205: Lock wait timeout exceeded" "$msg"'
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
check "... and left no scratch schema once the lock is gone" \
    [ "$(mdb_sql target "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'ferry\\_probe\\_%'")" = 0 ]

[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: pre-flight checks"
