#!/usr/bin/env bash
# Runs one test guest on vgic-vmm, optionally with a migration in the middle.
#   run-guest.sh VMM IMAGE MODE [vmm options...]
# MODE: plain     boot and run to the end
#       migrate   migrate at the guest's "[migrate-point]" to a second
#                 vgic-vmm over a unix socket, triggered by SIGUSR1
#       migrate-ctl  the same, triggered through the control socket (TCP)
#       migrate-tcp  migrate over TCP on 127.0.0.1, triggered by the
#                 guest's output (--migrate-on-output)
#       save      --save at the migrate point, then --restore the file
# Passes when every VMM exits 0 and the guest printed "TEST-EXIT 0".
set -u
VMM=$1 IMG=$2 MODE=$3
shift 3
T=${GUEST_TIMEOUT:-60}
TMP=$(mktemp -d /tmp/vgic-guest.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
OUT=$TMP/out
fail() { echo "run-guest: FAIL: $*"; head -c 20000 "$OUT"* 2>/dev/null; exit 1; }

case $MODE in
plain)
	timeout $T "$VMM" -kernel "$IMG" --timeout $((T - 5)) --input gr "$@" \
		</dev/null >"$OUT" 2>&1
	rc=$?
	head -c 20000 "$OUT"
	[ $rc -eq 0 ] || fail "vgic-vmm exited with $rc"
	;;
migrate|migrate-ctl|migrate-tcp)
	if [ "$MODE" != migrate-tcp ]; then
		DEST=unix:$TMP/mig.sock
	else
		DEST=tcp:127.0.0.1:0	# the kernel picks the port
	fi
	# the destination gets the machine options too: it prepares the
	# machine before the stream arrives
	timeout $T "$VMM" --incoming "$DEST" --timeout $((T - 5)) \
		--after-migrate-input gr "$@" </dev/null >"$OUT.dst" 2>&1 &
	dst=$!
	for _ in $(seq 400); do	# until the destination listens
		grep -q "waiting for an incoming" "$OUT.dst" 2>/dev/null && break
		sleep 0.025
	done
	DEST=$(sed -n 's/.*waiting for an incoming migration on //p' "$OUT.dst" | head -1)
	[ -n "$DEST" ] || fail "the destination does not listen"
	if [ "$MODE" != migrate-tcp ]; then
		# no timeout(1) here: $! must be vgic-vmm itself for the
		# signal (its own --timeout and ctest's bound the run)
		"$VMM" -kernel "$IMG" --timeout $((T - 5)) \
			--control tcp:127.0.0.1:0 --migrate-to "$DEST" "$@" \
			</dev/null >"$OUT.src" 2>&1 &
		src=$!
		for _ in $(seq 400); do
			grep -q '\[migrate-point\]' "$OUT.src" 2>/dev/null && break
			sleep 0.02
		done
		if [ "$MODE" = migrate ]; then
			kill -USR1 $src || fail "no source to signal"
		else
			CPORT=$(sed -n 's/.*control socket on tcp:127.0.0.1://p' "$OUT.src" | head -1)
			exec 3<>/dev/tcp/127.0.0.1/$CPORT || fail "control socket"
			echo "migrate $DEST" >&3
			read -r -t 10 answer <&3
			echo "control: $answer"
			exec 3<&-
		fi
		wait $src; rc=$?
	else
		timeout $T "$VMM" -kernel "$IMG" --timeout $((T - 5)) \
			--migrate-to "$DEST" --migrate-on-output '[migrate-point]' \
			"$@" </dev/null >"$OUT.src" 2>&1
		rc=$?
	fi
	wait $dst; drc=$?
	echo "--- source"; head -c 20000 "$OUT.src"
	echo "--- destination"; head -c 20000 "$OUT.dst"
	cat "$OUT.src" "$OUT.dst" > "$OUT"
	[ $rc -eq 0 ] || fail "source exited with $rc"
	[ $drc -eq 0 ] || fail "destination exited with $drc"
	grep -q "migrated to" "$OUT.src" || fail "the source did not migrate"
	grep -q "downtime" "$OUT.dst" || fail "the destination did not report downtime"
	;;
save)
	timeout $T "$VMM" -kernel "$IMG" --timeout $((T - 5)) --save "$TMP/snap" \
		--migrate-on-output '[migrate-point]' "$@" </dev/null >"$OUT.src" 2>&1
	rc=$?
	[ $rc -eq 0 ] || fail "saving exited with $rc"
	timeout $T "$VMM" --restore "$TMP/snap" --timeout $((T - 5)) \
		--after-migrate-input gr </dev/null >"$OUT.dst" 2>&1
	drc=$?
	cat "$OUT.src" "$OUT.dst" > "$OUT"
	head -c 20000 "$OUT"
	[ $drc -eq 0 ] || fail "restore exited with $drc"
	;;
*)
	fail "unknown mode $MODE"
	;;
esac
grep -q "TEST-EXIT 0" "$OUT" || fail "the guest did not report success"
grep -q "FAIL" "$OUT" && fail "the guest reported a failure"
echo "run-guest: ok"
