#!/bin/sh
# Integration tests: every tests/e2e/*.sh, each given the build directory.
# A script that prints "skip:" and exits 0 is counted as skipped.
set -u
B=${1:-build}
cd "$(dirname "$0")/.." || exit 1
pass=0; fail=0; skipped=0; failed=""
for t in tests/e2e/*.sh; do
	case "$t" in */lib.sh|*/common.sh) continue ;; esac
	[ -n "${E2E_ONLY:-}" ] && case "$t" in *"$E2E_ONLY"*) ;; *) continue ;; esac
	echo "== $t"
	out=$(mktemp)
	start=$(date +%s)
	if "./$t" "$B" >"$out" 2>&1; then
		if grep -q '^skip:' "$out"; then
			skipped=$((skipped + 1))
		else
			pass=$((pass + 1))
		fi
		tail -n 5 "$out"
	else
		fail=$((fail + 1))
		failed="$failed $t"
		tail -n 40 "$out"
	fi
	echo "   ($(( $(date +%s) - start )) s)"
	rm -f "$out"
done
echo "integration: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ] || { echo "failed:$failed"; exit 1; }
