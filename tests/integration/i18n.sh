#!/usr/bin/env bash
# ferryctl and the polkit actions in German (po/de.po, po/README.md), from
# the build tree: ferryctl with FERRY_LOCALEDIR=BUILD/po (where meson puts
# de/LC_MESSAGES/ferry.mo) and LANGUAGE=de, and the policy that meson merged
# (BUILD/polkit/org.ferry.migration.policy). No bus and no daemon: the
# messages checked are ferryctl's own (help, usage errors, a failure to reach
# the system bus with its hint). LC_ALL=C.UTF-8 because this machine has no
# de_DE locale generated; gettext takes LANGUAGE with any locale but "C".
# Also: the same commands in English without LANGUAGE (unchanged output),
# and --json untranslated. About 1 s.
# Usage: tests/integration/i18n.sh SOURCE_ROOT BUILD_DIR
set -uo pipefail
SRC=$(realpath "$1")
BUILD=$(realpath "$2")
FERRYCTL=$BUILD/cli/ferryctl
MO=$BUILD/po/de/LC_MESSAGES/ferry.mo
POLICY=$BUILD/polkit/org.ferry.migration.policy
for f in "$FERRYCTL" "$MO" "$POLICY"; do
    [ -e "$f" ] || { echo "FAIL: $f is missing (ninja -C $BUILD)"; exit 1; }
done
fails=0
ok() { echo "ok: $*"; }
bad() { echo "NOT OK: $*"; fails=$((fails + 1)); }
has() { # WHAT TEXT NEEDLE
    if grep -qF -- "$3" <<<"$2"; then ok "$1: \"$3\""; else bad "$1: \"$3\" not in: $2"; fi
}

de() { env -u LANG -u LC_MESSAGES LC_ALL=C.UTF-8 LANGUAGE=de FERRY_LOCALEDIR="$BUILD/po" "$@"; }
en() { env -u LANGUAGE -u LANG -u LC_MESSAGES LC_ALL=C.UTF-8 FERRY_LOCALEDIR="$BUILD/po" "$@"; }
# No system bus at all: ferryctl fails to connect (exit 4) and says so.
NOBUS=DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/ferry-i18n-test

out=$(de "$FERRYCTL" --help 2>&1)
has "German --help" "$out" "Eine Hotspot-Appliance (das Quellsystem) mit ferryd auf dieses System migrieren."
has "German --help" "$out" "plan, start: Konfiguration tauschen"
out=$(en "$FERRYCTL" --help 2>&1)
has "English --help (no LANGUAGE)" "$out" "Migrate a hotspot appliance (the source) onto this system with ferryd."

out=$(de "$FERRYCTL" --swap=vielleicht plan 2>&1); rc=$?
has "German usage error" "$out" "ferryctl: Ungültiger Wert für --swap= (erwartet: yes oder no)."
has "German usage error" "$out" "Siehe „ferryctl --help“."
[ $rc -eq 2 ] && ok "usage error: exit 2 in German too" || bad "usage error: exit $rc"
out=$(de "$FERRYCTL" frobnicate 2>&1)
has "German unknown command" "$out" "Unbekannter Befehl; die Befehle sind status, probe"

out=$(de env "$NOBUS" "$FERRYCTL" status 2>&1); rc=$?
has "German failure" "$out" "Fehler beim Versuch, den Status abzufragen: Keine Verbindung zum Systembus:"
[ $rc -eq 4 ] && ok "no bus: exit 4 in German too" || bad "no bus: exit $rc"
out=$(en env "$NOBUS" "$FERRYCTL" status 2>&1)
has "English failure (no LANGUAGE)" "$out" "Could not get the status: Cannot connect to the system bus:"
out=$(de env "$NOBUS" "$FERRYCTL" --json=short status 2>&1)
has "--json keeps its keys and the error name" "$out" '"Name":"org.freedesktop.DBus.Error.NoServer"}}'

# The merged policy: valid, every description and message in German too.
if command -v xmllint >/dev/null; then
    xmllint --nonet --noout --valid "$POLICY" 2>/dev/null && ok "the merged policy is valid (policyconfig DTD)" ||
        bad "the merged policy is not valid: $(xmllint --nonet --noout --valid "$POLICY" 2>&1 | head -3)"
fi
n_en=$(grep -cE '<(description|message) gettext-domain="ferry">' "$POLICY")
n_de=$(grep -cE '<(description|message) xml:lang="de">' "$POLICY")
[ "$n_en" -eq 6 ] && [ "$n_de" -eq 6 ] && ok "the policy: 6 texts with gettext-domain=\"ferry\", each in German ($n_de)" ||
    bad "the policy: $n_en texts with the domain, $n_de in German (want 6 and 6)"
has "the policy's execute message in German" "$(cat "$POLICY")" \
    '<message xml:lang="de">Zum Migrieren einer anderen Appliance auf dieses System ist eine Authentifizierung erforderlich.'

[ $fails -eq 0 ] || { echo "FAIL: $fails check(s)"; exit 1; }
echo "PASS: ferryctl and the polkit actions in German"
