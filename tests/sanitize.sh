#!/bin/sh
# sanitize.sh [BUILD_SAN_DIR]: replay real captures through the sanitizer
# build of the daemon, then one replay of the normal build under valgrind.
#
# Pass 1: every capture under EXFILD_PCAPS (default ../shared/pcaps beside
# the project; *.pcap, *.pcapng and *.cap, recursively) is replayed by
# BUILD_SAN_DIR/exfild (default build-san, `make SANITIZE=address,undefined`)
# with a minimal configuration.  Each must end with exit 0, or exit 1 and
# exactly one error line (a capture libpcap cannot read to its end); never a
# sanitizer report, another exit code or a signal.  Those captures include
# broken files on purpose (tcpdump's and nDPI's fuzz seeds), which is the
# point: the daemon reads files it did not write.
#
# Pass 2: the normal build (EXFILD_BUILD, default build) replays a generated
# DNS-tunnel scenario under valgrind memcheck, which sees what ASan cannot
# in an unsanitized binary -- uninitialised reads, and leaks through the
# real allocator with nDPI and libpcap in the picture.  It must report no
# error and no definite or indirect leak.  Without the scenario generator
# it replays a few of the captures instead and says so.
#
# Prints a summary; exit 1 on any failure.
set -u

cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
san=${1:-build-san}
nb=${EXFILD_BUILD:-build}
pcaps=${EXFILD_PCAPS:-$(dirname "$root")/shared/pcaps}
jobs=$(nproc 2>/dev/null || echo 2)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exfild-sanitize.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -x "$san/exfild" ]; then
	echo "sanitize.sh: $san/exfild missing" \
	    "(make SANITIZE=address,undefined $san/exfild)" >&2
	exit 1
fi

. "$root/tests/replayconf.sh"
replay_conf "$tmp/exfild.yaml" "$root" "$tmp/alerts.json" </dev/null

# ---- pass 1: sanitizers ---------------------------------------------------
# replay.sh FILE: one capture through the sanitizer build; prints one
# result line "ok|broken|FAIL<TAB>file<TAB>detail".  Run by xargs, so the
# captures replay in parallel.
cat > "$tmp/replay.sh" <<'EOF'
#!/bin/sh
f=$1
err=$(mktemp "$TMP/err.XXXXXX")
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$SAN/exfild" -c "$TMP/exfild.yaml" -r "$f" > /dev/null 2> "$err"
rc=$?
# The daemon's notes on a normal replay are not errors.
lines=$(grep -v -e 'geoip: no database configured' -e '^summary ' "$err" |
    wc -l)
if grep -q -e 'runtime error' -e 'AddressSanitizer' -e 'LeakSanitizer' \
    "$err"; then
	printf 'FAIL\t%s\tsanitizer report:\n' "$f"
	grep -m 1 -A 15 -e 'runtime error' -e 'Sanitizer' "$err" |
	    sed 's/^/    /'
elif [ $rc -eq 0 ]; then
	printf 'ok\t%s\t\n' "$f"
elif [ $rc -eq 1 ] && [ "$lines" -eq 1 ]; then
	printf 'broken\t%s\t%s\n' "$f" "$(grep -v -e 'geoip: no database' \
	    -e '^summary ' "$err")"
else
	printf 'FAIL\t%s\texit %s, %s error lines:\n' "$f" $rc "$lines"
	tail -n 5 "$err" | sed 's/^/    /'
fi
rm -f "$err"
EOF
chmod +x "$tmp/replay.sh"

fail=0
t0=$(date +%s)
if [ ! -d "$pcaps" ]; then
	echo "== sanitizers: no captures at $pcaps: skipped"
	nok=0 nbroken=0 nfail=0
else
	find "$pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \
	    -o -name '*.cap' \) -print0 | sort -z > "$tmp/list"
	SAN=$san TMP=$tmp xargs -0 -P "$jobs" -n 1 "$tmp/replay.sh" \
	    < "$tmp/list" > "$tmp/results"
	nok=$(grep -c '^ok' "$tmp/results")
	nbroken=$(grep -c '^broken' "$tmp/results")
	nfail=$(grep -c '^FAIL' "$tmp/results")
	grep -A 16 '^FAIL' "$tmp/results" | grep -v -e '^ok' -e '^broken' \
	    -e '^--$' >&2
	[ "$nfail" -eq 0 ] || fail=1
	echo "== sanitizers: $((nok + nbroken + nfail)) captures: $nok ok," \
	    "$nbroken refused with one error line, $nfail failed" \
	    "($(($(date +%s) - t0))s)"
	if [ "$nbroken" -gt 0 ]; then
		grep '^broken' "$tmp/results" | cut -f 2- |
		    sed "s|$pcaps/||; s/^/   refused: /"
	fi
fi

# ---- pass 2: valgrind -----------------------------------------------------
t1=$(date +%s)
vg_one() {	# vg_one CONFIG CAPTURE MAXRC
	log=$tmp/valgrind.$$.$vgn.log
	vgn=$((vgn + 1))
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --num-callers=30 \
	    "$nb/exfild" -c "$1" -r "$2" > /dev/null 2> "$log"
	rc=$?
	# 99: valgrind's own verdict (errors, definite or indirect leaks).
	# A real capture may end early (exit 1, as in pass 1); the generated
	# scenario may not.
	if [ $rc -gt "$3" ]; then
		echo "FAIL: valgrind $2 (exit $rc):" >&2
		head -n 60 "$log" >&2
		fail=1
		vgfail=$((vgfail + 1))
	else
		vgok=$((vgok + 1))
	fi
}
vgn=0 vgok=0 vgfail=0
if ! command -v valgrind > /dev/null; then
	echo "== valgrind: not installed: skipped"
elif [ ! -x "$nb/exfild" ]; then
	echo "sanitize.sh: $nb/exfild missing (make)" >&2
	fail=1
elif [ -x tests/gen/mkscenario.sh ] && [ -x "$nb/exfild-gen" ] &&
    tests/gen/mkscenario.sh "$tmp/scen" -S dns_tunnel \
    > "$tmp/mkscenario.log" 2>&1 &&
    [ -f "$tmp/scen/exfild.yaml" ] && [ -f "$tmp/scen/capture.pcap" ]; then
	vg_one "$tmp/scen/exfild.yaml" "$tmp/scen/capture.pcap" 0
	echo "== valgrind: dns_tunnel scenario:" \
	    "$([ $vgfail -eq 0 ] && echo clean || echo FAILED)" \
	    "($(($(date +%s) - t1))s)"
else
	echo "== valgrind: scenario generator unavailable" \
	    "($nb/exfild-gen or tests/gen/mkscenario.sh missing or failing):" \
	    "replaying captures instead"
	n=0
	for f in ndpi/pcap/dns-tunnel-iodine.pcap \
	    arkime/pcap/http-post-upload.pcap ndpi/pcap/icmp-tunnel.pcap \
	    suricata-verify/pcap/dns-corrupt-additionals.pcap; do
		[ -f "$pcaps/$f" ] || continue
		vg_one "$tmp/exfild.yaml" "$pcaps/$f" 1
		n=$((n + 1))
	done
	if [ $n -eq 0 ]; then
		echo "== valgrind: no captures either: skipped"
	else
		echo "== valgrind: $vgok of $n captures clean" \
		    "($(($(date +%s) - t1))s)"
	fi
fi

if [ $fail -ne 0 ]; then
	echo "sanitize.sh: FAILED" >&2
	exit 1
fi
echo "sanitize.sh: ok"
