# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A MariaDB multi-master ring of rig instances (tests/rig/mariadb.sh), as an
# HA deployment of appliances has it: every node replicates from the one
# before it with GTIDs (MASTER_USE_GTID=slave_pos), logs what it applies
# (start the instances with APP_MDB_RING=1, tests/rig/appliance.sh), and
# has its own server id and GTID domain. See docs/ha.md.
#
#   ring_reset NAME                   empty binary log and replica position (a
#                                     fresh node: what its set-up logged, such
#                                     as dropping the anonymous accounts, must
#                                     not travel round the ring)
#   ring_account NAME USER PASSWORD   the replication account, not logged
#   ring_link NAME UPSTREAM_ADDRESS USER PASSWORD
#                                     NAME replicates from UPSTREAM, started
#   ring_replica NAME                 "Master_Host IO SQL" of NAME's replica
#                                     ("- - -" when it has none)
#   ring_wait_sync SECONDS NAME...    until every NAME has the same
#                                     @@gtid_binlog_pos and each replica runs
#   ring_settings ROLE MAIN USER PASSWORD MEMBERS...
#                                     the replication settings section
#   ring_check_later_writes NAME...  every NAME takes a write after the
#                                     migration and every NAME receives all
#                                     of them (uses the caller's check/bad)
#   ring_rig MAIN SOURCE OTHER TARGET A B C T PASSWORD ROWS LOG
#                                     the whole HA rig of the one-machine
#                                     suites (needs tests/rig/appliance.sh
#                                     and $RIG, $SRC, rig_fail of
#                                     tests/integration/lib/rig.sh)

ring_reset() {
    mdb_sql "$1" "RESET MASTER; SET GLOBAL gtid_slave_pos=''"
}

ring_account() {
    local name=$1 user=$2 pw=$3
    mdb_sql "$name" "SET SESSION sql_log_bin=0; CREATE USER '$user'@'%' IDENTIFIED BY '$pw'; GRANT REPLICATION SLAVE ON *.* TO '$user'@'%'"
}

ring_link() {
    local name=$1 up=$2 user=$3 pw=$4
    mdb_sql "$name" "CHANGE MASTER TO MASTER_HOST='$up', MASTER_PORT=3306, MASTER_USER='$user', MASTER_PASSWORD='$pw', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE"
}

ring_replica() {
    local out
    out=$(mdb_client "$1" -e "SHOW SLAVE STATUS\G" 2>/dev/null |
        awk -F': ' '/ Master_Host:/{h=$2} / Slave_IO_Running:/{i=$2} / Slave_SQL_Running:/{s=$2} END{print h" "i" "s}')
    [ "$out" = "  " ] && out="- - -"
    echo "$out"
}

ring_wait_sync() {
    local secs=$1; shift
    local deadline=$((SECONDS + secs)) n pos first ok
    while [ $SECONDS -lt $deadline ]; do
        ok=1 first=
        for n in "$@"; do
            pos=$(mdb_sql "$n" "SELECT @@gtid_binlog_pos" 2>/dev/null) || { ok=; break; }
            [ -z "$first" ] && first=$pos
            [ "$pos" = "$first" ] || { ok=; break; }
            case "$(ring_replica "$n")" in *" Yes Yes") ;; *) ok=; break ;; esac
        done
        [ -n "$ok" ] && return 0
        sleep 0.2
    done
    for n in "$@"; do
        echo "  $n: binlog $(mdb_sql "$n" "SELECT @@gtid_binlog_pos" 2>&1) replica $(ring_replica "$n")" >&2
    done
    return 1
}

ring_settings() {
    local role=$1 main=$2 user=$3 pw=$4; shift 4
    printf '[Replication]\nRole=%s\nRingMembers=%s\nMain=%s\nUser=%s\nPassword=%s\n' \
        "$role" "$*" "$main" "$user" "$pw"
}

# The HA rig of migration-ha.sh and web/browser.sh. Appliances MAIN at A
# (the ring's Main node: it keeps the round-robin hosts A B C), SOURCE at B
# (licensed, 2 MB of logs, mariadbd with TLS), OTHER at C and TARGET at T
# (RingJoinTimeoutSec=60); the ring A -> B -> C -> A with the replication
# account (USER repl, PASSWORD); the same seeded data set on each node
# (tests/rig/gen_dataset.py, ROWS rows, output to LOG), loaded with binary
# logging off as a node restored from one backup would have it; the table
# hotspot.ha_writes for writers. $RIG/round-robin-before keeps the hosts.
ring_rig() {
    local main=$1 source=$2 other=$3 target=$4 a=$5 b=$6 c=$7 t=$8 pw=$9 rows=${10} log=${11} n role
    app_make "$main" "$a" no
    app_make "$source" "$b" yes active
    app_make "$other" "$c" no
    app_make "$target" "$t" no
    app_fill_logs "$source" 2
    for n in "$main" "$source" "$other"; do
        role=Additional; [ "$n" = "$main" ] && role=Main
        ring_settings "$role" "$a" repl "$pw" "$a" "$b" "$c" > "$RIG/$n/settings/replication.conf"
        printf '[LoadBalancing]\nDomain=lb.example.test\n' > "$RIG/$n/settings/load_balancing.conf"
    done
    printf '[RoundRobin]\nHosts=%s %s %s\n' "$a" "$b" "$c" > "$RIG/$main/settings/round_robin.conf"
    cp "$RIG/$main/settings/round_robin.conf" "$RIG/round-robin-before"
    printf '[Migration]\nRingJoinTimeoutSec=60\n' >> "$RIG/$target/ferry.conf"

    app_start_mariadb "$main"
    app_start_mariadb_tls "$source"
    app_start_mariadb "$other"
    app_start_mariadb "$target"
    for n in "$main" "$source" "$other"; do
        ring_reset "$n" && ring_account "$n" repl "$pw" || rig_fail "ring account on $n"
    done
    ring_link "$source" "$a" repl "$pw" && ring_link "$other" "$b" repl "$pw" && ring_link "$main" "$c" repl "$pw" \
        || rig_fail "ring links"
    for n in "$main" "$source" "$other"; do
        python3 "$SRC/tests/rig/gen_dataset.py" --socket "$RIG/$n/db/mysqld.sock" --rows "$rows" \
            >>"$log" 2>&1 || rig_fail "dataset generation failed on $n"
    done
    mdb_sql "$source" "CREATE TABLE hotspot.ha_writes (id VARCHAR(32) PRIMARY KEY, node CHAR(1) NOT NULL, n INT NOT NULL) ENGINE=InnoDB" \
        || rig_fail "ha_writes"
    ring_wait_sync 120 "$main" "$source" "$other" || rig_fail "the ring did not converge"
}

# After a migration: each NAME inserts a row 'post-NAME' (node 'P') into
# hotspot.ha_writes, and once the ring converged every NAME holds exactly
# all of them. With check/bad of tests/integration/lib/rig.sh or
# tests/containers/lib.sh.
ring_check_later_writes() {
    local n want
    want=$(printf 'post-%s\n' "$@" | LC_ALL=C sort | paste -sd, -)
    for n in "$@"; do
        mdb_sql "$n" "INSERT INTO hotspot.ha_writes VALUES ('post-$n', 'P', 0)" || bad "insert on $n"
    done
    ring_wait_sync 60 "$@"
    for n in "$@"; do
        check "writes made after the migration on $* reach $n" \
            [ "$(mdb_sql "$n" "SELECT GROUP_CONCAT(id ORDER BY id) FROM hotspot.ha_writes WHERE node='P'")" = "$want" ]
    done
}
