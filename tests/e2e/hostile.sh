#!/bin/sh
# Hostile network strings through both alert outputs.  tests/tools/
# hostile_pcap.c writes a capture whose DNS names, TLS server names and
# HTTP Host headers carry newlines, carriage returns, quotes, backslashes,
# control bytes, invalid UTF-8, a forged " -- {JSON}" separator and 10 KB
# names, each in traffic that trips a detector (DNS tunnel, SNIcat,
# archive POST).  exfild replays it with its syslog output pointed
# (alerts.syslog.socket) at an rsyslogd of the test's own that stores the
# messages raw, with rsyslog's own escaping of control characters off, so
# whatever exfild sends is what is checked:
#   - alerts from each path: EXF-DNS-001, EXF-TLS-001, EXF-HTTP-001
#   - one syslog line per alert, one JSON line per alert, no byte below
#     0x20 or 0x7f in either file; every syslog line is <PRI> of local5,
#     the test's ident, "exfild[alert]", " -- ", then JSON
#   - (python3) every line is strict UTF-8, its JSON part parses and has
#     @timestamp, event.kind, rule.id, source.ip, threat.technique.id; the
#     syslog JSON parts are the JSON file's lines; the first " -- " is the
#     separator even when a server name contains " -- {...}"; no forged
#     rule id; destination.domain holds the hostile strings escaped
#     (control characters, U+FFFD for invalid UTF-8, quotes, backslashes)
#     rather than dropped, and the prefix's domain= has no raw space
# Skips without cc or rsyslogd, or when rsyslogd cannot run as non-root.
. "$(dirname "$0")/common.sh"

RS_PID=
cleanup() {
	if [ -n "$RS_PID" ] && kill -0 "$RS_PID" 2>/dev/null; then
		kill "$RS_PID" 2>/dev/null
		wait "$RS_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

[ -x "$EXFILD" ] || { echo "FAIL: $EXFILD is missing (run make)"; exit 1; }
command -v cc >/dev/null 2>&1 || { echo "skip: cc is not installed"; exit 0; }
RSYSLOGD=$(command -v rsyslogd 2>/dev/null) ||
    { echo "skip: rsyslogd is not installed"; exit 0; }

tail_file() { # FILE: the end of a file for diagnostics
	echo "---- $1"
	[ -f "$1" ] && tail -n 15 "$1" | cut -c1-300
}

# ---- the capture ---------------------------------------------------------

if ! cc -O2 -std=c11 -Wall -Wextra -Werror -o "$T/hostile_pcap" \
    "$ROOT/tests/tools/hostile_pcap.c" 2>"$T/cc.err"; then
	cat "$T/cc.err"
	bad "hostile_pcap.c does not compile"
	finish
fi
"$T/hostile_pcap" "$T/hostile.pcap" >"$T/gen.out" 2>&1 ||
    { cat "$T/gen.out"; bad "hostile_pcap failed"; finish; }
ok "capture written: $(cat "$T/gen.out")"

# ---- the test's rsyslogd ---------------------------------------------------

# rsyslog.conf.in, with rsyslog's own escaping of what it receives turned
# off: a control character exfild sent must reach the file as it is.
SYSLOG="$T/syslog-local5.log"
mkdir -p "$T/rsyslog-work"
{
	echo 'global(parser.escapeControlCharactersOnReceive="off"'
	echo '       parser.dropTrailingLFOnReception="off")'
	sed -e "s|@WORKDIR@|$T/rsyslog-work|g" -e "s|@SOCKET@|$T/log.sock|g" \
	    -e "s|@ALERTS@|$SYSLOG|g" -e "s|@ALL@|$T/syslog-all.log|g" \
	    "$ROOT/tests/e2e/rsyslog.conf.in"
} > "$T/rsyslog.conf"
if ! "$RSYSLOGD" -N1 -f "$T/rsyslog.conf" >"$T/rsyslogd.out" 2>&1; then
	cat "$T/rsyslogd.out"
	bad "rsyslogd refuses $T/rsyslog.conf"
	finish
fi
"$RSYSLOGD" -n -f "$T/rsyslog.conf" -i "$T/rsyslog.pid" \
    >>"$T/rsyslogd.out" 2>&1 &
RS_PID=$!
i=0
while [ ! -S "$T/log.sock" ] && [ "$i" -lt 50 ]; do
	kill -0 "$RS_PID" 2>/dev/null || break
	sleep 0.2
	i=$((i + 1))
done
if [ ! -S "$T/log.sock" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "skip: rsyslogd does not run here as $(id -un)"
		exit 0
	fi
	tail_file "$T/rsyslogd.out"
	bad "rsyslogd did not create $T/log.sock"
	finish
fi
ok "rsyslogd (pid $RS_PID) listens on $T/log.sock"
# The harness itself: a probe (local4, so not in the alert file) with a
# control character must be stored raw, or the checks below prove nothing.
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(sys.argv[1])
s.send(b"<165>Jan  1 00:00:00 probe: raw\x01ctl")' "$T/log.sock"
	probe_there() { LC_ALL=C grep -aq 'probe: *raw' "$T/syslog-all.log" 2>/dev/null; }
	i=0
	while ! probe_there && [ "$i" -lt 25 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	if LC_ALL=C grep -aq "$(printf 'probe: *raw\001ctl')" "$T/syslog-all.log"; then
		ok "rsyslogd stores what it receives raw (a control character probe)"
	else
		bad "rsyslogd does not store a control character raw"
		tail_file "$T/syslog-all.log"
	fi
fi

# ---- the replay ----------------------------------------------------------------

cat > "$T/exfild.yaml" <<EOF
home_net: [10.0.0.0/8]
user: ""
state: {path: ""}
rules_dir: $ROOT/rules
baseline: {learning_period: 0s}
alerts:
  json_file: $T/alerts.json
  syslog:
    enabled: true
    facility: local5
    ident: exfild-hostile
    socket: $T/log.sock
EOF
if "$EXFILD" -c "$T/exfild.yaml" -r "$T/hostile.pcap" >"$T/exfild.out" \
    2>"$T/exfild.err"; then
	ok "replay: exit status 0"
else
	bad "replay: exit status $?"
	tail_file "$T/exfild.err"
fi
JSON="$T/alerts.json"
[ -f "$JSON" ] || : > "$JSON"
n_json=$(wc -l < "$JSON" | tr -d ' ')
# rsyslog writes on its own time: wait for as many lines as alerts.
i=0
while :; do
	n_sys=0
	[ -f "$SYSLOG" ] && n_sys=$(wc -l < "$SYSLOG" | tr -d ' ')
	[ "$n_sys" -ge "$n_json" ] && break
	[ "$i" -ge 25 ] && break
	sleep 0.2
	i=$((i + 1))
done
sleep 0.5	# and nothing more comes
[ -f "$SYSLOG" ] || : > "$SYSLOG"
n_sys=$(wc -l < "$SYSLOG" | tr -d ' ')

# The JSON file is the reference: exfild writes it synchronously.
if [ "$n_sys" = "$n_json" ] && [ "$n_json" -ge 10 ]; then
	ok "syslog: every alert arrived, one line each ($n_sys lines, $n_json in the json file)"
else
	bad "syslog: $n_sys lines for the $n_json alerts of the json file"
	grep 'syslog' "$T/exfild.err"
fi

# Rule ids per output, without python: the JSON has "rule":{"id":"..."
rule_count() { # FILE RULE
	LC_ALL=C grep -ac "\"rule\":{\"id\":\"$2\"" "$1"
}
for r in "EXF-DNS-001 2 DNS tunnel" "EXF-TLS-001 4 SNIcat" \
    "EXF-HTTP-001 4 archive POST"; do
	# shellcheck disable=SC2086  # split "RULE MIN WHAT"
	set -- $r
	cj=$(rule_count "$JSON" "$1")
	cs=$(rule_count "$SYSLOG" "$1")
	if [ "$cj" -ge "$2" ] && [ "$cs" -ge 1 ]; then
		ok "$1 ($3): $cj in the json file (want >= $2), $cs in syslog"
	else
		bad "$1 ($3): $cj in the json file (want >= $2), $cs in syslog"
	fi
done

# Control characters: [[:cntrl:]] in the C locale is 0x00-0x1f and 0x7f.
for f in "$SYSLOG" "$JSON"; do
	c=$(LC_ALL=C grep -ac '[[:cntrl:]]' "$f")
	if [ "$c" = 0 ]; then
		ok "$(basename "$f"): no line holds a control character"
	else
		bad "$(basename "$f"): $c line(s) with control characters"
		LC_ALL=C grep -an '[[:cntrl:]]' "$f" | head -n 3 | cut -c1-200 |
		    od -c | head -n 10
	fi
done
c=$(LC_ALL=C grep -avcE '^<(16[89]|17[0-5])>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} exfild-hostile\[[0-9]+\]: exfild\[alert\] .* -- \{.*\}$' "$SYSLOG")
if [ "$c" = 0 ]; then
	ok "syslog: every line is <PRI local5> ident[pid]: exfild[alert] ... -- {...}"
else
	bad "syslog: $c line(s) not <PRI local5> ident[pid]: exfild[alert] ... -- {...}"
	LC_ALL=C grep -avE '^<(16[89]|17[0-5])>' "$SYSLOG" | head -n 3 | cut -c1-200
fi
c=$(LC_ALL=C grep -avc '^{.*}$' "$JSON")
if [ "$c" = 0 ]; then
	ok "json file: every line is {...}"
else
	bad "json file: $c line(s) not {...}"
fi

# ---- JSON, UTF-8 and the hostile strings (python3) ---------------------------

if ! command -v python3 >/dev/null 2>&1; then
	echo "note: python3 is not installed: JSON and UTF-8 checks skipped"
	finish
fi
cat > "$T/check.py" <<'EOF'
import json, re, sys

syslog_path, json_path = sys.argv[1], sys.argv[2]
fails = 0

def ok(msg):
    print("ok: " + msg)

def bad(msg):
    global fails
    fails += 1
    print("FAIL: " + msg)

def get(doc, name):
    cur = doc
    for k in name.split("."):
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur

FIELDS = ("@timestamp", "event.kind", "rule.id", "source.ip",
    "threat.technique.id")

def parse(path, sep):
    docs, prefixes, raws, errs = [], [], [], 0
    with open(path, "rb") as f:
        for no, raw in enumerate(f, 1):
            raw = raw.rstrip(b"\n")
            try:
                line = raw.decode("utf-8", errors="strict")
            except UnicodeDecodeError as e:
                print("  %s:%d: not UTF-8: %s" % (path, no, e))
                errs += 1
                continue
            prefix = ""
            if sep:
                i = line.find(sep)
                if i < 0:
                    print("  %s:%d: no %r" % (path, no, sep))
                    errs += 1
                    continue
                prefix, line = line[:i], line[i + len(sep):]
            try:
                doc = json.loads(line)
            except ValueError as e:
                print("  %s:%d: not JSON: %s: %.120r" % (path, no, e, line))
                errs += 1
                continue
            if not isinstance(doc, dict):
                print("  %s:%d: not an object" % (path, no))
                errs += 1
                continue
            for k in FIELDS:
                v = get(doc, k)
                if v is None or v == "" or v == []:
                    print("  %s:%d: %s missing" % (path, no, k))
                    errs += 1
            docs.append(doc)
            prefixes.append(prefix)
            raws.append(line)
    return docs, prefixes, raws, errs

sdocs, sprefix, sraw, serr = parse(syslog_path, " -- ")
jdocs, _, jraw, jerr = parse(json_path, "")
for name, docs, errs in (("syslog", sdocs, serr), ("json file", jdocs, jerr)):
    if errs == 0 and docs:
        ok("%s: %d lines, strict UTF-8, the JSON parses, with %s"
            % (name, len(docs), " ".join(FIELDS)))
    else:
        bad("%s: %d bad line(s) of %d" % (name, errs, len(docs) + errs))
# Lines syslog lost are reported above; what arrived must be the same.
it = iter(jraw)
if all(any(s == j for j in it) for s in sraw):
    ok("syslog: the JSON after ' -- ' is the json file's line, in order"
        " (%d of %d)" % (len(sraw), len(jraw)))
else:
    bad("syslog JSON parts are not the json file's lines")

ids = sorted(set(get(d, "rule.id") for d in jdocs + sdocs))
if any(not re.match(r"^EXF-[A-Z]+-[0-9]{3}$", str(i)) for i in ids):
    bad("a rule id that is no rule: %s" % ids)
else:
    ok("no forged rule id (%s)" % ", ".join(ids))

# The human prefix keeps domain= one token: spaces and '=' escaped.
n = 0
for p, d in zip(sprefix, sdocs):
    if get(d, "destination.domain") is None:
        continue
    n += 1
    if not re.search(r" domain=\S+ (bytes|score)=", p):
        bad("prefix: domain= is not one token: %.200r" % p)
        break
else:
    ok("prefix: domain= is one token in all %d lines that have it" % n)

def dom(rule, ip):
    return [get(d, "destination.domain") for d in jdocs
        if get(d, "rule.id") == rule and get(d, "destination.ip") == ip]

def expect(what, rule, ip, test):
    got = dom(rule, ip)
    if any(g is not None and test(g) for g in got):
        ok("%s: %s to %s, destination.domain %.80r" % (what, rule, ip,
            [g for g in got if g is not None and test(g)][0]))
    else:
        bad("%s: %s to %s: destination.domain %.200r" % (what, rule, ip,
            got))

def dec(b):
    return b.decode("utf-8", errors="replace")

RES = "198.51.100.53"
# DNS: the names in presentation form, "\"" and "\DDD" escapes.
expect("DNS tunnel under a hostile registered domain", "EXF-DNS-001", RES,
    lambda g: g == 'ev\\"il\\010\\001\\255.example')
expect("DNS 255-byte name, hostile registered label", "EXF-DNS-001", RES,
    lambda g: g.startswith('\\"\\\\\\010\\013\\027[31m\\255')
        and g.endswith(".com"))
# TLS: the raw bytes after the SNIcat label, U+FFFD for invalid UTF-8.
sni = {
    "203.0.113.11": b'"\n\x1b[31m\xff.evil.com',
    "203.0.113.12": b'\\\r\x7f\xc3\x28"q\\uote".bad.example',
    "203.0.113.13": b'\xc0\xaf\x80\xe2\x80\xa8\xf4\x90\x80\x80'
        b'\xed\xa0\x80\x01\x02\x1f.x.example',
    "203.0.113.14": b' -- {"rule":{"id":"FAKE-1"}} -- .x.example',
}
for ip, raw in sorted(sni.items()):
    want = dec(raw)
    expect("SNIcat, hostile server name", "EXF-TLS-001", ip,
        lambda g, w=want: g == w)
expect("SNIcat, 10 KB server name in one segment", "EXF-TLS-001",
    "203.0.113.15", lambda g: g.startswith('"\\\n\r\x1b[31m\ufffd')
        and "\x01" in g and "\u2028" in g and len(g) >= 100)
if not dom("EXF-TLS-001", "203.0.113.16"):
    print("info: no EXF-TLS-001 for 203.0.113.16: a server name in a "
        "later segment of a split ClientHello is not matched")
# HTTP: the Host of the request that crossed the threshold.
hosts80 = [b'ev"il\\host\x01\x7f\x1b[0m.example',
    b'"\\"\\\\\x02\x03\x04\t\x0b\x0c\x0e\x1f.example', b"lone\rcr\x7f",
    b'{"json"']
hosts81 = [b"bad\xff\xfe.example", b"bad\xc3\x28.example",
    b"over\xc0\xaf.long\xe0\x80\xaf.example", b"lone\x80\xbf.cont.example",
    b"sur\xed\xa0\x80.big\xf4\x90\x80\x80.ls\xe2\x80\xa8.example"]
expect("archive POST, Host of quotes and control bytes", "EXF-HTTP-001",
    "198.51.100.80", lambda g: g in [dec(h) for h in hosts80])
expect("archive POST, Host of invalid UTF-8", "EXF-HTTP-001",
    "198.51.100.81", lambda g: g in [dec(h) for h in hosts81]
        and "\ufffd" in g)
expect("archive POST, 10 KB Host in one segment", "EXF-HTTP-001",
    "198.51.100.82", lambda g: g.startswith('big"\\\x01"\\\x1b[31m\ufffd')
        and len(g) >= 40)
expect("archive POST, 10 KB Host split over segments", "EXF-HTTP-001",
    "198.51.100.83", lambda g: True)
sys.exit(1 if fails else 0)
EOF
python3 "$T/check.py" "$SYSLOG" "$JSON" > "$T/check.out" 2>&1
rc=$?
cat "$T/check.out"
c=$(grep -c '^FAIL' "$T/check.out")
failures=$((failures + c))
[ "$rc" -ne 0 ] && [ "$c" = 0 ] && bad "check.py: exit status $rc"
[ "$failures" -eq 0 ] || { tail_file "$T/exfild.err"; tail_file "$T/rsyslogd.out"; }
finish
