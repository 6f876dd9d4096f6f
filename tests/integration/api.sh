#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The D-Bus API of ferryd (brief §3, §4, §8) on a private system bus with the
# real ferryd, driven with busctl and gdbus:
#
#   a. introspection of the manager and of a job object equals dbus/*.xml
#      (methods with their arguments, properties with type, access and
#      EmitsChangedSignal, signals with their arguments);
#   b. State, Job and Version (the meson project version) when idle;
#   c. GetOptions, Plan and Start before Probe: NotProbed;
#   d. bad input for every argument: the named error, and the state
#      directory unchanged (file list, modes, inodes, mtimes and contents);
#      Probe of an address where nothing listens: Unreachable naming 80, 443
#      and 3306;
#   e. the Admin password appears nowhere: not in a reply, not under the rig
#      directory (state directory, logs);
#   f. job objects from fixture journals (fixtures/job-*.json): a failed job
#      (properties, GetEvents, Acknowledge, UnknownObject afterwards) and an
#      unfinished one (resumed at start with attempt+1 and a "resumed" event,
#      failed with Unreachable (its source 127.0.0.20 does not answer), Resume(), Acknowledge,
#      the job-active marker gone once failed); Acknowledge pipelined with a
#      property read of the job object;
#   g. a corrupt journal: ferryd refuses to start, says why, and leaves the
#      file untouched.
#
#   api.sh SOURCE_ROOT BUILD_DIR
#
# Every check is run and reported ("ok: ..." / "FAIL: ..."); the exit status
# is 1 if any failed, 77 (skip) if a needed tool is missing.

set -u
set -o pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2
    exit 1
fi
for tool in dbus-daemon busctl gdbus python3 sha256sum; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found (tools/deps installs it)" >&2
        exit 77
    fi
done
# ferryd logs to the journal when JOURNAL_STREAM is set; the checks read
# its log file.
unset JOURNAL_STREAM
export LC_ALL=C.UTF-8 SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat

# shellcheck source=lib/rig.sh
source "$1/tests/integration/lib/rig.sh"
rig_init "$1" "$2"
FIXTURES="$SRC/tests/integration/fixtures"
STRESS="$BUILD/tests/integration/journal-stress"

BUS_NAME=org.ferry.Migration1
MPATH=/org/ferry/Migration1
MIFACE=org.ferry.Migration1
JIFACE=org.ferry.Migration1.Job
ERR_PREFIX=org.ferry.Migration1.Error.

# ---------------------------------------------------------------- reporting
PASSED=0
FAILED=()
ok() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
bad() { FAILED+=("$*"); echo "FAIL: $*"; }
section() { echo; echo "== $*"; }

# Runs a python3 check read from stdin with the given arguments; every line
# it prints is "ok: ..." or "FAIL: ...".
pycheck() {
    local out line rc
    out=$(python3 - "$@" 2>&1); rc=$?
    while IFS= read -r line; do
        case $line in
        "ok: "*) ok "${line#ok: }" ;;
        "FAIL: "*) bad "${line#FAIL: }" ;;
        "") ;;
        *) bad "python check: $line" ;;
        esac
    done <<<"$out"
    [ $rc -eq 0 ] || bad "python check exited with $rc"
}

# ---------------------------------------------------------------- helpers
# gcall PATH IFACE.METHOD ARGS...: sets OUT, ERR, RC.
gcall() {
    local path=$1 method=$2
    shift 2
    OUT=$(gdbus call --system --dest "$BUS_NAME" --object-path "$path" --method "$method" \
        "$@" 2>"$RIG/gdbus.err")
    RC=$?
    ERR=$(cat "$RIG/gdbus.err")
}

# bjson FILE busctl-ARGS...: busctl --json=short into FILE.
bjson() {
    local file=$1
    shift
    busctl --system --json=short "$@" >"$file" 2>"$RIG/busctl.err" \
        || { bad "busctl $*: $(cat "$RIG/busctl.err")"; echo '{}' >"$file"; return 1; }
}

# prop PATH IFACE NAME: the property's value as busctl prints it ("s \"idle\"").
prop() { busctl --system get-property "$BUS_NAME" "$1" "$2" "$3" 2>&1; }

expect_prop() {
    local label=$1 path=$2 iface=$3 name=$4 want=$5 got
    got=$(prop "$path" "$iface" "$name")
    if [ "$got" = "$want" ]; then ok "$label: $name = $want"; else bad "$label: $name = '$got', expected '$want'"; fi
}

# A hash of the state directory: every entry with type and mode, every file
# with inode, size, mtime and content. Any write shows.
state_hash() {
    (
        cd "$STATE" || exit 1
        find . -mindepth 1 -printf '%p %y %m %i %s %T@\n' | LC_ALL=C sort
        find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
        stat -c '%a' .
    ) | sha256sum | cut -d' ' -f1
}

ferryd_alive() {
    kill -0 "$FERRYD_PID" 2>/dev/null && busctl --system status "$BUS_NAME" --no-pager >/dev/null 2>&1
}

# expect_error LABEL ERROR PATH IFACE.METHOD ARGS...: the call fails with
# ERROR (a short name means org.ferry.Migration1.Error.ERROR) and a message,
# the state directory is unchanged and ferryd still runs.
expect_error() {
    local label=$1 want=$2
    shift 2
    [[ "$want" == *.* ]] || want="$ERR_PREFIX$want"
    local before after
    before=$(state_hash)
    gcall "$@"
    after=$(state_hash)
    if [ $RC -eq 0 ]; then
        bad "$label: succeeded ($OUT), expected $want"
    elif [[ "$ERR" != *"GDBus.Error:$want: "?????* ]]; then
        bad "$label: expected $want with a message, got: $ERR"
    else
        ok "$label: ${want#"$ERR_PREFIX"}"
    fi
    [ "$before" = "$after" ] || bad "$label: the state directory changed"
    ferryd_alive || rig_fail "$label: ferryd is gone"
}

# ------------------------------------------------------------- the target
rig_start_bus
rig_make_appliance target 127.0.0.2 yes >/dev/null
STATE="$RIG/target/state"
SELF_ADDRESS=$(sed -n 's/^Address=//p' "$RIG/target/settings/network.conf")
[ -n "$SELF_ADDRESS" ] || rig_fail "no Address= in the target's network.conf"
PASSWORD="ferry-Adm1n-$$-$RANDOM$RANDOM-pw"
LONG_PASSWORD="ferry-L0ng-$$-$RANDOM$RANDOM-$(printf 'x%.0s' {1..1975})"
[ ${#LONG_PASSWORD} -ge 2000 ] || rig_fail "long password too short"
NOBODY=127.0.0.9 # nothing listens there
rig_start_ferryd target

# Introspection compare: OBJECT_XML CONTRACT_XML INTERFACE
compare_introspection() {
    pycheck "$@" <<'PY'
import sys
import xml.etree.ElementTree as ET

live_file, contract_file, iface_name = sys.argv[1:4]
ECS = "org.freedesktop.DBus.Property.EmitsChangedSignal"
# Code-generation hints of sdbus-c++-xml2cpp; not part of the wire contract.
IGNORED = {"org.freedesktop.DBus.Method.Async"}
STANDARD = {"org.freedesktop.DBus.Peer", "org.freedesktop.DBus.Introspectable",
            "org.freedesktop.DBus.Properties"}


def annotations(e):
    return {a.get("name"): a.get("value") for a in e.findall("annotation")
            if a.get("name") not in IGNORED and a.get("name") != ECS}


def model(root):
    ifaces = {i.get("name"): i for i in root.findall("interface")}
    i = ifaces.get(iface_name)
    if i is None:
        return None, set(ifaces)
    default_ecs = next((a.get("value") for a in i.findall("annotation") if a.get("name") == ECS), "true")
    m = {"annotations": annotations(i), "methods": {}, "properties": {}, "signals": {}}
    for e in i.findall("method"):
        m["methods"][e.get("name")] = (
            [(a.get("name"), a.get("type"), a.get("direction", "in")) for a in e.findall("arg")],
            annotations(e))
    for e in i.findall("property"):
        ecs = next((a.get("value") for a in e.findall("annotation") if a.get("name") == ECS), default_ecs)
        m["properties"][e.get("name")] = (e.get("type"), e.get("access"), ecs, annotations(e))
    for e in i.findall("signal"):
        m["signals"][e.get("name")] = (
            [(a.get("name"), a.get("type")) for a in e.findall("arg")], annotations(e))
    return m, set(ifaces)


live, live_ifaces = model(ET.parse(live_file).getroot())
want, _ = model(ET.parse(contract_file).getroot())
if live is None:
    print(f"FAIL: {iface_name}: interface not in the introspection (has {sorted(live_ifaces)})")
    sys.exit(0)
extra = live_ifaces - STANDARD - {iface_name}
if extra:
    print(f"FAIL: {iface_name}: unexpected interfaces on the object: {sorted(extra)}")
for kind in ("methods", "properties", "signals"):
    l, w = live[kind], want[kind]
    for name in sorted(set(l) | set(w)):
        if name not in l:
            print(f"FAIL: {iface_name}: {kind[:-1]} {name} missing from the introspection")
        elif name not in w:
            print(f"FAIL: {iface_name}: {kind[:-1]} {name} is not in the contract")
        elif l[name] != w[name]:
            print(f"FAIL: {iface_name}: {kind[:-1]} {name}: introspection {l[name]} != contract {w[name]}")
    if l == w:
        print(f"ok: {iface_name}: {len(w)} {kind} match the contract")
if live["annotations"] != want["annotations"]:
    print(f"FAIL: {iface_name}: interface annotations {live['annotations']} != {want['annotations']}")
PY
}

introspect() { # PATH FILE
    gdbus introspect --system --dest "$BUS_NAME" --object-path "$1" --xml >"$2" 2>&1 \
        || bad "introspection of $1 failed: $(cat "$2")"
}

# =================================================================== a, b
section "a. manager introspection"
introspect "$MPATH" "$RIG/manager.xml"
compare_introspection "$RIG/manager.xml" "$SRC/dbus/org.ferry.Migration1.xml" "$MIFACE"

section "b. idle properties"
VERSION=$(meson introspect --projectinfo "$BUILD" 2>/dev/null \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])' 2>/dev/null)
[ -n "$VERSION" ] || VERSION=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$SRC/meson.build" | head -n 1)
[ -n "$VERSION" ] || rig_fail "cannot tell the meson project version"
expect_prop idle "$MPATH" "$MIFACE" State 's "idle"'
expect_prop idle "$MPATH" "$MIFACE" Job 'o "/"'
expect_prop idle "$MPATH" "$MIFACE" Version "s \"$VERSION\""
bjson "$RIG/manager-props.json" call "$BUS_NAME" "$MPATH" org.freedesktop.DBus.Properties GetAll s "$MIFACE"
pycheck "$RIG/manager-props.json" "$VERSION" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["data"][0]
got = {k: (v["type"], v["data"]) for k, v in d.items()}
want = {"State": ("s", "idle"), "Job": ("o", "/"), "Version": ("s", sys.argv[2])}
print("ok: GetAll returns exactly State, Job, Version" if got == want else f"FAIL: GetAll: {got} != {want}")
PY

# ====================================================================== c
section "c. before Probe"
expect_error "GetOptions before Probe" NotProbed "$MPATH" "$MIFACE.GetOptions"
expect_error "Plan({}) before Probe" NotProbed "$MPATH" "$MIFACE.Plan" '{}'
expect_error "Plan(SwapConfiguration) before Probe" NotProbed "$MPATH" "$MIFACE.Plan" \
    "{'SwapConfiguration': <true>}"
expect_error "Start({}) before Probe" NotProbed "$MPATH" "$MIFACE.Start" '{}'
expect_error "Start(CopyUserTrafficLogs) before Probe" NotProbed "$MPATH" "$MIFACE.Start" \
    "{'CopyUserTrafficLogs': <false>}"

# ====================================================================== d
# Input checks that hold whatever the state (idle or with a job).
bad_inputs() {
    local when=$1 a
    local long_address
    long_address=$(printf '1%.0s' {1..5000})
    expect_error "$when: Probe('')" InvalidArgument "$MPATH" "$MIFACE.Probe" '' "$PASSWORD" '{}'
    for a in not-an-ip 999.1.1.1 0.0.0.0 224.0.0.1 239.255.255.250 255.255.255.255 :: ff02::1 \
        ' 127.0.0.9' '127.0.0.9 ' 127.0.0.9/8 127.0.0.9:80 1.2.3 'ä.b.c.d'; do
        expect_error "$when: Probe('$a')" InvalidArgument "$MPATH" "$MIFACE.Probe" "$a" "$PASSWORD" '{}'
    done
    expect_error "$when: Probe(5000-character address)" InvalidArgument "$MPATH" "$MIFACE.Probe" \
        "$long_address" "$PASSWORD" '{}'
    expect_error "$when: Probe(own address $SELF_ADDRESS)" SameSystem "$MPATH" "$MIFACE.Probe" \
        "$SELF_ADDRESS" "$PASSWORD" '{}'
    expect_error "$when: Probe(empty password)" InvalidArgument "$MPATH" "$MIFACE.Probe" \
        "$NOBODY" '' '{}'
    expect_error "$when: Probe(${#LONG_PASSWORD}-byte password)" InvalidArgument "$MPATH" \
        "$MIFACE.Probe" "$NOBODY" "$LONG_PASSWORD" '{}'
    expect_error "$when: Probe(unknown flag)" UnknownOption "$MPATH" "$MIFACE.Probe" \
        "$NOBODY" "$PASSWORD" "{'Bogus': <true>}"
    expect_error "$when: Probe(option as flag)" UnknownOption "$MPATH" "$MIFACE.Probe" \
        "$NOBODY" "$PASSWORD" "{'SwapConfiguration': <true>}"
    expect_error "$when: Probe(Interactive as int32)" InvalidArgument "$MPATH" "$MIFACE.Probe" \
        "$NOBODY" "$PASSWORD" "{'Interactive': <1>}"
    expect_error "$when: Probe(Interactive as string)" InvalidArgument "$MPATH" "$MIFACE.Probe" \
        "$NOBODY" "$PASSWORD" "{'Interactive': <'true'>}"
    local many="{" i
    for i in $(seq 1 17); do many+="'Key$i': <true>, "; done
    many="${many%, }}"
    local many_ok="{'Interactive': <false>, 'SwapConfiguration': <true>, " # 17, known keys first
    for i in $(seq 1 15); do many_ok+="'Key$i': <true>, "; done
    many_ok="${many_ok%, }}"
    expect_error "$when: Probe(17 flags)" InvalidArgument "$MPATH" "$MIFACE.Probe" \
        "$NOBODY" "$PASSWORD" "$many"
    local m
    for m in Plan Start; do
        expect_error "$when: $m(unknown option)" UnknownOption "$MPATH" "$MIFACE.$m" \
            "{'SwapConfiguration': <true>, 'CopyEverything': <true>}"
        expect_error "$when: $m(option named in lower case)" UnknownOption "$MPATH" "$MIFACE.$m" \
            "{'swapconfiguration': <true>}"
        expect_error "$when: $m(SwapConfiguration as string)" InvalidArgument "$MPATH" "$MIFACE.$m" \
            "{'SwapConfiguration': <'yes'>}"
        expect_error "$when: $m(CopyUserTrafficLogs as uint32)" InvalidArgument "$MPATH" "$MIFACE.$m" \
            "{'CopyUserTrafficLogs': <uint32 1>}"
        expect_error "$when: $m(Interactive as string)" InvalidArgument "$MPATH" "$MIFACE.$m" \
            "{'Interactive': <'no'>}"
        expect_error "$when: $m(17 entries)" InvalidArgument "$MPATH" "$MIFACE.$m" "$many"
        expect_error "$when: $m(17 entries, known keys first)" InvalidArgument "$MPATH" "$MIFACE.$m" \
            "$many_ok"
    done
    # The target already has a license: decided before Probe, without a source.
    expect_error "$when: Plan(MigrateLicense) on a licensed target" OptionUnavailable "$MPATH" \
        "$MIFACE.Plan" "{'MigrateLicense': <true>}"
}

section "d. bad input (idle)"
bad_inputs idle
expect_error "idle: Start(MigrateLicense) on a licensed target" OptionUnavailable "$MPATH" \
    "$MIFACE.Start" "{'MigrateLicense': <true>}"
for port in 80 443 3306; do # the precondition of the next check
    if timeout 2 bash -c "exec 3<>/dev/tcp/$NOBODY/$port" 2>/dev/null; then
        bad "precondition: something on this machine accepts connections on $NOBODY:$port"
    fi
done
expect_error "idle: Probe($NOBODY), nothing listening" Unreachable "$MPATH" "$MIFACE.Probe" \
    "$NOBODY" "$PASSWORD" '{}'
for port in 80 443 3306; do
    if [[ "$ERR" =~ (^|[^0-9])$port([^0-9]|$) ]]; then ok "Unreachable names port $port"
    else bad "Unreachable does not name port $port: $ERR"; fi
done
expect_error "idle: Probe($NOBODY, Interactive=false)" Unreachable "$MPATH" "$MIFACE.Probe" \
    "$NOBODY" "$PASSWORD" "{'Interactive': <false>}"
expect_prop "after a failed Probe" "$MPATH" "$MIFACE" State 's "idle"'
expect_error "GetOptions after a failed Probe" NotProbed "$MPATH" "$MIFACE.GetOptions"
[ -z "$(ls -A "$STATE")" ] && ok "the state directory is still empty" \
    || bad "the state directory is not empty: $(ls -A "$STATE")"

# ====================================================================== e
password_nowhere() {
    local where=$1 hits
    [[ "$ERR$OUT" != *"$PASSWORD"* ]] || bad "$where: a reply echoes the password"
    hits=$(grep -r -a -l -F -D skip -e "$PASSWORD" -e "${LONG_PASSWORD:0:40}" "$RIG" 2>/dev/null)
    if [ -z "$hits" ]; then ok "$where: the password is nowhere under $RIG"
    else bad "$where: the password is in: $hits"; fi
}
section "e. the password"
password_nowhere "after the probes"

# ====================================================================== f
install_fixture() { # NAME: the fixture as the journal of a stopped ferryd
    cp "$FIXTURES/$1" "$STATE/job.json" && chmod 0600 "$STATE/job.json" \
        || rig_fail "cannot install fixture $1"
    if [ -x "$STRESS" ]; then # the real parser, for a clear message if a fixture rots
        local tmp out
        tmp=$(mktemp -d "$RIG/fixture-check.XXXXXX")
        cp "$FIXTURES/$1" "$tmp/job.json"
        out=$("$STRESS" --check "$tmp") && ok "fixture $1 parses: $out" || bad "fixture $1: $out"
        rm -rf "$tmp"
    fi
}
fixture_id() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$FIXTURES/$1"; }

# Job properties (GetAll) against a fixture: JSON FIXTURE
check_job_props() {
    pycheck "$@" <<'PY'
import json, sys
props = {k: v["data"] for k, v in json.load(open(sys.argv[1]))["data"][0].items()}
fx = json.load(open(sys.argv[2]))
names = {"State", "Operations", "Current", "Progress", "RemainingSeconds", "StartedAt",
         "FinishedAt", "Error", "EventSequence", "Options", "Attempt", "Source"}
if set(props) != names:
    print(f"FAIL: job properties {sorted(props)} != {sorted(names)}")
def same(label, got, want):
    print(f"ok: job {label} = {want!r}" if got == want else f"FAIL: job {label} = {got!r}, expected {want!r}")
same("State", props.get("State"), fx["state"])
same("Attempt", props.get("Attempt"), fx["attempt"])
same("EventSequence", props.get("EventSequence"), fx["next_sequence"] - 1)
same("StartedAt", props.get("StartedAt"), fx["started_at"])
same("Source.Address", props.get("Source", {}).get("Address", {}).get("data"), fx["source"]["address"])
same("Source.HostName", props.get("Source", {}).get("HostName", {}).get("data"), fx["source"]["host_name"])
same("FinishedAt", props.get("FinishedAt"), fx["finished_at"])
same("Current", props.get("Current"), "")
same("RemainingSeconds", props.get("RemainingSeconds"), 0)
same("Options", {k: v["data"] for k, v in props.get("Options", {}).items()}, fx["options"])
e = fx["error"]
same("Error", props.get("Error"),
     ["org.ferry.Migration1.Error." + e["code"], e["operation"], e["message"], e["remedy"]])
ops = props.get("Operations", [])
# The fixture is a journal of 11 operations (a build before pre-copy-data):
# ferryd lists that one first, skipped.
same("Operations (id, state, bytes_done, bytes_total)", [(o[0], o[2], o[4], o[5]) for o in ops],
     [("pre-copy-data", "skipped", 0, 0)] +
     [(o["id"], o["state"], o["bytes_done"], o["bytes_total"]) for o in fx["operations"]])
for o in ops:
    oid, title, state, fraction, done, total, remaining = o
    if not title or not 0.0 <= fraction <= 1.0:
        print(f"FAIL: operation {oid}: title {title!r}, fraction {fraction}")
    if state == "done" and fraction != 1.0 or state in ("done", "skipped") and remaining != 0:
        print(f"FAIL: operation {oid} ({state}): fraction {fraction}, remaining {remaining}")
p = props.get("Progress", -1)
print(f"ok: job Progress {p:.3f} is between 0 and 1" if 0.0 < p < 1.0 else f"FAIL: job Progress {p}")
PY
}

section "f. a failed job from a fixture journal"
rig_stop_ferryd
install_fixture job-failed.json
FAILED_ID=$(fixture_id job-failed.json)
JPATH="$MPATH/job/$FAILED_ID"
# A marker left by a crash between the journal write and the marker removal.
printf '%s\n' "$FAILED_ID" >"$STATE/job-active"
journal_sig() { stat -c '%i %s %Y' "$STATE/job.json" && sha256sum <"$STATE/job.json"; }
before=$(journal_sig)
rig_start_ferryd target
expect_prop "failed job" "$MPATH" "$MIFACE" State 's "finished"'
expect_prop "failed job" "$MPATH" "$MIFACE" Job "o \"$JPATH\""
introspect "$JPATH" "$RIG/job.xml"
compare_introspection "$RIG/job.xml" "$SRC/dbus/org.ferry.Migration1.Job.xml" "$JIFACE"
bjson "$RIG/job-props.json" call "$BUS_NAME" "$JPATH" org.freedesktop.DBus.Properties GetAll s "$JIFACE"
check_job_props "$RIG/job-props.json" "$FIXTURES/job-failed.json"
N=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["next_sequence"] - 1)' \
    "$FIXTURES/job-failed.json")

# GetEvents(SINCE) against the fixture's events with sequence > SINCE.
check_events() { # JSON FIXTURE SINCE
    pycheck "$@" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))["data"][0]
since = int(sys.argv[3])
want = [e for e in json.load(open(sys.argv[2]))["events"] if e["seq"] > since]
got_n = [(e[0], e[1], e[2], {k: v["data"] for k, v in e[3].items()}) for e in got]
# The fixture names job-started's options as earlier builds did; ferryd
# reads them with the D-Bus names (issue 16).
names = {"swap": "SwapConfiguration", "license": "MigrateLicense", "logs": "CopyUserTrafficLogs"}
want_n = [(e["seq"], e["time"], e["type"],
           {names.get(k, k): v for k, v in e["data"].items()} if e["type"] == "job-started" else e["data"])
          for e in want]
if got_n == want_n:
    print(f"ok: GetEvents({since}) returns the {len(want)} events after {since}, in order")
else:
    print(f"FAIL: GetEvents({since}): {got_n} != {want_n}")
PY
}
for since in 0 $((N - 2)) "$N" 18446744073709551615; do
    bjson "$RIG/events.json" call "$BUS_NAME" "$JPATH" "$JIFACE" GetEvents t "$since"
    check_events "$RIG/events.json" "$FIXTURES/job-failed.json" "$since"
done
[ "$before" = "$(journal_sig)" ] && ok "loading a finished job leaves its journal untouched" \
    || bad "ferryd rewrote the journal of a finished job"
[ ! -e "$STATE/job-active" ] && ok "ferryd removed the stale job-active marker of a finished job" \
    || bad "job-active exists for a finished job"

section "d. bad input (with a failed job)"
bad_inputs "with a job"
expect_error "with a job: Probe($NOBODY)" Busy "$MPATH" "$MIFACE.Probe" "$NOBODY" "$PASSWORD" '{}'
expect_error "with a job: Start({})" Busy "$MPATH" "$MIFACE.Start" '{}'
password_nowhere "after the probes with a job"

section "f. Acknowledge"
gcall "$JPATH" "$JIFACE.Acknowledge"
[ $RC -eq 0 ] && ok "Acknowledge() of the failed job" || bad "Acknowledge() failed: $ERR"
expect_prop "acknowledged" "$MPATH" "$MIFACE" Job 'o "/"'
expect_prop "acknowledged" "$MPATH" "$MIFACE" State 's "idle"'
[ ! -e "$STATE/job.json" ] && ok "the journal is gone" || bad "the journal is still there"
job_object_gone() { ! busctl --system introspect "$BUS_NAME" "$JPATH" "$JIFACE" >/dev/null 2>&1; }
rig_wait_for 5 job_object_gone && ok "the job object is gone" || bad "the job object is still there"
expect_error "Acknowledge() again" org.freedesktop.DBus.Error.UnknownObject "$JPATH" "$JIFACE.Acknowledge"
expect_error "Resume() after Acknowledge" org.freedesktop.DBus.Error.UnknownObject "$JPATH" "$JIFACE.Resume"
expect_error "GetEvents(0) after Acknowledge" org.freedesktop.DBus.Error.UnknownObject "$JPATH" \
    "$JIFACE.GetEvents" 0


# Records what happens to the state directory's entries (inotify through
# ctypes), one line per event: "MOVED_TO job.json", "DELETE job-active", ...
# Temporary files are left out.
WATCH_PID=
watch_state_start() { # FILE
    : >"$1"
    python3 - "$STATE" >"$1" 2>&1 <<'PY' &
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(0)
names = {0x8: "CLOSE_WRITE", 0x40: "MOVED_FROM", 0x80: "MOVED_TO", 0x100: "CREATE", 0x200: "DELETE"}
if fd < 0 or libc.inotify_add_watch(fd, sys.argv[1].encode(), sum(names)) < 0:
    print("inotify failed:", os.strerror(ctypes.get_errno()), flush=True)
    sys.exit(1)
print("ready", flush=True)
while True:
    data, off = os.read(fd, 65536), 0
    while off < len(data):
        _, mask, _, n = struct.unpack_from("iIII", data, off)
        name = data[off + 16:off + 16 + n].rstrip(b"\0").decode()
        off += 16 + n
        if not name.startswith(".tmp-"):
            for bit, what in names.items():
                if mask & bit:
                    print(what, name, flush=True)
PY
    WATCH_PID=$!
    RIG_PIDS+=("$WATCH_PID")
    rig_wait_for 10 grep -qx ready "$1" || rig_fail "the state directory watcher did not start: $(cat "$1")"
}
# watch_state_check LABEL FILE EXPECTED-MARKER-EVENTS...: waits until the
# watcher saw the last expected event on job-active, stops it, and compares
# the events on job-active; the journal must have been written before the
# marker went.
watch_state_check() {
    local label=$1 file=$2
    shift 2
    local want last got
    want=$(printf '%s\n' "$@")
    last=${!#}
    rig_wait_for 10 grep -qx "$last" "$file"
    kill "$WATCH_PID" 2>/dev/null
    wait "$WATCH_PID" 2>/dev/null
    got=$(grep ' job-active$' "$file" | grep -v CLOSE_WRITE)
    if [ "$got" = "$want" ]; then
        ok "$label: job-active: $(tr '\n' ' ' <<<"$got")"
    else
        bad "$label: job-active events: [$(tr '\n' ' ' <<<"$got")], expected [$(tr '\n' ' ' <<<"$want")]; all: $(grep -v ^ready "$file" | tr '\n' ' ')"
    fi
    # The journal says the job is finished before the marker goes.
    if grep -n -e 'MOVED_TO job.json' -e 'DELETE job-active' "$file" | tail -n 2 | head -n 1 | grep -q 'MOVED_TO job.json'; then
        ok "$label: the journal was written before job-active went"
    else
        bad "$label: job-active went before the journal was written: $(grep -v ^ready "$file" | tr '\n' ' ')"
    fi
}

section "f. an unfinished job from a fixture journal"
rig_stop_ferryd
install_fixture job-running.json
RUNNING_ID=$(fixture_id job-running.json)
printf '%s\n' "$RUNNING_ID" >"$STATE/job-active"
chmod 0600 "$STATE/job-active"
# What a write interrupted by a crash leaves; ferryd removes it at start.
printf '{"version": 1, "id": "%s", "sta' "$RUNNING_ID" >"$STATE/.tmp-job.json.Xy12Ab"
JPATH="$MPATH/job/$RUNNING_ID"
BOOT=api-test-boot # differs from the fixture's boot id: a reboot happened
watch_state_start "$RIG/watch-start.log"
FERRY_BOOT_ID=$BOOT rig_start_ferryd target

job_in() { # STATE ATTEMPT
    [ "$(prop "$JPATH" "$JIFACE" State)" = "s \"$1\"" ] \
        && [ "$(prop "$JPATH" "$JIFACE" Attempt)" = "u $2" ]
}
# Expected events after the fixture's: TYPE:key=value,... (data compared as strings)
check_resumed() { # LABEL ATTEMPT SINCE EXPECTED-EVENTS...
    local label=$1 attempt=$2 since=$3
    shift 3
    bjson "$RIG/props.json" call "$BUS_NAME" "$JPATH" org.freedesktop.DBus.Properties GetAll s "$JIFACE"
    bjson "$RIG/events.json" call "$BUS_NAME" "$JPATH" "$JIFACE" GetEvents t 0
    pycheck "$label" "$attempt" "$since" "$RIG/props.json" "$RIG/events.json" \
        "$FIXTURES/job-running.json" "$STATE/job.json" "$@" <<'PY'
import json, sys
label, attempt, since = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
props = {k: v["data"] for k, v in json.load(open(sys.argv[4]))["data"][0].items()}
events = json.load(open(sys.argv[5]))["data"][0]
fx = json.load(open(sys.argv[6]))
disk = json.load(open(sys.argv[7]))
want_new = sys.argv[8:]
def same(what, got, want):
    print(f"ok: {label}: {what} = {want!r}" if got == want else f"FAIL: {label}: {what} = {got!r}, expected {want!r}")
same("State", props["State"], "failed")
same("Attempt", props["Attempt"], attempt)
same("Error code/operation", props["Error"][:2],
     ["org.ferry.Migration1.Error.Unreachable", "source-maintenance"])
same("Operations states", [o[2] for o in props["Operations"]],
     ["skipped"] +  # pre-copy-data, which the fixture's journal does not list
     ["failed" if o["id"] == "source-maintenance" else o["state"] for o in fx["operations"]])
same("Current", props["Current"], "")
same("StartedAt", props["StartedAt"], fx["started_at"])
if not props["FinishedAt"] >= props["StartedAt"] or props["FinishedAt"] == 0:
    print(f"FAIL: {label}: FinishedAt {props['FinishedAt']}")
seqs = [e[0] for e in events]
same("event sequences", seqs, list(range(1, len(events) + 1)))
same("EventSequence", props["EventSequence"], len(events))
first = [(e[0], e[1], e[2], {k: v["data"] for k, v in e[3].items()}) for e in events[:len(fx["events"])]]
# The fixture's journal names job-started's options as earlier builds did
# (swap, license, logs); ferryd reads them with the D-Bus names (issue 16).
DBUS_NAMES = {"swap": "SwapConfiguration", "license": "MigrateLicense", "logs": "CopyUserTrafficLogs"}
def renamed(e):
    if e["type"] != "job-started":
        return e["data"]
    return {DBUS_NAMES.get(k, k): v for k, v in e["data"].items()}
same("the fixture's events, kept", first,
     [(e["seq"], e["time"], e["type"], renamed(e)) for e in fx["events"]])
new = []
for e in events[since:]:
    data = ",".join(f"{k}={str(v['data']).lower() if isinstance(v['data'], bool) else v['data']}"
                    for k, v in sorted(e[3].items()) if k in ("id", "state", "attempt", "rebooted", "code", "operation"))
    new.append(f"{e[2]}:{data}")
same(f"events after {since}", new, want_new)
times = [e[1] for e in events]
if times != sorted(times):
    print(f"FAIL: {label}: event times go backwards: {times}")
same("journal state/attempt/error on disk", (disk["state"], disk["attempt"], disk["error"]["code"]),
     ("failed", attempt, "Unreachable"))
PY
}

if rig_wait_for 10 job_in failed 2; then
    ok "the unfinished job was resumed at start (attempt 2) and failed"
else
    bad "the resumed job did not reach failed/attempt 2: State $(prop "$JPATH" "$JIFACE" State), Attempt $(prop "$JPATH" "$JIFACE" Attempt)"
fi
expect_prop "resumed job" "$MPATH" "$MIFACE" State 's "finished"'
expect_prop "resumed job" "$MPATH" "$MIFACE" Job "o \"$JPATH\""
check_resumed "resumed at start" 2 4 \
    "operation-changed:id=source-maintenance,state=pending" \
    "resumed:attempt=2,rebooted=true" \
    "operation-changed:id=source-maintenance,state=running" \
    "operation-changed:id=source-maintenance,state=failed" \
    "state-changed:state=failed" \
    "finished:code=Unreachable,operation=source-maintenance,state=failed"
[ ! -e "$STATE/job-active" ] && ok "job-active is gone once the job failed" \
    || bad "job-active still exists after the job failed"
watch_state_check "resumed at start" "$RIG/watch-start.log" "DELETE job-active"
[ ! -e "$STATE/.tmp-job.json.Xy12Ab" ] && ok "ferryd removed the leftover temporary file at start" \
    || bad "the leftover .tmp-job.json.Xy12Ab is still there"
[ "$(stat -c %a "$STATE/job.json")" = 600 ] && [ "$(stat -c %a "$STATE")" = 700 ] \
    && ok "journal 0600 in a 0700 state directory" \
    || bad "modes: journal $(stat -c %a "$STATE/job.json"), directory $(stat -c %a "$STATE")"
python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["boot_id"] != sys.argv[2])' \
    "$STATE/job.json" "$BOOT" && ok "the journal records the current boot id" \
    || bad "the journal does not record boot id $BOOT"

watch_state_start "$RIG/watch-resume.log"
gcall "$JPATH" "$JIFACE.Resume"
[ $RC -eq 0 ] && ok "Resume() of the failed job" || bad "Resume() failed: $ERR"
rig_wait_for 10 job_in failed 3 && ok "Resume() retried it (attempt 3) and it failed again" \
    || bad "after Resume(): State $(prop "$JPATH" "$JIFACE" State), Attempt $(prop "$JPATH" "$JIFACE" Attempt)"
check_resumed "after Resume()" 3 10 \
    "operation-changed:id=source-maintenance,state=pending" \
    "resumed:attempt=3,rebooted=false" \
    "state-changed:state=running" \
    "operation-changed:id=source-maintenance,state=running" \
    "operation-changed:id=source-maintenance,state=failed" \
    "state-changed:state=failed" \
    "finished:code=Unreachable,operation=source-maintenance,state=failed"
[ ! -e "$STATE/job-active" ] && ok "job-active is gone once the resumed job failed" \
    || bad "job-active still exists after the resumed job failed"
watch_state_check "Resume()" "$RIG/watch-resume.log" "MOVED_TO job-active" "DELETE job-active"
gcall "$JPATH" "$JIFACE.Acknowledge"
[ $RC -eq 0 ] && ok "Acknowledge() of the resumed job" || bad "Acknowledge() failed: $ERR"
expect_prop "acknowledged" "$MPATH" "$MIFACE" Job 'o "/"'
[ -z "$(ls -A "$STATE")" ] && ok "the state directory is empty after Acknowledge" \
    || bad "left in the state directory: $(ls -A "$STATE")"

section "f. Acknowledge pipelined with a read of the job object"
# A front end that sends Acknowledge() and, without waiting, reads a job
# property: the read gets a consistent reply, and ferryd lives on.
rig_stop_ferryd
install_fixture job-failed.json
JPATH="$MPATH/job/$FAILED_ID"
rig_start_ferryd target
PIPE_OUT=$(python3 - "$JPATH" <<'PY' 2>&1
# A minimal D-Bus client (stdlib only) that writes two method calls in one
# send, so that ferryd reads them in one batch.
import os, socket, struct, sys

job_path = sys.argv[1]
addr = os.environ["DBUS_SYSTEM_BUS_ADDRESS"]
assert addr.startswith("unix:path="), addr
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(15)
sock.connect(addr[len("unix:path="):])
sock.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\n")
line = b""
while not line.endswith(b"\r\n"):
    line += sock.recv(1)
assert line.startswith(b"OK "), line
sock.sendall(b"BEGIN\r\n")

class W:
    def __init__(self): self.b = bytearray()
    def align(self, n): self.b += b"\0" * (-len(self.b) % n)
    def byte(self, v): self.b.append(v)
    def u32(self, v): self.align(4); self.b += struct.pack("<I", v)
    def string(self, v): e = v.encode(); self.u32(len(e)); self.b += e + b"\0"
    def sig(self, v): e = v.encode(); self.byte(len(e)); self.b += e + b"\0"

def call(serial, dest, path, iface, member, args=()):
    body = W()
    for a in args:
        body.string(a)
    fields = [(1, "o", path), (2, "s", iface), (3, "s", member), (6, "s", dest)]
    if args:
        fields.append((8, "g", "s" * len(args)))
    h = W()
    h.b += b"l\x01\x00\x01"
    h.u32(len(body.b)); h.u32(serial); h.u32(0)
    at = len(h.b) - 4
    h.align(8)
    start = len(h.b)
    for code, t, v in fields:
        h.align(8); h.byte(code); h.sig(t)
        h.sig(v) if t == "g" else h.string(v)
    struct.pack_into("<I", h.b, at, len(h.b) - start)
    h.align(8)
    return bytes(h.b + body.b)

buf = b""
def read(n):
    global buf
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("bus connection closed")
        buf += chunk

def message():
    """The next message: (type, fields, body)."""
    global buf
    read(16)
    e = "<" if buf[0:1] == b"l" else ">"
    mtype = buf[1]
    body_len, _, fields_len = struct.unpack(e + "III", buf[4:16])
    body_at = 16 + fields_len + (-(16 + fields_len) % 8)
    read(body_at + body_len)
    fields, off = {}, 16
    while off < 16 + fields_len:
        off += -off % 8
        code, n = buf[off], buf[off + 1]
        t = buf[off + 2:off + 2 + n].decode()
        off += n + 3
        if t in ("s", "o"):
            off += -off % 4
            (ln,) = struct.unpack(e + "I", buf[off:off + 4])
            fields[code] = buf[off + 4:off + 4 + ln].decode(); off += 4 + ln + 1
        elif t == "g":
            ln = buf[off]; fields[code] = buf[off + 1:off + 1 + ln].decode(); off += ln + 2
        elif t == "u":
            off += -off % 4
            (fields[code],) = struct.unpack(e + "I", buf[off:off + 4]); off += 4
        else:
            raise ValueError("header field type " + t)
    body = buf[body_at:body_at + body_len]
    buf = buf[body_at + body_len:]
    return mtype, fields, body, e

def replies(serials):
    out = {}
    while set(out) != set(serials):
        mtype, fields, body, e = message()
        if mtype in (2, 3) and fields.get(5) in serials:
            msg = ""
            if mtype == 3 and fields.get(8, "").startswith("s"):
                (ln,) = struct.unpack(e + "I", body[:4])
                msg = body[4:4 + ln].decode()
            out[fields[5]] = ("return",) if mtype == 2 else ("error", fields.get(4, "?"), msg)
    return out

sock.sendall(call(1, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello"))
replies([1])
sock.sendall(call(2, "org.ferry.Migration1", job_path, "org.ferry.Migration1.Job", "Acknowledge") +
             call(3, "org.ferry.Migration1", job_path, "org.freedesktop.DBus.Properties", "Get",
                  ("org.ferry.Migration1.Job", "State")))
r = replies([2, 3])
print("acknowledge", *r[2])
print("get", *r[3])
PY
)
echo "$PIPE_OUT" | sed 's/^/  /'
if ferryd_alive; then ok "ferryd survives Acknowledge() pipelined with Get(State)"
else bad "ferryd died on Acknowledge() pipelined with Get(State) of the job object (see report: stale JobObject)"; fi
grep -q '^acknowledge return' <<<"$PIPE_OUT" && ok "pipelined Acknowledge() succeeded" \
    || bad "pipelined Acknowledge(): $(grep '^acknowledge' <<<"$PIPE_OUT")"
# Acknowledge() of a failed job finishes on a worker (issue 14 defect 3):
# the Get that follows it is answered while it runs (the job's State) or,
# if it was over already, with UnknownObject; never anything else.
if grep -q '^get error org.freedesktop.DBus.Error.UnknownObject' <<<"$PIPE_OUT" \
    || grep -q "^get error ${ERR_PREFIX}NoJob" <<<"$PIPE_OUT" \
    || grep -q '^get return' <<<"$PIPE_OUT"; then
    ok "Get(State) pipelined after Acknowledge(): $(grep '^get' <<<"$PIPE_OUT")"
else
    bad "Get(State) after the pipelined Acknowledge(): $(grep '^get' <<<"$PIPE_OUT"), expected the State or UnknownObject (or NoJob)"
fi
if ferryd_alive; then
    expect_prop "after the pipelined Acknowledge()" "$MPATH" "$MIFACE" Job 'o "/"'
fi
[ ! -e "$STATE/job.json" ] && ok "the journal is gone after the pipelined Acknowledge()" \
    || bad "the journal is still there after the pipelined Acknowledge()"

# ====================================================================== g
section "g. corrupt journals"
rig_stop_ferryd
corrupt_case() { # LABEL: $STATE/job.json is in place
    local label=$1 before rc log
    before=$(state_hash)
    log="$RIG/ferryd-corrupt.log"
    : >"$log"
    timeout 20 "$FERRYD" --config="$RIG/target/ferry.conf" --state-dir="$STATE" >"$log" 2>&1
    rc=$?
    if [ $rc -eq 124 ]; then bad "$label: ferryd started over a corrupt journal"
    elif [ $rc -eq 0 ]; then bad "$label: ferryd exited 0"
    else ok "$label: ferryd refuses to start (exit $rc)"; fi
    if grep -q -e JournalCorrupt -e unreadable "$log"; then ok "$label: the log says why: $(grep -m1 -e JournalCorrupt -e unreadable "$log" | cut -c1-160)"
    else bad "$label: the log does not name JournalCorrupt / unreadable: $(head -c 300 "$log")"; fi
    [ "$before" = "$(state_hash)" ] && ok "$label: the journal is untouched" \
        || bad "$label: the state directory changed"
    busctl --system status "$BUS_NAME" --no-pager >/dev/null 2>&1 \
        && bad "$label: $BUS_NAME is owned" || true
}
size=$(stat -c %s "$FIXTURES/job-failed.json")
head -c $((size / 2)) "$FIXTURES/job-failed.json" >"$STATE/job.json"
corrupt_case "truncated to $((size / 2)) of $size bytes"
head -c $((size - 3)) "$FIXTURES/job-failed.json" >"$STATE/job.json"
corrupt_case "missing its last 3 bytes"
: >"$STATE/job.json"
corrupt_case "empty"
python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); j["version"] = 2; print(json.dumps(j))' \
    "$FIXTURES/job-failed.json" >"$STATE/job.json"
corrupt_case "journal version 2"
python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); del j["operations"][4]; print(json.dumps(j))' \
    "$FIXTURES/job-failed.json" >"$STATE/job.json"
corrupt_case "an operation missing"
rm -f "$STATE/job.json"

section "e. the password, at the end"
OUT='' ERR=''
password_nowhere "at the end"

# ================================================================== summary
echo
if [ ${#FAILED[@]} -eq 0 ]; then
    echo "api: all $PASSED checks passed"
    exit 0
fi
echo "api: ${#FAILED[@]} of $((PASSED + ${#FAILED[@]})) checks failed:"
printf '  - %s\n' "${FAILED[@]}"
exit 1
