#!/usr/bin/env bash
# Times the secret scan's content pass: `fwcert scan --only secrets` (walk, one Vectorscan pass
# over every file, confirmation of every candidate with OpenSSL) against ripgrep given the same
# expressions (data/content-rules.tsv) over the same tree, and against the floor of reading every
# byte. Results go to out/bench/secrets-results.md; docs/performance.md ("Secret scan") quotes them.
#
# usage: bench/secrets_bench.sh [SOURCE_DIR...]   (default: /usr/share/doc /usr/share/man /etc/ssl /usr/bin)
# env:   FWCERT=path/to/fwcert (default build/dev/fwcert), BENCH_RUNS (5)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fwcert="${FWCERT:-$root/build/dev/fwcert}"
out="$root/out/bench"
mkdir -p "$out"
[ -x "$fwcert" ] || { echo "build first (or set FWCERT): $fwcert" >&2; exit 2; }
for tool in hyperfine rg; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps.sh" >&2; exit 2; }
done

sources=("$@")
[ ${#sources[@]} -gt 0 ] || sources=(/usr/share/doc /usr/share/man /etc/ssl /usr/bin)

# Regular files only, copied once, so every command reads the same bytes from the page cache.
tree="$out/secrets-tree"
if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  find "${sources[@]}" -type f -readable -print0 2>/dev/null | tar --null -cf - -T - 2>/dev/null | tar -C "$tree" -xf -
fi
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb --apparent-size "$tree" | cut -f1)
echo "tree: $files files, $bytes bytes"

# ripgrep gets the same expressions in the same byte-oriented semantics as Vectorscan without
# HS_FLAG_UTF8: (?-u) (ASCII \b and classes; with Unicode classes the bounded repeats make ripgrep
# about 150 times slower on this set), (?i) for caseless rules; ripgrep matches line by line, so
# ^ already anchors at line starts. The binary LUKS magic is left out (it only counts at offset 0).
patterns="$out/secrets-patterns.txt"
grep -v '^#' "$root/data/content-rules.tsv" | grep -v '^luks-header' |
  awk -F'\t' '{ f="(?-u)"; if ($2 ~ /i/) f=f "(?i)"; print f $3 }' > "$patterns"

hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --ignore-failure --export-markdown "$out/secrets-hyperfine.md" \
  -n "fwcert scan --only secrets DIR" "$fwcert scan --only secrets --format json -o /dev/null $tree" \
  -n "fwcert scan --only accounts DIR (walk only)" "$fwcert scan --only accounts --format json -o /dev/null $tree" \
  -n "rg -uuu -a -c -f patterns DIR" "rg -uuu -a -c -f $patterns $tree > /dev/null" \
  -n "rg -uuu -a -c -f patterns -j1 DIR" "rg -uuu -a -c -j1 -f $patterns $tree > /dev/null" \
  -n "floor: read every file of DIR" "find $tree -type f -print0 | xargs -0 cat > /dev/null"

{
  echo "tree: $files files, $bytes bytes ($(nproc) cores)"
  echo
  cat "$out/secrets-hyperfine.md"
} > "$out/secrets-results.md"
cat "$out/secrets-results.md"
