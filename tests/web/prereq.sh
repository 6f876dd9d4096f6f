#!/usr/bin/env bash
# What a browser test needs on this machine, shared by tests/web/browser.sh
# and the container suites' browser parts (tests/containers/web-lib.sh):
# Debian's chromium, node and npm (apt-get installs what is missing, as
# root), then playwright-core and axe-core from npm, pinned, in
# BUILD_DIR/tests/web/node. FERRY_WEB_NO_INSTALL=1: install nothing.
#
# web_prereq BUILD_DIR [DEBIAN_PACKAGE:PATH...]: returns 0 and sets
# WEB_CHROMIUM, WEB_NODE_DIR (its node_modules holds both) and
# WEB_PW_VERSION; or returns 1 with the reason in WEB_WHY. Each extra
# PACKAGE:PATH is a package needed too, present when PATH exists.
WEB_PLAYWRIGHT=playwright-core@1
WEB_AXE=axe-core@4.11.1

web_prereq() {
    local build=$1; shift
    local missing=() p
    WEB_CHROMIUM=${FERRY_WEB_CHROMIUM:-/usr/bin/chromium}
    for p in "$@"; do [ -e "${p#*:}" ] || missing+=("${p%%:*}"); done
    [ -x "$WEB_CHROMIUM" ] || missing+=(chromium)
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ -z "${FERRY_WEB_NO_INSTALL:-}" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
            echo "installing ${missing[*]}" >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
                { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; } ||
                { WEB_WHY="could not install ${missing[*]}"; return 1; }
        else
            WEB_WHY="missing ${missing[*]} (apt-get install ${missing[*]})"
            return 1
        fi
    fi
    "$WEB_CHROMIUM" --version >/dev/null 2>&1 || { WEB_WHY="$WEB_CHROMIUM does not run"; return 1; }
    WEB_NODE_DIR=${FERRY_WEB_NODE_MODULES:-$build/tests/web/node}
    if [ ! -f "$WEB_NODE_DIR/node_modules/playwright-core/package.json" ] || [ ! -f "$WEB_NODE_DIR/node_modules/axe-core/axe.min.js" ]; then
        [ -z "${FERRY_WEB_NO_INSTALL:-}" ] || { WEB_WHY="playwright-core or axe-core is not installed in $WEB_NODE_DIR"; return 1; }
        mkdir -p "$WEB_NODE_DIR"
        (cd "$WEB_NODE_DIR" && npm install --no-audit --no-fund --no-save --prefix "$WEB_NODE_DIR" "$WEB_PLAYWRIGHT" "$WEB_AXE" >&2) ||
            { WEB_WHY="npm install $WEB_PLAYWRIGHT $WEB_AXE failed (is the npm registry reachable?)"; return 1; }
    fi
    WEB_PW_VERSION=$(node -p "require('$WEB_NODE_DIR/node_modules/playwright-core/package.json').version")
}
