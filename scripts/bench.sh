#!/bin/sh
# make bench: exfild's wall time on the 200 000-flow capture as a multiple
# of a bare libpcap read of the same file, packets per second and peak
# memory; the same for ndpiReader and softflowd; memory under a flood of
# 10 M distinct 5-tuples.  Inputs are generated once into bench-out/.
set -eu
B=${1:-build}
OUT=${BENCH_DIR:-bench-out}
FLOWS=${BENCH_FLOWS:-200000}
FLOOD=${BENCH_FLOOD:-10000000}
RUNS=${BENCH_RUNS:-3}
mkdir -p "$OUT"
CAP="$OUT/bench-$FLOWS.pcap"
[ -s "$CAP" ] || { echo "bench: generating $CAP"; "$B/gen_bench" "$CAP" "$FLOWS" 1; }

# GeoIP databases so that enrichment is on, as in production.
if [ ! -s "$OUT/country.mmdb" ]; then
	printf 'network\tcountry\tregion\tasn\torg\n' > "$OUT/geo.tsv"
	i=1
	while [ $i -le 223 ]; do
		printf '%d.0.0.0/8\tUS\tUS-VA\t%d\tNet %d\n' $i $((64500 + i)) $i >> "$OUT/geo.tsv"
		i=$((i + 1))
	done
	perl tests/tools/mkmmdb.pl "$OUT/geo.tsv" "$OUT" >/dev/null
fi
cat > "$OUT/bench.yaml" <<EOC
home_net: [10.0.0.0/8]
user: ""
group: ""
geoip: {country_db: $OUT/country.mmdb, city_db: $OUT/city.mmdb, asn_db: $OUT/asn.mmdb}
state: {path: ""}
rules_dir: $(pwd)/rules
alerts:
  syslog: {enabled: false}
  json_file: ""
EOC

# Best of $RUNS wall-clock seconds and the peak RSS (KB) of a command.
measure() {
	best=""; rss=0
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/err.txt" || {
			echo "bench: failed: $*" >&2; cat "$OUT/err.txt" >&2; exit 1; }
		read -r t m < "$OUT/time.txt"
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
		[ "$m" -gt "$rss" ] && rss=$m
	done
	echo "$best $rss"
}

cat "$CAP" > /dev/null
PKTS=$("$B/pcap_floor" "$CAP" | awk '{print $1}')
set -- $(measure "$B/pcap_floor" "$CAP"); FLOOR=$1; FLOORM=$2
set -- $(measure "$B/exfild" -c "$OUT/bench.yaml" -r "$CAP"); EX=$1; EXM=$2
tail -1 "$OUT/err.txt" > "$OUT/summary.txt"
# Where the time goes: CPU of each thread, from one more verbose run.
"$B/exfild" -v -c "$OUT/bench.yaml" -r "$CAP" 2>&1 >/dev/null | grep 'cpu capture' > "$OUT/cpu.txt" || true
# Decoding and flow tracking without nDPI (the capture thread's share).
sed 's/^rules_dir:/dpi: {enabled: false}\nrules_dir:/' "$OUT/bench.yaml" > "$OUT/bench-nodpi.yaml"
set -- $(measure "$B/exfild" -c "$OUT/bench-nodpi.yaml" -r "$CAP"); ND=$1; NDM=$2
NDPI=""; SOFT=""
if command -v ndpiReader >/dev/null; then
	set -- $(RUNS=1 measure ndpiReader -q -i "$CAP"); NDPI="$1 $2"
fi
if command -v softflowd >/dev/null; then
	set -- $(RUNS=1 measure softflowd -r "$CAP" -n 127.0.0.1:9); SOFT="$1 $2"
fi

FCAP="$OUT/flood-$FLOOD.pcap"
[ -s "$FCAP" ] || { echo "bench: generating $FCAP"; "$B/gen_bench" "$FCAP" 20000 2 "$FLOOD"; }
set -- $(RUNS=1 measure "$B/exfild" -c "$OUT/bench.yaml" -r "$FCAP"); FL=$1; FLM=$2
FLSUM=$(tail -1 "$OUT/err.txt")

row() { # name seconds rss_kb
	awk -v n="$1" -v t="$2" -v m="$3" -v f="$FLOOR" -v p="$PKTS" 'BEGIN{
	    printf "%-22s %8.2f s %7.2fx %10.0f pkt/s %8.1f MB\n", n, t, t/f, p/t, m/1024 }'
}
echo
echo "capture: $CAP ($PKTS packets, $FLOWS flows)"
echo "$(cat "$OUT/summary.txt")"
sed 's/^exfild: /exfild threads: /' "$OUT/cpu.txt"
printf '%-22s %10s %8s %16s %11s\n' tool wall "x floor" rate "peak RSS"
row "libpcap read (floor)" "$FLOOR" "$FLOORM"
row "exfild -r" "$EX" "$EXM"
row "exfild -r, nDPI off" "$ND" "$NDM"
[ -n "$NDPI" ] && row "ndpiReader" $NDPI
[ -n "$SOFT" ] && row "softflowd -r" $SOFT
echo "flow flood: $FLOOD distinct 5-tuples + 20000 flows: $FL s, peak RSS $((FLM / 1024)) MB"
echo "  $FLSUM"
awk -v t="$EX" -v f="$FLOOR" -v m="$EXM" 'BEGIN{
    r = t / f; ok = (r <= 1.5 && m <= 65536)
    printf "target <= 1.50x and <= 64 MB: %.2fx, %.1f MB: %s\n", r, m/1024, ok ? "met" : "NOT met" }'
