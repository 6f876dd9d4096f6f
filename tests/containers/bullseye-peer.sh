#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bullseye-peer.sh SOURCE_ROOT BUILD_DIR
#
# The older source system (docs/packaging.md, "Debian 11"): a booted Debian
# 11 appliance (systemd 247, MariaDB 10.5; root.sh with
# FERRY_CT_SUITE=bullseye) with ferry-peer installed from the bullseye
# package (tools/debs-bullseye, built in a cached bullseye build root),
# installed with apt from the .deb as an image build would. Checks that
# the package installs with bullseye's libraries, that the socket starts
# ferry-peer, that it answers its API over TLS with the appliance's
# certificate (login, describe, db-account on MariaDB 10.5 and a TLS login
# with that account, db-objects, finish), the redirect on port 80, and
# that bullseye's lintian finds no error or unexplained warning in the
# package.
#
# FERRY_CT_DEBS_BULLSEYE=DIR: use the ferry-peer_*.deb of DIR instead of
# running tools/debs-bullseye into BUILD_DIR/debs-bullseye.
# FERRY_CT_BULLSEYE=0: skip (77) without building anything; the package
# build costs 3-11 minutes after every change of the tree (docs/containers.md).
# Exit 0 pass, 1 fail, 77 skip (nspawn/debootstrap cannot work here, or
# FERRY_CT_BULLSEYE=0).
set -uo pipefail
if [ "${FERRY_CT_BULLSEYE:-1}" = 0 ]; then
    echo "SKIP (77): FERRY_CT_BULLSEYE=0: the Debian 11 ferry-peer is not built or tested" >&2
    exit 77
fi
export FERRY_CT_SUITE=bullseye
source "$(dirname "$(realpath "$0")")/lib.sh"

# Instead of lib.sh's: the bullseye ferry-peer package only (the source
# runs no ferryd; ct_install_ferry installs CT_DEBS with apt).
ct_stage_ferry() {
    local t0=$SECONDS
    if [ -z "${FERRY_CT_DEBS_BULLSEYE:-}" ]; then
        FERRY_CT_DEBS_BULLSEYE=$BUILD/debs-bullseye
        "$SRC/tools/debs-bullseye" "$FERRY_CT_DEBS_BULLSEYE" || ct_fail "tools/debs-bullseye could not build ferry-peer"
    fi
    FERRY_CT_DEBS=$(realpath "$FERRY_CT_DEBS_BULLSEYE")
    CT_DEBS=("$(ls "$FERRY_CT_DEBS"/ferry-peer_*.deb 2>/dev/null | sort -V | tail -n 1)")
    [ -f "${CT_DEBS[0]}" ] || ct_fail "no ferry-peer_*.deb in $FERRY_CT_DEBS"
    ct_log "ferry: $(basename "${CT_DEBS[0]}") from $FERRY_CT_DEBS (built or checked in $((SECONDS - t0)) s)"
}
ct_main "$0" "$@"

S=source
ct_net_up
ct_create $S source "$CT_SOURCE_ADDR"
M=$(ct_file $S /)

check "package installed: ferry-peer $(chroot "$M" dpkg-query -W -f '${Version} ${Status}' ferry-peer)" \
    sh -c "chroot '$M' dpkg-query -W -f '\${Status}' ferry-peer | grep -q 'install ok installed'"
check "package version ends in ~deb11" sh -c "chroot '$M' dpkg-query -W -f '\${Version}' ferry-peer | grep -q '~deb11\$'"
check "ferry.conf is the package's conffile" \
    sh -c "chroot '$M' dpkg-query -W -f '\${Conffiles}' ferry-peer | grep -q '/etc/ferry/ferry.conf'"

# The Admin password: its hash made by the bullseye binary itself.
CT_PASSWORD="Adm1n-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$CT_PASSWORD" > "$CT_DIR/password"
chmod 600 "$CT_DIR/password"
chroot "$M" /usr/libexec/ferry/ferry-peer --hash-password < "$CT_DIR/password" > "$M/etc/ferry/admin-password.hash" ||
    ct_fail "the bullseye ferry-peer --hash-password failed"
chmod 600 "$M/etc/ferry/admin-password.hash"
printf '\n[Peer]\nAdminPasswordHash=/etc/ferry/admin-password.hash\nCertificate=/etc/hotspot/certs/server.pem\nKey=/etc/hotspot/certs/server.key\n' \
    >> "$M/etc/ferry/ferry.conf"
python3 -c 'import json,sys; print(json.dumps({"password": open(sys.argv[1]).read()}))' "$CT_DIR/password" \
    > "$M/root/login.json"
chmod 600 "$M/root/login.json"

ct_boot $S
ct_wait_booted $S
ct_wait_mariadb $S
version=$(mdb_sql $S "SELECT VERSION()")
check "source MariaDB is 10.5 ($version)" [ "${version#10.5.}" != "$version" ]
sdver=$(ct_exec $S systemctl --version | head -n 1)
check "source systemd is 247 ($sdver)" [ "${sdver#systemd 247}" != "$sdver" ]
mdb_sql $S "CREATE DATABASE hotspot; CREATE TABLE hotspot.users (id INT PRIMARY KEY, name VARCHAR(40))
    DEFAULT CHARSET=utf8mb4; INSERT INTO hotspot.users VALUES (1, 'a'), (2, 'b');
    CREATE VIEW hotspot.v_users AS SELECT name FROM hotspot.users;" || ct_fail "schema on the source"

check "ferry-peer.socket listening" [ "$(ct_unit $S ferry-peer.socket ActiveState)" = active ]
check "ferry-peer.service not started before the first connection" \
    [ "$(ct_unit $S ferry-peer.service ActiveState)" = inactive ]

# --- the API over TLS, verified against the appliance's certificate ---------
api() { # METHOD PATH [curl args...]: prints the body, then the HTTP status
    local method=$1 path=$2; shift 2
    ct_exec $S curl -sS --max-time 20 --cacert /etc/hotspot/certs/server.pem \
        --resolve source.example.test:443:127.0.0.1 -X "$method" -w '\n%{http_code}' "$@" \
        "https://source.example.test/ferry/v1/$path"
}
# The JSON body (without the status line) of api's output, then a Python
# subscript of it: jget '["token"]'.
jget() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read().rstrip("\n").rsplit("\n",1)[0]); print(eval("d"+sys.argv[1]))' "$1"; }
status() { tail -n 1; }

out=$(api POST login -H 'Content-Type: application/json' --data @/root/login.json)
check "login over TLS: 200 (got $(status <<<"$out"))" [ "$(status <<<"$out")" = 200 ]
TOKEN=$(jget '["token"]' <<<"$out" 2>/dev/null)
check "login: a token, protocol 3" [ ${#TOKEN} -eq 64 ] && [ "$(jget '["protocol"]' <<<"$out")" = 3 ]
check "ferry-peer.service started by its socket" [ "$(ct_unit $S ferry-peer.service ActiveState)" = active ]
printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" > "$M/root/bearer.curl"
chmod 600 "$M/root/bearer.curl"
auth=(-K /root/bearer.curl)

out=$(api GET describe "${auth[@]}")
check "describe: 200" [ "$(status <<<"$out")" = 200 ]
check "describe: host_name source" [ "$(jget '["host_name"]' <<<"$out")" = source ]
check "describe: mariadb_version 10.5 ($(jget '["mariadb_version"]' <<<"$out"))" \
    sh -c "case '$(jget '["mariadb_version"]' <<<"$out")' in 10.5.*) exit 0;; esac; exit 1"
check "describe: binary log on (replication answered)" [ "$(jget '["replication"]["log_bin"]' <<<"$out")" = True ]

out=$(api POST db-account "${auth[@]}" -H 'Content-Type: application/json' --data '{"target_address": "127.0.0.1"}')
check "db-account on MariaDB 10.5: 200 (got $(status <<<"$out"))" [ "$(status <<<"$out")" = 200 ]
user=$(jget '["user"]' <<<"$out" 2>/dev/null)
pin=$(jget '["tls_certificate"]["sha256"]' <<<"$out" 2>/dev/null)
want=$(openssl x509 -in "$M/etc/hotspot/certs/server.pem" -outform DER | sha256sum | cut -c1-64)
check "db-account: the pinned certificate is MariaDB's ($pin)" [ "$pin" = "$want" ]
printf '[client]\nuser=%s\npassword=%s\n' "$user" "$(jget '["password"]' <<<"$out")" > "$M/root/account.cnf"
chmod 600 "$M/root/account.cnf"
got=$(ct_exec $S mariadb --defaults-extra-file=/root/account.cnf -h 127.0.0.1 --ssl -N -B \
    -e "SELECT COUNT(*) FROM hotspot.users; SHOW STATUS LIKE 'Ssl_version'" 2>&1)
check "the temporary account reads the data over TLS ($(echo $got))" \
    sh -c "printf '%s\n' '$got' | head -n 1 | grep -qx 2 && printf '%s\n' '$got' | grep -q TLS"
rm -f "$M/root/account.cnf"

out=$(api GET db-objects "${auth[@]}")
check "db-objects: 200, the table and the view" \
    sh -c "[ '$(status <<<"$out")' = 200 ] && [ '$(jget '["objects"].__len__()' <<<"$out")' = 2 ]"
out=$(api POST finish "${auth[@]}")
check "finish: 200" [ "$(status <<<"$out")" = 200 ]
check "finish: temporary account dropped" [ -z "$(mdb_sql $S "SELECT user FROM mysql.user WHERE user LIKE 'ferry%'")" ]
out=$(api GET describe "${auth[@]}")
check "after finish the token is revoked (401)" [ "$(status <<<"$out")" = 401 ]
code=$(ct_exec $S curl -s -o /dev/null --max-time 10 -w '%{http_code} %{redirect_url}' http://127.0.0.1/ferry/v1/describe)
check "port 80 redirects to https ($code)" sh -c "case '$code' in 30[178]' https://'*) exit 0;; esac; exit 1"

# --- the unit on systemd 247 -------------------------------------------------
ct_journal $S -b -u ferry-peer.service -u ferry-peer.socket -o cat > "$CT_DIR/peer-journal.txt"
check "no failure of ferry-peer's units in the journal" \
    sh -c "! grep -E -q 'Failed with result|failed' '$CT_DIR/peer-journal.txt'"
# Unit settings newer than systemd 247 are ignored with a warning, logged
# while the units load at boot, before journald runs: on the console.
sed 's/\x1b\[[0-9;]*m//g' "$CT_DIR/$S/console.log" | grep -a -o "ferry[^ ]*: Unknown key name '[A-Za-z]*'" |
    sed 's/:[0-9]*: Unknown key name//' | sort -u > "$CT_DIR/unknown-keys.txt"
[ -s "$CT_DIR/unknown-keys.txt" ] &&
    ct_log "NOTE: systemd 247 ignores these unit settings: $(tr '\n' ' ' < "$CT_DIR/unknown-keys.txt")"
check "systemd 247 ignores only PrivateIPC= of ferry's units (248; docs/packaging.md)" \
    sh -c "! grep -v \"'PrivateIPC'\" '$CT_DIR/unknown-keys.txt' | grep -q ."

# --- lintian from bullseye ----------------------------------------------------
# shellcheck source=tools/bullseye-root.sh
source "$SRC/tools/bullseye-root.sh"
changes=$(ls "$FERRY_CT_DEBS"/ferry_*.changes | head -n 1)
systemd-nspawn --quiet --register=no --keep-unit --as-pid2 --directory="$(bb_root)" --read-only \
    --private-network --resolv-conf=off --timezone=off --tmpfs=/tmp --setenv=HOME=/tmp \
    --bind-ro="$FERRY_CT_DEBS:/mnt" lintian --display-info --pedantic --tag-display-limit 0 \
    "/mnt/$(basename "$changes")" > "$CT_DIR/lintian.txt" 2>&1
cat "$CT_DIR/lintian.txt" >&2
echo "FERRY_LINTIAN bullseye $(basename "$changes"): $(grep -c '^E: ' "$CT_DIR/lintian.txt") error(s)," \
    "$(grep -c '^W: ' "$CT_DIR/lintian.txt") warning(s), $(grep -c '^I: ' "$CT_DIR/lintian.txt") info," \
    "$(grep -c '^P: ' "$CT_DIR/lintian.txt") pedantic" >&2
check "lintian (bullseye): no error" sh -c "! grep -q '^E: ' '$CT_DIR/lintian.txt'"
for tag in $(awk '/^W: / { print $3 }' "$CT_DIR/lintian.txt" | sort -u); do
    check "lintian (bullseye): warning $tag is explained in docs/packaging.md" grep -q -- "$tag" "$SRC/docs/packaging.md"
done

grep -rqaF -e "$CT_PASSWORD" "$CT_DIR/$S/upper/var/log" 2>/dev/null; rc=$?
check "the password is not in the source's journal (grep exit $rc)" [ $rc -eq 1 ]

[ $CT_FAILS -eq 0 ] || ct_fail "$CT_FAILS check(s) failed"
ct_log "PASS: ferry-peer from the bullseye package runs on Debian 11 with MariaDB 10.5"
