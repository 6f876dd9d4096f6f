# Reference appliances for the one-machine rigs (integration tests and the
# demo): each has its own 127.0.0.x address, settings directory (one file
# per section), license, certificates, user-traffic logs, mariadbd and,
# on the source, ferry-peer. Source with tests/integration/lib/rig.sh and
# tests/rig/mariadb.sh.
#
#   app_make NAME ADDRESS [licensed=yes|no] [contract=active|expired]
#   app_fill_logs NAME MEGABYTES      rotated log files with random content
#   app_start_mariadb NAME            mariadbd on ADDRESS:3306
#   app_start_peer NAME               ferry-peer on ADDRESS:443 (+ :80 redirect)
#   app_run_peer NAME                 the same again at NAME's current address
#   app_conf NAME                     path of NAME's ferry.conf
#
# Settings sections: the seven excluded from a basic copy (network, dns,
# webserver, round_robin, load_balancing, remote_exchange, ftp_backup) and
# basic ones (general, portal, auth, smtp, time), each naming its appliance
# so a test can tell where a value came from.

APP_EXCLUDED=(network dns webserver round_robin load_balancing remote_exchange ftp_backup)
APP_BASIC=(general portal auth smtp time)

app_root() { echo "$RIG/$1"; }
app_conf() { echo "$RIG/$1/ferry.conf"; }

app_make() {
    local name=$1 address=$2 licensed=${3:-no} contract=${4:-active}
    local root="$RIG/$name"
    mkdir -p "$root"/{settings,certs,logs,state,db,peer}
    local s
    for s in "${APP_EXCLUDED[@]}" "${APP_BASIC[@]}"; do
        printf '[%s]\nOwner=%s\nValue=%s-%s-%s\n' "$s" "$name" "$name" "$s" "$RANDOM" > "$root/settings/$s.conf"
    done
    printf '[Network]\nHostName=%s\nDomain=example.test\nAddress=%s\n' "$name" "$address" \
        > "$root/settings/network.conf"
    if [ "$licensed" = yes ]; then
        local end=2099-12-31
        [ "$contract" = active ] || end=2001-01-01
        printf '[License]\nGuid=%s\nState=active\nContractEnd=%s\n' \
            "$(cat /proc/sys/kernel/random/uuid)" "$end" > "$root/license.conf"
    fi
    # A self-signed certificate per appliance: the web identity that moves.
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$name.example.test" \
        -keyout "$root/certs/server.key" -out "$root/certs/server.pem" >/dev/null 2>&1 \
        || rig_fail "openssl could not make a certificate"
    chmod 600 "$root/certs/server.key"
    cat > "$root/ferry.conf" <<CONF
[Appliance]
SettingsDirectory=$root/settings
LicenseFile=$root/license.conf
CertificateDirectory=$root/certs
LogDirectory=$root/logs
Databases=hotspot
Services=hotspot-portal.service freeradius.service

[Migration]
ProbeTimeoutSec=5
# The rig suites written for the copy under maintenance keep it; the copy
# while the source serves has its own (tests/faults/pre-copy.sh, bench/outage).
CopyWhileServing=${FERRY_COPY_WHILE_SERVING:-no}

[Database]
Socket=$root/db/mysqld.sock
CONF
    eval "APP_ADDR_$name=$address"
}

app_address() { local v="APP_ADDR_$1"; echo "${!v}"; }

app_fill_logs() {
    local name=$1 mb=$2 i
    local dir="$RIG/$name/logs"
    for i in 0 1 2 3; do
        head -c $((mb * 1024 * 1024 / 4)) /dev/urandom > "$dir/traffic.log${i:+.$i}"
    done
    mv "$dir/traffic.log.0" "$dir/traffic.log"
}

# With APP_MDB_RING=1 every mariadbd is ready to be a node of a MariaDB
# ring (tests/rig/ring.sh): replicated changes logged, and its GTID domain
# (like its server id) taken from its address, so that a system that takes
# another's address also takes its place in the ring.
app_ring_opts() {
    [ "${APP_MDB_RING:-0}" = 1 ] || return 0
    echo "--log-slave-updates=ON --gtid-domain-id=${1##*.}"
}

app_start_mariadb() {
    local name=$1
    # shellcheck disable=SC2046 # words on purpose
    mdb_start "$name" "$(app_address "$name")" "$RIG/$name/db" $(app_ring_opts "$(app_address "$name")") \
        || rig_fail "mariadbd $name did not start"
}

# The source's ferry-peer: the Admin password hash (never the password) in
# its configuration, its certificate on ADDRESS:443, the redirect on :80.
app_start_peer() {
    local name=$1 password_file=$2
    local root="$RIG/$name"
    "$BUILD/peer/ferry-peer" --hash-password < "$password_file" > "$root/peer/admin-password.hash" \
        || rig_fail "ferry-peer --hash-password failed"
    cat >> "$root/ferry.conf" <<CONF

[Peer]
AdminPasswordHash=$root/peer/admin-password.hash
Certificate=$root/certs/server.pem
Key=$root/certs/server.key
StateDirectory=$root/peer/state
CONF
    app_run_peer "$name"
}

# ferry-peer of an already configured appliance (app_start_peer), at the
# appliance's current address (APP_ADDR_NAME, e.g. after a played Swap
# reboot): HTTPS on 443, the redirect on 80; APP_PEER_PID_NAME.
app_run_peer() {
    local name=$1 addr
    addr=$(app_address "$name")
    "$BUILD/peer/ferry-peer" --config="$RIG/$name/ferry.conf" --listen="$addr:443" \
        --redirect-listen="$addr:80" --log-level=debug >>"$RIG/peer-$name.log" 2>&1 &
    RIG_PIDS+=($!)
    eval "APP_PEER_PID_$name=$!"
    rig_wait_for 10 curl -sk -o /dev/null "https://$addr/ferry/v1/" \
        || rig_fail "ferry-peer on $addr:443 did not answer"
}

# mariadbd of an appliance, with the appliance's certificate for TLS on 3306.
app_start_mariadb_tls() {
    local name=$1 root="$RIG/$1"
    # shellcheck disable=SC2046 # words on purpose
    mdb_start "$name" "$(app_address "$name")" "$root/db" \
        --ssl-cert="$root/certs/server.pem" --ssl-key="$root/certs/server.key" \
        $(app_ring_opts "$(app_address "$name")") \
        || rig_fail "mariadbd $name did not start"
}

# Per table of SCHEMA, one line: name, row count, a content checksum
# (SUM of CRC32 over every column with NULL markers: order-independent and
# duplicates do not cancel out), and CHECKSUM TABLE -- the latter only for
# tables without generated columns: with a VIRTUAL column MariaDB 10.11's
# CHECKSUM TABLE depends on how rows were written, not only on their
# content (the same rows copied with INSERT ... SELECT on one server give
# another value), so there it is "-".
app_table_sums() {
    local name=$1 schema=${2:-hotspot} t cols gen sum
    for t in $(mdb_sql "$name" "SELECT table_name FROM information_schema.tables WHERE table_schema='$schema' AND table_type='BASE TABLE' ORDER BY table_name"); do
        cols=$(mdb_sql "$name" "SET SESSION group_concat_max_len = 1048576; SELECT GROUP_CONCAT(CONCAT('IFNULL(HEX(\`', column_name, '\`),''\\\\N'')') ORDER BY ordinal_position SEPARATOR ',') FROM information_schema.columns WHERE table_schema='$schema' AND table_name='$t'")
        gen=$(mdb_sql "$name" "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema='$schema' AND table_name='$t' AND extra LIKE '%GENERATED%'")
        sum=-
        [ "$gen" -eq 0 ] && sum=$(mdb_sql "$name" "CHECKSUM TABLE \`$schema\`.\`$t\`" | awk '{print $2}')
        printf '%s %s %s\n' "$t" \
            "$(mdb_sql "$name" "SELECT COUNT(*), IFNULL(SUM(CRC32(CONCAT_WS('|', $cols))), 0) FROM \`$schema\`.\`$t\`" | tr '\t' ' ')" \
            "$sum"
    done
}

# Every object of SCHEMA, one line each, sorted: kind, name and its
# definition as SHOW CREATE gives it (tables, views, sequences with their
# next value, triggers, procedures, functions, events; with the sql_mode
# and time zone they run with). Compared between two systems it proves
# that nothing of the schema vanished or changed. Only the AUTO_INCREMENT=
# counter of a table is left out: it is state, not definition (and InnoDB
# rounds it per server settings). DEFINER stays: who an object runs as is
# part of it.
app_objects() { _app_objects "$@" 2>&1 | LC_ALL=C sort; }
_app_objects() {
    local name=$1 schema=${2:-hotspot} type t kind q
    q=$(printf "'%s'" "$schema")
    while IFS=$'\t' read -r type t; do
        case $type in
        "BASE TABLE")
            printf 'table %s\t%s\n' "$t" "$(mdb_sql "$name" "SHOW CREATE TABLE \`$schema\`.\`$t\`" | cut -f2- |
                sed -E 's/ AUTO_INCREMENT=[0-9]+//')" ;;
        VIEW)
            printf 'view %s\t%s\n' "$t" "$(mdb_sql "$name" "SHOW CREATE VIEW \`$schema\`.\`$t\`" | cut -f2)" ;;
        SEQUENCE)
            printf 'sequence %s\t%s\tnext=%s\n' "$t" "$(mdb_sql "$name" "SHOW CREATE SEQUENCE \`$schema\`.\`$t\`" | cut -f2)" \
                "$(mdb_sql "$name" "SELECT next_not_cached_value FROM \`$schema\`.\`$t\`")" ;;
        *) printf 'unknown-table-type %s %s\n' "$type" "$t" ;;
        esac
    done < <(mdb_sql "$name" "SELECT TABLE_TYPE, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=$q")
    for t in $(mdb_sql "$name" "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=$q"); do
        printf 'trigger %s\t%s\n' "$t" "$(mdb_sql "$name" "SHOW CREATE TRIGGER \`$schema\`.\`$t\`" | cut -f2,3)"
    done
    while IFS=$'\t' read -r kind t; do
        [ -n "$kind" ] || continue
        printf '%s %s\t%s\n' "${kind,,}" "$t" "$(mdb_sql "$name" "SHOW CREATE $kind \`$schema\`.\`$t\`" | cut -f2,3)"
    done < <(mdb_sql "$name" "SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA=$q")
    for t in $(mdb_sql "$name" "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA=$q"); do
        printf 'event %s\t%s\n' "$t" "$(mdb_sql "$name" "SHOW CREATE EVENT \`$schema\`.\`$t\`" | cut -f2,3,4)"
    done
}

# app_objects of two systems equal, or a check failure showing the
# difference: check_same_objects LABEL FILE_A FILE_B
check_same_objects() {
    local label=$1 a=$2 b=$3
    local kinds
    kinds=$(cut -d' ' -f1 "$a" | sort | uniq -c | awk '{printf "%s%d %s", (NR > 1 ? ", " : ""), $1, $2}')
    if cmp -s "$a" "$b"; then
        check "$label: every object and definition equal ($kinds)" true
    else
        diff "$a" "$b" | cut -c1-200 >&2
        check "$label: every object and definition equal ($kinds)" false
    fi
}
