#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mixed-standalone.sh SOURCE_ROOT BUILD_DIR
#
# Standalone without Swap across generations (issue 19): standalone.sh with
# a Debian 11 source (MariaDB 10.5, ferry-peer from the bullseye package:
# bullseye-lib.sh) and a Debian 12 target (MariaDB 10.11), on ferry's
# default path: the copy while the source serves, then the catch-up with
# the 10.11 target a temporary replica of the 10.5 source (the direction
# MariaDB supports). Everything standalone.sh checks, tables compared by
# content (CHECKSUM TABLE's value depends on the server version).
#
# FERRY_CT_BULLSEYE=0: skip (77) without building anything.
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
if [ "${FERRY_CT_BULLSEYE:-1}" = 0 ]; then
    echo "SKIP (77): FERRY_CT_BULLSEYE=0: the Debian 11 source is not built or tested" >&2
    exit 77
fi
FERRY_CT_STANDALONE_OLD_SOURCE=1 exec bash "$(dirname "$(realpath "$0")")/standalone.sh" "$@"
