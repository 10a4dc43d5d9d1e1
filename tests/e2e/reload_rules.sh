#!/bin/sh
# Rules reload on SIGHUP, live.  exfild captures ICMP on the loopback
# interface with home_net [127.0.0.1/32], so 127.0.0.2-4 are outside and
# a 1400-byte ping to them raises EXF-ICMP-002 (icmp_large: echo payload
# over 1000 bytes to a remote outside home_net).  rules_dir is a copy of
# rules/ in the test's directory.
#   1. a large ping to 127.0.0.2 raises EXF-ICMP-002
#   2. a rule file with an unknown detector and a bad ATT&CK technique id
#      added, SIGHUP: the log says the reload was refused and names both
#      errors, exfild keeps running, and a large ping to 127.0.0.3 still
#      alerts (the old rules stay in force); then a bad address in
#      dns-resolvers.txt alone: refused too, naming file:line:column
#   3. the broken file removed and both ICMP rules set enabled: false,
#      SIGHUP: the log says it was reloaded; large pings to 127.0.0.4 are
#      analysed (SIGUSR1 stats: analysis.packets grows) and raise no
#      ICMP alert
#   4. SIGTERM: exit status 0
# Needs root (live capture); skips without it, without ping, or when
# exfild cannot capture on lo.
. "$(dirname "$0")/common.sh"

EXF_PID=
cleanup() {
	if [ -n "$EXF_PID" ] && kill -0 "$EXF_PID" 2>/dev/null; then
		kill -TERM "$EXF_PID" 2>/dev/null
		i=0
		while running "$EXF_PID" && [ "$i" -lt 25 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		kill -KILL "$EXF_PID" 2>/dev/null
		wait "$EXF_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

[ -x "$EXFILD" ] || { echo "FAIL: $EXFILD is missing (run make)"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (live capture on lo)"; exit 0; }
command -v ping >/dev/null 2>&1 || { echo "skip: ping is not installed"; exit 0; }
ping -q -c 1 -W 1 127.0.0.2 >/dev/null 2>&1 ||
    { echo "skip: 127.0.0.2 does not answer ping on lo"; exit 0; }

# running PID: the child exists and is not a zombie
running() {
	kill -0 "$1" 2>/dev/null || return 1
	[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
	    "/proc/$1/status" 2>/dev/null)" != Z ]
}
# wait_for SECS CMD...: until CMD succeeds, every 0.2 s
wait_for() {
	_n=$(($1 * 5))
	shift
	while ! "$@"; do
		[ "$_n" -le 0 ] && return 1
		sleep 0.2
		_n=$((_n - 1))
	done
}
ERR="$T/exfild.err"
JSON="$T/alerts.json"
CONF="$T/exfild.yaml"
icmp_alert() { # IP: an ICMP alert to IP in the json file
	LC_ALL=C grep -q "\"rule\":{\"id\":\"EXF-ICMP-00[12]\".*\"destination\":{\"ip\":\"$1\"" \
	    "$JSON" 2>/dev/null
}
large_ping() { # IP
	ping -q -c 2 -i 0.2 -s 1400 -W 1 "$1" >/dev/null 2>&1
}
# ping_alert SECS IP: large pings to IP until it raises an alert
ping_alert() {
	_n=$(($1 * 2))
	while :; do
		large_ping "$2"
		sleep 0.1
		icmp_alert "$2" && return 0
		[ "$_n" -le 0 ] && return 1
		_n=$((_n - 1))
	done
}
log_count() { # ERE: lines of the log matching it
	grep -Ec -- "$1" "$ERR" 2>/dev/null
}
log_has() { # ERE N: at least N lines of the log match
	[ "$(log_count "$1")" -ge "$2" ]
}
# analysis.packets of a fresh SIGUSR1 stats line
usr1_packets() {
	_c=$(log_count '^exfild: stats ')
	kill -USR1 "$EXF_PID" || return 1
	wait_for 5 log_has '^exfild: stats ' $((_c + 1)) || return 1
	grep '^exfild: stats ' "$ERR" | tail -n 1 |
	    sed -n 's/.* analysis\.packets=\([0-9]*\).*/\1/p'
}
diagnostics() {
	echo "---- $ERR"
	tail -n 15 "$ERR" 2>/dev/null | cut -c1-300
	echo "---- $JSON"
	cut -c1-200 "$JSON" 2>/dev/null | tail -n 5
}
abort() {
	bad "$*"
	diagnostics
	finish
}

cp -R "$ROOT/rules" "$T/rules"
cat > "$CONF" <<EOF
home_net: [127.0.0.1/32]
user: ""
state: {path: ""}
rules_dir: $T/rules
baseline: {learning_period: 0s}
capture:
  interface: lo
  bpf: "icmp"
flows: {idle_timeout: 2s, update_interval: 1s}
alerts:
  syslog: {enabled: false}
  json_file: $JSON
stats: {interval: 0s}
EOF
"$EXFILD" -T -c "$CONF" >"$T/check.out" 2>&1 ||
    { cat "$T/check.out"; abort "exfild -T refuses the test configuration"; }

# ---- 1. start, a large ping alerts --------------------------------------------

"$EXFILD" -f -c "$CONF" -i lo >"$T/exfild.out" 2>"$ERR" &
EXF_PID=$!
sleep 1
if ! running "$EXF_PID"; then
	wait "$EXF_PID"
	echo "skip: exfild cannot capture on lo (status $?): $(tail -n 1 "$ERR")"
	exit 0
fi
if ping_alert 10 127.0.0.2; then
	ok "live on lo: a 1400-byte ping to 127.0.0.2 raises EXF-ICMP-002"
else
	abort "live on lo: no EXF-ICMP-002 for 127.0.0.2 within 10 s"
fi

# SIGHUP; true once the log says one more reload was refused.
hup_refused() {
	n_refused=$(log_count 'reload refused')
	kill -HUP "$EXF_PID"
	wait_for 10 log_has 'reload refused' $((n_refused + 1))
}

# ---- 2. a broken rule file: refused, the old rules stay ---------------------

cat > "$T/rules/zz-broken.yaml" <<'EOF'
rules:
  - id: SITE-BROKEN-001
    name: Rule of a detector that does not exist
    detector: icmp_bogus
    severity: high
  - id: SITE-BROKEN-002
    name: Rule with a bad ATT&CK technique id
    detector: icmp_large
    enabled: false
    severity: low
    mitre: {tactic: [TA0010], technique: [T1048.03]}
EOF
if hup_refused; then
	ok "SIGHUP, broken rule file: the log says the reload was refused"
else
	bad "SIGHUP, broken rule file: no 'reload refused' in the log"
fi
# Every error as FILE:LINE:COLUMN: (the second on a line of its own).
for e in "4:15: detector: unknown detector 'icmp_bogus'" \
    "11:[0-9]+: mitre\.technique: 'T1048\.03'"; do
	if grep -Eq -- "zz-broken\.yaml:$e" "$ERR"; then
		ok "the log names the error: zz-broken.yaml:$e"
	else
		bad "the log does not name the error: zz-broken.yaml:$e"
	fi
done
sleep 0.5
running "$EXF_PID" || abort "exfild died after the refused reload"
ok "exfild still runs after the refused reload"
if ping_alert 10 127.0.0.3; then
	ok "old rules in force: a large ping to 127.0.0.3 raises EXF-ICMP-002"
else
	bad "after the refused reload: no EXF-ICMP-002 for 127.0.0.3"
fi
# A list shipped with the rules is checked the same way.
rm -f "$T/rules/zz-broken.yaml"
cp "$T/rules/dns-resolvers.txt" "$T/resolvers.good"
echo "1.1.1.300" >> "$T/rules/dns-resolvers.txt"
nl=$(wc -l < "$T/rules/dns-resolvers.txt")
if hup_refused && grep -q "dns-resolvers.txt:$nl:1:" "$ERR"; then
	ok "SIGHUP, bad resolver list: refused, naming dns-resolvers.txt:$nl:1"
else
	bad "SIGHUP, bad resolver list: not refused with its position"
	grep 'reload' "$ERR" | tail -n 2 | cut -c1-400
fi
cp "$T/resolvers.good" "$T/rules/dns-resolvers.txt"

# ---- 3. fixed: ICMP rules disabled, accepted, no ICMP alert ------------------

rm -f "$T/rules/zz-broken.yaml"
awk '{ print } /^    detector: icmp_/ { print "    enabled: false" }' \
    "$ROOT/rules/icmp.yaml" > "$T/rules/icmp.yaml"
n_off=$(grep -c '^    enabled: false$' "$T/rules/icmp.yaml")
[ "$n_off" = 2 ] || bad "rules/icmp.yaml: $n_off rules disabled, want 2"
n_reloaded=$(log_count "reloaded $CONF")
n_refused=$(log_count 'reload refused')
kill -HUP "$EXF_PID"
if wait_for 10 log_has "reloaded $CONF" $((n_reloaded + 1)); then
	ok "SIGHUP, ICMP rules disabled: the log says it was reloaded"
else
	bad "SIGHUP, ICMP rules disabled: no 'reloaded $CONF' in the log"
	grep 'reload' "$ERR" | tail -n 2 | cut -c1-400
fi
[ "$(log_count 'reload refused')" = "$n_refused" ] ||
    bad "the second reload was refused too"
p0=$(usr1_packets)
large_ping 127.0.0.4
large_ping 127.0.0.4
# Until the analysis has counted the 8 packets of the pings.
seen() {
	p1=$(usr1_packets)
	[ -n "$p0" ] && [ -n "$p1" ] && [ "$p1" -ge $((p0 + 8)) ]
}
if wait_for 10 seen; then
	ok "the pings to 127.0.0.4 were analysed (analysis.packets $p0 -> $p1)"
else
	bad "the pings to 127.0.0.4 were not analysed (analysis.packets '$p0' -> '$p1')"
fi
if icmp_alert 127.0.0.4; then
	bad "ICMP rules disabled, yet an ICMP alert for 127.0.0.4"
else
	ok "ICMP rules disabled: no ICMP alert for 127.0.0.4"
fi
running "$EXF_PID" || abort "exfild died after the reload"

# ---- 4. SIGTERM ------------------------------------------------------------------

kill -TERM "$EXF_PID"
stopped() { ! running "$EXF_PID"; }
if wait_for 15 stopped; then
	wait "$EXF_PID"
	rc=$?
	EXF_PID=
	if [ "$rc" = 0 ]; then
		ok "SIGTERM: exit status 0"
	else
		bad "SIGTERM: exit status $rc"
	fi
else
	bad "SIGTERM: exfild still runs after 15 s"
fi
[ "$failures" -eq 0 ] || diagnostics
finish
