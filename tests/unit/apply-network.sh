#!/usr/bin/env bash
# ferry-peer --apply-network=DIR where DIR does not exist yet (Debian 11's
# systemd 247 does not make /run/systemd/network at boot; Debian 12's
# does): the directory must come out 0755 and the file 0644, so that
# networkd (user systemd-network) can read them, although ferry-peer runs
# with umask 0077. Made 0700 before, networkd could not open it and the
# Debian 11 appliance came up without its address (containers-mixed-swap).
# No root needed: no HostName= in the settings, so no sethostname(2).
#   apply-network.sh FERRY_PEER
set -uo pipefail
PEER=$1
d=$(mktemp -d "${TMPDIR:-/tmp}/ferry-apply-network.XXXXXX") || exit 1
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/settings"
printf '[Network]\nAddress=192.0.2.10\n' > "$d/settings/network.conf"
printf '[Appliance]\nSettingsDirectory=%s\n' "$d/settings" > "$d/ferry.conf"
umask 0022
"$PEER" --config="$d/ferry.conf" --apply-network="$d/run/systemd/network" > "$d/out" 2>&1 ||
    { cat "$d/out"; echo "NOT OK: ferry-peer --apply-network failed"; exit 1; }
fails=0
mode=$(stat -c %a "$d/run/systemd/network")
[ "$mode" = 755 ] || { echo "NOT OK: the directory it made is $mode, not 755"; fails=$((fails + 1)); }
mode=$(stat -c %a "$d/run/systemd/network/10-ferry-appliance.network")
[ "$mode" = 644 ] || { echo "NOT OK: the file is $mode, not 644"; fails=$((fails + 1)); }
grep -qx 'Address=192.0.2.10/24' "$d/run/systemd/network/10-ferry-appliance.network" ||
    { echo "NOT OK: no Address= line"; fails=$((fails + 1)); }
[ $fails -eq 0 ] && echo "ok: directory 755, file 644, Address=192.0.2.10/24"
exit $((fails > 0))
