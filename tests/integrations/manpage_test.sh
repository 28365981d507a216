#!/usr/bin/env bash
# The generated fwcert.1 and `fwcert --help` cannot drift: every subcommand and option the
# binary's help lists is in the rendered man page, and the man page's version is the binary's.
# usage: manpage_test.sh FWCERT_BINARY FWCERT_1
set -u
bin="$1"; man1="$2"
[ -s "$man1" ] || { echo "FAIL: no man page $man1" >&2; exit 1; }
text=$(MANWIDTH=200 man -l "$man1" 2>/dev/null || sed 's/\\-/-/g' "$man1")
fail=0
for word in $("$bin" --help | awk '/^Subcommands:/{f=1;next} f&&/^  [a-z]/{print $1} f&&/^$/{f=0}') \
            $("$bin" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
  grep -qF -- "$word" <<<"$text" || { echo "FAIL: '$word' from --help is not in $man1" >&2; fail=1; }
done
ver=$("$bin" --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)
grep -qF "$ver" "$man1" || { echo "FAIL: version $ver not in $man1" >&2; fail=1; }
[ $fail -eq 0 ] && echo "man page matches --help"
exit $fail
