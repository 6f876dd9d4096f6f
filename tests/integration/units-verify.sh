#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Static checks of ferry's systemd, D-Bus and polkit integration files.
#
#   units-verify.sh SOURCE_ROOT BUILD_DIR
#
# 1. systemd-analyze verify of the built BUILD_DIR/units/ferryd.service and
#    SOURCE_ROOT/units/ferryd-resume.path. ExecStart= names the installed
#    path (@libexecdir@/ferryd, e.g. /usr/libexec/ferry/ferryd), which does
#    not exist on a build machine. So the units are verified inside a staged
#    root (verify --root=): the distribution's own units (so that dbus.socket,
#    network-online.target, paths.target, ... resolve as on the appliance),
#    our units as units/meson.build installs them, and the built
#    BUILD_DIR/daemon/ferryd at the ExecStart= path. Any warning fails.
# 2. The contract between the files: the .path unit triggers ferryd.service
#    on the marker in ferryd's StateDirectory=; the D-Bus activation file
#    names the alias that resolves to ferryd.service and ferryd's BusName=.
# 3. systemd-analyze security --offline: prints the exposure and fails
#    above 4.0.
# 4. dbus/org.ferry.Migration1.conf: well-formed XML (xmllint), accepted by
#    a real dbus-daemon, and (when run as root) only root may own the name.
#    polkit/org.ferry.migration.policy: valid against polkit's DTD.
#
# Exit: 0 pass, 1 fail, 77 skip (only when systemd-analyze is missing).

set -u
set -o pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2
    exit 1
fi
src=$(cd "$1" && pwd) || exit 1
build=$(cd "$2" && pwd) || exit 1

export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat SYSTEMD_LOG_COLOR=0 LC_ALL=C.UTF-8

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
note() { echo "note: $*"; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "########################################################################" >&2
    echo "## SKIPPED: systemd-analyze not found. Install the Debian package    ##" >&2
    echo "## 'systemd'; the unit files were NOT verified.                       ##" >&2
    echo "########################################################################" >&2
    exit 77
fi

service_built=$build/units/ferryd.service
path_src=$src/units/ferryd-resume.path
binary=$build/daemon/ferryd
bus_conf=$src/dbus/org.ferry.Migration1.conf
bus_activation=$src/dbus/org.ferry.Migration1.service
polkit_policy=$src/polkit/org.ferry.migration.policy

for f in "$service_built" "$path_src" "$bus_conf" "$bus_activation" "$polkit_policy"; do
    [ -f "$f" ] || { echo "FAIL: $f does not exist (is BUILD_DIR configured?)" >&2; exit 1; }
done
if [ ! -x "$binary" ]; then
    echo "FAIL: $binary does not exist or is not executable." >&2
    echo "      Build it first (ninja -C $build daemon/ferryd); the unit is verified" >&2
    echo "      with the real binary at its ExecStart= path." >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferry-units-verify.XXXXXX") || exit 1
bus_pid=
cleanup() {
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# Value of KEY= in a unit/desktop-style file (last assignment wins, as in systemd).
key() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

# ---------------------------------------------------------------------------
# 1. systemd-analyze verify in a staged root
# ---------------------------------------------------------------------------
root=$tmp/root
unitdir=/lib/systemd/system          # where units/meson.build installs (Debian)
distdir=/usr/lib/systemd/system      # the distribution's units, copied

exec_path=$(key "$service_built" ExecStart | awk '{print $1}')
exec_path=${exec_path#[-@:+!]}
exec_path=${exec_path#[-@:+!]}
case "$exec_path" in
    /*) ;;
    *) echo "FAIL: cannot read an absolute ExecStart= from $service_built" >&2; exit 1 ;;
esac

mkdir -p "$root$unitdir" "$root$distdir" "$root$(dirname "$exec_path")" || exit 1
# The host's units (/lib/systemd/system, the same directory as
# /usr/lib/systemd/system on merged-/usr Debian), minus any installed copy
# of ferry's own units, so that only the files under test are seen.
for d in /usr/lib/systemd/system /lib/systemd/system; do
    [ -d "$d" ] && cp -a "$d/." "$root$distdir/" 2>/dev/null
done
rm -f "$root$distdir"/ferryd.service "$root$distdir"/ferryd-resume.path \
      "$root$distdir"/dbus-org.ferry.Migration1.service
if [ ! -e "$root$distdir/dbus.socket" ]; then
    note "dbus.socket is not installed here (package dbus); Type=dbus needs it, verify will say so"
fi

cp "$service_built" "$path_src" "$root$unitdir/" || exit 1
# As units/meson.build: a static alias for D-Bus activation.
ln -s ferryd.service "$root$unitdir/dbus-org.ferry.Migration1.service" || exit 1
# The real binary at the path ExecStart= names (a copy: an absolute symlink
# would be resolved inside the root).
cp "$binary" "$root$exec_path" || exit 1

# verify looks the named files up by unit name in the root's unit search
# path; the files given on the command line must exist on the host too, so
# they are passed by their host path inside the staged root.
# --recursive-errors=one: warnings in our units and in the units they
# directly depend on fail; --man=no: man pages are not installed in the root.
verify_cmd=(systemd-analyze verify --root="$root" --man=no --recursive-errors=one
            "$root$unitdir/ferryd.service" "$root$unitdir/ferryd-resume.path")
echo "+ ${verify_cmd[*]}"
"${verify_cmd[@]}" >"$tmp/verify.out" 2>&1
rc=$?
sed 's/^/  | /' "$tmp/verify.out"
if [ $rc -ne 0 ]; then
    fail "systemd-analyze verify exited with $rc"
elif [ -s "$tmp/verify.out" ]; then
    fail "systemd-analyze verify printed warnings (see above)"
else
    pass "systemd-analyze verify: no warnings"
fi

# D-Bus activation asks systemd for the alias named in the activation file
# (SystemdService=): it must load, through the symlink, as ferryd.service.
# (systemd 252's cat-files does not support --root; verify of the alias does.)
alias_cmd=(systemd-analyze verify --root="$root" --man=no --recursive-errors=one
           "$root$unitdir/dbus-org.ferry.Migration1.service")
"${alias_cmd[@]}" >"$tmp/alias.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/alias.out" ]; then
    pass "dbus-org.ferry.Migration1.service loads as ferryd.service"
else
    sed 's/^/  | /' "$tmp/alias.out"
    fail "dbus-org.ferry.Migration1.service does not load (exit $rc)"
fi

# ---------------------------------------------------------------------------
# 2. The contract between the files
# ---------------------------------------------------------------------------
state_dir=/var/lib/$(key "$service_built" StateDirectory)
marker=$(key "$path_src" PathExists)
trigger=$(key "$path_src" Unit)
bus_name=$(key "$service_built" BusName)

[ "$(key "$service_built" Type)" = dbus ] && pass "Type=dbus" || fail "ferryd.service is not Type=dbus"
[ "$marker" = "$state_dir/job-active" ] \
    && pass "ferryd-resume.path watches $marker" \
    || fail "ferryd-resume.path watches '$marker', expected '$state_dir/job-active'"
[ "$trigger" = ferryd.service ] \
    && pass "ferryd-resume.path triggers ferryd.service" \
    || fail "ferryd-resume.path triggers '$trigger', expected ferryd.service"
grep -q '^WantedBy=paths.target$' "$path_src" \
    && pass "ferryd-resume.path is WantedBy=paths.target" \
    || fail "ferryd-resume.path is not WantedBy=paths.target"
[ "$(key "$bus_activation" Name)" = "$bus_name" ] && [ "$bus_name" = org.ferry.Migration1 ] \
    && pass "activation file and BusName= agree on $bus_name" \
    || fail "activation Name='$(key "$bus_activation" Name)' vs BusName='$bus_name'"
[ "$(key "$bus_activation" SystemdService)" = dbus-org.ferry.Migration1.service ] \
    && pass "activation file names SystemdService=dbus-org.ferry.Migration1.service" \
    || fail "activation file SystemdService='$(key "$bus_activation" SystemdService)'"
[ "$(basename "$bus_activation" .service)" = "$bus_name" ] \
    || fail "the system bus requires the activation file to be named $bus_name.service"

# ---------------------------------------------------------------------------
# 3. systemd-analyze security
# ---------------------------------------------------------------------------
# systemd 252's --threshold= takes an integer in tenths (0..100): 40 = 4.0.
threshold_tenths=40
security_cmd=(systemd-analyze security --offline=true "--threshold=$threshold_tenths"
              --root="$root" "$root$unitdir/ferryd.service")
echo "+ ${security_cmd[*]}"
"${security_cmd[@]}" >"$tmp/security.out" 2>&1
rc=$?
grep -v '^✓' "$tmp/security.out" | sed 's/^/  | /'
exposure=$(sed -n 's/^.*Overall exposure level for ferryd\.service: \([0-9][0-9]*\.[0-9]\).*$/\1/p' "$tmp/security.out")
if [ -z "$exposure" ]; then
    fail "no exposure level in the output of systemd-analyze security"
else
    echo "EXPOSURE ferryd.service: $exposure (threshold 4.0)"
    if [ $rc -ne 0 ] || ! awk -v e="$exposure" 'BEGIN { exit !(e <= 4.0) }'; then
        fail "exposure $exposure is above 4.0 (systemd-analyze exit $rc)"
    else
        pass "exposure $exposure <= 4.0"
    fi
fi

# ---------------------------------------------------------------------------
# 4. D-Bus policy and polkit actions
# ---------------------------------------------------------------------------
if command -v xmllint >/dev/null 2>&1; then
    if xmllint --noout "$bus_conf"; then
        pass "xmllint: $(basename "$bus_conf") is well-formed"
    else
        fail "xmllint: $(basename "$bus_conf")"
    fi
    # polkitd registers its DTD in the XML catalog; validate against it when
    # available, offline. Otherwise only well-formedness can be checked.
    if xmllint --nonet --noout --valid "$polkit_policy" 2>/dev/null; then
        pass "xmllint: $(basename "$polkit_policy") is valid (policyconfig DTD)"
    elif xmllint --noout "$polkit_policy"; then
        note "polkit's DTD is not in the XML catalog (package polkitd); checked well-formedness only"
        pass "xmllint: $(basename "$polkit_policy") is well-formed"
    else
        fail "xmllint: $(basename "$polkit_policy")"
    fi
    for id in org.ferry.migration.read org.ferry.migration.probe org.ferry.migration.execute; do
        n=$(xmllint --xpath "count(/policyconfig/action[@id='$id'])" "$polkit_policy" 2>/dev/null)
        [ "$n" = 1 ] || fail "$(basename "$polkit_policy"): action $id defined $n times"
    done
else
    fail "xmllint not found: install the Debian package libxml2-utils"
fi

# A real dbus-daemon must accept the policy (it refuses unknown elements and
# attributes that xmllint cannot know about) and enforce who may own the name.
if command -v dbus-daemon >/dev/null 2>&1; then
    busdir=$tmp/bus
    mkdir -p "$busdir" && chmod 0755 "$tmp" "$busdir"
    cat >"$busdir/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$busdir/socket</listen>
  <auth>EXTERNAL</auth>
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
  </policy>
  <include>$bus_conf</include>
</busconfig>
EOF
    dbus-daemon --config-file="$busdir/bus.conf" --nofork --nopidfile --print-address \
        >"$busdir/address" 2>"$busdir/stderr" &
    bus_pid=$!
    for _ in $(seq 50); do
        [ -s "$busdir/address" ] && break
        kill -0 "$bus_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ ! -s "$busdir/address" ]; then
        sed 's/^/  | /' "$busdir/stderr"
        fail "dbus-daemon refused a configuration that includes $(basename "$bus_conf")"
    else
        pass "dbus-daemon accepts $(basename "$bus_conf")"
        addr=unix:path=$busdir/socket
        request_name() {
            "$@" busctl --address="$addr" call org.freedesktop.DBus /org/freedesktop/DBus \
                org.freedesktop.DBus RequestName su org.ferry.Migration1 0 2>&1
        }
        if [ "$(id -u)" -eq 0 ]; then
            out=$(request_name)
            [ "$out" = "u 1" ] && pass "root may own org.ferry.Migration1" \
                || fail "root may not own org.ferry.Migration1: $out"
            if command -v setpriv >/dev/null 2>&1; then
                out=$(request_name setpriv --reuid=65534 --regid=65534 --clear-groups)
                case "$out" in
                    *"denied"*|*"Access"*) pass "other users may not own org.ferry.Migration1" ;;
                    *) fail "uid 65534 could own org.ferry.Migration1: $out" ;;
                esac
            fi
        else
            out=$(request_name)
            case "$out" in
                *"denied"*|*"Access"*) pass "uid $(id -u) may not own org.ferry.Migration1" ;;
                *) fail "uid $(id -u) could own org.ferry.Migration1: $out" ;;
            esac
        fi
    fi
else
    note "dbus-daemon not found (package dbus): policy not loaded into a real bus"
fi

# Issue 14 defect 12: ferryd only reads /etc/ferry (ferry.conf); it may not
# write there (ProtectSystem=strict keeps /etc read-only unless a
# ReadWritePaths= names it).
if grep -E '^(ReadWritePaths|StateDirectory|ConfigurationDirectory)=.*(/etc/ferry|^ConfigurationDirectory=)' "$service_built" >/dev/null; then
    fail "ferryd.service can write /etc/ferry: $(grep -E '/etc/ferry' "$service_built" | grep -v '^#' | tr '\n' ' ')"
else
    pass "ferryd.service cannot write /etc/ferry (ProtectSystem=strict, no ReadWritePaths= there)"
fi

echo
if [ $failures -ne 0 ]; then
    echo "units-verify: $failures check(s) FAILED" >&2
    exit 1
fi
echo "units-verify: all checks passed (exposure $exposure)"
exit 0
