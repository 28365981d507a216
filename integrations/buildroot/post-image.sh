#!/bin/sh
# Buildroot post-image script: scans ${BINARIES_DIR}/rootfs.* with fwcert and writes
# rootfs.<type>.fwcert.{sarif,json,html} beside each image. FWCERT_FAIL_ON (default high)
# fails the build; FWCERT (default fwcert on PATH) names the binary.
set -u
BINARIES_DIR="${BINARIES_DIR:-${1:-}}"
[ -n "$BINARIES_DIR" ] || { echo "post-image.sh: BINARIES_DIR not set" >&2; exit 2; }
FWCERT="${FWCERT:-fwcert}"
FAIL_ON="${FWCERT_FAIL_ON:-high}"
scanned=0; status=0
for img in "$BINARIES_DIR"/rootfs.*; do
  [ -f "$img" ] || continue
  case "$img" in *.fwcert.*) continue ;; esac
  for fmt in sarif json html; do
    rc=0
    "$FWCERT" scan "$img" --format "$fmt" -o "$img.fwcert.$fmt" --fail-on "$FAIL_ON" || rc=$?
    [ $rc -gt 1 ] && { echo "fwcert: cannot scan $img (exit $rc)" >&2; exit $rc; }
    [ $rc -eq 1 ] && status=1
  done
  scanned=$((scanned + 1))
done
[ $scanned -gt 0 ] || { echo "fwcert: no rootfs.* in $BINARIES_DIR" >&2; exit 2; }
[ $status -eq 0 ] || echo "fwcert: findings at or above $FAIL_ON (see $BINARIES_DIR/rootfs.*.fwcert.html)" >&2
exit $status
