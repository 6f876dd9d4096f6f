#!/usr/bin/env bash
# One fuzz target for a bounded time: tests/fuzz/run.sh NAME BINARY SEEDS WORKDIR
#
# Runs BINARY (a libFuzzer target) for FERRY_FUZZ_SECONDS seconds (default
# 20) on the committed seeds SEEDS (read only) and WORKDIR/NAME (what this
# and earlier runs found: a long campaign continues where the last one
# stopped). Every seed is run first, so a crashing input kept in SEEDS as a
# regression seed fails the test at once. A crash, a sanitizer report, a
# leak, a time-out (10 s per input) or a broken property fails the test;
# the input is kept as WORKDIR/NAME-crash-* (printed, with the command that
# reproduces it). Prints the number of executions.
set -uo pipefail
name=$1 binary=$2 seeds=$3 work=$4
seconds=${FERRY_FUZZ_SECONDS:-20}
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "FERRY_FUZZ_SECONDS must be a positive number of seconds" >&2; exit 2; }
[ -d "$seeds" ] || { echo "no seed corpus at $seeds" >&2; exit 1; }
mkdir -p "$work/$name"
log=$work/$name.log
# A dictionary of tokens the target's input format uses (corpus/DICT.dict,
# named in the test's FERRY_FUZZ_DICT) helps the mutations past a parser's
# syntax.
dict=()
[ -n "${FERRY_FUZZ_DICT:-}" ] && dict=(-dict="$(dirname "$seeds")/$FERRY_FUZZ_DICT.dict")
# -rss_limit_mb: a parser that allocates without bound is a finding too.
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/$name-" "${dict[@]}" \
    "$work/$name" "$seeds" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
corpus=$(find "$work/$name" -type f | wc -l)
if [ $rc -ne 0 ]; then
    tail -n 60 "$log"
    echo "fuzz-$name: FAILED (exit $rc) after ${runs:-?} executions; input kept as:" >&2
    ls -1 "$work/$name"-* 2>/dev/null | grep -v '\.log$' >&2
    echo "reproduce: $binary INPUT" >&2
    exit 1
fi
echo "fuzz-$name: ${runs:-?} executions in ${seconds} s (${rate:-?}/s), $(find "$seeds" -type f | wc -l) seeds, $corpus inputs found so far in $work/$name"
