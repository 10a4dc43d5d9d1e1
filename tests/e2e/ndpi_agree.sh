#!/bin/sh
# nDPI agreement: exfild's application protocol per flow against ndpiReader
# (the same nDPI) on every capture of pcaps/ndpi/pcap (and of the other
# capture sets named in NDPI_AGREE_SETS); fails below 99 % overall.
#
# Flows are matched by 5-tuple in either orientation (ports 0 for anything
# but TCP and UDP, as ndpiReader reports them).  A flow is a disagreement
# only when both tools report its 5-tuple with different protocol names.
# Flows only one tool reports (tunnels one of them opens, truncated or
# malformed packets, ICMP echo identifiers) are counted apart; see
# docs/dpi.md.
#
# usage: ndpi_agree.sh [build-dir]
#   EXFILD_PCAPS      the captures (default: ../shared/pcaps)
#   NDPI_AGREE_LIST=1 also list the flows only one tool reports
#   NDPI_AGREE_LIMIT  dpi.packet_limit for exfild (default: its default)
#   NDPI_AGREE_PROTOS an nDPI custom protocols file for both tools
#   NDPI_AGREE_MIN    required agreement in percent (default: 99)
#   NDPI_AGREE_SETS   capture sets under EXFILD_PCAPS (default: ndpi; all:
#                     "ndpi zeek arkime suricata-verify tcpdump-tests")
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
EXFILD="$B/exfild"
PCAPS=${EXFILD_PCAPS:-$ROOT/../shared/pcaps}
SETS=${NDPI_AGREE_SETS:-ndpi}

[ -d "$PCAPS/ndpi/pcap" ] ||
	{ echo "skip: $PCAPS/ndpi/pcap not present"; exit 0; }
command -v ndpiReader >/dev/null 2>&1 ||
	{ echo "skip: ndpiReader not installed (Debian: libndpi-bin)"; exit 0; }
[ -x "$EXFILD" ] || { echo "FAIL: $EXFILD not built"; exit 1; }

T=$(mktemp -d /tmp/exfild-ndpi.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
# One binary for the whole run, even if the build directory changes.
cp "$EXFILD" "$T/exfild" || exit 1

# ndpiReader keeps every flow of a capture file to the end (it expires
# idle flows only when capturing live); long timeouts do the same here.
cat > "$T/c.yaml" <<EOF
home_net: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]
user: ""
state: {path: ""}
rules_dir: $ROOT/rules
alerts: {syslog: {enabled: false}, json_file: ""}
flows: {log: $T/x.json, idle_timeout: 1d, tcp_close_timeout: 1h}
EOF
{
	echo "dpi:"
	[ -n "${NDPI_AGREE_LIMIT:-}" ] &&
		echo "  packet_limit: $NDPI_AGREE_LIMIT"
	echo "  protocols_file: \"${NDPI_AGREE_PROTOS:-}\""
} >> "$T/c.yaml"
set --
[ -n "${NDPI_AGREE_PROTOS:-}" ] && set -- -p "$NDPI_AGREE_PROTOS"

# One line per flow: capture, tool (n or x), key, protocol name.
EXTRACT='
function key(p, a, ap, b, bp) {
	if (p != 6 && p != 17)
		ap = bp = 0
	if (a "|" ap < b "|" bp)
		return p " " a ":" ap " " b ":" bp
	return p " " b ":" bp " " a ":" ap
}
function jstr(k) {
	if (!match($0, "\"" k "\":\"[^\"]*\""))
		return ""
	return substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
}
function jnum(k) {
	if (!match($0, "\"" k "\":[0-9]+"))
		return 0
	return substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
}
FILENAME ~ /n\.csv$/ {
	if ($0 ~ /^#/)
		next
	split($0, c, ",")
	print cap "\tn\t" key(c[2], c[6], c[7], c[8], c[9]) "\t" c[11]
	next
}
{
	# ndpiReader writes IPv6 with ":0:" folded to "::" and the
	# name into a 32-byte buffer: do the same here.
	s = jstr("src"); d = jstr("dst")
	if (s ~ /:/) gsub(/:0:/, "::", s)
	if (d ~ /:/) gsub(/:0:/, "::", d)
	print cap "\tx\t" key(jnum("proto"), s, jnum("sport"), d,
	    jnum("dport")) "\t" substr(jstr("app"), 1, 31)
}'

: > "$T/all"
for set in $SETS; do
	for f in "$PCAPS/$set"/pcap/*.pcap "$PCAPS/$set"/pcap/*.pcapng; do
		[ -f "$f" ] || continue
		n=$set/$(basename "$f")
		rm -f "$T/n.csv" "$T/x.json"
		# -v 2: without it the CSV holds only the flows with a protocol.
		ndpiReader -q -v 2 "$@" -i "$f" -C "$T/n.csv" >/dev/null 2>&1
		[ -f "$T/n.csv" ] || : > "$T/n.csv"
		# A damaged capture ends the replay with an error: compare what
		# was read up to there.  A crash fails the test.
		"$T/exfild" -c "$T/c.yaml" -r "$f" >/dev/null 2>"$T/err"
		rc=$?
		if [ $rc -ge 128 ] || grep -q Sanitizer "$T/err"; then
			echo "FAIL: $n: exfild crashed (status $rc)"
			head -20 "$T/err"
			exit 1
		fi
		[ $rc -eq 0 ] || echo "note: $n: exfild:" \
		    "$(grep -v geoip "$T/err" | head -1)"
		[ -f "$T/x.json" ] || : > "$T/x.json"
		printf '%s\t-\t-\t-\n' "$n" >> "$T/all"
		awk -v cap="$n" "$EXTRACT" "$T/n.csv" "$T/x.json" >> "$T/all"
	done
done

# Pair the flows of each key as multisets (VLANs and ICMP identifiers can
# give one key several flows): same names first, then the rest.
LC_ALL=C sort -t '	' -k1,1 -k3,3 -k2,2 -k4,4 "$T/all" |
    awk -F '\t' -v min="${NDPI_AGREE_MIN:-99}" \
    -v list="${NDPI_AGREE_LIST:-0}" '
function flush(   i, j, m, used) {
	if (curkey == "")
		return
	for (i = 1; i <= nn; i++) {
		m = 0
		for (j = 1; j <= nx; j++)
			if (!used[j] && xn[j] == nm[i]) {
				m = j
				break
			}
		if (m) {
			used[m] = 1
			agree[cap]++
		} else
			left[++nleft] = i
	}
	for (i = 1; i <= nleft; i++) {
		m = 0
		for (j = 1; j <= nx; j++)
			if (!used[j]) {
				m = j
				break
			}
		if (m) {
			used[m] = 1
			differ[cap]++
			printf "DIFF %s %s ndpiReader=%s exfild=%s\n", cap, k,
			    nm[left[i]], xn[m]
		} else {
			onlyn[cap]++
			if (list)
				printf "only-ndpiReader %s %s %s\n", cap, k,
				    nm[left[i]]
		}
	}
	for (j = 1; j <= nx; j++)
		if (!used[j]) {
			onlyx[cap]++
			if (list)
				printf "only-exfild %s %s %s\n", cap, k, xn[j]
		}
	nleft = 0
}
{
	if ($1 "\t" $3 != curkey) {
		flush()
		curkey = $1 "\t" $3
		cap = $1
		k = $3
		nn = nx = 0
		if (!(cap in seen)) {
			seen[cap] = 1
			caps[++ncaps] = cap
		}
	}
	if ($2 == "n")
		nm[++nn] = $4
	else if ($2 == "x")
		xn[++nx] = $4
}
END {
	flush()
	printf "%-34s %6s %6s %6s %6s %6s %8s\n", "capture", "both",
	    "agree", "differ", "only-n", "only-x", "agree"
	for (i = 1; i <= ncaps; i++) {
		c = caps[i]
		both = agree[c] + differ[c]
		printf "%-34s %6d %6d %6d %6d %6d %7.2f%%\n", c, both,
		    agree[c], differ[c], onlyn[c], onlyx[c],
		    both ? 100 * agree[c] / both : 100
		ta += agree[c]
		td += differ[c]
		tn += onlyn[c]
		tx += onlyx[c]
		s = c
		sub(/\/.*/, "", s)
		if (!(s in sa))
			sets[++nsets] = s
		sa[s] += agree[c]
		sd[s] += differ[c]
		sc[s]++
	}
	for (i = 1; i <= nsets; i++) {
		s = sets[i]
		printf "set %s: %d captures, %d flows in both, %d differ " \
		    "(%.2f%%)\n", s, sc[s], sa[s] + sd[s], sd[s],
		    sa[s] + sd[s] ? 100 * sa[s] / (sa[s] + sd[s]) : 100
	}
	pct = ta + td ? 100 * ta / (ta + td) : 100
	printf "total: %d captures, %d flows in both, %d agree, %d differ " \
	    "(%.2f%%); %d only in ndpiReader, %d only in exfild\n",
	    ncaps, ta + td, ta, td, pct, tn, tx
	if (pct < min) {
		printf "FAIL: agreement %.2f%% is below %s%%\n", pct, min
		exit 1
	}
	printf "ok: agreement %.2f%% >= %s%%\n", pct, min
}'
