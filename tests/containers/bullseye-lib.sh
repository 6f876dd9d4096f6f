# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Debian 11 appliances for the mixed-generation suites (issue 19):
# sourced after lib.sh, before ct_main, by mixed-swap.sh and by ha.sh with
# FERRY_CT_HA_OLD_RING=1 (mixed-ha.sh).
#
#   ct_stage_ferry  lib.sh's staging (ferry and ferry-peer for Debian 12),
#                   then the Debian 11 ferry-peer package (tools/debs-bullseye
#                   into BUILD_DIR/debs-bullseye, or FERRY_CT_DEBS_BULLSEYE)
#                   and the Debian 11 root (root.sh, FERRY_CT_SUITE=bullseye)
#   ct_create_old NAME ROLE ADDRESS
#                   ct_create on the Debian 11 root with its ferry-peer
#   app_table_sums  without CHECKSUM TABLE: its value depends on the server
#                   version (row format, how NULL bits and storage formats
#                   are hashed), so across generations the table sums are the
#                   row count and the content hash (HEX() of every column as
#                   each server reads it) only

eval "$(declare -f ct_stage_ferry | sed '1s/ct_stage_ferry/ct_stage_ferry_bookworm/')"
ct_stage_ferry() {
    local t0=$SECONDS
    ct_stage_ferry_bookworm
    if [ -z "${FERRY_CT_DEBS_BULLSEYE:-}" ]; then
        FERRY_CT_DEBS_BULLSEYE=$BUILD/debs-bullseye
        "$SRC/tools/debs-bullseye" "$FERRY_CT_DEBS_BULLSEYE" || ct_fail "tools/debs-bullseye could not build ferry-peer"
    fi
    MX_OLD_DEBS=$(realpath "$FERRY_CT_DEBS_BULLSEYE")
    MX_OLD_DEB=$(ls "$MX_OLD_DEBS"/ferry-peer_*~deb11_*.deb 2>/dev/null | sort -V | tail -n 1)
    [ -f "$MX_OLD_DEB" ] || ct_fail "no ferry-peer_*~deb11_*.deb in $MX_OLD_DEBS"
    # root.sh again with the other suite (its own key and cache entry,
    # shared with bullseye-peer.sh).
    MX_OLD_ROOT=$(FERRY_CT_SUITE=bullseye bash -c 'source "$1"; ct_root' _ "$CT_HERE/root.sh") ||
        ct_fail "no Debian 11 root"
    ct_log "Debian 11: $(basename "$MX_OLD_DEB") on $MX_OLD_ROOT ($((SECONDS - t0)) s with the package)"
}

ct_create_old() { # NAME ROLE ADDRESS
    local debs=("${CT_DEBS[@]}") dir=${FERRY_CT_DEBS:-}
    CT_DEBS=("$MX_OLD_DEB") FERRY_CT_DEBS=$MX_OLD_DEBS CT_CREATE_LOWER=$MX_OLD_ROOT
    ct_create "$@"
    CT_DEBS=("${debs[@]}") FERRY_CT_DEBS=$dir CT_CREATE_LOWER=
}

eval "$(declare -f app_table_sums | sed '1s/app_table_sums/app_table_sums_with_checksum/')"
app_table_sums() { app_table_sums_with_checksum "$@" | cut -d' ' -f1-3; }
