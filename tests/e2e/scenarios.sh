#!/bin/sh
# Each channel detector on its own generated scenario: one or two days of
# ordinary traffic, the attack, and its benign twin (ordinary DNS and CDN
# names, standard pings, form POSTs, sanctioned cloud storage, DoH that
# names its server...).  Every attack must be found and no alert may fall
# outside an attack.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || { echo "skip: python3 absent"; exit 0; }
perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null || { echo "skip: MaxMind::DB::Writer absent"; exit 0; }
for sr in dns_tunnel:EXF-DNS-001 icmp_tunnel:EXF-ICMP-001 \
    archive_post:EXF-HTTP-001 snicat:EXF-TLS-001 cloud_upload:EXF-CLOUD-001 \
    multi_stage:EXF-COR-001 doh_tunnel:EXF-DNS-006; do
	s=${sr%%:*}; rule=${sr#*:}
	S="$T/$s"
	"$ROOT/tests/gen/mkscenario.sh" "$S" -S "$s" >/dev/null || { bad "$s: scenario"; continue; }
	"$EXFILD" -c "$S/exfild.yaml" -r "$S/capture.pcap" >/dev/null 2>"$T/err" || { bad "$s: replay"; tail -3 "$T/err"; }
	. "$S/scenario.env"
	if python3 "$ROOT/tests/gen/harness.py" "$S/truth.tsv" "$S/alerts.json" \
	    --hosts "$HOSTS" --days "$DAYS" --min-recall 1.0 --max-fp 0 > "$T/h" 2>&1; then
		ok "$s: $(tail -1 "$T/h")"
	else
		bad "$s"; cat "$T/h"
	fi
	# The channel's own rule fired, not only the volume detector.
	if grep -q "\"id\":\"$rule\"" "$S/alerts.json"; then ok "$s: $rule"
	else bad "$s: no $rule"; fi
	# Both signs of encrypted DNS: the missing name and the volume.
	if [ "$s" = doh_tunnel ]; then
		if grep '"id":"EXF-DNS-006"' "$S/alerts.json" |
		    grep '"ip":"8.8.8.8"' | grep -q 'threshold'; then
			ok "$s: the named tunnel through 8.8.8.8 found by volume"
		else bad "$s: no volume alert for 8.8.8.8"; fi
	fi
	rm -rf "$S"
done
finish
