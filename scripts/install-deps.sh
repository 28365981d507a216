#!/usr/bin/env bash
# Installs every Debian package fwcert's build, tests, sanitizer runs, benchmarks and demo need.
# Idempotent: installs only what is missing. Uses sudo when not run as root.
set -euo pipefail

PACKAGES=(
  # toolchain and build
  build-essential g++ cmake ninja-build pkg-config make git
  clang-14 libclang-rt-14-dev llvm-14 clang-format-14
  # libraries
  libarchive-dev libsquashfs-dev libext2fs-dev libfdt-dev libssl-dev libcrypt-dev
  libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libfmt-dev
  zlib1g-dev liblzma-dev liblz4-dev libzstd-dev libbz2-dev liblzo2-dev
  libvectorscan-dev
  # the offline vulnerability database and rpm's rpmdb.sqlite
  libsqlite3-dev sqlite3
  # the version-ordering tests hold fwcert's rpm ordering to rpm's own (rpm --eval '%{lua:rpm.vercmp()}')
  # the SBOM tests build a real rpmdb.sqlite with rpmbuild and rpm --justdb (nothing installed)
  rpm
  libgtest-dev libgmock-dev libbenchmark-dev
  # tools the tests and the demo use to build real images and real hashes
  squashfs-tools squashfs-tools-ng e2fsprogs cpio zip unzip tar gzip xz-utils zstd bzip2 lz4
  whois openssl openssh-client coreutils findutils python3 hyperfine
  # bench/formats.sh: /usr/bin/time -v for peak RSS, linux-perf to profile a scan
  time linux-perf
  # report validators: xmllint for the JUnit XSD (node and ajv for SARIF and JSON: see below)
  libxml2-utils
  # the secret-scan benchmark's peer (bench/secrets_bench.sh) and the CA store the TLS tests build
  ripgrep ca-certificates
  # real unit files and systemd-analyze for the services tests (installs files; starts nothing here)
  systemd
  # gcore writes the real core dump the debug-coredumps test plants in an image
  gdb
  # file capabilities on fixture trees (setcap) for the archive and cross-format tests
  libcap2-bin
  # ELF hardening tests: cross toolchains for real foreign binaries, checksec as the oracle
  gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-mips-linux-gnu checksec
  libc6-dev-arm64-cross libc6-dev-armhf-cross libc6-dev-mips-cross
  # boot chain tests: mkimage/mkenvimage (FIT, uImage, U-Boot environments), dtc for control
  # DTBs, and real U-Boot binaries (QEMU boards) with their compiled-in default environment
  u-boot-tools device-tree-compiler u-boot-qemu
  # Android images for the format tests: img2simg (sparse) and mkbootimg (boot/vendor_boot v0-v3)
  android-sdk-libsparse-utils mkbootimg
  # NAND flash images for the format tests: ubinize (UBI) and mkfs.ubifs (UBIFS)
  mtd-utils
  # the Debian package (make deb): debhelper, dpkg-buildpackage, lintian; man-db renders fwcert.1 in its test
  debhelper dpkg-dev fakeroot lintian man-db python3-yaml
  # the completion tests run the generated scripts under real bash (with bash-completion) and zsh
  bash-completion zsh
  # EROFS images (mkfs.erofs) and the extraction oracle (fsck.erofs --extract), dump.erofs
  erofs-utils
  # NOR flash images for the format tests: mkfs.jffs2 and jffs2dump (mtd-utils, above), cramfsswap;
  # mkfs.cramfs and fsck.cramfs come with util-linux
  cramfsswap util-linux
  # ISO 9660 update media (xorriso, Rock Ridge) and FAT boot partitions (mkfs.vfat, mcopy)
  xorriso dosfstools mtools
  # the HTML report's browser test: headless Chromium, driven by playwright-core (package.json)
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js and npm run the test-only validators (package.json). Debian's packages, unless a
# node and npm are already on PATH (another distribution of Node ships npm inside nodejs).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

# npm packages from the committed package-lock.json, exactly (npm ci); skipped when
# node_modules was installed from this very lock file.
npm_packages() {
  local root lock_sum stamp
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  lock_sum="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
  stamp="$root/node_modules/.fwcert-lock.sha256"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
    echo "install-deps: npm packages present"
    return 0
  fi
  echo "install-deps: npm ci"
  # playwright-core drives Debian's chromium; no browser build is ever downloaded.
  # Node trusts the system CA store too (a registry reached through a TLS-inspecting proxy
  # whose CA is installed there, as on many build machines).
  local extra_ca="${NODE_EXTRA_CA_CERTS:-}"
  if [ -z "$extra_ca" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then extra_ca=/etc/ssl/certs/ca-certificates.crt; fi
  (cd "$root" && NODE_EXTRA_CA_CERTS="$extra_ca" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  echo "$lock_sum" > "$stamp"
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  npm_packages
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
npm_packages
