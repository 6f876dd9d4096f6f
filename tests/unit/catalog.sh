#!/usr/bin/env bash
# The journal message catalog (units/ferry.catalog, issue 17): journalctl
# parses it (--update-catalog into a scratch root, then --list-catalog
# from it), it has exactly the MESSAGE_IDs of core/journal_record.hpp, and
# each entry has a Subject, Defined-By and a body.
#   catalog.sh SOURCE_ROOT
set -uo pipefail
SRC=$1
CAT=$SRC/units/ferry.catalog
command -v journalctl >/dev/null || { echo "SKIP: no journalctl"; exit 77; }
root=$(mktemp -d "${TMPDIR:-/tmp}/ferry-catalog.XXXXXX") || exit 1
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd/catalog"
cp "$CAT" "$root/usr/lib/systemd/catalog/"
fails=0
bad() { echo "NOT OK: $*"; fails=$((fails + 1)); }
journalctl --update-catalog --root="$root" 2>"$root/err" || bad "journalctl --update-catalog: $(cat "$root/err")"
[ -s "$root/err" ] && bad "journalctl complained: $(cat "$root/err")"
journalctl --root="$root" --list-catalog > "$root/list" 2>&1 || bad "--list-catalog failed"
grep -o '^[0-9a-f]\{32\}' "$root/list" | sort > "$root/catalog-ids"
grep -o 'kMsg[A-Za-z]* = "[0-9a-f]\{32\}"' "$SRC/lib/core/journal_record.hpp" | grep -o '[0-9a-f]\{32\}' | sort > "$root/code-ids"
[ "$(wc -l < "$root/code-ids")" -eq 11 ] || bad "expected 11 ids in journal_record.hpp, found $(wc -l < "$root/code-ids")"
cmp -s "$root/catalog-ids" "$root/code-ids" || bad "catalog and code differ: $(diff "$root/catalog-ids" "$root/code-ids" | tr '\n' ' ')"
while read -r id; do
    journalctl --root="$root" --dump-catalog "$id" > "$root/entry" 2>&1
    grep -q '^Subject: ' "$root/entry" || bad "$id: no Subject"
    grep -q '^Defined-By: ferry' "$root/entry" || bad "$id: no Defined-By"
    body=$(awk 'NF && !/^(-- |Subject:|Defined-By:|Support:|Documentation:)/' "$root/entry" | wc -l)
    [ "$body" -ge 1 ] || bad "$id: no body"
done < "$root/code-ids"
echo "catalog: $(wc -l < "$root/catalog-ids") entries parsed by journalctl"
[ $fails -eq 0 ] || exit 1
echo "PASS: catalog"
