#!/bin/sh
# Channel detectors on real captures, with the learning period at 0 s:
# the DNS-tunnel, DNS-exfiltration and ICMP-tunnel captures of the
# MANIFEST raise their alert; ordinary traffic and the false-positive
# baselines raise none of these alerts.
. "$(dirname "$0")/common.sh"
need_pcaps
N="$PCAPS/ndpi/pcap"

# replay FILE [extra yaml] -> rule ids of the alerts, one per line
replay() {
	rm -f "$T/alerts.json"
	printf '%s\n' "${2:-}" | mkconf "$T/c.yaml"
	"$EXFILD" -c "$T/c.yaml" -r "$1" >/dev/null 2>"$T/err" || { bad "$1: exit status"; cat "$T/err"; }
	[ -f "$T/alerts.json" ] && sed -n 's/.*"rule":{"id":"\([^"]*\)".*/\1/p' "$T/alerts.json" | sort -u
}

expect() { # file rule [yaml]
	[ -f "$1" ] || { echo "skip: $1 absent"; return; }
	ids=$(replay "$1" "${3:-}")
	if echo "$ids" | grep -qx "$2"; then ok "$(basename "$1"): $2"; else bad "$(basename "$1"): no $2 (got: $ids)"; fi
}
quiet() { # file rule-pattern
	[ -f "$1" ] || { echo "skip: $1 absent"; return; }
	ids=$(replay "$1" "")
	hit=$(echo "$ids" | grep -E "$2" || true)
	if [ -z "$hit" ]; then ok "$(basename "$1"): none of $2"; else bad "$(basename "$1"): unexpected $hit"; fi
}

DNSRULES='EXF-DNS-00[0-9]'
expect "$N/dns-tunnel-iodine.pcap" EXF-DNS-001
expect "$N/bad-dns-traffic.pcap" EXF-DNS-001
expect "$N/dns_exfiltration.pcap" EXF-DNS-001
expect "$N/dns-exf.pcap" EXF-DNS-001
expect "$N/dns_long_domainname.pcap" EXF-DNS-001
# dns2tcp over DNS-over-HTTPS: TLS without a server name to 1.1.1.1:443.
expect "$N/dns2tcp_tunnel.pcap" EXF-DNS-006
# doh.pcapng is the same DoH client (byte-identical ClientHello, no SNI)
# resolving ordinary names: the channel is the same and so is the alert.
expect "$N/doh.pcapng" EXF-DNS-006
# A sanctioned DoH client is one allowlist line away.
if [ -f "$N/doh.pcapng" ]; then
	ids=$(replay "$N/doh.pcapng" "allowlist: [{host: [192.168.1.253/32], rules: [EXF-DNS-006]}]")
	if echo "$ids" | grep -qx EXF-DNS-006; then bad "doh.pcapng: allowlisted host still alerts"
	else ok "doh.pcapng: allowlisted host quiet"; fi
fi
# Encrypted DNS that names its resolver (Android Private DNS, DoH, DoT,
# DoQ, cleartext h2c DoH) is not a tunnel.
for f in "$N/googledns_android10.pcap" "$N/dns_doh.pcap" "$N/dns_dot.pcap" \
    "$N/doq.pcapng" "$PCAPS/suricata-verify/pcap/doh-post.pcap"; do
	quiet "$f" "EXF-DNS-006"
done
# Both ends of the ICMP tunnel capture are private: make one the outside.
HOME_NET="[192.168.154.131/32]" expect "$N/icmp-tunnel.pcap" EXF-ICMP-001
HOME_NET="[192.168.154.131/32]" expect "$N/icmp-tunnel.pcap" EXF-ICMP-002

for f in dns.pcap dns_ambiguous_names.pcap dns-google-nsid.pcapng \
    1kxun.pcap chrome.pcap iphone.pcap android.pcap sites.pcapng; do
	quiet "$N/$f" "$DNSRULES|EXF-ICMP-00[0-9]"
done
for f in "$PCAPS"/arkime/pcap/dns-wiresharkrepo.pcap "$PCAPS"/arkime/pcap/dns-punycode.pcap; do
	quiet "$f" "$DNSRULES"
done
# Ordinary pings to public addresses: no ICMP alert.
for f in "$N/googledns_android10.pcap" "$PCAPS/suricata-verify/pcap/icmp-and-ssh.pcap" \
    "$PCAPS/suricata-verify/pcap/qinq-icmp.pcap" "$PCAPS/suricata-verify/pcap/vlan-triple-icmp.pcap"; do
	quiet "$f" "EXF-ICMP-00[0-9]"
done
# Threat intelligence: a listed address raises EXF-INTEL-001 naming the list.
if [ -f "$PCAPS/suricata-verify/pcap/geoip-ssh-fr.pcap" ]; then
	printf '# test feed\n123.125.71.0/24\n' > "$T/feed.txt"
	expect "$PCAPS/suricata-verify/pcap/geoip-ssh-fr.pcap" EXF-INTEL-001 \
	    "intel: {ip_lists: [$T/feed.txt]}"
	grep -q 'feed.txt' "$T/alerts.json" && ok "intel alert names the list" ||
	    bad "intel alert does not name the list"
fi
finish
