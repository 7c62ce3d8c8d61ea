#!/usr/bin/env bash
# Line coverage of src/ reached by replaying the committed corpora
# (llvm-cov, clang source-based coverage).  Prints one line per target and
# the total; the HTML-free text report lands in $COV_BUILD/coverage.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${COV_BUILD:-build-cov}
TARGETS=${FUZZ_TARGETS:-"mmio its_cmd its_tables snapshot attr v4"}
FL="-fprofile-instr-generate -fcoverage-mapping"
CC=clang cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DVGIC_BUILD_BENCH=OFF -DVGIC_BUILD_TOOLS=OFF -DVGIC_WERROR=OFF \
  -DCMAKE_C_FLAGS="$FL" -DCMAKE_EXE_LINKER_FLAGS="$FL" >/dev/null
cmake --build "$B" -j 2 --target $(for t in $TARGETS; do printf 'fuzz-replay-%s ' "$t"; done) >/dev/null
rm -rf "$B/profiles" && mkdir -p "$B/profiles"
objs=()
for t in $TARGETS; do
  LLVM_PROFILE_FILE="$B/profiles/$t.profraw" \
    "$B/fuzz/fuzz-replay-$t" "fuzz/corpus/$t" "fuzz/regressions/$t" >/dev/null
  llvm-profdata merge -sparse "$B/profiles/$t.profraw" -o "$B/profiles/$t.profdata"
  pct=$(llvm-cov report "$B/fuzz/fuzz-replay-$t" \
          -instr-profile="$B/profiles/$t.profdata" src/*.c | awk '/^TOTAL/ {print $10}')
  printf '%-11s inputs %5s  src/ line coverage %s\n' "$t" \
    "$(find "fuzz/corpus/$t" "fuzz/regressions/$t" -type f ! -name '.*' | wc -l)" "$pct"
  objs+=(-object "$B/fuzz/fuzz-replay-$t")
done
llvm-profdata merge -sparse "$B"/profiles/*.profraw -o "$B/profiles/all.profdata"
llvm-cov report "${objs[@]:1}" -instr-profile="$B/profiles/all.profdata" \
  src/*.c >"$B/coverage.txt"
printf '%-11s src/ line coverage %s (per file: %s)\n' "all" \
  "$(awk '/^TOTAL/ {print $10}' "$B/coverage.txt")" "$B/coverage.txt"
