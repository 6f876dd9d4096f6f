#!/usr/bin/env bash
# A standalone migration end to end on real parts: two appliances on this
# machine (source 127.0.0.2, target 127.0.0.3, or other free 127.0.0.x), each with its own mariadbd;
# the real ferry-peer on the source; the real ferryd on a private system
# bus on the target, driven by ferryctl. systemd's manager is a TEST DOUBLE
# here (no systemd as PID 1 on this machine: tests/integration/
# systemd_double.cpp records the RestartUnit calls); the container rig
# proves that part against real systemd.
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
RIG_EXIT_HOOKS+=(mdb_kill_all)

ROWS=${FERRY_TEST_ROWS:-200000}

PASSWORD="Adm1n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$PASSWORD" > "$RIG/password"; chmod 600 "$RIG/password"
printf 'wrong-%s' "$RANDOM" > "$RIG/wrong"; chmod 600 "$RIG/wrong"

# Free loopback addresses (other rigs may run on this machine at once).
SRC_ADDR=$(mdb_pick_address 127.0.0.2 127.0.0.12 127.0.0.22) || rig_fail "no free address"
TGT_ADDR=$(mdb_pick_address 127.0.0.3 127.0.0.13 127.0.0.23 | grep -vx "$SRC_ADDR") || rig_fail "no free address"
rig_log "source $SRC_ADDR, target $TGT_ADDR"

rig_start_bus
"$BUILD/tests/integration/systemd-double" --record="$RIG/restarts.log" >"$RIG/systemd-double.log" 2>&1 &
RIG_PIDS+=($!)
rig_wait_for 10 busctl --system status org.freedesktop.systemd1 --no-pager || rig_fail "systemd double"

app_make source "$SRC_ADDR" yes active
app_make target "$TGT_ADDR" no
app_fill_logs source 8
app_start_mariadb_tls source
app_start_mariadb target
python3 "$SRC/tests/rig/gen_dataset.py" --socket "$RIG/source/db/mysqld.sock" --rows "$ROWS" \
    >"$RIG/gen.log" 2>&1 || rig_fail "dataset generation failed"
app_start_peer source "$RIG/password"
rig_start_ferryd target

cp -a "$RIG/target/settings" "$RIG/target-settings-before"
cp -a "$RIG/source/settings" "$RIG/source-settings-before"
cp "$RIG/source/license.conf" "$RIG/source-license-before"
app_table_sums source > "$RIG/sums-source"
app_objects source > "$RIG/objects-source"

# --- Source step: a wrong password changes nothing on either side ----------
snapshot() { (cd "$RIG" && find source/settings source/license.conf target/settings target/state -type f -exec sha256sum {} + | sort); }
snapshot > "$RIG/snap-before"
out=$("$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/wrong" 2>&1); rc=$?
check "wrong password: exit 3" [ $rc -eq 3 ]
check "wrong password: AuthenticationFailed in words" grep -qi "password" <<<"$out"
snapshot > "$RIG/snap-after"
check "wrong password changed nothing" cmp -s "$RIG/snap-before" "$RIG/snap-after"

# --- The expected certificate (issue 14 defect 8) ---------------------------
# The fingerprint as the source shows it: SHA-256 of the public key of its
# certificate, in ssh's form.
FP="SHA256:$(openssl x509 -in "$RIG/source/certs/server.pem" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64 | tr -d '=')"
WRONG_FP="SHA256:$(head -c 32 /dev/urandom | base64 | tr -d '=')"
logins() { grep -c "POST /ferry/v1/login from" "$RIG/peer-source.log"; }
before=$(logins)
out=$("$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" --fingerprint="$WRONG_FP" 2>&1); rc=$?
check "a wrong --fingerprint: exit 3" [ $rc -eq 3 ]
check "... CertificateMismatch showing both fingerprints: $(head -c 300 <<<"$out")" \
    sh -c "grep -q 'presented the certificate $FP, not the expected $WRONG_FP' <<'OUT'
$out
OUT"
check "... and the source saw no login attempt ($before before, $(logins) after)" [ "$(logins)" = "$before" ]
check "... ferryd's state says idle (not probed)" \
    [ "$(busctl --system get-property org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 State)" = 's "idle"' ]

# --- Source Info -----------------------------------------------------------
"$FERRYCTL" --json=short probe "$SRC_ADDR" --password-file="$RIG/password" --fingerprint="$FP" > "$RIG/probe.json" 2>"$RIG/probe.err"
check "probe with the right --fingerprint succeeded" [ $? -eq 0 ]
check "Source Info: the certificate presented is the expected one" \
    python3 -c "import json,sys; d=json.load(open('$RIG/probe.json')); sys.exit(d['CertificateSha256'] != 'sha256//' + '$FP'[7:] + '=')"
py() { python3 -c "import json,sys; d=json.load(open('$RIG/probe.json')); $1"; }
check "Source Info: HostName source" py "sys.exit(d.get('HostName')!='source')"
check "Source Info: standalone message" py "sys.exit(d.get('Message')!='The system is a standalone type')"
check "Source Info: Address" py "sys.exit(d.get('Address')!='$SRC_ADDR')"
check "Source Info: license GUID" py "sys.exit(d.get('LicenseGuid','')=='' )"

# What an interrupted copy-syslog leaves: a partial file that is a true
# prefix of its log (resumed after its last whole 4 KiB block), and one that
# is damaged (it fails the digest check and is fetched again whole).
head -c 100000 "$RIG/source/logs/traffic.log.1" > "$RIG/target/logs/traffic.log.1.ferry-part"
head -c 300000 /dev/urandom > "$RIG/target/logs/traffic.log.2.ferry-part"
# Issue 14 defect 6: the log directory belongs to an unprivileged user on
# the appliance, who plants a symlink to a file root must not overwrite (a
# stand-in for the journal or the license), a FIFO (which hung the step)
# and, under a final name, a symlink to a second such file.
printf 'canary: the journal\n' > "$RIG/canary-journal"
printf 'canary: the license\n' > "$RIG/canary-license"
cp "$RIG/canary-journal" "$RIG/canary-journal.orig"; cp "$RIG/canary-license" "$RIG/canary-license.orig"
ln -s "$RIG/canary-journal" "$RIG/target/logs/traffic.log.3.ferry-part"
mkfifo "$RIG/target/logs/traffic.log.ferry-part"
ln -s "$RIG/canary-license" "$RIG/target/logs/traffic.log.3"

# --- Options, plan, execute, watch -----------------------------------------
"$FERRYCTL" plan --license --logs > "$RIG/plan.txt" 2>&1
check "plan with license and logs" [ $? -eq 0 ]
# The hotspot's unavailable time (core/outage.cpp): the window of the
# estimate from maintenance to the restarted services, the data copy in it.
check "plan: the unavailable time, with the data copy inside it ($(grep -o 'Guests cannot log in for about [^,]*' "$RIG/plan.txt"))" \
    sh -c "grep -q 'Unavailable time: Guests cannot log in for about [0-9].* of the job' '$RIG/plan.txt' &&
           grep -q 'Inside it: .*Copy data [0-9]' '$RIG/plan.txt' && grep -q 'grows with the data' '$RIG/plan.txt'"
# The temporary MariaDB account's grants while it exists (the last look
# before it is dropped), sampled on the source as root.
( seen=0
  for i in $(seq 6000); do
      u=$(mdb_sql source "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User RLIKE '^ferry_[0-9a-f]{16}\$' LIMIT 1")
      if [ -n "$u" ]; then
          mdb_sql source "SHOW GRANTS FOR '${u%@*}'@'${u#*@}'" > "$RIG/grants.tmp" 2>/dev/null &&
              [ -s "$RIG/grants.tmp" ] && mv "$RIG/grants.tmp" "$RIG/grants-during-copy" && seen=1
      elif [ $seen = 1 ]; then
          break
      fi
      sleep 0.05
  done ) &
GRANTS_PID=$!
"$FERRYCTL" start --license --logs --yes --no-ask-password > "$RIG/start.txt" 2>&1
check "start" [ $? -eq 0 ]
# The process list, sampled while the job runs: the password must never be
# in any process's arguments or environment shown there.
( for i in $(seq 600); do ps -eo pid,args >> "$RIG/ps.log"; sleep 0.1; done ) &
PS_PID=$!
# Bounded: a step that hangs (a FIFO opened for writing) fails the test
# instead of the suite's timeout.
timeout 600 "$FERRYCTL" watch > "$RIG/watch.txt" 2>&1; rc=$?
kill $PS_PID 2>/dev/null; wait $PS_PID 2>/dev/null
check "watch ended with success (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || { cat "$RIG/watch.txt" >&2; }

# --- Verification ----------------------------------------------------------
app_table_sums target > "$RIG/sums-target"
check "every table: same row count and checksum ($(wc -l < "$RIG/sums-source") tables)" \
    cmp -s "$RIG/sums-source" "$RIG/sums-target"
app_objects target > "$RIG/objects-target"
check_same_objects "source and target" "$RIG/objects-source" "$RIG/objects-target"
for s in "${APP_BASIC[@]}"; do
    check "basic section $s equals the source's" cmp -s "$RIG/source-settings-before/$s.conf" "$RIG/target/settings/$s.conf"
done
for s in "${APP_EXCLUDED[@]}"; do
    check "excluded section $s untouched on the target" cmp -s "$RIG/target-settings-before/$s.conf" "$RIG/target/settings/$s.conf"
done
for f in "$RIG"/source/logs/*; do
    check "log $(basename "$f") byte-identical" cmp -s "$f" "$RIG/target/logs/$(basename "$f")"
done
check "a partial log resumed after its kept prefix (98304 of 100000 bytes)" \
    grep -q "Log traffic.log.1: 98304 bytes already here, resuming after them." "$RIG/ferryd-target.log"
check "a damaged partial log failed its digest and was fetched again whole" \
    grep -q "Log traffic.log.2 does not match the source's digest; fetching it again whole." "$RIG/ferryd-target.log"
check "no partial log file left" sh -c "! ls '$RIG'/target/logs/*.ferry-part 2>/dev/null | grep -q ."
check "a planted symlink part file was not followed: its target is untouched" \
    cmp -s "$RIG/canary-journal" "$RIG/canary-journal.orig"
check "a planted symlink under a final log name was replaced, not followed" \
    sh -c "cmp -s '$RIG/canary-license' '$RIG/canary-license.orig' && [ ! -L '$RIG/target/logs/traffic.log.3' ]"
check "the planted symlink and FIFO were named in ferryd's log" \
    sh -c "grep -q 'traffic.log.3.ferry-part was a symbolic link' '$RIG/ferryd-target.log' &&
           grep -q 'traffic.log.ferry-part was a FIFO' '$RIG/ferryd-target.log'"
check "certificate moved" cmp -s "$RIG/source/certs/server.pem" "$RIG/target/certs/server.pem"
check "license installed on the target" grep -q "^Guid=$(sed -n 's/^Guid=//p' "$RIG/source-license-before")" "$RIG/target/license.conf"
check "license released on the source" grep -q '^State=released' "$RIG/source/license.conf"
check "services restarted through systemd's API" grep -q 'RestartUnit hotspot-portal.service replace' "$RIG/restarts.log"
check "temporary MariaDB account gone" [ -z "$(mdb_sql source "SELECT user FROM mysql.user WHERE user LIKE 'ferry%'")" ]
kill $GRANTS_PID 2>/dev/null; wait $GRANTS_PID 2>/dev/null
# Exactly what the copy needs (peer/database.cpp says why each one), for
# one host: the address ferryd's requests come from (here 127.0.0.1, as
# ferryd does not bind its client sockets), never '%'.
host=$(grep -o -m1 '@`[^`]*`' "$RIG/grants-during-copy" 2>/dev/null | tr -d '@`')
one_host() { [ -n "$host" ] && [ "$host" != % ]; }
check "the temporary account is limited to one address (${host:-none})" one_host
sed -E "s/ferry_[0-9a-f]{16}/USER/g; s/PASSWORD '[^']*'/PASSWORD 'HASH'/" "$RIG/grants-during-copy" 2>/dev/null | sort > "$RIG/grants-seen"
sort > "$RIG/grants-expected" <<GRANTS
GRANT RELOAD ON *.* TO \`USER\`@\`$host\` IDENTIFIED BY PASSWORD 'HASH' REQUIRE SSL
GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON \`hotspot\`.* TO \`USER\`@\`$host\`
GRANT SELECT ON \`mysql\`.\`proc\` TO \`USER\`@\`$host\`
GRANTS
if cmp -s "$RIG/grants-seen" "$RIG/grants-expected"; then
    check "the temporary account's grants during the copy: exactly RELOAD, mysql.proc SELECT, and SELECT, SHOW VIEW, EVENT, TRIGGER on hotspot" true
else
    diff "$RIG/grants-expected" "$RIG/grants-seen" >&2
    check "the temporary account's grants during the copy: exactly the expected list" false
fi
# Dropped as soon as the copy was verified: before operation 5 (its
# POST /migrated), not at the end of the job.
drop_line=$(grep -n "Dropped the temporary MariaDB account" "$RIG/peer-source.log" | head -1 | cut -d: -f1)
migrated_line=$(grep -n "Recorded the migration to" "$RIG/peer-source.log" | head -1 | cut -d: -f1)
dropped_before() { [ -n "$drop_line" ] && [ -n "$migrated_line" ] && [ "$drop_line" -lt "$migrated_line" ]; }
check "the account was dropped after copy-data, before modify-source (peer log lines ${drop_line:-none} < ${migrated_line:-none})" \
    dropped_before
check "target binlog got no row events from the load" \
    [ "$(mdb_sql target "SHOW BINLOG EVENTS" | grep -c -E 'Write_rows|Table_map')" -eq 0 ]
grep -rqF --exclude=password -e "$PASSWORD" "$RIG"; rc=$?
check "the password is nowhere under the rig (grep exit $rc)" [ $rc -eq 1 ]
"$FERRYCTL" status > "$RIG/status.txt"
check "job succeeded" grep -q "succeeded" "$RIG/status.txt"
check "progress bars reached every operation" grep -q "Final operations" "$RIG/watch.txt"
check "ps sampled ($(grep -c . "$RIG/ps.log") lines) and the password is not in it" \
    sh -c "[ -s '$RIG/ps.log' ] && ! grep -qF -e '$PASSWORD' '$RIG/ps.log'"
check "the source is in maintenance" grep -rqs . "$RIG/source/maintenance"
check "the source recorded the migration" grep -qs "$TGT_ADDR" "$RIG/source/migrated.conf"

# --- The migration report (issue 17) -----------------------------------------
# Written on a worker when the job ended; bounded wait for it.
for i in $(seq 100); do
    "$FERRYCTL" --json=short report > "$RIG/report.json" 2>"$RIG/report.err" && break
    sleep 0.2
done
check "ferryctl report --json answered" [ -s "$RIG/report.json" ]
"$FERRYCTL" report > "$RIG/report.txt" 2>&1
check "ferryctl report (text) names the job's state" grep -q "^Migration report, job [0-9a-f]*: succeeded" "$RIG/report.txt"
# Every table of the source, with the row count and CHECKSUM TABLE that the
# test computed on the source before the job (app_table_sums: "t rows crc
# checksum"; "-" where generated columns make CHECKSUM TABLE differ).
python3 "$SRC/tests/lib/report_tables.py" "$RIG/report.json" source="$RIG/sums-source" target="$RIG/sums-target" > "$RIG/report-check.txt" 2>&1
rc=$?
check "the report lists every table with the row count and checksum of both sides ($(tail -1 "$RIG/report-check.txt"))" \
    [ $rc -eq 0 ]
py_report() { python3 -c "import json,sys; r=json.load(open('$RIG/report.json')); $1"; }
check "report: the source's identity and the pinned certificate" \
    py_report "sys.exit(not (r['source']['address']=='$SRC_ADDR' and r['source']['host_name']=='source' and r['source']['certificate_sha256'].startswith('sha256//')))"
check "report: every operation that ran has its time" \
    py_report "sys.exit(not (len(r['operations'])>=8 and all(o['state']=='done' and o['seconds']>=0 for o in r['operations']) and any(o['id']=='copy-data' and o['seconds']>0 for o in r['operations'])))"
# The log files with their digests, equal to the source's files.
( cd "$RIG/source/logs" && sha256sum traffic.log* | sort -k2 ) > "$RIG/logs-source.sha"
py_report "print('\n'.join(f\"{f['sha256']}  {f['name']}\" for f in sorted(r['logs'], key=lambda f: f['name'])))" > "$RIG/logs-report.sha"
check "report: the log files with the source's digests ($(wc -l < "$RIG/logs-report.sha") files)" \
    cmp -s "$RIG/logs-source.sha" "$RIG/logs-report.sha"
check "report: the basic settings sections from the source, the license migrated" \
    py_report "s={x['section']:x for x in r['settings']}; sys.exit(not (s['general']['from_source'] and not s['network']['from_source'] and r['license']['migrated'] and r['license']['guid']))"
check "report: the certificates with digests" py_report "sys.exit(not any(c['name']=='server.pem' and len(c['sha256'])==64 for c in r['certificates']))"
check "report files in the state directory (0600)" \
    sh -c "[ \"\$(stat -c %a '$RIG'/target/state/report-*.json)\" = 600 ]"

# --- Rate limit: ten wrong passwords in a row --------------------------------
"$FERRYCTL" acknowledge > /dev/null 2>&1
check "acknowledged" [ $? -eq 0 ]
limited=0; failed=0
for i in $(seq 10); do
    out=$("$FERRYCTL" --json=short probe "$SRC_ADDR" --password-file="$RIG/wrong" 2>&1)
    grep -q "RateLimited" <<<"$out" && limited=$((limited + 1))
    grep -q "AuthenticationFailed" <<<"$out" && failed=$((failed + 1))
done
check "10 wrong passwords: $failed refused, then $limited rate-limited" [ $failed -ge 1 ] && [ $limited -ge 5 ]
out=$("$FERRYCTL" --json=short probe "$SRC_ADDR" --password-file="$RIG/password" 2>&1)
check "while rate-limited even the right password is refused" grep -q "RateLimited" <<<"$out"

[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: standalone migration"
