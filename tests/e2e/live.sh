#!/bin/bash
# live.sh BUILD_DIR: exfild capturing live traffic between network
# namespaces, with its alerts going to a syslog daemon of the test's own.
#
#   office 10.50.0.2 --- 10.50.0.1 router 198.51.100.1 --- 198.51.100.2 internet
#                                                           203.0.113.1-20 (lo)
#
# exfild runs in "router", capturing on the office-side veth, in a mount
# namespace of its own where /dev/log is the socket of the test's rsyslogd
# (rsyslog.conf.in).  The office host sends real traffic with dig, ping and
# curl to servers in "internet".  Checked:
#   1. the DNS tunnel, large ICMP and archive POST alerts (and the
#      correlation incident) reach rsyslog, facility local5, as
#      "prefix -- ECS JSON" lines with the ECS fields; the JSON file has them;
#      curl to https://1.1.1.1/ (an address, so no server name; the
#      "internet" namespace answers for 1.1.1.1 with openssl s_server)
#      raises EXF-DNS-006, and the same server named cloudflare-dns.com
#      does not
#   2. exfild runs with a non-zero uid and no effective capabilities
#   3. SIGHUP with a broken file is refused and the old configuration keeps
#      alerting; SIGHUP with a changed file moves alerts.json_file and
#      applies a new allowlist entry (counted in the SIGUSR1 stats line)
#   4. SIGTERM exits 0 and leaves the state file
#   5. a periodic save survives SIGKILL: the next start loads the state
# Needs root; prints "skip: ..." and exits 0 without it.  E2E_KEEP=1 keeps
# the temporary directory.
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh"

B=${1:-build}
case "$B" in
/*) ;;
*) if [ -d "$B" ]; then B="$(pwd)/$B"; else B="$ROOT/$B"; fi ;;
esac
EXFILD="$B/exfild"

[ "$(id -u)" -eq 0 ] || e2e_skip "needs root (network namespaces, live capture)"
e2e_need ip unshare mount rsyslogd dig curl ping sysctl awk
[ -x "$EXFILD" ] || { echo "FAIL: $EXFILD is missing (run make)"; exit 1; }
[ -n "$E2E_PY" ] || e2e_need nc
RUN_USER=nobody
id "$RUN_USER" >/dev/null 2>&1 || e2e_skip "user $RUN_USER does not exist"
RUN_GROUP=$(id -gn "$RUN_USER")

e2e_trap
e2e_mktemp T || exit 1
RUN="$T/run"			# owned by the run user: state and alerts
CONF="$T/exfild.yaml"
SYSLOG="$T/syslog-local5.log"	# rsyslog: local5, raw
SYSLOG_ALL="$T/syslog-all.log"	# rsyslog: everything, for diagnostics
JSON1="$RUN/alerts.json"
JSON2="$RUN/alerts2.json"
STATE="$RUN/state.db"
mkdir -p "$RUN" "$T/rsyslog-work" "$T/newdev"
chown "$RUN_USER:$RUN_GROUP" "$RUN"

RULES="$ROOT/rules"
if ! setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --clear-groups \
    test -r "$RULES/dns.yaml" 2>/dev/null; then
	# A reload reads the rules as the run user.
	cp -r "$RULES" "$T/rules"
	RULES="$T/rules"
	echo "note: $ROOT/rules is not readable by $RUN_USER, using a copy"
fi

P="exf$$"
NS_O="$P-office" NS_R="$P-router" NS_I="$P-internet"
IF_O="${P}o" IF_RO="${P}ro" IF_RI="${P}ri" IF_I="${P}i"
IF_CAP="$IF_RO"
HOST=10.50.0.2 SERVER=198.51.100.2

diagnostics()
{
	local f

	for f in "$T"/exfild-*.err "$SYSLOG" "$SYSLOG_ALL" "$T/rsyslogd.out" \
	    "$JSON1" "$JSON2" "$T/dig.out" "$T/curl.out" "$T/servers.err"; do
		[ -e "$f" ] && e2e_tail "$f" 15
	done
}

# Stop here: what follows needs what failed.
abort()
{
	e2e_fail "$*"
	diagnostics
	e2e_finish
}

# ---- topology ------------------------------------------------------------

e2e_netns_add "$NS_O" || e2e_skip "ip netns add failed"
e2e_netns_add "$NS_R" || abort "ip netns add $NS_R"
e2e_netns_add "$NS_I" || abort "ip netns add $NS_I"
for ns in "$NS_O" "$NS_R" "$NS_I"; do
	# No IPv6 chatter (router solicitations, MLD) in the capture.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
done
e2e_veth "$NS_O" "$IF_O" "$NS_R" "$IF_RO" || abort "veth office-router"
e2e_veth "$NS_R" "$IF_RI" "$NS_I" "$IF_I" || abort "veth router-internet"
{
	ip -n "$NS_O" addr add "$HOST/24" dev "$IF_O" &&
	ip -n "$NS_O" route add default via 10.50.0.1 &&
	ip -n "$NS_R" addr add 10.50.0.1/24 dev "$IF_RO" &&
	ip -n "$NS_R" addr add 198.51.100.1/24 dev "$IF_RI" &&
	ip -n "$NS_R" route add 203.0.113.0/24 via "$SERVER" &&
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 &&
	ip -n "$NS_I" addr add "$SERVER/24" dev "$IF_I" &&
	ip -n "$NS_I" route add 10.50.0.0/24 via 198.51.100.1 &&
	# Without a DNS server each query is refused at once, not timed out.
	ip netns exec "$NS_I" sysctl -qw net.ipv4.icmp_ratelimit=0
} || abort "addresses and routes"
for i in $(seq 1 20); do
	ip -n "$NS_I" addr add "203.0.113.$i/32" dev lo || abort "203.0.113.$i"
done
# A public resolver's address, for the encrypted-DNS check.
ip -n "$NS_I" addr add 1.1.1.1/32 dev lo || abort "1.1.1.1"
ip -n "$NS_R" route add 1.1.1.1/32 via "$SERVER" || abort "route 1.1.1.1"
e2e_wait 10 ip netns exec "$NS_O" ping -q -c 1 -W 1 "$SERVER" >/dev/null ||
    abort "office cannot reach $SERVER through the router"
e2e_wait 10 ip netns exec "$NS_O" ping -q -c 1 -W 1 203.0.113.20 >/dev/null ||
    abort "office cannot reach 203.0.113.20 through the router"

# ---- servers in "internet" -----------------------------------------------

if [ -n "$E2E_PY" ]; then
	# DNS: every query answered NOERROR without records.
	cat > "$T/e2e_dnsd.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12:
        continue
    i = 12
    while i < len(q) and q[i] != 0:
        i += q[i] + 1
    i += 5
    r = q[:2] + bytes([0x80 | (q[2] & 0x79), 0x80]) + q[4:6] + bytes(6)
    s.sendto(r + q[12:i], peer)
EOF
	# HTTP: takes POST and PUT, answers 200.
	cat > "$T/e2e_httpd.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    do_PUT = do_POST
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])),
    H).serve_forever()
EOF
	e2e_bg DNS_PID ip netns exec "$NS_I" "$E2E_PY" "$T/e2e_dnsd.py" "$SERVER" \
	    2>>"$T/servers.err"
	e2e_bg HTTP_PID ip netns exec "$NS_I" "$E2E_PY" "$T/e2e_httpd.py" \
	    "$SERVER" 8080 2>>"$T/servers.err"
else
	# No DNS server: dig's queries are the traffic, refused or not.
	e2e_bg HTTP_PID ip netns exec "$NS_I" bash -c 'while :; do
		printf "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok" |
		    nc -l -N "$1" 8080 >/dev/null 2>&1 || sleep 0.2
	done' sh "$SERVER" 2>>"$T/servers.err"
fi
e2e_wait 10 ip netns exec "$NS_O" curl -s -o /dev/null -m 2 \
    "http://$SERVER:8080/" || abort "HTTP server in $NS_I does not answer"
# TLS on 1.1.1.1:443, a self-signed certificate made here.
DOH=0
if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=e2e \
    -keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1; then
	e2e_bg TLS_PID ip netns exec "$NS_I" openssl s_server -quiet -www \
	    -accept 1.1.1.1:443 -cert "$T/tls.crt" -key "$T/tls.key" \
	    2>>"$T/servers.err"
	e2e_wait 10 ip netns exec "$NS_O" curl -sk -o /dev/null -m 2 \
	    https://1.1.1.1/ && DOH=1
fi
[ "$DOH" = 1 ] || echo "  note: no TLS server on 1.1.1.1; EXF-DNS-006 not checked"

# ---- the test's rsyslogd ---------------------------------------------------

sed -e "s|@WORKDIR@|$T/rsyslog-work|g" -e "s|@SOCKET@|$T/log.sock|g" \
    -e "s|@ALERTS@|$SYSLOG|g" -e "s|@ALL@|$SYSLOG_ALL|g" \
    "$HERE/rsyslog.conf.in" > "$T/rsyslog.conf"
rsyslogd -N1 -f "$T/rsyslog.conf" > "$T/rsyslogd.out" 2>&1 ||
    abort "rsyslogd refuses $T/rsyslog.conf"
e2e_bg RSYSLOG_PID rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rsyslog.pid" \
    >> "$T/rsyslogd.out" 2>&1
e2e_wait 10 test -S "$T/log.sock" || abort "rsyslogd did not create $T/log.sock"

# Runs exfild with /dev/log pointing at the test's socket, in a mount
# namespace of its own: the system's /dev is not changed.  Where /dev/log
# is a socket it is bind-mounted over; where there is none, a small tmpfs
# with the usual device nodes and a /dev/log link replaces /dev.
cat > "$T/nsrun.sh" <<'EOF'
set -e
sock=$1 newdev=$2
shift 2
if [ -S /dev/log ]; then
	mount --bind "$sock" /dev/log
else
	mount -t tmpfs -o mode=0755,size=64k exfild-e2e-dev "$newdev"
	for n in null zero full random urandom tty; do
		[ -c "/dev/$n" ] || continue
		: > "$newdev/$n"
		mount --bind "/dev/$n" "$newdev/$n"
	done
	ln -s /proc/self/fd "$newdev/fd"
	ln -s "$sock" "$newdev/log"
	mount --move "$newdev" /dev
fi
exec "$@"
EOF

# ---- exfild ----------------------------------------------------------------

# write_conf FILE JSON_FILE [EXTRA_LINE...]
write_conf()
{
	local f=$1 json=$2

	shift 2
	cat > "$f.tmp" <<EOF
# exfild configuration of tests/e2e/live.sh
home_net: [10.0.0.0/8]
user: $RUN_USER
group: $RUN_GROUP
capture:
  interface: $IF_CAP
flows:
  idle_timeout: 2s
  tcp_close_timeout: 1s
  update_interval: 1s
baseline:
  learning_period: 0s
state:
  path: $STATE
  save_interval: 10s
rules_dir: $RULES
alerts:
  json_file: $json
  syslog:
    enabled: true
    facility: local5
    ident: exfild-test
stats:
  interval: 0s
EOF
	[ $# -gt 0 ] && printf '%s\n' "$@" >> "$f.tmp"
	chmod 0644 "$f.tmp"
	cat "$f.tmp" > "$f"	# same file, as an administrator edits it
	rm -f "$f.tmp"
}

# The process has become exfild and dropped root; 1 if it died.
dropped()
{
	local uid

	e2e__gone "$1" && return 2
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = exfild ] || return 1
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$uid" ] && [ "$uid" != 0 ]
}

# start_exfild NAME: sets EXF_PID and EXF_ERR (stderr, where -f logs)
start_exfild()
{
	local deadline=$((SECONDS + 15)) rc

	EXF_ERR="$T/exfild-$1.err"
	e2e_bg EXF_PID ip netns exec "$NS_R" unshare -m --propagation private \
	    sh "$T/nsrun.sh" "$T/log.sock" "$T/newdev" \
	    "$EXFILD" -f -c "$CONF" -i "$IF_CAP" \
	    > "$T/exfild-$1.out" 2> "$EXF_ERR"
	while :; do
		dropped "$EXF_PID"
		rc=$?
		[ "$rc" = 0 ] && return 0
		[ "$rc" = 2 ] && { echo "exfild ($1) exited" >&2; return 1; }
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

alive()
{
	! e2e__gone "$1"
}

# count FILE SEP FIELD=VALUE...: matching alert lines
count()
{
	e2e_json_count "$@"
}

# wait_alert SECS FILE SEP FIELD=VALUE...: until one line matches
wait_alert()
{
	local secs=$1

	shift
	e2e_wait "$secs" e2e__alert_there "$@"
}

e2e__alert_there()
{
	[ "$(e2e_json_count "$@")" -ge 1 ]
}

write_conf "$CONF" "$JSON1"
"$EXFILD" -T -c "$CONF" > "$T/exfild-check.out" 2>&1 ||
    { cat "$T/exfild-check.out"; abort "exfild -T refuses the test configuration"; }
start_exfild 1 || abort "exfild did not start and drop privileges within 15 s"
e2e_ok "exfild started in $NS_R capturing on $IF_CAP (pid $EXF_PID)"

# ---- 2. privileges ---------------------------------------------------------

check_priv()
{
	local pid=$1 st uid gid capeff capprm capbnd bad=0

	for st in /proc/"$pid"/task/*/status; do
		uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
		gid=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")
		capeff=$(awk '/^CapEff:/ { print $2 }' "$st")
		capprm=$(awk '/^CapPrm:/ { print $2 }' "$st")
		capbnd=$(awk '/^CapBnd:/ { print $2 }' "$st")
		case " $uid " in *" 0 "*) bad=1 ;; esac
		[ "$capeff" = 0000000000000000 ] || bad=1
		echo "  $st: Uid $uid Gid $gid CapEff $capeff CapPrm $capprm CapBnd $capbnd"
	done
	[ -n "$uid" ] && [ "$bad" = 0 ]
}
if out=$(check_priv "$EXF_PID"); then
	e2e_ok "privileges: every thread has a non-zero uid and CapEff 0000000000000000"
else
	e2e_fail "privileges: root uid or capabilities left"
fi
echo "$out"

# ---- 1. traffic and alerts through syslog -----------------------------------

# DNS tunnel: 200 queries, each a new random 40-character base32 label
# under one registered domain (dnstun: >= 50 distinct high-entropy names).
head -c 5000 /dev/urandom | base32 -w 40 | tr '[:upper:]' '[:lower:]' |
    while read -r l; do
	echo "@$SERVER +tries=1 +timeout=1 $l.t.exfil-e2e.example A"
    done > "$T/dig.batch"
timeout 60 ip netns exec "$NS_O" dig -f "$T/dig.batch" > "$T/dig.out" 2>&1
echo "  dig: $(wc -l < "$T/dig.batch") queries sent"

# Large ICMP: ping's payload is 1400 bytes, over icmp_large's 1000.
ip netns exec "$NS_O" ping -q -c 20 -i 0.2 -s 1400 -W 1 "$SERVER" \
    > "$T/ping.out" 2>&1 || echo "  ping: $(tail -n 2 "$T/ping.out" | head -n 1)"

# Archive POSTs: 25 bodies starting with PK\3\4 (http_archive_post: > 20).
{ printf 'PK\003\004'; head -c 4000 /dev/urandom; } > "$T/upload.zip"
timeout 60 ip netns exec "$NS_O" bash -c 'for i in $(seq 1 25); do
	curl -s -o /dev/null -m 5 -H "Expect:" --retry 5 \
	    --retry-connrefused --retry-delay 1 \
	    --data-binary @"$1" "http://$2:8080/upload/$i" || echo "curl $i failed"
done' sh "$T/upload.zip" "$SERVER" > "$T/curl.out" 2>&1
[ -s "$T/curl.out" ] && echo "  curl: $(head -n 1 "$T/curl.out")"

SEP=' -- '
if [ "$DOH" = 1 ]; then
	# The resolver named as a browser names it: encrypted DNS, no alert.
	ip netns exec "$NS_O" curl -sk -o /dev/null -m 5 \
	    --resolve cloudflare-dns.com:443:1.1.1.1 https://cloudflare-dns.com/ ||
	    echo "  curl https://cloudflare-dns.com/ failed"
	sleep 4		# closed 1 s after its FIN, then judged
	c=$(count "$JSON1" "" rule.id=EXF-DNS-006)
	e2e_check "DoH to 1.1.1.1 naming cloudflare-dns.com: no EXF-DNS-006 ($c)" \
	    test "$c" = 0
	# By address: TLS carries no server name.
	ip netns exec "$NS_O" curl -sk -o /dev/null -m 5 https://1.1.1.1/ ||
	    echo "  curl https://1.1.1.1/ failed"
	wait_alert 15 "$SYSLOG" "$SEP" rule.id=EXF-DNS-006
	c=$(count "$SYSLOG" "$SEP" rule.id=EXF-DNS-006 source.ip=$HOST \
	    destination.ip=1.1.1.1 destination.port=443 \
	    exfild.detector=dns_encrypted_tunnel)
	e2e_check "syslog: EXF-DNS-006 for TLS without a server name from $HOST to 1.1.1.1:443 ($c)" \
	    test "$c" = 1
fi
wait_alert 20 "$SYSLOG" "$SEP" rule.id=EXF-DNS-001
wait_alert 10 "$SYSLOG" "$SEP" rule.id=EXF-ICMP-002
wait_alert 10 "$SYSLOG" "$SEP" rule.id=EXF-HTTP-001
wait_alert 10 "$SYSLOG" "$SEP" rule.id=EXF-COR-001
alive "$EXF_PID" || abort "exfild died during the traffic"

n=$(grep -c . "$SYSLOG" 2>/dev/null) || n=0
e2e_check "syslog: the test's rsyslogd received $n local5 line(s)" \
    test "$n" -ge 3
bad=$(grep -Evc "^<(16[89]|17[0-5])>.* exfild-test\[$EXF_PID\]: exfild\[alert\] " \
    "$SYSLOG" 2>/dev/null)
e2e_check "syslog: every line is <PRI>, ident exfild-test[$EXF_PID], exfild[alert] prefix" \
    test "${bad:-1}" = 0
e2e_check "syslog: every line's JSON after ' -- ' parses, with @timestamp event.kind rule.id source.ip threat.technique.id" \
    e2e_json_check "$SYSLOG" "$SEP" @timestamp event.kind rule.id source.ip \
    threat.technique.id
e2e_check "syslog: event.kind is alert on every line" \
    test "$(count "$SYSLOG" "$SEP" event.kind=alert)" = "$n"
for r in "EXF-DNS-001 DNS tunnel" "EXF-ICMP-002 large ICMP" \
    "EXF-HTTP-001 archive POST"; do
	id=${r%% *}
	c=$(count "$SYSLOG" "$SEP" rule.id="$id" source.ip=$HOST \
	    destination.ip=$SERVER)
	e2e_check "syslog: $id (${r#* }) from $HOST to $SERVER ($c)" \
	    test "$c" -ge 1
done
c=$(count "$SYSLOG" "$SEP" rule.id=EXF-DNS-001 destination.domain=exfil-e2e.example)
c2=$(count "$SYSLOG" "$SEP" rule.id=EXF-DNS-001 exfild.detector=dns_tunnel \
    threat.technique.id=T1048.003)
e2e_check "syslog: the DNS tunnel alert names exfil-e2e.example, dns_tunnel, T1048.003" \
    test "$c" -ge 1 -a "$c2" -ge 1
c=$(count "$SYSLOG" "$SEP" rule.id=EXF-ICMP-001)
e2e_check "syslog: no EXF-ICMP-001 (icmp_tunnel) for ping's constant payload ($c)" \
    test "$c" = 0
c=$(count "$SYSLOG" "$SEP" rule.id=EXF-COR-001 source.ip=$HOST)
e2e_check "syslog: EXF-COR-001 correlation incident for $HOST ($c)" \
    test "$c" -ge 1
e2e_check "json file: every line parses, with the same ECS fields" \
    e2e_json_check "$JSON1" "" @timestamp event.kind rule.id source.ip \
    threat.technique.id
for id in EXF-DNS-001 EXF-ICMP-002 EXF-HTTP-001 EXF-COR-001; do
	c=$(count "$JSON1" "" rule.id=$id source.ip=$HOST)
	e2e_check "json file: $id ($c)" test "$c" -ge 1
done
same_count()
{
	[ "$(grep -c . "$SYSLOG")" = "$(grep -c . "$JSON1")" ]
}
e2e_check "syslog and the JSON file got the same number of alerts" \
    e2e_wait 5 same_count

# ---- 3. reload ---------------------------------------------------------------

write_conf "$CONF" "$JSON1" "bogus_key: 1"
kill -HUP "$EXF_PID"
e2e_check "SIGHUP, broken file: the log says the reload was refused" \
    e2e_wait_grep 10 "$EXF_ERR" "reload refused.*unknown key 'bogus_key'"
sleep 0.5
e2e_check "SIGHUP, broken file: exfild still runs" alive "$EXF_PID"
ip netns exec "$NS_O" ping -q -c 2 -i 0.2 -s 1400 -W 1 203.0.113.11 \
    > /dev/null 2>&1
e2e_check "after the refused reload the old configuration alerts (EXF-ICMP-002 to 203.0.113.11 in $JSON1)" \
    wait_alert 10 "$JSON1" "" rule.id=EXF-ICMP-002 destination.ip=203.0.113.11
e2e_check "after the refused reload the alert reaches syslog too" \
    wait_alert 5 "$SYSLOG" "$SEP" rule.id=EXF-ICMP-002 \
    destination.ip=203.0.113.11

# SIGUSR1: a stats line; print its count of allowlisted alerts.
usr1_allowlisted()
{
	local n

	n=$(grep -c '^exfild: stats ' "$EXF_ERR")
	kill -USR1 "$EXF_PID"
	e2e_wait_count 5 "$EXF_ERR" '^exfild: stats ' $((n + 1)) || return 1
	grep '^exfild: stats ' "$EXF_ERR" | tail -n 1 |
	    grep -oE ' (alert\.suppressed_allowlist|suppressed)=[0-9]+' |
	    head -n 1 | cut -d= -f2
}
allow_before=$(usr1_allowlisted)

# Changed: another json_file, and an allowlist entry for 203.0.113.13.
write_conf "$CONF" "$JSON2" "allowlist:" "  - comment: live.sh reload check" \
    "    rules: [EXF-ICMP-002]" "    destination: [203.0.113.13]"
kill -HUP "$EXF_PID"
e2e_check "SIGHUP, changed file: the log says it was reloaded" \
    e2e_wait_grep 10 "$EXF_ERR" "reloaded $CONF"
# .13 first: once the .12 alert is out, .13 has been judged.
for ip in 203.0.113.13 203.0.113.12; do
	ip netns exec "$NS_O" ping -q -c 2 -i 0.2 -s 1400 -W 1 "$ip" \
	    > /dev/null 2>&1
done
e2e_check "after the reload the alert goes to the new json_file $JSON2" \
    wait_alert 10 "$JSON2" "" rule.id=EXF-ICMP-002 destination.ip=203.0.113.12
c=$(count "$JSON1" "" destination.ip=203.0.113.12)
e2e_check "after the reload the old json_file gets nothing more ($c)" \
    test "$c" = 0
e2e_check "after the reload syslog still gets alerts" \
    wait_alert 5 "$SYSLOG" "$SEP" rule.id=EXF-ICMP-002 \
    destination.ip=203.0.113.12
c=$(count "$SYSLOG" "$SEP" destination.ip=203.0.113.13)
allow_after=$(usr1_allowlisted)
if [ "$c" = 0 ] && [ -n "$allow_before" ] && [ -n "$allow_after" ] &&
    [ "$allow_after" -gt "$allow_before" ]; then
	e2e_ok "after the reload its new allowlist entry silences 203.0.113.13 (SIGUSR1 stats: allowlisted $allow_before -> $allow_after)"
else
	e2e_fail "after the reload its new allowlist entry silences 203.0.113.13 ($c alert(s); SIGUSR1 stats: allowlisted '$allow_before' -> '$allow_after')"
fi

# ---- 4. SIGTERM ----------------------------------------------------------------

kill -TERM "$EXF_PID"
e2e_wait_exit "$EXF_PID" 20 rc
e2e_check "SIGTERM: exit status 0 (got $rc)" test "$rc" = 0
e2e_check "SIGTERM: the state file $STATE was saved" test -s "$STATE"
e2e_check "SIGTERM: the summary line was logged" \
    grep -q '^summary packets=' "$EXF_ERR"

# ---- 5. periodic save, SIGKILL, load ---------------------------------------------

rm -f "$STATE"
start_exfild 2 || abort "exfild did not start again"
# Saves follow packet time: keep packets flowing.
e2e_bg PING_PID ip netns exec "$NS_O" ping -q -i 0.5 -s 200 "$SERVER" \
    > /dev/null 2>&1
if e2e_wait 45 test -s "$STATE"; then
	e2e_ok "state.save_interval 10s: $STATE written while running"
else
	e2e_fail "state.save_interval 10s: no $STATE after 45 s"
fi
{
	kill -KILL "$EXF_PID"
	e2e_wait_exit "$EXF_PID" 10 rc
} 2>/dev/null	# no "Killed" job notice
e2e_check "SIGKILL: exfild is gone (status $rc)" test "$rc" = 137
e2e_stop "$PING_PID" 3
start_exfild 3 || abort "exfild did not start after SIGKILL"
e2e_check "restart after SIGKILL: the log says the state was loaded" \
    e2e_wait_grep 10 "$EXF_ERR" "state: loaded $STATE"
if grep -q 'state: ' "$EXF_ERR" && ! grep -q "state: loaded" "$EXF_ERR"; then
	grep 'state: ' "$EXF_ERR"
fi
kill -TERM "$EXF_PID"
e2e_wait_exit "$EXF_PID" 20 rc
e2e_check "restarted exfild: SIGTERM exit status 0 (got $rc)" test "$rc" = 0

[ "$E2E_FAILURES" -ne 0 ] && diagnostics
e2e_finish
