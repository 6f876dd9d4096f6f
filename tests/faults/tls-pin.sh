#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The trust of port 3306 (issue 14, defect 1; docs/faults.md). The source's
# services listen on SRC_REAL; the target reaches 80/443 through
# tcp_proxy.py and 3306 through tests/faults/mysql_tls_mitm.py, a man in
# the middle of MariaDB's protocol:
#
#   T1 intercept: TLS to the target with ANOTHER certificate, relaying in
#      clear to the real server. The job must fail in copy-data with
#      CertificateMismatch before the account logs in (the proxy relays no
#      byte of the server's answers after the handshake), and nothing is
#      loaded on the target.
#   T2 strip: the server's TLS capability removed from its greeting (a
#      downgrade). Resume: fails with TlsRequired, nothing loaded.
#   T3 the honest path (plain forwarding): Resume completes the migration,
#      verified (tables, every object and definition).
#   T4 a source MariaDB without TLS at all: a new job fails in copy-data
#      with TlsRequired (ferry-peer refuses to hand out an account it cannot
#      name a certificate for), nothing loaded.
#
#   tls-pin.sh SOURCE_ROOT BUILD_DIR
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
FERRY_FAULT_ROWS=${FERRY_FAULT_ROWS:-20000}
FERRY_FAULT_LOG_MB=${FERRY_FAULT_LOG_MB:-4}
FAULT_PROXY_PORTS="80 443"
source "$SRC/tests/faults/lib.sh"
fault_need_root
RIG_EXIT_HOOKS+=(mdb_kill_all)
MITM="$SRC/tests/faults/mysql_tls_mitm.py"

fault_rig --proxy
app_objects source > "$RIG/objects-source"

# The attacker's certificate: self-signed like the appliance's, other key.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=source.example.test" \
    -keyout "$RIG/mitm.key" -out "$RIG/mitm.pem" >/dev/null 2>&1 || rig_fail "openssl"

MITM_PID=
mitm() {
    [ -n "$MITM_PID" ] && { kill "$MITM_PID" 2>/dev/null; wait "$MITM_PID" 2>/dev/null; }
    : > "$RIG/mitm.log"
    python3 "$MITM" --listen "$SRC_ADDR:3306" --upstream "$SRC_REAL:3306" --bind "$TGT_ADDR" --mode "$1" \
        --cert "$RIG/mitm.pem" --key "$RIG/mitm.key" --log "$RIG/mitm.log" &
    MITM_PID=$!
    RIG_PIDS+=($MITM_PID)
    rig_wait_for 10 grep -q "^ready $1" "$RIG/mitm.log" || rig_fail "mysql_tls_mitm did not start"
}
nothing_loaded() {
    [ -z "$(mdb_sql target "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='hotspot'")" ]
}
expect_failure() {
    local label=$1 code=$2 err
    err=$(fault_error)
    check "$label: the job failed (state $END_STATE)" [ "$END_STATE" = failed ]
    check "$label: $code in copy-data ($(cut -c1-200 <<<"$err"))" grep -q "^org.ferry.Migration1.Error.$code|copy-data|" <<<"$err"
    check "$label: nothing loaded on the target (no hotspot schema)" nothing_loaded
}

# --- T1 --------------------------------------------------------------------------
mitm intercept
fault_probe_start
fault_wait_end 300
expect_failure "T1 TLS interception with another certificate" CertificateMismatch
check "T1: the proxy got TLS handshakes from ferryd ($(grep -c '^conn' "$RIG/mitm.log") connection(s))" \
    grep -q "^conn mode=intercept" "$RIG/mitm.log"
check "T1: not one byte of the server's answers reached ferryd after the handshake" \
    sh -c "! grep '^conn' '$RIG/mitm.log' | grep -v 'server_bytes_to_client=0 ' | grep -q tls_with_client=yes"

# --- T2 --------------------------------------------------------------------------
mitm strip
"$FERRYCTL" resume >"$RIG/resume.out" 2>&1 || bad "resume: $(cat "$RIG/resume.out")"
fault_wait_end 300
expect_failure "T2 TLS stripped from the server's greeting" TlsRequired

# --- T3 --------------------------------------------------------------------------
mitm pass
"$FERRYCTL" resume >"$RIG/resume.out" 2>&1 || bad "resume: $(cat "$RIG/resume.out")"
fault_wait_end 600
check "T3 honest path: the resumed job succeeded ($END_STATE)" [ "$END_STATE" = succeeded ]
fault_verify "T3"
app_objects target > "$RIG/objects-target"
check_same_objects "T3" "$RIG/objects-source" "$RIG/objects-target"

# --- T4 --------------------------------------------------------------------------
fault_reset
mdb_stop source
app_start_mariadb source # no certificate: no TLS
check "T4: the source's MariaDB has no TLS now" [ "$(mdb_sql source 'SELECT @@have_ssl')" != YES ]
fault_probe_start
fault_wait_end 300
expect_failure "T4 a source MariaDB without TLS" TlsRequired

[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: port 3306 is TLS with the source's own certificate, or nothing"
