#!/bin/sh
# Detection regression: the default generated week (24 hosts, 7 days) must
# have every injected attack found and at most 1 false alert per 100
# host-days; a second replay gives byte-identical alerts (determinism).
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || { echo "skip: python3 absent"; exit 0; }
perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null || { echo "skip: MaxMind::DB::Writer absent"; exit 0; }
S="$T/week"
"$ROOT/tests/gen/mkscenario.sh" "$S" -S week >/dev/null || { bad "scenario"; finish; }
rm -f "$S/state.db"
"$EXFILD" -c "$S/exfild.yaml" -r "$S/capture.pcap" >/dev/null 2>"$T/err" || bad "replay exit status"
tail -n 1 "$T/err"
. "$S/scenario.env"
python3 "$ROOT/tests/gen/harness.py" "$S/truth.tsv" "$S/alerts.json" --table \
    --hosts "$HOSTS" --days "$DAYS" \
    --min-recall 1.0 --max-fp 1.0 || bad "detection thresholds"
# Determinism: same capture, fresh state, same alerts.
mv "$S/alerts.json" "$T/alerts1.json"
rm -f "$S/state.db"
"$EXFILD" -c "$S/exfild.yaml" -r "$S/capture.pcap" >/dev/null 2>&1 || bad "second replay"
if cmp -s "$T/alerts1.json" "$S/alerts.json"; then ok "replay is deterministic ($(wc -l < "$S/alerts.json") alerts)"
else bad "replays differ"; diff "$T/alerts1.json" "$S/alerts.json" | head -5; fi
finish
