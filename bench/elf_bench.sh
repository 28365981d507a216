#!/usr/bin/env bash
# Times the ELF hardening analysis of a tree of real ELF files: `fwcert scan --only elf`
# against `checksec --dir` (Debian's checksec 2.6, readelf per property per file) on the same
# tree, and against the floor of reading every byte of the tree. Results go to
# out/bench/elf-results.md; docs/performance.md ("ELF hardening") quotes them.
#
# usage: bench/elf_bench.sh [SOURCE_DIR...]   (default: /usr/bin /usr/sbin)
# env:   FWCERT=path/to/fwcert (default build/dev/fwcert), BENCH_RUNS (fwcert and floor, 5),
#        CHECKSEC_RUNS (1: checksec takes minutes)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fwcert="${FWCERT:-$root/build/dev/fwcert}"
out="$root/out/bench"
mkdir -p "$out"
[ -x "$fwcert" ] || { echo "build first (or set FWCERT): $fwcert" >&2; exit 2; }
for tool in hyperfine checksec; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps.sh" >&2; exit 2; }
done

sources=("$@")
[ ${#sources[@]} -gt 0 ] || sources=(/usr/bin /usr/sbin)

# Only regular ELF files, copied once, so every command sees the same bytes.
tree="$out/elf-tree"
if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  find "${sources[@]}" -maxdepth 1 -type f -print0 2>/dev/null |
    while IFS= read -r -d '' f; do
      [ "$(head -c 4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && cp --parents "$f" "$tree"/
    done
fi
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)
echo "ELF tree: $files files, $bytes bytes"

hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --export-markdown "$out/elf-fwcert.md" \
  -n "fwcert scan --only elf DIR" "$fwcert scan --only elf --format json -o /dev/null $tree" \
  -n "fwcert scan --only accounts DIR (walk, no ELF analysis)" "$fwcert scan --only accounts --format json -o /dev/null $tree" \
  -n "floor: read every file of DIR" "find $tree -type f -print0 | xargs -0 cat > /dev/null" || true
hyperfine --runs "${CHECKSEC_RUNS:-1}" --export-markdown "$out/elf-checksec.md" \
  -n "checksec --dir DIR" "checksec --output=json --dir=$tree > /dev/null" || true

{
  cat "$out/elf-fwcert.md"
  tail -n +3 "$out/elf-checksec.md"
  echo
  echo "ELF tree: $files files, $bytes bytes (from ${sources[*]});"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%F)"
} > "$out/elf-results.md"
cat "$out/elf-results.md"
