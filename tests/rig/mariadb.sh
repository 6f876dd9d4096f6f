# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Private mariadbd instances for tests, benchmarks and the demo. Sourceable
# bash library; nothing here touches the host's MariaDB (no defaults files
# are read, every path is under the DIR given to mdb_start).
#
#   source tests/rig/mariadb.sh
#   trap mdb_kill_all EXIT          # or call mdb_kill_all from your own trap
#   mdb_start src 127.0.0.2 /tmp/x/src [extra mariadbd options...]
#   mdb_sql src "SELECT 1"          # through the socket, as root
#   mdb_stop src
#
# Functions:
#   mdb_start NAME ADDRESS DIR [OPTS...]
#       mariadb-install-db into DIR/data when DIR/data/mysql is missing, then
#       mariadbd bound to ADDRESS:3306 (ADDRESS must be in 127.0.0.0/8) with
#       its own socket DIR/mysqld.sock, pid file DIR/mysqld.pid, error log
#       DIR/mysqld.log, server_id, log_bin (ROW) and local_infile=ON.
#       Runs as root with --user=root when started by root, else as the
#       calling user. Waits (bounded, MDB_START_TIMEOUT seconds, default 60)
#       until `mariadb-admin ping` answers; fails at once when mariadbd dies.
#       Anonymous accounts (made by mariadb-install-db) are dropped.
#       Sets MDB_PID[NAME], MDB_DIR[NAME], MDB_ADDR[NAME], MDB_SOCK[NAME].
#       Environment: MDB_SERVER_ID (default: from ADDRESS), MDB_PORT (3306),
#       MDB_BUFFER_POOL (default 256M).
#   mdb_stop NAME            clean shutdown (bounded), kill -9 if it hangs
#   mdb_kill NAME            kill -9 (crash simulation); keeps DIR
#   mdb_kill_all             kill every instance started here (EXIT traps)
#   mdb_sql NAME SQL [CLIENT OPTS...]   batch output, no column names
#   mdb_client NAME [CLIENT OPTS...]    the mariadb client on NAME's socket
#   mdb_drop_anonymous NAME  DROP USER for every account with an empty name
#   mdb_address_free ADDRESS true when nothing listens on ADDRESS:3306
#   mdb_pick_address PREFERRED...  prints the first free address among the
#                            preferred ones, else a free 127.0.x.y
#
# Every instance's PID is in MDB_PIDS (array) so a test's EXIT trap can end
# them even when it does not know their names.

# shellcheck disable=SC2034 # MDB_DIR, MDB_ADDR: for the callers
declare -gA MDB_PID MDB_DIR MDB_ADDR MDB_SOCK
declare -ga MDB_PIDS
MDB_PIDS=("${MDB_PIDS[@]}")

mdb_log() { printf '[mdb %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

_mdb_check_address() {
    local a=$1
    if ! [[ "$a" =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]]; then
        mdb_log "refusing address '$a': tests may only use 127.0.0.0/8"
        return 1
    fi
    local o
    for o in "${BASH_REMATCH[@]:1}"; do
        ((o <= 255)) || { mdb_log "bad address '$a'"; return 1; }
    done
}

mdb_address_free() {
    local a=$1 port=${MDB_PORT:-3306}
    # A connect that succeeds means someone listens there.
    ! timeout 2 bash -c "exec 3<>/dev/tcp/$a/$port" 2>/dev/null
}

mdb_pick_address() {
    local a i
    for a in "$@"; do
        mdb_address_free "$a" && { echo "$a"; return 0; }
        mdb_log "$a:${MDB_PORT:-3306} is in use (another test?)"
    done
    for i in $(seq 20 250); do
        a="127.0.$((RANDOM % 200 + 20)).$i"
        mdb_address_free "$a" && { echo "$a"; return 0; }
    done
    return 1
}

mdb_client() {
    local name=$1; shift
    local sock=${MDB_SOCK[$name]:-}
    [ -n "$sock" ] || { mdb_log "no instance '$name'"; return 1; }
    mariadb --no-defaults --socket="$sock" -uroot "$@"
}

mdb_sql() {
    local name=$1 sql=$2; shift 2
    mdb_client "$name" -N -B "$@" -e "$sql"
}

mdb_drop_anonymous() {
    local name=$1 hosts h
    hosts=$(mdb_sql "$name" "SELECT Host FROM mysql.user WHERE User=''") || return 1
    # Not logged: a set-up step is no change a replica should repeat (and
    # a node of a ring would send it round).
    for h in $hosts; do
        mdb_sql "$name" "SET SESSION sql_log_bin=0; DROP USER ''@'$h'" || return 1
    done
    # Belt and braces: the PROXY / global_priv rows of the anonymous user.
    mdb_sql "$name" "SET SESSION sql_log_bin=0; FLUSH PRIVILEGES" || return 1
    [ "$(mdb_sql "$name" "SELECT COUNT(*) FROM mysql.user WHERE User=''")" = 0 ]
}

mdb_start() {
    if [ $# -lt 3 ]; then
        mdb_log "usage: mdb_start NAME ADDRESS DIR [mariadbd options...]"
        return 2
    fi
    local name=$1 addr=$2 dir=$3; shift 3
    local port=${MDB_PORT:-3306}
    _mdb_check_address "$addr" || return 1
    if [ -n "${MDB_PID[$name]:-}" ] && kill -0 "${MDB_PID[$name]}" 2>/dev/null; then
        mdb_log "instance '$name' already runs (pid ${MDB_PID[$name]})"
        return 1
    fi
    if ! mdb_address_free "$addr"; then
        mdb_log "$addr:$port is already in use"
        return 1
    fi
    mkdir -p "$dir/tmp" || return 1
    dir=$(cd "$dir" && pwd) || return 1
    local sock="$dir/mysqld.sock"
    # sun_path is 108 bytes.
    if [ ${#sock} -gt 100 ]; then
        mdb_log "socket path too long: $sock"
        return 1
    fi

    local -a as_user=()
    if [ "$(id -u)" = 0 ]; then
        as_user=(--user=root)
    fi

    if [ ! -d "$dir/data/mysql" ]; then
        rm -rf "$dir/data"
        if ! mariadb-install-db --no-defaults --datadir="$dir/data" "${as_user[@]}" \
            --auth-root-authentication-method=socket --skip-test-db \
            --skip-name-resolve >"$dir/install.log" 2>&1; then
            mdb_log "mariadb-install-db failed for '$name':"
            tail -n 20 "$dir/install.log" >&2
            return 1
        fi
    fi

    local server_id=${MDB_SERVER_ID:-}
    if [ -z "$server_id" ]; then
        local o2 o3 o4
        IFS=. read -r _ o2 o3 o4 <<<"$addr"
        server_id=$(( (o2 << 16) + (o3 << 8) + o4 ))
    fi

    rm -f "$sock" "$dir/mysqld.pid"
    mariadbd --no-defaults "${as_user[@]}" \
        --datadir="$dir/data" \
        --tmpdir="$dir/tmp" \
        --socket="$sock" \
        --pid-file="$dir/mysqld.pid" \
        --log-error="$dir/mysqld.log" \
        --bind-address="$addr" --port="$port" \
        --skip-name-resolve \
        --server-id="$server_id" \
        --log-bin=binlog --binlog-format=ROW \
        --local-infile=ON \
        --secure-file-priv="$dir" \
        --innodb-buffer-pool-size="${MDB_BUFFER_POOL:-256M}" \
        --max-allowed-packet=64M \
        "$@" >>"$dir/mysqld.out" 2>&1 &
    local pid=$!
    MDB_PID[$name]=$pid
    MDB_DIR[$name]=$dir
    MDB_ADDR[$name]=$addr
    MDB_SOCK[$name]=$sock
    MDB_PIDS+=("$pid")

    local deadline=$(( SECONDS + ${MDB_START_TIMEOUT:-60} ))
    until mariadb-admin --no-defaults --socket="$sock" -uroot \
        --connect-timeout=2 ping >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null; then
            mdb_log "mariadbd '$name' died during start:"
            tail -n 30 "$dir/mysqld.log" >&2
            MDB_PID[$name]=
            return 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            mdb_log "mariadbd '$name' did not answer within ${MDB_START_TIMEOUT:-60}s:"
            tail -n 30 "$dir/mysqld.log" >&2
            kill -9 "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            MDB_PID[$name]=
            return 1
        fi
        sleep 0.1
    done
    mdb_drop_anonymous "$name" || { mdb_log "could not drop anonymous accounts on '$name'"; return 1; }
    mdb_log "'$name' up: $addr:$port, socket $sock, pid $pid, server_id $server_id"
}

mdb_stop() {
    local name=$1
    local pid=${MDB_PID[$name]:-}
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        timeout 60 mariadb-admin --no-defaults --socket="${MDB_SOCK[$name]}" -uroot \
            --connect-timeout=2 shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null
        local i
        for ((i = 0; i < 600; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            mdb_log "'$name' (pid $pid) did not stop in 60s: kill -9"
            kill -9 "$pid" 2>/dev/null
        fi
    fi
    wait "$pid" 2>/dev/null
    MDB_PID[$name]=
    return 0
}

mdb_kill() {
    local name=$1
    local pid=${MDB_PID[$name]:-}
    [ -n "$pid" ] || return 0
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    MDB_PID[$name]=
}

mdb_kill_all() {
    local pid
    for pid in "${MDB_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    local i alive
    for ((i = 0; i < 300; i++)); do
        alive=
        for pid in "${MDB_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.1
    done
    for pid in "${MDB_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
    for pid in "${MDB_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    MDB_PIDS=()
    local n
    for n in "${!MDB_PID[@]}"; do MDB_PID[$n]=; done
}
