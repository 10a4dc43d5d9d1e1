#!/bin/sh
#
# mkscenario.sh DIR [exfild-gen args...]
#
# Build a labelled scenario that exfild can replay: the capture, truth and
# GeoIP source table from exfild-gen, the three GeoIP databases from
# tests/tools/mkmmdb.pl, and DIR/exfild.yaml pointing at all of them.  The
# learning period and the sanctioned host group come from DIR/scenario.env,
# which exfild-gen writes, so the config always matches the scenario built.
#
set -eu

usage() {
	echo "usage: $0 dir [-s seed] [-d days] [-H hosts] [-S scenario]" \
	    "[-t epoch] [--flood n]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
case $1 in -*) usage ;; esac
dir=$1
shift

root=$(cd "$(dirname "$0")/../.." && pwd)
gen=${EXFILD_GEN:-$root/build/exfild-gen}
mkmmdb=$root/tests/tools/mkmmdb.pl

# Build the generator when it is missing, the way the Makefile does.
if [ ! -x "$gen" ]; then
	make -s -C "$root" build/exfild-gen >&2
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
"$gen" -o "$dir" "$@"

# shellcheck disable=SC1091
. "$dir/scenario.env"

# The finance group may sync to the company's SharePoint tenant without
# limit: one /32 per member, so the group stays exact for any -H.
finance=""
for h in $SANCTIONED_HOSTS; do
	finance="${finance:+$finance, }$h/32"
done

cat >"$dir/exfild.yaml" <<EOF
# exfild.yaml for the "$SCENARIO" scenario (seed $SEED, $DAYS days, $HOSTS
# workstations), written by tests/gen/mkscenario.sh.  Replay:
#   exfild -f -c $dir/exfild.yaml -r $dir/capture.pcap
# and compare $dir/alerts.json with $dir/truth.tsv.

# The company: 10.1.0.0/16 and its IPv6 /48 (a few dual-stack workstations).
home_net: [10.0.0.0/8, 192.168.0.0/16, $INTERNAL_V6]

host_groups:
  finance: [$finance]

# Replays run unprivileged.
user: ""
group: ""

rules_dir: $root/rules

# Built from geo.tsv by tests/tools/mkmmdb.pl: only the generator's networks.
geoip:
  country_db: $dir/country.mmdb
  city_db: $dir/city.mmdb
  asn_db: $dir/asn.mmdb

state:
  path: $dir/state.db

# The scenario's attacks come after this much capture time.
baseline:
  learning_period: $LEARNING_PERIOD

alerts:
  json_file: $dir/alerts.json
  syslog:
    enabled: false

allowlist:
  - comment: sanctioned cloud storage, the finance group's SharePoint tenant
    host: ["@finance"]
    domain: [$SANCTIONED_DOMAIN]
EOF

if [ ! -f "$mkmmdb" ]; then
	echo "mkscenario: $mkmmdb does not exist yet: cannot build the" \
	    "GeoIP databases for $dir" >&2
	exit 1
fi
perl "$mkmmdb" "$dir/geo.tsv" "$dir"
