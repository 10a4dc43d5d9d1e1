# lib.sh: shell helpers for the end-to-end tests, sourced by bash scripts.
#
#   e2e_trap                  run the registered clean-ups on exit (call once)
#   e2e_defer CMD ARGS...     register a clean-up, run last-registered first
#   e2e_skip REASON           print "skip: REASON" and exit 0
#   e2e_need CMD...           skip unless every command is installed
#   e2e_mktemp VAR            make a temporary directory (0755), removed on
#                             exit unless E2E_KEEP=1; its path goes into VAR
#   e2e_ok / e2e_fail MSG     print "ok: MSG" / "FAIL: MSG", count failures
#   e2e_check MSG CMD...      ok or FAIL by CMD's exit status
#   e2e_finish                print the summary, exit 1 on any failure
#   e2e_wait SECS CMD...      retry CMD every 0.2 s until it succeeds or
#                             SECS pass (status 1)
#   e2e_wait_grep SECS FILE ERE          until FILE has a line matching ERE
#   e2e_wait_count SECS FILE ERE N       until N lines of FILE match ERE
#   e2e_bg VAR CMD...         start CMD in the background, its pid in VAR;
#                             stopped on exit if it still runs
#   e2e_stop PID [SECS]       SIGTERM, then SIGKILL after SECS (default 5)
#   e2e_wait_exit PID SECS [VAR]
#                             wait up to SECS for a child to end, its exit
#                             status in VAR (124: still running, status 1)
#   e2e_json_check FILE [SEP] FIELD...
#                             every line of FILE (the part after the first
#                             SEP if SEP is not "") is a JSON object that
#                             has every dotted FIELD, non-empty
#   e2e_json_count FILE [SEP] FIELD=VALUE...
#                             print how many lines have every FIELD equal to
#                             VALUE (or, for arrays, containing it)
#   e2e_netns_add NAME        create a network namespace with lo up;
#                             removed on exit with the processes left in it
#   e2e_veth NS1 IF1 NS2 IF2  a veth pair between two namespaces, both up
#   e2e_tail FILE [N]         print the last N lines of FILE for diagnostics
#
# The JSON helpers use python3 when it is installed (and E2E_NO_PYTHON is
# not 1) and fall back to grep otherwise, which looks for '"parent":{...
# "last":' of each field name and does not prove the line parses.

E2E_FAILURES=0
E2E_CLEANUP=()
E2E_PY=
[ "${E2E_NO_PYTHON:-0}" = 1 ] || ! command -v python3 >/dev/null 2>&1 ||
    E2E_PY=python3

e2e_defer()
{
	E2E_CLEANUP+=("$(printf '%q ' "$@")")
}

e2e_cleanup()
{
	local i

	for ((i = ${#E2E_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${E2E_CLEANUP[i]}" >/dev/null 2>&1 || true
	done
	E2E_CLEANUP=()
}

e2e_trap()
{
	trap 'e2e_cleanup' EXIT
	trap 'echo "interrupted" >&2; exit 130' INT TERM HUP
}

e2e_skip()
{
	echo "skip: $*"
	exit 0
}

e2e_need()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || e2e_skip "$c is not installed"
	done
}

e2e_mktemp()
{
	local _e2e_d

	_e2e_d=$(mktemp -d "${TMPDIR:-/tmp}/exfild-e2e.XXXXXX") || return 1
	chmod 0755 "$_e2e_d"
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "keeping $_e2e_d" >&2
	else
		e2e_defer rm -rf -- "$_e2e_d"
	fi
	printf -v "$1" '%s' "$_e2e_d"
}

e2e_ok()
{
	echo "ok: $*"
}

e2e_fail()
{
	echo "FAIL: $*"
	E2E_FAILURES=$((E2E_FAILURES + 1))
}

e2e_check()
{
	local msg=$1

	shift
	if "$@"; then
		e2e_ok "$msg"
	else
		e2e_fail "$msg"
	fi
}

e2e_finish()
{
	if [ "$E2E_FAILURES" -ne 0 ]; then
		echo "$E2E_FAILURES failure(s)"
		exit 1
	fi
	echo "all passed"
	exit 0
}

e2e_wait()
{
	local deadline=$((SECONDS + $1))

	shift
	while :; do
		"$@" && return 0
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

e2e_wait_grep()
{
	e2e_wait "$1" grep -Eq -- "$3" "$2" 2>/dev/null
}

e2e__count_ge()
{
	local n

	n=$(grep -Ec -- "$2" "$1" 2>/dev/null) || n=0
	[ "$n" -ge "$3" ]
}

e2e_wait_count()
{
	e2e_wait "$1" e2e__count_ge "$2" "$3" "$4"
}

e2e_bg()
{
	local _e2e_var=$1

	shift
	"$@" &
	printf -v "$_e2e_var" '%s' "$!"
	e2e_defer e2e_stop "$!" 3
}

# Only a child of this shell is signalled, so a pid that was reused after
# the child ended is left alone.
e2e__is_child()
{
	local ppid

	ppid=$(ps -o ppid= -p "$1" 2>/dev/null | tr -d ' ')
	[ -n "$ppid" ] && [ "$ppid" = "$$" ]
}

e2e_stop()
{
	# shellcheck disable=SC2034  # set by e2e_wait_exit
	local pid=$1 secs=${2:-5} rc

	e2e__is_child "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	if ! e2e_wait_exit "$pid" "$secs" rc; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	return 0
}

e2e__gone()
{
	local st

	kill -0 "$1" 2>/dev/null || return 0
	st=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ "$st" = Z ]
}

# Not in $(...): only this shell can collect its children's exit status.
e2e_wait_exit()
{
	local _e2e_rc=124

	if e2e_wait "$2" e2e__gone "$1"; then
		wait "$1" 2>/dev/null
		_e2e_rc=$?
	fi
	[ -n "$3" ] && printf -v "$3" '%s' "$_e2e_rc"
	[ "$_e2e_rc" != 124 ]
}

e2e_netns_add()
{
	ip netns add "$1" || return 1
	e2e_defer e2e_netns_del "$1"
	ip -n "$1" link set lo up
}

# Processes still in the namespace can only be the test's own: stop them
# by pid before the namespace goes.
e2e_netns_del()
{
	local pids p

	pids=$(ip netns pids "$1" 2>/dev/null)
	if [ -n "$pids" ]; then
		for p in $pids; do
			kill -TERM "$p" 2>/dev/null
		done
		sleep 0.5
		for p in $(ip netns pids "$1" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	fi
	ip netns del "$1" 2>/dev/null
	return 0
}

e2e_veth()
{
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
	    return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

e2e_tail()
{
	local f=$1 n=${2:-20}

	echo "---- $f (last $n lines)"
	if [ -f "$f" ]; then
		tail -n "$n" -- "$f" | cut -c1-400
	else
		echo "(missing)"
	fi
	echo "----"
}

# The JSON part of a line: after the first SEP, or all of it.
E2E_JSON_PY='
import json, sys

mode, path, sep = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:]

def get(doc, name):
    cur = doc
    for k in name.split("."):
        if not isinstance(cur, dict) or k not in cur:
            return False, None
        cur = cur[k]
    return True, cur

def same(v, want):
    if isinstance(v, list):
        return any(same(x, want) for x in v)
    if isinstance(v, bool):
        return str(v).lower() == want
    return str(v) == want

bad = 0
count = 0
lines = 0
with open(path, encoding="utf-8", errors="replace") as f:
    for no, line in enumerate(f, 1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        lines += 1
        text = line
        if sep:
            i = line.find(sep)
            if i < 0:
                if mode == "check":
                    print("%s:%d: no %r in the line" % (path, no, sep),
                        file=sys.stderr)
                    bad += 1
                continue
            text = line[i + len(sep):]
        try:
            doc = json.loads(text)
        except ValueError as e:
            if mode == "check":
                print("%s:%d: not JSON: %s" % (path, no, e), file=sys.stderr)
                bad += 1
            continue
        if not isinstance(doc, dict):
            if mode == "check":
                print("%s:%d: not a JSON object" % (path, no),
                    file=sys.stderr)
                bad += 1
            continue
        if mode == "check":
            for name in args:
                ok, v = get(doc, name)
                if not ok or v is None or v == "" or v == []:
                    print("%s:%d: %s missing or empty (rule %s)" % (path, no,
                        name, get(doc, "rule.id")[1]), file=sys.stderr)
                    bad += 1
        else:
            match = True
            for a in args:
                name, want = a.split("=", 1)
                ok, v = get(doc, name)
                if not ok or not same(v, want):
                    match = False
                    break
            if match:
                count += 1
if mode == "check":
    if lines == 0:
        print("%s: no lines" % path, file=sys.stderr)
        sys.exit(1)
    sys.exit(1 if bad else 0)
print(count)
'

e2e__json_part()
{
	local line

	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ ^[[:space:]]*$ ]] && continue
		if [ -z "$2" ]; then
			printf '%s\n' "$line"
		elif [[ $line == *"$2"* ]]; then
			printf '%s\n' "${line#*"$2"}"
		fi
	done < "$1"
}

e2e__ere_quote()
{
	printf '%s' "$1" | sed 's/[][\.*^$()+?{}|/]/\\&/g'
}

# "parent":{... "last": for a.b.parent.last: the grep fallback's idea of a
# field, right as long as no object inside parent comes before last.
e2e__key_ere()
{
	local last parent

	last=$(e2e__ere_quote "${1##*.}")
	case "$1" in
	*.*)	parent=${1%.*}
		parent=$(e2e__ere_quote "${parent##*.}")
		printf '"%s":\\{[^}]*"%s":' "$parent" "$last" ;;
	*)	printf '"%s":' "$last" ;;
	esac
}

e2e_json_check()
{
	local f=$1 sep=$2 name n

	shift 2
	[ -s "$f" ] || { echo "$f: empty or missing" >&2; return 1; }
	if [ -n "$E2E_PY" ]; then
		"$E2E_PY" -c "$E2E_JSON_PY" check "$f" "$sep" "$@"
		return
	fi
	n=$(grep -c -v '^[[:space:]]*$' "$f")
	if [ -n "$sep" ] && [ "$(grep -cF -- "$sep" "$f")" -ne "$n" ]; then
		echo "$f: a line without '$sep'" >&2
		return 1
	fi
	if e2e__json_part "$f" "$sep" | grep -qv '^{.*}$'; then
		echo "$f: a line that is not a JSON object" >&2
		return 1
	fi
	for name in "$@"; do
		if e2e__json_part "$f" "$sep" |
		    grep -vqE -- "$(e2e__key_ere "$name")"; then
			echo "$f: a line without $name" >&2
			return 1
		fi
	done
	return 0
}

e2e_json_count()
{
	local f=$1 sep=$2 a name want re pipe

	shift 2
	[ -f "$f" ] || { echo 0; return 0; }
	if [ -n "$E2E_PY" ]; then
		"$E2E_PY" -c "$E2E_JSON_PY" count "$f" "$sep" "$@"
		return
	fi
	pipe="e2e__json_part $(printf '%q' "$f") $(printf '%q' "$sep")"
	for a in "$@"; do
		name=${a%%=*}
		want=$(e2e__ere_quote "${a#*=}")
		re="$(e2e__key_ere "$name")(\"$want\"|${want}[,}]|\\[[^]]*\"$want\")"
		pipe="$pipe | grep -E $(printf '%q' "$re")"
	done
	eval "$pipe" | wc -l | tr -d ' '
}
