#!/bin/sh
# nDPI agreement: exfild's application protocol per flow against ndpiReader
# (the same nDPI) on every capture of pcaps/ndpi/pcap.
#
# Flows are matched by 5-tuple in either orientation (ports 0 for anything
# but TCP and UDP, as ndpiReader reports them).  A flow counts as a
# disagreement only when both tools report that 5-tuple with different
# protocol names; flows only one tool reports (tunnels the other does not
# open, fragments, link types ndpiReader does not decode) are counted apart
# and listed with NDPI_AGREE_LIST=1.  Fails below 99 % overall.
#
# usage: ndpi_agree.sh [build-dir]    (EXFILD_PCAPS overrides the captures)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
EXFILD="$B/exfild"
PCAPS=${EXFILD_PCAPS:-$ROOT/../shared/pcaps}
DIR="$PCAPS/ndpi/pcap"
MIN=${NDPI_AGREE_MIN:-99}

[ -d "$DIR" ] || { echo "skip: $DIR not present"; exit 0; }
command -v ndpiReader >/dev/null 2>&1 ||
	{ echo "skip: ndpiReader not installed (Debian: libndpi-bin)"; exit 0; }
[ -x "$EXFILD" ] || { echo "FAIL: $EXFILD not built"; exit 1; }

T=$(mktemp -d /tmp/exfild-ndpi.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM

# ndpiReader keeps every flow of a capture file until the end: no idle
# expiry offline.  Long timeouts make exfild's flows the same.
cat > "$T/c.yaml" <<EOF
home_net: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]
user: ""
state: {path: ""}
rules_dir: $ROOT/rules
alerts: {syslog: {enabled: false}, json_file: ""}
flows: {log: $T/x.json, idle_timeout: 1d, tcp_close_timeout: 1h}
EOF

: > "$T/all"
for f in "$DIR"/*.pcap "$DIR"/*.pcapng; do
	[ -f "$f" ] || continue
	n=$(basename "$f")
	rm -f "$T/n.csv" "$T/x.json"
	ndpiReader -q -v 2 -i "$f" -C "$T/n.csv" >/dev/null 2>&1
	[ -f "$T/n.csv" ] || : > "$T/n.csv"
	# A damaged capture ends the replay with an error: compare what was
	# read up to there, as ndpiReader does.
	"$EXFILD" -c "$T/c.yaml" -r "$f" >/dev/null 2>"$T/err" ||
		echo "note: $n: exfild: $(grep -v geoip "$T/err" | head -1)"
	[ -f "$T/x.json" ] || : > "$T/x.json"
	# One line per flow: capture, tool, key, protocol name.
	awk -v cap="$n" '
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
	}' "$T/n.csv" "$T/x.json" >> "$T/all"
done

# Pair the flows of each key (a multiset: VLANs and reused 5-tuples can give
# one key several flows), same names first.
LC_ALL=C sort -t '	' -k1,1 -k3,3 -k2,2 -k4,4 "$T/all" | awk -F '\t' -v min="$MIN" \
    -v list="${NDPI_AGREE_LIST:-0}" '
function flush(   i, j, m, used) {
	if (curkey == "")
		return
	for (j = 1; j <= nx; j++)
		used[j] = 0
	for (i = 1; i <= nn; i++) {
		m = 0
		for (j = 1; j <= nx; j++)
			if (!used[j] && xn[j] == nm[i]) { m = j; break }
		if (m) {
			used[m] = 1; agree[cap]++; continue
		}
		for (j = 1; j <= nx; j++)
			if (!used[j]) { m = j; break }
		if (m) {
			used[m] = 1; differ[cap]++
			printf "DIFF %s %s ndpiReader=%s exfild=%s\n",
			    cap, k, nm[i], xn[m]
			continue
		}
		onlyn[cap]++
		if (list) printf "only-ndpiReader %s %s %s\n", cap, k, nm[i]
	}
	for (j = 1; j <= nx; j++)
		if (!used[j]) {
			onlyx[cap]++
			if (list) printf "only-exfild %s %s %s\n", cap, k, xn[j]
		}
}
{
	if ($1 "\t" $3 != curkey) {
		flush()
		curkey = $1 "\t" $3; cap = $1; k = $3; nn = nx = 0
		if (!(cap in seen)) { seen[cap] = 1; caps[++ncaps] = cap }
	}
	if ($2 == "n") nm[++nn] = $4; else xn[++nx] = $4
}
END {
	flush()
	for (i = 1; i <= ncaps; i++) {
		c = caps[i]
		both = agree[c] + differ[c]
		printf "%-36s %5d matched %5d agree %3d differ %4d only-ndpiReader %4d only-exfild %6.2f%%\n",
		    c, both, agree[c], differ[c], onlyn[c], onlyx[c],
		    both ? 100 * agree[c] / both : 100
		ta += agree[c]; td += differ[c]; tn += onlyn[c]; tx += onlyx[c]
	}
	pct = ta + td ? 100 * ta / (ta + td) : 100
	printf "total: %d captures, %d flows matched, %d agree, %d differ (%.2f%%); %d only in ndpiReader, %d only in exfild\n",
	    ncaps, ta + td, ta, td, pct, tn, tx
	if (pct < min) {
		printf "FAIL: agreement %.2f%% is below %d%%\n", pct, min
		exit 1
	}
	printf "ok: agreement %.2f%% >= %d%%\n", pct, min
}'
