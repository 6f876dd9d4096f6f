#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mixed-ha.sh SOURCE_ROOT BUILD_DIR
#
# The HA path across generations (issue 19): ha.sh with a ring of Debian 11
# appliances (MariaDB 10.5, ferry-peer from the bullseye package:
# bullseye-lib.sh) A -> B -> C -> A, and B replaced by a Debian 12 target
# (MariaDB 10.11, ferry from its packages) with writers on A and C
# throughout, across the real reboot of B and T. Everything ha.sh checks,
# tables compared by content (row count and a hash of every column's HEX(),
# not CHECKSUM TABLE, whose value depends on the server version). After
# it, the 10.5 node C replicates FROM the 10.11 target, the direction
# MariaDB documents as unsupported in general; what this rig shows and
# what ferry supports is in docs/operations.md, "Supported source
# generations".
#
# FERRY_CT_BULLSEYE=0: skip (77) without building anything.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
if [ "${FERRY_CT_BULLSEYE:-1}" = 0 ]; then
    echo "SKIP (77): FERRY_CT_BULLSEYE=0: the Debian 11 ring is not built or tested" >&2
    exit 77
fi
FERRY_CT_HA_OLD_RING=1 exec bash "$(dirname "$(realpath "$0")")/ha.sh" "$@"
