# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The cached Debian root every container of the rig boots from (read-only
# lower layer of each container's overlay). Sourced by lib.sh.
#
#   ct_root          prints the path of the cached root, making it first when
#                    missing (debootstrap, about 2-3 minutes and 450 MB)
#
# The cache is keyed by a hash of the suite, the mirror, the package list
# and the text of ct_root_setup below: changing any of them makes a new root
# next to the old one (remove /var/cache/ferry-tests to reclaim the space).
# Only packages and generic boot settings live in the root; everything that
# makes a container an appliance is written into its overlay by lib.sh, so
# that editing the rig does not cost a new debootstrap.

CT_SUITE=${FERRY_CT_SUITE:-bookworm}
CT_CACHE=${FERRY_CT_CACHE:-/var/cache/ferry-tests}

# Booting, the bus, logind and polkit, networking, the database, and the
# runtime libraries of ferryd, ferry-peer and ferryctl (objdump -p: NEEDED;
# libsystemd0 and libstdc++6 come with systemd). python3: the data set
# generator; curl: checks of the peer API from inside.
CT_PACKAGES=(
    systemd systemd-sysv dbus libpam-systemd polkitd
    iproute2 iputils-ping procps
    mariadb-server mariadb-client
    libsdbus-c++1 libspdlog1.10 libfmt9 libmariadb3 libcurl4 libmicrohttpd12 libssl3 libcrypt1
    python3 curl
)
# Installed by apt-get in the new root after debootstrap (whose own
# dependency resolution fails to configure glib-networking's dconf): the
# appliance's web panel, Cockpit (cockpit-ws on 9090, the bridge, the
# shell), and sudo for the administrator's administrative access there
# (swap.sh's browser part, web-lib.sh).
CT_APT_PACKAGES=(cockpit-ws cockpit-bridge cockpit-system sudo)
# A Debian 11 source appliance (FERRY_CT_SUITE=bullseye: bullseye-peer.sh,
# docs/containers.md): MariaDB 10.5 and the runtime libraries of the
# bullseye ferry-peer package (tools/debs-bullseye; its shlibs Depends), so
# that apt installs it without network. No polkitd: the source runs no
# ferryd (and bullseye calls it policykit-1).
if [ "$CT_SUITE" = bullseye ]; then
    CT_PACKAGES=(
        systemd systemd-sysv dbus libpam-systemd
        iproute2 iputils-ping procps
        mariadb-server mariadb-client
        libspdlog1 libfmt7 libmariadb3 libmicrohttpd12 libssl1.1 libcrypt1
        python3 curl
    )
    CT_APT_PACKAGES=()
fi

# The Debian mirror this machine's apt uses (deb822 or one-line format).
ct_mirror() {
    [ -n "${FERRY_CT_MIRROR:-}" ] && { echo "$FERRY_CT_MIRROR"; return; }
    local m
    m=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null)
    [ -n "$m" ] || m=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
    echo "${m:-http://deb.debian.org/debian}"
}

# Generic settings of the root, run once after debootstrap (part of the key).
ct_root_setup() {
    local r=$1
    # networkd configures the appliance's address (written at each boot from
    # its settings by ferry-appliance-network.service, see lib.sh).
    systemctl --root="$r" enable systemd-networkd.service >/dev/null 2>&1
    # Nothing to log in on; timers that would only cost CPU on a shared machine.
    systemctl --root="$r" mask console-getty.service apt-daily.timer apt-daily-upgrade.timer \
        e2scrub_all.timer fstrim.timer >/dev/null 2>&1
    # A persistent journal: the tests read the journal of earlier boots.
    mkdir -p "$r/var/log/journal"
    # Each container gets its own machine id and host name in its overlay.
    : > "$r/etc/machine-id"
    rm -f "$r/var/lib/dbus/machine-id" "$r/etc/hostname"
    rm -f "$r"/var/cache/apt/archives/*.deb
}

ct_root_key() {
    {
        echo "$CT_SUITE"
        ct_mirror
        printf '%s\n' "${CT_PACKAGES[@]}" | sort
        printf 'apt %s\n' "${CT_APT_PACKAGES[@]}"
        declare -f ct_root_setup
    } | sha256sum | cut -c1-16
}

ct_root() {
    local key dir
    key=$(ct_root_key)
    dir="$CT_CACHE/$CT_SUITE-root-$key"
    mkdir -p "$CT_CACHE" || return 1
    (
        # One builder at a time; a second run waits and then reuses it.
        flock -w 1200 9 || { echo "ct_root: lock $CT_CACHE/.lock held too long" >&2; exit 1; }
        [ -e "$dir.ok" ] && exit 0
        local tmp="$CT_CACHE/.build-$key"
        rm -rf "$tmp"
        local t0=$SECONDS includes rc
        includes=$(IFS=,; echo "${CT_PACKAGES[*]}")
        echo "ct_root: debootstrap $CT_SUITE ($(ct_mirror)) into $tmp (once; cached as $dir)" >&2
        if ! debootstrap --variant=minbase --include="$includes" "$CT_SUITE" "$tmp" "$(ct_mirror)" \
            >"$CT_CACHE/debootstrap-$key.log" 2>&1; then
            echo "ct_root: debootstrap failed, see $CT_CACHE/debootstrap-$key.log:" >&2
            tail -n 20 "$CT_CACHE/debootstrap-$key.log" >&2
            rm -rf "$tmp"
            exit 1
        fi
        if [ ${#CT_APT_PACKAGES[@]} -gt 0 ]; then
            echo "ct_root: apt-get install ${CT_APT_PACKAGES[*]}" >&2
            mount -t proc proc "$tmp/proc" || exit 1
            chroot "$tmp" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
                apt-get install -y --no-install-recommends "${CT_APT_PACKAGES[@]}" \
                >>"$CT_CACHE/debootstrap-$key.log" 2>&1
            rc=$?
            umount "$tmp/proc"
            if [ $rc -ne 0 ]; then
                echo "ct_root: apt-get install failed, see $CT_CACHE/debootstrap-$key.log:" >&2
                tail -n 20 "$CT_CACHE/debootstrap-$key.log" >&2
                rm -rf "$tmp"
                exit 1
            fi
        fi
        ct_root_setup "$tmp"
        rm -rf "$dir"
        mv "$tmp" "$dir" && touch "$dir.ok"
        echo "ct_root: root made in $((SECONDS - t0)) s ($(du -sh "$dir" | cut -f1))" >&2
    ) 9>"$CT_CACHE/.lock" || return 1
    echo "$dir"
}
