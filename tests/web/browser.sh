#!/usr/bin/env bash
# The Cockpit page (web/) end to end in a real browser: headless Chromium
# (Debian's chromium, driven by playwright-core from npm) against a real
# cockpit-ws/cockpit-bridge on a private system bus, with the real ferryd
# (target) migrating a real source (ferry-peer + mariadbd) on this machine.
# systemd's manager is a TEST DOUBLE here, as in migration-standalone.sh.
#
# What it checks (tests/web/wizard.spec.mjs): the Migration tool entry;
# the 7 steps with their exact texts; a bad address, a closed port and a
# wrong password each shown as the daemon's named error in words while the
# page stays on Source; the HA view (high availability, DNS advice, Swap
# Configuration forced on with its reason, the HA plan) with a source that
# is put into a ring for that part only; the standalone run with Migrate
# License and Copy User Traffic Logs; a page reload in the middle of
# Execution that rebuilds the view from GetEvents(0) and the properties; a
# failed operation (restart-services, failed by the systemd double) shown
# with its message and remedy, a reload while failed, Resume, then
# "Congratulations! Migration was successfully completed", the Result step
# and Close (Acknowledge + the login page). Here afterwards: the job is
# acknowledged, every table arrived, the password is in no file of the rig.
#
# Usage: tests/web/browser.sh SOURCE_ROOT BUILD_DIR
#   exit 0 pass, 1 fail, 77 skip (no chromium/cockpit/playwright-core).
# Screenshots: BUILD_DIR/meson-logs/web-screenshots/ (printed at the end).
# Environment: FERRY_WEB_ROWS (50000), FERRY_WEB_NODE_MODULES (where
# playwright-core is installed; default BUILD_DIR/tests/web/node),
# FERRY_WEB_NO_INSTALL=1 (never apt-get/npm install: skip instead),
# FERRY_WEB_HOLD=1 (start everything, print the URL, wait for Ctrl-C),
# RIG_KEEP=1 (keep /tmp/ferry-rig.*).
set -uo pipefail

skip() {
    {
        echo "######################################################################"
        echo "## SKIP tests/web/browser.sh: $*"
        echo "######################################################################"
    } >&2
    exit 77
}

[ $# -eq 2 ] || { echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2; exit 1; }
SRC_ROOT=$(realpath "$1")
BUILD_ROOT=$(realpath "$2")
COCKPIT_WS=/usr/lib/cockpit/cockpit-ws
CHROMIUM=${FERRY_WEB_CHROMIUM:-/usr/bin/chromium}

# ---- prerequisites: Debian packages, then playwright-core from npm --------
missing=()
[ -x "$COCKPIT_WS" ] || missing+=(cockpit-ws)
command -v cockpit-bridge >/dev/null || missing+=(cockpit-bridge)
[ -d /usr/share/cockpit/shell ] || missing+=(cockpit-system)
[ -x "$CHROMIUM" ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    if [ -z "${FERRY_WEB_NO_INSTALL:-}" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "installing ${missing[*]}" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
            { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; } ||
            skip "could not install ${missing[*]}"
    else
        skip "missing ${missing[*]} (apt-get install ${missing[*]})"
    fi
fi
"$CHROMIUM" --version >/dev/null 2>&1 || skip "$CHROMIUM does not run"

NODE_DIR=${FERRY_WEB_NODE_MODULES:-$BUILD_ROOT/tests/web/node}
if [ ! -f "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
    [ -z "${FERRY_WEB_NO_INSTALL:-}" ] || skip "playwright-core is not installed in $NODE_DIR"
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --no-save --prefix "$NODE_DIR" playwright-core@1 >&2) ||
        skip "npm install playwright-core@1 failed (is the npm registry reachable?)"
fi
PW_VERSION=$(node -p "require('$NODE_DIR/node_modules/playwright-core/package.json').version")

# ---- the rig: private bus, systemd double, two appliances, ferryd ---------
source "$SRC_ROOT/tests/integration/lib/rig.sh"
rig_init "$SRC_ROOT" "$BUILD_ROOT"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
RIG_EXIT_HOOKS+=(mdb_kill_all)
[ -x "$BUILD/peer/ferry-peer" ] || rig_fail "ferry-peer not built"
[ -x "$BUILD/tests/integration/systemd-double" ] || rig_fail "systemd-double not built"
rig_log "playwright-core $PW_VERSION, $("$CHROMIUM" --version 2>/dev/null | head -1), cockpit $(dpkg-query -W -f='${Version}' cockpit-ws 2>/dev/null)"

ROWS=${FERRY_WEB_ROWS:-50000}
SHOTS="$BUILD/meson-logs/web-screenshots"
rm -rf "$SHOTS"; mkdir -p "$SHOTS"

PASSWORD="Adm1n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$PASSWORD" > "$RIG/password"; chmod 600 "$RIG/password"
printf 'wrong-%s' "$RANDOM" > "$RIG/wrong"; chmod 600 "$RIG/wrong"

SRC_ADDR=$(mdb_pick_address 127.0.0.52 127.0.0.62 127.0.0.72) || rig_fail "no free address"
TGT_ADDR=$(mdb_pick_address 127.0.0.53 127.0.0.63 127.0.0.73 | grep -vx "$SRC_ADDR") || rig_fail "no free address"
# An address where nothing answers on 80, 443 or 3306 (the Unreachable case).
port_closed() { ! timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
DEAD_ADDR=
for a in 127.0.0.54 127.0.0.64 127.0.0.74 127.0.0.84; do
    if [ "$a" != "$SRC_ADDR" ] && [ "$a" != "$TGT_ADDR" ] &&
        port_closed "$a" 80 && port_closed "$a" 443 && port_closed "$a" 3306; then
        DEAD_ADDR=$a; break
    fi
done
[ -n "$DEAD_ADDR" ] || rig_fail "no loopback address without listeners for the Unreachable case"
rig_log "source $SRC_ADDR, target $TGT_ADDR, nothing at $DEAD_ADDR"

rig_start_bus
# The double fails hotspot-portal.service at first, so that restart-services
# fails and the page shows the failure and Resume; fix_systemd restarts it
# without --fail when the browser asks for it.
start_systemd_double() {
    "$BUILD/tests/integration/systemd-double" --record="$RIG/systemd-calls.log" "$@" >>"$RIG/systemd-double.log" 2>&1 &
    SD_PID=$!
    RIG_PIDS+=("$SD_PID")
    rig_wait_for 10 busctl --system status org.freedesktop.systemd1 --no-pager || rig_fail "systemd double"
}
start_systemd_double --fail=hotspot-portal.service

app_make source "$SRC_ADDR" yes active
app_make target "$TGT_ADDR" no
# One copy thread, so the data copy is long enough to reload the page in it.
printf 'CopyThreads=1\n' >> "$RIG/target/ferry.conf"
app_fill_logs source 8
app_start_mariadb_tls source
app_start_mariadb target
python3 "$SRC/tests/rig/gen_dataset.py" --socket "$RIG/source/db/mysqld.sock" --rows "$ROWS" \
    >"$RIG/gen.log" 2>&1 || rig_fail "dataset generation failed"
app_start_peer source "$RIG/password"
# ferryd starts later, when the browser asks (start-ferryd): the page is
# first opened without it.
app_table_sums source > "$RIG/sums-source"
SOURCE_GUID=$(sed -n 's/^Guid=//p' "$RIG/source/license.conf")

# ---- cockpit-ws with the page from the source tree ------------------------
# The bridge finds packages in $XDG_DATA_DIRS/cockpit/NAME. The data dir
# here holds the package "ferry" as a link to web/ in the source tree
# (nothing installed) and links to the Cockpit packages the page needs:
# base1 (cockpit.js), shell, static (login page), branding, and metrics
# (its PatternFly bundle, see web/index.html). The systemd pages are left
# out on purpose: the shell preloads them and they fail against the
# systemd TEST DOUBLE ("Ooops!" in every screenshot).
mkdir -p "$RIG/xdg/cockpit" "$RIG/runtime"
chmod 700 "$RIG/runtime"
ln -s "$SRC/web" "$RIG/xdg/cockpit/ferry"
for p in base1 shell static branding metrics; do
    [ -e "/usr/share/cockpit/$p" ] || skip "/usr/share/cockpit/$p is missing (cockpit-bridge, cockpit-ws, cockpit-system)"
    ln -s "/usr/share/cockpit/$p" "$RIG/xdg/cockpit/$p"
done
# A session bus of our own (the bridge would start one and leave it
# behind), without service activation: nothing is started from it.
cat > "$RIG/session-bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$RIG/session_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file="$RIG/session-bus.conf" --nofork --nopidfile >"$RIG/session-dbus.log" 2>&1 &
RIG_PIDS+=($!)
rig_wait_for 10 test -S "$RIG/session_bus_socket" || rig_fail "session bus did not come up"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env DBUS_SESSION_BUS_ADDRESS="unix:path=$RIG/session_bus_socket" \
    XDG_DATA_DIRS="$RIG/xdg" \
    XDG_RUNTIME_DIR="$RIG/runtime" \
    "$COCKPIT_WS" --no-tls --address 127.0.0.1 --port "$PORT" --local-session=cockpit-bridge \
    >"$RIG/cockpit-ws.log" 2>&1 &
WS_PID=$!
RIG_PIDS+=("$WS_PID")
rig_wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$PORT/" || {
    tail -20 "$RIG/cockpit-ws.log" >&2
    skip "cockpit-ws did not start (log above)"
}
BASE="http://127.0.0.1:$PORT"
rig_log "cockpit-ws at $BASE (pid $WS_PID), the page at $BASE/ferry"

if [ -n "${FERRY_WEB_HOLD:-}" ]; then
    rig_start_ferryd target
    rig_log "HOLD: source $SRC_ADDR, password file $RIG/password; Ctrl-C ends"
    wait "$WS_PID"
    exit 0
fi

# ---- the browser ------------------------------------------------------------
# The spec asks the rig for what it cannot do itself by writing
# $RIG/web-requests/NAME and waiting for NAME.done:
#   start-ferryd  start ferryd (the page was opened without it)
#   restart-ferryd  stop ferryd (SIGTERM) and start it again
#   hold-copy     a session on the source holds LOCK TABLES hotspot.nas WRITE,
#                 so copy-data waits in FLUSH TABLES WITH READ LOCK: the page
#                 is reloaded while the job is certainly running
#   release-copy  KILL that session: the copy goes on
#   fix-systemd   restart the systemd double without --fail
mkdir -p "$RIG/web-requests"
HOLD_PID=
hold_copy() {
    mdb_client source -e "LOCK TABLES hotspot.nas WRITE; DO SLEEP(300);" >>"$RIG/hold.log" 2>&1 &
    HOLD_PID=$!
    RIG_PIDS+=("$HOLD_PID")
    local id
    for _ in $(seq 100); do
        id=$(mdb_sql source "SELECT id FROM information_schema.processlist WHERE info = 'DO SLEEP(300)'")
        [ -n "$id" ] && return 0
        sleep 0.1
    done
    rig_fail "the lock on the source was not taken"
}
release_copy() {
    local id
    id=$(mdb_sql source "SELECT id FROM information_schema.processlist WHERE info = 'DO SLEEP(300)'")
    [ -n "$id" ] && mdb_sql source "KILL $id"
    wait "$HOLD_PID" 2>/dev/null
    HOLD_PID=
}
handle() { # NAME: run the request once
    local name=$1
    [ -e "$RIG/web-requests/$name" ] && [ ! -e "$RIG/web-requests/$name.done" ] || return 0
    rig_log "browser asked: $name"
    case $name in
    start-ferryd) rig_start_ferryd target ;;
    restart-ferryd) rig_stop_ferryd; rig_start_ferryd target ;;
    hold-copy) hold_copy ;;
    release-copy) release_copy ;;
    fix-systemd)
        kill "$SD_PID"; wait "$SD_PID" 2>/dev/null
        rig_wait_for 10 sh -c '! busctl --system status org.freedesktop.systemd1 --no-pager' || rig_fail "double still on the bus"
        start_systemd_double ;;
    esac
    touch "$RIG/web-requests/$name.done"
}

env FERRY_NODE_MODULES="$NODE_DIR/node_modules" \
    FERRY_BASE_URL="$BASE" \
    FERRY_CHROMIUM="$CHROMIUM" \
    FERRY_SCREENSHOTS="$SHOTS" \
    FERRY_PROFILE="$RIG/chromium-profile" \
    FERRY_REQUESTS="$RIG/web-requests" \
    FERRY_SOURCE_ADDR="$SRC_ADDR" \
    FERRY_TARGET_ADDR="$TGT_ADDR" \
    FERRY_DEAD_ADDR="$DEAD_ADDR" \
    FERRY_SOURCE_GUID="$SOURCE_GUID" \
    FERRY_SOURCE_SETTINGS="$RIG/source/settings" \
    FERRY_SOURCE_LICENSE="$RIG/source/license.conf" \
    FERRY_PASSWORD_FILE="$RIG/password" \
    FERRY_WRONG_PASSWORD_FILE="$RIG/wrong" \
    node "$SRC/tests/web/wizard.spec.mjs" 2>"$RIG/browser.log" &
NODE_PID=$!
RIG_PIDS+=("$NODE_PID")

deadline=$((SECONDS + ${FERRY_WEB_TIMEOUT:-240}))
while kill -0 "$NODE_PID" 2>/dev/null; do
    for r in start-ferryd restart-ferryd hold-copy release-copy fix-systemd; do handle "$r"; done
    if [ $SECONDS -ge $deadline ]; then
        rig_log "the browser test did not end in time"
        kill "$NODE_PID"
        break
    fi
    sleep 0.1
done
[ -n "$HOLD_PID" ] && release_copy
wait "$NODE_PID"; SPEC_RC=$?
[ "$SPEC_RC" -eq 77 ] && skip "$CHROMIUM could not be started by playwright-core (its log follows)"


check "browser spec passed (exit $SPEC_RC)" [ "$SPEC_RC" -eq 0 ]
JOB_AFTER=$(busctl --system get-property org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1 Job)
check "Close acknowledged the job (Manager.Job: $JOB_AFTER)" [ "$JOB_AFTER" = 'o "/"' ]
app_table_sums target > "$RIG/sums-target"
check "every table arrived ($(wc -l < "$RIG/sums-source") tables, $ROWS rows generated)" \
    cmp -s "$RIG/sums-source" "$RIG/sums-target"
check "license moved (Migrate License was on)" grep -q "^Guid=$SOURCE_GUID" "$RIG/target/license.conf"
check "log files copied (Copy User Traffic Logs was on)" diff -rq "$RIG/source/logs" "$RIG/target/logs"
check "restart-services went through systemd after Resume" grep -q 'RestartUnit hotspot-portal.service' "$RIG/systemd-calls.log"
grep -rqF --exclude=password -e "$PASSWORD" "$RIG"; rc=$?
check "the password is in no file of the rig, browser profile included (grep exit $rc)" [ $rc -eq 1 ]

cp "$RIG/browser.log" "$SHOTS/browser.log" 2>/dev/null
rig_log "screenshots: $SHOTS"
ls "$SHOTS" >&2
[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: web wizard"
