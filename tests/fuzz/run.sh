#!/bin/sh
# run.sh [SECONDS]: build the libFuzzer targets, seed them, replay the
# regression inputs, then fuzz each target for SECONDS (default 60; 0 only
# builds and replays).  Exit 1 on a build failure or any crash, naming the
# input that crashed.
#
# Everything lands in build-fuzz/: the library's sources compiled with
# -fsanitize=fuzzer-no-link,address,undefined (so the Makefile's own builds
# are untouched), the targets, seeds, the corpus that grows from run to run,
# crash files and logs.  Seeds come from the captures in EXFILD_PCAPS
# (default ../shared/pcaps beside the project), cut by seedx.c, and from the
# YAML files of the tree; without captures only the YAML seeds exist and
# the other targets start from nothing, which libFuzzer accepts.
#
# A crash found here becomes a regression test: copy the file from
# build-fuzz/crash/TARGET/ into tests/fuzz/regress/TARGET/; every run
# replays those first.
set -u

cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
secs=${1:-60}
B=build-fuzz
pcaps=${EXFILD_PCAPS:-$(dirname "$root")/shared/pcaps}
targets="fuzz_decode fuzz_config fuzz_dns fuzz_http_tls"
CC=${FUZZ_CC:-clang}
PKGS="libpcap libndpi libmaxminddb yaml-0.1 libpsl libsystemd libcap-ng"
jobs=$(nproc 2>/dev/null || echo 2)

case $secs in
''|*[!0-9]*) echo "usage: $0 [seconds]" >&2; exit 2 ;;
esac
if ! command -v "$CC" >/dev/null; then
	echo "run.sh: $CC not found (clang with libFuzzer is needed)" >&2
	exit 1
fi
if ! pkgc=$(pkg-config --cflags $PKGS) || ! pkgl=$(pkg-config --libs $PKGS)
then
	echo "run.sh: pkg-config: missing libraries (make deps)" >&2
	exit 1
fi

# Every finding must stop the run: UBSan recovers unless told not to.
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-g -O1 -std=c11 -D_GNU_SOURCE -Iinclude $pkgc $SAN"
# The library is other people's code in progress: its warnings are the
# Makefile's business, not a reason to stop fuzzing.
LIBCFLAGS="$CFLAGS -fsanitize=fuzzer-no-link -w"
# The targets are ours: held to the project's warnings.
TCFLAGS="$CFLAGS -Itests/fuzz -Wall -Wextra -Werror -Wshadow \
-Wmissing-prototypes -Wstrict-prototypes"
LIBS="$pkgl -lresolv -lpthread -lm"

mkdir -p $B/obj $B/seeds $B/corpus $B/crash $B/log $B/tmp || exit 1
t0=$(date +%s)

# ---- build ----------------------------------------------------------------
# An object is stale when its source or any header is newer: coarse, but
# a full rebuild takes well under a minute.
stale=
for s in src/*.c; do
	[ "$s" = src/main.c ] && continue
	o=$B/obj/$(basename "$s" .c).o
	if [ ! -f "$o" ] ||
	    [ -n "$(find "$s" include -name '*.[ch]' -newer "$o" | head -n 1)" ]
	then
		stale="$stale $s"
	fi
done
if [ -n "$stale" ]; then
	echo "== compiling$stale"
	export CC LIBCFLAGS B
	# shellcheck disable=SC2016
	if ! printf '%s\n' $stale | xargs -P "$jobs" -n 1 sh -c \
	    'o=$B/obj/$(basename "$1" .c).o
	     $CC $LIBCFLAGS -c -o "$o" "$1" || { rm -f "$o"; exit 1; }' sh
	then
		echo "run.sh: compiling the library failed" >&2
		exit 1
	fi
fi
objs=
for s in src/*.c; do
	[ "$s" = src/main.c ] || objs="$objs $B/obj/$(basename "$s" .c).o"
done
if [ -n "$stale" ] || [ ! -f $B/libexfild.a ]; then
	rm -f $B/libexfild.a
	ar rcs $B/libexfild.a $objs || exit 1
fi

build() {	# build OUT SRC LINKFLAGS: relink when the source or library moved
	if [ ! -x "$1" ] || [ -n "$(find "$2" tests/fuzz/fuzz.h \
	    $B/libexfild.a -newer "$1" | head -n 1)" ]; then
		echo "== linking $1"
		# shellcheck disable=SC2086
		$CC $TCFLAGS $3 -o "$1" "$2" $B/libexfild.a $LIBS || return 1
	fi
}
for t in $targets; do
	build $B/$t tests/fuzz/$t.c -fsanitize=fuzzer || {
		echo "run.sh: building $t failed" >&2
		exit 1
	}
done
build $B/seedx tests/fuzz/seedx.c "" || exit 1
t1=$(date +%s)
echo "== build: $((t1 - t0))s"

# ---- seeds ----------------------------------------------------------------
for t in $targets; do
	mkdir -p $B/seeds/$t $B/corpus/$t $B/crash/$t
done
for f in tests/config/*.yaml rules/*.yaml config.example.yaml \
    $(find tests/rules -name '*.yaml' 2>/dev/null); do
	[ -f "$f" ] && cp -p "$f" "$B/seeds/fuzz_config/$(echo "$f" | tr / _)"
done
if [ ! -d "$pcaps" ]; then
	echo "== no captures at $pcaps: seeding from the YAML files only"
elif [ ! -f $B/seeds/.stamp ] ||
    [ -n "$(find $B/seedx -newer $B/seeds/.stamp)" ] ||
    [ "$(cat $B/seeds/.stamp)" != "$pcaps" ]; then
	echo "== cutting seeds from $pcaps"
	find "$pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \
	    -o -name '*.cap' \) -print0 | sort -z > $B/tmp/captures
	# seedx is built with ASan: its leak check is not what is tested.
	if ASAN_OPTIONS=detect_leaks=0 xargs -0 $B/seedx $B/seeds \
	    < $B/tmp/captures > $B/log/seedx.log 2>&1; then
		tail -n 1 $B/log/seedx.log
		echo "$pcaps" > $B/seeds/.stamp
	else
		echo "run.sh: seedx failed:" >&2
		tail -n 20 $B/log/seedx.log >&2
		exit 1
	fi
fi
t2=$(date +%s)
echo "== seeds: $((t2 - t1))s"

# ---- regression inputs, then fuzzing --------------------------------------
fail=0
export TMPDIR="$root/$B/tmp"
for t in $targets; do
	set -- tests/fuzz/regress/$t/*
	[ -e "$1" ] || continue
	if $B/$t -runs=1 "$@" > $B/log/$t-regress.log 2>&1; then
		echo "== regress $t: $# inputs ok"
	else
		echo "FAIL: regress $t:" >&2
		grep -E 'Running:|ERROR|runtime error|SUMMARY' \
		    $B/log/$t-regress.log | tail -n 20 >&2
		fail=1
	fi
done

[ "$secs" -eq 0 ] && exit $fail
for t in $targets; do
	ts=$(date +%s)
	if $B/$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 \
	    -artifact_prefix=$B/crash/$t/ -print_final_stats=1 \
	    $B/corpus/$t $B/seeds/$t > $B/log/$t.log 2>&1; then
		echo "== fuzz $t: ok, $(grep -o 'stat::number_of_executed_units: [0-9]*' \
		    $B/log/$t.log | grep -o '[0-9]*$') runs, corpus\
 $(ls $B/corpus/$t | wc -l), $(($(date +%s) - ts))s"
	else
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' \
		    $B/log/$t.log | tail -n 1)
		echo "FAIL: fuzz $t: ${crash:-no crash file (see $B/log/$t.log)}" >&2
		grep -E -A 12 'ERROR|runtime error|deadly signal' $B/log/$t.log |
		    head -n 30 >&2
		echo "  replay: $B/$t ${crash:-}" >&2
		fail=1
	fi
done
echo "== total: $(($(date +%s) - t0))s"
exit $fail
