# Sourced by the tests: replay_conf FILE ROOT JSONFILE [HOME_NET] writes the
# minimal configuration a replay runs with: no privileges to drop, no
# state file, no syslog, alerts to JSONFILE, the project's rules.  Extra
# YAML lines come from standard input.
replay_conf() {
	{
		echo "home_net: ${4:-[10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8]}"
		echo "user: \"\""
		echo "state: {path: \"\"}"
		echo "rules_dir: $2/rules"
		echo "alerts:"
		echo "  syslog: {enabled: false}"
		echo "  json_file: $3"
		cat
	} > "$1"
}
