# Shared by the integration tests: a private system bus (dbus-daemon with a
# system-style configuration, DBUS_SYSTEM_BUS_ADDRESS), real ferryd on it,
# and optionally real polkitd. Everything lives under $RIG and is torn down
# by rig_cleanup (installed as an EXIT trap by rig_init).
#
# Usage: source rig.sh; rig_init SOURCE_ROOT BUILD_DIR; rig_start_bus; ...

rig_log() { printf '[%s] %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$*" >&2; }
rig_fail() { rig_log "FAIL: $*"; exit 1; }

# Counted checks: a script ends with [ $FAILS -eq 0 ] || rig_fail ...
FAILS=0
ok() { rig_log "ok: $*"; }
bad() { rig_log "NOT OK: $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

rig_init() {
    SRC=$(realpath "$1"); BUILD=$(realpath "$2")
    RIG=$(mktemp -d /tmp/ferry-rig.XXXXXX)
    chmod 755 "$RIG"
    RIG_PIDS=()
    RIG_EXIT_HOOKS=() # commands run at exit (e.g. mdb_kill_all), after the exit status is kept
    trap rig_cleanup EXIT
    FERRYD="$BUILD/daemon/ferryd"
    FERRYCTL="$BUILD/cli/ferryctl"
    [ -x "$FERRYD" ] || rig_fail "ferryd not built at $FERRYD"
}

rig_cleanup() {
    local rc=$? hook
    for hook in "${RIG_EXIT_HOOKS[@]}"; do $hook; done
    for pid in "${RIG_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${RIG_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    if [ $rc -ne 0 ] && [ -n "${RIG:-}" ]; then
        for f in "$RIG"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2
    fi
    [ -n "${RIG:-}" ] && [ -z "${RIG_KEEP:-}" ] && rm -rf "$RIG"
    exit $rc
}

# Waits until CMD succeeds, polling every 50 ms, at most SECONDS seconds.
rig_wait_for() {
    local seconds=$1; shift
    local i
    for ((i = 0; i < seconds * 20; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    return 1
}

rig_start_bus() {
    mkdir -p "$RIG/bus/policy"
    cp "$SRC/dbus/org.ferry.Migration1.conf" "$RIG/bus/policy/"
    cat > "$RIG/bus/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=$RIG/bus/system_bus_socket</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>$RIG/bus/policy</includedir>
</busconfig>
CONF
    dbus-daemon --config-file="$RIG/bus/bus.conf" --nofork --nopidfile >"$RIG/dbus.log" 2>&1 &
    RIG_PIDS+=($!)
    export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$RIG/bus/system_bus_socket"
    rig_wait_for 10 busctl --system list --no-pager || rig_fail "private bus did not come up"
    rig_log "private system bus at $DBUS_SYSTEM_BUS_ADDRESS"
}

# Writes a reference appliance configuration under $RIG/NAME and prints the
# path of its ferry.conf. ADDRESS is its own network address.
rig_make_appliance() {
    local name=$1 address=$2 licensed=${3:-no}
    local root="$RIG/$name"
    mkdir -p "$root/settings" "$root/certs" "$root/logs" "$root/state"
    cat > "$root/ferry.conf" <<CONF
[Appliance]
SettingsDirectory=$root/settings
LicenseFile=$root/license.conf
CertificateDirectory=$root/certs
LogDirectory=$root/logs
Databases=hotspot
CONF
    printf '[Network]\nHostName=%s\nDomain=example.test\nAddress=%s\n' "$name" "$address" \
        > "$root/settings/network.conf"
    if [ "$licensed" = yes ]; then
        printf '[License]\nGuid=11111111-2222-3333-4444-555555555555\nState=active\n' \
            > "$root/license.conf"
    fi
    echo "$root/ferry.conf"
}

# Starts ferryd for appliance NAME and waits until it owns its name.
rig_start_ferryd() {
    local name=$1; shift
    "$FERRYD" --config="$RIG/$name/ferry.conf" --state-dir="$RIG/$name/state" --log-level=debug \
        "$@" >>"$RIG/ferryd-$name.log" 2>&1 &
    FERRYD_PID=$!
    RIG_PIDS+=($FERRYD_PID)
    rig_wait_for 10 busctl --system status org.ferry.Migration1 --no-pager \
        || rig_fail "ferryd did not take org.ferry.Migration1"
    rig_log "ferryd ($name) running as pid $FERRYD_PID"
}

rig_stop_ferryd() {
    kill "$FERRYD_PID" 2>/dev/null
    wait "$FERRYD_PID" 2>/dev/null
    rig_wait_for 10 sh -c '! busctl --system status org.ferry.Migration1 --no-pager' \
        || rig_fail "org.ferry.Migration1 still owned after ferryd stopped"
}
