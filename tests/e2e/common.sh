# Sourced by the integration tests: project root, captures, temp dir.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
EXFILD="$B/exfild"
PCAPS=${EXFILD_PCAPS:-$ROOT/../shared/pcaps}
T=$(mktemp -d /tmp/exfild-test.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
failures=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
need_pcaps() {
	[ -d "$PCAPS" ] || { echo "skip: $PCAPS not present"; exit 0; }
}
. "$ROOT/tests/replayconf.sh"
# A configuration for offline replays with the learning period at 0 s;
# extra YAML lines on stdin.
mkconf() {
	{ echo "baseline: {learning_period: 0s}"; cat; } |
	    replay_conf "$1" "$ROOT" "$T/alerts.json" \
	    "${HOME_NET:-[10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}"
}
finish() {
	[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
	exit 0
}
