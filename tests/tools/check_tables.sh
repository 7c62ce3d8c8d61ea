#!/bin/sh
# Runs `vgic tables` on the hand-built images of gen_images.c and compares
# text and JSON output, byte for byte, with tests/tools/golden/, and the exit
# statuses with the documented 0 / 1 / 2.
#   usage: check_tables.sh VGIC_TOOL GEN_IMAGES GOLDEN_DIR
# UPDATE_GOLDEN=1 rewrites the golden files (review the diff before committing).
set -u
TOOL=$1 GEN=$2 GOLDEN=$3
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
"$GEN" . || exit 2

B0=0x8107000040010200          # flat device table, 64 KiB at 0x40010000
B0L2=0xc107000040010200        # same, Indirect
B1=0x8407000040020200          # collection table, 64 KiB at 0x40020000
. "$HERE/lib.sh"

run show_ok.txt 0 tables show --ram ok.img@0x40000000 --baser0 $B0 --baser1 $B1 \
	--propbaser 0x4004000f --pendbaser 0x40050000 --pendbaser 0x40060000
run show_ok.json 0 tables show --json --ram ok.img@0x40000000 --baser0 $B0 \
	--baser1 $B1 --propbaser 0x4004000f --pendbaser 0x40050000
run check_ok.txt 0 tables check --ram ok.img@0x40000000 --baser0 $B0 --baser1 $B1 --vcpus 2
run check_bad.txt 1 tables check --ram bad.img@0x40000000 --baser0 $B0 --baser1 $B1 --vcpus 2
run check_bad.json 1 tables check --json --ram bad.img@0x40000000 --baser0 $B0 \
	--baser1 $B1 --vcpus 2
run show_l2.txt 0 tables show --ram l2.img@0x40000000 --baser0 $B0L2 --baser1 $B1 \
	--propbaser 0x4004000f --pendbaser 0x40050000
# 4 GiB sparse image, tables in its last 16 MiB (GPA 0x13f000000 up): decoded without reading it (bytes_decoded is checked
# by the golden JSON: a few hundred KiB of tables, not gigabytes).
run show_sparse.json 0 tables show --json --ram sparse.img@0x40000000 \
	--baser0 0xc10700013f010200 --baser1 0x840700013f020200 \
	--propbaser 0x13f04000f
run usage_none 2 tables
run usage_verb 2 tables frobnicate --ram ok.img
run usage_num 2 tables show --ram ok.img --baser0 12z
run usage_noram 2 tables show --baser0 $B0
run io_missing 2 tables show --ram does-not-exist.img --baser0 $B0
run help 0 tables --help
grep -q "^usage: vgic tables" help.out || { echo "FAIL help text"; fail=$((fail + 1)); }
run top_unknown 2 frobnicate
run top_help 0 --help

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
