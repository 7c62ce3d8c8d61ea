#!/usr/bin/env bash
# Runs the libFuzzer targets (make fuzz FUZZ_SECONDS=N).
#
# Environment:
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_TARGETS  targets to run (default: all)
#   FUZZ_PARALLEL how many targets run at once (default 1)
#   FUZZ_MERGE=1  afterwards, merge each grown work corpus into
#                 fuzz/corpus/<target> (libFuzzer -merge=1 keeps only inputs
#                 that add coverage), to be committed
#   FUZZ_TIMEOUT  seconds before one input counts as a hang (default 60:
#                 a loaded machine stalls for seconds)
#   FUZZ_BUILD    build directory (default build-fuzz)
#   FUZZ_FORK=1   libFuzzer fork mode that keeps going after a crash,
#                 timeout or OOM (long campaigns: every finding is kept)
#
# Work corpora, logs and crash artifacts go to $FUZZ_BUILD/work/<target>/.
# A crash makes the script fail; turn the artifact into a named regression
# input (fuzz/regressions/<target>/<what-it-found>) once understood.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD:-build-fuzz}
SECS=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"mmio its_cmd its_tables snapshot attr v4"}
PAR=${FUZZ_PARALLEL:-1}

CC=clang cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVGIC_BUILD_FUZZ=ON -DVGIC_BUILD_TESTS=OFF -DVGIC_BUILD_BENCH=OFF \
  -DVGIC_BUILD_TOOLS=OFF >/dev/null
cmake --build "$BUILD" -j 2 >/dev/null

run_one() {
  local t=$1 w="$BUILD/work/$1"
  mkdir -p "$w/corpus" "$w/crashes"
  local start=$(date -u +%FT%TZ) t0=$(date +%s) fork=()
  [ "${FUZZ_FORK:-0}" = 1 ] &&
    fork=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  "$BUILD/fuzz/fuzz-$t" "${fork[@]}" -max_total_time="$SECS" -timeout="${FUZZ_TIMEOUT:-60}" \
    -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$w/crashes/" \
    "$w/corpus" "fuzz/corpus/$t" "fuzz/regressions/$t" >"$w/log" 2>&1 || true
  local execs rate el=$(( $(date +%s) - t0 ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log")
  # Fork mode prints no final stats: take the last "#N: cov:" line.
  [ -z "$execs" ] && execs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$w/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$w/log")
  [ -z "$rate" ] && [ -n "$execs" ] && rate=$(( execs / (el > 0 ? el : 1) ))
  printf '%-11s start %s  %ss (wall %ss)  execs %s  exec/s %s  work corpus %s  crashes %s\n' \
    "$t" "$start" "$SECS" "$el" "${execs:-?}" "${rate:-?}" \
    "$(ls "$w/corpus" | wc -l)" "$(ls "$w/crashes" | grep -vc '^slow-unit' || true)" |
    tee "$w/summary"
}

running=0
for t in $TARGETS; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$PAR" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

status=0
for t in $TARGETS; do
  w="$BUILD/work/$t"
  if ls "$w/crashes" | grep -qv '^slow-unit'; then
    echo "== $t: crash artifacts in $w/crashes (see $w/log)"
    status=1
  fi
  if [ "${FUZZ_MERGE:-0}" = 1 ]; then
    "$BUILD/fuzz/fuzz-$t" -merge=1 "fuzz/corpus/$t" "$w/corpus" \
      >"$w/merge.log" 2>&1 || true
    echo "$t: fuzz/corpus/$t now has $(ls "fuzz/corpus/$t" | wc -l) inputs"
  fi
done
exit $status
