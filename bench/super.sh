#!/usr/bin/env bash
# Times `fwcert scan` of an Android super image against the same scan of the ext4 it holds
# (what the super layer costs) and the floor of reading its bytes once (`cat super.img`).
# The super is written by tests/support/make_super.py (Debian has no lpmake) and holds
# system_a, an ext4 made by mke2fs -d from a copy of several thousand host files, stored as
# two extents in reverse order, and an empty system_b. Not part of ctest.
#
# usage: bench/super.sh [SOURCE_DIR...]   (default: /usr/bin /usr/share/doc /usr/lib/python3)
# env:   FWCERT=path/to/fwcert (default build/dev/fwcert), BENCH_RUNS (5)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fwcert="${FWCERT:-$root/build/dev/fwcert}"
out="$root/out/bench"
mkdir -p "$out"
[ -x "$fwcert" ] || { echo "build first (or set FWCERT): $fwcert" >&2; exit 2; }
for tool in hyperfine mke2fs python3; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps.sh" >&2; exit 2; }
done

sources=("$@")
[ ${#sources[@]} -gt 0 ] || sources=(/usr/bin /usr/share/doc /usr/lib/python3)
img="$out/super.img"
if [ ! -f "$img" ]; then
  tree="$out/super-tree"
  rm -rf "$tree" && mkdir -p "$tree"
  for s in "${sources[@]}"; do cp -a --parents "$s" "$tree"/ 2>/dev/null || true; done
  kib=$(( $(du -sk "$tree" | cut -f1) * 13 / 10 + 16384 ))
  mke2fs -q -F -t ext4 -d "$tree" "$out/system.ext4" "${kib}K"
  python3 "$root/tests/support/make_super.py" "$img" "system_a=$out/system.ext4,split=2" --empty system_b
  rm -rf "$tree"
fi
[ -f "$out/system.ext4" ] || { echo "remove $img to rebuild it with its system.ext4" >&2; exit 2; }
files=$(find "${sources[@]}" 2>/dev/null | wc -l)
echo "super: $(stat -c %s "$img") bytes; system_a holds about $files entries"

hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --export-markdown "$out/super-results.md" \
  -i -n "fwcert scan super.img" "$fwcert scan --format json -o /dev/null $img" \
  -n "fwcert scan system.ext4 (the same ext4, no super around it)" "$fwcert scan --format json -o /dev/null $out/system.ext4" \
  -n "floor: cat super.img" "cat $img > /dev/null" || true
cat "$out/super-results.md"
