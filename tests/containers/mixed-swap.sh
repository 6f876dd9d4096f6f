#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mixed-swap.sh SOURCE_ROOT BUILD_DIR
#
# The manual's common case (issue 19): an OLDER appliance onto a current
# one, standalone with Swap Configuration across the real reboot of both.
#
#   source 10.77.0.2: Debian 11 (systemd 247, MariaDB 10.5; root.sh with
#     FERRY_CT_SUITE=bullseye), ferry-peer from the bullseye package
#     (tools/debs-bullseye), its settings, license, 4 MB of logs, and the
#     demo data set (tests/rig/gen_dataset.py: every column type 10.5 has,
#     a view, a trigger, a sequence, a function, a procedure, an event)
#     plus objects whose definitions 10.11 writes differently (utf8 =
#     utf8mb3 columns, a routine and a trigger under another sql_mode, an
#     event with its own time zone);
#   target 10.77.0.3: Debian 12 (systemd 252, MariaDB 10.11), ferry from
#     its packages (tools/debs), as in swap.sh.
#
# The migration runs as swap.sh's does (ferryctl inside the target; both
# systems reboot by themselves; ferryd resumes from ferryd-resume.path).
# Checked afterwards: the pre-flight said the versions differ and that
# tables are verified by row hash; the job succeeded (ferryd's own checks:
# every table by row hash, every object by its canonical definition);
# every table equal by content (row count and a hash of every column's
# HEX() computed by each server: CHECKSUM TABLE is left out, its value
# depends on the server version); every schema object equal by definition
# after the normalisation docs/containers.md describes (utf8mb3 read as
# utf8: the only rewrite 10.11 makes of these definitions); a sequence's
# next value; settings exchanged, logs, certificate, license (swap-lib.sh's
# sw_check_swapped); both reboots through logind.
#
# FERRY_CT_ROWS (default 20000): rows of the generated data set.
# FERRY_CT_DEBS_BULLSEYE=DIR: the Debian 11 ferry-peer_*.deb of DIR instead
#   of running tools/debs-bullseye into BUILD_DIR/debs-bullseye.
# FERRY_CT_BULLSEYE=0: skip (77) without building anything (the cold
#   bullseye roots and package: docs/containers.md).
# Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
if [ "${FERRY_CT_BULLSEYE:-1}" = 0 ]; then
    echo "SKIP (77): FERRY_CT_BULLSEYE=0: the Debian 11 source is not built or tested" >&2
    exit 77
fi
source "$(dirname "$(realpath "$0")")/lib.sh"

# ct_stage_ferry with the Debian 11 package and root, ct_create_old,
# app_table_sums without CHECKSUM TABLE.
source "$CT_HERE/bullseye-lib.sh"
ct_main "$0" "$@"

# shellcheck source=tests/containers/swap-lib.sh
source "$CT_HERE/swap-lib.sh"

ROWS=${FERRY_CT_ROWS:-20000}
SLOW=${FERRY_CT_SWAP_SOURCE_DELAY:-4}

# --- the two appliances -----------------------------------------------------------
ct_net_up
ct_create_old $S source "$A"
ct_create $T target "$B"
ct_set_password $S $T
ct_fill_logs $S 4
SW_JOURNAL=$(ct_file $T /var/lib/ferry/job.json)
if [ "$SLOW" -gt 0 ]; then
    mkdir -p "$(ct_file $S /etc/systemd/system/ferry-apply-staged.service.d)"
    printf '[Service]\nExecStartPost=/bin/sleep %s\n' "$SLOW" \
        > "$(ct_file $S /etc/systemd/system/ferry-apply-staged.service.d/50-rig-slow-boot.conf)"
fi
check "source: ferry-peer from the Debian 11 package ($(chroot "$(ct_file $S /)" dpkg-query -W -f '${Version}' ferry-peer))" \
    sh -c "chroot '$(ct_file $S /)' dpkg-query -W -f '\${Version}' ferry-peer | grep -q '~deb11\$'"

ct_boot $S; ct_boot $T
ct_wait_booted $S; ct_wait_booted $T
ct_wait_mariadb $S; ct_wait_mariadb $T
SV=$(mdb_sql $S "SELECT VERSION()") TV=$(mdb_sql $T "SELECT VERSION()")
SD=$(ct_exec $S systemctl --version | head -n 1 | cut -d' ' -f2) TD=$(ct_exec $T systemctl --version | head -n 1 | cut -d' ' -f2)
check "source: MariaDB 10.5 ($SV), systemd 247 ($SD)" sh -c "case '$SV/$SD' in 10.5.*/247) exit 0;; esac; exit 1"
check "target: MariaDB 10.11 ($TV), systemd 252 ($TD)" sh -c "case '$TV/$TD' in 10.11.*/252) exit 0;; esac; exit 1"
ct_gen_data $S "$ROWS"

# Definitions the newer server writes differently: utf8 (10.6 calls it
# utf8mb3 in every SHOW CREATE), a routine, a trigger and a view created
# under another sql_mode than the server's, an event with its own time
# zone; and rows in them.
mdb_sql $S "USE hotspot;
CREATE TABLE legacy_utf8 (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(40) CHARACTER SET utf8 COLLATE utf8_unicode_ci NOT NULL,
  note TEXT NULL,
  KEY k_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
INSERT INTO legacy_utf8 SELECT id, CONCAT('n', id, ' é ü'), IF(id % 3 = 0, NULL, REPEAT('x', id % 50)) FROM users LIMIT 500;
SET SESSION sql_mode = 'TRADITIONAL,PIPES_AS_CONCAT';
CREATE FUNCTION legacy_label(n VARCHAR(40) CHARACTER SET utf8) RETURNS VARCHAR(80) CHARACTER SET utf8 DETERMINISTIC
  RETURN 'legacy:' || n;
CREATE TRIGGER legacy_utf8_bi BEFORE INSERT ON legacy_utf8 FOR EACH ROW SET NEW.note = IFNULL(NEW.note, 'none');
CREATE VIEW v_legacy AS SELECT id, legacy_label(name) AS label FROM legacy_utf8;
SET SESSION time_zone = '+02:00';
CREATE EVENT legacy_cleanup ON SCHEDULE EVERY 1 HOUR STARTS '2030-01-01 00:00:00' DISABLE
  DO DELETE FROM legacy_utf8 WHERE id < 0;" || ct_fail "the legacy objects on the source"

# --- before ------------------------------------------------------------------------
check "target reaches the source (ping $A)" ct_exec $T ping -q -c1 -W2 "$A"
sw_before
app_objects $S > "$CT_DIR/objects-source"
ct_log "source: $(wc -l < "$CT_DIR/objects-source") objects"
BOOT_S1=$(ct_boot_id $S) BOOT_T1=$(ct_boot_id $T)

# --- what 10.11 cannot take, found at Probe ----------------------------------------
# OFFSET is reserved from 10.6: a routine that names a parameter so is
# stored by 10.5 and refused by 10.11. The pre-flight trial names it, Start
# is refused, nothing changes; the administrator renames it and goes on.
mdb_sql $S "CREATE PROCEDURE hotspot.legacy_page(offset INT) SELECT id FROM hotspot.users ORDER BY id LIMIT 10 OFFSET offset" ||
    ct_fail "the 10.5-only procedure on the source"
ct_exec $T ferryctl --json=short probe "$A" --password-file=/root/source-password > "$CT_DIR/probe-offset.json" 2>&1
check "probe with a routine 10.11 cannot take" [ $? -eq 0 ]
ct_exec $T ferryctl plan --swap --license --logs > "$CT_DIR/plan-offset.txt" 2>&1
check "pre-flight: 'Object definitions' failed, naming PROCEDURE hotspot.legacy_page and 10.11's syntax error" \
    grep -q "failure  Object definitions: 1 of the source's [0-9]* definitions cannot be created on this system's MariaDB 10.11.*: PROCEDURE hotspot.legacy_page (error 1064: You have an error in your SQL syntax" "$CT_DIR/plan-offset.txt"
ct_exec $T ferryctl start --swap --license --logs --yes --no-ask-password > "$CT_DIR/start-offset.txt" 2>&1
check "start refused with PreflightFailed before anything changed" \
    eval 'grep -q "Could not start: A pre-flight check failed; nothing was changed. Object definitions: .*PROCEDURE hotspot.legacy_page" "$CT_DIR/start-offset.txt" && [ "$(prop "${MGR[@]}" Job)" = / ]'
check "the source is not in maintenance (nothing was asked of it)" \
    [ ! -e "$(ct_file $S /var/lib/hotspot/maintenance)" ]
[ "$CT_FAILS" -eq 0 ] || cat "$CT_DIR/plan-offset.txt" "$CT_DIR/start-offset.txt" >&2
mdb_sql $S "DROP PROCEDURE hotspot.legacy_page" || ct_fail "drop the 10.5-only procedure"

# --- the migration with Swap Configuration -------------------------------------------
t0=$SECONDS
sw_start
check "pre-flight: the versions differ, tables verified by row hash" \
    grep -q "tables are verified by row count and a row hash" "$CT_DIR/plan.txt"
JOURNAL=$SW_JOURNAL
for ((i = 0; i < 1800; i++)); do # 0.1 s each: until the reboot
    read -r state _ <<<"$(sw_job_info)"
    [ "$state" = failed ] && break
    [ "$(ct_reboots $T)" -ge 1 ] && break
    sleep 0.1
done
if [ "$state" = failed ]; then
    python3 -c "import json; print(json.load(open('$JOURNAL')).get('error'))" >&2
    ct_fail "the job failed before the reboot"
fi
ct_wait_rebooted $S $T
t_reboot=$SECONDS
ct_wait_booted $S; ct_wait_booted $T
BOOT_S2=$(ct_boot_id $S)
check "source: new boot id" [ "$BOOT_S2" != "$BOOT_S1" ]
check "target: new boot id" [ "$(ct_boot_id $T)" != "$BOOT_T1" ]
sw_wait_finished 180
check "the job succeeded after the reboot (state $state, $((SECONDS - t_reboot)) s after the reboot)" \
    [ "$state" = succeeded ]
[ "$state" = succeeded ] || python3 -c "import json; print(json.load(open('$JOURNAL')).get('error'))" >&2
ct_log "mixed-generation migration with swap (probe to finish) took $((SECONDS - t0)) s"

# --- the result ---------------------------------------------------------------------------
sw_check_swapped
check "source: ferry-apply-staged.service (systemd 247) applied the staged settings at boot" \
    grep -q "Applied the staged settings" <<<"$(ct_journal $S -b "${BOOT_S2//-/}" -o cat -u ferry-apply-staged.service)"
check "source: the reboot went through its logind" \
    grep -q "System is rebooting" <<<"$(ct_journal $S -b "${BOOT_S1//-/}" -o cat -u systemd-logind.service)"

# Every object equal by definition. What 10.11 rewrites in SHOW CREATE
# (docs/containers.md, "Mixed generations"): the character set utf8 is
# named utf8mb3 (also in collation names); normalised as ferryd's own
# object check does (core/db_objects.hpp). Nothing else is.
normalise() { sed -E 's/\butf8mb3(_[a-z0-9_]+)?\b/utf8\1/g' "$1"; }
app_objects $T > "$CT_DIR/objects-target-raw"
normalise "$CT_DIR/objects-source" > "$CT_DIR/objects-source-n"
normalise "$CT_DIR/objects-target-raw" > "$CT_DIR/objects-target-n"
check_same_objects "10.5 -> 10.11 (utf8mb3 read as utf8)" "$CT_DIR/objects-source-n" "$CT_DIR/objects-target-n"
check "10.11 did rewrite utf8 as utf8mb3 (the normalisation is needed: $(grep -c utf8mb3 "$CT_DIR/objects-target-raw") objects)" \
    grep -q utf8mb3 "$CT_DIR/objects-target-raw"
check "the legacy objects work on 10.11: view, function, trigger" \
    [ "$(mdb_sql $T "INSERT INTO hotspot.legacy_utf8 (id, name) VALUES (-1, 'z'); SELECT note FROM hotspot.legacy_utf8 WHERE id = -1; SELECT label FROM hotspot.v_legacy WHERE id = -1" | tr '\n' ' ')" = "none legacy:z " ]
check "the sequence continues on 10.11 where it stood on 10.5" \
    [ "$(mdb_sql $T "SELECT NEXTVAL(hotspot.voucher_batch)")" = "$(sed -n 's/.*next=\([0-9]*\).*/\1/p' "$CT_DIR/objects-source")" ]

grep -rqaF --exclude=source-password --exclude=password -e "$CT_PASSWORD" "$CT_DIR/$S/upper" "$CT_DIR/$T/upper" \
    "$CT_DIR"/*.txt "$CT_DIR"/*.json 2>/dev/null; rc=$?
check "the password is nowhere in either appliance's files or journal (grep exit $rc)" [ $rc -eq 1 ]

[ "$CT_FAILS" -eq 0 ] || ct_fail "$CT_FAILS check(s) failed"
ct_log "PASS: a Debian 11 / MariaDB 10.5 appliance migrated onto Debian 12 / MariaDB 10.11 with Swap across both reboots"
