#!/usr/bin/env bash
# Times `fwcert scan` of one rootfs as an ext4 image, the same image compressed (gzip, xz,
# zstd, lz4) and as an Android sparse image, against the tools a user would otherwise run
# first (zcat/xzcat/zstdcat/lz4cat to a plain image, simg2img, then debugfs rdump to extract)
# and the floors (reading the compressed file, decompressing it to /dev/null).
# Results go to out/bench/compressed.md; docs/performance.md quotes them.
#
# usage: bench/compressed.sh [SOURCE_DIR...]   (default: /usr/share/doc /usr/lib/x86_64-linux-gnu/perl-base)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fwcert="$root/build/dev/fwcert"
out="$root/out/bench/compressed"
mkdir -p "$out"
[ -x "$fwcert" ] || { echo "build first: make build" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine missing: scripts/install-deps.sh" >&2; exit 2; }

sources=("$@")
[ ${#sources[@]} -gt 0 ] || sources=(/usr/share/doc /usr/lib/x86_64-linux-gnu/perl-base /usr/share/perl5)
tree="$out/tree"
if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  for s in "${sources[@]}"; do cp -a --parents "$s" "$tree"/ 2>/dev/null || true; done
fi
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)
mb=$(( bytes / 1048576 * 2 + 64 ))
img="$out/rootfs.ext4"
[ -f "$img" ] || mke2fs -q -F -t ext4 -d "$tree" "$img" "${mb}M"
[ -f "$img.gz" ] || gzip -c "$img" > "$img.gz"
[ -f "$img.xz" ] || xz -T2 -c "$img" > "$img.xz"
[ -f "$img.zst" ] || zstd -q -c "$img" > "$img.zst"
[ -f "$img.lz4" ] || lz4 -q -c "$img" > "$img.lz4"
[ -f "$img.simg" ] || img2simg "$img" "$img.simg"
echo "tree: $files files, $bytes bytes; ext4 image $(stat -c %s "$img") bytes"

x="$out/extracted"
clean="rm -rf $x $out/plain; mkdir -p $x"
# hyperfine takes --prepare once per command (or once for all): extraction runs start clean.
hyperfine -i --warmup 1 --runs "${BENCH_RUNS:-3}" --export-markdown "$out/results.md" \
  --prepare true -n "fwcert scan rootfs.ext4" "$fwcert scan --format json -o /dev/null $img" \
  --prepare true -n "fwcert scan rootfs.ext4.gz" "$fwcert scan --format json -o /dev/null $img.gz" \
  --prepare true -n "fwcert scan rootfs.ext4.xz" "$fwcert scan --format json -o /dev/null $img.xz" \
  --prepare true -n "fwcert scan rootfs.ext4.zst" "$fwcert scan --format json -o /dev/null $img.zst" \
  --prepare true -n "fwcert scan rootfs.ext4.lz4" "$fwcert scan --format json -o /dev/null $img.lz4" \
  --prepare true -n "fwcert scan rootfs.ext4.simg" "$fwcert scan --format json -o /dev/null $img.simg" \
  --prepare "$clean" -n "zcat > plain + debugfs rdump (extraction)" \
     "zcat $img.gz > $out/plain && debugfs -R 'rdump / $x' $out/plain 2>/dev/null" \
  --prepare "$clean" -n "simg2img + debugfs rdump (extraction)" \
     "simg2img $img.simg $out/plain && debugfs -R 'rdump / $x' $out/plain 2>/dev/null" \
  --prepare true -n "floor: zcat rootfs.ext4.gz > /dev/null" "zcat $img.gz > /dev/null" \
  --prepare true -n "floor: xzcat rootfs.ext4.xz > /dev/null" "xzcat $img.xz > /dev/null" \
  --prepare true -n "floor: read rootfs.ext4" "cat $img > /dev/null" \
  || true
rm -rf "$x" "$out/plain"
for f in "$img" "$img.gz" "$img.xz"; do
  /usr/bin/time -f "$(basename "$f"): %e s wall, %U+%S s CPU, %M KiB max RSS" \
    "$fwcert" scan --format json -o /dev/null "$f" 2>&1 >/dev/null | tail -1 || true
done | tee -a "$out/results.md"
{
  echo
  echo "tree: $files files, $bytes bytes; ext4 $(stat -c %s "$img"), gz $(stat -c %s "$img.gz"), xz $(stat -c %s "$img.xz") bytes"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%F)"
} >> "$out/results.md"
cat "$out/results.md"
