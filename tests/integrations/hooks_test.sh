#!/usr/bin/env bash
# Runs the Yocto class's shell function and the Buildroot post-image.sh against a fake deploy
# directory holding the real demo firmware, with the real fwcert binary; checks the CI
# templates parse as YAML and that every fwcert command in them is accepted by the binary.
# usage: hooks_test.sh FWCERT_BINARY SOURCE_DIR
set -u
bin="$1"; src="$2"; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
bash "$src/examples/demo-firmware/build.sh" "$(dirname "$bin")" "$tmp/demo" >/dev/null 2>&1 || fail "demo build"
fw="$tmp/demo/firmware.squashfs"

# Yocto: the class's shell function (extracted from the .bbclass) on a fake DEPLOY_DIR_IMAGE.
mkdir -p "$tmp/deploy"; cp "$fw" "$tmp/deploy/core-image-test.squashfs"
sed -n '/^fwcert_scan_deploy() {/,/^}/p' "$src/integrations/yocto/meta-fwcert/classes/fwcert.bbclass" \
  | sed 's/\${FWCERT_EXTRA_ARGS}//' > "$tmp/fn.sh"
. "$tmp/fn.sh"
rc=0; fwcert_scan_deploy "$tmp/deploy" core-image-test "squashfs ext4" high "$bin" >/dev/null 2>"$tmp/y.err" || rc=$?
[ $rc -eq 1 ] || fail "yocto: demo firmware has high findings, expected status 1, got $rc"
for f in sarif json html; do [ -s "$tmp/deploy/core-image-test.squashfs.fwcert.$f" ] || fail "yocto: no $f"; done
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['runs'][0]['results']" \
  "$tmp/deploy/core-image-test.squashfs.fwcert.sarif" || fail "yocto: SARIF has no results"
rc=0; fwcert_scan_deploy "$tmp/deploy" core-image-test "squashfs" bogus "$bin" >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "yocto: a bad FWCERT_FAIL_ON must stop the build as an error, got $rc"
rc=0; fwcert_scan_deploy "$tmp/deploy" missing-image "squashfs" high "$bin" >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "yocto: a missing image must be an error, got $rc"

# Buildroot: post-image.sh on a fake BINARIES_DIR.
mkdir -p "$tmp/images"; cp "$fw" "$tmp/images/rootfs.squashfs"
rc=0; BINARIES_DIR="$tmp/images" FWCERT="$bin" sh "$src/integrations/buildroot/post-image.sh" >/dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "buildroot: expected 1 on the demo firmware, got $rc"
for f in sarif json html; do [ -s "$tmp/images/rootfs.squashfs.fwcert.$f" ] || fail "buildroot: no $f"; done
rc=0; BINARIES_DIR="$tmp/empty" FWCERT="$bin" sh "$src/integrations/buildroot/post-image.sh" >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "buildroot: no rootfs.* must be an error, got $rc"

# CI templates: YAML parses; each fwcert command's options are accepted by the binary (run
# on the demo firmware in place of build/rootfs.squashfs).
for y in "$src"/integrations/ci/*.yml "$src"/integrations/fleet/*.y*ml; do
  python3 -c "import yaml,sys; list(yaml.safe_load_all(open(sys.argv[1])))" "$y" || fail "YAML: $y"
done
grep -ho "fwcert scan [^'\"|]*" "$src"/integrations/ci/* | sed 's/ *$//' | sort -u > "$tmp/cmds"
[ -s "$tmp/cmds" ] || fail "no fwcert commands found in integrations/ci"
while read -r _ sub target args; do
  rc=0; (cd "$tmp" && "$bin" $sub "$fw" ${args//-o /-o $tmp/out-} >/dev/null 2>&1) || rc=$?
  [ $rc -le 1 ] || fail "CI command rejected (exit $rc): fwcert $sub $target $args"
done < "$tmp/cmds"
# --store is from the store issue and not implemented: the fleet examples say so.
grep -q "NOT YET IMPLEMENTED" "$src/integrations/fleet/gitlab-matrix.yml" || fail "fleet: --store not marked"
echo "hooks ok ($(wc -l < "$tmp/cmds") CI commands validated)"
