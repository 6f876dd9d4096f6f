# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The administrator's browser in a container suite (sourced after lib.sh):
# headless Chromium on the host, in the rig's network namespace, logged in
# to an appliance's real Cockpit (cockpit.socket on 9090, from the root's
# packages) as the appliance's administrator, with the page from the
# cockpit-ferry package. tests/web/prereq.sh installs chromium, node and
# playwright-core as for the one-machine browser test.
#
# CT_WEB=1 before ct_main: ct_stage_ferry adds cockpit-ferry to the
# packages the appliances get.
#
# ctw_prepare NAME  after ct_create NAME, before it boots: the user "admin"
#                   (group sudo: Cockpit's administrative access) with a
#                   random password kept in CT_DIR/web-login (0600), and an
#                   address for the browser on the rig's bridge.
# ctw_spec SPEC PHASE [VAR=VALUE...]
#                   runs tests/web/SPEC PHASE in the namespace; its exit
#                   code is returned. Screenshots go to
#                   BUILD/meson-logs/web-screenshots/ct-*.png.

# shellcheck source=tests/web/prereq.sh
source "$CT_HERE/../web/prereq.sh"

CTW_ADDR=$CT_NET.254

ctw_prepare() {
    local name=$1 m
    web_prereq "$BUILD" || ct_fail "the browser part cannot run: $WEB_WHY (FERRY_CT_WEB=0 leaves it out)"
    m=$(ct_file "$name" /)
    [ -d "$m/usr/share/cockpit/ferry" ] || ct_fail "$name has no Cockpit page /usr/share/cockpit/ferry"
    chroot "$m" useradd --create-home --groups sudo --shell /bin/bash admin || ct_fail "useradd admin in $name"
    (umask 077; head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$CT_DIR/web-login")
    printf 'admin:%s\n' "$(cat "$CT_DIR/web-login")" | chroot "$m" chpasswd || ct_fail "chpasswd in $name"
    ip -n "$CT_NS" addr add "$CTW_ADDR/24" dev br0 || ct_fail "no address for the browser on the bridge"
    mkdir -p "$BUILD/meson-logs/web-screenshots" "$CT_DIR/web-requests"
    ct_log "browser: playwright-core $WEB_PW_VERSION, $("$WEB_CHROMIUM" --version 2>/dev/null | head -1), at $CTW_ADDR; $name: user admin"
}

ctw_spec() {
    local spec=$1 phase=$2; shift 2
    ip netns exec "$CT_NS" env \
        FERRY_NODE_MODULES="$WEB_NODE_DIR/node_modules" \
        FERRY_CHROMIUM="$WEB_CHROMIUM" \
        FERRY_SCREENSHOTS="$BUILD/meson-logs/web-screenshots" \
        FERRY_SHOT_PREFIX="ct-$phase-" \
        FERRY_PROFILE="$CT_DIR/chromium-profile-$phase" \
        FERRY_REQUESTS="$CT_DIR/web-requests" \
        FERRY_LOGIN_FILE="$CT_DIR/web-login" \
        "$@" timeout 600 node "$SRC/tests/web/$spec" "$phase" 2>>"$CT_DIR/browser-$phase.log"
}
