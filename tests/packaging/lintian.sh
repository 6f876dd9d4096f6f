#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# lintian.sh SOURCE_ROOT BUILD_DIR
#
# The Debian packages (docs/packaging.md): built by tools/debs into
# BUILD_DIR/debs unless FERRY_CT_DEBS names a directory that has them
# (tools/test builds them before meson test; tools/debs does nothing when
# they are up to date). Then:
#   - lintian on the .changes: no error; every warning tag it reports must
#     be explained in docs/packaging.md (its name appears there);
#   - every file of every package is under the paths Debian puts them.
# Prints the lintian summary (FERRY_LINTIAN line). Exit 0 pass, 1 fail,
# 77 skip (lintian or dpkg-buildpackage missing: tools/deps installs them).
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2; exit 2; }
SRC=$(realpath "$1"); BUILD=$(realpath "$2")
for t in lintian dpkg-buildpackage dh; do
    command -v $t >/dev/null || { echo "SKIP: '$t' not found (tools/deps installs it)" >&2; exit 77; }
done
fails=0
ok() { echo "ok: $*"; }
bad() { echo "NOT OK: $*"; fails=$((fails + 1)); }

if [ -n "${FERRY_CT_DEBS:-}" ]; then
    DEBS=$FERRY_CT_DEBS
else
    DEBS=$BUILD/debs
    "$SRC/tools/debs" "$DEBS" || { echo "FAIL: tools/debs" >&2; exit 1; }
fi
changes=$(ls "$DEBS"/ferry_*.changes 2>/dev/null | head -n 1)
[ -n "$changes" ] || { echo "FAIL: no ferry_*.changes in $DEBS" >&2; exit 1; }

# --- lintian -------------------------------------------------------------
out=$(mktemp); trap 'rm -f "$out"' EXIT
t0=$SECONDS
lintian --fail-on error --display-info --pedantic --tag-display-limit 0 "$changes" > "$out" 2>&1
rc=$?
cat "$out"
errors=$(grep -c '^E: ' "$out")
warnings=$(grep -c '^W: ' "$out")
infos=$(grep -c '^I: ' "$out")
pedantic=$(grep -c '^P: ' "$out")
echo "FERRY_LINTIAN $(basename "$changes"): $errors error(s), $warnings warning(s), $infos info, $pedantic pedantic ($((SECONDS - t0)) s)"
[ $rc -eq 0 ] || [ "$errors" -gt 0 ] || bad "lintian exited $rc"
if [ "$errors" -eq 0 ]; then ok "lintian: no errors"; else bad "lintian: $errors error(s)"; fi
for tag in $(awk '/^W: / { print $3 }' "$out" | sort -u); do
    if grep -q -- "$tag" "$SRC/docs/packaging.md"; then
        ok "warning $tag is explained in docs/packaging.md"
    else
        bad "warning $tag is not explained in docs/packaging.md"
    fi
done

# --- where the files go ----------------------------------------------------
declare -A ALLOWED=(
    [ferry]='etc/ferry/ferry\.conf|lib/systemd/system/[^/]+|usr/lib/systemd/catalog/ferry\.catalog|usr/bin/ferryctl|usr/share/bash-completion/completions/ferryctl|usr/share/locale/[^/]+/LC_MESSAGES/ferry\.mo|usr/libexec/ferry/ferryd|usr/share/(dbus-1/(system\.d|system-services|interfaces)|polkit-1/actions|man/man[18]|doc/ferry)/.+'
    [ferry-peer]='lib/systemd/system/[^/]+|usr/libexec/ferry/ferry-peer|usr/share/(man/man8|doc/ferry-peer)/.+'
    [cockpit-ferry]='usr/share/(cockpit/ferry|doc/cockpit-ferry)/.+'
)
for pkg in ferry ferry-peer cockpit-ferry; do
    deb=$(ls "$DEBS/${pkg}"_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || { bad "no ${pkg}_*.deb in $DEBS"; continue; }
    stray=$(dpkg-deb --fsys-tarfile "$deb" | tar -tf - | sed 's,^\./,,' | grep -v '/$' | grep -v -E "^(${ALLOWED[$pkg]})$")
    if [ -z "$stray" ]; then
        ok "$pkg: $(dpkg-deb --fsys-tarfile "$deb" | tar -tf - | grep -vc '/$') files, all under the standard paths"
    else
        bad "$pkg: files outside the standard paths: $(echo $stray)"
    fi
done
conffiles=$(dpkg-deb -I "$(ls "$DEBS"/ferry_*.deb | head -n 1)" conffiles 2>/dev/null)
if [ "$conffiles" = /etc/ferry/ferry.conf ]; then ok "ferry: /etc/ferry/ferry.conf is its only conffile"; else bad "ferry: conffiles are '$conffiles'"; fi

# --- the manual pages name every option of --help ---------------------------
x=$(mktemp -d); trap 'rm -f "$out"; rm -rf "$x"' EXIT
for pkg in ferry ferry-peer; do dpkg-deb -x "$(ls "$DEBS/${pkg}"_*.deb | head -n 1)" "$x"; done
for pair in usr/libexec/ferry/ferryd:man8/ferryd.8.gz usr/libexec/ferry/ferry-peer:man8/ferry-peer.8.gz \
    usr/bin/ferryctl:man1/ferryctl.1.gz; do
    exe=$x/${pair%%:*} man=$x/usr/share/man/${pair#*:}
    missing="" text=$(zcat "$man" | sed 's/\\-/-/g')
    for o in $("$exe" --help 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -q -- "$o" <<<"$text" || missing+=" $o"
    done
    if [ -z "$missing" ]; then ok "$(basename "$man" .gz) names every option of $(basename "$exe") --help"
    else bad "$(basename "$man" .gz) lacks$missing"; fi
done

[ $fails -eq 0 ] || { echo "FAIL: $fails check(s) failed"; exit 1; }
echo "PASS: packages lintian-clean (no errors, warnings explained) and laid out at the standard paths"
