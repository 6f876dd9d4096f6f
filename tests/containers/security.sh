#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# security.sh SOURCE_ROOT BUILD_DIR
#
# The sandbox of the installed units on a booted appliance (real systemd
# 252): `systemd-analyze security` of ferryd.service and ferry-peer.service
# (the online form, on the loaded units), and what ferryd's process really
# gets once D-Bus activation started it: capabilities, no_new_privs,
# seccomp, and which paths it can write.
#
# FERRY_CT_SECURITY_MAX (default 40, i.e. 4.0): exposure above this fails,
# as in tests/integration/units-verify.sh.
# Exit 0 pass, 1 fail, 77 skip (only when nspawn/debootstrap cannot work here).
set -uo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
ct_main "$0" "$@"

MAX=${FERRY_CT_SECURITY_MAX:-40}
T=target

ct_net_up
ct_create $T target "$CT_TARGET_ADDR"
ct_boot $T
ct_wait_booted $T

for unit in ferryd.service ferry-peer.service; do
    ct_exec $T systemd-analyze security --no-pager "$unit" > "$CT_DIR/security-$unit.txt" 2>&1
    level=$(sed -n "s/.*Overall exposure level for $unit: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p" "$CT_DIR/security-$unit.txt")
    ct_log "systemd-analyze security $unit (booted appliance, systemd $(ct_exec $T systemctl --version | awk 'NR==1 {print $2}')): ${level:-?}"
    tenths=999
    [ -n "$level" ] && tenths=$(awk -v l="${level%% *}" 'BEGIN { printf "%d", l * 10 + 0.5 }')
    check "$unit: exposure ${level:-unknown} <= $((MAX / 10)).$((MAX % 10))" [ "$tenths" -le "$MAX" ]
    grep -E '^✗' "$CT_DIR/security-$unit.txt" | sed "s/^/  $unit: /" >&2
done
echo "FERRY_SECURITY ferryd.service $(sed -n 's/.*Overall exposure level for ferryd.service: \([0-9.]*\).*/\1/p' "$CT_DIR/security-ferryd.service.txt")"

# ferryd as it runs: started by D-Bus activation.
ct_exec $T ferryctl status >"$CT_DIR/status.txt" 2>&1 || { cat "$CT_DIR/status.txt" >&2; ct_fail "ferryctl status (D-Bus activation of ferryd)"; }
PID=$(ct_unit $T ferryd.service MainPID)
check "ferryd runs (MainPID $PID)" [ "${PID:-0}" -gt 0 ]
status=$(ct_exec $T cat "/proc/$PID/status")
field() { awk -v k="$1:" '$1 == k { print $2 }' <<<"$status"; }
# CAP_CHOWN (0), CAP_DAC_OVERRIDE (1), CAP_FOWNER (3).
check "ferryd: bounding set = effective set = chown, dac_override, fowner" \
    [ "$(field CapBnd)/$(field CapEff)" = 000000000000000b/000000000000000b ]
check "ferryd: no_new_privs" [ "$(field NoNewPrivs)" = 1 ]
check "ferryd: seccomp filter" [ "$(field Seccomp)" = 2 ]

# What ferryd's mount namespace lets it write (nsenter -m into it; the
# capabilities of the caller do not matter for read-only mounts).
in_ferryd() { ct_exec $T nsenter --target "$PID" --mount -- "$@"; }
writable() { in_ferryd sh -c "f=\$1/.ferry-ct-probe; : > \"\$f\" && rm -f \"\$f\"" sh "$1" 2>/dev/null; }
for d in /var/lib/ferry /var/lib/hotspot /var/lib/hotspot/settings /etc/hotspot/certs /var/log/hotspot /tmp; do
    check "ferryd can write $d" writable "$d"
done
not_writable() { ! writable "$1"; }
# /etc/ferry too: ferryd writes nothing there (issue 14, defect 12).
for d in /etc /etc/ferry /usr /var/lib /root /var/lib/mysql; do
    check "ferryd cannot write $d" not_writable "$d"
done
# The kernel's boot id ferryd would read is the host's (ProtectProc= gives
# it a /proc without the one nspawn mounts); it keeps its own per-boot id in
# its runtime directory instead (/run is new at every boot).
boot_file=$(in_ferryd cat /run/ferry/boot-id 2>/dev/null)
check "ferryd keeps a per-boot id in /run/ferry ($boot_file)" [ ${#boot_file} -eq 32 ]

[ $CT_FAILS -eq 0 ] || ct_fail "$CT_FAILS check(s) failed"
ct_log "PASS: security of the installed units"
