#!/bin/sh
# Install the Debian 12 packages exfild builds, tests and benchmarks with,
# but only those that are missing, so a second run costs one dpkg query.
set -eu
PKGS="build-essential pkg-config clang libpcap-dev libndpi-dev libndpi-bin
libmaxminddb-dev mmdb-bin libmaxmind-db-writer-perl libyaml-dev libcmocka-dev
libpsl-dev publicsuffix libsystemd-dev libcap-ng-dev rsyslog iproute2 dnsutils
curl netcat-openbsd iputils-ping softflowd valgrind tcpdump systemd time
python3"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
