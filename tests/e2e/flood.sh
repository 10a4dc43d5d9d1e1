#!/bin/sh
# Flow flood: a generated scenario with an exfiltration in it plus
# FLOOD_N (default 10 M) single-SYN flows with distinct 5-tuples.  With
# flows.max_flows at 100 000 and a day of idle timeout (so that every SYN
# stays until pushed out) the table stays bounded (evictions counted,
# peak memory bounded), and the exfiltration is still found.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || { echo "skip: python3 absent"; exit 0; }
perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null || { echo "skip: MaxMind::DB::Writer absent"; exit 0; }
N=${FLOOD_N:-10000000}
S="$T/flood"
"$ROOT/tests/gen/mkscenario.sh" "$S" -S snicat --flood "$N" >/dev/null || { bad "scenario"; finish; }
cat >> "$S/exfild.yaml" <<EOC
flows: {max_flows: 100000, idle_timeout: 1d}
EOC
/usr/bin/time -f "%M" -o "$T/rss" "$EXFILD" -v -c "$S/exfild.yaml" -r "$S/capture.pcap" >/dev/null 2>"$T/err" ||
    { bad "replay"; tail -5 "$T/err"; }
sum=$(tail -n 1 "$T/err")
echo "$sum"
rss=$(cat "$T/rss")
ev=$(grep -o 'flow.evicted=[0-9]*' "$T/err" | cut -d= -f2)
fl=$(echo "$sum" | sed 's/.*flows=\([0-9]*\).*/\1/')
[ "$fl" -ge "$N" ] && ok "flows $fl" || bad "flows $fl < $N"
[ "${ev:-0}" -gt 0 ] && ok "evictions counted: $ev" || bad "no evictions counted"
# 100 000 flows of 144 bytes plus everything else: far below what 10 M
# tracked flows would need (1.4 GB).
[ "$rss" -lt 400000 ] && ok "peak RSS $((rss / 1024)) MB" || bad "peak RSS $((rss / 1024)) MB"
. "$S/scenario.env"
python3 "$ROOT/tests/gen/harness.py" "$S/truth.tsv" "$S/alerts.json" \
    --hosts "$HOSTS" --days "$DAYS" --min-recall 1.0 > "$T/h" 2>&1 &&
    ok "exfiltration still found: $(tail -1 "$T/h")" || { bad "detection under flood"; cat "$T/h"; }
finish
