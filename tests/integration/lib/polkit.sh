# Real polkitd (/usr/lib/polkit-1/polkitd) for the integration tests, on the
# rig's private system bus, WITHOUT touching the host's polkit configuration
# or user database.
#
# The whole test runs in a private mount namespace (pk_enter_ns re-runs the
# script under `unshare -m --propagation private`), in which pk_prepare
# bind-mounts over the host's paths:
#   /usr/share/polkit-1  <- $RIG/polkit/share: actions/ with only ferry's
#                           org.ferry.migration.policy, rules.d/ with
#                           Debian's 50-default.rules (if the host has it)
#   /etc/polkit-1        <- $RIG/polkit/etc: rules.d/ (empty until
#                           pk_install_rules)
#   /etc/passwd, /etc/group <- copies of the host's files plus the test
#                           identities below.
# Both daemons need the test users: polkitd resolves a subject's groups from
# the group database (isInGroup), and dbus-daemon refuses to connect a uid it
# cannot resolve (bus_policy_allow_unix_user looks up the uid's groups even
# for <allow user="*"/>). That is why the namespace covers the whole test
# (rig's dbus-daemon included) rather than polkitd alone. The callers are
# run with explicit ids (pk_as), so nothing needs to exist on the host.
#
# polkitd drops privileges to the user "polkitd", so everything mounted in is
# world-readable. polkitd watches both rules directories: files added to or
# removed from $PK_ETC_RULES are picked up live.
#
# Functions:
#   pk_preflight                exits 77 (loudly) when polkitd cannot run here
#   pk_enter_ns SCRIPT ARGS...  runs SCRIPT in a new private mount namespace
#                               (PK_IN_NS=1); returns its exit status
#   pk_prepare                  (after rig_init, inside the namespace) builds
#                               the tree under $RIG/polkit and bind-mounts it
#   pk_install_rules FILE NAME / pk_remove_rules NAME
#   pk_start / pk_stop          polkitd up (name owned) / down (name released)
#   pk_as UID CMD...            CMD with uid=gid=UID, no supplementary groups

PK_POLKITD=${PK_POLKITD:-/usr/lib/polkit-1/polkitd}
PK_GID_WEBPANEL=61000
PK_UID_PLAIN=61001 # ferrytest: no special group
PK_UID_WEB=61002   # ferryweb: member of group webpanel

pk_skip() {
    {
        echo "################################################################"
        echo "# SKIP (77): real polkitd cannot run here:"
        echo "#   $*"
        echo "################################################################"
    } >&2
    exit 77
}

pk_preflight() {
    [ "$(id -u)" = 0 ] || pk_skip "must run as root (mount namespace, bind mounts, setpriv, owning org.ferry.Migration1)"
    [ -x "$PK_POLKITD" ] || pk_skip "$PK_POLKITD not installed (Debian package polkitd)"
    local t
    for t in unshare setpriv mount gdbus busctl pkaction dbus-daemon; do
        command -v "$t" >/dev/null || pk_skip "tool '$t' not found"
    done
    getent passwd polkitd >/dev/null || pk_skip "no user 'polkitd' (polkitd drops privileges to it)"
    [ -d /usr/share/polkit-1 ] && [ -d /etc/polkit-1 ] ||
        pk_skip "/usr/share/polkit-1 or /etc/polkit-1 missing (bind-mount targets)"
    unshare -m --propagation private sh -c 'mount --bind /etc/group /etc/passwd' 2>/dev/null ||
        pk_skip "cannot create a private mount namespace with bind mounts (no CAP_SYS_ADMIN? seccomp?)"
}

pk_enter_ns() {
    local script=$1; shift
    PK_IN_NS=1 PK_HOST_MNTNS=$(readlink /proc/self/ns/mnt) \
        unshare -m --propagation private bash "$script" "$@"
}

pk_prepare() {
    [ -n "${PK_IN_NS:-}" ] && [ "$(readlink /proc/self/ns/mnt)" != "${PK_HOST_MNTNS:-}" ] ||
        rig_fail "pk_prepare outside a private mount namespace: refusing to bind-mount over the host's files"
    PK_DIR="$RIG/polkit"
    PK_SHARE="$PK_DIR/share"
    PK_ETC="$PK_DIR/etc"
    PK_ETC_RULES="$PK_ETC/rules.d"
    mkdir -p "$PK_SHARE/actions" "$PK_SHARE/rules.d" "$PK_ETC_RULES"
    install -m 0644 "$SRC/polkit/org.ferry.migration.policy" "$PK_SHARE/actions/"
    # Debian's default rules (admin = group sudo), for a stock-like setup.
    # uid 0 is authorized by polkitd itself (and ferryd does not even ask).
    if [ -r /usr/share/polkit-1/rules.d/50-default.rules ]; then
        install -m 0644 /usr/share/polkit-1/rules.d/50-default.rules "$PK_SHARE/rules.d/"
    fi
    if [ -r /usr/share/polkit-1/policyconfig-1.dtd ]; then
        install -m 0644 /usr/share/polkit-1/policyconfig-1.dtd "$PK_SHARE/"
    fi

    # User database copies: host entries minus anything clashing with the
    # test identities, plus the test identities.
    local clash="^(ferrytest|ferryweb|webpanel):|^[^:]*:[^:]*:(61000|61001|61002):"
    grep -Ev "$clash" /etc/passwd >"$PK_DIR/passwd"
    cat >>"$PK_DIR/passwd" <<EOF
ferrytest:x:$PK_UID_PLAIN:$PK_UID_PLAIN:ferry polkit test (plain):/nonexistent:/usr/sbin/nologin
ferryweb:x:$PK_UID_WEB:$PK_UID_WEB:ferry polkit test (webpanel):/nonexistent:/usr/sbin/nologin
EOF
    grep -Ev "$clash" /etc/group >"$PK_DIR/group"
    cat >>"$PK_DIR/group" <<EOF
ferrytest:x:$PK_UID_PLAIN:
ferryweb:x:$PK_UID_WEB:
webpanel:x:$PK_GID_WEBPANEL:ferryweb
EOF
    chmod 0755 "$PK_DIR" "$PK_SHARE" "$PK_SHARE/actions" "$PK_SHARE/rules.d" "$PK_ETC" "$PK_ETC_RULES"
    chmod 0644 "$PK_DIR/passwd" "$PK_DIR/group"

    mount --bind "$PK_SHARE" /usr/share/polkit-1 &&
        mount --bind "$PK_ETC" /etc/polkit-1 &&
        mount --bind "$PK_DIR/passwd" /etc/passwd &&
        mount --bind "$PK_DIR/group" /etc/group ||
        pk_skip "bind mounts in the private mount namespace failed"
    [ "$(getent group webpanel | cut -d: -f4)" = ferryweb ] ||
        rig_fail "test group database not in effect: $(getent group webpanel)"
}

pk_install_rules() {
    local file=$1 name=$2
    install -m 0644 "$file" "$PK_ETC_RULES/.$name.tmp" # polkitd loads only *.rules
    mv -f "$PK_ETC_RULES/.$name.tmp" "$PK_ETC_RULES/$name"
}

pk_remove_rules() { rm -f "$PK_ETC_RULES/$1"; }

# Starts polkitd (PK_PID), waits until it owns org.freedesktop.PolicyKit1.
pk_start() {
    "$PK_POLKITD" >>"$RIG/polkitd.log" 2>&1 &
    PK_PID=$!
    RIG_PIDS+=("$PK_PID")
    pk_up_or_dead() {
        busctl --system status org.freedesktop.PolicyKit1 --no-pager || ! kill -0 "$PK_PID"
    }
    rig_wait_for 15 pk_up_or_dead
    if ! busctl --system status org.freedesktop.PolicyKit1 --no-pager >/dev/null 2>&1; then
        if ! kill -0 "$PK_PID" 2>/dev/null; then
            sed 's/^/    polkitd.log: /' "$RIG/polkitd.log" >&2
            pk_skip "polkitd exited at once (log above)"
        fi
        rig_fail "polkitd (pid $PK_PID) runs but did not take org.freedesktop.PolicyKit1 in 15 s"
    fi
    rig_log "polkitd running as pid $PK_PID"
}

pk_stop() {
    kill "$PK_PID" 2>/dev/null
    wait "$PK_PID" 2>/dev/null
    local keep=() p
    for p in "${RIG_PIDS[@]}"; do [ "$p" = "$PK_PID" ] || keep+=("$p"); done
    RIG_PIDS=("${keep[@]}")
    rig_wait_for 10 sh -c '! busctl --system status org.freedesktop.PolicyKit1 --no-pager' ||
        rig_fail "org.freedesktop.PolicyKit1 still owned after polkitd stopped"
    rig_log "polkitd stopped"
}

pk_as() {
    local uid=$1; shift
    setpriv --reuid="$uid" --regid="$uid" --clear-groups env HOME=/nonexistent "$@"
}
