#!/usr/bin/env bash
# The Cockpit page (web/) end to end in a real browser: headless Chromium
# (Debian's chromium, driven by playwright-core from npm) against a real
# cockpit-ws/cockpit-bridge on a private system bus, with the real ferryd
# (target) migrating a real source (ferry-peer + mariadbd) on this machine.
# systemd's manager and logind are TEST DOUBLES here, as in
# migration-standalone.sh and migration-ha.sh. Three scenarios, each with its
# own target, ferryd, cockpit-ws session and browser profile:
#
# standalone (tests/web/wizard.spec.mjs): the Migration tool entry; the 7
# steps with their exact texts; a bad address, a closed port and a wrong
# password each shown as the daemon's named error in words while the page
# stays on Source; the HA view (high availability, DNS advice, Swap
# Configuration forced on with its reason, the HA plan) with a source that
# is put into a ring for that part only; the standalone run with Migrate
# License and Copy User Traffic Logs; a page reload in the middle of
# Execution that rebuilds the view from GetEvents(0) and the properties; a
# failed operation (restart-services, failed by the systemd double) shown
# with its message and remedy, a reload while failed, a restart of ferryd,
# Resume, then "Congratulations! Migration was successfully completed", the
# Result step and Close (Acknowledge + the login page). Here afterwards: the
# job is acknowledged, every table arrived.
#
# ha (tests/web/wizard-ha.spec.mjs): a real MariaDB ring A -> B -> C -> A
# (tests/rig/ring.sh, as in migration-ha.sh) with a writer on A; the target
# T migrates B, clicked through steps 1 to 5 in German first (the HA texts
# of po/de.po, nothing started), then all 7 steps: Source Info in high
# availability with the DNS advice naming the rig's addresses, Swap
# Configuration forced on with its reason, the HA operations on
# Confirmation, Execution across the reboot of both systems (played here
# when the page shows "rebooting": ferryd, both ferry-peers' and mariadbds'
# processes restarted with exchanged addresses, ferryd with a new boot id),
# the page following by itself, Congratulations, the Result with the DNS
# revert advice from the job's Source, the Result once more in German. Here afterwards: the ring is
# A -> T -> C -> A, every write of the writer on every node once, writes
# after the migration reach every node, checksums equal, the round-robin
# hosts back on A, the job acknowledged.
#
# de (tests/web/wizard-de.spec.mjs): the wizard once in German, Cockpit's
# display language set as the shell's dialog sets it (cookie CockpitLang):
# a small standalone migration of its own source and target clicked
# through all 7 steps, on ferry's default path (pre-copy-data, the copy while
# the source serves, listed first; the unavailable window on Confirmation
# and Execution), the German texts of po/de.po checked on every step
# (copied into tests/web/manual-de.mjs), no English manual sentence left,
# axe-core on every step. Here afterwards: the job is acknowledged, every
# table arrived, the license moved.
#
# At the end: the password is in no file of the rig (browser profiles
# included).
#
# Usage: tests/web/browser.sh SOURCE_ROOT BUILD_DIR
#   exit 0 pass, 1 fail, 77 skip (no chromium/cockpit/playwright-core).
# Screenshots: BUILD_DIR/meson-logs/web-screenshots/ (printed at the end):
# NN-step.png (standalone), de-NN-step.png (German), ha-NN-step.png (HA).
# Environment: FERRY_WEB_SCENARIOS ("standalone de ha"), FERRY_WEB_ROWS
# (50000, standalone), FERRY_WEB_DE_ROWS (2000, de), FERRY_WEB_HA_ROWS
# (5000 per ring node),
# FERRY_WEB_NODE_MODULES (where playwright-core is installed; default
# BUILD_DIR/tests/web/node), FERRY_WEB_NO_INSTALL=1 (never apt-get/npm
# install: skip instead), FERRY_WEB_TIMEOUT (240 s per browser spec),
# FERRY_WEB_HOLD=1 (standalone rig, print the URL, wait for Ctrl-C),
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

# ---- prerequisites: Debian packages, then playwright-core from npm --------
# shellcheck source=tests/web/prereq.sh
source "$(dirname "$(realpath "$0")")/prereq.sh"
web_prereq "$BUILD_ROOT" cockpit-ws:"$COCKPIT_WS" cockpit-bridge:/usr/bin/cockpit-bridge \
    cockpit-system:/usr/share/cockpit/shell || skip "$WEB_WHY"
CHROMIUM=$WEB_CHROMIUM NODE_DIR=$WEB_NODE_DIR PW_VERSION=$WEB_PW_VERSION

SCENARIOS=${FERRY_WEB_SCENARIOS:-standalone de ha}
for s in $SCENARIOS; do
    case $s in standalone | de | ha) ;; *) echo "unknown scenario '$s' (standalone, de, ha)" >&2; exit 1 ;; esac
done

# ---- the rig: private bus, systemd and logind doubles, session bus --------
source "$SRC_ROOT/tests/integration/lib/rig.sh"
rig_init "$SRC_ROOT" "$BUILD_ROOT"
source "$SRC/tests/rig/mariadb.sh"
source "$SRC/tests/rig/appliance.sh"
source "$SRC/tests/rig/ring.sh"
RIG_EXIT_HOOKS+=(mdb_kill_all)
[ -x "$BUILD/peer/ferry-peer" ] || rig_fail "ferry-peer not built"
[ -x "$BUILD/tests/integration/systemd-double" ] || rig_fail "systemd-double not built"
[ -x "$BUILD/tests/integration/login1-double" ] || rig_fail "login1-double not built"
rig_log "playwright-core $PW_VERSION, $("$CHROMIUM" --version 2>/dev/null | head -1), cockpit $(dpkg-query -W -f='${Version}' cockpit-ws 2>/dev/null), scenarios: $SCENARIOS"

SHOTS="$BUILD/meson-logs/web-screenshots"
rm -rf "$SHOTS"; mkdir -p "$SHOTS"
: > "$RIG/browser.log"

PASSWORD="Adm1n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$PASSWORD" > "$RIG/password"; chmod 600 "$RIG/password"
printf 'wrong-%s' "$RANDOM" > "$RIG/wrong"; chmod 600 "$RIG/wrong"
boot_id() { tr -d '-' < /proc/sys/kernel/random/uuid; }

rig_start_bus
# The standalone scenario starts the systemd double with
# --fail=hotspot-portal.service, so that restart-services fails and the page
# shows the failure and Resume; fix-systemd restarts it without --fail.
SD_PID=
start_systemd_double() {
    if [ -n "$SD_PID" ]; then
        kill "$SD_PID"; wait "$SD_PID" 2>/dev/null
        rig_wait_for 10 sh -c '! busctl --system status org.freedesktop.systemd1 --no-pager' || rig_fail "double still on the bus"
    fi
    "$BUILD/tests/integration/systemd-double" --record="$RIG/systemd-calls.log" "$@" >>"$RIG/systemd-double.log" 2>&1 &
    SD_PID=$!
    RIG_PIDS+=("$SD_PID")
    rig_wait_for 10 busctl --system status org.freedesktop.systemd1 --no-pager || rig_fail "systemd double"
}
# logind: records Reboot and reboots nothing (the HA scenario plays it).
"$BUILD/tests/integration/login1-double" --record="$RIG/reboots.rec" >"$RIG/login1-double.log" 2>&1 &
RIG_PIDS+=($!)
rig_wait_for 10 busctl --system status org.freedesktop.login1 --no-pager || rig_fail "login1 double"
touch "$RIG/reboots.rec"

# A session bus of our own for the bridge (it would start one and leave it
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

# ---- cockpit-ws with the page from the source tree ------------------------
# The bridge finds packages in $XDG_DATA_DIRS/cockpit/NAME. The data dir
# here holds the package "ferry" as a link to web/dist/ in the source tree
# (the built page, committed; nothing installed) and links to the Cockpit
# packages the shell needs: base1 (cockpit.js, the one file of another
# package the page loads), shell, static (login page), branding. No other
# Cockpit page: the ferry page must not need one (the specs check every
# request of its frame). The systemd pages are left out on purpose: the
# shell preloads them and they fail against the systemd TEST DOUBLE
# ("Ooops!" in every screenshot).
mkdir -p "$RIG/xdg/cockpit" "$RIG/runtime"
chmod 700 "$RIG/runtime"
[ -f "$SRC/web/dist/index.html" ] || rig_fail "web/dist is missing (tools/build-web builds it)"
ln -s "$SRC/web/dist" "$RIG/xdg/cockpit/ferry"
for p in base1 shell static branding; do
    [ -e "/usr/share/cockpit/$p" ] || skip "/usr/share/cockpit/$p is missing (cockpit-bridge, cockpit-ws, cockpit-system)"
    ln -s "/usr/share/cockpit/$p" "$RIG/xdg/cockpit/$p"
done
# One cockpit-ws per scenario: its local session is single-use (Close
# logs out, and the bridge exits when the last browser is gone).
WS_PID=
start_cockpit_ws() {
    if [ -n "$WS_PID" ]; then
        kill "$WS_PID" 2>/dev/null; wait "$WS_PID" 2>/dev/null
    fi
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    env DBUS_SESSION_BUS_ADDRESS="unix:path=$RIG/session_bus_socket" \
        XDG_DATA_DIRS="$RIG/xdg" \
        XDG_RUNTIME_DIR="$RIG/runtime" \
        "$COCKPIT_WS" --no-tls --address 127.0.0.1 --port "$PORT" --local-session=cockpit-bridge \
        >>"$RIG/cockpit-ws.log" 2>&1 &
    WS_PID=$!
    RIG_PIDS+=("$WS_PID")
    rig_wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$PORT/" || {
        tail -20 "$RIG/cockpit-ws.log" >&2
        skip "cockpit-ws did not start (log above)"
    }
    BASE="http://127.0.0.1:$PORT"
    rig_log "cockpit-ws at $BASE (pid $WS_PID), the page at $BASE/ferry"
}

# ---- requests of the browser specs ------------------------------------------
# A spec asks the rig for what it cannot do itself by writing
# $RIG/web-requests/NAME and waiting for NAME.done; the scenario's
# handle_SCENARIO NAME does it.
run_spec() { # SCENARIO SPEC VAR=VALUE...: runs the spec, answering its requests
    local scenario=$1 spec=$2; shift 2
    rm -rf "$RIG/web-requests"; mkdir -p "$RIG/web-requests"
    rig_log "browser: $spec"
    env FERRY_NODE_MODULES="$NODE_DIR/node_modules" \
        FERRY_BASE_URL="$BASE" \
        FERRY_CHROMIUM="$CHROMIUM" \
        FERRY_SCREENSHOTS="$SHOTS" \
        FERRY_PROFILE="$RIG/chromium-profile-$scenario" \
        FERRY_REQUESTS="$RIG/web-requests" \
        "$@" node "$SRC/tests/web/$spec" 2>>"$RIG/browser.log" &
    local node_pid=$! r name
    RIG_PIDS+=("$node_pid")
    local deadline=$((SECONDS + ${FERRY_WEB_TIMEOUT:-240}))
    while kill -0 "$node_pid" 2>/dev/null; do
        for r in "$RIG"/web-requests/*; do
            name=${r##*/}
            [ -e "$r" ] && [ "${name%.done}" = "$name" ] && [ ! -e "$r.done" ] || continue
            rig_log "browser asked: $name"
            "handle_$scenario" "$name"
            touch "$r.done"
        done
        if [ $SECONDS -ge $deadline ]; then
            rig_log "the browser test did not end in time"
            kill "$node_pid"
            break
        fi
        sleep 0.1
    done
    wait "$node_pid"; SPEC_RC=$?
    [ "$SPEC_RC" -eq 77 ] && skip "$CHROMIUM could not be started by playwright-core (its log follows)"
    check "browser spec $spec passed (exit $SPEC_RC)" [ "$SPEC_RC" -eq 0 ]
}

MGR=(org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1)
manager_job() { busctl --system get-property "${MGR[@]}" Job 2>/dev/null; }

# ============================================================================
# standalone
# ============================================================================
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
# start-ferryd   start ferryd (the page was opened without it)
# restart-ferryd stop ferryd (SIGTERM) and start it again
# hold-copy      a session on the source holds LOCK TABLES hotspot.nas WRITE,
#                so copy-data waits in FLUSH TABLES WITH READ LOCK: the page
#                is reloaded while the job is certainly running
# release-copy   KILL that session: the copy goes on
# fix-systemd    restart the systemd double without --fail
# source-state   what the page's Abandon says of the source, as found on the
#                rig: its maintenance flag and the units of its Services=
#                that systemd (the double) was asked to stop and to mask;
#                the answer in source-state.done
source_state() {
    local stopped masked m=no
    [ -e "$RIG/source/maintenance" ] && m=yes
    stopped=$(sed -n 's/^StopUnit \([^ ]*\) .*/\1/p' "$RIG/systemd-calls.log" | paste -sd,)
    masked=$(sed -n 's/^MaskUnitFiles \([^ ]*\) persistent$/\1/p' "$RIG/systemd-calls.log" | paste -sd,)
    # The answer is the .done file itself (the spec reads it once it exists).
    echo "maintenance=$m stopped=$stopped masked=$masked" > "$RIG/source-state.tmp"
    mv "$RIG/source-state.tmp" "$RIG/web-requests/source-state.done"
}
# break-hostname the source's HostName= made invalid (the job then fails in
#                copy-settings before writing anything); a checksum of this
#                system's settings taken first
# abandon-state  after Abandon: the manager's job, the source's maintenance
#                flag, units stopped, this system's settings against the
#                checksum; the answer in abandon-state.done
# fix-hostname   the source's HostName= back
settings_sum() { (cd "$RIG/target/settings" && sha256sum -- * | sha256sum); }
break_hostname() {
    settings_sum > "$RIG/target-settings.sum"
    sed -i 's/^HostName=.*/HostName=bad_host!/' "$RIG/source/settings/network.conf"
}
abandon_state() {
    local job m=no same=changed
    job=$(manager_job)
    [ -e "$RIG/source/maintenance" ] && m=yes
    [ "$(settings_sum)" = "$(cat "$RIG/target-settings.sum")" ] && same=unchanged
    job=${job#o }; job=${job//\"/}
    # Written whole, then renamed: the spec reads it as soon as it exists.
    echo "job=$job maintenance=$m stopped=$(sed -n 's/^StopUnit \([^ ]*\) .*/\1/p' "$RIG/systemd-calls.log" 2>/dev/null | paste -sd,) target-settings=$same" \
        > "$RIG/abandon-state.tmp"
    mv "$RIG/abandon-state.tmp" "$RIG/web-requests/abandon-state.done"
}
handle_standalone() {
    case $1 in
    start-ferryd) rig_start_ferryd target ;;
    restart-ferryd) rig_stop_ferryd; rig_start_ferryd target ;;
    hold-copy) hold_copy ;;
    release-copy) release_copy ;;
    fix-systemd) start_systemd_double ;;
    source-state) source_state ;;
    break-hostname) break_hostname ;;
    abandon-state) abandon_state ;;
    fix-hostname) sed -i 's/^HostName=.*/HostName=source/' "$RIG/source/settings/network.conf" ;;
    *) rig_log "unknown request $1" ;;
    esac
}

scenario_standalone() {
    rig_log "==== scenario standalone ===="
    local rows=${FERRY_WEB_ROWS:-50000}
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

    start_systemd_double --fail=hotspot-portal.service
    app_make source "$SRC_ADDR" yes active
    app_make target "$TGT_ADDR" no
    # One copy thread, so the data copy is long enough to reload the page in it.
    printf 'CopyThreads=1\n' >> "$RIG/target/ferry.conf"
    app_fill_logs source 8
    app_start_mariadb_tls source
    app_start_mariadb target
    python3 "$SRC/tests/rig/gen_dataset.py" --socket "$RIG/source/db/mysqld.sock" --rows "$rows" \
        >"$RIG/gen.log" 2>&1 || rig_fail "dataset generation failed"
    app_start_peer source "$RIG/password"
    # ferryd starts later, when the browser asks (start-ferryd): the page is
    # first opened without it.
    app_table_sums source > "$RIG/sums-source"
    local guid
    guid=$(sed -n 's/^Guid=//p' "$RIG/source/license.conf")
    start_cockpit_ws

    if [ -n "${FERRY_WEB_HOLD:-}" ]; then
        rig_start_ferryd target
        rig_log "HOLD: source $SRC_ADDR, password file $RIG/password; Ctrl-C ends"
        wait "$WS_PID"
        exit 0
    fi

    run_spec standalone wizard.spec.mjs \
        FERRY_SOURCE_ADDR="$SRC_ADDR" \
        FERRY_TARGET_ADDR="$TGT_ADDR" \
        FERRY_DEAD_ADDR="$DEAD_ADDR" \
        FERRY_SOURCE_GUID="$guid" \
        FERRY_SOURCE_SETTINGS="$RIG/source/settings" \
        FERRY_SOURCE_LICENSE="$RIG/source/license.conf" \
        FERRY_PASSWORD_FILE="$RIG/password" \
        FERRY_WRONG_PASSWORD_FILE="$RIG/wrong"
    [ -n "$HOLD_PID" ] && release_copy

    local job
    job=$(manager_job)
    check "Close acknowledged the job (Manager.Job: $job)" [ "$job" = 'o "/"' ]
    app_table_sums target > "$RIG/sums-target"
    check "every table arrived ($(wc -l < "$RIG/sums-source") tables, $rows rows generated)" \
        cmp -s "$RIG/sums-source" "$RIG/sums-target"
    check "license moved (Migrate License was on)" grep -q "^Guid=$guid" "$RIG/target/license.conf"
    check "log files copied (Copy User Traffic Logs was on)" diff -rq "$RIG/source/logs" "$RIG/target/logs"
    check "restart-services went through systemd after Resume" grep -q 'RestartUnit hotspot-portal.service' "$RIG/systemd-calls.log"

    # Out of the way of the next scenario.
    rig_stop_ferryd
    kill "$APP_PEER_PID_source" 2>/dev/null; wait "$APP_PEER_PID_source" 2>/dev/null
    mdb_stop source; mdb_stop target
}

# ============================================================================
# de: the wizard once in German
# ============================================================================
# A small standalone migration (FERRY_WEB_DE_ROWS rows, 1 MiB of logs) of
# its own source and target, clicked through all seven steps with Cockpit's
# display language set to German (wizard-de.spec.mjs). ferryd runs from the
# start and the systemd double fails nothing: the failure paths are the
# English run's.
handle_de() { rig_log "unknown request $1"; }

scenario_de() {
    rig_log "==== scenario de (German) ===="
    local rows=${FERRY_WEB_DE_ROWS:-2000} guid job
    DE_SRC=$(mdb_pick_address 127.0.0.55 127.0.0.65 127.0.0.75) || rig_fail "no free address"
    DE_TGT=$(mdb_pick_address 127.0.0.50 127.0.0.60 127.0.0.70 | grep -vx "$DE_SRC") || rig_fail "no free address"
    rig_log "source $DE_SRC, target $DE_TGT"
    start_systemd_double
    app_make desource "$DE_SRC" yes active
    # The copy while the source serves, ferry's default: the German run
    # shows ferry's own operation (the others keep the manual's path).
    FERRY_COPY_WHILE_SERVING=yes app_make detarget "$DE_TGT" no
    app_fill_logs desource 1
    app_start_mariadb_tls desource
    app_start_mariadb detarget
    python3 "$SRC/tests/rig/gen_dataset.py" --socket "$RIG/desource/db/mysqld.sock" --rows "$rows" \
        >"$RIG/gen-de.log" 2>&1 || rig_fail "dataset generation failed"
    app_start_peer desource "$RIG/password"
    rig_start_ferryd detarget
    app_table_sums desource > "$RIG/sums-de-source"
    guid=$(sed -n 's/^Guid=//p' "$RIG/desource/license.conf")
    start_cockpit_ws

    run_spec de wizard-de.spec.mjs \
        FERRY_SHOT_PREFIX=de- \
        FERRY_SOURCE_ADDR="$DE_SRC" \
        FERRY_SOURCE_GUID="$guid" \
        FERRY_PASSWORD_FILE="$RIG/password" \
        FERRY_WRONG_PASSWORD_FILE="$RIG/wrong"

    job=$(manager_job)
    check "de: Close acknowledged the job (Manager.Job: $job)" [ "$job" = 'o "/"' ]
    app_table_sums detarget > "$RIG/sums-de-target"
    check "de: every table arrived ($(wc -l < "$RIG/sums-de-source") tables, $rows rows generated)" \
        cmp -s "$RIG/sums-de-source" "$RIG/sums-de-target"
    check "de: license moved (Migrate License was on)" grep -q "^Guid=$guid" "$RIG/detarget/license.conf"

    rig_stop_ferryd
    kill "$APP_PEER_PID_desource" 2>/dev/null; wait "$APP_PEER_PID_desource" 2>/dev/null
    mdb_stop desource; mdb_stop detarget
}

# ============================================================================
# ha
# ============================================================================
# The reboot of both systems, as migration-ha.sh plays it: once ferryd (T)
# and B's ferry-peer have both asked logind, stop ferryd, B's ferry-peer and
# both mariadbd; B applies the staged settings (ferry-peer --apply-staged);
# T's mariadbd comes back on B's address, B's mariadbd and ferry-peer on
# T's; ferryd starts with a new boot id.
play_reboot() {
    local both= i
    for i in $(seq 600); do
        if grep -q "pid=$FERRYD_PID " "$RIG/reboots.rec" && grep -q "pid=$HA_PEER_PID " "$RIG/reboots.rec"; then
            both=1; break
        fi
        sleep 0.1
    done
    check "HA: both sides asked logind to reboot" [ -n "$both" ]
    [ -n "$both" ] || { cat "$RIG/reboots.rec" >&2; return 1; }
    check "HA before the reboot: the round-robin hosts are off the Main node" [ -z "$(rr_hosts)" ]
    check "HA before the reboot: B left the ring (no replica) and is read-only" \
        [ "$(ring_replica nodeb)|$(mdb_sql nodeb 'SELECT @@read_only')" = "- - -|1" ]
    rig_log "rebooting B and T with exchanged addresses"
    rig_stop_ferryd
    kill "$HA_PEER_PID"; wait "$HA_PEER_PID" 2>/dev/null
    mdb_stop nodeb
    mdb_stop nodet
    "$BUILD/peer/ferry-peer" --config="$RIG/nodeb/ferry.conf" --apply-staged >>"$RIG/peer-nodeb.log" 2>&1
    check "HA: ferry-peer --apply-staged on B" [ $? -eq 0 ]
    # T's boot: the same boot unit applies the settings (B's) that the
    # reboot operation staged there once B agreed to reboot (copy-settings
    # holds them back until then), as migration-ha.sh plays it.
    grep -q '^\[Peer\]' "$RIG/nodet/ferry.conf" ||
        printf '\n[Peer]\nStateDirectory=%s\n' "$RIG/nodet/peer/state" >>"$RIG/nodet/ferry.conf"
    "$BUILD/peer/ferry-peer" --config="$RIG/nodet/ferry.conf" --apply-staged >>"$RIG/peer-nodet.log" 2>&1
    check "HA: ferry-peer --apply-staged on T" [ $? -eq 0 ]
    APP_ADDR_nodeb=$HA_T
    APP_ADDR_nodet=$HA_B
    app_start_mariadb nodet
    app_start_mariadb_tls nodeb
    app_run_peer nodeb # at T now
    HA_PEER_PID=$APP_PEER_PID_nodeb
    FERRY_BOOT_ID=$(boot_id) rig_start_ferryd nodet
}
rr_hosts() { sed -n 's/^Hosts=//p' "$RIG/nodea/settings/round_robin.conf"; }
# reboot   play the reboot of both systems (see play_reboot)
handle_ha() {
    case $1 in
    reboot) play_reboot ;;
    *) rig_log "unknown request $1" ;;
    esac
}

# A writer on A the whole time: rows A-1, A-2, ... committed one by one, the
# last committed n in a file; it stops when $RIG/stop-writer exists.
ha_writer() {
    local i
    for ((i = 1; i <= 20000; i++)); do
        [ -e "$RIG/stop-writer" ] && break
        if mdb_sql nodea "INSERT INTO hotspot.ha_writes VALUES ('A-$i', 'A', $i)" 2>>"$RIG/writer.err"; then
            echo "$i" > "$RIG/writer.last"
        else
            break # a failed insert would leave a gap the check cannot tell from a loss
        fi
        sleep 0.1
    done
}

scenario_ha() {
    rig_log "==== scenario ha ===="
    local rows=${FERRY_WEB_HA_ROWS:-5000} n role repl_pw
    export APP_MDB_RING=1
    # Four mariadbd at once: small buffer pools (the data set is small).
    export MDB_BUFFER_POOL=${MDB_BUFFER_POOL:-64M}
    repl_pw="r-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    HA_A=$(mdb_pick_address 127.0.0.56 127.0.0.66 127.0.0.76) || rig_fail "no free address"
    HA_B=$(mdb_pick_address 127.0.0.57 127.0.0.67 127.0.0.77 | grep -vx "$HA_A") || rig_fail "no free address"
    HA_C=$(mdb_pick_address 127.0.0.58 127.0.0.68 127.0.0.78 | grep -vx -e "$HA_A" -e "$HA_B") || rig_fail "no free address"
    HA_T=$(mdb_pick_address 127.0.0.59 127.0.0.69 127.0.0.79 | grep -vx -e "$HA_A" -e "$HA_B" -e "$HA_C") || rig_fail "no free address"
    rig_log "ring A=$HA_A (Main) -> B=$HA_B (source) -> C=$HA_C -> A; target T=$HA_T"
    start_systemd_double

    ring_rig nodea nodeb nodec nodet "$HA_A" "$HA_B" "$HA_C" "$HA_T" "$repl_pw" "$rows" "$RIG/gen-ha.log"
    check "HA: ring formed: B replicates from A, C from B, A from C" \
        [ "$(ring_replica nodeb)|$(ring_replica nodec)|$(ring_replica nodea)" = "$HA_A Yes Yes|$HA_B Yes Yes|$HA_C Yes Yes" ]

    app_start_peer nodeb "$RIG/password"
    HA_PEER_PID=$APP_PEER_PID_nodeb
    app_start_peer nodea "$RIG/password"
    FERRY_BOOT_ID=$(boot_id) rig_start_ferryd nodet
    local guid job
    guid=$(sed -n 's/^Guid=//p' "$RIG/nodeb/license.conf")
    ha_writer & local writer=$!; RIG_PIDS+=($writer)
    start_cockpit_ws
    # After the Swap this system answers at B's former address, and the
    # page's Close opens the login page there: a second cockpit-ws on B's
    # address and the same port, without a local session (login page only).
    env XDG_DATA_DIRS="$RIG/xdg" XDG_RUNTIME_DIR="$RIG/runtime" \
        "$COCKPIT_WS" --no-tls --address "$HA_B" --port "$PORT" >>"$RIG/cockpit-ws-b.log" 2>&1 &
    RIG_PIDS+=($!)
    rig_wait_for 10 curl -sf -o /dev/null "http://$HA_B:$PORT/" || rig_fail "cockpit-ws at $HA_B did not start"

    run_spec ha wizard-ha.spec.mjs \
        FERRY_SHOT_PREFIX=ha- \
        FERRY_HA_A="$HA_A" FERRY_HA_B="$HA_B" FERRY_HA_C="$HA_C" FERRY_HA_LB=lb.example.test \
        FERRY_SOURCE_GUID="$guid" \
        FERRY_PASSWORD_FILE="$RIG/password"

    touch "$RIG/stop-writer"
    wait "$writer" 2>/dev/null
    job=$(manager_job)
    check "HA: Close acknowledged the job (Manager.Job: $job)" [ "$job" = 'o "/"' ]
    # The ring now: a real HA migration took place.
    ring_wait_sync 60 nodea nodet nodec
    check "HA: the ring converged: A, T and C at the same GTID position" [ $? -eq 0 ]
    check "HA: the ring is A -> T -> C -> A (T at B's former address $HA_B): $(ring_replica nodet) | $(ring_replica nodec) | $(ring_replica nodea)" \
        [ "$(ring_replica nodet)|$(ring_replica nodec)|$(ring_replica nodea)" = "$HA_A Yes Yes|$HA_B Yes Yes|$HA_C Yes Yes" ]
    check "HA: B is out of any ring" [ "$(ring_replica nodeb)" = "- - -" ]
    local na got
    na=$(cat "$RIG/writer.last" 2>/dev/null || echo 0)
    check "HA: the writer on A ran throughout the migration ($na rows)" [ "$na" -gt 50 ]
    for n in nodea nodet nodec; do
        got=$(mdb_sql $n "SELECT COUNT(*), COUNT(DISTINCT n), MIN(n), MAX(n) FROM hotspot.ha_writes WHERE node='A'" | tr '\t' ' ')
        check "HA: $n has every write of the writer on A exactly once ($got)" [ "$got" = "$na $na 1 $na" ]
    done
    ring_check_later_writes nodea nodet nodec
    app_table_sums nodea > "$RIG/sums-a"
    app_table_sums nodet > "$RIG/sums-t"
    app_table_sums nodec > "$RIG/sums-c"
    check "HA: every table's checksums equal on A, T and C ($(wc -l < "$RIG/sums-a") tables)" \
        sh -c "cmp -s '$RIG/sums-a' '$RIG/sums-t' && cmp -s '$RIG/sums-a' '$RIG/sums-c'"
    check "HA: T runs as the source's server id" [ "$(mdb_sql nodet 'SELECT @@server_id')" = "${HA_B##*.}" ]
    check "HA: the round-robin hosts are back on the Main node A" cmp -s "$RIG/round-robin-before" "$RIG/nodea/settings/round_robin.conf"
    check "HA: the license moved (Migrate License was on)" grep -q "^Guid=$guid" "$RIG/nodet/license.conf"
}

for s in $SCENARIOS; do "scenario_$s"; done

grep -rqF --exclude=password -e "$PASSWORD" "$RIG"; rc=$?
check "the password is in no file of the rig, browser profiles included (grep exit $rc)" [ $rc -eq 1 ]

cp "$RIG/browser.log" "$SHOTS/browser.log" 2>/dev/null
rig_log "screenshots: $SHOTS"
ls "$SHOTS" >&2
[ $FAILS -eq 0 ] || rig_fail "$FAILS check(s) failed"
rig_log "PASS: web wizard ($SCENARIOS)"
