#!/usr/bin/env bash
# vgic-vmm's error paths: bad options, unusable images, corrupt, truncated
# and incompatible snapshots must give a clear message and a non-zero exit
# status, never a crash (status >= 128 would be a signal).
set -u
VMM=$1 IMG=$2 LPI=$3
TMP=$(mktemp -d /tmp/vgic-err.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
bad=0
expect() { # expect STATUS WORD -- command...
	local want=$1 word=$2; shift 3
	timeout 30 "$@" </dev/null >"$TMP/o" 2>&1
	local rc=$?
	if [ $rc -ne "$want" ] || ! grep -qi -- "$word" "$TMP/o"; then
		echo "FAIL: '$*' exited $rc (want $want) or lacks '$word':"
		head -c 2000 "$TMP/o"; bad=1
	else
		echo "ok: $* -> $rc: $(grep -i -m1 -- "$word" "$TMP/o")"
	fi
}
"$VMM" --help | grep -q -- "--after-migrate-input" || { echo "FAIL: --help"; bad=1; }
expect 2 "unknown option" -- "$VMM" --bogus
expect 2 "exactly one" -- "$VMM"
expect 2 "bad -smp" -- "$VMM" -kernel "$IMG" -smp 0
expect 2 "at most 8" -- "$VMM" -kernel "$IMG" -smp 9 -gic v2
expect 2 "bad -gic" -- "$VMM" -kernel "$IMG" -gic v4
expect 2 "bad RAM size" -- "$VMM" -kernel "$IMG" -m 1x
expect 2 "cannot open" -- "$VMM" -kernel "$TMP/missing"
: > "$TMP/empty"
expect 2 "non-empty" -- "$VMM" -kernel "$TMP/empty"
head -c 4096 /dev/urandom > "$TMP/junk"
printf '\177ELF\002\001\001' | dd of="$TMP/junk" conv=notrunc 2>/dev/null
expect 2 "AArch64" -- "$VMM" -kernel "$TMP/junk"
expect 4 "bad magic" -- "$VMM" --restore "$TMP/junk"
expect 4 "snapshot" -- "$VMM" --restore "$TMP/missing"
# guests that crash or hang: raw images of one or two instructions
printf '\x00\x00\x00\x00' > "$TMP/udf.bin"                  # udf #0
expect 3 "undefined instruction" -- "$VMM" -kernel "$TMP/udf.bin"
printf '\x20\x00\x40\xf9' > "$TMP/unmapped.bin"             # ldr x0, [x1] (x1 = 0)
expect 3 "unmapped" -- "$VMM" -kernel "$TMP/unmapped.bin"
printf '\x7f\x20\x03\xd5\xff\xff\xff\x17' > "$TMP/wfi.bin"  # wfi; b .-4
expect 5 "timeout" -- "$VMM" -kernel "$TMP/wfi.bin" --timeout 0.5
# a real snapshot, then damaged copies of it
timeout 30 "$VMM" -kernel "$IMG" -smp 2 --save "$TMP/snap" \
	--migrate-on-output '[migrate-point]' </dev/null >"$TMP/o" 2>&1 ||
	{ echo "FAIL: could not save"; cat "$TMP/o"; exit 1; }
size=$(stat -c %s "$TMP/snap")
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0x40; open(sys.argv[2], "wb").write(b)' "$TMP/snap" "$TMP/flip"
expect 4 "checksum" -- "$VMM" --restore "$TMP/flip"
head -c $((size - 100)) "$TMP/snap" > "$TMP/trunc"
expect 4 "truncated" -- "$VMM" --restore "$TMP/trunc"
cp "$TMP/snap" "$TMP/ver"
printf '\x63' | dd of="$TMP/ver" bs=1 seek=8 conv=notrunc 2>/dev/null
expect 4 "version" -- "$VMM" --restore "$TMP/ver"
expect 4 "incompatible" -- "$VMM" --restore "$TMP/snap" -smp 3
# GICv4.0 cannot read the VPT back: the snapshot is refused, the guest keeps
# running and finishes (KVM refuses to save such a VM as well)
expect 0 "not accessible" -- "$VMM" -kernel "$LPI" -smp 2 --v4 4.0 \
	--save "$TMP/v40" --migrate-on-output "[migrate-point]" --input g
exit $bad
