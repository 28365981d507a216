#!/usr/bin/env bash
# Times `fwcert scan` of a JFFS2 and a cramfs image of a rootfs of several thousand real files
# (copied from /usr/share and /usr/lib) against the floor of reading the image once (`cat`) and
# against the format's own Debian tool: `jffs2dump -c` (mtd-utils: walks and CRC-checks every
# node) and `fsck.cramfs --extract=DIR` (util-linux: checks and extracts every file). Wall time, CPU
# time (user + system) and peak RSS come from /usr/bin/time -v; each command runs BENCH_RUNS
# times and the fastest run is reported. Results go to out/bench/jffs2-cramfs-results.md.
#
# usage: bench/jffs2_cramfs.sh [SOURCE_DIR...]   (default: /usr/share /usr/lib)
# env:   FWCERT=path/to/fwcert (default build/dev/fwcert), BENCH_FILES (5000), BENCH_RUNS (3)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fwcert="${FWCERT:-$root/build/dev/fwcert}"
out="$root/out/bench"
mkdir -p "$out"
[ -x "$fwcert" ] || { echo "build first (or set FWCERT): $fwcert" >&2; exit 2; }
for tool in mkfs.jffs2 jffs2dump mkfs.cramfs fsck.cramfs /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps.sh" >&2; exit 2; }
done
sources=("$@")
[ ${#sources[@]} -gt 0 ] || sources=(/usr/share /usr/lib)
want="${BENCH_FILES:-5000}"
runs="${BENCH_RUNS:-3}"

# Regular files under 2 MiB (cramfs holds at most 16 MiB per file), copied once.
tree="$out/flash-tree"
if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  find "${sources[@]}" -type f -size -2M -print0 2>/dev/null | head -z -n "$want" |
    xargs -0 cp --parents -t "$tree" 2>/dev/null || true
fi
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)
jffs2="$out/flash.jffs2"
cramfs="$out/flash.cramfs"
[ -f "$jffs2" ] || mkfs.jffs2 -l -e 128KiB -p -r "$tree" -o "$jffs2"
[ -f "$cramfs" ] || mkfs.cramfs "$tree" "$cramfs" 2>/dev/null

# Prints "wall_s cpu_s maxrss_kib" of the fastest of $runs runs of the command.
measure() {
  local best="" line
  for _ in $(seq "$runs"); do
    line=$(/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '
      /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
      /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
      END { printf "%.2f %.2f %d\n", w, u + s, r }')
    if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then
      best="$line"
    fi
  done
  echo "$best"
}

row() {  # name, command...
  local name="$1"
  shift
  read -r wall cpu rss <<<"$(measure "$@")"
  printf '| %s | %s | %s | %s |\n' "$name" "$wall" "$cpu" "$((rss / 1024))"
}

extract="$out/fsck-cramfs-extract"
{
  echo "| command | wall s | CPU s | max RSS MiB |"
  echo "| --- | ---: | ---: | ---: |"
  row "fwcert scan IMAGE.jffs2" "$fwcert" scan --format json -o /dev/null "$jffs2" || true
  row "fwcert scan --only accounts IMAGE.jffs2 (open, walk, no content pass)" "$fwcert" scan --only accounts --format json -o /dev/null "$jffs2" || true
  row "floor: cat IMAGE.jffs2" cat "$jffs2"
  row "jffs2dump -c IMAGE.jffs2" jffs2dump -c "$jffs2"
  row "fwcert scan IMAGE.cramfs" "$fwcert" scan --format json -o /dev/null "$cramfs" || true
  row "floor: cat IMAGE.cramfs" cat "$cramfs"
  row "fwcert scan --only accounts IMAGE.cramfs (open, walk, no content pass)" "$fwcert" scan --only accounts --format json -o /dev/null "$cramfs" || true
  row "fsck.cramfs --extract=DIR IMAGE.cramfs" sh -c "rm -rf '$extract' && fsck.cramfs --extract='$extract' '$cramfs'"
  echo
  echo "rootfs: $files files, $bytes bytes (from ${sources[*]}); JFFS2 $(stat -c %s "$jffs2") bytes" \
    "(mkfs.jffs2 -l -e 128KiB -p, zlib), cramfs $(stat -c %s "$cramfs") bytes (mkfs.cramfs, zlib);"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%F)"
} | tee "$out/jffs2-cramfs-results.md"
rm -rf "$extract"
