#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# polkit.sh SOURCE_ROOT BUILD_DIR
#
# ferryd's authorization against a REAL polkitd on the rig's private system
# bus. polkitd runs in a private mount namespace that sees ferry's
# org.ferry.migration.policy, the 50-ferry-webpanel.rules example and two
# test users (see lib/polkit.sh); the host's files are never modified.
#   uid 61001 ferrytest  no group            -> probe/execute denied, read allowed
#   uid 61002 ferryweb   member of webpanel  -> allowed by the rules example
#   uid 0                                    -> allowed (ferryd does not ask)
# Without logind every subject is judged by allow_any.
#
# Exit 0 pass, 1 fail, 77 skip (polkitd cannot run here; the reason is printed).

HERE=$(dirname "$(realpath "$0")")
. "$HERE/lib/rig.sh"
. "$HERE/lib/polkit.sh"

[ $# -eq 2 ] || { echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2; exit 2; }

host_fingerprint() {
    sha256sum /etc/passwd /etc/group 2>&1
    ls -la --time-style=+ /etc/polkit-1 /etc/polkit-1/rules.d /usr/share/polkit-1 \
        /usr/share/polkit-1/actions /usr/share/polkit-1/rules.d 2>&1
}

# Outside: check, run this script again in a private mount namespace, then
# check that the host's files are as they were.
if [ -z "${PK_IN_NS:-}" ]; then
    pk_preflight
    before=$(host_fingerprint)
    pk_enter_ns "$(realpath "$0")" "$@"
    rc=$?
    after=$(host_fingerprint)
    if [ "$before" != "$after" ]; then
        echo "FAIL: the host's user database or polkit directories changed:" >&2
        diff <(echo "$before") <(echo "$after") >&2
        exit 1
    fi
    echo "host /etc/passwd, /etc/group and polkit directories unchanged" >&2
    exit $rc
fi

BUS_NAME=org.ferry.Migration1
OBJ=/org/ferry/Migration1
IFACE=org.ferry.Migration1
ERR=org.ferry.Migration1.Error
SOURCE_ADDR=127.0.0.9 # nothing listens there
# Distinctive, so the logs can be searched for it.
PASSWORD="pk-Secret-$$-$RANDOM"

rig_init "$1" "$2"
pk_prepare
pk_install_rules "$SRC/polkit/50-ferry-webpanel.rules.example" 50-ferry-webpanel.rules
rig_start_bus

# Callers run as uids that are not root: the socket and every directory
# above it must be reachable by them.
SOCK=${DBUS_SYSTEM_BUS_ADDRESS#unix:path=}
pk_as "$PK_UID_PLAIN" test -w "$SOCK" ||
    rig_fail "private bus socket $SOCK not reachable for uid $PK_UID_PLAIN: $(ls -ld "$RIG" "$RIG/bus" "$SOCK")"
pk_as "$PK_UID_PLAIN" busctl --system list --no-pager >/dev/null ||
    rig_fail "uid $PK_UID_PLAIN cannot connect to the private bus"

pk_start

rig_make_appliance target 10.0.0.2 >/dev/null
rig_start_ferryd target

FAILS=0
pass() { rig_log "ok: $*"; }
fail() { rig_log "NOT OK: $*"; FAILS=$((FAILS + 1)); }

# Calls METHOD as UID (0 = root) and prints the D-Bus error name, or OK.
# gdbus --address rather than --system: the private bus and nothing else,
# even where GLib would ignore DBUS_SYSTEM_BUS_ADDRESS (ruid != euid below).
call() {
    local uid=$1 method=$2; shift 2
    local out rc
    out=$(pk_as "$uid" gdbus call --address "$DBUS_SYSTEM_BUS_ADDRESS" --timeout "${CALL_TIMEOUT:-30}" --dest "$BUS_NAME" \
        --object-path "$OBJ" --method "$IFACE.$method" "$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        echo OK
    else
        local name
        name=$(grep -o 'GDBus\.Error:[A-Za-z0-9_.]*' <<<"$out" | head -n1)
        if [ -n "$name" ]; then echo "${name#GDBus.Error:}"; else echo "UNPARSED($out)"; fi
    fi
}
probe() { call "$1" Probe "$SOURCE_ADDR" "$PASSWORD" '{}'; }

# expect WHAT ACTUAL EXPECTED
expect() {
    if [ "$2" = "$3" ]; then pass "$1 -> $2"; else fail "$1: expected $3, got $2"; fi
}
probe_is() { [ "$(probe "$1")" = "$2" ]; }

# --- 1. polkitd is on the bus and knows ferry's actions ----------------------
owner_pid=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
    GetConnectionUnixProcessID s org.freedesktop.PolicyKit1 | awk '{print $2}')
owner_uid=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
    GetConnectionUnixUser s org.freedesktop.PolicyKit1 | awk '{print $2}')
expect "owner pid of org.freedesktop.PolicyKit1 is our polkitd" "$owner_pid" "$PK_PID"
expect "polkitd dropped privileges to user polkitd" "$owner_uid" "$(id -u polkitd)"
[ "$(readlink "/proc/$PK_PID/ns/mnt")" != "$PK_HOST_MNTNS" ] &&
    pass "polkitd runs in a private mount namespace, not the host's" || fail "polkitd runs in the host's mount namespace"

check_action() {
    local id=$1 any=$2 out
    out=$(pkaction --action-id "$id" --verbose 2>&1)
    if grep -q "implicit any: *$any\$" <<<"$out"; then
        pass "pkaction: $id known, implicit any: $any"
    else
        fail "pkaction $id: expected 'implicit any: $any', got: $out"
    fi
}
check_action org.ferry.migration.read yes
check_action org.ferry.migration.probe auth_admin_keep
check_action org.ferry.migration.execute auth_admin
pkaction --action-id org.ferry.migration.execute --verbose 2>&1 |
    grep -q 'org.freedesktop.policykit.imply -> org.ferry.migration.probe org.ferry.migration.read' &&
    pass "execute implies probe and read" || fail "execute lacks its imply annotation"

# CheckAuthorization by root for unix-process subjects (polkitd finds their
# uid itself), ferryd not involved: the policy defaults and the rules example
# as polkitd evaluates them.
check_process() {
    local uid=$1 action=$2 want=$3 pid start out
    # setpriv directly, not the pk_as function: $! must be the process itself.
    setpriv --reuid="$uid" --regid="$uid" --clear-groups sleep 60 &
    pid=$!
    RIG_PIDS+=("$pid")
    rig_wait_for 5 sh -c "[ \"\$(stat -c %u /proc/$pid)\" = $uid ]" || rig_fail "sleep as $uid did not start"
    start=$(awk '{print $22}' "/proc/$pid/stat")
    out=$(gdbus call --address "$DBUS_SYSTEM_BUS_ADDRESS" --dest org.freedesktop.PolicyKit1 \
        --object-path /org/freedesktop/PolicyKit1/Authority \
        --method org.freedesktop.PolicyKit1.Authority.CheckAuthorization \
        "('unix-process', {'pid': <uint32 $pid>, 'start-time': <uint64 $start>})" \
        "$action" '{}' 0 '' 2>&1)
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # out: ((true, false, {...}),)
    local got
    got=$(sed -n 's/^((\(true\|false\), \(true\|false\),.*/\1,\2/p' <<<"$out")
    expect "polkit: uid $uid $action (authorized,challenge)" "${got:-$out}" "$want"
}
check_process "$PK_UID_PLAIN" org.ferry.migration.read true,false
check_process "$PK_UID_PLAIN" org.ferry.migration.probe false,true
check_process "$PK_UID_PLAIN" org.ferry.migration.execute false,true
check_process "$PK_UID_WEB" org.ferry.migration.probe true,false
check_process "$PK_UID_WEB" org.ferry.migration.execute true,false

# --- 2. unprivileged uid 61001 ------------------------------------------------
expect "uid $PK_UID_PLAIN Probe" "$(probe "$PK_UID_PLAIN")" "$ERR.NotAuthorized"
expect "uid $PK_UID_PLAIN Start" "$(call "$PK_UID_PLAIN" Start '{}')" "$ERR.NotAuthorized"
for p in State Version Job; do
    if v=$(pk_as "$PK_UID_PLAIN" busctl --system get-property "$BUS_NAME" "$OBJ" "$IFACE" "$p" 2>&1); then
        pass "uid $PK_UID_PLAIN reads $p: $v"
    else
        fail "uid $PK_UID_PLAIN cannot read $p: $v"
    fi
done
expect "uid $PK_UID_PLAIN Plan (read allowed, then engine)" "$(call "$PK_UID_PLAIN" Plan '{}')" "$ERR.NotProbed"
expect "uid $PK_UID_PLAIN GetOptions (read allowed, then engine)" "$(call "$PK_UID_PLAIN" GetOptions)" "$ERR.NotProbed"
# Interactive without an agent: still a challenge nobody answers -> denied.
expect "uid $PK_UID_PLAIN Probe Interactive" \
    "$(call "$PK_UID_PLAIN" Probe "$SOURCE_ADDR" "$PASSWORD" "{'Interactive': <true>}")" "$ERR.NotAuthorized"

grep -q "polkit denied org.ferry.migration.probe to uid $PK_UID_PLAIN (authentication required)" \
    "$RIG/ferryd-target.log" &&
    pass "ferryd: the denial was polkit's challenge, not a polkit error" ||
    fail "ferryd did not log polkit's challenge for uid $PK_UID_PLAIN"

# Identity: ferryd must judge a caller by the identity the bus authenticated
# (SO_PEERCRED, GetConnectionCredentials' UnixUserID = the effective uid at
# connect time), the one dbus-daemon's policy and polkit use, never by a
# /proc lookup of its pid. A caller with real uid 0 and effective uid 61001
# is uid 61001 for the bus and for polkit, so it must be refused.
# (A regression test: ferryd once took getCredsUid(), the real uid read from
# /proc/PID/status. --address: with ruid != euid GLib ignores
# DBUS_SYSTEM_BUS_ADDRESS and would use the host's bus.)
got=$(setpriv --ruid=0 --euid="$PK_UID_PLAIN" --rgid="$PK_UID_PLAIN" --egid="$PK_UID_PLAIN" \
    --clear-groups gdbus call --address "$DBUS_SYSTEM_BUS_ADDRESS" --timeout 30 --dest "$BUS_NAME" --object-path "$OBJ" \
    --method "$IFACE.Probe" "$SOURCE_ADDR" "$PASSWORD" '{}' 2>&1)
raw=$got
got=$(grep -o 'GDBus\.Error:[A-Za-z0-9_.]*' <<<"$got" | head -n1)
got=${got#GDBus.Error:}
if [ "$got" = "$ERR.NotAuthorized" ]; then
    pass "real uid 0 / effective uid $PK_UID_PLAIN: Probe -> NotAuthorized (judged by the bus identity)"
else
    fail "real uid 0 / effective uid $PK_UID_PLAIN: Probe -> ${got:-$raw}"
fi

# --- 3. uid 61002 in group webpanel (rules example) ---------------------------
expect "uid $PK_UID_WEB Probe (authorized, source down)" "$(probe "$PK_UID_WEB")" "$ERR.Unreachable"
expect "uid $PK_UID_WEB Start (authorized, not probed)" "$(call "$PK_UID_WEB" Start '{}')" "$ERR.NotProbed"

# --- 4. root -------------------------------------------------------------------
expect "root Probe" "$(probe 0)" "$ERR.Unreachable"

# --- 5. negative control: without the rules file uid 61002 is denied ----------
pk_remove_rules 50-ferry-webpanel.rules
if rig_wait_for 15 probe_is "$PK_UID_WEB" "$ERR.NotAuthorized"; then
    pass "rules file removed: uid $PK_UID_WEB Probe -> NotAuthorized (polkitd reloaded)"
else
    fail "rules file removed: uid $PK_UID_WEB Probe still $(probe "$PK_UID_WEB") after 15 s"
fi
expect "uid $PK_UID_WEB Start without rules" "$(call "$PK_UID_WEB" Start '{}')" "$ERR.NotAuthorized"
expect "uid $PK_UID_WEB Plan without rules (read still allowed)" "$(call "$PK_UID_WEB" Plan '{}')" "$ERR.NotProbed"
# ... and it comes back with the file (the change above was the rules file).
pk_install_rules "$SRC/polkit/50-ferry-webpanel.rules.example" 50-ferry-webpanel.rules
rig_wait_for 15 probe_is "$PK_UID_WEB" "$ERR.Unreachable" &&
    pass "rules file reinstalled: uid $PK_UID_WEB Probe -> Unreachable" ||
    fail "rules file reinstalled: uid $PK_UID_WEB Probe still $(probe "$PK_UID_WEB")"

# The policy's promise: execute implies probe and read, so a rule that
# grants only org.ferry.migration.execute is enough for the whole wizard.
pk_remove_rules 50-ferry-webpanel.rules
rig_wait_for 15 probe_is "$PK_UID_WEB" "$ERR.NotAuthorized" ||
    fail "rules file removed again: uid $PK_UID_WEB Probe still $(probe "$PK_UID_WEB")"
cat >"$RIG/execute-only.rules" <<'JS'
polkit.addRule(function(action, subject) {
    if (action.id == "org.ferry.migration.execute" && subject.isInGroup("webpanel"))
        return polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
});
JS
pk_install_rules "$RIG/execute-only.rules" 50-ferry-execute-only.rules
rig_wait_for 15 probe_is "$PK_UID_WEB" "$ERR.Unreachable" &&
    pass "execute-only rule: uid $PK_UID_WEB Probe -> Unreachable (implied by execute)" ||
    fail "execute-only rule: uid $PK_UID_WEB Probe still $(probe "$PK_UID_WEB")"
expect "execute-only rule: uid $PK_UID_WEB Start" "$(call "$PK_UID_WEB" Start '{}')" "$ERR.NotProbed"
expect "execute-only rule: uid $PK_UID_PLAIN Probe (not in the group)" "$(probe "$PK_UID_PLAIN")" "$ERR.NotAuthorized"

# --- 7. slow polkit answers (issue 14 defects 13 and 5) ----------------------
# A rule that makes polkitd take a second over every ferry check of uid
# 61001 (polkit.spawn of sleep): its checks stay pending in ferryd as they
# would while an authentication agent shows a dialog nobody answers.
cat >"$RIG/slow.rules" <<'JS'
polkit.addRule(function(action, subject) {
    if (subject.user == "ferrytest" && action.id.indexOf("org.ferry.migration.") == 0)
        polkit.spawn(["/bin/sleep", "1"]);
    return polkit.Result.NOT_HANDLED;
});
JS
pk_remove_rules 50-ferry-execute-only.rules
pk_install_rules "$SRC/polkit/50-ferry-webpanel.rules.example" 50-ferry-webpanel.rules
pk_install_rules "$RIG/slow.rules" 10-ferry-slow.rules
slow_is_on() { # a read of uid 61001 takes a second now
    local t0=$SECONDS
    call "$PK_UID_PLAIN" GetOptions >/dev/null
    [ $((SECONDS - t0)) -ge 1 ]
}
rig_wait_for 15 slow_is_on || fail "the slow rule did not take effect"

# 13: 20 interactive Probe calls of uid 61001 at once, each from its own
# connection: ferryd keeps at most 8 of one uid waiting for polkit and
# refuses the others at once with LimitsExceeded; root and another uid
# still get their answers meanwhile.
mkdir -p "$RIG/flood"
FLOOD=()
for i in $(seq 20); do
    CALL_TIMEOUT=120 call "$PK_UID_PLAIN" Probe "$SOURCE_ADDR" "$PASSWORD" "{'Interactive': <true>}" >"$RIG/flood/$i" &
    FLOOD+=($!)
done
sleep 0.5
expect "root Probe during the flood" "$(probe 0)" "$ERR.Unreachable"
# polkitd answers one check at a time: this one waits behind the flood's.
expect "uid $PK_UID_WEB Probe during the flood" "$(CALL_TIMEOUT=120 probe "$PK_UID_WEB")" "$ERR.Unreachable"
wait "${FLOOD[@]}"
limited=$(grep -lx "$ERR.LimitsExceeded" "$RIG"/flood/* | wc -l)
denied=$(grep -lx "$ERR.NotAuthorized" "$RIG"/flood/* | wc -l)
# polkitd answers one check a second: at most 8 (+ one a second while the
# calls arrive) reach it.
expect "flood of 20: every call answered (denied $denied, LimitsExceeded $limited)" "$((denied + limited))" 20
[ "$limited" -ge 10 ] && pass "flood of 20: $limited refused at once with LimitsExceeded" ||
    fail "flood of 20: only $limited refused with LimitsExceeded ($denied waited for polkit)"
grep -q "Refused a polkit check of org.ferry.migration.probe for uid $PK_UID_PLAIN" "$RIG/ferryd-target.log" &&
    pass "ferryd logged the refusals" || fail "ferryd did not log the refusals"
expect "after the flood uid $PK_UID_PLAIN Probe is judged by polkit again" "$(probe "$PK_UID_PLAIN")" "$ERR.NotAuthorized"

# 5: GetEvents calls of uid 61001 wait for polkit while root acknowledges
# the job: the job object is destroyed before their answers arrive. Their
# callbacks must not touch it (an ASan build reports a use-after-free
# otherwise): each answers its events or UnknownObject, ferryd lives.
rig_stop_ferryd
cp "$SRC/tests/integration/fixtures/job-failed.json" "$RIG/target/state/job.json"
chmod 0600 "$RIG/target/state/job.json"
rig_start_ferryd target
JOBID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$RIG/target/state/job.json")
JPATH=$OBJ/job/$JOBID
jcall() {
    local uid=$1 method=$2; shift 2
    local out rc
    out=$(pk_as "$uid" gdbus call --address "$DBUS_SYSTEM_BUS_ADDRESS" --timeout 120 --dest "$BUS_NAME" \
        --object-path "$JPATH" --method "$IFACE.Job.$method" "$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then echo OK; else
        out=$(grep -o 'GDBus\.Error:[A-Za-z0-9_.]*' <<<"$out" | head -n1); echo "${out#GDBus.Error:}"
    fi
}
mkdir -p "$RIG/events"
EVENTS=()
for i in $(seq 8); do
    jcall "$PK_UID_PLAIN" GetEvents 0 >"$RIG/events/$i" &
    EVENTS+=($!)
done
sleep 0.3
expect "root Acknowledge() while GetEvents calls wait for polkit" "$(jcall 0 Acknowledge)" OK
wait "${EVENTS[@]}"
gone=$(grep -lx org.freedesktop.DBus.Error.UnknownObject "$RIG"/events/* | wc -l)
answered=$(grep -lx OK "$RIG"/events/* | wc -l)
expect "GetEvents answered ($answered) or UnknownObject ($gone), nothing else" "$((answered + gone))" 8
[ "$gone" -ge 1 ] && pass "$gone GetEvents answered after the object was gone" ||
    fail "no GetEvents was still pending at the Acknowledge (the race was not reproduced)"
if kill -0 "$FERRYD_PID" 2>/dev/null &&
    v=$(busctl --system get-property "$BUS_NAME" "$OBJ" "$IFACE" Job 2>&1) && [ "$v" = 'o "/"' ]; then
    pass "ferryd alive after the race, no job ($v)"
else
    fail "ferryd died or answers wrongly after the race: $v"
fi
pk_remove_rules 10-ferry-slow.rules

# --- 6. no polkitd at all: fail closed, ferryd survives -----------------------
pk_stop
expect "no polkitd: uid $PK_UID_PLAIN Probe" "$(probe "$PK_UID_PLAIN")" "$ERR.NotAuthorized"
expect "no polkitd: uid $PK_UID_WEB Probe" "$(probe "$PK_UID_WEB")" "$ERR.NotAuthorized"
expect "no polkitd: uid $PK_UID_PLAIN Plan (read fails closed too)" "$(call "$PK_UID_PLAIN" Plan '{}')" "$ERR.NotAuthorized"
expect "no polkitd: root Probe (not asked)" "$(probe 0)" "$ERR.Unreachable"
if kill -0 "$FERRYD_PID" 2>/dev/null &&
    v=$(pk_as "$PK_UID_PLAIN" busctl --system get-property "$BUS_NAME" "$OBJ" "$IFACE" Version 2>&1); then
    pass "ferryd alive after polkit failures (Version $v)"
else
    fail "ferryd died or stopped answering without polkitd"
fi
grep -q "polkit check of org.ferry.migration.probe for uid $PK_UID_PLAIN failed" "$RIG/ferryd-target.log" &&
    pass "ferryd logged the polkit failure" || fail "ferryd did not log the polkit failure"

# --- hygiene --------------------------------------------------------------------
if grep -rqF -- "$PASSWORD" "$RIG"/*.log; then
    fail "the Probe password appears in a log: $(grep -lF -- "$PASSWORD" "$RIG"/*.log)"
else
    pass "the Probe password appears in no log"
fi

if [ "$FAILS" -ne 0 ]; then
    rig_fail "$FAILS assertion(s) failed"
fi
rig_log "PASS: polkit authorization with the real polkitd"
