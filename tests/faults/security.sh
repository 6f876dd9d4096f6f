#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Security checks (docs/faults.md), on the real parts:
#
#   S1 the Admin password is in no file (the rig: both appliances, ferryd's
#      state directory and job journal, every log), in no process's
#      arguments or environment sampled during Probe and the job;
#   S2 the peer API refuses every resource without a valid token; the job's
#      token works while the job runs and is refused after it;
#   S3 no temporary MariaDB account is left after a migration, nor after a
#      failed job that was acknowledged;
#   S4 ferryd's state directory is 0700 and its files 0600, during the job
#      and after it; ferry-peer's state directory likewise;
#   S5 TLS pinning: the source's certificate swapped after Probe (ferry-peer
#      restarted with another key) makes Start's first request fail with a
#      named error before any request reaches the impostor, and nothing is
#      applied on either side.
#
#   security.sh SOURCE_ROOT BUILD_DIR
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
FERRY_FAULT_ROWS=${FERRY_FAULT_ROWS:-40000}
FERRY_FAULT_LOG_MB=${FERRY_FAULT_LOG_MB:-8}
source "$SRC/tests/faults/lib.sh"
fault_need_root
RIG_EXIT_HOOKS+=(mdb_kill_all)
# Outside the rig: what the checks themselves read (tokens, ps samples).
SCRATCH=$(mktemp -d /tmp/ferry-security.XXXXXX)
RIG_EXIT_HOOKS+=("rm -rf $SCRATCH")

fault_rig
BASE="https://$SRC_ADDR"
temp_accounts() { mdb_sql source "SELECT CONCAT(user, '@', host) FROM mysql.user WHERE user RLIKE '^ferry_[0-9a-f]{16}\$'"; }
# Modes under a directory that are not 0700 (directories) or 0600 (files).
bad_modes() { find "$1" \( -type d ! -perm 700 \) -o \( -type f ! -perm 600 \) -printf '%p %m\n'; }
job_token() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"]["token"])' "$RIG/target/state/job.json"; }
# The address ferryd talks to the peer from (its token is bound to it).
ferryd_client() { sed -n 's/.*Login from \([0-9.]*\)\..*/\1/p' "$RIG/peer-source.log" | tail -n 1; }

# --- the process list, sampled while Probe and the job run --------------------
( for i in $(seq 400); do
      ps -eww -o pid=,args= >> "$SCRATCH/ps.log" 2>/dev/null
      cat /proc/[0-9]*/environ 2>/dev/null | tr '\0' '\n' >> "$SCRATCH/environ.log"
      sleep 0.05
  done ) &
SAMPLER=$!

# --- S2/S4 during the job: the job's token and the modes, at copy-data ------
cat > "$SCRATCH/during.sh" <<SH
#!/bin/sh
# Run by the fault driver while copy-data runs.
t=\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"]["token"])' "$RIG/target/state/job.json")
c=\$(sed -n 's/.*Login from \([0-9.]*\)\..*/\1/p' "$RIG/peer-source.log" | tail -n 1)
curl -s -k -o /dev/null -w '%{http_code}' --interface "\$c" -H "Authorization: Bearer \$t" "$BASE/ferry/v1/describe" > "$SCRATCH/token-during"
find "$RIG/target/state" \( -type d ! -perm 700 \) -o \( -type f ! -perm 600 \) -printf '%p %m\n' > "$SCRATCH/modes-during"
ls -la "$RIG/target/state" > "$SCRATCH/state-listing"
SH
chmod +x "$SCRATCH/during.sh"
rm -f "$RIG/ready"
python3 "$DRIVER" fire --op copy-data --fraction 0.1 --timeout 120 --ready "$RIG/ready" \
    --exec "$SCRATCH/during.sh" > "$SCRATCH/fire.out" &
FIRE=$!
rig_wait_for 10 test -e "$RIG/ready" || rig_fail "the waiter did not subscribe"
fault_probe_start
wait $FIRE
fault_wait_end 300
kill $SAMPLER 2>/dev/null; wait $SAMPLER 2>/dev/null
check "the migration succeeded ($END_STATE)" [ "$END_STATE" = succeeded ]
fault_verify "migration"

rig_log "== S2 tokens"
check "S2: the job's token worked during the job (describe: HTTP $(cat "$SCRATCH/token-during"))" \
    [ "$(cat "$SCRATCH/token-during")" = 200 ]
CLIENT=$(ferryd_client)
TOKEN=$(job_token)
code=$(curl -s -k -o /dev/null -w '%{http_code}' --interface "$CLIENT" -H "Authorization: Bearer $TOKEN" "$BASE/ferry/v1/describe")
check "S2: the job's token is refused after the job (HTTP $code)" [ "$code" = 401 ]
refused=0 total=0
for r in "GET describe" "GET settings" "PUT staged-settings" "POST maintenance" "POST migrated" \
         "POST db-account" "DELETE db-account" "GET db-objects" "GET certificates" "POST license/release" "GET logs" \
         "GET logs/traffic.log" "POST finish" "POST reboot"; do
    total=$((total + 1))
    method=${r%% *} path=${r#* }
    data=(); [ "$method" = GET ] || data=(-H 'Content-Type: application/json' --data-binary '{}')
    code=$(curl -s -k -o "$SCRATCH/body" -w '%{http_code}' --interface "$TGT_ADDR" -X "$method" \
        "${data[@]}" "$BASE/ferry/v1/$path")
    if [ "$code" = 401 ] && grep -q InvalidToken "$SCRATCH/body"; then refused=$((refused + 1))
    else bad "S2: ${r} without a token: HTTP $code $(head -c 100 "$SCRATCH/body")"; fi
done
check "S2: every resource refused without a token ($refused of $total: 401 InvalidToken)" [ $refused -eq $total ]
check "S2: the source's state is untouched by those requests (still released, in maintenance)" \
    grep -q '^State=released' "$RIG/source/license.conf"

rig_log "== S3 temporary MariaDB account"
check "S3: no temporary account after the migration" [ -z "$(temp_accounts)" ]

rig_log "== S4 modes"
check "S4: no wrong mode in ferryd's state directory during the job: $(tr '\n' ' ' < "$SCRATCH/modes-during")" \
    [ ! -s "$SCRATCH/modes-during" -a -s "$SCRATCH/state-listing" ]
m=$(bad_modes "$RIG/target/state")
check "S4: ferryd's state directory 0700, files 0600 after the job ${m}" [ -z "$m" ]
m=$(bad_modes "$RIG/source/peer/state")
check "S4: ferry-peer's state directory 0700, files 0600 ${m}" [ -z "$m" ]

# --- S3 again: a failed job, acknowledged ------------------------------------
rig_log "== S3 a failed job, acknowledged"
fault_reset
rm -f "$RIG/ready"
python3 "$DRIVER" fire --op copy-data --fraction 0.3 --timeout 120 --ready "$RIG/ready" \
    --exec kill -9 "$PEER_PID" > "$SCRATCH/fire.out" &
FIRE=$!
rig_wait_for 10 test -e "$RIG/ready" || rig_fail "the waiter did not subscribe"
fault_probe_start
wait $FIRE
{ wait "$PEER_PID"; } 2>/dev/null
had=$(temp_accounts)
fault_wait_end 300
# copy-data goes on without the peer; the next operation fails.
check "S3: the job failed with the peer down ($END_STATE)" [ "$END_STATE" = failed ]
check "S3: a temporary account existed during the job (${had:-none})" [ -n "$had" ]
fault_start_peer
FAILED_TOKEN=$(job_token)
"$FERRYCTL" acknowledge >/dev/null 2>&1 || bad "acknowledge of the failed job"
code=$(curl -s -k -o /dev/null -w '%{http_code}' --interface "$(ferryd_client)" -H "Authorization: Bearer $FAILED_TOKEN" "$BASE/ferry/v1/describe")
check "S2: the failed job's token is refused after Acknowledge() (HTTP $code)" [ "$code" = 401 ]
left=$(temp_accounts)
if [ -z "$left" ]; then
    ok "S3: no temporary account after Acknowledge() of a failed job"
else
    bad "S3: the temporary account $left is left on the source after Acknowledge() of a failed job"
fi

# --- S5 TLS pinning ----------------------------------------------------------
rig_log "== S5 a swapped certificate"
fault_reset
mdb_sql source "SELECT 1" >/dev/null
"$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" > "$RIG/probe.out" 2>&1 || rig_fail "probe"
cp "$RIG/source/certs/server.pem" "$SCRATCH/server.pem"; cp "$RIG/source/certs/server.key" "$SCRATCH/server.key"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=source.example.test" \
    -keyout "$RIG/source/certs/server.key" -out "$RIG/source/certs/server.pem" >/dev/null 2>&1 || rig_fail "openssl"
fault_kill_peer
fault_start_peer
lines_before=$(wc -l < "$RIG/peer-source.log")
snap() { (cd "$RIG" && find source/settings source/license.conf target/settings target/certs target/logs -type f -exec sha256sum {} + | sort;
          ls source/maintenance source/migrated.conf 2>/dev/null); mdb_sql target "SHOW DATABASES LIKE 'hotspot'"; temp_accounts; }
snap > "$SCRATCH/snap-before"
"$FERRYCTL" start --license --logs --yes --no-ask-password > "$SCRATCH/start.out" 2>&1
JOB=$(grep -o '/org/ferry/Migration1/job/[a-z0-9]*' "$SCRATCH/start.out")
fault_wait_end 120
check "S5: the job failed ($END_STATE)" [ "$END_STATE" = failed ]
fault_expect_named_error "S5"
[ "$ERR_CODE" = org.ferry.Migration1.Error.IncompatibleSource ] && [ "$ERR_OP" = copy-settings ] &&
    grep -q certificate <<<"$ERR_TEXT" && ok "S5: IncompatibleSource in copy-settings, naming the certificate" ||
    bad "S5: expected IncompatibleSource in copy-settings naming the certificate: $ERR_CODE $ERR_OP $ERR_TEXT"
snap > "$SCRATCH/snap-after"
check "S5: nothing applied on either side" cmp -s "$SCRATCH/snap-before" "$SCRATCH/snap-after"
new_requests=$(tail -n +$((lines_before + 1)) "$RIG/peer-source.log" | grep -c ' /ferry/v1/')
check "S5: no request reached the impostor ($new_requests)" [ "$new_requests" -eq 0 ]
"$FERRYCTL" acknowledge >/dev/null 2>&1 || bad "acknowledge after S5"
cp "$SCRATCH/server.pem" "$RIG/source/certs/server.pem"; cp "$SCRATCH/server.key" "$RIG/source/certs/server.key"

# --- S1 the password, last (every log written by now) ------------------------
rig_log "== S1 the password"
hits=$(grep -rlaF --exclude=password -e "$PASSWORD" "$RIG" 2>/dev/null)
check "S1: the password is in no file under the rig (both appliances, state, journal, logs): ${hits:-none}" [ -z "$hits" ]
check "S1: the job journal never held it" sh -c "! grep -qF -e '$PASSWORD' '$RIG/target/state/'* 2>/dev/null"
n=$(wc -l < "$SCRATCH/ps.log")
check "S1: not in $n sampled process arguments" sh -c "[ $n -gt 0 ] && ! grep -qF -e '$PASSWORD' '$SCRATCH/ps.log'"
n=$(wc -l < "$SCRATCH/environ.log")
check "S1: not in $n sampled environment entries" sh -c "[ $n -gt 0 ] && ! grep -qF -e '$PASSWORD' '$SCRATCH/environ.log'"
if [ -d /var/log/journal ] || [ -d /run/log/journal ]; then
    jh=$(grep -rlaF -e "$PASSWORD" /var/log/journal /run/log/journal 2>/dev/null)
    check "S1: not in the systemd journal files: ${jh:-none}" [ -z "$jh" ]
else
    rig_log "S1: no systemd journal on this machine (ferryd and ferry-peer log to the rig's files, checked above)"
fi

[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: security checks"
