# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The cached Debian 11 (bullseye) build root tools/debs-bullseye builds
# ferry-peer in. Sourced by tools/debs-bullseye.
#
#   bb_root     prints the path of the cached build root, making it first
#               when missing (debootstrap --variant=buildd, ~3-5 minutes)
#
# Cached like the container rig's roots (tests/containers/root.sh, whose
# ct_mirror and cache directory it shares): keyed by a hash of the suite,
# the mirror, the package list and bb_root_setup; a change makes a new root
# next to the old one (remove /var/cache/ferry-tests to reclaim the space).

# shellcheck source=tests/containers/root.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tests/containers/root.sh"

BB_SUITE=bullseye
# ferry-peer's Build-Depends in bullseye's names (debian/bullseye/control),
# and bullseye's lintian. build-essential (g++ 10) and dpkg-dev come with
# the buildd variant.
BB_PACKAGES=(
    debhelper meson ninja-build pkg-config fakeroot gettext
    libcrypt-dev libcurl4-openssl-dev libmariadb-dev libmicrohttpd-dev libspdlog-dev
    libssl-dev libsystemd-dev nlohmann-json3-dev zlib1g-dev
    lintian
)

bb_root_setup() {
    local r=$1
    rm -f "$r"/var/cache/apt/archives/*.deb
}

bb_root_key() {
    {
        echo "$BB_SUITE buildd"
        ct_mirror
        printf '%s\n' "${BB_PACKAGES[@]}" | sort
        declare -f bb_root_setup
    } | sha256sum | cut -c1-16
}

bb_root() {
    local key dir
    key=$(bb_root_key)
    dir="$CT_CACHE/$BB_SUITE-build-$key"
    mkdir -p "$CT_CACHE" || return 1
    (
        # One debootstrap at a time (the rig's lock): a second run waits,
        # then reuses the root.
        flock -w 1200 9 || { echo "bb_root: lock $CT_CACHE/.lock held too long" >&2; exit 1; }
        [ -e "$dir.ok" ] && exit 0
        local tmp="$CT_CACHE/.build-$key" t0=$SECONDS includes
        rm -rf "$tmp"
        includes=$(IFS=,; echo "${BB_PACKAGES[*]}")
        echo "bb_root: debootstrap $BB_SUITE ($(ct_mirror)) into $tmp (once; cached as $dir)" >&2
        if ! debootstrap --variant=buildd --include="$includes" "$BB_SUITE" "$tmp" "$(ct_mirror)" \
            >"$CT_CACHE/debootstrap-$key.log" 2>&1; then
            echo "bb_root: debootstrap failed, see $CT_CACHE/debootstrap-$key.log:" >&2
            tail -n 20 "$CT_CACHE/debootstrap-$key.log" >&2
            rm -rf "$tmp"
            exit 1
        fi
        bb_root_setup "$tmp"
        rm -rf "$dir"
        mv "$tmp" "$dir" && touch "$dir.ok"
        echo "bb_root: build root made in $((SECONDS - t0)) s ($(du -sh "$dir" | cut -f1))" >&2
    ) 9>"$CT_CACHE/.lock" || return 1
    echo "$dir"
}
