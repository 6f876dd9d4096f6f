#!/usr/bin/env bash
# The committed build products of the Cockpit page against web/src (meson
# test web-sources, suite web; about 1 s, plus ~1 s for the esbuild part):
#   - po/ferry.pot is what tools/update-po makes of web/src, cli/ and
#     polkit/ now (node, xgettext); each po/LANG.po translates every string
#     of the page (web/po.mjs check), msgfmt --check accepts it, and its
#     web/dist/po.LANG.js exists;
#   - web/dist is what tools/build-web builds from web/src and the lockfile
#     (only when web/node_modules is installed: a clean clone has no npm
#     packages and builds from the committed dist; say so and go on);
#   - the page loads no file of another Cockpit package but
#     ../base1/cockpit.js (the bridge API), and no font or icon file.
# Usage: tests/web/sources.sh SOURCE_ROOT
set -uo pipefail
SRC=$(realpath "$1")
command -v node >/dev/null || { echo "SKIP: node is missing (tools/deps installs nodejs)"; exit 77; }
fails=0
ok() { echo "ok: $*"; }
bad() { echo "NOT OK: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if command -v xgettext >/dev/null; then
    if "$SRC/tools/update-po" --check > "$tmp/pot.out" 2>&1; then
        ok "po/ferry.pot is up to date with web/src, cli/ and polkit/ ($(tail -1 "$tmp/pot.out"))"
    else
        cat "$tmp/pot.out"; bad "po/ferry.pot differs from the sources: run tools/update-po"
    fi
else
    echo "note: xgettext is missing (gettext; tools/deps installs it): po/ferry.pot not checked"
fi
if command -v msgfmt >/dev/null; then
    msgfmt -o /dev/null "$SRC/po/ferry.pot" 2>"$tmp/msgfmt" && ok "msgfmt reads po/ferry.pot" || { cat "$tmp/msgfmt"; bad "msgfmt rejects po/ferry.pot"; }
fi

# The translations (po/LANG.po): complete for the page, placeholders kept,
# msgfmt accepts them, and each is in web/dist as po.LANG.js.
for po in "$SRC"/po/*.po; do
    [ -e "$po" ] || continue
    lang=$(basename "$po" .po)
    if node "$SRC/web/po.mjs" check "$SRC/po" > "$tmp/check" 2>&1; then
        ok "$(grep "^$lang.po:" "$tmp/check")"
    else
        head -20 "$tmp/check"; bad "po/$lang.po does not translate the page completely"
    fi
    if command -v msgfmt >/dev/null; then
        msgfmt --check -o /dev/null "$po" 2>"$tmp/msgfmt" && ok "msgfmt --check accepts po/$lang.po" || { cat "$tmp/msgfmt"; bad "msgfmt rejects po/$lang.po"; }
        # Complete: ferryctl's and the policy's strings too.
        stats=$(msgfmt --statistics -o /dev/null "$po" 2>&1)
        case $stats in
        *untranslated* | *fuzzy*) bad "po/$lang.po is not complete: $stats" ;;
        *) ok "po/$lang.po: $stats" ;;
        esac
    fi
    [ -f "$SRC/web/dist/po.$lang.js" ] && ok "web/dist/po.$lang.js ($(stat -c %s "$SRC/web/dist/po.$lang.js") bytes)" || bad "web/dist/po.$lang.js is missing: run tools/build-web"
done

if [ -d "$SRC/web/node_modules/esbuild" ]; then
    (cd "$SRC/web" && node build.mjs "$tmp/dist" >/dev/null)
    if diff -r "$tmp/dist" "$SRC/web/dist" >/dev/null; then
        ok "web/dist is what web/src and the lockfile build"
    else
        diff -rq "$tmp/dist" "$SRC/web/dist"; bad "web/dist differs from a build of web/src: run tools/build-web and commit web/dist"
    fi
else
    echo "note: web/node_modules is not installed (tools/build-web installs it): web/dist not rebuilt here"
fi

for f in index.html manifest.json index.js index.css; do
    [ -f "$SRC/web/dist/$f" ] && ok "web/dist/$f ($(stat -c %s "$SRC/web/dist/$f") bytes)" || bad "web/dist/$f is missing"
done
refs=$(grep -o '\.\./[A-Za-z0-9_./-]*' "$SRC/web/dist/index.html" "$SRC/web/dist/index.js" "$SRC/web/dist/index.css" | sort -u)
if [ "$refs" = "$SRC/web/dist/index.html:../base1/cockpit.js" ]; then
    ok "the page loads nothing of another Cockpit package but ../base1/cockpit.js"
else
    bad "the page refers to other packages' files: $refs"
fi
if grep -qE 'url\([^)]*\.(woff2?|ttf|otf|svg)' "$SRC/web/dist/index.css"; then
    bad "web/dist/index.css loads a font or image file"
else
    ok "web/dist/index.css loads no font or image file"
fi
[ $fails -eq 0 ] || { echo "FAIL: $fails check(s)"; exit 1; }
echo "PASS: web sources"
