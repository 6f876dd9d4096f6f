#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The peer API (docs/peer-api.md) of the real ferry-peer on a source
# appliance made of files, with a real mariadbd (tests/rig/mariadb.sh),
# driven with curl from the "target" address 127.0.0.3:
#
#   a. TLS: the certificate verifies (--cacert) and pins (--pinnedpubkey);
#      a wrong pin and TLS 1.1 are refused;
#   b. login: right password -> token (64 hex, expires_in 3600, protocol 3);
#      wrong password -> 401 AuthenticationFailed; malformed -> 400; no,
#      bad or another address's token -> 401 InvalidToken; after 5
#      failures from one address the 6th attempt (even with the right
#      password) -> 429 RateLimited, other addresses unaffected;
#   c. describe: every field, against the files and MariaDB; HA facts from
#      the replication section;
#   d. settings: all sections (the 7 excluded ones too) equal the files;
#   e. maintenance on/off reflected on disk (idempotent);
#   f. staged settings written as a whole set, held back (no boot applies
#      them), invalid names refused; applied by --apply-staged at the end
#      once handed over;
#   g. license release: State=released on disk, the active license
#      returned, a retry answers the same, another target gets 409;
#   h. certificates: the .pem files;
#   i. logs: names and sizes listed; logs/NAME/sha256 equal to sha256sum;
#   j. Range: a download cut short and resumed with curl -C - is byte-
#      identical; 206/Content-Range, 416 beyond the end, If-Range;
#   k. path traversal (..%2F, %2e%2e, a symlink, /) -> 404; a body over
#      8 MiB -> 413;
#   l. migrated record; without Swap the source stays in maintenance and
#      its Services= are stopped and masked (a systemd double on a private
#      bus records the D-Bus calls: StopUnit, MaskUnitFiles, Reload); with
#      Swap they are left alone;
#   m. temporary MariaDB account: created for the target address only,
#      with the documented grants, REQUIRE SSL; works from the target over
#      TLS, refused from elsewhere or without TLS; recreated, dropped by
#      DELETE (a non-temporary ferry_admin survives), never in the binlog;
#   n. finish drops the accounts and revokes the token;
#   o. the port-80 redirect answers 301 to https://HOST:PORT/;
#   p. socket activation (systemd-socket-activate, FileDescriptorName=https),
#      that instance with RequireTLS=no: "tls": false, a plain login works;
#   q. the units: systemd-analyze verify and security (offline);
#   b'. 4200 addresses each send a wrong password; the right one from an
#      unused address then logs in within 4 s (issue 14 defect 7);
#   r. neither the Admin password, nor a token, nor the temporary MariaDB
#      password appears in any file or log under the rig.
#
#   peer.sh SOURCE_ROOT BUILD_DIR
#
# Every check is run and reported ("ok: ..." / "FAIL: ..."); exit 1 if any
# failed, 77 (skip) when a needed tool is missing. Runs as root (port 80,
# mariadbd --user=root); traffic stays on 127.0.0.0/8.

set -u
set -o pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2
    exit 1
fi
for tool in curl openssl python3 sha256sum cmp mariadbd mariadb-install-db mariadb dbus-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found (tools/deps installs it)" >&2
        exit 77
    fi
done
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: peer.sh binds port 80 and runs mariadbd as root; run it as root" >&2
    exit 77
fi
unset JOURNAL_STREAM
export LC_ALL=C.UTF-8 SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat SYSTEMD_LOG_COLOR=0

SRC=$(cd "$1" && pwd) || exit 1
BUILD=$(cd "$2" && pwd) || exit 1
PEER=$BUILD/peer/ferry-peer
DBLOGIN=$BUILD/peer/db-login
UNITS_DOUBLE=$BUILD/peer/units-double
for f in "$PEER" "$DBLOGIN" "$UNITS_DOUBLE"; do
    [ -x "$f" ] || { echo "FAIL: $f is not built (ninja -C $BUILD)" >&2; exit 1; }
done
[ -f "$SRC/tests/rig/mariadb.sh" ] || { echo "FAIL: tests/rig/mariadb.sh is missing" >&2; exit 1; }
# shellcheck source=../rig/mariadb.sh
source "$SRC/tests/rig/mariadb.sh"

RIG=$(mktemp -d /tmp/ferry-peer-rig.XXXXXX) || exit 1
# Answers (which carry tokens and passwords) live outside $RIG, so that
# the secret scan of $RIG (r.) looks only at what ferry-peer and MariaDB
# wrote.
SCRATCH=$(mktemp -d /tmp/ferry-peer-scratch.XXXXXX) || exit 1
chmod 755 "$RIG"
PIDS=()
cleanup() {
    local rc=$?
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    mdb_kill_all
    if [ $rc -ne 0 ]; then
        for f in "$RIG"/*.log "$RIG"/db/mysqld.log; do
            [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
        done >&2
    fi
    [ -z "${RIG_KEEP:-}" ] && rm -rf "$RIG"
    rm -rf "$SCRATCH"
    exit $rc
}
trap cleanup EXIT

# ---------------------------------------------------------------- reporting
PASSED=0
FAILED=()
ok() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
bad() { FAILED+=("$*"); echo "FAIL: $*"; }
section() { echo; echo "== $*"; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------- addresses
port_free() { ! timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
HTTPS_PORT=8443
ACTIVATED_PORT=8444
REDIRECT_PORT=80
pick_source_address() {
    local a i
    for a in 127.0.0.2 $(for i in $(seq 1 40); do echo "127.0.$((RANDOM % 200 + 20)).$((RANDOM % 200 + 20))"; done); do
        mdb_address_free "$a" && port_free "$a" $HTTPS_PORT && port_free "$a" $ACTIVATED_PORT &&
            port_free "$a" $REDIRECT_PORT && { echo "$a"; return 0; }
    done
    return 1
}
SRC_ADDR=$(pick_source_address) || { echo "FAIL: no free loopback address for the source" >&2; exit 1; }
CLIENT=127.0.0.3   # the target
OTHER=127.0.0.4    # another system
ATTACKER=127.0.0.5 # guesses passwords
BASE="https://$SRC_ADDR:$HTTPS_PORT"
log "source at $SRC_ADDR (HTTPS $HTTPS_PORT, redirect $REDIRECT_PORT, MariaDB 3306), target $CLIENT"

# ---------------------------------------------------------------- the source
S=$RIG/source
mkdir -p "$S/settings" "$S/certs" "$S/logs" "$RIG/tls"
CERT=$RIG/tls/cert.pem
KEY=$RIG/tls/key.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$KEY" -out "$CERT" -subj "/CN=ferry-source" \
    -addext "subjectAltName=IP:$SRC_ADDR" >"$RIG/openssl.log" 2>&1 \
    || { echo "FAIL: openssl could not make a certificate" >&2; exit 1; }
PIN="sha256//$(openssl x509 -in "$CERT" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)"

declare -A SECTIONS=(
    [network]=$'[Network]\nHostName=hs-source\nDomain=example.test\nAddress='"$SRC_ADDR"$'\n'
    [dns]=$'[DNS]\nServers=192.0.2.53\n'
    [webserver]=$'[WebServer]\nPort=443\n'
    [round_robin]=$'[RoundRobin]\nHosts=192.0.2.20 192.0.2.21\n'
    [load_balancing]=$'[LoadBalancing]\nDomain=lb.example.test\n'
    [remote_exchange]=$'[RemoteExchange]\nPeer=192.0.2.30\n'
    [ftp_backup]=$'[FtpBackup]\nServer=ftp.example.test\n'
    [general]=$'[General]\nName=Lobby hotspot\nLanguage=de\n# comment: Gr\xc3\xbc\xc3\x9fe\n'
    [portal]=$'[Portal]\nTitle=Welcome\n'
    [auth]=$'[Auth]\nMethod=voucher\n'
    [smtp]=$'[SMTP]\nServer=mail.example.test\n'
    [time]=$'[Time]\nZone=Europe/Berlin\n'
)
for name in "${!SECTIONS[@]}"; do
    printf '%s' "${SECTIONS[$name]}" >"$S/settings/$name.conf"
done
chmod 0640 "$S/settings/smtp.conf"
CONTRACT_END=$(date -d '+1 year' +%F)
printf '[License]\nGuid=6f1c2a9e-0d4b-4c1e-9a57-3e2f8b7d1c40\nState=active\nContractEnd=%s\n' \
    "$CONTRACT_END" >"$S/license.conf"
cp "$CERT" "$S/certs/portal.pem"
cp "$KEY" "$S/certs/portal-key.pem"
echo "not a certificate" >"$S/certs/README"
# User-traffic logs of a few MB, one compressed-looking, one empty.
python3 - "$S/logs/traffic.log" "$S/logs/traffic.log.1" <<'PY'
import random, sys
for path, lines in ((sys.argv[1], 40000), (sys.argv[2], 20000)):
    rnd = random.Random(path)
    with open(path, "w") as f:
        for i in range(lines):
            f.write(f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d} user{rnd.randrange(10**6)} "
                    f"10.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(256)} "
                    f"GET http://example.test/{rnd.randrange(10**9)} {rnd.randrange(10**7)}\n")
PY
head -c 1500000 /dev/urandom >"$S/logs/traffic.log.2.gz"
: >"$S/logs/empty.log"
ln -s /etc/passwd "$S/logs/passwd"
echo "SECRET-OUTSIDE-THE-LOG-DIRECTORY" >"$S/secret.txt"

ADMIN_PW="Adm1n-pw-$RANDOM$RANDOM-ferry"
printf '%s\n' "$ADMIN_PW" | "$PEER" --hash-password >"$S/admin.hash" 2>"$RIG/hash.log"
if grep -q '^\$y\$' "$S/admin.hash"; then ok "--hash-password prints a yescrypt hash"; else bad "--hash-password: $(cat "$S/admin.hash" "$RIG/hash.log")"; fi
chmod 0600 "$S/admin.hash"

cat >"$S/ferry.conf" <<CONF
[Appliance]
SettingsDirectory=$S/settings
LicenseFile=$S/license.conf
CertificateDirectory=$S/certs
LogDirectory=$S/logs
Databases=hotspot
Services=hotspot-portal.service hotspot-radius.service

[Peer]
StateDirectory=$S/peer-state
AdminPasswordHash=$S/admin.hash
Certificate=$CERT
Key=$KEY

[Database]
Socket=$RIG/db/mysqld.sock
User=root
Port=3306
RequireTLS=yes
CONF

# ---------------------------------------------------------------- MariaDB
mdb_start src "$SRC_ADDR" "$RIG/db" --ssl-cert="$CERT" --ssl-key="$KEY" \
    || { echo "FAIL: mariadbd did not start" >&2; exit 1; }
mdb_sql src "CREATE DATABASE hotspot; USE hotspot; CREATE TABLE hotspot.users (id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO hotspot.users SELECT seq, CONCAT('user', seq) FROM seq_1_to_500;
CREATE DATABASE other; CREATE TABLE other.t (x INT); INSERT INTO other.t VALUES (1);
CREATE USER 'ferry_admin'@'%' IDENTIFIED BY 'keep-me';
ANALYZE TABLE hotspot.users;" >/dev/null || { echo "FAIL: cannot fill the source database" >&2; exit 1; }

# ------------------------------------------- systemd (a double on a private bus)
# ferry-peer stops and masks Services= through systemd's D-Bus API; no
# systemd runs as PID 1 here, so a double answers on a private system bus.
mkdir -p "$RIG/bus"
cat >"$RIG/bus/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=$RIG/bus/socket</listen>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file="$RIG/bus/bus.conf" --nofork --nopidfile >"$RIG/dbus.log" 2>&1 &
PIDS+=($!)
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$RIG/bus/socket"
for _ in $(seq 100); do [ -S "$RIG/bus/socket" ] && break; sleep 0.05; done
UNITS_RECORD=$RIG/units.record
: >"$UNITS_RECORD"
"$UNITS_DOUBLE" --record="$UNITS_RECORD" --unit=hotspot-portal.service \
    --unit=hotspot-radius.service >"$RIG/units-double.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q ready "$RIG/units-double.log" && break; sleep 0.05; done

# ---------------------------------------------------------------- ferry-peer
"$PEER" --config="$S/ferry.conf" --listen="$SRC_ADDR:$HTTPS_PORT" \
    --redirect-listen="$SRC_ADDR:$REDIRECT_PORT" --log-level=debug >"$RIG/peer.log" 2>&1 &
PEER_PID=$!
PIDS+=("$PEER_PID")
for _ in $(seq 100); do
    curl -s -o /dev/null --cacert "$CERT" "$BASE/" && break
    sleep 0.05
done

TOKEN=
CODE=
RESP=
# api METHOD PATH [BODY] [CURL ARGS...]: from $CLIENT with $TOKEN; sets
# CODE (HTTP status), RESP (body) and HEADERS (file). With OUT=FILE the
# body goes to FILE instead (downloads).
HEADERS=$SCRATCH/headers
api() {
    local method=$1 path=$2 data=${3-}
    shift $(($# < 3 ? $# : 3))
    rm -f "$SCRATCH/body"
    local -a args=(-s --path-as-is --cacert "$CERT" --interface "$CLIENT" -X "$method"
                   -o "${OUT:-$SCRATCH/body}" -D "$HEADERS" -w '%{http_code}')
    [ -n "$TOKEN" ] && args+=(-H "Authorization: Bearer $TOKEN")
    if [ -n "$data" ]; then
        args+=(-H 'Content-Type: application/json' --data-binary @-)
        CODE=$(printf '%s' "$data" | curl "${args[@]}" "$@" "$BASE$path")
    else
        CODE=$(curl "${args[@]}" "$@" "$BASE$path")
    fi
    RESP=$(cat "$SCRATCH/body" 2>/dev/null)
}
# j EXPR: a Python expression over the answer `d`.
j() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=eval(sys.argv[2]); print(v if isinstance(v,str) else json.dumps(v))' "$RESP" "$1" 2>/dev/null; }
header() { tr -d '\r' <"$HEADERS" | sed -n "s/^$1: //Ip" | tail -n 1; }
# expect DESCRIPTION STATUS [ERROR NAME]
expect() {
    local desc=$1 want=$2 err=${3-}
    if [ "$CODE" != "$want" ]; then
        bad "$desc: HTTP $CODE, expected $want (${RESP:0:300})"
        return 1
    fi
    if [ -n "$err" ] && [ "$(j 'd.get("error")')" != "$err" ]; then
        bad "$desc: error '$(j 'd.get("error")')', expected $err"
        return 1
    fi
    ok "$desc"
}
login_body() { printf '{"password": "%s"}' "$1"; }
# Runs a python3 check read from stdin; every line it prints is "ok: ..."
# or "FAIL: ...".
pycheck() {
    local out line
    out=$(python3 - "$@" 2>&1)
    while IFS= read -r line; do
        case $line in
        "ok: "*) ok "${line#ok: }" ;;
        "FAIL: "*) bad "${line#FAIL: }" ;;
        "") ;;
        *) bad "python check: $line" ;;
        esac
    done <<<"$out"
}

section "a. TLS"
if curl -s -o /dev/null --cacert "$CERT" "$BASE/"; then ok "the certificate verifies for $SRC_ADDR"; else bad "TLS with --cacert failed"; fi
if curl -s -o /dev/null -k --pinnedpubkey "$PIN" "$BASE/"; then ok "the public key pins ($PIN)"; else bad "pinning failed"; fi
curl -s -o /dev/null -k --pinnedpubkey "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" "$BASE/"
rc=$?
[ $rc = 90 ] && ok "a wrong pin is refused (curl 90)" || bad "a wrong pin: curl exit $rc, expected 90"
if curl -s -o /dev/null --cacert "$CERT" --tls-max 1.1 "$BASE/" 2>/dev/null; then bad "TLS 1.1 accepted"; else ok "TLS 1.1 refused"; fi

section "b. authentication"
api GET /ferry/v1/describe
expect "no token -> 401" 401 InvalidToken
[ "$(header WWW-Authenticate)" = Bearer ] && ok "WWW-Authenticate: Bearer" || bad "no WWW-Authenticate header"
TOKEN=$(printf '%064d' 0)
api GET /ferry/v1/describe
expect "unknown token -> 401" 401 InvalidToken
TOKEN=garbage
api GET /ferry/v1/describe
expect "malformed token -> 401" 401 InvalidToken
TOKEN=
api POST /ferry/v1/login "$(login_body "wrong-$ADMIN_PW")"
expect "wrong password -> 401" 401 AuthenticationFailed
api POST /ferry/v1/login '{"password": 5}'
expect "password of the wrong type -> 400" 400 InvalidArgument
api POST /ferry/v1/login 'not json'
expect "malformed body -> 400" 400 InvalidArgument
api GET /ferry/v1/login
expect "GET /login -> 405" 405
api POST /ferry/v1/login "$(login_body "$ADMIN_PW")"
expect "login" 200
TOKEN=$(j 'd["token"]')
[[ "$TOKEN" =~ ^[0-9a-f]{64}$ ]] && ok "token is 64 hex digits" || bad "token '$TOKEN'"
[ "$(j 'd["expires_in"]')" = 3600 ] && [ "$(j 'd["protocol"]')" = 3 ] \
    && ok "expires_in 3600, protocol 3" || bad "login answer $RESP"
[ "$(header Cache-Control)" = no-store ] && ok "Cache-Control: no-store" || bad "no Cache-Control: no-store"
TOKEN2=$(printf '%s' "$TOKEN")
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERT" --interface "$OTHER" \
    -H "Authorization: Bearer $TOKEN" "$BASE/ferry/v1/describe")
[ "$code" = 401 ] && ok "the token is refused from another address ($OTHER)" || bad "token from $OTHER: HTTP $code"
api GET /ferry/v1/describe
expect "the token works from $CLIENT" 200

attempt() { # ADDRESS PASSWORD -> status
    login_body "$2" | curl -s -o "$SCRATCH/attempt" -D "$SCRATCH/attempt.h" -w '%{http_code}' \
        --cacert "$CERT" --interface "$1" --data-binary @- "$BASE/ferry/v1/login"
}
codes=
for i in 1 2 3 4 5; do codes+="$(attempt "$ATTACKER" "guess-$i") "; done
[ "$codes" = "401 401 401 401 401 " ] && ok "5 wrong passwords from $ATTACKER -> 401 each" || bad "5 wrong passwords: $codes"
code=$(attempt "$ATTACKER" "$ADMIN_PW")
if [ "$code" = 429 ] && grep -q '"error":"RateLimited"' "$SCRATCH/attempt"; then
    ok "6th attempt (right password) -> 429 RateLimited"
else
    bad "6th attempt: HTTP $code $(cat "$SCRATCH/attempt")"
fi
retry=$(tr -d '\r' <"$SCRATCH/attempt.h" | sed -n 's/^Retry-After: //Ip')
[ -n "$retry" ] && [ "$retry" -gt 500 ] && [ "$retry" -le 600 ] \
    && ok "Retry-After: $retry s" || bad "Retry-After '$retry'"
code=$(attempt "$OTHER" "$ADMIN_PW")
[ "$code" = 200 ] && ok "another address still logs in" || bad "login from $OTHER: HTTP $code"

section "c. describe"
api GET /ferry/v1/describe
expect "describe" 200
settings_bytes=$(cat "$S"/settings/*.conf | wc -c)
log_bytes=$(find "$S/logs" -maxdepth 1 -type f -printf '%s\n' | awk '{s += $1} END {print s}')
pycheck "$RESP" "$SRC_ADDR" "$settings_bytes" "$log_bytes" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
want = {"protocol": 3, "license_guid": "6f1c2a9e-0d4b-4c1e-9a57-3e2f8b7d1c40", "licensed": True,
        "maintenance_contract_active": True, "host_name": "hs-source", "domain_name": "example.test",
        "address": sys.argv[2], "server_role": "Main", "high_availability": False,
        "ring_members": [], "dns_advice": [], "dns_revert_advice": [], "main_node": "",
        "settings_bytes": int(sys.argv[3]),
        "log_bytes": int(sys.argv[4]), "databases": ["hotspot"]}
for k, v in want.items():
    print(f"ok: describe {k} = {json.dumps(v)}" if d.get(k) == v else f"FAIL: describe {k} = {json.dumps(d.get(k))}, expected {json.dumps(v)}")
print("ok: describe data_bytes > 0 (from MariaDB)" if isinstance(d.get("data_bytes"), int) and d["data_bytes"] > 0 else f"FAIL: data_bytes {d.get('data_bytes')}")
# The live replication facts of the source's MariaDB (standalone here).
r = d.get("replication", {})
print("ok: describe replication: no replica, binary log on" if r.get("replica_configured") is False and r.get("log_bin") is True and r.get("downstream") == []
      else f"FAIL: describe replication {r}")
# The pre-flight facts: this MariaDB's version and the source's clock.
import re, time
v = d.get("mariadb_version")
print(f"ok: describe mariadb_version {v}" if isinstance(v, str) and re.match(r"^\d+\.\d+\.\d+", v) else f"FAIL: describe mariadb_version {v!r}")
t = d.get("time_usec")
print("ok: describe time_usec is this machine's clock" if isinstance(t, int) and abs(t / 1e6 - time.time()) < 60 else f"FAIL: describe time_usec {t!r}")
# This peer offers the replica account of the copy while the source serves
# (issue 18), and says how long its binary logs are kept.
print("ok: describe replica_account = true" if d.get("replica_account") is True else f"FAIL: describe replica_account {d.get('replica_account')!r}")
print("ok: describe replication binlog_expire_seconds is a number" if isinstance(r.get("binlog_expire_seconds"), int) else f"FAIL: binlog_expire_seconds {r.get('binlog_expire_seconds')!r}")
extra = set(d) - set(want) - {"data_bytes", "replication", "mariadb_version", "time_usec", "replica_account"}
print("ok: describe has exactly the documented fields" if not extra else f"FAIL: undocumented fields {extra}")
PY
printf '[Replication]\nRole=Additional\nRingMembers=%s 192.0.2.11 192.0.2.12\n' "$SRC_ADDR" >"$S/settings/replication.conf"
api GET /ferry/v1/describe
if [ "$(j 'd["high_availability"]')" = true ] && [ "$(j 'd["server_role"]')" = Additional ] &&
    [ "$(j 'len(d["ring_members"])')" = 3 ] && [ "$(j 'len(d["dns_advice"])')" = 3 ] &&
    j 'd["dns_advice"][1]' | grep -q "Remove $SRC_ADDR from the load-balancing domain lb.example.test"; then
    ok "HA source: ring, role and DNS advice ($(j 'd["dns_advice"][0]'))"
else
    bad "HA describe: $RESP"
fi
rm "$S/settings/replication.conf"

section "d. settings"
api GET /ferry/v1/settings
expect "settings" 200
python3 - "$RESP" "$S/settings" <<'PY' && ok "12 sections (the 7 excluded ones too) equal the files" || bad "settings differ from the files"
import json, os, sys
d = json.loads(sys.argv[1])["sections"]
files = {f[:-5]: open(os.path.join(sys.argv[2], f), encoding="utf-8").read()
         for f in os.listdir(sys.argv[2]) if f.endswith(".conf")}
excluded = {"network", "dns", "webserver", "round_robin", "load_balancing", "remote_exchange", "ftp_backup"}
sys.exit(0 if d == files and len(d) == 12 and excluded <= set(d) else 1)
PY

section "e. maintenance"
api POST /ferry/v1/maintenance '{"on": true}'
expect "maintenance on" 200 && { [ -f "$S/maintenance" ] && ok "flag file $S/maintenance exists" || bad "no maintenance flag file"; }
api POST /ferry/v1/maintenance '{"on": true}'
expect "maintenance on again (idempotent)" 200
api POST /ferry/v1/maintenance '{"on": false}'
expect "maintenance off" 200 && { [ ! -e "$S/maintenance" ] && ok "flag file gone" || bad "maintenance flag still there"; }
api POST /ferry/v1/maintenance '{"on": false}'
expect "maintenance off again (idempotent)" 200
api POST /ferry/v1/maintenance '{"on": "yes"}'
expect "maintenance with a string -> 400" 400 InvalidArgument

section "f. staged settings"
# Held back (settings.staged.held) until the target's reboot request hands
# them to the next boot (settings.staged): a boot in between keeps this
# system's own settings (migration-swap plays the whole sequence).
STAGED=$S/settings.staged.held
api PUT /ferry/v1/staged-settings '{"sections": {"network": "[Network]\nHostName=hs-target\nDomain=example.test\nAddress=127.0.0.3\n", "general": "[General]\nName=Target\n", "extra": "[Extra]\nX=1\n"}}'
expect "stage 3 sections" 200
api PUT /ferry/v1/staged-settings '{"sections": {"network": "[Network]\nHostName=hs-target\nDomain=example.test\nAddress=127.0.0.3\n", "general": "[General]\nName=Target\n"}}'
expect "stage 2 sections (replaces the set)" 200
if [ "$(ls "$STAGED" | sort | tr '\n' ' ')" = "general.conf network.conf " ] &&
    [ "$(cat "$STAGED/general.conf")" = $'[General]\nName=Target' ] &&
    grep -qx 'HostName=hs-target' "$STAGED/network.conf"; then
    ok "staged directory holds exactly the new set"
    [ ! -e "$S/settings.staged" ] && ok "... held back, nothing staged for a boot before the reboot request" || bad "settings staged for a boot before the reboot request"
else
    bad "staged directory: $(ls -la "$STAGED" 2>&1)"
fi
before=$(ls "$STAGED" | tr '\n' ' ')
api PUT /ferry/v1/staged-settings '{"sections": {"../evil": "x"}}'
expect "invalid section name -> 400" 400 InvalidArgument
api PUT /ferry/v1/staged-settings '{"sections": {}}'
expect "no sections -> 400" 400 InvalidArgument
[ "$(ls "$STAGED" | tr '\n' ' ')" = "$before" ] && [ ! -e "$S/evil.conf" ] \
    && ok "refused requests left the staged set alone" || bad "staged set changed by a refused request"

section "g. license"
api POST /ferry/v1/license/release '{"to": "not-an-address"}'
expect "release to a host name -> 400" 400 InvalidArgument
api POST /ferry/v1/license/release "{\"to\": \"$CLIENT\"}"
expect "license release" 200
released_text=$(j 'd["license"]')
if grep -qx 'State=released' "$S/license.conf" && grep -qx "ReleasedTo=$CLIENT" "$S/license.conf"; then
    ok "State=released, ReleasedTo=$CLIENT on disk"
else
    bad "license file after release: $(cat "$S/license.conf")"
fi
if grep -qx 'State=active' <<<"$released_text" && grep -qx 'Guid=6f1c2a9e-0d4b-4c1e-9a57-3e2f8b7d1c40' <<<"$released_text" &&
    grep -qx "ContractEnd=$CONTRACT_END" <<<"$released_text" && ! grep -q ReleasedTo <<<"$released_text"; then
    ok "the answer is the active license for the target"
else
    bad "released license text: $released_text"
fi
api POST /ferry/v1/license/release "{\"to\": \"$CLIENT\"}"
expect "release retried by the same target" 200 && { [ "$(j 'd["license"]')" = "$released_text" ] && ok "the retry answers the same license" || bad "the retry answered another license"; }
api POST /ferry/v1/license/release "{\"to\": \"$OTHER\"}"
expect "release to another target -> 409" 409 OptionUnavailable
api GET /ferry/v1/describe
[ "$(j 'd["licensed"]')" = false ] && ok "describe: licensed false after the release" || bad "describe still licensed"

section "h. certificates"
api GET /ferry/v1/certificates
expect "certificates" 200
if [ "$(j 'sorted(d["files"])')" = '["portal-key.pem", "portal.pem"]' ] &&
    [ "$(j 'd["files"]["portal.pem"]')" = "$(cat "$S/certs/portal.pem")" ]; then
    ok "the .pem files with their content (README left out)"
else
    bad "certificates: $(j 'sorted(d["files"])')"
fi

section "i. logs"
api GET /ferry/v1/logs
expect "logs" 200
python3 - "$RESP" "$S/logs" <<'PY' && ok "names and sizes, no digest (a listing reads no file; the symlink is not listed)" || bad "logs list: $RESP"
import json, os, sys
d = {f["name"]: f for f in json.loads(sys.argv[1])["files"]}
want = {}
for n in os.listdir(sys.argv[2]):
    p = os.path.join(sys.argv[2], n)
    if os.path.isfile(p) and not os.path.islink(p):
        want[n] = {"name": n, "size": os.path.getsize(p)}
sys.exit(0 if d == want and "passwd" not in d and len(d) == 4 else 1)
PY
digests_ok=true
for f in "$S"/logs/*; do
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    n=$(basename "$f")
    api GET "/ferry/v1/logs/$n/sha256"
    [ "$CODE" = 200 ] && [ "$(j 'd["sha256"]')" = "$(sha256sum "$f" | cut -d' ' -f1)" ] \
        && [ "$(j 'd["size"]')" = "$(stat -c %s "$f")" ] || { digests_ok=false; bad "digest of $n: HTTP $CODE $RESP"; }
done
$digests_ok && ok "GET logs/NAME/sha256: sha256 and size equal sha256sum and stat"
api GET /ferry/v1/logs/passwd/sha256
expect "no digest through a symlink" 404
section "j. Range downloads"
LOG=$S/logs/traffic.log
SIZE=$(stat -c %s "$LOG")
DL=$SCRATCH/traffic.log
OUT="$DL" api GET /ferry/v1/logs/traffic.log "" -r 0-1048575
[ "$CODE" = 206 ] && [ "$(header Content-Range)" = "bytes 0-1048575/$SIZE" ] && [ "$(stat -c %s "$DL")" = 1048576 ] \
    && ok "first MiB: 206, Content-Range bytes 0-1048575/$SIZE" || bad "first part: HTTP $CODE $(header Content-Range)"
OUT="$DL" api GET /ferry/v1/logs/traffic.log "" -C -
[ "$CODE" = 206 ] && [ "$(header Content-Range)" = "bytes 1048576-$((SIZE - 1))/$SIZE" ] \
    && ok "resumed with Range: bytes=1048576-" || bad "resume: HTTP $CODE $(header Content-Range)"
cmp -s "$DL" "$LOG" && ok "the resumed download is byte-identical" || bad "resumed download differs"
touch "$S/logs/traffic.log.2.gz" # a new version (mtime): its digest is not known yet
OUT="$DL.gz" api GET /ferry/v1/logs/traffic.log.2.gz ""
[ "$CODE" = 200 ] && cmp -s "$DL.gz" "$S/logs/traffic.log.2.gz" && [ "$(header Accept-Ranges)" = bytes ] \
    && ok "whole binary file: 200, identical, Accept-Ranges: bytes" || bad "whole download: HTTP $CODE"
etag=$(header ETag)
api GET /ferry/v1/logs/traffic.log.2.gz/sha256 "" -H "If-Match: $etag"
[ "$CODE" = 200 ] && [ "$(j 'd["etag"]')" = "$etag" ] \
    && [ "$(j 'd["sha256"]')" = "$(sha256sum "$DL.gz" | cut -d' ' -f1)" ] \
    && ok "the digest of the version sent (If-Match: its ETag) equals the download's sha256sum" \
    || bad "digest after the download: HTTP $CODE $RESP"
grep -q "SHA-256 of traffic.log.2.gz ($(stat -c %s "$S/logs/traffic.log.2.gz") bytes) computed while sending it" "$RIG/peer.log" \
    && ok "the peer hashed the file while sending it (not read again for the digest)" \
    || bad "the peer log does not show the digest computed while sending"
OUT="$DL.part" api GET /ferry/v1/logs/traffic.log.2.gz "" -r 100- -H "If-Range: $etag"
[ "$CODE" = 206 ] && ok "If-Range with the current ETag -> 206" || bad "If-Range matching: HTTP $CODE"
OUT="$DL.part" api GET /ferry/v1/logs/traffic.log.2.gz "" -r 100- -H 'If-Range: "stale"'
[ "$CODE" = 200 ] && [ "$(stat -c %s "$DL.part")" = "$(stat -c %s "$S/logs/traffic.log.2.gz")" ] \
    && ok "If-Range with a stale ETag -> the whole file (200)" || bad "If-Range stale: HTTP $CODE"
api GET /ferry/v1/logs/traffic.log "" -r "$SIZE-"
expect "range beyond the end -> 416" 416 && { [ "$(header Content-Range)" = "bytes */$SIZE" ] && ok "416 with Content-Range bytes */$SIZE" || bad "416 Content-Range '$(header Content-Range)'"; }
OUT="$DL.empty" api GET /ferry/v1/logs/empty.log ""
[ "$CODE" = 200 ] && [ ! -s "$DL.empty" ] && ok "empty log: 200, 0 bytes" || bad "empty log: HTTP $CODE"
api HEAD /ferry/v1/logs/traffic.log "" -I
[ "$CODE" = 200 ] && [ "$(header Content-Length)" = "$SIZE" ] && ok "HEAD: Content-Length $SIZE" || bad "HEAD: HTTP $CODE $(header Content-Length)"

section "k. path traversal and oversized bodies"
for p in "/ferry/v1/logs/..%2Fsecret.txt" "/ferry/v1/logs/..%2F..%2Fsource%2Fsecret.txt" \
         "/ferry/v1/logs/%2e%2e%2fsecret.txt" "/ferry/v1/logs/%2e%2e" "/ferry/v1/logs/../secret.txt" \
         "/ferry/v1/logs/passwd" "/ferry/v1/logs/%2Fetc%2Fpasswd" "/ferry/v1/logs//etc/passwd" \
         "/ferry/v1/logs/" "/ferry/v1/logs/.." "/ferry/v1/nothing" "/etc/passwd"; do
    api GET "$p"
    if [ "$CODE" = 404 ] && [ "$(j 'd["error"]')" = NotFound ] && ! grep -q -e SECRET -e 'root:' <<<"$RESP"; then
        ok "GET $p -> 404 NotFound"
    else
        bad "GET $p -> HTTP $CODE ${RESP:0:100}"
    fi
done
head -c $((9 << 20)) /dev/zero | tr '\0' 'a' >"$SCRATCH/big"
code=$(curl -s -o "$SCRATCH/body" -w '%{http_code}' --cacert "$CERT" --interface "$CLIENT" -X PUT \
    -H "Authorization: Bearer $TOKEN" --data-binary @"$SCRATCH/big" "$BASE/ferry/v1/staged-settings")
[ "$code" = 413 ] && ok "a 9 MiB body -> 413" || bad "9 MiB body: HTTP $code"

section "l. migrated"
api POST /ferry/v1/migrated '{"to": "x", "at": 1, "swap": false}'
expect "migrated to a non-address -> 400" 400 InvalidArgument
api POST /ferry/v1/migrated "{\"to\": \"$CLIENT\", \"at\": 1767225600000000, \"swap\": false}"
expect "migrated (without Swap)" 200
if [ "$(cat "$S/migrated.conf")" = $'[Migrated]\nAt=1767225600000000\nSwap=no\nTo='"$CLIENT" ] && [ -f "$S/maintenance" ]; then
    ok "migrated.conf recorded; the source stays in maintenance"
else
    bad "migrated.conf: $(cat "$S/migrated.conf" 2>&1); maintenance $( [ -f "$S/maintenance" ] && echo on || echo off)"
fi
want_units=$'StopUnit hotspot-portal.service replace\nStopUnit hotspot-radius.service replace
MaskUnitFiles hotspot-portal.service hotspot-radius.service persistent force\nReload'
[ "$(cat "$UNITS_RECORD")" = "$want_units" ] \
    && ok "Services= stopped, masked persistently, systemd reloaded" || bad "systemd calls: $(cat "$UNITS_RECORD")"
: >"$UNITS_RECORD"
api POST /ferry/v1/migrated "{\"to\": \"$CLIENT\", \"at\": 1767225600000001, \"swap\": true}"
expect "migrated (with Swap)" 200
grep -qx 'Swap=yes' "$S/migrated.conf" && [ ! -s "$UNITS_RECORD" ] \
    && ok "with Swap: recorded, services left alone" || bad "with Swap: $(cat "$S/migrated.conf" "$UNITS_RECORD")"

section "m. temporary MariaDB account"
tmp_accounts() { mdb_sql src "SELECT CONCAT(User,'@',Host) FROM mysql.user WHERE User RLIKE '^ferry_[0-9a-f]{16}\$' ORDER BY 1"; }
api POST /ferry/v1/db-account '{"target_address": "nowhere"}'
expect "db-account for a host name -> 400" 400 InvalidArgument
api POST /ferry/v1/db-account "{\"target_address\": \"$CLIENT\"}"
expect "db-account" 200
DB_USER=$(j 'd["user"]')
DB_PW=$(j 'd["password"]')
[[ "$DB_USER" =~ ^ferry_[0-9a-f]{16}$ ]] && [ ${#DB_PW} -ge 32 ] && [ "$(j 'd["port"]')" = 3306 ] \
    && ok "user $DB_USER, a ${#DB_PW}-character password, port 3306" || bad "db-account answer: user '$DB_USER' port $(j 'd["port"]')"
[ "$(tmp_accounts)" = "$DB_USER@$CLIENT" ] && ok "exactly one temporary account, limited to $CLIENT" || bad "accounts: $(tmp_accounts)"
grants=$(mdb_sql src "SHOW GRANTS FOR '$DB_USER'@'$CLIENT'")
grep -q "GRANT RELOAD ON \*\.\* TO \`$DB_USER\`@\`$CLIENT\`.*REQUIRE SSL" <<<"$grants" \
    && ok "global: RELOAD only; REQUIRE SSL" || bad "global grants: $grants"
grep -q "GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON \`hotspot\`\.\* TO" <<<"$grants" \
    && ok "hotspot.*: SELECT, SHOW VIEW, EVENT, TRIGGER" || bad "schema grants: $grants"
grep -q "GRANT SELECT ON \`mysql\`\.\`proc\` TO" <<<"$grants" \
    && ok "mysql.proc: SELECT (routines visible)" || bad "routine grant: $grants"
[ "$(grep -c '^GRANT' <<<"$grants")" = 3 ] && ok "no other grants" || bad "grants: $grants"
want_fp=$(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
[ "$(j 'd["tls"]')" = true ] && [ "$(j 'd["tls_certificate"]["sha256"]')" = "$want_fp" ] \
    && ok "tls true, the MariaDB certificate's SHA-256 named (${want_fp:0:16}...)" \
    || bad "tls_certificate: $(j 'd.get("tls_certificate")') want $want_fp"
dbl() { FERRY_DB_PASSWORD=$DB_PW "$DBLOGIN" "$SRC_ADDR" 3306 "$@" 2>"$SCRATCH/dblogin.err"; }
out=$(dbl "$CLIENT" "$DB_USER" tls "SELECT COUNT(*) FROM hotspot.users")
[ $? = 0 ] && [ "$out" = 500 ] && ok "the target reads hotspot over TLS ($(tail -n1 "$SCRATCH/dblogin.err"))" || bad "target login: $out $(cat "$SCRATCH/dblogin.err")"
dbl "$CLIENT" "$DB_USER" tls "FLUSH TABLES WITH READ LOCK" >/dev/null && ok "FLUSH TABLES WITH READ LOCK allowed" || bad "FTWRL: $(cat "$SCRATCH/dblogin.err")"
dbl "$CLIENT" "$DB_USER" tls "SELECT * FROM other.t" >/dev/null
[ $? = 3 ] && ok "other schemas are denied" || bad "other.t readable: $(cat "$SCRATCH/dblogin.err")"
dbl "$CLIENT" "$DB_USER" plain "SELECT 1" >/dev/null
[ $? = 2 ] && ok "refused without TLS" || bad "login without TLS: $(cat "$SCRATCH/dblogin.err")"
dbl "$OTHER" "$DB_USER" tls "SELECT 1" >/dev/null
[ $? = 2 ] && ok "refused from $OTHER" || bad "login from $OTHER: $(cat "$SCRATCH/dblogin.err")"
OLD_USER=$DB_USER
OLD_PW=$DB_PW
api POST /ferry/v1/db-account "{\"target_address\": \"$CLIENT\"}"
expect "db-account again" 200
DB_USER=$(j 'd["user"]')
DB_PW=$(j 'd["password"]')
[ "$(tmp_accounts)" = "$DB_USER@$CLIENT" ] && [ "$DB_USER" != "$OLD_USER" ] \
    && ok "recreated: the old account is gone" || bad "after recreate: $(tmp_accounts)"
# The account of the copy while the source serves (issue 18): REPLICATION
# SLAVE besides, and the certificate itself, the one whose digest is named.
api POST /ferry/v1/db-account "{\"target_address\": \"$CLIENT\", \"replica\": true}"
expect "db-account with replica" 200
DB_USER=$(j 'd["user"]')
grants=$(mdb_sql src "SHOW GRANTS FOR '$DB_USER'@'$CLIENT'")
grep -q "GRANT RELOAD, REPLICATION SLAVE ON \*\.\* TO" <<<"$grants" && [ "$(grep -c '^GRANT' <<<"$grants")" = 3 ] \
    && ok "replica: RELOAD, REPLICATION SLAVE; nothing else more" || bad "replica grants: $grants"
pem_fp=$(j 'd["tls_certificate"]["pem"]' | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
[ "$pem_fp" = "$want_fp" ] && ok "the certificate in PEM is the one named (${pem_fp:0:16}...)" \
    || bad "tls_certificate.pem fingerprint '$pem_fp', want $want_fp"
api POST /ferry/v1/db-account "{\"target_address\": \"$CLIENT\", \"replica\": \"yes\"}"
expect "db-account with replica not a boolean -> 400" 400 InvalidArgument
api DELETE /ferry/v1/db-account
expect "DELETE db-account" 200
[ -z "$(tmp_accounts)" ] && ok "no temporary account left" || bad "left: $(tmp_accounts)"
[ "$(mdb_sql src "SELECT COUNT(*) FROM mysql.user WHERE User='ferry_admin'")" = 1 ] \
    && ok "ferry_admin (not a temporary account) kept" || bad "ferry_admin was dropped"
api DELETE /ferry/v1/db-account
expect "DELETE db-account again (idempotent)" 200
binlogs=$(ls "$RIG"/db/data/binlog.[0-9]* 2>/dev/null)
if [ -n "$binlogs" ] && ! grep -aq -e "$OLD_USER" -e "$DB_USER" $binlogs; then
    ok "the account changes stayed out of the binary log"
else
    bad "binary log: ${binlogs:-none} mentions the temporary accounts"
fi

api GET /ferry/v1/db-objects
expect "db-objects" 200
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
objs = d["objects"]
assert any(o["kind"] == "table" and o["schema"] == "hotspot" and o["name"] == "users" for o in objs), objs
assert all(len(o["sha256"]) == 64 for o in objs), objs
' "$RESP" && ok "db-objects: hotspot.users with a digest ($(j 'len(d["objects"])') object(s))" || bad "db-objects: $RESP"

section "n. finish"
api POST /ferry/v1/db-account "{\"target_address\": \"$CLIENT\"}"
LAST_PW=$(j 'd["password"]')
api POST /ferry/v1/finish
expect "finish" 200
[ -z "$(tmp_accounts)" ] && ok "finish dropped the temporary account" || bad "after finish: $(tmp_accounts)"
api GET /ferry/v1/describe
expect "the token is revoked" 401 InvalidToken
TOKEN=$TOKEN2
api POST /ferry/v1/finish
expect "finish again without a token -> 401" 401 InvalidToken
TOKEN=

section "o. port-80 redirect"
code=$(curl -s -o /dev/null -D "$HEADERS" -w '%{http_code}' "http://$SRC_ADDR:$REDIRECT_PORT/")
[ "$code" = 301 ] && [ "$(header Location)" = "https://$SRC_ADDR:$HTTPS_PORT/" ] \
    && ok "http://$SRC_ADDR/ -> 301 https://$SRC_ADDR:$HTTPS_PORT/" || bad "redirect: HTTP $code Location $(header Location)"
code=$(curl -s -o /dev/null -D "$HEADERS" -w '%{http_code}' -H 'Host: hs.example.test' \
    -X POST -d x "http://$SRC_ADDR:$REDIRECT_PORT/ferry/v1/login")
[ "$code" = 301 ] && [ "$(header Location)" = "https://hs.example.test:$HTTPS_PORT/ferry/v1/login" ] \
    && ok "POST with Host: -> 301 $(header Location)" || bad "redirect with Host: HTTP $code $(header Location)"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$SRC_ADDR:$REDIRECT_PORT/ferry/v1/describe")
[ "$code" = 301 ] && ok "nothing is served in plain HTTP" || bad "plain HTTP describe: $code"

section "p. socket activation (and RequireTLS=no)"
if command -v systemd-socket-activate >/dev/null 2>&1; then
    sed 's/^RequireTLS=yes$/RequireTLS=no/' "$S/ferry.conf" >"$S/ferry-notls.conf"
    systemd-socket-activate -l "$SRC_ADDR:$ACTIVATED_PORT" --fdname=https \
        "$PEER" --config="$S/ferry-notls.conf" >"$RIG/peer-activated.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do port_free "$SRC_ADDR" $ACTIVATED_PORT || break; sleep 0.05; done
    code=$(login_body "$ADMIN_PW" | curl -s -o "$SCRATCH/act" -w '%{http_code}' --cacert "$CERT" \
        --interface "$CLIENT" --data-binary @- "https://$SRC_ADDR:$ACTIVATED_PORT/ferry/v1/login")
    [ "$code" = 200 ] && grep -q "HTTPS on port $ACTIVATED_PORT" "$RIG/peer-activated.log" \
        && ok "socket-activated ferry-peer answers a login" || bad "socket activation: HTTP $code"
    RESP=$(cat "$SCRATCH/act")
    act_token=$(j 'd["token"]')
    printf '{"target_address": "%s"}' "$CLIENT" | curl -s -o "$SCRATCH/act" --cacert "$CERT" \
        --interface "$CLIENT" -H "Authorization: Bearer $act_token" --data-binary @- \
        "https://$SRC_ADDR:$ACTIVATED_PORT/ferry/v1/db-account"
    RESP=$(cat "$SCRATCH/act")
    NOTLS_PW=$(j 'd["password"]')
    # RequireTLS=no is ignored since peer protocol 3: ferryd always pins
    # the MariaDB certificate, so the account always requires TLS.
    [ "$(j 'd["tls"]')" = true ] && [ "$(j 'd["databases"]')" = '["hotspot"]' ] \
        && ok "RequireTLS=no is ignored: the answer still says tls true" || bad "db-account (RequireTLS=no): $RESP"
    FERRY_DB_PASSWORD=$NOTLS_PW "$DBLOGIN" "$SRC_ADDR" 3306 "$CLIENT" "$(j 'd["user"]')" plain \
        "SELECT COUNT(*) FROM hotspot.users" >/dev/null 2>"$SCRATCH/dblogin.err"
    [ $? = 2 ] && ok "RequireTLS=no is ignored: the account refuses a login without TLS" || bad "plain login: $(cat "$SCRATCH/dblogin.err")"
    curl -s -o /dev/null --cacert "$CERT" --interface "$CLIENT" -X POST -H "Authorization: Bearer $act_token" \
        "https://$SRC_ADDR:$ACTIVATED_PORT/ferry/v1/finish"
    [ -z "$(tmp_accounts)" ] && ok "finish on the activated instance dropped it" || bad "left: $(tmp_accounts)"
else
    echo "note: systemd-socket-activate not installed; socket activation not tested"
fi

section "q. units"
if command -v systemd-analyze >/dev/null 2>&1; then
    root=$SCRATCH/root
    unitdir=/lib/systemd/system
    mkdir -p "$root$unitdir" "$root/usr/lib/systemd/system" "$root/usr/libexec/ferry"
    for d in /usr/lib/systemd/system /lib/systemd/system; do
        [ -d "$d" ] && cp -a "$d/." "$root/usr/lib/systemd/system/" 2>/dev/null
    done
    rm -f "$root"/usr/lib/systemd/system/ferry-peer*
    sed 's|@libexecdir@|/usr/libexec/ferry|g' "$SRC/units/ferry-peer.service.in" >"$root$unitdir/ferry-peer.service"
    cp "$SRC/units/ferry-peer.socket" "$SRC/units/ferry-peer-redirect.socket" "$root$unitdir/"
    cp "$PEER" "$root/usr/libexec/ferry/ferry-peer"
    systemd-analyze verify --root="$root" --man=no --recursive-errors=one \
        "$root$unitdir/ferry-peer.socket" "$root$unitdir/ferry-peer-redirect.socket" \
        "$root$unitdir/ferry-peer.service" >"$SCRATCH/verify.out" 2>&1
    rc=$?
    [ $rc = 0 ] && [ ! -s "$SCRATCH/verify.out" ] && ok "systemd-analyze verify: no warnings" \
        || bad "systemd-analyze verify (exit $rc): $(cat "$SCRATCH/verify.out")"
    systemd-analyze security --offline=true --threshold=40 --root="$root" \
        "$root$unitdir/ferry-peer.service" >"$SCRATCH/security.out" 2>&1
    rc=$?
    exposure=$(sed -n 's/^.*Overall exposure level for ferry-peer\.service: \([0-9.]*\).*$/\1/p' "$SCRATCH/security.out")
    echo "EXPOSURE ferry-peer.service: ${exposure:-?}"
    [ $rc = 0 ] && [ -n "$exposure" ] && ok "systemd-analyze security: exposure $exposure <= 4.0" \
        || bad "systemd-analyze security: exit $rc, exposure '${exposure}'"
    for u in ferry-peer.socket:https ferry-peer-redirect.socket:http; do
        grep -qx "FileDescriptorName=${u#*:}" "$SRC/units/${u%%:*}" \
            && grep -qx 'Service=ferry-peer.service' "$SRC/units/${u%%:*}" \
            && ok "${u%%:*} passes its socket as \"${u#*:}\" to ferry-peer.service" || bad "${u%%:*}: FileDescriptorName/Service"
    done
else
    echo "note: systemd-analyze not installed; units not verified"
fi

section "f'. held settings: not applied at boot; staged settings applied at boot"
own=$(ls "$S/settings" | sort | tr '\n' ' ')
"$PEER" --config="$S/ferry.conf" --apply-staged >"$RIG/apply.log" 2>&1
if [ $? = 0 ] && [ "$(ls "$S/settings" | sort | tr '\n' ' ')" = "$own" ] && [ -d "$STAGED" ]; then
    ok "a boot before the reboot request keeps this system's settings ($own), the set stays held"
else
    bad "--apply-staged with a held set: $(cat "$RIG/apply.log"); settings $(ls "$S/settings")"
fi
# What POST /reboot does before its answer (it needs logind's yes first:
# migration-swap plays it with the login1 double; the unit test
# SourceHoldsSettingsUntilTheRebootRequest through the API).
mv "$STAGED" "$S/settings.staged"
"$PEER" --config="$S/ferry.conf" --apply-staged >"$RIG/apply.log" 2>&1
if [ $? = 0 ] && [ "$(ls "$S/settings" | sort | tr '\n' ' ')" = "general.conf network.conf " ] &&
    grep -qx 'HostName=hs-target' "$S/settings/network.conf" && [ ! -e "$S/settings.staged" ]; then
    ok "--apply-staged made the staged set the settings and removed it"
else
    bad "--apply-staged: $(cat "$RIG/apply.log"); settings $(ls "$S/settings")"
fi

section "b'. a login flood from 4200 addresses does not lock the administrator out"
# Issue 14 defect 7: with 4096 tracked clients the limiter refused every new
# address for 10 minutes. 127.0.0.0/8 gives a test thousands of source
# addresses: each of 127.1.0.1 ... sends one wrong password (16 at a time),
# then the right password from an address the flood never used must log in
# within the stated bound: kGlobalFailureRefill (2 s) after the flood, plus
# 2 s for this machine (one yescrypt check, a TLS handshake).
ADMIN_ADDR=127.0.0.6
python3 - "$SRC_ADDR" "$HTTPS_PORT" "$CERT" "$ADMIN_PW" "$ADMIN_ADDR" >"$SCRATCH/flood.out" 2>&1 <<'PY'
import http.client, json, ssl, sys, time
from concurrent.futures import ThreadPoolExecutor
host, port, cafile, password, admin = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=cafile)
ctx.check_hostname = False

def login(addr, pw):
    c = http.client.HTTPSConnection(host, port, context=ctx, source_address=(addr, 0), timeout=30)
    try:
        c.request("POST", "/ferry/v1/login", body=json.dumps({"password": pw}),
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, r.getheader("Retry-After"), r.read()
    finally:
        c.close()

N = 4200
addrs = ["127.1.%d.%d" % (i // 250, i % 250 + 1) for i in range(N)]
t0 = time.monotonic()
with ThreadPoolExecutor(16) as ex:
    codes = list(ex.map(lambda a: login(a, "guess-" + a)[0], addrs))
flood_s = time.monotonic() - t0
print("flood: %d attempts from %d addresses in %.1f s: %d x 401, %d x 429, other %s" % (
    N, len(set(addrs)), flood_s, codes.count(401), codes.count(429),
    sorted(set(c for c in codes if c not in (401, 429)))))
end = time.monotonic()
tries = []
while True:
    status, retry, body = login(admin, password)
    tries.append(status)
    if status == 200 or time.monotonic() - end > 30 or len(tries) > 60:
        break
    time.sleep(min(float(retry or 1), 5))
took = time.monotonic() - end
print("admin: %s after %.2f s (%s)" % (status, took, " ".join(map(str, tries))))
print("RESULT %d %.2f" % (status, took))
PY
cat "$SCRATCH/flood.out"
read -r _ st took < <(grep '^RESULT' "$SCRATCH/flood.out")
[ "${st:-0}" = 200 ] && awk "BEGIN {exit !(${took:-99} <= 4.0)}" \
    && ok "after the flood the right password logs in within 4 s (took ${took} s)" \
    || bad "after the flood: HTTP ${st:-?} after ${took:-?} s"
n429=$(sed -n 's/.* \([0-9]*\) x 429.*/\1/p' "$SCRATCH/flood.out")
[ "${n429:-0}" -gt 4000 ] && ok "the total budget refused the flood ($n429 x 429)" || bad "flood: ${n429:-?} x 429"
grep -c "Logins refused for" "$RIG/peer.log" | { read -r n; [ "$n" -le 60 ] && ok "the refusals are logged at most once a second ($n lines)" || bad "$n refusal lines"; }

section "r. secrets"
kill "$PEER_PID" 2>/dev/null
wait "$PEER_PID" 2>/dev/null
grep -q "GET /ferry/v1/describe from $CLIENT: 200" "$RIG/peer.log" && ok "the access log names requests and clients" || bad "no access log lines"
for secret in "ADMIN_PW:$ADMIN_PW" "token:$TOKEN2" "MariaDB password:$OLD_PW" "MariaDB password:$DB_PW" \
              "MariaDB password:$LAST_PW" "MariaDB password:${NOTLS_PW:-none}"; do
    value=${secret#*:}
    hits=$(grep -rlaF -- "$value" "$RIG" 2>/dev/null)
    [ -z "$hits" ] && ok "the ${secret%%:*} appears in no file under the rig" || bad "the ${secret%%:*} is in: $hits"
done

echo
echo "peer.sh: $PASSED passed, ${#FAILED[@]} failed"
for f in "${FAILED[@]}"; do echo "  FAIL: $f"; done
[ ${#FAILED[@]} -eq 0 ]
