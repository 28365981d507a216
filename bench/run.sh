#!/usr/bin/env bash
# Times `fwcert scan` of a directory tree and of the same tree as a squashfs image, against
# what a user would otherwise run first (unsquashfs -d extraction) and against the floor
# (reading the bytes). Results go to out/bench/results.md; docs/performance.md quotes them.
#
# usage: bench/run.sh [SOURCE_DIR...]   (default: /usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fwcert="$root/build/dev/fwcert"
out="$root/out/bench"
mkdir -p "$out"
[ -x "$fwcert" ] || { echo "build first: make build" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine missing: scripts/install-deps.sh" >&2; exit 2; }

sources=("$@")
[ ${#sources[@]} -gt 0 ] || sources=(/usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu)

# One tree, copied once so that the directory and the image hold the same bytes.
tree="$out/tree"
if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  for s in "${sources[@]}"; do cp -a --parents "$s" "$tree"/ 2>/dev/null || true; done
fi
image="$out/tree.squashfs"
[ -f "$image" ] || mksquashfs "$tree" "$image" -comp gzip -noappend -quiet >/dev/null

files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)
echo "tree: $files files, $bytes bytes; image: $(stat -c %s "$image") bytes"

extract="$out/extracted"
hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --export-markdown "$out/results.md" \
  -n "fwcert scan DIR" "$fwcert scan --format json -o /dev/null $tree" \
  -n "fwcert scan squashfs" "$fwcert scan --format json -o /dev/null $image" \
  -n "unsquashfs -d (extraction only)" --prepare "rm -rf $extract" "unsquashfs -q -n -d $extract $image" \
  -n "floor: read every file of DIR" "find $tree -type f -print0 | xargs -0 cat > /dev/null" \
  -n "floor: read the image" "cat $image > /dev/null" \
  || true
rm -rf "$extract"
{
  echo
  echo "tree: $files files, $bytes bytes; image $(stat -c %s "$image") bytes (gzip);"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%F)"
} >> "$out/results.md"
cat "$out/results.md"
