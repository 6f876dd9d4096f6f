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
