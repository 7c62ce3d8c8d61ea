#!/usr/bin/env bash
# Live migration between two network namespaces joined by a veth pair, as
# two hosts: the ITS guest starts in "vgicA", migrates over TCP to a
# vgic-vmm listening in "vgicB", and must finish there with every LPI
# delivered exactly once.  Skips (77) without root or ip-netns support.
set -u
VMM=$1 IMG=$2
A=vgicA$$ B=vgicB$$
[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || { echo "skip: needs root and ip"; exit 77; }
ip netns add $A 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
TMP=$(mktemp -d /tmp/vgic-netns.XXXXXX)
cleanup() { kill $(jobs -p) 2>/dev/null; ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
ip netns add $B || exit 77
ip netns exec $A true 2>/dev/null || { echo "skip: cannot enter a netns"; exit 77; }
ip link add va$$ type veth peer name vb$$ || { echo "skip: no veth"; exit 77; }
ip link set va$$ netns $A && ip link set vb$$ netns $B || exit 1
ip -n $A addr add 10.77.0.1/24 dev va$$ && ip -n $A link set va$$ up && ip -n $A link set lo up
ip -n $B addr add 10.77.0.2/24 dev vb$$ && ip -n $B link set vb$$ up && ip -n $B link set lo up
ip netns exec $B timeout 60 "$VMM" --incoming tcp:10.77.0.2:4444 --timeout 55 --after-migrate-input g \
	</dev/null >"$TMP/dst" 2>&1 &
dst=$!
for _ in $(seq 400); do	# until the destination listens
	grep -q "waiting for an incoming" "$TMP/dst" 2>/dev/null && break
	sleep 0.025
done
ip netns exec $A timeout 60 "$VMM" -kernel "$IMG" -smp 4 --timeout 55 \
	--migrate-to tcp:10.77.0.2:4444 --migrate-on-output '[migrate-point]' \
	</dev/null >"$TMP/src" 2>&1
rc=$?
wait $dst
drc=$?
echo "--- source (netns $A)"; head -c 10000 "$TMP/src"
echo "--- destination (netns $B)"; head -c 10000 "$TMP/dst"
[ $rc -eq 0 ] && [ $drc -eq 0 ] && grep -q PASS "$TMP/dst" && grep -q "migrated to" "$TMP/src" \
	|| { echo "netns migration: FAIL"; exit 1; }
echo "netns migration: ok"
