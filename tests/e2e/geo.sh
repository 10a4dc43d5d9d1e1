#!/bin/sh
# GeoIP end to end: Suricata's GeoIP captures, replayed with Suricata's test
# database, give FR for 123.125.71.29 and DE for 82.165.177.154 in the flow
# records; a database the test builds maps its addresses as written, with
# region and ASN; a configured database that cannot be opened stops start-up.
. "$(dirname "$0")/common.sh"
need_pcaps
DB="$PCAPS/suricata-verify/suricata-geoip-test.mmdb"
[ -f "$DB" ] || { echo "skip: $DB absent"; exit 0; }

geo_of() { # capture address -> country of flows with that remote end
	rm -f "$T/flows.json"
	mkconf "$T/c.yaml" <<EOC
geoip: {country_db: $DB}
flows: {log: $T/flows.json}
EOC
	"$EXFILD" -c "$T/c.yaml" -r "$1" >/dev/null 2>"$T/err" || { bad "$1"; cat "$T/err"; }
	grep "\"$2\"" "$T/flows.json" | sed -n 's/.*"country":"\([A-Z]*\)".*/\1/p' | sort -u
}
c=$(geo_of "$PCAPS/suricata-verify/pcap/geoip-ssh-fr.pcap" 123.125.71.29)
[ "$c" = FR ] && ok "123.125.71.29 -> FR" || bad "123.125.71.29 -> '$c'"
c=$(geo_of "$PCAPS/suricata-verify/pcap/geoip-flowbit-oring.pcap" 82.165.177.154)
[ "$c" = DE ] && ok "82.165.177.154 -> DE" || bad "82.165.177.154 -> '$c'"

# Our own databases: country, region, ASN and organisation as written.
if perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null; then
	printf 'network\tcountry\tregion\tasn\torg\n82.165.0.0/16\tDE\tDE-HE\t8560\tIONOS SE\n123.125.0.0/16\tFR\tFR-IDF\t4808\tExample Org\n' > "$T/geo.tsv"
	perl "$ROOT/tests/tools/mkmmdb.pl" "$T/geo.tsv" "$T" >/dev/null || bad mkmmdb
	rm -f "$T/flows.json"
	mkconf "$T/c.yaml" <<EOC
geoip: {country_db: $T/country.mmdb, city_db: $T/city.mmdb, asn_db: $T/asn.mmdb}
flows: {log: $T/flows.json}
EOC
	"$EXFILD" -c "$T/c.yaml" -r "$PCAPS/suricata-verify/pcap/geoip-flowbit-oring.pcap" >/dev/null 2>&1
	if grep '"82.165.177.154"' "$T/flows.json" | grep -q '"country":"DE","region":"DE-HE","asn":8560,"as_org":"IONOS SE"'; then
		ok "own databases: DE, DE-HE, AS8560 IONOS SE"
	else
		bad "own databases: $(grep '"82.165.177.154"' "$T/flows.json" | head -1)"
	fi
fi

# A configured database that cannot be opened stops start-up with a clear error.
mkconf "$T/c.yaml" <<EOC
geoip: {country_db: $T/missing.mmdb}
EOC
if "$EXFILD" -c "$T/c.yaml" -r "$PCAPS/suricata-verify/pcap/geoip-ssh-fr.pcap" >/dev/null 2>"$T/err"; then
	bad "missing database accepted"
elif grep -q "missing.mmdb" "$T/err"; then ok "missing database refused: $(head -1 "$T/err")"
else bad "unclear error: $(cat "$T/err")"; fi
# No database: runs, and says once that geography is unknown.
echo "" | mkconf "$T/c.yaml"
"$EXFILD" -c "$T/c.yaml" -r "$PCAPS/suricata-verify/pcap/geoip-ssh-fr.pcap" >/dev/null 2>"$T/err" || bad "no database: exit status"
n=$(grep -c "geography\|country, region and ASN" "$T/err")
[ "$n" = 1 ] && ok "no database: one notice" || bad "no database: $n notices"
finish
