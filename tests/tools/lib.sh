# Shared by the `vgic` tool tests: run() executes the tool, checks its exit
# status and, for names ending in .txt or .json, compares its stdout with
# $GOLDEN/NAME (UPDATE_GOLDEN=1 rewrites the golden file instead).
# Callers set TOOL and GOLDEN, and read $pass and $fail.
fail=0 pass=0

run() { # NAME EXPECTED_RC ARGS...
	name=$1 want=$2
	shift 2
	"$TOOL" "$@" >"$name.out" 2>"$name.err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $name: exit $rc, expected $want"; cat "$name.err"
		fail=$((fail + 1)); return
	fi
	case "$name" in *.txt|*.json)
		[ -n "${UPDATE_GOLDEN:-}" ] && cp "$name.out" "$GOLDEN/$name"
		if ! diff -u "$GOLDEN/$name" "$name.out"; then
			echo "FAIL $name: output differs from golden/$name"
			fail=$((fail + 1)); return
		fi
	esac
	pass=$((pass + 1))
}
