# Scans each image after do_image_complete and writes fwcert.sarif, fwcert.json and fwcert.html
# next to it in ${DEPLOY_DIR_IMAGE}. Fails the build when a finding at or above FWCERT_FAIL_ON
# fails. Use: INHERIT += "fwcert" (local.conf) or inherit fwcert (image recipe).
FWCERT_FAIL_ON ?= "high"
FWCERT_FSTYPES ?= "squashfs ext4 tar.gz tar.xz tar.zst cpio.gz"
FWCERT_EXTRA_ARGS ?= ""
FWCERT_BIN ?= "${STAGING_BINDIR_NATIVE}/fwcert"

fwcert_scan_deploy() {
    # $1 deploy dir, $2 image link name, $3 fstypes, $4 fail-on, $5 binary
    deploy="$1"; name="$2"; fstypes="$3"; failon="$4"; bin="$5"
    scanned=0; status=0
    for t in $fstypes; do
        img="$deploy/$name.$t"
        [ -e "$img" ] || continue
        out="$deploy/$name.$t.fwcert"
        for fmt in sarif json html; do
            rc=0
            "$bin" scan "$img" --format $fmt -o "$out.$fmt" --fail-on "$failon" ${FWCERT_EXTRA_ARGS} || rc=$?
            if [ $rc -gt 1 ]; then echo "fwcert: cannot scan $img (exit $rc)" >&2; return $rc; fi
            [ $rc -eq 1 ] && status=1
        done
        scanned=$((scanned + 1))
    done
    if [ $scanned -eq 0 ]; then echo "fwcert: no image of types '$fstypes' named $name in $deploy" >&2; return 2; fi
    if [ $status -ne 0 ]; then echo "fwcert: findings at or above $failon in $name (see $deploy/$name.*.fwcert.html)" >&2; fi
    return $status
}

do_fwcert_scan() {
    fwcert_scan_deploy "${IMGDEPLOYDIR}" "${IMAGE_LINK_NAME}" "${FWCERT_FSTYPES}" "${FWCERT_FAIL_ON}" "${FWCERT_BIN}" \
        || bbfatal "fwcert scan failed for ${IMAGE_LINK_NAME} (FWCERT_FAIL_ON=${FWCERT_FAIL_ON})"
}
do_fwcert_scan[depends] += "fwcert-native:do_populate_sysroot"
addtask fwcert_scan after do_image_complete before do_build
