#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# kill -9 of the journal writer at random moments (brief §4: "a kill -9 ...
# at any instant ends with ... never with half-applied data").
#
#   journal-kill.sh SOURCE_ROOT BUILD_DIR
#
# BUILD_DIR/tests/integration/journal-stress (journal_stress.cpp) saves a
# job journal in a loop with the real local::JournalStore::save: jobs built
# with core::new_job from core::build_plan, operations walked through their
# states, checkpoints growing up to ~100 KB, events appended, and every save
# stamped with a generation number. This script starts it, SIGKILLs it after
# a random delay of 0-30 ms (longer when its first save takes longer than
# 10 ms, as in a sanitizer build), and after each kill runs
# `journal-stress --check`, which does what ferryd does at start
# (JournalStore::prepare + JournalStore::load, the real parser) and checks
# that the journal is one whole save. Per kill:
#   - the journal parses, or is absent, and absent only before the first save;
#   - it is one whole save (its stamp and its checkpoint agree);
#   - no save is lost and none is in the future: with G the generation on
#     disk and C the last generation whose save() had returned (the writer
#     records it after each save), C <= G <= C+1, and G never goes down;
#   - the marker file, when present, is complete (a job id and a newline);
#   - leftover .tmp-* files are allowed, but --check (prepare()) removes them.
#
# Environment: FERRY_KILL_ITERATIONS (default 200), FERRY_KILL_SEED (default:
# random; printed, pass it back to repeat the same delays).
# Prints "journal-kill: N kills, R readable, C corrupt" (readable: --check
# passed, including "absent before the first save").
# Exit: 0 pass, 1 fail.

set -u
set -o pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2
    exit 1
fi
BUILD=$(cd "$2" && pwd) || exit 1
STRESS="$BUILD/tests/integration/journal-stress"

log() { printf 'journal-kill: %s\n' "$*" >&2; }
fail() {
    log "FAIL: $*"
    [ -n "${WORK:-}" ] && { KEEP=1; log "kept $WORK (journal, writer stderr)"; }
    exit 1
}

[ -x "$STRESS" ] || fail "$STRESS is not built (ninja -C $BUILD)"

ITERATIONS=${FERRY_KILL_ITERATIONS:-200}
[[ "$ITERATIONS" =~ ^[1-9][0-9]{0,5}$ ]] || fail "FERRY_KILL_ITERATIONS must be 1..999999"
SEED=${FERRY_KILL_SEED:-$(( ($(date +%s%N) / 1000) % 32768 ))}
[[ "$SEED" =~ ^[0-9]+$ ]] || fail "FERRY_KILL_SEED must be a number"
RANDOM=$SEED
log "seed $SEED, $ITERATIONS iterations (FERRY_KILL_SEED=$SEED FERRY_KILL_ITERATIONS=$ITERATIONS to repeat)"

WORK=$(mktemp -d /tmp/ferry-journal-kill.XXXXXX) || exit 1
KEEP=
WRITER=
cleanup() {
    local rc=$?
    if [ -n "$WRITER" ]; then
        kill -KILL "$WRITER" 2>/dev/null
        wait "$WRITER" 2>/dev/null
    fi
    [ -z "$KEEP" ] && rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
STATE="$WORK/state"
COUNTER="$WORK/saved-generation"

kills=0 readable=0 corrupt=0 absent=0 temps_seen=0 temps_cleaned=0 marker_seen=0
max_bytes=0 last_gen=0 seen_journal=0

temp_count() {
    local n=0 f
    for f in "$STATE"/.tmp-*; do [ -e "$f" ] && n=$((n + 1)); done
    echo "$n"
}

# The kill window: 0-30 ms, or three times the writer's first save when
# that is slower (a sanitizer build starts and saves several times slower;
# with a fixed 30 ms every kill could land before the first save, and the
# run would test nothing). Measured once, on a state directory of its own,
# by watching the counter the writer writes after each save.
window=30000
calibrate=$WORK/calibrate
mkdir -p "$calibrate"
: > "$COUNTER"
t0=$(date +%s%N)
"$STRESS" "$calibrate" --counter "$COUNTER" 2>>"$WORK/writer.err" &
WRITER=$!
w=0
while [ ! -s "$COUNTER" ] && [ $w -lt 10000 ]; do sleep 0.001; w=$((w + 1)); done
first_save=$(( ($(date +%s%N) - t0) / 1000 ))
kill -KILL "$WRITER" 2>/dev/null
wait "$WRITER" 2>/dev/null
WRITER=
rm -rf "$calibrate"
[ -s "$COUNTER" ] || fail "the writer completed no save within 10 s: $(tail -n 3 "$WORK/writer.err")"
[ $((3 * first_save)) -gt "$window" ] && window=$((3 * first_save))
log "first save after $((first_save / 1000)) ms; kills at 0-$((window / 1000)) ms"

for ((i = 1; i <= ITERATIONS; i++)); do
    : > "$COUNTER"
    "$STRESS" "$STATE" --counter "$COUNTER" 2>>"$WORK/writer.err" &
    WRITER=$!
    delay=$(( (RANDOM * 32768 + RANDOM) % (window + 1) ))   # microseconds
    sleep "$(printf '%d.%06d' $((delay / 1000000)) $((delay % 1000000)))"
    # The writer never stops by itself; if it did, it found something wrong.
    if ! kill -KILL "$WRITER" 2>/dev/null; then
        wait "$WRITER"; rc=$?
        WRITER=
        fail "iteration $i: the writer exited by itself (status $rc): $(tail -n 3 "$WORK/writer.err")"
    fi
    { wait "$WRITER"; rc=$?; } 2>/dev/null
    WRITER=
    [ "$rc" -eq 137 ] \
        || fail "iteration $i: the writer ended with status $rc, not by SIGKILL: $(tail -n 3 "$WORK/writer.err")"
    kills=$((kills + 1))
    saved=$(head -n 1 "$COUNTER" 2>/dev/null)

    temps=$(temp_count)
    [ "$temps" -gt 0 ] && temps_seen=$((temps_seen + 1))
    [ -f "$STATE/job.json" ] && cp -p "$STATE/job.json" "$WORK/last-journal.json"
    out=$("$STRESS" --check "$STATE"); rc=$?
    case $rc in
    0) ;;
    1|2)
        corrupt=$((corrupt + 1))
        mv "$STATE/job.json" "$WORK/corrupt-$i.json" 2>/dev/null
        log "iteration $i (kill after ${delay} us): $out (kept as corrupt-$i.json; the writer starts afresh)"
        seen_journal=0 last_gen=0
        continue ;;
    3) fail "iteration $i: --check left temporary files: $out" ;;
    *) fail "iteration $i: --check failed with status $rc: $out" ;;
    esac
    left=$(temp_count)
    [ "$left" -eq 0 ] || fail "iteration $i: $left .tmp-* files left after --check"
    [ "$temps" -gt 0 ] && temps_cleaned=$((temps_cleaned + 1))

    if [[ "$out" == absent* ]]; then
        [ "$seen_journal" -eq 0 ] \
            || fail "iteration $i: the journal disappeared (it existed at generation $last_gen)"
        absent=$((absent + 1)) readable=$((readable + 1))
        [ -z "$saved" ] || fail "iteration $i: save() of generation $saved returned but there is no journal"
        continue
    fi
    readable=$((readable + 1))
    seen_journal=1
    [[ "$out" =~ \ gen=([0-9]+)\ bytes=([0-9]+)\  ]] || fail "iteration $i: unexpected --check output: $out"
    gen=${BASH_REMATCH[1]} bytes=${BASH_REMATCH[2]}
    [ "$gen" -ge "$last_gen" ] || fail "iteration $i: the journal went back from generation $last_gen to $gen"
    if [ -n "$saved" ]; then
        [ "$gen" -ge "$saved" ] || fail "iteration $i: generation $saved was saved, the journal holds $gen (a save was lost)"
        [ "$gen" -le $((saved + 1)) ] || fail "iteration $i: the journal holds generation $gen, only $saved was saved"
    fi
    last_gen=$gen
    [ "$bytes" -gt "$max_bytes" ] && max_bytes=$bytes
    if [ -e "$STATE/job-active" ]; then
        marker_seen=$((marker_seen + 1))
        [[ "$(cat "$STATE/job-active")" =~ ^[a-z0-9]{1,32}$ ]] \
            && [ "$(tail -c 1 "$STATE/job-active" | od -An -c | tr -d ' ')" = '\n' ] \
            || fail "iteration $i: torn marker file: $(od -c "$STATE/job-active" | head -n 3)"
    fi
done

log "$last_gen saves in all; largest journal $max_bytes bytes; journal absent after $absent kills" \
    "(before the first save); $temps_seen kills left .tmp-* files, all removed by prepare();" \
    "marker present after $marker_seen kills"
[ "$last_gen" -gt 0 ] || fail "the writer never completed a save (delays too short?)"
echo "journal-kill: $kills kills, $readable readable, $corrupt corrupt"
[ "$corrupt" -eq 0 ] || fail "$corrupt kills left an unreadable or torn journal (copies kept in $WORK)"
[ "$readable" -eq "$kills" ] || fail "$readable of $kills kills left a readable journal"
exit 0
