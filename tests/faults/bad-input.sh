#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Bad input (docs/faults.md): distinct bad inputs over every D-Bus method
# and property of ferryd, the peer API of ferry-peer and ferryctl, on the
# real parts with a real source. Each must be refused with a named error
# (a D-Bus error name, the peer's HTTP status and error name, ferryctl's
# exit status and message) and change nothing: the target's state
# directory and appliance files, and the source's files, peer state and
# MariaDB accounts, are hashed before and after (names, types, modes,
# inodes, sizes, mtimes, contents). Prints the number of distinct cases.
#
# (api.sh and peer.sh cover more variants of some of these; this suite
# counts one case per kind of input, across all three interfaces, on a
# rig with a real job.)
#
#   bad-input.sh SOURCE_ROOT BUILD_DIR
set -uo pipefail
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
FERRY_FAULT_ROWS=${FERRY_FAULT_ROWS:-20000}
FERRY_FAULT_LOG_MB=${FERRY_FAULT_LOG_MB:-2}
source "$SRC/tests/faults/lib.sh"
fault_need_root
RIG_EXIT_HOOKS+=(mdb_kill_all)

fault_rig
SCRATCH=$(mktemp -d /tmp/ferry-bad-input.XXXXXX)
RIG_EXIT_HOOKS+=("rm -rf $SCRATCH")
BUS=org.ferry.Migration1
MPATH=/org/ferry/Migration1
MIFACE=org.ferry.Migration1
JIFACE=org.ferry.Migration1.Job
CASES=0
declare -A KINDS

# ------------------------------------------------------------ "nothing changed"
tree_hash() { # DIR...: every entry with type, mode, inode, size, mtime; every file's content
    local d
    for d in "$@"; do
        [ -e "$d" ] || { echo "absent $d"; continue; }
        find "$d" -printf '%p %y %m %i %s %T@\n' | LC_ALL=C sort
        find "$d" -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
    done | sha256sum | cut -d' ' -f1
}
# HASH_NOW: the world's hash after the last case (each case's "after" is
# the next one's "before"); emptied by every step that is not a case.
HASH_NOW=
world_hash() {
    {
        tree_hash "$RIG/target/state" "$RIG/target/settings" "$RIG/target/license.conf" "$RIG/target/certs" \
            "$RIG/target/logs" "$RIG/source/settings" "$RIG/source/license.conf" "$RIG/source/maintenance" \
            "$RIG/source/migrated.conf" "$RIG/source/peer/state" "$RIG/source/certs" "$RIG/source/logs"
        mdb_sql source "SELECT user, host FROM mysql.user ORDER BY 1, 2"
        mdb_sql target "SELECT COUNT(*), IFNULL(SUM(table_rows), 0) FROM information_schema.tables WHERE table_schema='hotspot'"
    } | sha256sum | cut -d' ' -f1
}

# A case: KIND LABEL, then the command (run through `attempt`), which sets
# GOT (the named error as seen) and OKAY (1 when it is the expected one).
counted() { # KIND LABEL VERDICT(0/1) DETAIL
    CASES=$((CASES + 1))
    KINDS[$1]=$(( ${KINDS[$1]:-0} + 1 ))
    if [ "$3" = 1 ]; then ok "#$CASES [$1] $2: $4"; else bad "#$CASES [$1] $2: $4"; fi
}

# D-Bus: dbus_case LABEL WANT PATH IFACE.METHOD ARGS... (gdbus call)
dbus_case() {
    local label=$1 want=$2 path=$3 method=$4
    shift 4
    [[ "$want" == *.* ]] || want="org.ferry.Migration1.Error.$want"
    local before after out err rc
    before=${HASH_NOW:-$(world_hash)}
    out=$(gdbus call --system --dest "$BUS" --object-path "$path" --method "$method" "$@" 2>"$SCRATCH/err"); rc=$?
    err=$(cat "$SCRATCH/err")
    after=$(world_hash)
    HASH_NOW=$after
    local verdict=1 detail
    if [ $rc -eq 0 ]; then
        verdict=0; detail="succeeded: $out"
    elif [[ "$err" != *"GDBus.Error:$want: "?* ]]; then
        verdict=0; detail="expected $want, got: ${err:0:200}"
    else
        detail="${want} (${err#*"$want: "})"; detail=${detail:0:160}
    fi
    [ "$before" = "$after" ] || { verdict=0; detail="$detail; SOMETHING CHANGED"; }
    kill -0 "$FERRYD_PID" || rig_fail "$label: ferryd is gone"
    counted D-Bus "$label" $verdict "$detail"
}

# A call with arguments of the wrong D-Bus types (gdbus would refuse to send
# it): dbus_send_case LABEL WANT PATH IFACE.METHOD dbus-send-ARGS...
dbus_send_case() {
    local label=$1 want=$2 path=$3 method=$4
    shift 4
    local before after out verdict=1
    before=${HASH_NOW:-$(world_hash)}
    out=$(dbus-send --system --print-reply --dest=$BUS "$path" "$method" "$@" 2>&1)
    after=$(world_hash)
    HASH_NOW=$after
    grep -q "^Error $want: " <<<"$out" || verdict=0
    [ "$before" = "$after" ] || { verdict=0; out="$out; SOMETHING CHANGED"; }
    kill -0 "$FERRYD_PID" || rig_fail "$label: ferryd is gone"
    counted D-Bus "$label" $verdict "$(head -c 160 <<<"$out" | tr '\n' ' ')"
}

# ------------------------------------------------------------ the peer API
BASE="https://$SRC_ADDR"
ATTACKER=$(fault_pick 127.0.11.$((RANDOM % 200 + 20)) 127.0.11.$((RANDOM % 200 + 20))) || rig_fail "no address"
# peer_case LABEL WANT-STATUS WANT-ERROR CURL-ARGS... (from the target's address unless --interface given)
peer_case() {
    local label=$1 want=$2 werr=$3
    shift 3
    local before after code name verdict=1 detail
    before=${HASH_NOW:-$(world_hash)}
    code=$(curl -s -k --path-as-is -o "$SCRATCH/body" -w '%{http_code}' --max-time 20 "$@" 2>"$SCRATCH/curl.err")
    name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("error",""))' "$SCRATCH/body" 2>/dev/null)
    after=$(world_hash)
    HASH_NOW=$after
    if [ "$code" != "$want" ] || { [ -n "$werr" ] && [ "$name" != "$werr" ]; }; then
        verdict=0; detail="HTTP $code ${name:-} (expected $want $werr): $(head -c 150 "$SCRATCH/body")"
    else
        detail="HTTP $code ${name:-}"
    fi
    [ "$before" = "$after" ] || { verdict=0; detail="$detail; SOMETHING CHANGED"; }
    kill -0 "$PEER_PID" || rig_fail "$label: ferry-peer is gone"
    counted peer "$label" $verdict "$detail"
}
login_token() { # ADDRESS: a token for a client at ADDRESS
    printf '{"password": "%s"}' "$PASSWORD" | curl -s -k --interface "$1" --data-binary @- \
        -H 'Content-Type: application/json' "$BASE/ferry/v1/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
# A raw exchange over TLS (malformed HTTP): what comes back, and the peer alive.
raw_tls() { # LABEL WANT-REGEX BYTES (printf format)
    local label=$1 want=$2 data=$3 before after answer verdict=1
    before=${HASH_NOW:-$(world_hash)}
    answer=$(printf "$data" | timeout 6 openssl s_client -quiet -connect "$SRC_REAL:443" -ign_eof 2>/dev/null | head -c 300 | head -n 1 | tr -d '\r')
    after=$(world_hash)
    HASH_NOW=$after
    [[ "$answer" =~ $want ]] || verdict=0
    [ "$before" = "$after" ] || { verdict=0; answer="$answer; SOMETHING CHANGED"; }
    kill -0 "$PEER_PID" || rig_fail "$label: ferry-peer is gone"
    counted peer "$label" $verdict "'${answer:-(connection closed)}' (expected /$want/)"
}

# ------------------------------------------------------------ ferryctl
# ctl_case LABEL WANT-EXIT WANT-REGEX ARGS...
ctl_case() {
    local label=$1 wexit=$2 want=$3
    shift 3
    local before after out rc verdict=1
    before=${HASH_NOW:-$(world_hash)}
    out=$("$FERRYCTL" "$@" 2>&1 </dev/null); rc=$?
    after=$(world_hash)
    HASH_NOW=$after
    if [ $rc -ne "$wexit" ] || ! grep -Eq -- "$want" <<<"$out"; then
        verdict=0
    fi
    [ "$before" = "$after" ] || { verdict=0; out="$out; SOMETHING CHANGED"; }
    counted ferryctl "$label" $verdict "exit $rc: $(head -c 160 <<<"$out" | tr '\n' ' ')"
}

# ================================================== a source of another version
# It answers on 80, 443 (HTTPS, its own certificate) and 3306 like a source,
# logs in, and describes itself with protocol 1 (an older ferry-peer).
FAKE=$(fault_pick 127.0.11.$((RANDOM % 200 + 20)) 127.0.11.$((RANDOM % 200 + 20))) || rig_fail "no address"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=fake" \
    -keyout "$SCRATCH/fake.key" -out "$SCRATCH/fake.pem" >/dev/null 2>&1 || rig_fail "openssl"
cat > "$SCRATCH/fake_source.py" <<'PY'
import http.server, json, socket, ssl, sys, threading
addr, cert, key = sys.argv[1:4]
class H(http.server.BaseHTTPRequestHandler):
    def answer(self, body):
        b = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.answer({"token": "ab" * 32, "expires_in": 3600, "protocol": 1})
    def do_GET(self):
        self.answer({"protocol": 1, "hostname": "future"})
    def log_message(self, *a):
        pass
def plain(port):
    s = socket.create_server((addr, port))
    while True:
        c, _ = s.accept()
        c.close()
for p in (80, 3306):
    threading.Thread(target=plain, args=(p,), daemon=True).start()
srv = http.server.ThreadingHTTPServer((addr, 443), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("ready", flush=True)
srv.serve_forever()
PY
timeout 600 python3 "$SCRATCH/fake_source.py" "$FAKE" "$SCRATCH/fake.pem" "$SCRATCH/fake.key" >"$RIG/fake.log" 2>&1 &
RIG_PIDS+=($!)
rig_wait_for 10 grep -q ready "$RIG/fake.log" || rig_fail "the fake source did not start: $(cat "$RIG/fake.log")"

printf 'wrong-%s' "$RANDOM" > "$SCRATCH/wrong"
printf '%s' "$PASSWORD" > "$SCRATCH/right"
LONG=$(printf 'a%.0s' {1..5000})
NOBODY=127.0.11.9

# ================================================== D-Bus, before Probe
rig_log "== D-Bus: the manager before Probe"
dbus_case "GetOptions() before Probe" NotProbed $MPATH $MIFACE.GetOptions
dbus_case "Plan({}) before Probe" NotProbed $MPATH $MIFACE.Plan '{}'
dbus_case "Start({}) without Probe" NotProbed $MPATH $MIFACE.Start '{}'
dbus_case "Probe: empty address" InvalidArgument $MPATH $MIFACE.Probe '' "$PASSWORD" '{}'
dbus_case "Probe: not an address" InvalidArgument $MPATH $MIFACE.Probe 'source.example' "$PASSWORD" '{}'
dbus_case "Probe: an octet over 255" InvalidArgument $MPATH $MIFACE.Probe '999.1.1.1' "$PASSWORD" '{}'
dbus_case "Probe: the unspecified address" InvalidArgument $MPATH $MIFACE.Probe '0.0.0.0' "$PASSWORD" '{}'
dbus_case "Probe: a multicast address" InvalidArgument $MPATH $MIFACE.Probe '224.0.0.1' "$PASSWORD" '{}'
dbus_case "Probe: the broadcast address" InvalidArgument $MPATH $MIFACE.Probe '255.255.255.255' "$PASSWORD" '{}'
dbus_case "Probe: an address with a port" InvalidArgument $MPATH $MIFACE.Probe "$SRC_ADDR:443" "$PASSWORD" '{}'
dbus_case "Probe: an address with a prefix" InvalidArgument $MPATH $MIFACE.Probe "$SRC_ADDR/8" "$PASSWORD" '{}'
dbus_case "Probe: a 5000-character address" InvalidArgument $MPATH $MIFACE.Probe "$LONG" "$PASSWORD" '{}'
dbus_case "Probe: this system's own address" SameSystem $MPATH $MIFACE.Probe "$TGT_ADDR" "$PASSWORD" '{}'
dbus_case "Probe: an empty password" InvalidArgument $MPATH $MIFACE.Probe "$SRC_ADDR" '' '{}'
dbus_case "Probe: a 5000-byte password" InvalidArgument $MPATH $MIFACE.Probe "$SRC_ADDR" "$LONG" '{}'
dbus_case "Probe: an unknown flag" UnknownOption $MPATH $MIFACE.Probe "$SRC_ADDR" "$PASSWORD" "{'Bogus': <true>}"
dbus_case "Probe: Interactive of the wrong type" InvalidArgument $MPATH $MIFACE.Probe "$SRC_ADDR" "$PASSWORD" "{'Interactive': <'yes'>}"
many="{"; for i in $(seq 1 17); do many+="'Key$i': <true>, "; done; many="${many%, }}"
dbus_case "Probe: 17 flags" InvalidArgument $MPATH $MIFACE.Probe "$SRC_ADDR" "$PASSWORD" "$many"
dbus_send_case "Probe: arguments of the wrong types" org.freedesktop.DBus.Error.InvalidArgs $MPATH $MIFACE.Probe int32:5 int32:6 int32:7
dbus_case "Probe: an address where nothing listens" Unreachable $MPATH $MIFACE.Probe "$NOBODY" "$PASSWORD" '{}'
dbus_case "Probe: a source of another protocol version" IncompatibleSource $MPATH $MIFACE.Probe "$FAKE" "$PASSWORD" '{}'
dbus_case "Probe: a wrong password" AuthenticationFailed $MPATH $MIFACE.Probe "$SRC_ADDR" "wrong-$PASSWORD" '{}'
dbus_case "an unknown method" org.freedesktop.DBus.Error.UnknownMethod $MPATH $MIFACE.Cancel
dbus_case "a job object that does not exist" org.freedesktop.DBus.Error.UnknownObject \
    $MPATH/job/0000000000000000 $JIFACE.Resume
for p in State Job Version; do
    dbus_case "write to the read-only property $p" org.freedesktop.DBus.Error.PropertyReadOnly \
        $MPATH org.freedesktop.DBus.Properties.Set $MIFACE $p "<'x'>"
done
dbus_case "read of a property that does not exist" org.freedesktop.DBus.Error.UnknownProperty \
    $MPATH org.freedesktop.DBus.Properties.Get $MIFACE Password

# ================================================== the peer API
rig_log "== the peer API"
# An expired token: its expiry moved to the past in tokens.json while
# ferry-peer is down (ferry-peer keeps only hashes and expiry times there).
EXPIRED=$(login_token "$TGT_ADDR")
fault_kill_peer
python3 - "$RIG/source/peer/state/tokens.json" "$EXPIRED" <<'PY'
import hashlib, json, sys, time
path, token = sys.argv[1:3]
j = json.load(open(path))
h = hashlib.sha256(token.encode()).hexdigest()
for t in j["tokens"]:
    if t["sha256"] == h:
        t["expires_usec"] = int((time.time() + 3) * 1e6)
json.dump(j, open(path, "w"))
PY
fault_start_peer
sleep 4 # the token expires
HASH_NOW=
A=(--interface "$TGT_ADDR")
peer_case "an expired token" 401 InvalidToken "${A[@]}" -H "Authorization: Bearer $EXPIRED" "$BASE/ferry/v1/describe"
# A replayed token: one a finished job had (finish revokes every token).
REVOKED=$(login_token "$TGT_ADDR")
curl -s -k --interface "$TGT_ADDR" -X POST -H "Authorization: Bearer $REVOKED" "$BASE/ferry/v1/finish" >/dev/null
TOKEN=$(login_token "$TGT_ADDR")
HASH_NOW=
AUTH=(-H "Authorization: Bearer $TOKEN")
peer_case "no token" 401 InvalidToken "${A[@]}" "$BASE/ferry/v1/describe"
peer_case "a malformed token" 401 InvalidToken "${A[@]}" -H "Authorization: Bearer x'; DROP TABLE" "$BASE/ferry/v1/describe"
peer_case "an unknown token" 401 InvalidToken "${A[@]}" -H "Authorization: Bearer $(printf '%064d' 7)" "$BASE/ferry/v1/describe"
peer_case "a token replayed after finish" 401 InvalidToken "${A[@]}" -H "Authorization: Bearer $REVOKED" "$BASE/ferry/v1/settings"
peer_case "a token replayed from another address" 401 InvalidToken --interface "$ATTACKER" "${AUTH[@]}" "$BASE/ferry/v1/settings"
peer_case "Basic instead of Bearer" 401 InvalidToken "${A[@]}" -u "admin:$PASSWORD" "$BASE/ferry/v1/describe"
peer_case "a wrong password" 401 AuthenticationFailed --interface "$ATTACKER" -H 'Content-Type: application/json' \
    --data-binary '{"password": "not-it"}' "$BASE/ferry/v1/login"
peer_case "login: a body that is not JSON" 400 InvalidArgument "${A[@]}" --data-binary 'password=x' "$BASE/ferry/v1/login"
peer_case "login: a password of the wrong type" 400 InvalidArgument "${A[@]}" --data-binary '{"password": ["x"]}' "$BASE/ferry/v1/login"
peer_case "GET of a POST resource" 405 "" "${A[@]}" "${AUTH[@]}" "$BASE/ferry/v1/login"
peer_case "a resource that does not exist" 404 NotFound "${A[@]}" "${AUTH[@]}" "$BASE/ferry/v1/shell"
peer_case "path traversal ..%2F in a log name" 404 NotFound "${A[@]}" "${AUTH[@]}" "$BASE/ferry/v1/logs/..%2F..%2Flicense.conf"
peer_case "path traversal %2e%2e%2f in a log name" 404 NotFound "${A[@]}" "${AUTH[@]}" "$BASE/ferry/v1/logs/%2e%2e%2flicense.conf"
peer_case "path traversal ../ in a log name" 404 NotFound "${A[@]}" "${AUTH[@]}" "$BASE/ferry/v1/logs/../../license.conf"
peer_case "an absolute path as a log name" 404 NotFound "${A[@]}" "${AUTH[@]}" "$BASE/ferry/v1/logs/%2Fetc%2Fshadow"
peer_case "a range past the end of a log" 416 "" "${A[@]}" "${AUTH[@]}" -r 999999999- "$BASE/ferry/v1/logs/traffic.log"
peer_case "maintenance: on of the wrong type" 400 InvalidArgument "${A[@]}" "${AUTH[@]}" --data-binary '{"on": "yes"}' "$BASE/ferry/v1/maintenance"
peer_case "db-account for a host name" 400 InvalidArgument "${A[@]}" "${AUTH[@]}" --data-binary '{"target_address": "evil.example"}' "$BASE/ferry/v1/db-account"
peer_case "staged settings with a traversing section name" 400 InvalidArgument "${A[@]}" "${AUTH[@]}" -X PUT \
    --data-binary '{"sections": {"../../etc/passwd": "x"}}' "$BASE/ferry/v1/staged-settings"
head -c $((9 << 20)) /dev/zero > "$SCRATCH/big"
peer_case "a 9 MiB body" 413 "" "${A[@]}" "${AUTH[@]}" -X PUT --data-binary @"$SCRATCH/big" "$BASE/ferry/v1/staged-settings"
peer_case "a 64 KiB header" 431 "" "${A[@]}" "${AUTH[@]}" -H "X-Pad: $(head -c 65536 /dev/zero | tr '\0' a)" "$BASE/ferry/v1/describe"
# Garbage: libmicrohttpd answers 400 or closes the connection at once.
raw_tls "malformed HTTP: a request line of garbage" '^(HTTP/1\.[01] 400.*)?$' '\x01\x02garbage\r\n\r\n'
raw_tls "malformed HTTP: an unknown HTTP version" '^(HTTP/1\.[01] (400|505).*)?$' 'GET /ferry/v1/describe HTTP/7.0\r\nHost: x\r\n\r\n'
raw_tls "malformed HTTP: a negative Content-Length" '^HTTP/1\.1 400' 'POST /ferry/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'
HASH_NOW=
before=$(world_hash)
answer=$(curl -s -m 10 "http://$SRC_REAL:443/ferry/v1/describe" -o /dev/null -w '%{http_code}'); rc=$?
counted peer "plain HTTP to the HTTPS port" $([ "$rc" != 0 ] && [ "$before" = "$(world_hash)" ] && kill -0 "$PEER_PID" && echo 1 || echo 0) \
    "refused (curl exit $rc, HTTP ${answer:-none})"

# ================================================== D-Bus with a probed source and a job
rig_log "== D-Bus: after Probe"
"$FERRYCTL" probe "$SRC_ADDR" --password-file="$RIG/password" >/dev/null 2>&1 || rig_fail "probe"
HASH_NOW=
dbus_case "Plan: an unknown option" UnknownOption $MPATH $MIFACE.Plan "{'CopyEverything': <true>}"
dbus_case "Plan: an option in lower case" UnknownOption $MPATH $MIFACE.Plan "{'swapconfiguration': <true>}"
dbus_case "Plan: SwapConfiguration as a string" InvalidArgument $MPATH $MIFACE.Plan "{'SwapConfiguration': <'yes'>}"
dbus_case "Plan: CopyUserTrafficLogs as uint32" InvalidArgument $MPATH $MIFACE.Plan "{'CopyUserTrafficLogs': <uint32 1>}"
dbus_case "Plan: 17 options" InvalidArgument $MPATH $MIFACE.Plan "$many"
dbus_send_case "Plan: options of the wrong type" org.freedesktop.DBus.Error.InvalidArgs $MPATH $MIFACE.Plan array:string:SwapConfiguration
dbus_case "Start: MigrateLicense as an int" InvalidArgument $MPATH $MIFACE.Start "{'MigrateLicense': <1>}"
dbus_case "Start: an unknown option" UnknownOption $MPATH $MIFACE.Start "{'SwapConfiguration': <false>, 'DeleteSource': <true>}"

rig_log "== concurrent Start"
STARTS=()
opts="{'MigrateLicense': <true>, 'CopyUserTrafficLogs': <true>, 'Interactive': <false>}"
for i in 1 2; do
    gdbus call --system --dest $BUS --object-path $MPATH --method $MIFACE.Start "$opts" >"$SCRATCH/start$i" 2>&1 &
    STARTS+=($!)
done
wait "${STARTS[@]}"
jobs_started=$(grep -c "objectpath '/org/ferry/Migration1/job/" "$SCRATCH/start1" "$SCRATCH/start2" | awk -F: '{n += $2} END {print n}')
busy=$(grep -c "Error.Busy" "$SCRATCH/start1" "$SCRATCH/start2" | awk -F: '{n += $2} END {print n}')
counted D-Bus "two Start() at once" $([ "$jobs_started" = 1 ] && [ "$busy" = 1 ] && echo 1 || echo 0) \
    "$jobs_started job, $busy Busy: $(cat "$SCRATCH/start1" "$SCRATCH/start2" | tr '\n' ' ' | head -c 200)"
JOB=$(busctl --system get-property $BUS $MPATH $MIFACE Job | awk '{print $2}' | tr -d '"')
out=$(gdbus call --system --dest $BUS --object-path "$JOB" --method $JIFACE.Acknowledge 2>&1)
counted D-Bus "Acknowledge() of a running job" $(grep -q "Error.NotFinished" <<<"$out" && echo 1 || echo 0) "${out:0:160}"
fault_wait_end 300
check "the job of the concurrent Start succeeded ($END_STATE)" [ "$END_STATE" = succeeded ]
fault_verify "after the concurrent Start"

rig_log "== D-Bus: with a finished job"
HASH_NOW=
dbus_case "Start() while a job exists" Busy $MPATH $MIFACE.Start '{}'
dbus_case "Probe() while a job exists" Busy $MPATH $MIFACE.Probe "$SRC_ADDR" "$PASSWORD" '{}'
dbus_case "Resume() of a succeeded job" NotFailed "$JOB" $JIFACE.Resume
dbus_send_case "GetEvents with a string" org.freedesktop.DBus.Error.InvalidArgs "$JOB" $JIFACE.GetEvents string:0
for p in State Operations Current Progress RemainingSeconds StartedAt FinishedAt Error EventSequence Options Source Attempt; do
    dbus_case "write to the job's read-only property $p" org.freedesktop.DBus.Error.PropertyReadOnly \
        "$JOB" org.freedesktop.DBus.Properties.Set $JIFACE $p "<uint32 0>"
done
dbus_case "Resume() on the manager object" org.freedesktop.DBus.Error.UnknownMethod $MPATH $JIFACE.Resume
peer_case "the job's token after the job" 401 InvalidToken --interface 127.0.0.1 \
    -H "Authorization: Bearer $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"]["token"])' "$RIG/target/state/job.json")" \
    "$BASE/ferry/v1/describe"

# ================================================== ferryctl
rig_log "== ferryctl"
HASH_NOW=
ctl_case "a password on the command line" 2 "password" probe "$SRC_ADDR" --password="$PASSWORD"
ctl_case "an unknown verb" 2 "[Uu]nknown|usage|Usage" migrate-everything
ctl_case "an unknown option" 2 "[Uu]nknown|unrecognized|usage" status --frobnicate
ctl_case "probe without an address" 2 "ADDRESS|address|usage" probe
ctl_case "--json with a bad mode" 2 "json" --json=yaml status
ctl_case "a password file that does not exist" 1 "password|No such file" probe "$SRC_ADDR" --password-file="$SCRATCH/none"
ctl_case "probe while a job exists" 3 "Busy|job exists" --json=short probe "$SRC_ADDR" --password-file="$SCRATCH/right"
ctl_case "resume of a succeeded job" 3 "NotFailed|not failed" resume
ctl_case "start while a job exists" 3 "Busy|job exists" start --yes --no-ask-password
"$FERRYCTL" acknowledge >/dev/null 2>&1 || bad "acknowledge"
HASH_NOW=
ctl_case "resume without a job" 3 "NoJob|no (migration )?job" resume
ctl_case "acknowledge without a job" 3 "NoJob|no (migration )?job" acknowledge
ctl_case "probe of a bad address" 3 "InvalidArgument|address" probe 300.1.2.3 --password-file="$SCRATCH/right"
# The migration above installed a license here: the option is refused.
ctl_case "plan --license on a licensed target" 3 "OptionUnavailable|already has a license" plan --license
dbus_case "Acknowledge() of a job already acknowledged" org.freedesktop.DBus.Error.UnknownObject "$JOB" $JIFACE.Acknowledge

echo
echo "== bad input: $CASES distinct cases (D-Bus ${KINDS[D-Bus]:-0}, peer API ${KINDS[peer]:-0}, ferryctl ${KINDS[ferryctl]:-0})"
echo "BAD_INPUT_CASES=$CASES"
check "at least 40 distinct bad inputs ($CASES)" [ "$CASES" -ge 40 ]
[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: $CASES bad inputs, each a named error, nothing changed"
