#!/usr/bin/env bash
# Times `fwcert scan` on an EROFS image of several thousand real files (copied from /usr/share
# and /usr/lib), plain and lz4hc, against the floor of reading the image (`cat IMAGE`) and
# against erofs-utils' own full read (`fsck.erofs --extract=DIR`, which decodes and writes every
# file). Wall time, CPU time and maximum RSS come from /usr/bin/time -v. Not part of ctest.
#
# usage: bench/erofs.sh [FILES]   (default 5000 files)
# env:   FWCERT=path/to/fwcert (default build/dev/fwcert), BENCH_RUNS (3; the best run is shown)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fwcert="${FWCERT:-$root/build/dev/fwcert}"
out="$root/out/bench/erofs"
count="${1:-5000}"
runs="${BENCH_RUNS:-3}"
[ -x "$fwcert" ] || { echo "build first (or set FWCERT): $fwcert" >&2; exit 2; }
for tool in mkfs.erofs fsck.erofs /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps.sh" >&2; exit 2; }
done
mkdir -p "$out"

tree="$out/tree"
if [ ! -d "$tree" ]; then
  mkdir -p "$tree"
  # Regular files, half from each, in a stable order, so two runs build the same tree.
  for d in /usr/share /usr/lib; do
    find "$d" -type f -readable 2>/dev/null | LC_ALL=C sort | awk -v n=$((count / 2)) 'NR <= n'
  done | tar -cf - -T - 2>/dev/null | tar -C "$tree" -xf -
fi
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb --apparent-size "$tree" | cut -f1)

# Peak anonymous memory of a process tree's leader (RssAnon sampled every 20 ms): max RSS also
# counts the pages of a mapped image that were read, which the kernel can drop at any time.
anon_peak() {
  local pid=$1 peak=0 v
  while kill -0 "$pid" 2>/dev/null; do
    for p in $(pgrep -P "$pid") $(pgrep -P "$(pgrep -P "$pid" | head -n 1)" 2>/dev/null); do
      v=$(awk '/^RssAnon/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
      [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
    done
    sleep 0.02
  done
  echo "$peak"
}

# measure COMMAND...: best of $runs runs by wall time; prints "wall cpu rss_kib anon_kib"
measure() {
  local best="" line pid anon
  for _ in $(seq "$runs"); do
    # fwcert exits 1 when a finding fails; only the figures matter here.
    /usr/bin/time -v -o "$out/time.txt" "$@" >/dev/null 2>&1 &
    pid=$!
    anon=$(anon_peak "$pid")
    wait "$pid" || true
    line=$(awk -v anon="$anon" '
      /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
      /User time/ { u = $NF } /System time/ { s = $NF } /Maximum resident/ { r = $NF }
      END { printf "%.2f %.2f %d %d\n", w, u + s, r, anon }' "$out/time.txt")
    if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then
      best="$line"
    fi
  done
  echo "$best"
}

{
  echo "tree: $files files, $bytes bytes; $(nproc) cores; best of $runs runs"
  echo
  echo "| image | size | command | wall s | CPU s | max RSS MiB | peak anon MiB |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  read -r w c r a <<<"$(measure "$fwcert" scan --format json -o /dev/null "$tree")"
  echo "| (directory) | $((bytes / 1048576)) MiB | fwcert scan --format json -o /dev/null DIR | $w | $c | $((r / 1024)) | $((a / 1024)) |"
  for variant in plain lz4hc; do
    image="$out/$variant.erofs"
    opts=""
    [ "$variant" = lz4hc ] && opts="-zlz4hc"
    [ -f "$image" ] || mkfs.erofs --quiet $opts "$image" "$tree" >/dev/null
    size=$(stat -c %s "$image")
    cat "$image" > /dev/null  # page cache warm for every command
    extract="$out/extract-$variant"
    row() {
      read -r w c r a <<<"$2"
      echo "| $variant | $((size / 1048576)) MiB | $1 | $w | $c | $((r / 1024)) | $((a / 1024)) |"
    }
    row "cat IMAGE" "$(measure sh -c "cat '$image' > /dev/null")"
    row "fwcert scan --format json -o /dev/null IMAGE" "$(measure "$fwcert" scan --format json -o /dev/null "$image")"
    row "fsck.erofs --extract=DIR IMAGE" "$(measure sh -c "rm -rf '$extract' && fsck.erofs --extract='$extract' '$image'")"
    rm -rf "$extract"
  done
} | tee "$out/results.md"
