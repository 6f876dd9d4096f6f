#!/usr/bin/env bash
# Captures real answers of the real ferry-peer for the seed corpora of
# fuzz-peer-answers (ferryd's side) and the requests that produced them for
# fuzz-peer-api: tests/fuzz/capture-seeds.sh SOURCE_ROOT BUILD_DIR
#
# Runs ferry-peer of BUILD_DIR on a file appliance (no MariaDB: the answers
# that need it are the error answers ferryd gets then) in a private network
# namespace, drives it with curl, and writes corpus/peer-answers/real-* and
# corpus/peer-api/real-*. Run as root; done once, the seeds are committed.
set -euo pipefail
[ -z "${IN_NS:-}" ] && exec env IN_NS=1 unshare -n bash -c 'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
SRC=$(realpath "$1") BUILD=$(realpath "$2")
OUT_ANS=$SRC/tests/fuzz/corpus/peer-answers OUT_API=$SRC/tests/fuzz/corpus/peer-api
RIG=$(mktemp -d /tmp/ferry-fuzz-capture.XXXXXX)
trap 'kill $PEER_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$RIG"' EXIT
S=$RIG/src
mkdir -p "$S/settings" "$S/certs" "$S/logs" "$S/state" "$OUT_ANS" "$OUT_API"
printf '[Network]\nHostName=src\nDomain=example.test\nAddress=127.0.0.2\n' >"$S/settings/network.conf"
printf '[General]\nName=Hotspot\n' >"$S/settings/general.conf"
printf '[Replication]\nRole=Main\nRingMembers=127.0.0.2 127.0.0.5 127.0.0.6\nUser=repl\nPassword=x\n' >"$S/settings/replication.conf"
printf '[RoundRobin]\nHosts=127.0.0.2 127.0.0.5\n' >"$S/settings/round_robin.conf"
printf '[LoadBalancing]\nDomain=portal.example.test\n' >"$S/settings/load_balancing.conf"
printf '[License]\nGuid=11111111-2222-3333-4444-555555555555\nState=active\nContractEnd=2099-12-31\n' >"$S/license.conf"
head -c 3000 /dev/urandom | base64 >"$S/logs/traffic-2026-12-01.log"
printf 'one line\n' >"$S/logs/small.log"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=src \
    -keyout "$S/key.pem" -out "$S/certs/web.pem" 2>/dev/null
printf 'fuzz-admin-password\n' | "$BUILD/peer/ferry-peer" --hash-password >"$S/admin.hash"
cat >"$S/ferry.conf" <<CONF
[Appliance]
SettingsDirectory=$S/settings
LicenseFile=$S/license.conf
CertificateDirectory=$S/certs
LogDirectory=$S/logs
Databases=hotspot
[Peer]
StateDirectory=$S/state
AdminPasswordHash=$S/admin.hash
Certificate=$S/certs/web.pem
Key=$S/key.pem
[Database]
Socket=$RIG/no-mariadb.sock
CONF
"$BUILD/peer/ferry-peer" --config="$S/ferry.conf" --listen=127.0.0.2:443 >"$RIG/peer.log" 2>&1 &
PEER_PID=$!
for _ in $(seq 100); do curl -sk -o /dev/null https://127.0.0.2/ && break; sleep 0.05; done

n=0
# request METHOD RESOURCE [BODY [RANGE]]: one call; the answer (status
# byte index as fuzz_peer_answers reads it, then the body) and the request.
request() {
    local method=$1 resource=$2 body=${3:-} range=${4:-} auth=()
    [ -n "${TOKEN:-}" ] && auth=(-H "Authorization: Bearer $TOKEN")
    local args=(-sk -X "$method" -o "$RIG/body" -w '%{http_code}' "${auth[@]}")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    [ -n "$range" ] && args+=(-H "Range: $range")
    local code
    code=$(curl "${args[@]}" "https://127.0.0.2/ferry/v1/$resource")
    n=$((n + 1))
    local name
    name=$(printf 'real-%02d-%s-%s' "$n" "$method" "${resource//\//_}")
    # fuzz_peer_answers: byte 0 indexes its status table
    local idx
    case $code in 200) idx=0 ;; 201) idx=1 ;; 202) idx=2 ;; 204) idx=3 ;; 206) idx=4 ;; 400) idx=5 ;;
        401) idx=6 ;; 404) idx=7 ;; 409) idx=8 ;; 413) idx=9 ;; 416) idx=10 ;; 429) idx=11 ;; *) idx=12 ;; esac
    if [ "$(head -c 1 "$RIG/body")" = "{" ]; then
        { printf "\\x$(printf %02x $idx)"; cat "$RIG/body"; } >"$OUT_ANS/$name"
    fi
    # fuzz_peer_api: flags (bit 0 valid token, bit 3 /ferry/v1/ prefix),
    # method, path, Range, If-Range, If-Match, Authorization, body.
    local flags=8
    [ -n "${TOKEN:-}" ] && flags=9
    { printf "\\x$(printf %02x $flags)"; printf '%s\0%s\0%s\0\0\0\0%s' "$method" "$resource" "$range" "$body"; } >"$OUT_API/$name"
    echo "$code $method $resource" >&2
}

TOKEN=
request POST login '{"password":"wrong"}'
request GET describe
request POST login '{"password":"fuzz-admin-password"}'
TOKEN=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$RIG/body")
request GET describe
request GET settings
request GET certificates
request GET logs
request GET logs/small.log
request GET logs/small.log/sha256
request GET logs/traffic-2026-12-01.log '' 'bytes=100-'
request GET logs/traffic-2026-12-01.log '' 'bytes=99999-'
request GET logs/../license.conf
request POST token/extend '{}'
request PUT staged-settings '{"sections":{"general":"[General]\nName=Staged\n","network":"[Network]\nAddress=127.0.0.3\n"}}'
request POST maintenance '{"on":true}'
request POST db-account '{"target_address":"127.0.0.3"}'
request POST round-robin/remove '{}'
request POST round-robin/restore '{}'
request POST replica/deactivate '{}'
request POST migrated '{"to":"127.0.0.3","at":1764979200000000,"swap":true}'
request POST license/release '{"to":"127.0.0.3"}'
request GET finish
request POST reboot '{}'
request POST finish '{}'
request GET describe
