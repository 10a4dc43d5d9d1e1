#!/bin/sh
# resilience.sh [BUILD]: replay damaged captures through BUILD/exfild
# (default build; ./exfild when BUILD has none).
#
# A capture handed to `exfild -r` may be cut short by a full disk, written
# on another machine, or be something else altogether.  Each case below
# must end with the outcome it names, and none may end with a signal
# (exit >= 128), a hang (60 s) or more than one error line:
#   empty, partial header, garbage, pcapng with a corrupt block, truncated
#	classic pcap or pcapng:  non-zero exit and exactly one error line;
#   header only:  a valid capture of no packets: exit 0, or one error line;
#   big-endian (arkime's, and a little-endian capture byte-swapped by
#	tests/tools/corrupt.c):  exit 0, and the swapped copy counts the same
#	packets, bytes and flows as its original;
#   1 % of the bytes after the file header overwritten (three fixed
#	seeds):  exit 0, or exit 1 with one error line: whatever the damage;
#   1 % of the packet bytes overwritten, record headers kept:  exit 0,
#	since libpcap reads every record and the damage is the decoders'.
# "Error lines" are stderr without the daemon's notes of a normal replay
# (no GeoIP database, the summary line).
#
# The damage needs real captures from EXFILD_PCAPS (default
# ../shared/pcaps beside the project); without them only the cases that
# need none run.  Exit 1 on any failure.
set -u

cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
build=${1:-build}
pcaps=${EXFILD_PCAPS:-$(dirname "$root")/shared/pcaps}
exfild=$build/exfild
[ -x "$exfild" ] || exfild=./exfild
if [ ! -x "$exfild" ]; then
	echo "resilience.sh: no exfild in $build or . (make)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exfild-resilience.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! ${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
    -o "$tmp/corrupt" tests/tools/corrupt.c; then
	echo "resilience.sh: cannot build tests/tools/corrupt.c" >&2
	exit 1
fi

. "$root/tests/replayconf.sh"
replay_conf "$tmp/exfild.yaml" "$root" "$tmp/alerts.json" </dev/null

pass=0 fail=0 skip=0

# replay FILE: sets rc, nerr (error lines) and errline (the first one).
replay() {
	timeout 60 "$exfild" -c "$tmp/exfild.yaml" -r "$1" \
	    > /dev/null 2> "$tmp/stderr"
	rc=$?
	grep -v -e 'geoip: no database configured' -e '^summary ' \
	    "$tmp/stderr" > "$tmp/errors"
	nerr=$(wc -l < "$tmp/errors")
	errline=$(head -n 1 "$tmp/errors")
	summary=$(grep '^summary ' "$tmp/stderr" | sed 's/ alerts=.*//')
}

ok() {
	echo "ok    $1: $2"
	pass=$((pass + 1))
}

bad() {
	echo "FAIL  $1: $2" >&2
	sed 's/^/      /' "$tmp/stderr" | head -n 10 >&2
	fail=$((fail + 1))
}

skipped() {
	echo "skip  $1: $2"
	skip=$((skip + 1))
}

# expect_error NAME FILE: non-zero exit with exactly one error line.
expect_error() {
	replay "$2"
	if [ $rc -ge 124 ]; then
		bad "$1" "exit $rc (signal or timeout)"
	elif [ $rc -eq 0 ]; then
		bad "$1" "exit 0: the damage went unnoticed"
	elif [ "$nerr" -ne 1 ]; then
		bad "$1" "exit $rc with $nerr error lines, not one"
	else
		ok "$1" "exit $rc, $errline"
	fi
}

# expect_survive NAME FILE: exit 0, or exit 1 with one error line.
expect_survive() {
	replay "$2"
	if [ $rc -ge 124 ]; then
		bad "$1" "exit $rc (signal or timeout)"
	elif [ $rc -eq 0 ]; then
		ok "$1" "exit 0, ${summary:-no summary}"
	elif [ $rc -eq 1 ] && [ "$nerr" -eq 1 ]; then
		ok "$1" "exit 1, $errline"
	else
		bad "$1" "exit $rc with $nerr error lines"
	fi
}

# expect_clean NAME FILE: exit 0 with no error line; sets summary.
expect_clean() {
	replay "$2"
	if [ $rc -eq 0 ] && [ "$nerr" -eq 0 ]; then
		ok "$1" "exit 0, $summary"
		return 0
	fi
	bad "$1" "exit $rc with $nerr error lines; a valid capture"
	return 1
}

# A little-endian classic pcap and pcapng to damage, small ones first.
pick() {	# pick MAGIC FILE...: the first FILE that exists with MAGIC
	want=$1
	shift
	for f in "$@"; do
		[ -f "$pcaps/$f" ] &&
		    [ "$(od -An -tx1 -N4 "$pcaps/$f" | tr -d ' ')" = "$want" ] &&
		    { echo "$pcaps/$f"; return; }
	done
}
pcap=$(pick d4c3b2a1 arkime/pcap/http-post-upload.pcap \
    ndpi/pcap/dns-tunnel-iodine.pcap suricata-verify/pcap/http-post-file.pcap)
ng=$(pick 0a0d0d0a ndpi/pcap/http.pcapng ndpi/pcap/gre.pcapng \
    zeek/pcap/pcapng-multi-interface.pcapng)

# ---- needs no capture -------------------------------------------------------
: > "$tmp/empty.pcap"
expect_error empty "$tmp/empty.pcap"

# A pcap file header (little-endian, v2.4, snaplen 65535, Ethernet).
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000' \
    > "$tmp/header.pcap"
printf '\377\377\000\000\001\000\000\000' >> "$tmp/header.pcap"
head -c 12 "$tmp/header.pcap" > "$tmp/partial.pcap"
expect_error "partial header" "$tmp/partial.pcap"
expect_survive "header only" "$tmp/header.pcap"

# Garbage: text that no reader can mistake for a capture, then random
# bytes (fixed seed).
{ echo "this is not a capture"; head -c 4096 /dev/zero; } > "$tmp/zeros"
"$tmp/corrupt" flip 7 1000 "$tmp/zeros" "$tmp/garbage.pcap"
expect_error garbage "$tmp/garbage.pcap"

# ---- from real captures -----------------------------------------------------
if [ ! -d "$pcaps" ]; then
	skipped "captures" "none at $pcaps: truncated, big-endian, pcapng" \
	    "and corrupted-bytes cases not run"
else
	if [ -f "$pcaps/arkime/pcap/empty.pcap" ]; then
		expect_survive "header only (arkime)" \
		    "$pcaps/arkime/pcap/empty.pcap"
	fi
	if [ -f "$pcaps/arkime/pcap/bigendian.pcap" ]; then
		expect_clean "big-endian (arkime)" \
		    "$pcaps/arkime/pcap/bigendian.pcap"
	else
		skipped "big-endian (arkime)" "arkime/pcap/bigendian.pcap absent"
	fi
	if [ -z "$pcap" ]; then
		skipped "classic pcap" "no little-endian capture found"
	else
		"$tmp/corrupt" cut "$pcap" "$tmp/cut.pcap" &&
		    expect_error "truncated mid-record" "$tmp/cut.pcap"
		if expect_clean "original of the swap" "$pcap"; then
			orig=$summary
			"$tmp/corrupt" swap "$pcap" "$tmp/swapped.pcap"
			if expect_clean "byte-swapped to big-endian" \
			    "$tmp/swapped.pcap" && [ "$summary" != "$orig" ]
			then
				bad "big-endian counts" "$summary, not $orig"
			fi
		fi
		for seed in 1 2 3; do
			"$tmp/corrupt" flip $seed 10 "$pcap" "$tmp/flip$seed.pcap"
			expect_survive "1% corrupted (seed $seed)" \
			    "$tmp/flip$seed.pcap"
			"$tmp/corrupt" flipdata $seed 10 "$pcap" \
			    "$tmp/data$seed.pcap"
			expect_clean "1% of packet bytes corrupted (seed $seed)" \
			    "$tmp/data$seed.pcap"
		done
	fi
	if [ -z "$ng" ]; then
		skipped "pcapng" "no little-endian pcapng found"
	else
		"$tmp/corrupt" badblock "$ng" "$tmp/badblock.pcapng" &&
		    expect_error "pcapng corrupt block" "$tmp/badblock.pcapng"
		# Cut inside its last block.
		head -c $(($(wc -c < "$ng") - 7)) "$ng" > "$tmp/cut.pcapng"
		expect_error "truncated pcapng" "$tmp/cut.pcapng"
		"$tmp/corrupt" flip 4 10 "$ng" "$tmp/flip.pcapng"
		expect_survive "1% corrupted pcapng" "$tmp/flip.pcapng"
	fi
fi

echo "resilience.sh: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
