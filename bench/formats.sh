#!/usr/bin/env bash
# Times `fwcert scan` of one real rootfs in every format a device ships it in (directory,
# squashfs xz and gzip, ext4, tar.gz, cpio.gz) next to what reading that format costs anyway
# (unsquashfs -d, sqfs2tar > /dev/null, tar -x, reading every byte once), and again with the
# tree copied five times to show how cost grows. Wall time, CPU time (user + sys) and peak RSS
# come from /usr/bin/time -v; each figure is the fastest of BENCH_RUNS runs (default 3), page
# cache warm. Results go to out/bench/formats/results.md; docs/performance.md quotes them.
#
# usage: bench/formats.sh [ROOTFS_DIR]
#   Without a directory, the rootfs is built from Debian's real packages as
#   bench/debian-rootfs.yaml lists them, by tests/systems/build_system.py (override its path
#   with BUILD_SYSTEM), and extracted as root so owners and modes are the packages'.
# environment: BENCH_RUNS (3), BENCH_OUT (out/bench/formats), BENCH_SCALE (5; 0 skips the
#   scaled run), BENCH_SCALE_RUNS (runs of the scaled tree; BENCH_RUNS), FWCERT
#   (build/dev/fwcert), BENCH_JOBS (fwcert --jobs; 0 = one per core)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fwcert="${FWCERT:-$root/build/dev/fwcert}"
out="${BENCH_OUT:-$root/out/bench/formats}"
runs="${BENCH_RUNS:-3}"
scale="${BENCH_SCALE:-5}"
jobs="${BENCH_JOBS:-0}"
[ -x "$fwcert" ] || { echo "build first: make build" >&2; exit 2; }
for tool in mksquashfs unsquashfs sqfs2tar mke2fs cpio gzip /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps.sh" >&2; exit 2; }
done
mkdir -p "$out"
results="$out/results.md"

tree="$out/tree"
if [ $# -ge 1 ]; then
  tree="$(cd "$1" && pwd -P)"
elif [ ! -d "$tree" ]; then
  builder="${BUILD_SYSTEM:-$root/tests/systems/build_system.py}"
  [ -f "$builder" ] || { echo "no $builder: pass a rootfs directory instead" >&2; exit 2; }
  [ "$(id -u)" = 0 ] || echo "warning: not root, so the extracted tree's owners are yours" >&2
  python3 "$builder" "$root/bench/debian-rootfs.yaml" "$out/rootfs.tar" --cache "$out/debs"
  mkdir -p "$tree.tmp"
  tar -xpf "$out/rootfs.tar" -C "$tree.tmp"
  mv "$tree.tmp" "$tree"
fi

# Packs `src` into every format under `dir` (once; delete the directory to repack).
pack() {
  local src="$1" dir="$2"
  mkdir -p "$dir"
  [ -f "$dir/xz.squashfs" ] || mksquashfs "$src" "$dir/xz.squashfs" -comp xz -noappend -quiet >/dev/null
  [ -f "$dir/gzip.squashfs" ] || mksquashfs "$src" "$dir/gzip.squashfs" -comp gzip -noappend -quiet >/dev/null
  if [ ! -f "$dir/rootfs.ext4" ]; then
    local kib=$(( $(du -s --apparent-size "$src" | cut -f1) * 13 / 10 + 65536 ))
    mke2fs -q -t ext4 -b 4096 -N $(( $(find "$src" | wc -l) * 2 + 1024 )) -d "$src" \
      "$dir/rootfs.ext4" "${kib}k"
  fi
  [ -f "$dir/rootfs.tar.gz" ] || tar -C "$src" -czf "$dir/rootfs.tar.gz" .
  [ -f "$dir/rootfs.cpio.gz" ] || (cd "$src" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc --quiet | gzip > "$dir/rootfs.cpio.gz")
}

# measure NAME PREPARE COMMAND: the fastest wall time of `runs` runs, with that run's CPU and
# peak RSS, as one table row. PREPARE runs before each run, untimed.
measure() {
  local name="$1" prepare="$2" cmd="$3" best="" line
  for _ in $(seq "$runs"); do
    [ -z "$prepare" ] || bash -c "$prepare"
    /usr/bin/time -v -o "$out/time.txt" bash -c "$cmd" >/dev/null 2>"$out/stderr.txt" || {
      # fwcert exits 1 when a finding fails the gate: that is a result, not a failed run
      grep -q 'Exit status: 1$' "$out/time.txt" || { echo "failed: $cmd" >&2; cat "$out/stderr.txt" >&2; }
    }
    line=$(awk -F': ' '
      /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
      /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
      END { printf "%.2f %.2f %.0f\n", w, u + s, r / 1024 }' "$out/time.txt")
    if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best="$line"; fi
  done
  read -r wall cpu rss <<<"$best"
  printf '| %s | %s s | %s s | %s MB |\n' "$name" "$wall" "$cpu" "$rss" | tee -a "$results"
}

# table LABEL TREE DIR: every measurement of one tree and its images.
table() {
  local label="$1" src dir="$3" x="$out/extract"
  src="$(cd "$2" && pwd -P)"
  local files bytes
  files=$(find "$src" -type f | wc -l)
  bytes=$(du -sb --apparent-size "$src" | cut -f1)
  {
    echo
    echo "### $label: $files files, $(( bytes / 1000000 )) MB"
    echo
    for f in xz.squashfs gzip.squashfs rootfs.ext4 rootfs.tar.gz rootfs.cpio.gz; do
      echo "- $f: $(( $(stat -c %s "$dir/$f") / 1000000 )) MB"
    done
    echo
    echo "| command | wall | CPU (user+sys) | peak RSS |"
    echo "|:---|---:|---:|---:|"
  } | tee -a "$results"
  cat "$dir"/* "$src" >/dev/null 2>&1 || true
  find "$src" -type f -print0 | xargs -0 cat >/dev/null
  local scan="$fwcert scan --jobs $jobs --quiet --format json -o /dev/null"
  measure "\`fwcert scan\` DIR" "" "$scan $src"
  measure "\`fwcert scan\` xz.squashfs" "" "$scan $dir/xz.squashfs"
  measure "\`fwcert scan\` gzip.squashfs" "" "$scan $dir/gzip.squashfs"
  measure "\`fwcert scan\` rootfs.ext4" "" "$scan $dir/rootfs.ext4"
  measure "\`fwcert scan\` rootfs.tar.gz" "" "$scan $dir/rootfs.tar.gz"
  measure "\`fwcert scan\` rootfs.cpio.gz" "" "$scan $dir/rootfs.cpio.gz"
  measure "\`fwcert scan --only accounts\` xz.squashfs (walk and report)" "" \
    "$fwcert scan --jobs $jobs --quiet --only accounts --format json -o /dev/null $dir/xz.squashfs"
  measure "\`unsquashfs -d\` xz.squashfs" "rm -rf $x" "unsquashfs -q -n -d $x $dir/xz.squashfs"
  measure "\`unsquashfs -d\` gzip.squashfs" "rm -rf $x" "unsquashfs -q -n -d $x $dir/gzip.squashfs"
  measure "\`sqfs2tar xz.squashfs > /dev/null\`" "" "sqfs2tar $dir/xz.squashfs > /dev/null"
  measure "\`sqfs2tar gzip.squashfs > /dev/null\`" "" "sqfs2tar $dir/gzip.squashfs > /dev/null"
  measure "\`tar -xf rootfs.tar.gz\`" "rm -rf $x; mkdir -p $x" "tar -xf $dir/rootfs.tar.gz -C $x"
  measure "read every byte of DIR once (\`find | xargs cat\`)" "" \
    "find $src -type f -print0 | xargs -0 cat > /dev/null"
  rm -rf "$x"
}

{
  echo "# bench/formats.sh, $(date -u +%F)"
  echo
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //');" \
    "fastest of $runs runs; fwcert $("$fwcert" --version 2>/dev/null | head -1)"
} > "$results"

pack "$tree" "$out/x1"
table "rootfs" "$tree" "$out/x1"

if [ "$scale" -gt 1 ]; then
  big="$out/tree-x$scale"
  if [ ! -d "$big" ]; then
    mkdir -p "$big.tmp"
    for i in $(seq "$scale"); do cp -a "$tree" "$big.tmp/copy$i"; done
    mv "$big.tmp" "$big"
  fi
  pack "$big" "$out/x$scale"
  runs="${BENCH_SCALE_RUNS:-$runs}"
  table "rootfs copied $scale times" "$big" "$out/x$scale"
fi
echo "results: $results"
