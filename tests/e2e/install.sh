#!/bin/sh
# `make install` into a scratch root: every file in place with its mode and
# nothing else, the unit's placeholders filled in, the man pages rendering
# without warnings, the unit passing `systemd-analyze verify` (and keeping
# its `systemd-analyze security` rating), the sysusers.d and tmpfiles.d
# snippets valid, and the installed binary accepting the installed
# configuration and rules with `exfild -T`.  Takes the build directory.
. "$(dirname "$0")/common.sh"
D="$T/root"
case "$B" in "$ROOT"/*) BUILD=${B#"$ROOT"/} ;; *) BUILD=$B ;; esac

if make -C "$ROOT" --no-print-directory BUILD="$BUILD" install \
    DESTDIR="$D" PREFIX=/usr >"$T/make.log" 2>&1; then
	ok "make install DESTDIR=\$tmp PREFIX=/usr"
else
	bad "make install"
	tail -n 20 "$T/make.log"
	finish
fi

# --- every file, with its mode and content -----------------------------
expect="$T/expect"
: > "$expect"
has() { # path-in-root mode [source to compare with]
	echo "$1" >> "$expect"
	if [ ! -f "$D$1" ]; then
		bad "$1 not installed"
		return
	fi
	m=$(stat -c %a "$D$1")
	[ "$m" = "$2" ] || bad "$1 has mode $m, want $2"
	if [ -n "${3:-}" ] && ! cmp -s "$3" "$D$1"; then
		bad "$1 differs from ${3#"$ROOT"/}"
		return
	fi
	ok "$1"
}
has /usr/sbin/exfild 755 "$B/exfild"
has /usr/share/man/man8/exfild.8 644 "$ROOT/docs/exfild.8"
has /usr/share/man/man5/exfild.yaml.5 644 "$ROOT/docs/exfild.yaml.5"
has /etc/exfild/exfild.yaml 644 "$ROOT/config.example.yaml"
for f in "$ROOT"/rules/*.yaml "$ROOT"/rules/*.txt; do
	[ -f "$f" ] && has "/etc/exfild/rules/${f##*/}" 644 "$f"
done
has /lib/systemd/system/exfild.service 644
has /usr/lib/sysusers.d/exfild.conf 644 "$ROOT/dist/exfild.sysusers"
has /usr/lib/tmpfiles.d/exfild.conf 644 "$ROOT/dist/exfild.tmpfiles"

(cd "$D" && find . -type f | sed 's|^\.||' | sort) > "$T/found"
sort "$expect" > "$T/expect.sorted"
extra=$(comm -13 "$T/expect.sorted" "$T/found")
[ -z "$extra" ] && ok "no unexpected files" || bad "unexpected files: $extra"

# --- the unit -------------------------------------------------------------
U="$D/lib/systemd/system/exfild.service"
if grep -n '@[A-Z_]*@' "$U"; then
	bad "placeholders left in exfild.service"
else
	ok "placeholders filled in"
fi
grep -qx 'ExecStart=/usr/sbin/exfild -f -c /etc/exfild/exfild.yaml' "$U" &&
    ok "ExecStart names /usr/sbin and /etc" || bad "ExecStart: $(grep ^ExecStart "$U")"

if command -v systemd-analyze >/dev/null 2>&1; then
	# /usr/sbin/exfild need not exist on this machine: verify a copy that
	# runs the built binary.  The man pages come from the scratch root.
	mkdir -p "$T/unit"
	sed "s|/usr/sbin/exfild|$B/exfild|g" "$U" > "$T/unit/exfild.service"
	man=yes
	command -v man >/dev/null 2>&1 || man=no
	if MANPATH="$D/usr/share/man" systemd-analyze verify --man=$man \
	    "$T/unit/exfild.service" > "$T/verify" 2>&1 &&
	    ! grep -q . "$T/verify"; then
		ok "systemd-analyze verify"
	else
		bad "systemd-analyze verify"
		cat "$T/verify"
	fi
	if systemd-analyze security --offline=yes "$T/unit/exfild.service" \
	    > "$T/security" 2>&1; then
		score=$(sed -n 's/.*Overall exposure level for exfild.service: \([0-9.]*\).*/\1/p' "$T/security")
		if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'; then
			ok "systemd-analyze security: exposure $score"
		else
			bad "systemd-analyze security: exposure '$score' (want <= 2.5)"
			grep '✗' "$T/security"
		fi
	else
		echo "note: systemd-analyze security --offline unsupported, not rated"
	fi
else
	echo "note: systemd-analyze not found, unit not verified"
fi

# --- sysusers.d and tmpfiles.d snippets --------------------------------
S="$T/sysroot"
mkdir -p "$S/etc"
if command -v systemd-sysusers >/dev/null 2>&1 &&
    command -v systemd-tmpfiles >/dev/null 2>&1; then
	if systemd-sysusers --root="$S" "$ROOT/dist/exfild.sysusers" \
	    > "$T/sysusers" 2>&1 && grep -q '^exfild:' "$S/etc/passwd" &&
	    grep -q '^exfild:' "$S/etc/group"; then
		ok "exfild.sysusers creates user and group exfild"
	else
		bad "exfild.sysusers"
		cat "$T/sysusers"
	fi
	uid=$(awk -F: '$1 == "exfild" { print $3 }' "$S/etc/passwd")
	if systemd-tmpfiles --root="$S" --create "$ROOT/dist/exfild.tmpfiles" \
	    > "$T/tmpfiles" 2>&1 &&
	    [ "$(stat -c '%a %u' "$S/var/lib/exfild" 2>/dev/null)" = "750 $uid" ] &&
	    [ "$(stat -c '%a %u' "$S/var/log/exfild" 2>/dev/null)" = "750 $uid" ]; then
		ok "exfild.tmpfiles creates /var/lib/exfild and /var/log/exfild"
	else
		bad "exfild.tmpfiles"
		cat "$T/tmpfiles"
	fi
else
	echo "note: systemd-sysusers/systemd-tmpfiles not found, snippets not checked"
fi

# --- man pages ------------------------------------------------------------
if command -v groff >/dev/null 2>&1; then
	for p in man8/exfild.8 man5/exfild.yaml.5; do
		w=$(groff -mdoc -ww -z "$D/usr/share/man/$p" 2>&1)
		[ -z "$w" ] && ok "$p renders without warnings" || bad "$p: $w"
	done
else
	echo "note: groff not found, man pages not rendered"
fi

# --- the installed binary with the installed configuration ----------------
X="$D/usr/sbin/exfild"
v=$("$X" -V 2>&1)
case "$v" in "exfild "[0-9]*) ok "exfild -V: $v" ;; *) bad "exfild -V: $v" ;; esac

# -T opens the alert outputs as a start would (it creates the JSON file),
# so the state and log paths move into the scratch directory; the rules
# are the installed ones, identical to rules/ as checked above.
mkdir -p "$T/var/lib" "$T/var/log"
sed -e "s|^rules_dir:.*|rules_dir: $D/etc/exfild/rules|" \
    -e "s|/var/lib/exfild/|$T/var/lib/|" \
    -e "s|/var/log/exfild/|$T/var/log/|" \
    "$D/etc/exfild/exfild.yaml" > "$T/exfild.yaml"
grep -q "^rules_dir: $D/etc/exfild/rules\$" "$T/exfild.yaml" ||
    bad "rules_dir not found in the installed configuration"
if "$X" -T -v -c "$T/exfild.yaml" > "$T/effective.yaml" 2> "$T/check"; then
	ok "exfild -T -c exfild.yaml (installed configuration and rules)"
else
	bad "exfild -T -c exfild.yaml exited $?"
	cat "$T/check"
fi
grep -q 'configuration OK' "$T/check" || bad "no 'configuration OK' from -T"
# The effective configuration is itself a valid configuration.
if "$X" -T -c "$T/effective.yaml" > /dev/null 2> "$T/check2"; then
	ok "exfild -T accepts its own -T -v output"
else
	bad "exfild -T on the -T -v output"
	cat "$T/check2"
fi
finish
