# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What the Swap Configuration tests share (swap.sh, swap-power-cut.sh,
# swap-source-gone.sh; docs/containers.md). Sourced after lib.sh; the
# appliances are $S (source, $A before the swap) and $T (target, $B).
#
#   sw_make [SLOW]            both appliances made in their overlays (not
#                             booted): password, 4 MB of logs, and the
#                             source's boot after the swap held back SLOW
#                             seconds (a drop-in of ferry-apply-staged)
#   sw_source_reboot_timeout SECONDS
#                             [Migration] SourceRebootTimeoutSec= in the
#                             target's ferry.conf (before it boots)
#   has_addr NAME ADDR        NAME has ADDR/24 (waits up to 10 s for networkd)
#   lacks_addr NAME ADDR      NAME has not got ADDR
#   tcp_open NAME ADDR PORT   the port answers from inside NAME
#   sw_job_info               "STATE REBOOT-OP-STATE ATTEMPT LOGIND-ASKED
#                             SOURCE-ASKED" from the target's job journal,
#                             read from the host (no D-Bus call)
#   sw_before                 what the checks afterwards compare with: both
#                             settings, the source's license, its table sums
#                             (under $CT_DIR)
#   sw_start                  probe, plan and start --swap --license --logs
#                             with ferryctl inside the target; sets JOB
#   sw_wait_finished SECONDS  until the job journal says succeeded or
#                             failed; sets state
#   sw_check_swapped          the result of a Swap: addresses and host names
#                             exchanged, every table equal, settings
#                             exchanged exactly, logs, certificate, license
#                             moved, temporary account gone, the source out
#                             of maintenance with its services running

S=source T=target
A=$CT_SOURCE_ADDR B=$CT_TARGET_ADDR
SW_JOURNAL=
MGR=(org.ferry.Migration1 /org/ferry/Migration1 org.ferry.Migration1)

sw_make() {
    local slow=${1:-0}
    ct_net_up
    ct_create $S source "$A"
    ct_create $T target "$B"
    ct_set_password $S $T
    ct_fill_logs $S 4
    SW_JOURNAL=$(ct_file $T /var/lib/ferry/job.json)
    if [ "$slow" -gt 0 ]; then
        mkdir -p "$(ct_file $S /etc/systemd/system/ferry-apply-staged.service.d)"
        printf '[Service]\nExecStartPost=/bin/sleep %s\n' "$slow" \
            > "$(ct_file $S /etc/systemd/system/ferry-apply-staged.service.d/50-rig-slow-boot.conf)"
    fi
}

sw_source_reboot_timeout() {
    sed -i "/^\[Migration\]\$/a SourceRebootTimeoutSec=$1" "$(ct_file $T /etc/ferry/ferry.conf)"
    grep -q "^SourceRebootTimeoutSec=$1\$" "$(ct_file $T /etc/ferry/ferry.conf)" ||
        ct_fail "cannot set SourceRebootTimeoutSec in the target's ferry.conf"
}

# networkd configures the address shortly after the boot finished.
has_addr() { local i; for ((i = 0; i < 100; i++)); do
    ct_exec "$1" ip -4 -o addr show | grep -q " $2/24 " && return 0; sleep 0.1; done; return 1; }
lacks_addr() { ! ct_exec "$1" ip -4 -o addr show | grep -q " $2/24 "; }
tcp_open() { ct_exec "$1" timeout 5 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; }

sw_job_info() {
    python3 - "$SW_JOURNAL" <<'PY' 2>/dev/null || echo "none - 0 0 0"
import json, sys
j = json.load(open(sys.argv[1]))
op = [o for o in j["operations"] if o["id"] == "reboot"][0]
cp = op["checkpoint"] or {}
print(j["state"], op["state"], j["attempt"], 1 if cp.get("logind_asked") else 0,
      1 if cp.get("source_asked") else 0)
PY
}

# Properties through the target's system bus (only while ferryd runs: a
# call would D-Bus-activate it otherwise).
prop() { ct_exec $T busctl get-property "$@" 2>/dev/null | sed -E 's/^[a-z]+ "?//; s/"$//'; }

sw_before() {
    rm -rf "$CT_DIR/target-settings-before" "$CT_DIR/source-settings-before"
    cp -a "$(ct_file $T /var/lib/hotspot/settings)" "$CT_DIR/target-settings-before"
    cp -a "$(ct_file $S /var/lib/hotspot/settings)" "$CT_DIR/source-settings-before"
    cp "$(ct_file $S /var/lib/hotspot/license.conf)" "$CT_DIR/source-license-before"
    app_table_sums $S > "$CT_DIR/sums-source"
    ct_log "source: $(wc -l < "$CT_DIR/sums-source") tables, $(awk '{n += $2} END {print n}' "$CT_DIR/sums-source") rows"
}

sw_start() {
    local rc
    ct_exec $T ferryctl --json=short probe "$A" --password-file=/root/source-password \
        > "$CT_DIR/probe.json" 2>"$CT_DIR/probe.err"
    check "probe succeeded" [ $? -eq 0 ]
    ct_exec $T ferryctl plan --swap --license --logs > "$CT_DIR/plan.txt" 2>&1
    check "plan with swap, license and logs" [ $? -eq 0 ]
    check "the plan has the reboot" grep -q "Reboot" "$CT_DIR/plan.txt"
    ct_exec $T ferryctl start --swap --license --logs --yes --no-ask-password > "$CT_DIR/start.txt" 2>&1
    rc=$?
    check "start --swap (exit $rc)" [ $rc -eq 0 ]
    [ $rc -eq 0 ] || { cat "$CT_DIR/start.txt" "$CT_DIR/probe.err" >&2; ct_fail "no job"; }
    JOB=$(prop "${MGR[@]}" Job)
    ct_log "job $JOB"
}

sw_wait_finished() {
    local i n=$(($1 * 10)) _r
    for ((i = 0; i < n; i++)); do
        read -r state _r <<<"$(sw_job_info)"
        [ "$state" = succeeded ] || [ "$state" = failed ] && return 0
        sleep 0.1
    done
    return 1
}

sw_check_swapped() {
    local f u
    check "source now has the target's former address $B" has_addr $S "$B"
    check "... and not $A any more" lacks_addr $S "$A"
    check "target now has the source's former address $A" has_addr $T "$A"
    check "... and not $B any more" lacks_addr $T "$B"
    check "source answers ping on $B (from the target)" ct_exec $T ping -q -c1 -W2 "$B"
    check "target answers ping on $A (from the source)" ct_exec $S ping -q -c1 -W2 "$A"
    check "the source's ferry-peer answers on 443 at $B" tcp_open $T "$B" 443
    check "the target's MariaDB answers on 3306 at $A" tcp_open $S "$A" 3306
    check "host names exchanged (target: $(ct_exec $T hostname), source: $(ct_exec $S hostname))" \
        [ "$(ct_exec $T hostname)/$(ct_exec $S hostname)" = source/target ]
    check "source: nothing left staged" [ ! -e "$(ct_file $S /var/lib/hotspot/settings.staged)" ]
    check "source: its former address recorded for the target's token" \
        grep -qs "\"$A\"" "$(ct_file $S /var/lib/ferry-peer/former-address.json)"

    app_table_sums $T > "$CT_DIR/sums-target"
    check "every table: same rows and content checksum ($(wc -l < "$CT_DIR/sums-source") tables)" \
        cmp -s "$CT_DIR/sums-source" "$CT_DIR/sums-target"
    cmp -s "$CT_DIR/sums-source" "$CT_DIR/sums-target" || diff "$CT_DIR/sums-source" "$CT_DIR/sums-target" >&2
    app_table_sums $S > "$CT_DIR/sums-source-after"
    check "the source kept its data" cmp -s "$CT_DIR/sums-source" "$CT_DIR/sums-source-after"
    check "the target's settings are exactly the source's former ones (network with $A)" \
        diff -r "$CT_DIR/source-settings-before" "$(ct_file $T /var/lib/hotspot/settings)"
    check "the source's settings are exactly the target's former ones (network with $B)" \
        diff -r "$CT_DIR/target-settings-before" "$(ct_file $S /var/lib/hotspot/settings)"
    owners() { ct_sh "$1" 'stat -c %U:%G:%a /var/lib/hotspot/settings/*.conf' | sort -u | tr '\n' ' '; }
    check "target: settings owned by hotspot:hotspot, mode 0640 ($(owners $T))" [ "$(owners $T)" = "hotspot:hotspot:640 " ]
    check "source: settings owned by hotspot:hotspot, mode 0640 ($(owners $S))" [ "$(owners $S)" = "hotspot:hotspot:640 " ]
    for f in "$(ct_file $S /var/log/hotspot)"/*; do
        check "log $(basename "$f") byte-identical" cmp -s "$f" "$(ct_file $T "/var/log/hotspot/$(basename "$f")")"
    done
    check "certificate moved" cmp -s "$(ct_file $S /etc/hotspot/certs/server.pem)" "$(ct_file $T /etc/hotspot/certs/server.pem)"
    check "license installed on the target" \
        grep -q "^Guid=$(sed -n 's/^Guid=//p' "$CT_DIR/source-license-before")" "$(ct_file $T /var/lib/hotspot/license.conf)"
    check "license released on the source, to its former address $A (where the target is now)" \
        sh -c "grep -q '^State=released' '$(ct_file $S /var/lib/hotspot/license.conf)' &&
               grep -q '=$A\$' '$(ct_file $S /var/lib/hotspot/license.conf)'"
    check "temporary MariaDB account gone on the source" \
        [ -z "$(mdb_sql $S "SELECT user FROM mysql.user WHERE user LIKE 'ferry%'")" ]

    check "source left maintenance" [ ! -e "$(ct_file $S /var/lib/hotspot/maintenance)" ]
    check "source recorded the migration with Swap" grep -qs '^Swap=yes' "$(ct_file $S /var/lib/hotspot/migrated.conf)"
    for u in "${CT_SERVICES[@]}"; do
        check "source: $u running and not masked (Swap)" \
            [ "$(ct_unit $S "$u" ActiveState)/$(ct_exec $S systemctl is-enabled "$u")" = active/enabled ]
        check "target: $u running" [ "$(ct_unit $T "$u" ActiveState)" = active ]
    done
    check "target: job-active marker removed" [ ! -e "$(ct_file $T /var/lib/ferry/job-active)" ]
}
