#!/usr/bin/env python3
"""Plants one weakness per check into a real configured Debian system and scans it twice.

    planted_test.py FWCERT SYSTEM.tar

The system (built by build_system.py from Debian's packages) is unpacked twice. Both copies get
the same production kernel configuration and a recent /etc/timestamp, so every check below has
its inputs; the second copy also gets the weaknesses. On the clean copy each check must pass
(os-build-age, an info check, must be info); on the planted copy each must fail (os-build-age:
warn) with evidence naming the planted file. The files planted are the ones a vendor's
development build really leaves: a sysctl drop-in, an fstab line, Yocto's /etc/build and the
dropbear option allow-empty-password writes, an old build timestamp.
"""

import json
import os
import subprocess
import sys
import tarfile
import tempfile

DATE = "2026-12-01"

PRODUCTION_KERNEL = """# Linux/x86 6.1.0 Kernel Configuration
CONFIG_X86_64=y
CONFIG_COREDUMP=y
# CONFIG_DEBUG_FS is not set
# CONFIG_DEVMEM is not set
# CONFIG_PROC_KCORE is not set
# CONFIG_KPROBES is not set
# CONFIG_FTRACE is not set
# CONFIG_KGDB is not set
"""

# check -> (status on the clean copy, status on the planted copy, the planted file its evidence names)
EXPECT = {
    "debug-coredumps": ("pass", "fail", "/etc/sysctl.d/90-bringup.conf"),
    "debug-kernel-interfaces": ("pass", "fail", "/etc/fstab"),
    "inv-build-type": ("pass", "fail", "/etc/build"),
    "os-build-age": ("info", "warn", "/etc/timestamp"),
}


# Files both copies get (the planted copy's differs): the clean scan may name them.
PREPARED = {"/boot/config-6.1.0-production", "/etc/timestamp"}


def unpack(tar, root):
    with tarfile.open(tar) as t:
        try:
            t.extractall(root, filter="tar")
        except TypeError:  # a Python without extraction filters (PEP 706)
            t.extractall(root)


def write(root, rel, text, append=False):
    path = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a" if append else "w") as f:
        f.write(text)


def prepare(root):
    write(root, "/boot/config-6.1.0-production", PRODUCTION_KERNEL)
    write(root, "/etc/timestamp", "20261120101500\n")


def plant(root):
    write(root, "/etc/sysctl.d/90-bringup.conf", "# left from board bring-up\nfs.suid_dumpable = 1\n")
    write(root, "/etc/fstab", "debugfs /sys/kernel/debug debugfs defaults,mode=0755 0 0\n", append=True)
    write(root, "/etc/build",
          "-----------------------\nBuild Configuration:  |\n-----------------------\n"
          "DISTRO = poky\nDISTRO_VERSION = 4.0.17\nIMAGE_FEATURES = debug-tweaks ssh-server-dropbear\n")
    write(root, "/etc/default/dropbear", 'DROPBEAR_EXTRA_ARGS=" -B"\n')
    write(root, "/etc/timestamp", "20250102030405\n")


def scan(fwcert, root):
    r = subprocess.run([fwcert, "scan", root, "--assessment-date", DATE, "--format", "json", "-q"],
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit("fwcert scan exited %d: %s" % (r.returncode, r.stderr))
    found = {}
    for f in json.loads(r.stdout)["findings"]:
        if f["check"] in EXPECT:
            found.setdefault(f["check"], []).append(f)
    return found


def main():
    fwcert, tar = sys.argv[1:3]
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        clean, planted = os.path.join(tmp, "clean"), os.path.join(tmp, "planted")
        for root in (clean, planted):
            unpack(tar, root)
            prepare(root)
        plant(planted)
        before, after = scan(fwcert, clean), scan(fwcert, planted)
    for check, (want_clean, want_planted, path) in EXPECT.items():
        for label, found, want in (("clean", before, want_clean), ("planted", after, want_planted)):
            hits = found.get(check, [])
            if len(hits) != 1:
                errors.append("%s: %d %s findings, expected one" % (label, len(hits), check))
                continue
            f = hits[0]
            if f["status"] != want:
                errors.append("%s: %s is %s (%s), expected %s" % (label, check, f["status"], f["message"], want))
            paths = [e.get("path") for e in f.get("evidence", [])]
            if label == "planted" and path not in paths:
                errors.append("planted: %s names %s, not the planted %s" % (check, paths, path))
            if label == "clean" and path in paths and path not in PREPARED:
                errors.append("clean: %s names %s, which was not planted" % (check, path))
            if not f.get("evidence"):
                errors.append("%s: %s has no evidence" % (label, check))
    for e in errors:
        print("FAIL: " + e)
    print("%d checks, clean and planted: %s" % (len(EXPECT), "ok" if not errors else "%d errors" % len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
