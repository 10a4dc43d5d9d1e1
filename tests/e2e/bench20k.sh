#!/bin/sh
# The 20 000-flow benchmark capture: the summary's packet count equals what
# libpcap reads, its byte count equals the IP lengths, and it finds 20 000
# flows (within 0.5 %).
. "$(dirname "$0")/common.sh"
make -s -C "$ROOT" "$B/gen_bench" "$B/pcap_floor" BUILD="$B" >/dev/null || exit 1
"$B/gen_bench" "$T/b.pcap" 20000 1
floor=$("$B/pcap_floor" "$T/b.pcap" | awk '{print $1}')
# Every frame is untruncated, unpadded Ethernet + IPv4: IP bytes = frame - 14.
wire=$("$B/pcap_floor" "$T/b.pcap" | awk '{print $3 - 14 * $1}')
echo "" | mkconf "$T/c.yaml"
"$EXFILD" -c "$T/c.yaml" -r "$T/b.pcap" >/dev/null 2>"$T/err" || bad "exit status"
sum=$(tail -n 1 "$T/err")
echo "$sum"
case "$sum" in summary*) ok "last stderr line is the summary" ;; *) bad "last line: $sum" ;; esac
pk=$(echo "$sum" | sed 's/.*packets=\([0-9]*\).*/\1/')
by=$(echo "$sum" | sed 's/.*bytes=\([0-9]*\).*/\1/')
fl=$(echo "$sum" | sed 's/.*flows=\([0-9]*\).*/\1/')
[ "$pk" = "$floor" ] && ok "packets $pk = libpcap's $floor" || bad "packets $pk != $floor"
[ "$by" = "$wire" ] && ok "bytes $by = IP lengths $wire" || bad "bytes $by != IP lengths $wire"
if [ "$fl" -ge 19900 ] && [ "$fl" -le 20100 ]; then ok "flows $fl"; else bad "flows $fl not 20000 +- 0.5%"; fi
finish
