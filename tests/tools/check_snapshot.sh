#!/bin/sh
# Runs `vgic snapshot` on snapshots the library writes (gen_snapshots.c) and
# compares text and JSON output byte for byte with tests/tools/golden/, and
# the exit statuses with the documented 0 / 1 / 2.
#   usage: check_snapshot.sh VGIC_TOOL GEN_SNAPSHOTS GOLDEN_DIR
# UPDATE_GOLDEN=1 rewrites the golden files (review the diff before committing).
set -u
TOOL=$1 GEN=$2 GOLDEN=$3
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
"$GEN" . || exit $?
. "$HERE/lib.sh"

run snap_show_a.txt 0 snapshot show a.snap
run snap_show_a.json 0 snapshot show --json a.snap
run snap_check_a.txt 0 snapshot check a.snap --vcpus 2 --its 1 --nr-irqs 128 --mpidrs 0,0x100
run snap_check_dest.txt 1 snapshot check a.snap --vcpus 4 --its 2 --nr-irqs 256 --mpidrs 0,0x200
run snap_check_bad.txt 1 snapshot check bad.snap
run snap_check_bad.json 1 snapshot check --json bad.snap
run snap_diff_ab.txt 1 snapshot diff a.snap b.snap
run snap_diff_ab.json 1 snapshot diff --json a.snap b.snap
run snap_diff_aa.txt 0 snapshot diff a.snap a.snap
run snap_show_v2.txt 0 snapshot show v2.snap
run snap_diff_v2.txt 1 snapshot diff a.snap v2.snap
run snap_usage 2 snapshot
run snap_usage_verb 2 snapshot frobnicate a.snap
run snap_usage_args 2 snapshot diff a.snap
run snap_missing 2 snapshot show does-not-exist.snap
run snap_help 0 snapshot --help
grep -q "^usage: vgic snapshot show" snap_help.out || { echo "FAIL help"; fail=$((fail + 1)); }
# Not a snapshot at all: a problem, not a crash.
printf 'hello' > junk.snap
run snap_junk 1 snapshot check junk.snap

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
