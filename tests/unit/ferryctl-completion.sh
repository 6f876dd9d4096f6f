#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ferryctl-completion.sh FERRYCTL COMPLETION_FILE
#
# The bash completion (shell-completion/bash/ferryctl) against the real
# ferryctl's parser, so the two cannot drift apart:
#   - the verbs offered are exactly the commands of `ferryctl --help`;
#   - every option of --help is offered somewhere;
#   - for every verb, each option the completion offers is accepted by
#     ferryctl for that verb, and each verb option it does not offer is
#     refused as a usage error (exit 2);
#   - the values offered for --json= and --swap= are the ones ferryctl takes;
#   - --json=/--swap= split at '=' as bash does (COMP_WORDBREAKS).
# ferryctl runs with an unreachable system bus: a call that passes the
# parser ends with exit 4 (ferryd not reachable), a refused one with 2.
# Exit 0 pass, 1 fail.

set -u
[ $# -eq 2 ] || { echo "usage: $0 FERRYCTL COMPLETION_FILE" >&2; exit 2; }
FERRYCTL=$1
# shellcheck source=/dev/null
. "$2" || { echo "not ok: $2 does not load"; exit 1; }
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/ferry-test-bus
export LC_ALL=C.UTF-8 LANGUAGE=

N=0 FAILED=0
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    N=$((N + 1))
    if "$@"; then echo "ok $N - $what"; else echo "not ok $N - $what"; FAILED=$((FAILED + 1)); fi
}

# complete WORD... : COMPREPLY for the command line "ferryctl WORD..." with
# the cursor at the end of the last word, split as bash splits it.
complete_line() {
    local line="ferryctl $*"
    # bash breaks words at '=' too: "--json=p" is "--json" "=" "p".
    line=${line//=/ = }
    read -r -a COMP_WORDS <<< "$line"
    [[ $* == *' ' || $# -eq 0 || ${!#} == '' ]] && COMP_WORDS+=('')
    [[ $* == *= ]] && COMP_WORDS+=('')
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _ferryctl
    printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# ferryctl's exit status for ARGS...: 2 = refused by the parser.
status_of() {
    local pw
    pw=$(mktemp)
    echo x > "$pw"
    timeout 20 "$FERRYCTL" --no-ask-password "${@//@PW@/$pw}" > /dev/null 2>&1
    local rc=$?
    rm -f "$pw"
    return $rc
}
accepted() { status_of "$@"; [ $? -ne 2 ]; }
refused() { status_of "$@"; [ $? -eq 2 ]; }

HELP=$("$FERRYCTL" --help)
HELP_VERBS=$(sed -n '/^Commands:/,/^Options:/p' <<< "$HELP" | awk 'NR > 1 && $1 ~ /^[a-z]+$/ { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')
OFFERED_VERBS=$(complete_line '' | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
check "the verbs offered are --help's commands ($OFFERED_VERBS)" [ "$HELP_VERBS" = "$OFFERED_VERBS" ]
check "the verbs: at least the ten of ferryctl(1)" [ "$(wc -w <<< "$HELP_VERBS")" -ge 10 ]

# Every option --help names, offered for some verb or globally.
ALL_OFFERED=' '
for v in $HELP_VERBS; do
    ALL_OFFERED+="$(complete_line "$v" -) "
done
for o in $(grep -o -- '--[a-z][a-z-]*' <<< "$HELP" | sort -u); do
    check "--help's $o is offered" grep -q -- " $o[= ]" <<< "$ALL_OFFERED "
done

# A valid command line for VERB with option OPT.
args_for() { # args_for VERB OPT
    local verb=$1 opt=$2 value=''
    case $opt in
        --password-file=) value=@PW@ ;;
        --fingerprint=) value=SHA256:AAAA ;;
        --since=) value=1 ;;
        --reconnect-timeout=) value=1 ;;
        --json=) value=short ;;
        --swap= | --license= | --logs=) value=yes ;;
    esac
    local pos=()
    [ "$verb" = probe ] && pos=(127.0.0.1)
    [ "$verb" = start ] && [ "$opt" != --yes ] && [ "$opt" != -y ] && pos+=(--yes)
    echo "$verb ${pos[*]} $opt$value"
}

VERB_OPTIONS=$(for v in $HELP_VERBS; do __ferryctl_verb_options "$v"; echo; done | tr ' ' '\n' | grep -- '^-' | sort -u)
for v in $HELP_VERBS; do
    offered=" $(complete_line "$v" -) "
    for o in $VERB_OPTIONS; do
        # shellcheck disable=SC2046
        if [[ $offered == *" $o "* ]]; then
            check "$v: offered $o is accepted" accepted $(args_for "$v" "$o")
        elif [[ $o != -y ]]; then
            check "$v: $o not offered, and refused" refused $(args_for "$v" "$o")
        fi
    done
done

# Values, as bash splits "--json=" into "--json" "=".
check "--json= offers pretty short off" [ "$(complete_line --json=)" = "off pretty short" ]
for j in pretty short off; do
    check "--json=$j is accepted" accepted --json=$j status
done
check "--json=s completes to short" [ "$(complete_line --json=s)" = "short" ]
check "plan --swap= offers yes no" [ "$(complete_line plan --swap=)" = "no yes" ]
check "plan --swap=no is accepted" accepted plan --swap=no
check "plan --swap=maybe is refused" refused plan --swap=maybe
check "after an option, the verb is still found (--json plan --s...)" \
    [ "$(complete_line --json plan --s)" = "--swap --swap=" ]
check "after --password-file PATH, the verb is still found" \
    grep -q -- ' --fingerprint= ' <<< " $(complete_line --password-file /dev/null probe 127.0.0.1 --f) "
check "a verb is not offered twice (plan <TAB>)" [ -z "$(complete_line plan '')" ]

echo "1..$N"
[ "$FAILED" -eq 0 ] || { echo "$FAILED of $N checks failed"; exit 1; }
