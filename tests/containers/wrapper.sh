#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The "power supply" of one container appliance of the rig (see lib.sh,
# ct_boot): boots DIR/merged with systemd-nspawn and boots it again when
# systemd inside asks for a reboot (nspawn exits with 133). Any other end
# (poweroff: 0; power cut, i.e. SIGKILL of the container's systemd: other
# statuses) ends the wrapper with nspawn's status; the test boots the
# container again with another ct_boot when it wants to.
#
#   wrapper.sh NAME MACHINE DIR NETNS IFNAME CGROUP
#
# Before every boot: a fresh veth pair (IFNAME goes into the container,
# IFNAME-p onto the bridge br0 of the test's own network namespace NETNS),
# the udev database entry nspawn wants for IFNAME (there is no udevd on the
# host; lib.sh mounted a private tmpfs on /run/udev), and the container's own
# cgroup directory CGROUP under each hierarchy (the subshell that execs
# nspawn moves itself there). DIR/nspawn.pid holds the PID of the running
# nspawn; DIR/boots.log one line per end of a boot.
set -u
name=$1 machine=$2 dir=$3 netns=$4 ifname=$5 cgroup=$6
peer=$ifname-p

log() { printf '[%s wrapper %s] %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$name" "$*"; }

cgroup_dirs() {
    local h
    for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
        # cgroup v1 named hierarchy, the v2 part of a hybrid set-up, or pure v2.
        if [ "$h" = /sys/fs/cgroup ]; then
            [ -f /sys/fs/cgroup/cgroup.controllers ] && echo "$h/$cgroup"
        elif [ -d "$h" ] && [ -f "$h/cgroup.procs" ]; then
            echo "$h/$cgroup"
        fi
    done
}

# Empty sub-cgroups left by the previous boot (init.scope, system.slice, ...).
prune_cgroups() {
    local d
    for d in $(cgroup_dirs); do
        [ -d "$d" ] && find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
    done
}

while :; do
    if [ -e "$dir/stop" ]; then
        log "stop requested"
        exit 0
    fi
    ip link del "$ifname" >/dev/null 2>&1
    ip -n "$netns" link del "$peer" >/dev/null 2>&1
    if ! ip link add "$ifname" type veth peer name "$peer" netns "$netns" ||
        ! ip -n "$netns" link set "$peer" master br0 up; then
        log "cannot create the veth pair $ifname/$peer"
        exit 70
    fi
    ifindex=$(cat "/sys/class/net/$ifname/ifindex")
    mkdir -p /run/udev/data
    printf 'I:%s\n' "$(($(date +%s%N) / 1000))" > "/run/udev/data/n$ifindex"
    prune_cgroups
    for d in $(cgroup_dirs); do mkdir -p "$d"; done

    log "boot ($ifname, ifindex $ifindex)"
    (
        for d in $(cgroup_dirs); do echo "$BASHPID" > "$d/cgroup.procs" || exit 71; done
        exec systemd-nspawn --quiet --directory="$dir/merged" --machine="$machine" --boot \
            --register=no --keep-unit --private-network --network-interface="$ifname" \
            --link-journal=no --console=read-only --resolv-conf=off --timezone=off
    ) &
    pid=$!
    echo "$pid" > "$dir/nspawn.pid"
    wait "$pid"
    rc=$?
    rm -f "$dir/nspawn.pid" "/run/udev/data/n$ifindex"
    printf '%s %s\n' "$(date +%s.%N)" "$rc" >> "$dir/boots.log"
    if [ "$rc" -eq 133 ]; then
        log "reboot (nspawn exit 133)"
        continue
    fi
    log "off (nspawn exit $rc)"
    ip link del "$ifname" >/dev/null 2>&1
    ip -n "$netns" link del "$peer" >/dev/null 2>&1
    exit "$rc"
done
