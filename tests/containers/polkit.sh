#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# polkit.sh SOURCE_ROOT BUILD_DIR
#
# ferryd's authorization inside a booted target appliance: the real
# polkitd, logind and dbus-daemon of the container, ferry's installed
# policy (/usr/share/polkit-1/actions) and bus policy, ferryd started by
# D-Bus activation. Callers run through the container's systemd
# (systemd-run --uid=), with and without a logind session (PAMName=login):
#   ferrytest (no group)             probe, start: NotAuthorized; read allowed
#   ferryweb (group webpanel)        denied, then allowed once
#                                    50-ferry-webpanel.rules.example is
#                                    installed in /etc/polkit-1/rules.d
#   root                             allowed
# "Allowed" means ferryd went past polkit: the probe of an address where
# nothing listens ends with Unreachable, start without a probe with
# NotProbed, never NotAuthorized.
#
# Exit 0 pass, 1 fail, 77 skip (only when nspawn/debootstrap cannot work here).
set -uo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
ct_main "$0" "$@"

T=target
NOBODY_ADDR=$CT_NET.9 # inside the test's namespace; nothing answers there

ct_net_up
ct_create $T target "$CT_TARGET_ADDR"
M=$(ct_file $T /)
sed -i 's/^ProbeTimeoutSec=.*/ProbeTimeoutSec=1/' "$M/etc/ferry/ferry.conf"
chroot "$M" sh -c 'groupadd webpanel && useradd -m -s /bin/sh ferrytest && useradd -m -s /bin/sh -G webpanel ferryweb' ||
    ct_fail "test users"
mkdir -p "$M/etc/ferry-rig"
printf 'not-the-password\n' > "$M/etc/ferry-rig/password"
chmod 644 "$M/etc/ferry-rig/password"
ct_boot $T
ct_wait_booted $T

# Runs ferryctl ARGS as USER (root: directly). MODE session: in a logind
# session (PAM "login"), prints the session's class and state first.
# Prints ferryctl's output; the exit status is ferryctl's.
as() {
    local user=$1 mode=$2; shift 2
    if [ "$user" = root ]; then
        ct_exec $T ferryctl --no-ask-password "$@" 2>&1
        return
    fi
    local props=(--uid="$user" "--property=Environment=HOME=/home/$user")
    if [ "$mode" = session ]; then
        props+=(--property=PAMName=login)
        # shellcheck disable=SC2016 # expanded by the inner shell
        ct_exec $T systemd-run --quiet --wait --pipe --collect "${props[@]}" -- \
            sh -c 'loginctl show-session "$XDG_SESSION_ID" -p Class -p Active -p Remote --value | tr "\n" " "; echo "session=$XDG_SESSION_ID"; exec ferryctl --no-ask-password "$@"' sh "$@" 2>&1
    else
        ct_exec $T systemd-run --quiet --wait --pipe --collect "${props[@]}" -- \
            ferryctl --no-ask-password "$@" 2>&1
    fi
}
probe() { as "$1" "$2" --json=short probe "$NOBODY_ADDR" --password-file=/etc/ferry-rig/password; }
start() { as "$1" "$2" start --yes; }
readable() { as "$1" "$2" options; }

# expect WHAT allowed|denied CMD...: denied = NotAuthorized in the output;
# allowed = a reply from ferryd past polkit (any other ferryd error).
expect() {
    local what=$1 want=$2; shift 2
    local out rc
    out=$("$@"); rc=$?
    printf '%s\n%s (exit %s)\n' "--- $what" "$out" "$rc" >> "$CT_DIR/calls.log"
    local refused=no
    grep -q -e 'NotAuthorized' -e 'Not authorized' <<<"$out" && refused=yes
    if [ "$want" = denied ]; then
        check "$what: NotAuthorized (exit $rc)" [ "$refused/$rc" = yes/3 ]
    else
        local past=no
        grep -q -e 'Error.Unreachable' -e 'No source system has been probed' <<<"$out" && past=yes
        check "$what: allowed, ferryd answered past polkit (exit $rc, $(grep -o -e 'Error.Unreachable' -e 'probed yet' <<<"$out" | head -n 1))" \
            [ "$refused/$past" = no/yes ]
    fi
}

has_actions() { ct_exec $T pkaction --action-id org.ferry.migration.execute >/dev/null; }
check "ferry's actions are known to polkitd" has_actions

# A service with PAMName= gets a logind session of class "background"
# (not active: polkit applies allow_inactive to it, allow_any without one).
out=$(as ferrytest session status)
check "ferrytest in a logind session (Active Class Remote: $(head -n 1 <<<"$out"))" grep -q 'session=[0-9]' <<<"$out"
for mode in nosession session; do
    expect "ferrytest ($mode): probe" denied probe ferrytest $mode
    expect "ferrytest ($mode): start" denied start ferrytest $mode
    expect "ferrytest ($mode): read (options)" allowed readable ferrytest $mode
    expect "ferryweb without the rule ($mode): probe" denied probe ferryweb $mode
done
denials_logged() { ct_journal $T -u ferryd.service -o cat | grep -q 'polkit denied org.ferry.migration.probe'; }
check "ferryd logged the refusals" denials_logged
expect "root: probe" allowed probe root -
expect "root: start" allowed start root -

install -m 644 "$SRC/polkit/50-ferry-webpanel.rules.example" "$M/etc/polkit-1/rules.d/50-ferry-webpanel.rules"
# polkitd watches its rules directories and reloads by itself (inotify);
# under load that takes a moment: wait (bounded) until the rule applies.
for ((i = 0; i < 60; i++)); do
    probe ferryweb nosession | grep -q -e NotAuthorized -e 'Not authorized' || break
    sleep 0.5
done
ct_log "the rule applied after about $((i / 2)) s"
for mode in nosession session; do
    expect "ferryweb with the rule ($mode): probe" allowed probe ferryweb $mode
    expect "ferryweb with the rule ($mode): start" allowed start ferryweb $mode
    expect "ferrytest with the rule ($mode): probe" denied probe ferrytest $mode
done
check "the container's polkitd answered (polkit.service active)" [ "$(ct_unit $T polkit.service ActiveState)" = active ]
check "ferryd runs, started by D-Bus activation" [ "$(ct_unit $T ferryd.service ActiveState)" = active ]

[ $CT_FAILS -eq 0 ] || { cat "$CT_DIR/calls.log" >&2; ct_fail "$CT_FAILS check(s) failed"; }
ct_log "PASS: polkit (real polkitd and logind in the target appliance)"
