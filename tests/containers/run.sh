#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run.sh SOURCE_ROOT BUILD_DIR
#
# Runs the container tests one after the other (standalone, swap, ha, power-cut,
# swap-power-cut, swap-source-gone, polkit, security, upgrade, bullseye-peer, mixed-swap, mixed-ha, mixed-standalone; see docs/containers.md), prints a summary and exits
#   0   all passed
#   1   one or more failed
#   77  the rig cannot work on this machine (not root, no systemd-nspawn or
#       debootstrap, no overlayfs, no namespaces): printed loudly
# The cached root is made first (once: debootstrap), so that its time is
# not charged to the first test; so are ferry's Debian packages, which the
# appliances install (tools/debs into BUILD_DIR/debs unless FERRY_CT_DEBS
# names a directory with them; FERRY_CT_INSTALL=meson: meson install
# instead, see lib.sh).
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2; exit 2; }
HERE=$(dirname "$(realpath "$0")")
source "$HERE/lib.sh"
ct_preflight

t0=$SECONDS
root=$(ct_root) || { echo "run.sh: the cached root could not be made" >&2; exit 1; }
root_s=$((SECONDS - t0))
debs_s=0
if [ "${FERRY_CT_INSTALL:-deb}" != meson ] && [ -z "${FERRY_CT_DEBS:-}" ]; then
    t1=$SECONDS
    "$(realpath "$1")/tools/debs" "$(realpath "$2")/debs" || { echo "run.sh: tools/debs failed" >&2; exit 1; }
    export FERRY_CT_DEBS
    FERRY_CT_DEBS=$(realpath "$2")/debs
    debs_s=$((SECONDS - t1))
fi

read -r -a TESTS <<<"${FERRY_CT_TESTS:-standalone swap ha power-cut swap-power-cut swap-source-gone polkit security upgrade bullseye-peer mixed-swap mixed-ha mixed-standalone}"
declare -A RC SECS
logdir=$(mktemp -d /var/tmp/ferry-ct-logs.XXXXXX)
for t in "${TESTS[@]}"; do
    echo "=== $t" >&2
    s=$SECONDS
    bash "$HERE/$t.sh" "$1" "$2" > >(tee "$logdir/$t.log" >&2) 2>&1
    RC[$t]=$?
    SECS[$t]=$((SECONDS - s))
done
wait

fail=0
{
    echo
    echo "container tests ($(basename "$root"), made or checked in ${root_s} s;" \
        "packages: ${FERRY_CT_DEBS:-meson install}, built or checked in ${debs_s} s):"
    for t in "${TESTS[@]}"; do
        case ${RC[$t]} in
        0) v=PASS ;;
        77) v=SKIP ;;
        *) v="FAIL (exit ${RC[$t]})"; fail=1 ;;
        esac
        printf '  %-12s %-16s %5d s  %s\n' "$t" "$v" "${SECS[$t]}" \
            "$(grep -E -o 'PASS: .*|FAIL: .*' "$logdir/$t.log" | tail -n 1 | cut -c1-90)"
    done
    grep -h '^FERRY_SECURITY' "$logdir"/*.log | sed 's/^FERRY_SECURITY /  systemd-analyze security /'
    grep -h 'NOTE:' "$logdir"/*.log | sort -u -k3 | head -n 3 | sed 's/^\[[^]]*\] /  /'
    if [ $fail -eq 0 ]; then
        echo "  total $((SECONDS - t0)) s"
    else
        echo "  total $((SECONDS - t0)) s; logs kept in $logdir"
    fi
} >&2
[ $fail -eq 0 ] && rm -rf "$logdir"
exit $fail
