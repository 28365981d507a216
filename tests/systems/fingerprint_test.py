#!/usr/bin/env python3
"""Holds the version fingerprints (data/fingerprints.yaml) to Debian's own packages.

    fingerprint_test.py [--fetch-only] FWCERT CACHE [--arch ARCH]...

For each architecture, Debian 12's packages of the fingerprinted products are downloaded
through apt (a private apt configuration under CACHE: its own package lists of that one
architecture, an empty dpkg status, nothing of the host's apt or dpkg state touched), their data
archives are extracted with `dpkg-deb -x` into one tree with no /var/lib/dpkg (so no package
database can tell fwcert anything), and `fwcert facts TREE --analyzer os` is run on it. For
every package, each fingerprint component of the product it ships that was read from one of its
files must carry the package's upstream version (its Debian version without epoch, revision and
repack suffixes, read from the .deb's control fields), and at least one must be found.

Downloads and extracted trees are kept in CACHE, so a second run reads no network and
extracts nothing again.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ARCHS = ["amd64", "i386", "arm64", "armhf", "armel", "mipsel"]

# package -> the fingerprint products its files must be found to hold. Packages missing from an
# architecture's archive are reported and skipped, except those of the done-when list.
PACKAGES = {
    "busybox-static": ["busybox"],
    "dropbear-bin": ["dropbear"],
    "openssh-client": ["openssh"],
    "openssh-server": ["openssh"],
    "openssl": ["openssl"],
    "libssl3": ["openssl"],
    "curl": ["curl"],
    "libcurl4": ["libcurl"],
    "lighttpd": ["lighttpd"],
    "dnsmasq-base": ["dnsmasq"],
    "hostapd": ["hostapd"],
    "libc6": ["glibc"],
    "wpasupplicant": ["wpa_supplicant"],
    "zlib1g": ["zlib"],
    "libxml2": ["libxml2"],
    "libexpat1": ["expat"],
    "bluez": ["bluez"],
    "sudo": ["sudo"],
    "mount": ["util-linux"],
    "systemd": ["systemd"],
    "avahi-daemon": ["avahi"],
    "miniupnpd-nftables": ["miniupnpd"],
    "samba": ["samba"],
    "nginx": ["nginx"],
    "libmbedcrypto7": ["mbedtls"],
    "libwolfssl35": ["wolfssl"],
    "musl": ["musl"],
    "polkitd": ["polkit"],
}
REQUIRED = {"busybox-static", "dropbear-bin", "openssh-client", "openssh-server", "openssl", "libssl3", "curl",
            "libcurl4", "lighttpd", "dnsmasq-base", "hostapd", "libc6"}
# Builds whose version text is not in the bytes as text, with the reason; checked to stay so, so
# that a rule that starts reading them is noticed.
UNREADABLE = {
    ("i386", "libmbedcrypto7"): "gcc inlines the copy of \"mbed TLS 2.28.3\" in mbedtls_version_get_string_full() "
                                "as four 32-bit immediates: the string is in no data section",
}
# Architecture-independent packages, checked once (in the first architecture's tree).
ALL_ARCH = {"u-boot-qemu": ["u-boot"]}


def upstream_version(version):
    """The upstream version of a Debian version: epoch, revision and repack suffixes dropped."""
    version = re.sub(r"^\d+:", "", version)
    if "-" in version:
        version = version[:version.rindex("-")]
    version = re.sub(r"[.+~](dfsg|ds|repack)\d*.*$", "", version)
    return re.split(r"[+~]", version)[0]


def apt_options(root, arch):
    return ["-q", "-o", "Dir::State=" + root, "-o", "Dir::State::Lists=" + os.path.join(root, "lists"),
            "-o", "Dir::State::status=" + os.path.join(root, "empty-status"), "-o", "Dir::Cache=" + root,
            "-o", "Dir::Cache::archives=" + os.path.join(root, "archives"), "-o", "Debug::NoLocking=1",
            "-o", "APT::Sandbox::User=root", "-o", "APT::Architecture=" + arch,
            "-o", "APT::Architectures::=" + arch]


def download(cache, arch, packages):
    """The .deb files of `packages` for `arch` in cache/ARCH/debs: name -> path. Only what the
    cache lacks is fetched (packages the archive does not have are remembered as such)."""
    root = os.path.join(cache, arch, "apt")
    debs = os.path.join(cache, arch, "debs")
    absent_file = os.path.join(debs, ".absent")
    os.makedirs(debs, exist_ok=True)
    absent = set(open(absent_file).read().split()) if os.path.exists(absent_file) else set()
    missing = [p for p in packages if p not in index(debs) and p not in absent]
    if not missing:
        return index(debs)
    for d in ("lists/partial", "archives/partial"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    open(os.path.join(root, "empty-status"), "w").close()
    opts = apt_options(root, arch)
    subprocess.run(["apt-get", "update"] + opts, check=True, stdout=subprocess.DEVNULL)
    available = []
    for p in missing:
        policy = subprocess.run(["apt-cache", "policy"] + opts + [p], capture_output=True, text=True).stdout
        if re.search(r"Candidate: (?!\(none\))", policy):
            available.append(p)
        else:
            absent.add(p)
    if available:
        subprocess.run(["apt-get", "download"] + opts + available, check=True, cwd=debs, stdout=subprocess.DEVNULL)
    with open(absent_file, "w") as f:
        f.write("\n".join(sorted(absent)))
    return index(debs)


def index(debs):
    out = {}
    for f in sorted(os.listdir(debs)):
        if f.endswith(".deb"):
            out[f.split("_")[0]] = os.path.join(debs, f)
    return out


def control(deb):
    text = subprocess.run(["dpkg-deb", "-f", deb], check=True, capture_output=True, text=True).stdout
    return dict(re.findall(r"^([A-Za-z-]+): (.*)$", text, re.M))


def extract(cache, arch, debs):
    """One tree of every package's data; package -> the paths (from the tree's root) it holds."""
    tree = os.path.join(cache, arch, "tree")
    listing = os.path.join(cache, arch, "files.json")
    stamp = os.path.join(cache, arch, "tree.stamp")
    key = json.dumps(sorted(os.path.basename(d) for d in debs.values()))
    if os.path.exists(stamp) and open(stamp).read() == key and os.path.exists(listing):
        return tree, json.load(open(listing))
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    files = {}
    for name, deb in sorted(debs.items()):
        subprocess.run(["dpkg-deb", "-x", deb, tree], check=True)
        members = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True, capture_output=True).stdout
        names = subprocess.run(["tar", "-t"], input=members, check=True, capture_output=True).stdout.decode()
        files[name] = sorted("/" + n.lstrip("./") for n in names.splitlines() if not n.endswith("/"))
    if os.path.exists(os.path.join(tree, "var/lib/dpkg")):
        shutil.rmtree(os.path.join(tree, "var/lib/dpkg"))  # never a package database
    with open(listing, "w") as f:
        json.dump(files, f)
    with open(stamp, "w") as f:
        f.write(key)
    return tree, files


def fingerprints(fwcert, tree):
    """product -> [(version, files, evidence)] from the os analyzer's fingerprint facts."""
    run = subprocess.run([fwcert, "facts", tree, "--analyzer", "os", "--format", "json"], capture_output=True,
                         text=True)
    if run.returncode != 0:
        sys.exit("fwcert facts exited %d: %s" % (run.returncode, run.stderr))
    found = {}
    for fact in json.loads(run.stdout)["facts"]:
        if fact["name"] != "fingerprint.component":
            continue
        name, version, files = fact["value"][0], fact["value"][1], fact["value"][2:]
        found.setdefault(name, []).append((version, files, fact["source"]))
    return found


def check(arch, packages, debs, files, found, errors, checked):
    for package, products in sorted(packages.items()):
        if package not in debs:
            if package in REQUIRED:
                errors.append("%s: %s was not downloaded" % (arch, package))
            else:
                print("%s: %s: not in the archive, skipped" % (arch, package))
            continue
        expected = upstream_version(control(debs[package])["Version"])
        owned = set(files.get(package, []))
        for product in products:
            seen = [(v, f, e) for v, fs, e in found.get(product, []) for f in fs if f in owned]
            if (arch, package) in UNREADABLE:
                if seen:
                    errors.append("%s: %s %s: read %s where no version text was (%s)" % (
                        arch, package, product, seen[0][0], UNREADABLE[(arch, package)]))
                else:
                    print("%s: %s: not readable: %s" % (arch, package, UNREADABLE[(arch, package)]))
                continue
            if not seen:
                errors.append("%s: %s %s: no fingerprint in any of its files" % (arch, package, product))
                continue
            wrong = sorted({"%s in %s" % (v, f) for v, f, _ in seen if v != expected})
            if wrong:
                errors.append("%s: %s %s: expected %s, read %s" % (arch, package, product, expected, ", ".join(wrong)))
            else:
                checked.append((arch, package, product, expected, len(seen)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fwcert")
    ap.add_argument("cache")
    ap.add_argument("--arch", action="append")
    ap.add_argument("--fetch-only", action="store_true", help="download and extract, scan nothing")
    args = ap.parse_args()
    args.cache = os.path.abspath(args.cache)
    started = time.monotonic()
    errors, checked = [], []
    for i, arch in enumerate(args.arch or ARCHS):
        packages = dict(PACKAGES)
        if i == 0:
            packages.update(ALL_ARCH)
        debs = {k: v for k, v in download(args.cache, arch, sorted(packages)).items() if k in packages}
        tree, files = extract(args.cache, arch, debs)
        if args.fetch_only:
            print("%s: %d packages in %s" % (arch, len(debs), tree))
            continue
        t = time.monotonic()
        found = fingerprints(args.fwcert, tree)
        print("%s: scanned in %.1f s" % (arch, time.monotonic() - t))
        check(arch, packages, debs, files, found, errors, checked)
    if args.fetch_only:
        return 0
    for arch, package, product, version, n in checked:
        print("ok %s %s %s %s (%d file%s)" % (arch, package, product, version, n, "" if n == 1 else "s"))
    for e in errors:
        print("FAIL " + e)
    print("%d passed, %d failed (%.1f s)" % (len(checked), len(errors), time.monotonic() - started))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
