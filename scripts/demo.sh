#!/usr/bin/env bash
# make demo: boot the ITS test guest on 4 vCPUs under vgic-vmm (Unicorn CPUs,
# libvgic GICv3 + ITS), live-migrate it mid-run to a second vgic-vmm process
# over a unix socket, and show that the guest finishes there with every
# interrupt delivered exactly once.
set -u
BUILD=${1:-build}
VMM=$BUILD/examples/vmm/vgic-vmm
IMG=$BUILD/tests/guests/its.bin
[ -x "$VMM" ] && [ -f "$IMG" ] || { echo "demo: build first (need $VMM and $IMG)"; exit 1; }
TMP=$(mktemp -d /tmp/vgic-demo.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
SOCK=unix:$TMP/migrate.sock
bold() { printf '\033[1m%s\033[0m\n' "$*"; }

bold "== libvgic demo: live migration of a 4-vCPU GICv3+ITS guest =="
echo "guest:        $IMG (OS-like ITS bring-up: two-level device table,"
echo "              a collection per CPU, 6 devices x 32 events, MSIs from a"
echo "              device, from GITS_TRANSLATER stores and INT commands)"
echo "source:       vgic-vmm -smp 4 -kernel its.bin, migrates when the guest"
echo "              prints [migrate-point] (half-way through its rounds)"
echo "destination:  vgic-vmm --incoming $SOCK -smp 4 (machine prepared in advance)"
echo

( "$VMM" --incoming "$SOCK" -smp 4 --timeout 60 --after-migrate-input g \
	</dev/null 2>&1; echo $? > "$TMP/dst.rc" ) |
	sed -u 's/^/  [destination] /' > "$TMP/dst.out" &
dst=$!
for _ in $(seq 200); do
	grep -q "waiting for an incoming" "$TMP/dst.out" 2>/dev/null && break
	sleep 0.025
done
bold "-- source vgic-vmm (pid $$) --"
"$VMM" -kernel "$IMG" -smp 4 --timeout 60 --migrate-to "$SOCK" \
	--migrate-on-output '[migrate-point]' --stats </dev/null 2>&1 |
	sed -u 's/^/  [source] /' | tee "$TMP/src.out"
src_rc=${PIPESTATUS[0]}
wait $dst
dst_rc=$(cat "$TMP/dst.rc" 2>/dev/null || echo 1)
echo
bold "-- destination vgic-vmm --"
grep -v "waiting for" "$TMP/dst.out"
echo
src_lines=$(grep -c "its: \|migrate-point" "$TMP/src.out")
migr=$(grep -o "migrated to.*" "$TMP/src.out" | head -1)
down=$(grep -o "downtime [0-9.]* ms" "$TMP/dst.out" | head -1 | sed "s/downtime //")
snap=$(grep -o "snapshot [0-9]* bytes (GIC [0-9]* bytes, table save wrote [0-9]* pages" "$TMP/dst.out" | head -1)
inflight=$(sed -n 's/.*round [0-9]*: \([0-9]*\) MSIs sent, \([0-9]*\) delivered, the rest pending.*/\1 \2/p' "$TMP/src.out" | head -1)
result=$(grep -o "its: [0-9]* LPIs, each exactly once.*" "$TMP/dst.out" | head -1)
bold "== summary =="
echo "source exit status:       $src_rc (exits after a successful hand-over)"
echo "destination exit status:  $dst_rc"
echo "migration:                ${migr:-none}"
echo "stream:                   ${snap:-?})"
echo "downtime:                 ${down:-?} (source stop -> destination running)"
[ -n "$inflight" ] && set -- $inflight &&
	echo "in flight:                $(( $1 - $2 )) of $1 LPIs pending in the GIC when the source stopped"

echo "guest result:             ${result:-no result}"
if [ "$src_rc" -eq 0 ] && [ "$dst_rc" -eq 0 ] && [ -n "$result" ] && [ -n "$migr" ] &&
	grep -q "TEST-EXIT 0" "$TMP/dst.out"; then
	bold "DEMO OK: the guest was migrated mid-run and lost no interrupt."
else
	bold "DEMO FAILED"
	exit 1
fi
