#!/usr/bin/env bash
# Builds the demo firmware: compiles the stand-in programs (one hardened, one not), lays
# them into a copy of rootfs/, and packs it into a squashfs image whose owners, modes,
# setuid bits and device nodes come from a pseudo-file, so no root is needed.
#
# usage: build.sh BUILD_DIR OUT_DIR   -> OUT_DIR/firmware.squashfs
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${2:?usage: build.sh BUILD_DIR OUT_DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$out/rootfs"
rm -rf "$stage"
cp -a "$here/rootfs" "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/lib,dev,proc,sys,tmp,root,data,var/lib/alexa,home/alexa}

cc="${CC:-gcc}"
hardened=(-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
legacy=(-O0 -fno-stack-protector -no-pie -Wl,-z,norelro -Wl,-z,execstack)
"$cc" "${hardened[@]}" -o "$stage/usr/bin/avs-client" "$here/src/avs_client.c"
"$cc" "${legacy[@]}" -o "$stage/usr/sbin/telnetd" "$here/src/telnetd.c"
"$cc" "${hardened[@]}" -o "$stage/bin/busybox" "$here/src/busybox.c"
for applet in sh login mount umount; do ln -sf busybox "$stage/bin/$applet"; done
ln -sf ../bin/busybox "$stage/sbin/reboot"
ln -sf ../../bin/busybox "$stage/usr/sbin/inetd"

# Owners and modes as the device would have them, whoever runs the build: every path gets
# root:root and its mode from the tree, then the overrides below (mksquashfs pseudo file).
declare -A override=(
  [/tmp]="1777 0 0"
  [/root]="700 0 0"
  [/home/alexa]="750 1000 1000"
  [/var/lib/alexa]="770 1000 1000"
  [/data]="777 0 0"
  [/etc/shadow]="644 0 0"
  [/etc/alexa/AlexaClientSDKConfig.json]="666 1000 1000"
  [/bin/busybox]="4755 0 0"
)
{
  (cd "$stage" && find . -mindepth 1 ! -type l -printf '%P %m\n') | while read -r path mode; do
    key="/$path"
    if [ -n "${override[$key]:-}" ]; then
      echo "$key m ${override[$key]}"
    else
      echo "$key m $mode 0 0"
    fi
  done
  echo "/dev/console c 600 0 0 5 1"
  echo "/dev/ttyS0 c 660 0 5 4 64"
  echo "/dev/mem c 640 0 15 1 1"
} > "$out/pseudo.txt"
rm -f "$out/firmware.squashfs"
mksquashfs "$stage" "$out/firmware.squashfs" -pf "$out/pseudo.txt" -comp xz -noappend -quiet >/dev/null
echo "demo firmware: $out/firmware.squashfs ($(stat -c %s "$out/firmware.squashfs") bytes)"
