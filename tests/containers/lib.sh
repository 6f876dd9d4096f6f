# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The container rig: two hotspot appliances (source, target) as
# `systemd-nspawn --boot` containers with real systemd, journald, dbus,
# logind, polkitd, networkd and MariaDB, on a bridge in a network namespace
# the test makes itself. See docs/containers.md.
#
#   source lib.sh; ct_main "$0" "$@"   (first lines of every test: checks
#                                     what the rig needs, exits 77 loudly
#                                     when it cannot work here, re-runs the
#                                     script in a private mount namespace,
#                                     sets up the EXIT clean-up)
#   ct_net_up                         namespace + bridge br0
#   ct_create NAME ROLE ADDRESS       NAME: source|target; ROLE: source|target
#   ct_boot NAME; ct_wait_booted NAME boot (wrapper loop), wait for systemd
#   ct_exec NAME CMD...               CMD inside (nsenter into its PID 1)
#   ct_sh NAME 'SCRIPT'               sh -c SCRIPT inside
#   ct_powercut NAME                  SIGKILL of its systemd, wait until off
#   ct_reboot NAME                    systemctl reboot, wait for the new boot
#   ct_poweroff NAME                  clean poweroff
#   ct_cut_now NAME                   power cut wherever NAME is (booting,
#                                     shutting down, between two boots)
#   ct_snapshot NAME; ct_restore NAME keep NAME's state while it is off, put
#                                     it back (a scenario run again)
#   ct_file NAME PATH                 host path of PATH in NAME's file system
#   ct_journal NAME ARGS...           journalctl on NAME's journal (running or not)
#   mdb_sql NAME SQL                  as tests/rig/mariadb.sh, inside NAME (so
#                                     app_table_sums of tests/rig/appliance.sh works)
#
# Addresses: 10.77.0.0/24 exists only inside the test's own namespaces.
# Nothing is left on the host: mounts live in the test's private mount
# namespace, the network namespace and the cgroups are removed, the
# overlays and logs are under $CT_DIR (kept with FERRY_CT_KEEP=1).

CT_HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
# shellcheck source=tests/containers/root.sh
source "$CT_HERE/root.sh"
# APP_EXCLUDED, APP_BASIC, app_table_sums (with mdb_sql below)
# shellcheck source=tests/rig/appliance.sh
source "$CT_HERE/../rig/appliance.sh"

CT_NET=10.77.0
CT_SOURCE_ADDR=$CT_NET.2
CT_TARGET_ADDR=$CT_NET.3
CT_SERVICES=(hotspot-portal.service hotspot-radius.service)
CT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

ct_log() { printf '[%s] %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$*" >&2; }
# The reason is printed again at the very end (ct_cleanup), after the
# containers' logs: a CI log keeps only its tail, and the reason is what
# must be in it.
ct_fail() { CT_FAIL_REASON=$*; ct_log "FAIL: $*"; exit 1; }

ct_skip() {
    {
        echo "################################################################"
        echo "# SKIP (77): the container rig cannot run on this machine:"
        echo "#   $*"
        echo "################################################################"
    } >&2
    exit 77
}

# Checks: only what makes nspawn/debootstrap impossible here leads to 77.
ct_preflight() {
    [ "$(id -u)" = 0 ] || ct_skip "must run as root (systemd-nspawn, network namespaces, overlay mounts)"
    local t pkg
    for t in systemd-nspawn:systemd-container debootstrap:debootstrap nsenter:util-linux \
        unshare:util-linux flock:util-linux ip:iproute2 meson:meson tar:tar openssl:openssl \
        journalctl:systemd systemctl:systemd; do
        pkg=${t#*:}; t=${t%%:*}
        command -v "$t" >/dev/null || ct_skip "'$t' not found (Debian package $pkg)"
    done
    grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
        ct_skip "no overlay file system in this kernel"
    [ -f /sys/fs/cgroup/systemd/cgroup.procs ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
        ct_skip "no cgroup hierarchy systemd could use (/sys/fs/cgroup/systemd or cgroup v2)"
    unshare -m -n true 2>/dev/null || ct_skip "cannot create mount/network namespaces (unshare -m -n)"
}

# First call of every test script. Outside the private mount namespace:
# preflight, then the script again inside one (its exit status is ours).
ct_main() {
    local script=$1; shift
    [ $# -eq 2 ] || { echo "usage: $script SOURCE_ROOT BUILD_DIR" >&2; exit 2; }
    if [ -z "${CT_IN_NS:-}" ]; then
        ct_preflight
        CT_IN_NS=1 exec unshare --mount --propagation private bash "$script" "$@"
    fi
    ct_init "$1" "$2"
}

# shellcheck disable=SC2034 # CT_ROLE, CT_ADDR: for the tests
declare -gA CT_MACHINE CT_IF CT_WRAPPER CT_ROLE CT_ADDR CT_LOWER
declare -ga CT_NAMES=()
CT_FAILS=0
CT_BAD=()
ok() { ct_log "ok: $*"; }
bad() { ct_log "NOT OK: $*"; CT_FAILS=$((CT_FAILS + 1)); CT_BAD+=("$*"); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

ct_init() {
    SRC=$(realpath "$1"); BUILD=$(realpath "$2")
    [ -x "$BUILD/daemon/ferryd" ] || ct_fail "ferryd not built at $BUILD/daemon/ferryd"
    [ -x "$BUILD/peer/ferry-peer" ] || ct_fail "ferry-peer not built at $BUILD/peer/ferry-peer"
    # Unique per run: interface names are global on the host (15 bytes).
    CT_TAG=$(printf '%05x' $(( ($$ * 7919 + RANDOM) % 1048576 )))
    CT_NS=ferry-ct-$CT_TAG
    CT_DIR=$(mktemp -d /var/tmp/ferry-ct.XXXXXX)
    chmod 755 "$CT_DIR"
    trap ct_cleanup EXIT
    trap 'exit 130' INT TERM
    # nspawn wants a udev database entry for the interface it moves; there
    # is no udevd on the host: a tmpfs seen only by this mount namespace.
    { mkdir -p /run/udev && mount -t tmpfs -o mode=755,size=1m ferry-ct-udev /run/udev; } ||
        ct_fail "cannot mount a tmpfs on /run/udev"
    local t0=$SECONDS
    CT_ROOT=$(ct_root) || ct_fail "no root file system"
    ct_log "root: $CT_ROOT ($((SECONDS - t0)) s); rig: $CT_DIR, namespace $CT_NS"
    ct_stage_ferry
}

# ferry as the appliances get it: the Debian packages (docs/packaging.md).
# FERRY_CT_DEBS=DIR: the .deb files of DIR (tools/test and run.sh build
# them and set it). Unset: tools/debs builds them into BUILD_DIR/debs
# (nothing to do when they are up to date). FERRY_CT_INSTALL=meson: the
# former way, `meson install --destdir` of the build directory, for a quick
# loop while editing code.
ct_stage_ferry() {
    if [ "${FERRY_CT_INSTALL:-deb}" = meson ]; then
        unset FERRY_CT_DEBS
        CT_FERRY_TREE=$CT_DIR/ferry-install
        meson install -C "$BUILD" --no-rebuild --quiet --destdir "$CT_FERRY_TREE" >"$CT_DIR/meson-install.log" 2>&1 ||
            { cat "$CT_DIR/meson-install.log" >&2; ct_fail "meson install --destdir failed"; }
        [ -x "$CT_FERRY_TREE/usr/libexec/ferry/ferryd" ] || ct_fail "meson install did not lay out /usr/libexec/ferry/ferryd"
        ct_log "ferry: meson install of $BUILD (FERRY_CT_INSTALL=meson)"
        return 0
    fi
    if [ -z "${FERRY_CT_DEBS:-}" ]; then
        "$SRC/tools/debs" "$BUILD/debs" || ct_fail "tools/debs could not build the packages"
        FERRY_CT_DEBS=$BUILD/debs
    fi
    FERRY_CT_DEBS=$(realpath "$FERRY_CT_DEBS")
    export FERRY_CT_DEBS
    local p
    CT_DEBS=()
    local pkgs=(ferry ferry-peer)
    [ "${CT_WEB:-0}" = 1 ] && pkgs+=(cockpit-ferry)
    for p in "${pkgs[@]}"; do
        CT_DEBS+=("$(ls "$FERRY_CT_DEBS/${p}"_*.deb 2>/dev/null | sort -V | tail -n 1)")
        [ -f "${CT_DEBS[-1]}" ] || ct_fail "no ${p}_*.deb in $FERRY_CT_DEBS (tools/debs builds them)"
    done
    ct_log "ferry: packages $(for d in "${CT_DEBS[@]}"; do basename "$d"; done | tr '\n' ' ')from $FERRY_CT_DEBS"
}

# Installs ferry into the (not running) root ROOT: apt-get install of the
# packages ferry and ferry-peer (and cockpit-ferry, the page, when the
# suite has a browser part: CT_WEB=1, web-lib.sh), chrooted, as an
# appliance vendor's image build would. Their dependencies are in the cached root (root.sh), so apt
# downloads nothing; the maintainer scripts enable units but start none
# (no systemd runs in the chroot).
ct_install_ferry() {
    local root=$1
    if [ -n "${FERRY_CT_DEBS:-}" ]; then
        local log d debs=()
        log=$CT_DIR/apt-install-$(basename "$(dirname "$root")").log
        mkdir -p "$root/var/cache/ferry-debs"
        cp "${CT_DEBS[@]}" "$root/var/cache/ferry-debs/" || ct_fail "cannot copy the packages into $root"
        for d in "${CT_DEBS[@]}"; do debs+=("/var/cache/ferry-debs/$(basename "$d")"); done
        chroot "$root" env -i PATH="$CT_PATH" DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
            apt-get install -y --no-install-recommends "${debs[@]}" >"$log" 2>&1 ||
            { cat "$log" >&2; ct_fail "apt-get install of the ferry packages failed"; }
        rm -rf "$root/var/cache/ferry-debs"
        return
    fi
    # /lib is a symlink to usr/lib in the root (merged /usr): keep it one.
    tar -C "$CT_FERRY_TREE" -cf - . | tar -C "$root" -xf - --keep-directory-symlink --no-same-owner ||
        ct_fail "cannot copy ferry into $root"
}

ct_net_up() {
    ip netns add "$CT_NS" || ct_fail "ip netns add $CT_NS"
    ip -n "$CT_NS" link set lo up
    ip -n "$CT_NS" link add br0 type bridge || ct_fail "no bridge in $CT_NS"
    ip -n "$CT_NS" link set br0 up
    CT_NET_UP=1
}

ct_file() { echo "$CT_DIR/$1/merged$2"; }

# ---------------------------------------------------------------------------
# An appliance: overlay over the cached root (mounted here, so the test can
# read its files directly), ferry installed, the reference appliance's
# files at ferry.conf's default paths, MariaDB configured, the units enabled.
# CT_CREATE_LOWER=DIR: the appliance's root is DIR instead of CT_ROOT (an
# appliance of another Debian release: mixed-swap.sh's Debian 11 source).
ct_create() {
    local name=$1 role=$2 addr=$3
    local d=$CT_DIR/$name
    CT_LOWER[$name]=${CT_CREATE_LOWER:-$CT_ROOT}
    mkdir -p "$d/upper" "$d/work" "$d/merged"
    mount -t overlay "ferry-ct-$name" -o "lowerdir=${CT_LOWER[$name]},upperdir=$d/upper,workdir=$d/work" "$d/merged" ||
        ct_fail "cannot mount the overlay of $name"
    CT_NAMES+=("$name")
    CT_MACHINE[$name]=ferry-$name-$CT_TAG
    CT_IF[$name]=fc$CT_TAG${name:0:1}
    CT_ROLE[$name]=$role
    CT_ADDR[$name]=$addr
    local m=$d/merged

    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$m/etc/machine-id"
    echo "$name" > "$m/etc/hostname"
    ct_install_ferry "$m"
    chroot "$m" useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin hotspot || ct_fail "useradd hotspot in $name"

    # --- the reference appliance (tests/rig/appliance.sh, at the default
    # paths of ferry.conf, owned by the appliance's user) ----------------
    local s
    mkdir -p "$m/var/lib/hotspot/settings" "$m/etc/hotspot/certs" "$m/var/log/hotspot"
    for s in "${APP_EXCLUDED[@]}" "${APP_BASIC[@]}"; do
        printf '[%s]\nOwner=%s\nValue=%s-%s-%s\n' "$s" "$name" "$name" "$s" "$RANDOM" \
            > "$m/var/lib/hotspot/settings/$s.conf"
    done
    printf '[Network]\nHostName=%s\nDomain=example.test\nAddress=%s\n' "$name" "$addr" \
        > "$m/var/lib/hotspot/settings/network.conf"
    if [ "$role" = source ]; then
        printf '[License]\nGuid=%s\nState=active\nContractEnd=2099-12-31\n' \
            "$(cat /proc/sys/kernel/random/uuid)" > "$m/var/lib/hotspot/license.conf"
    fi
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$name.example.test" \
        -keyout "$m/etc/hotspot/certs/server.key" -out "$m/etc/hotspot/certs/server.pem" >/dev/null 2>&1 ||
        ct_fail "openssl could not make a certificate"
    chroot "$m" sh -c 'chown -R hotspot:hotspot /var/lib/hotspot /var/log/hotspot &&
        chmod 0750 /var/lib/hotspot /var/lib/hotspot/settings /var/log/hotspot &&
        chmod 0640 /var/lib/hotspot/settings/*.conf &&
        chmod 0600 /etc/hotspot/certs/server.key' || ct_fail "ownership in $name"
    [ -e "$m/var/lib/hotspot/license.conf" ] && chmod 0640 "$m/var/lib/hotspot/license.conf"

    cat > "$m/etc/ferry/ferry.conf" <<CONF
# The container rig's appliance "$name" ($role); paths are ferry's defaults.
[Appliance]
Databases=hotspot
Services=${CT_SERVICES[*]}

[Migration]
ProbeTimeoutSec=5
# The container suites check the manual's path (the copy under maintenance);
# the copy while the source serves is checked by faults-pre-copy on the
# integration rig. CT_COPY_WHILE_SERVING=yes runs them with it.
CopyWhileServing=${CT_COPY_WHILE_SERVING:-no}

[Database]
Socket=/run/mysqld/mysqld.sock
CONF

    # --- MariaDB: the distribution's unit and socket, reachable on 3306 ---
    local sid=${addr##*.}
    cat > "$m/etc/mysql/mariadb.conf.d/60-ferry-rig.cnf" <<CNF
# ferry container rig
[mysqld]
bind-address = 0.0.0.0
skip-name-resolve
server-id = $sid
log-bin = mysql-bin
binlog-format = ROW
local-infile = ON
innodb-buffer-pool-size = 128M
CNF
    if [ "$role" = source ]; then
        # TLS on 3306 with the appliance's certificate (the peer serves the
        # same one on 443).
        mkdir -p "$m/etc/mysql/ssl"
        cp "$m/etc/hotspot/certs/server.pem" "$m/etc/hotspot/certs/server.key" "$m/etc/mysql/ssl/"
        chroot "$m" chown -R mysql:mysql /etc/mysql/ssl
        printf 'ssl-cert = /etc/mysql/ssl/server.pem\nssl-key = /etc/mysql/ssl/server.key\n' \
            >> "$m/etc/mysql/mariadb.conf.d/60-ferry-rig.cnf"
    fi

    # --- user-facing services: stand-ins the migration restarts/stops -----
    # Where a package puts them (/lib/systemd/system): systemd cannot mask a
    # unit whose file is in /etc/systemd/system ("File ... already exists").
    for s in "${CT_SERVICES[@]}"; do
        cat > "$m/lib/systemd/system/$s" <<UNIT
[Unit]
Description=Hotspot ${s%.service} (container rig stand-in)
After=mariadb.service

[Service]
ExecStart=/bin/sleep infinity

[Install]
WantedBy=multi-user.target
UNIT
    done

    # --- network settings applied at boot (what Swap Configuration needs) --
    # ferry's boot units (units/, docs/units.md): ferry-apply-staged.service
    # makes settings staged by a Swap the settings, then
    # ferry-appliance-network.service writes the networkd file for the
    # address of the `network` section and sets the host name, both before
    # systemd-networkd starts. They are installed with ferry, enabled here.
    local units=(ferry-appliance-network.service ferry-apply-staged.service "${CT_SERVICES[@]}")
    if [ "$role" = source ]; then
        units+=(ferry-peer.socket ferry-peer-redirect.socket)
    else
        units+=(ferryd-resume.path)
    fi
    systemctl --root="$m" enable "${units[@]}" >/dev/null 2>&1 ||
        ct_fail "systemctl --root enable ${units[*]} in $name"
    ct_log "$name: appliance ($role, $addr) made in the overlay $d/upper"
}

# The source's Admin password: only its hash goes into the source
# (ferry-peer --hash-password), the password itself into a 0600 file in the
# target for ferryctl --password-file.
ct_set_password() {
    local src=$1 tgt=$2
    CT_PASSWORD="Adm1n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    printf '%s' "$CT_PASSWORD" > "$CT_DIR/password"
    chmod 600 "$CT_DIR/password"
    local m
    m=$(ct_file "$src" /)
    "$BUILD/peer/ferry-peer" --hash-password < "$CT_DIR/password" > "$m/etc/ferry/admin-password.hash" ||
        ct_fail "ferry-peer --hash-password"
    chmod 600 "$m/etc/ferry/admin-password.hash"
    cat >> "$m/etc/ferry/ferry.conf" <<CONF

[Peer]
AdminPasswordHash=/etc/ferry/admin-password.hash
Certificate=/etc/hotspot/certs/server.pem
Key=/etc/hotspot/certs/server.key
CONF
    install -m 600 "$CT_DIR/password" "$(ct_file "$tgt" /root/source-password)"
}

# ---------------------------------------------------------------------------
# Power.
ct_boot() {
    local name=$1 d=$CT_DIR/$1
    rm -f "$d/stop"
    "$CT_HERE/wrapper.sh" "$name" "${CT_MACHINE[$name]}" "$d" "$CT_NS" "${CT_IF[$name]}" \
        "ferry-ct-$CT_TAG-$name" >>"$d/console.log" 2>&1 &
    CT_WRAPPER[$name]=$!
}

# PID (on the host) of the container's systemd, empty when it is off.
ct_pid1() {
    local nspawn p
    nspawn=$(cat "$CT_DIR/$1/nspawn.pid" 2>/dev/null) || return 1
    for p in $(pgrep -P "$nspawn"); do
        [ "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)" = 1 ] && { echo "$p"; return 0; }
    done
    return 1
}

ct_exec() {
    local name=$1 pid; shift
    pid=$(ct_pid1 "$name") || { ct_log "$name is not running"; return 125; }
    nsenter --target "$pid" --all -- env -i PATH="$CT_PATH" LANG=C.UTF-8 HOME=/root "$@"
}
ct_sh() { ct_exec "$1" sh -c "$2"; }

ct_boot_id() { ct_exec "$1" cat /proc/sys/kernel/random/boot_id 2>/dev/null; }

# Waits (bounded) until NAME's systemd has finished booting; prints the
# failed units when the system is degraded.
ct_wait_booted() {
    local name=$1 timeout=${2:-180} deadline state
    deadline=$((SECONDS + timeout))
    until ct_pid1 "$name" >/dev/null; do
        kill -0 "${CT_WRAPPER[$name]}" 2>/dev/null || { tail -n 30 "$CT_DIR/$name/console.log" >&2; ct_fail "$name: nspawn ended during boot"; }
        [ $SECONDS -lt $deadline ] || ct_fail "$name: no container PID 1 after ${timeout}s"
        sleep 0.1
    done
    # Wait until the system bus socket is there, then for the boot to finish.
    # "offline" (and an empty answer) means systemctl could not reach
    # systemd yet, very early in the boot: keep waiting for a real state.
    until state=$(ct_exec "$name" timeout 10 systemctl is-system-running --wait 2>/dev/null);
        [ "$state" = running ] || [ "$state" = degraded ] || [ "$state" = maintenance ]; do
        [ $SECONDS -lt $deadline ] || ct_fail "$name: boot not finished after ${timeout}s (state '$state')"
        sleep 0.2
    done
    if [ "$state" != running ]; then
        ct_log "$name: system is $state; failed units:"
        ct_exec "$name" systemctl --failed --no-legend --no-pager >&2
    fi
    ct_log "$name: booted ($state, boot $(ct_boot_id "$name"))"
}

# How often NAME's systemd asked for a reboot (nspawn exit 133, in the
# wrapper's boots.log).
ct_reboots() { awk '$2 == 133' "$CT_DIR/$1/boots.log" 2>/dev/null | grep -c .; }

# Waits (bounded, 120 s) until SOURCE and TARGET have each rebooted by
# themselves, checks that each did so exactly once, and fails the test when
# one did not.
ct_wait_rebooted() {
    local s=$1 t=$2 i
    for ((i = 0; i < 1200; i++)); do
        [ "$(ct_reboots "$s")" -ge 1 ] && [ "$(ct_reboots "$t")" -ge 1 ] && break
        sleep 0.1
    done
    check "source rebooted by itself (nspawn exit 133)" [ "$(ct_reboots "$s")" -eq 1 ]
    check "target rebooted by itself (nspawn exit 133)" [ "$(ct_reboots "$t")" -eq 1 ]
    if [ "$(ct_reboots "$s")" -lt 1 ] || [ "$(ct_reboots "$t")" -lt 1 ]; then ct_fail "the systems did not reboot"; fi
}

# Power cut: SIGKILL of the container's systemd; every process inside dies
# with it. (The host's page cache survives: this is not a disk cache loss.)
ct_powercut() {
    local name=$1 pid i
    pid=$(ct_pid1 "$name") || ct_fail "$name is not running"
    kill -KILL "$pid"
    for ((i = 0; i < 600; i++)); do
        kill -0 "${CT_WRAPPER[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "${CT_WRAPPER[$name]}" 2>/dev/null && ct_fail "$name: still running 60 s after the power cut"
    wait "${CT_WRAPPER[$name]}" 2>/dev/null
}

# An appliance's state, kept while it is off, and put back for the next
# run of the same scenario (swap-power-cut.sh: one migration per point from
# the same start): the overlay's upper layer is copied (cp -a keeps owners,
# modes, xattrs and overlayfs' whiteouts) and the overlay mounted again.
ct_snapshot() {
    local name=$1 d=$CT_DIR/$1
    ! kill -0 "${CT_WRAPPER[$name]:-0}" 2>/dev/null || ct_fail "ct_snapshot $name: it is running"
    rm -rf "$d/snapshot"
    cp -a "$d/upper" "$d/snapshot" || ct_fail "cannot copy the upper layer of $name"
}
# The overlay of a container that was just cut off: nspawn has exited, but
# the kernel may still be tearing down the container's mount namespace
# (EBUSY for a moment). Bounded: 10 s, then who holds it is printed and the
# mount is detached lazily (the next mount gets a fresh upper layer).
ct_umount_overlay() {
    local name=$1 d=$CT_DIR/$1 i
    for ((i = 0; i < 50; i++)); do
        umount "$d/merged" 2>/dev/null && return 0
        sleep 0.2
    done
    ct_log "$name: the overlay is still busy 10 s after the container ended; holders:"
    fuser -vm "$d/merged" >&2 2>&1
    umount -l "$d/merged" || ct_fail "cannot unmount the overlay of $name"
}
ct_restore() {
    local name=$1 d=$CT_DIR/$1
    ! kill -0 "${CT_WRAPPER[$name]:-0}" 2>/dev/null || ct_fail "ct_restore $name: it is running"
    [ -d "$d/snapshot" ] || ct_fail "ct_restore $name: no snapshot"
    ct_umount_overlay "$name"
    rm -rf "$d/upper" "$d/work"
    cp -a "$d/snapshot" "$d/upper" || ct_fail "cannot restore the upper layer of $name"
    mkdir -p "$d/work"
    mount -t overlay "ferry-ct-$name" -o "lowerdir=${CT_LOWER[$name]},upperdir=$d/upper,workdir=$d/work" "$d/merged" ||
        ct_fail "cannot mount the overlay of $name again"
    rm -f "$d/boots.log"
}

# Power cut of NAME if it runs (its systemd, whatever it is doing: booting,
# running, shutting down); when it is between two boots of a reboot, the
# wrapper is stopped before it boots again. Either way NAME is off after.
ct_cut_now() {
    local name=$1 pid i
    touch "$CT_DIR/$name/stop"
    pid=$(ct_pid1 "$name") && kill -KILL "$pid"
    for ((i = 0; i < 600; i++)); do
        kill -0 "${CT_WRAPPER[$name]}" 2>/dev/null || break
        # The wrapper may have started nspawn again just before the marker.
        pid=$(ct_pid1 "$name") && kill -KILL "$pid"
        sleep 0.1
    done
    kill -0 "${CT_WRAPPER[$name]}" 2>/dev/null && ct_fail "$name: still running 60 s after the power cut"
    wait "${CT_WRAPPER[$name]}" 2>/dev/null
    rm -f "$CT_DIR/$name/stop"
}

ct_reboot() {
    local name=$1 old pid
    old=$(ct_boot_id "$name")
    ct_exec "$name" systemctl reboot --no-block || ct_fail "$name: systemctl reboot"
    local deadline=$((SECONDS + 180))
    while pid=$(ct_pid1 "$name") && [ "$(ct_boot_id "$name")" = "$old" ]; do
        [ $SECONDS -lt $deadline ] || ct_fail "$name: still boot $old 180 s after systemctl reboot"
        sleep 0.2
    done
    ct_wait_booted "$name"
    [ "$(ct_boot_id "$name")" != "$old" ] || ct_fail "$name: the boot id did not change"
}

ct_poweroff() {
    local name=$1 i
    kill -0 "${CT_WRAPPER[$name]:-0}" 2>/dev/null || return 0
    touch "$CT_DIR/$name/stop"
    ct_exec "$name" systemctl poweroff --no-block >/dev/null 2>&1
    for ((i = 0; i < 600; i++)); do
        kill -0 "${CT_WRAPPER[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "${CT_WRAPPER[$name]}" 2>/dev/null; then
        ct_log "$name: no poweroff within 60 s: power cut"
        local pid; pid=$(ct_pid1 "$name") && kill -KILL "$pid"
        sleep 1
        kill "${CT_WRAPPER[$name]}" 2>/dev/null
    fi
    wait "${CT_WRAPPER[$name]}" 2>/dev/null
}

# journalctl over NAME's persistent journal, read from the host (works
# whether the container runs or not).
ct_journal() {
    local name=$1; shift
    journalctl --directory="$(ct_file "$name" /var/log/journal)/$(cat "$(ct_file "$name" /etc/machine-id)")" \
        --no-pager "$@"
}

# ---------------------------------------------------------------------------
# MariaDB inside an appliance (the distribution's unit and socket).
ct_wait_mariadb() {
    local name=$1 i
    for ((i = 0; i < 600; i++)); do
        ct_exec "$name" mariadb-admin --connect-timeout=2 ping >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    ct_exec "$name" systemctl status mariadb --no-pager >&2
    ct_fail "$name: MariaDB does not answer"
}
mdb_sql() {
    local name=$1 sql=$2; shift 2
    ct_exec "$name" mariadb --no-defaults --socket=/run/mysqld/mysqld.sock -uroot -N -B "$@" -e "$sql"
}

# Fills NAME's MariaDB with tests/rig/gen_dataset.py (run inside, with the
# container's python3 and mariadb client).
ct_gen_data() {
    local name=$1 rows=$2 t0=$SECONDS
    install -D -m 644 "$SRC/tests/rig/gen_dataset.py" "$(ct_file "$name" /usr/local/lib/ferry-rig/gen_dataset.py)"
    ct_exec "$name" python3 /usr/local/lib/ferry-rig/gen_dataset.py --socket /run/mysqld/mysqld.sock \
        --rows "$rows" --jobs 1 >"$CT_DIR/gen-$name.log" 2>&1 || { tail -n 20 "$CT_DIR/gen-$name.log" >&2; ct_fail "data set generation in $name"; }
    ct_log "$name: $rows rows generated in $((SECONDS - t0)) s"
}

# Rotated user-traffic logs of MB megabytes in all.
ct_fill_logs() {
    local name=$1 mb=$2 i dir
    dir=$(ct_file "$name" /var/log/hotspot)
    for i in 0 1 2 3; do
        head -c $((mb * 1024 * 1024 / 4)) /dev/urandom > "$dir/traffic.log.$i"
    done
    mv "$dir/traffic.log.0" "$dir/traffic.log"
    chroot "$(ct_file "$name" /)" sh -c 'chown hotspot:hotspot /var/log/hotspot/* && chmod 0640 /var/log/hotspot/*'
}

# Unit property of NAME's systemd.
ct_unit() { ct_exec "$1" systemctl show -P "$3" "$2"; }

# ---------------------------------------------------------------------------
# More appliances, and MariaDB rings (ha.sh; docs/ha.md). ct_create makes
# any number of appliances (their names must differ in the first letter,
# which names the veth); a ring node is made with ROLE source (licensed,
# TLS on 3306, ferry-peer's sockets enabled: any node of a ring can be
# migrated).
#
#   ct_share_password NAME   NAME's ferry-peer accepts the rig's Admin
#                            password too (after ct_set_password: the nodes
#                            of a ring share it; the target's Probe logs in
#                            to the ring's Main node with it)
#   ct_ring_node NAME        NAME's MariaDB ready to be a ring node:
#                            log_slave_updates, and server_id and
#                            gtid_domain_id from the last octet of the
#                            appliance's address, read from its network
#                            settings before every start of mariadb.service
#                            (a system that takes another's address with a
#                            Swap keeps that node's identity across reboots)
#   mdb_client NAME ARGS...  the mariadb client inside NAME (tests/rig/ring.sh)
ct_share_password() {
    local name=$1 m
    [ -s "$CT_DIR/password" ] || ct_fail "ct_share_password $name: no password yet (ct_set_password first)"
    m=$(ct_file "$name" /)
    "$BUILD/peer/ferry-peer" --hash-password < "$CT_DIR/password" > "$m/etc/ferry/admin-password.hash" ||
        ct_fail "ferry-peer --hash-password"
    chmod 600 "$m/etc/ferry/admin-password.hash"
    grep -q '^\[Peer\]' "$m/etc/ferry/ferry.conf" || cat >> "$m/etc/ferry/ferry.conf" <<CONF

[Peer]
AdminPasswordHash=/etc/ferry/admin-password.hash
Certificate=/etc/hotspot/certs/server.pem
Key=/etc/hotspot/certs/server.key
CONF
}

ct_ring_node() {
    local name=$1 m
    m=$(ct_file "$name" /)
    mkdir -p "$m/usr/local/libexec" "$m/etc/systemd/system/mariadb.service.d"
    cat > "$m/usr/local/libexec/ferry-rig-ring-ids" <<'SCRIPT'
#!/bin/sh
# The container rig's ring node identity (tests/containers/lib.sh,
# ct_ring_node): server_id and gtid_domain_id are the last octet of the
# appliance's address in its network settings, written before each start
# of MariaDB.
set -eu
addr=$(sed -n 's/^Address=//p' /var/lib/hotspot/settings/network.conf | head -n 1)
id=${addr##*.}
id=${id%%/*}
case $id in '' | *[!0-9]*) echo "ferry-rig-ring-ids: no address in network.conf" >&2; exit 1 ;; esac
umask 022 # mariadb.service's UMask=007 would hide the file from mariadbd (user mysql)
printf '%s\n' "# Written by /usr/local/libexec/ferry-rig-ring-ids before MariaDB started," \
    "# from Address=$addr of the network settings." "[mysqld]" "log-slave-updates = ON" \
    "server-id = $id" "gtid-domain-id = $id" > /etc/mysql/mariadb.conf.d/61-ferry-rig-ring.cnf
echo "ferry-rig-ring-ids: server_id and gtid_domain_id $id (address $addr)"
SCRIPT
    chmod 755 "$m/usr/local/libexec/ferry-rig-ring-ids"
    # "+": outside mariadb.service's sandbox (its ProtectSystem=full makes
    # /etc read-only).
    printf '[Service]\nExecStartPre=+/usr/local/libexec/ferry-rig-ring-ids\n' \
        > "$m/etc/systemd/system/mariadb.service.d/60-ferry-rig-ring.conf"
}

mdb_client() {
    local name=$1; shift
    ct_exec "$name" mariadb --no-defaults --socket=/run/mysqld/mysqld.sock -uroot "$@"
}

# ---------------------------------------------------------------------------
ct_dump_logs() {
    local name
    for name in "${CT_NAMES[@]}"; do
        echo "--- $name: console (tail)"
        tail -n 15 "$CT_DIR/$name/console.log" 2>/dev/null
        echo "--- $name: journal, ferry units (tail)"
        ct_journal "$name" -o short-monotonic -u ferryd.service -u ferry-peer.service -u ferryd-resume.path \
            -u mariadb.service 2>/dev/null | tail -n 40
    done >&2
}

ct_cleanup() {
    local rc=$? name pid i h
    trap - EXIT INT TERM
    [ $rc -ne 0 ] && [ -n "${CT_DIR:-}" ] && ct_dump_logs
    for name in "${CT_NAMES[@]}"; do
        touch "$CT_DIR/$name/stop"
        pid=$(ct_pid1 "$name") && kill -KILL "$pid"
    done
    for name in "${CT_NAMES[@]}"; do
        pid=${CT_WRAPPER[$name]:-}
        [ -n "$pid" ] || continue
        for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    for name in "${CT_NAMES[@]}"; do
        umount "$CT_DIR/$name/merged" 2>/dev/null || umount -l "$CT_DIR/$name/merged" 2>/dev/null
        ip link del "${CT_IF[$name]}" >/dev/null 2>&1
        for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
            [ -d "$h/ferry-ct-$CT_TAG-$name" ] && find "$h/ferry-ct-$CT_TAG-$name" -depth -type d -exec rmdir {} + 2>/dev/null
        done
    done
    [ -n "${CT_NET_UP:-}" ] && ip netns del "$CT_NS" 2>/dev/null
    umount /run/udev 2>/dev/null
    local bad
    for bad in "${CT_BAD[@]}"; do ct_log "(again) NOT OK: $bad"; done
    [ -n "${CT_FAIL_REASON:-}" ] && ct_log "FAIL (the reason, again after the logs above): $CT_FAIL_REASON"
    if [ -n "${CT_DIR:-}" ]; then
        if [ -n "${FERRY_CT_KEEP:-}" ]; then
            ct_log "kept $CT_DIR (FERRY_CT_KEEP)"
        else
            rm -rf "$CT_DIR"
        fi
    fi
    exit $rc
}
