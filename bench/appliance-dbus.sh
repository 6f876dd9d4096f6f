#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# appliance-dbus.sh SOURCE_ROOT BUILD_DIR
#
# D-Bus property read latency during a migration on two booted appliances:
# systemd-nspawn containers with real systemd, dbus-daemon and the
# distribution's MariaDB (tests/containers/lib.sh), ferry installed from its
# Debian packages. Here every daemon runs as systemd runs it on an
# appliance (its own service cgroup, its own session), which bench/size.sh
# can only imitate. The reader (bench/dbus_reader.c) runs inside the target
# as a transient service, like a front end's bus client, one call every
# 20 ms during the whole migration.
#
# BENCH_CT_ROWS (default 3000000, about 800 MB) rows of the generated data
# set; BENCH_OUT (default bench/out/appliance): events.json, dbus.log and
# dbus.json (the statistics, as bench/report.py computes them).
# Exit 0 when the migration succeeded (whatever the latency), 1 otherwise,
# 77 when nspawn cannot run here.
set -uo pipefail
source "$(dirname "$(realpath "$0")")/../tests/containers/lib.sh"
ct_main "$0" "$@"

ROWS=${BENCH_CT_ROWS:-3000000}
OUT=${BENCH_OUT:-$SRC/bench/out/appliance}
mkdir -p "$OUT"
S=source T=target

gcc -O2 -Wall -Wextra -o "$CT_DIR/dbus-reader" "$SRC/bench/dbus_reader.c" $(pkg-config --cflags --libs libsystemd) ||
    ct_fail "cannot build bench/dbus_reader.c"
ct_net_up
ct_create $S source "$CT_SOURCE_ADDR"
ct_create $T target "$CT_TARGET_ADDR"
ct_set_password $S $T
ct_fill_logs $S 64
install -D -m 755 "$CT_DIR/dbus-reader" "$(ct_file $T /usr/local/bin/dbus-reader)"
ct_boot $S; ct_boot $T
ct_wait_booted $S; ct_wait_booted $T
ct_wait_mariadb $S; ct_wait_mariadb $T
ct_gen_data $S "$ROWS"

ct_exec $T ferryctl probe "$CT_SOURCE_ADDR" --password-file=/root/source-password > "$OUT/probe.txt" 2>&1 ||
    { cat "$OUT/probe.txt" >&2; ct_fail "probe failed"; }
ct_exec $T systemd-run --quiet --unit=bench-dbus-reader /usr/local/bin/dbus-reader /root/dbus.log 20 ||
    ct_fail "cannot start the reader"
ct_exec $T ferryctl start --license --logs --yes --no-ask-password > "$OUT/start.txt" 2>&1 ||
    { cat "$OUT/start.txt" >&2; ct_fail "start failed"; }
for u in mariadb.service dbus.service ferryd.service bench-dbus-reader.service; do
    ct_log "target: $u in $(ct_exec $T systemctl show -P ControlGroup "$u")"
done
ct_exec $T timeout 1800 ferryctl watch > "$OUT/watch.txt" 2>&1; rc=$?
ct_exec $T systemctl stop bench-dbus-reader.service
ct_exec $T ferryctl --json=short events > "$OUT/events.json" 2>&1
cp "$(ct_file $T /root/dbus.log)" "$OUT/dbus.log"
python3 - "$SRC/bench" "$OUT" <<'PY' | tee "$OUT/dbus.json"
import json, sys
sys.path.insert(0, sys.argv[1])
import report
r = report.ferry_run(sys.argv[2])
print(json.dumps({"copy_data_s": r["copy_data_s"], "dbus_copy_data": r["dbus"]["copy_data"],
                  "dbus_whole_run": r["dbus"]["whole_run"]}, indent=1))
PY
[ $rc -eq 0 ] || { tail -n 20 "$OUT/watch.txt" >&2; ct_fail "the migration failed (watch exit $rc)"; }
ct_log "done: $OUT"
