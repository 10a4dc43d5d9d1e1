#!/bin/sh
# make demo: a small office over four days, with exfiltration in it,
# replayed through exfild with the shipped rules.  Everything it uses is
# generated here: the capture (tests/gen), GeoIP databases for the
# generator's networks, and the configuration.
set -eu
B=${1:-build}
OUT=${DEMO_DIR:-demo-out}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

cat <<'INTRO'
exfild demo
===========
A simulated office of 12 workstations plus servers (a DNS resolver, a
nightly offsite backup, a public web server, a file server) over four days.
exfild learns for the first two days what each host and the whole network
normally send where; the days after hold exfiltration (bulk uploads to new
countries, a slow trickle, a night-time transfer, a DNS tunnel, an ICMP
tunnel, archive POSTs, SNIcat, an upload to a file-sharing service) and
look-alikes that must stay quiet (a late backup, a big download, a public
web server's replies, sanctioned cloud storage).

INTRO
rm -rf "$OUT"
echo "generating the capture, its ground truth and GeoIP databases in $OUT/ ..."
tests/gen/mkscenario.sh "$OUT" -S demo >/dev/null
echo "replaying $OUT/capture.pcap (packet time drives learning; this takes a moment):"
echo
"$B/exfild" -c "$OUT/exfild.yaml" -r "$OUT/capture.pcap"
echo
echo "What was found, against the scenario's ground truth ($OUT/truth.tsv):"
echo
if command -v python3 >/dev/null; then
	python3 tests/gen/harness.py "$OUT/truth.tsv" "$OUT/alerts.json" \
	    --hosts 12 --days 4 --table
fi
cat <<EOF2

Every alert above is also in $OUT/alerts.json as one ECS document per
line (the same JSON goes to syslog when exfild runs as a service).
Try:  $B/exfild -c $OUT/exfild.yaml -r $OUT/capture.pcap   with your own
edits to $OUT/exfild.yaml (thresholds, allowlist), or read README.md.
EOF2
