#!/usr/bin/env bash
# Times a scan of a UBIFS-in-UBI image of several thousand files (Debian's /usr/share/doc and
# part of /usr/lib/x86_64-linux-gnu) against the floor of reading the image once. No Debian tool
# extracts UBIFS from an image (ubireader is not packaged; mounting needs the nandsim and ubi
# kernel modules), so there is no extractor to compare with; the same tree as a squashfs image,
# scanned by fwcert and extracted by unsquashfs, is timed for scale. Results go to
# out/bench/ubi-results.md. Not run by ctest.
#
# usage: bench/ubi.sh [FILES]   (default: 5000 files)
# env:   FWCERT=path/to/fwcert (default build/dev/fwcert), BENCH_RUNS (3)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fwcert="${FWCERT:-$root/build/dev/fwcert}"
out="$root/out/bench"
runs="${BENCH_RUNS:-3}"
want="${1:-5000}"
mkdir -p "$out"
[ -x "$fwcert" ] || { echo "build first (or set FWCERT): $fwcert" >&2; exit 2; }
for tool in mkfs.ubifs ubinize mksquashfs unsquashfs /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps.sh" >&2; exit 2; }
done

tree="$out/ubi-tree"
if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  # Seven tenths documentation (text, small), three tenths libraries (ELF, larger).
  { find /usr/share/doc -type f | head -n $((want * 7 / 10)) || true
    find /usr/lib/x86_64-linux-gnu -type f -size -4M | head -n $((want * 3 / 10)) || true; } 2>/dev/null |
    while IFS= read -r f; do cp --parents -P "$f" "$tree"/ 2>/dev/null || true; done || true  # head closes the pipe
fi
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)

# 128 KiB PEBs, 2 KiB pages: LEB = 128 KiB - 2 pages; room for the data plus a margin.
leb=$((128 * 1024 - 4096))
lebs=$((bytes / leb * 12 / 10 + 64))
ubifs="$out/ubi-rootfs.ubifs"
image="$out/ubi-rootfs.ubi"
sqfs="$out/ubi-rootfs.sqfs"
mkfs.ubifs -q -r "$tree" -m 2048 -e "$leb" -c "$lebs" -x lzo -o "$ubifs"
printf '[rootfs]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\n' "$ubifs" > "$out/ubi.cfg"
ubinize -o "$image" -m 2048 -p 128KiB -s 2048 "$out/ubi.cfg" 2>/dev/null
mksquashfs "$tree" "$sqfs" -noappend -quiet -no-progress -comp gzip
image_bytes=$(stat -c %s "$image")

# Median of `runs` runs of: wall seconds, user+sys seconds, max RSS KiB.
measure() {
  local name="$1"
  shift
  local results=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %S %M' -o "$out/ubi-time.txt" "$@" > /dev/null 2>&1 || true
    # time writes "Command exited with non-zero status N" first when fwcert reports findings (exit 1).
    results+=("$(tail -n 1 "$out/ubi-time.txt" | awk '{printf "%.2f %.2f %d\n", $1, $2 + $3, $4}')")
  done
  local median
  median=$(printf '%s\n' "${results[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  read -r wall cpu rss <<< "$median"
  printf '| %s | %s | %s | %s |\n' "$name" "$wall" "$cpu" "$((rss / 1024))"
}

cat "$image" > /dev/null  # warm the page cache for every command alike
{
  echo "| command | wall s | CPU s | max RSS MiB |"
  echo "| --- | ---: | ---: | ---: |"
  measure "fwcert scan --format json -o /dev/null rootfs.ubi (UBI > UBIFS, lzo)" \
    "$fwcert" scan --format json -o /dev/null "$image"
  measure "floor: cat rootfs.ubi > /dev/null" sh -c "cat '$image' > /dev/null"
  measure "fwcert scan --format json -o /dev/null rootfs.sqfs (same tree, squashfs gzip)" \
    "$fwcert" scan --format json -o /dev/null "$sqfs"
  measure "unsquashfs -d DIR rootfs.sqfs (extract the same tree)" \
    sh -c "rm -rf '$out/ubi-unsq' && unsquashfs -q -n -d '$out/ubi-unsq' '$sqfs'"
  echo
  echo "tree: $files files, $bytes bytes; rootfs.ubi $image_bytes bytes (128 KiB PEBs, 2 KiB pages);"
  echo "no Debian tool extracts UBIFS from an image, so no extractor is timed on rootfs.ubi;"
  echo "median of $runs runs; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%F)"
} > "$out/ubi-results.md"
rm -rf "$out/ubi-unsq"
cat "$out/ubi-results.md"
