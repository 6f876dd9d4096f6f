#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# upgrade.sh SOURCE_ROOT BUILD_DIR
#
# Package upgrades in the middle of a migration, then a purge
# (docs/packaging.md). Both appliances run ferry installed from the Debian
# packages (lib.sh, ct_install_ferry). A standalone migration is started;
# while copy-data runs:
#   1. the target upgrades ferry and ferry-peer to a higher version
#      (`apt-get install ./ferry_V+upgrade1_*.deb ...`): the postinst
#      try-restarts ferryd, which checkpoints on SIGTERM, and the new
#      ferryd resumes the SAME job (same id and start time, attempt + 1,
#      the "resumed" event without a reboot, the verified tables of the
#      checkpoint kept), running the binary the upgrade installed;
#   2. the target reinstalls the same version (apt-get --reinstall), if
#      copy-data still runs by then: one more restart into the same job;
#   3. the source upgrades too (at the same time as the target): its
#      socket-activated ferry-peer.service is restarted (its listening
#      sockets must survive), ferryd there (not running) is not started.
# The job must complete with every table equal (per-table checksums) and
# the logs byte-identical. Then, on the target: `dpkg -L` lists files only
# under the standard paths, and `apt-get purge ferry-peer ferry` leaves
# nothing of ferry in /etc, /var/lib, /usr, /lib or /run.
#
# The higher version is the same build repacked (dpkg-deb -R, Version
# V+upgrade1, ferry-peer's "ferry (= V)" dependency to match): what the
# test is about is what dpkg and the maintainer scripts do to a running
# job, which does not depend on the binaries' content.
#
# FERRY_CT_UPGRADE_ROWS (default 1000000): rows of the data set (copy-data
# must outlast an upgrade and a reinstallation).
# Exit 0 pass, 1 fail, 77 skip (only when nspawn/debootstrap cannot work here).
set -uo pipefail
source "$(dirname "$(realpath "$0")")/lib.sh"
ct_main "$0" "$@"

ROWS=${FERRY_CT_UPGRADE_ROWS:-1000000}
S=source T=target
[ -n "${FERRY_CT_DEBS:-}" ] || ct_fail "upgrade.sh tests the Debian packages: not with FERRY_CT_INSTALL=meson"

# --- the higher version: the packages repacked -----------------------------
V=$(dpkg-deb -f "${CT_DEBS[0]}" Version)
NEWV="$V+upgrade1"
mkdir -p "$CT_DIR/new" "$CT_DIR/repack"
NEW_FERRY="" NEW_PEER=""
for deb in "${CT_DEBS[@]}"; do
    pkg=$(dpkg-deb -f "$deb" Package)
    arch=$(dpkg-deb -f "$deb" Architecture)
    d=$CT_DIR/repack/$pkg
    dpkg-deb -R "$deb" "$d" || ct_fail "dpkg-deb -R $deb"
    sed -i -e "s/^Version: .*/Version: $NEWV/" -e "s/ferry (= $V)/ferry (= $NEWV)/" "$d/DEBIAN/control"
    dpkg-deb --root-owner-group -Zgzip -b "$d" "$CT_DIR/new/${pkg}_${NEWV}_${arch}.deb" >/dev/null ||
        ct_fail "dpkg-deb -b $d"
    case $pkg in
    ferry) NEW_FERRY=/var/cache/ferry-upgrade/${pkg}_${NEWV}_${arch}.deb ;;
    ferry-peer) NEW_PEER=/var/cache/ferry-upgrade/${pkg}_${NEWV}_${arch}.deb ;;
    esac
done
ct_log "installed: $V; upgrade to: $NEWV ($(ls "$CT_DIR/new" | tr '\n' ' '))"

ct_net_up
ct_create $S source "$CT_SOURCE_ADDR"
ct_create $T target "$CT_TARGET_ADDR"
ct_set_password $S $T
# One copy thread: the copy lasts long enough to upgrade in the middle.
printf 'CopyThreads=1\n' >> "$(ct_file $T /etc/ferry/ferry.conf)"
ct_fill_logs $S 16
for n in $S $T; do
    mkdir -p "$(ct_file $n /var/cache/ferry-upgrade)"
    cp "$CT_DIR"/new/*.deb "$(ct_file $n /var/cache/ferry-upgrade/)"
done
ct_boot $S; ct_boot $T
ct_wait_booted $S; ct_wait_booted $T
ct_wait_mariadb $S; ct_wait_mariadb $T
ct_gen_data $S "$ROWS"
app_table_sums $S > "$CT_DIR/sums-source"

check "target: ferry $V installed from the package" [ "$(ct_exec $T dpkg-query -W -f '${Version}' ferry)" = "$V" ]
check "target: ferryd-resume.path enabled by the package and waiting" \
    [ "$(ct_exec $T systemctl is-enabled ferryd-resume.path)/$(ct_unit $T ferryd-resume.path SubState)" = enabled/waiting ]
check "target: ferryd.service static, not started at boot" \
    [ "$(ct_exec $T systemctl is-enabled ferryd.service)/$(ct_unit $T ferryd.service ActiveState)" = static/inactive ]

JOURNAL=$(ct_file $T /var/lib/ferry/job.json)
# "ID STARTED_AT ATTEMPT STATE COPY_STATE DONE_TABLES LAST_RESUME_REBOOTED
# DONE_OPS" from the job journal, read from the host.
job() {
    python3 - "$JOURNAL" <<'PY' 2>/dev/null || echo "none 0 0 none none 0 none -"
import json, sys
j = json.load(open(sys.argv[1]))
ops = {o["id"]: o for o in j["operations"]}
cd = ops["copy-data"]
done = len((cd.get("checkpoint") or {}).get("done", []))
ev = [e for e in j["events"] if e["type"] == "resumed"]
reb = str(ev[-1]["data"].get("rebooted")).lower() if ev else "none"
done_ops = ",".join(o["id"] for o in j["operations"] if o["state"] in ("done", "skipped")) or "-"
print(j["id"], j["started_at"], j["attempt"], j["state"], cd["state"], done, reb, done_ops)
PY
}
# The checkpoint's verified tables, one per line.
done_tables() {
    python3 - "$JOURNAL" <<'PY' 2>/dev/null
import json, sys
ops = {o["id"]: o for o in json.load(open(sys.argv[1]))["operations"]}
print("\n".join(sorted((ops["copy-data"].get("checkpoint") or {}).get("done", []))))
PY
}
# Waits (bounded) until copy-data runs in attempt ATTEMPT with at least
# MIN verified tables; 1 when the copy or the job ended first.
wait_copy() {
    local attempt=$1 min=$2 i at state cs n
    for ((i = 0; i < 6000; i++)); do
        read -r _ _ at state cs n _ <<<"$(job)"
        [ "$state" = succeeded ] || [ "$state" = failed ] && return 1
        [ "$at" -ge "$attempt" ] && [ "$cs" = running ] && [ "$n" -ge "$min" ] && return 0
        [ "$at" -ge "$attempt" ] && [ "$cs" = "done" ] && return 1
        sleep 0.05
    done
    return 1
}
ferryd_exe() {
    local pid
    pid=$(ct_unit "$1" ferryd.service MainPID)
    [ "$pid" != 0 ] && ct_exec "$1" readlink "/proc/$pid/exe"
}
# apt-get install inside NAME of the repacked packages (ARGS before them).
apt_upgrade() {
    local name=$1 log=$2; shift 2
    ct_exec "$name" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >"$log" 2>&1
}

ct_exec $T ferryctl probe "$CT_SOURCE_ADDR" --password-file=/root/source-password >/dev/null 2>"$CT_DIR/probe.err" ||
    { cat "$CT_DIR/probe.err" >&2; ct_fail "probe"; }
ct_exec $T ferryctl start --license --logs --yes --no-ask-password >"$CT_DIR/start.txt" 2>&1 ||
    { cat "$CT_DIR/start.txt" >&2; ct_fail "start"; }
JOB_T0=$SECONDS

# --- 1. upgrade of the target in the middle of the copy ----------------------
wait_copy 1 1 || ct_fail "copy-data did not get to its first verified table while running: $(job)"
read -r ID0 ST0 AT0 _ _ N0 _ OPS0 <<<"$(job)"
done_tables > "$CT_DIR/done-before"
INV0=$(ct_unit $T ferryd.service InvocationID)
ct_log "before the upgrade: job $ID0, attempt $AT0, copy-data running with $N0 verified table(s), done: $OPS0"
# The source upgrades at the same time (step 3 checks it): while copy-data
# runs the target does not talk to ferry-peer, so its restart interrupts no
# request (a request in flight is lost: docs/packaging.md, known issues).
PINV0=$(ct_unit $S ferry-peer.service InvocationID)
peer_was=$(ct_unit $S ferry-peer.service ActiveState)
apt_upgrade $S "$CT_DIR/upgrade-source.log" "$NEW_FERRY" "$NEW_PEER" &
SOURCE_APT=$!
t0=$SECONDS
apt_upgrade $T "$CT_DIR/upgrade-target.log" "$NEW_FERRY" "$NEW_PEER"; rc=$?
UPGRADE_T_S=$((SECONDS - t0))
check "target: apt-get install of $NEWV while the job runs (exit $rc, $UPGRADE_T_S s)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 30 "$CT_DIR/upgrade-target.log" >&2
check "target: ferry is now $NEWV" [ "$(ct_exec $T dpkg-query -W -f '${Version}' ferry)" = "$NEWV" ]
INV1=$(ct_unit $T ferryd.service InvocationID)
r=no; [ -n "$INV1" ] && [ "$INV1" != "$INV0" ] && [ "$(ct_unit $T ferryd.service ActiveState)" = active ] && r=yes
check "target: ferryd restarted by the postinst (InvocationID ${INV0:0:8}.. -> ${INV1:0:8}..) and active" [ $r = yes ]
exe=$(ferryd_exe $T)
check "target: the running ferryd is the binary the upgrade installed ($exe)" [ "$exe" = /usr/libexec/ferry/ferryd ]
wait_copy $((AT0 + 1)) 0; w=$?
read -r ID1 ST1 AT1 STATE1 CS1 N1 REB1 OPS1 <<<"$(job)"
ct_log "after the upgrade: job $ID1, attempt $AT1, $STATE1, copy-data $CS1 with $N1 verified table(s), last resume rebooted=$REB1"
r=no; [ "$ID1" = "$ID0" ] && [ "$ST1" = "$ST0" ] && r=yes
check "the same job resumed (id $ID1, started at $ST1)" [ $r = yes ]
r=no; [ "$AT1" -eq $((AT0 + 1)) ] && [ "$REB1" = false ] && r=yes
check "resumed once, without a reboot (attempt $AT0 -> $AT1, rebooted=$REB1)" [ $r = yes ]
check "the operations done before the upgrade are still done ($OPS0)" [ "${OPS1#"$OPS0"}" != "$OPS1" ]
done_tables > "$CT_DIR/done-after"
lost=$(comm -23 "$CT_DIR/done-before" "$CT_DIR/done-after")
[ $w -eq 0 ] || lost=""   # the copy had ended: its checkpoint is complete anyway
check "copy-data went on from its checkpoint: the $N0 table(s) verified before the upgrade are still verified" [ -z "$lost" ]
check "target: ferryd-resume.path still waiting (not stopped by the upgrade)" \
    [ "$(ct_unit $T ferryd-resume.path ActiveState)" = active ]

# --- 2. reinstallation of the same version, while the copy still runs ------
# (Only in copy-data: a restart later in the job can hit "final" between the
# source's POST /finish and its checkpoint; see docs/packaging.md, known
# issues.)
read -r _ _ AT2 STATE2 CS2 _ <<<"$(job)"
if [ "$STATE2" = running ] && [ "$CS2" = running ]; then
    INV2=$(ct_unit $T ferryd.service InvocationID)
    apt_upgrade $T "$CT_DIR/reinstall-target.log" --reinstall "$NEW_FERRY"; rc=$?
    check "target: apt-get install --reinstall while the job runs (exit $rc)" [ $rc -eq 0 ]
    INV3=$(ct_unit $T ferryd.service InvocationID)
    check "target: ferryd restarted by the reinstallation" [ "$INV3" != "$INV2" ]
    for ((i = 0; i < 600; i++)); do read -r _ _ AT3 STATE3 _ <<<"$(job)"; [ "$AT3" -gt "$AT2" ] && break
        [ "$STATE3" = running ] || break; sleep 0.1; done
    r=no; [ "$AT3" -eq $((AT2 + 1)) ] && { [ "$STATE3" = running ] || [ "$STATE3" = succeeded ]; } && r=yes
    check "the same job resumed after the reinstallation (attempt $AT2 -> $AT3, $STATE3)" [ $r = yes ]
else
    ct_log "NOTE: copy-data had ended before the reinstallation step (job $STATE2); skipped"
fi

# --- 3. the source's upgrade (started with the target's) ----------------------
wait $SOURCE_APT; rc=$?
check "source: apt-get install of $NEWV while the job runs (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 30 "$CT_DIR/upgrade-source.log" >&2
PINV1=$(ct_unit $S ferry-peer.service InvocationID)
if [ "$peer_was" = active ]; then
    r=no; [ "$PINV1" != "$PINV0" ] && [ "$(ct_unit $S ferry-peer.service ActiveState)" = active ] && r=yes
    check "source: ferry-peer.service restarted by the postinst and active" [ $r = yes ]
fi
check "source: ferry-peer.socket still listening" [ "$(ct_unit $S ferry-peer.socket ActiveState)" = active ]
# Also not by way of a failure that Restart=on-failure repaired 2 s later:
# no failed start, no failed socket, no restart by systemd.
peer_failures=$(ct_journal $S -b -o cat -u ferry-peer.service -u ferry-peer.socket -u ferry-peer-redirect.socket |
    grep -c -E 'Failed with result|bad socket')
nrestarts=$(ct_unit $S ferry-peer.service NRestarts)
r=no; [ "$peer_failures" -eq 0 ] && [ "$nrestarts" = 0 ] && r=yes
check "source: the restart broke nothing ($peer_failures failure(s) of ferry-peer units in the journal, NRestarts $nrestarts)" [ $r = yes ]
check "source: ferryd (static, not running) was not started by the upgrade" \
    [ "$(ct_unit $S ferryd.service ActiveState)" = inactive ]

# --- the job completes --------------------------------------------------------
ct_exec $T timeout 900 ferryctl watch >"$CT_DIR/watch.txt" 2>&1; rc=$?
check "the job completed after the upgrades (watch exit $rc, $((SECONDS - JOB_T0)) s)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 20 "$CT_DIR/watch.txt" >&2
read -r IDF _ ATF STATEF _ <<<"$(job)"
r=no; [ "$IDF" = "$ID0" ] && [ "$STATEF" = succeeded ] && r=yes
check "job $IDF $STATEF, the one started before the upgrades, in attempt $ATF" [ $r = yes ]
app_table_sums $T > "$CT_DIR/sums-target"
check "every table equal ($(wc -l < "$CT_DIR/sums-source") tables)" cmp -s "$CT_DIR/sums-source" "$CT_DIR/sums-target"
cmp -s "$CT_DIR/sums-source" "$CT_DIR/sums-target" || diff "$CT_DIR/sums-source" "$CT_DIR/sums-target" >&2
for f in "$(ct_file $S /var/log/hotspot)"/*; do
    check "log $(basename "$f") byte-identical" cmp -s "$f" "$(ct_file $T "/var/log/hotspot/$(basename "$f")")"
done
check "target: job-active marker removed" [ ! -e "$(ct_file $T /var/lib/ferry/job-active)" ]
check "target: ferryctl acknowledge" ct_exec $T ferryctl acknowledge

# --- dpkg -L and the purge, on the target -----------------------------------
ct_exec $T dpkg -L ferry ferry-peer > "$CT_DIR/dpkg-L.txt"
STD='^/(\.|etc|etc/ferry|etc/ferry/ferry\.conf|lib|lib/systemd|lib/systemd/system|lib/systemd/system/(ferry|dbus-org\.ferry)[^/]*|usr|usr/lib|usr/lib/systemd|usr/lib/systemd/catalog|usr/lib/systemd/catalog/ferry\.catalog|usr/bin|usr/bin/ferryctl|usr/libexec|usr/libexec/ferry|usr/libexec/ferry/(ferryd|ferry-peer)|usr/share|usr/share/(dbus-1|polkit-1|man|doc)(/.*)?|usr/share/bash-completion(/completions(/ferryctl)?)?|usr/share/locale(/[A-Za-z_@]+(/LC_MESSAGES(/ferry\.mo)?)?)?)$'
stray=$(grep -v -E "$STD" "$CT_DIR/dpkg-L.txt")
check "dpkg -L ferry ferry-peer: $(wc -l < "$CT_DIR/dpkg-L.txt") paths, all standard${stray:+ (not: $(echo $stray))}" [ -z "$stray" ]
# purge_check WHEN: apt-get purge ferry-peer ferry on the target, then
# nothing of them may be left.
purge_check() {
    local when=$1 rc known left units alive
    ct_exec $T env DEBIAN_FRONTEND=noninteractive apt-get purge -y ferry-peer ferry >"$CT_DIR/purge-$when.log" 2>&1; rc=$?
    check "target ($when): apt-get purge ferry-peer ferry (exit $rc)" [ $rc -eq 0 ]
    [ $rc -eq 0 ] || tail -n 20 "$CT_DIR/purge-$when.log" >&2
    known=$(ct_exec $T dpkg-query -W -f '${Package} ${Status}\n' ferry ferry-peer 2>/dev/null)
    check "target ($when): both packages gone from dpkg's database${known:+ ($known)}" [ -z "$known" ]
    # (The rig's own files are not the packages': its MariaDB drop-in and
    # data set generator. /run/systemd keeps systemd's runtime records of
    # the units that ran, and the networkd file ferry-appliance-network
    # wrote at boot, in use until the next boot.)
    left=$(ct_exec $T find /etc /var/lib /usr /lib /run/ferry /run/ferry-peer \
        \( -path /usr/local/lib/ferry-rig -o -path /etc/mysql/mariadb.conf.d/60-ferry-rig.cnf \) -prune -o \
        \( -iname '*ferry*' -print \) 2>/dev/null)
    check "target ($when): nothing named *ferry* left in /etc, /var/lib, /usr, /lib, /run/ferry${left:+ (left: $(echo $left))}" [ -z "$left" ]
    left=$(while read -r p; do [ -d "$(ct_file $T "$p")" ] || { [ -e "$(ct_file $T "$p")" ] && echo "$p"; }; done < "$CT_DIR/dpkg-L.txt")
    check "target ($when): no file of the packages left${left:+ (left: $(echo $left))}" [ -z "$left" ]
    # A oneshot boot unit that ran (RemainAfterExit=) stays listed as
    # "not-found active exited" until the next boot; nothing may run,
    # listen or wait, and no unit file may be left.
    units=$(ct_exec $T systemctl list-units --all --no-legend --plain 'ferry*' 'dbus-org.ferry*')
    alive=$(awk '$2 != "not-found" || $4 ~ /running|listening|waiting/' <<<"$units")
    check "target ($when): no ferry unit file, nothing of ferry running, listening or waiting${alive:+ ($alive)}" [ -z "$alive" ]
    ct_log "ferry units systemd still lists after the purge ($when): ${units:-none}"
}
purge_check "after the upgraded job"

# --- a fresh installation on the running system, and its purge ---------------
ct_exec $T env DEBIAN_FRONTEND=noninteractive apt-get install -y "$NEW_FERRY" "$NEW_PEER" \
    >"$CT_DIR/install-running.log" 2>&1; rc=$?
check "target: apt-get install on the running system (exit $rc)" [ $rc -eq 0 ]
check "fresh install: ferryd.service static and not started" \
    [ "$(ct_exec $T systemctl is-enabled ferryd.service)/$(ct_unit $T ferryd.service ActiveState)" = static/inactive ]
check "fresh install: ferryd-resume.path enabled and waiting" \
    [ "$(ct_exec $T systemctl is-enabled ferryd-resume.path)/$(ct_unit $T ferryd-resume.path SubState)" = enabled/waiting ]
check "fresh install: ferry-peer sockets not enabled, not listening" \
    [ "$(ct_exec $T systemctl is-enabled ferry-peer.socket ferry-peer-redirect.socket | sort -u)/$(ct_unit $T ferry-peer.socket ActiveState)" = disabled/inactive ]
check "fresh install: ferry-apply-staged enabled, not run; ferry-appliance-network not enabled" \
    [ "$(ct_exec $T systemctl is-enabled ferry-apply-staged.service ferry-appliance-network.service | tr '\n' ' ')" = "enabled disabled " ]
check "fresh install: ferryctl answers (D-Bus activation)" ct_exec $T sh -c "ferryctl status >/dev/null"
rm -rf "$(ct_file $T /var/cache/ferry-upgrade)"
purge_check "fresh install"

[ $CT_FAILS -eq 0 ] || ct_fail "$CT_FAILS check(s) failed"
ct_log "PASS: upgrade ($UPGRADE_T_S s on the target) and reinstall during the job, same job resumed and completed; purge left nothing"
