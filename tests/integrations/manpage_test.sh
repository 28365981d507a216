#!/usr/bin/env bash
# fwcert.1 and `fwcert --help` cannot drift: both are rendered from the same CLI11 definition,
# and this checks it from the outside. Every subcommand (nested ones too) has its subsection,
# and every positional and option of its --help is in it with the same description and choices;
# the free text of --help (targets, exit codes, environment, examples) is in the page; groff and
# man render it without a warning; the built page is what the binary prints now; and a page
# missing one option fails the same check.
# usage: manpage_test.sh FWCERT_BINARY FWCERT_1 SOURCE_DIR
set -u
bin="$1"; man1="$2"; src="$3"
check="$src/tests/integrations/cli_docs_check.py"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
[ -s "$man1" ] || { echo "FAIL: no man page $man1" >&2; exit 1; }

render() { LC_ALL=C MANWIDTH=1000 man -l "$1" 2>/dev/null | sed 's/.\x08//g'; }

warnings=$(groff -man -ww -z "$man1" 2>&1)
[ -z "$warnings" ] || { echo "FAIL: groff warns about $man1: $warnings" >&2; fail=1; }
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man1" 2>&1 >/dev/null)
[ -z "$warnings" ] || { echo "FAIL: man warns about $man1: $warnings" >&2; fail=1; }

render "$man1" >"$tmp/fwcert.txt"
grep -q '^SUBCOMMANDS' "$tmp/fwcert.txt" || { echo "FAIL: man -l did not render $man1" >&2; exit 1; }
python3 "$check" man "$bin" "$tmp/fwcert.txt" || fail=1

# The installed page is the binary's own (the date line aside).
if ! diff <(sed '/^\.TH /d' "$man1") <("$bin" man | sed '/^\.TH /d') >"$tmp/diff"; then
  echo "FAIL: $man1 is not what '$bin man' prints:" >&2; head -20 "$tmp/diff" >&2; fail=1
fi
ver=$("$bin" --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)
grep -q "^\.TH FWCERT 1 \"[0-9-]*\" \"fwcert $ver\"" "$man1" || { echo "FAIL: version $ver not in .TH of $man1" >&2; fail=1; }
SOURCE_DATE_EPOCH=1700000000 "$bin" man | grep -q '^\.TH FWCERT 1 "2023-11-14"' ||
  { echo "FAIL: fwcert man does not date the page from SOURCE_DATE_EPOCH" >&2; fail=1; }
for section in NAME SYNOPSIS DESCRIPTION OPTIONS SUBCOMMANDS TARGETS "EXIT STATUS" ENVIRONMENT EXAMPLES FILES "SEE ALSO"; do
  grep -qx "$section" "$tmp/fwcert.txt" || { echo "FAIL: no $section section" >&2; fail=1; }
done

# The check can fail: drop --strict (its head line and description) from a copy of the page.
sed '/^\\fB\\-\\-strict\\fR$/,+1d' "$man1" >"$tmp/broken.1"
cmp -s "$man1" "$tmp/broken.1" && { echo "FAIL: could not remove --strict from a copy of the page" >&2; fail=1; }
render "$tmp/broken.1" >"$tmp/broken.txt"
if python3 "$check" man "$bin" "$tmp/broken.txt" 2>"$tmp/broken.err"; then
  echo "FAIL: a man page without --strict passed the check" >&2; fail=1
else
  grep -q -- "--strict" "$tmp/broken.err" || { echo "FAIL: the check did not name --strict" >&2; fail=1; }
fi

[ $fail -eq 0 ] && echo "man page matches --help"
exit $fail
