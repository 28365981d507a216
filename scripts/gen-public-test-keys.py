#!/usr/bin/env python3
"""Writes data/public-test-keys.tsv: private keys that Debian packages publish as test vectors.

    scripts/gen-public-test-keys.py [--out data/public-test-keys.tsv] [--cache DIR]

Libraries compile self-test keys into their binaries (GnuTLS's libgnutls.so.30 carries RSA, DSA
and EC keys for its FIPS self-tests) and language runtimes ship test suites full of keys. Such a
key is published: it is nobody's secret and no device's identity, so fwcert reports it as
`info: public test key` rather than as the device's private key. The table holds only the
SHA-256 of each key's DER SubjectPublicKeyInfo (what `openssl pkey -pubout -outform DER |
sha256sum` prints, and what fwcert computes for every key it finds), never key material, with
the package, version and path it was found in.

The packages are downloaded through apt (`apt-get download`) and read without installing or
running anything; the digests come from the openssl command. Re-run after a Debian point
release to pick up new versions: the table is sorted and the output is deterministic.
"""

import argparse
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile

# Debian packages whose files hold published test keys, with why they are public.
PACKAGES = {
    "libgnutls30": "GnuTLS FIPS self-test keys compiled into the library",
    "libpython3.11-testsuite": "CPython test suite (Lib/test)",
    "golang-1.19-src": "Go standard library tests",
}

PEM = re.compile(rb"-----BEGIN ((?:RSA |EC |DSA |)(?:PRIVATE|TESTING) KEY)-----[A-Za-z0-9+/=\s\\n]{40,16384}?"
                 rb"-----END \1-----")


def digest(block):
    # Go's tests spell their keys "TESTING KEY" so scanners skip them (crypto/tls testingKey).
    block = block.replace(b"TESTING KEY", b"PRIVATE KEY").replace(b"\\n", b"\n")
    proc = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER", "-passin", "pass:"],
                          input=block, capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        return None
    import hashlib
    return hashlib.sha256(proc.stdout).hexdigest()


def key_name(block):
    proc = subprocess.run(["openssl", "pkey", "-noout", "-text_pub", "-passin", "pass:"],
                          input=block.replace(b"TESTING KEY", b"PRIVATE KEY").replace(b"\\n", b"\n"),
                          capture_output=True)
    text = proc.stdout.decode(errors="replace")
    bits = re.search(r"\((\d+) bit\)", text)
    kind = "RSA" if "Modulus:" in text else "EC" if "ASN1 OID" in text else \
        "DSA" if re.search(r"^P:", text, re.M) else text.split(" ", 1)[0].strip() or "key"
    return kind + (" %s-bit" % bits.group(1) if bits else "")


def package_files(deb):
    data = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for info in tar:
            if info.isreg() and 0 < info.size <= 64 << 20:
                yield info.name.lstrip("."), tar.extractfile(info).read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "data", "public-test-keys.tsv"))
    ap.add_argument("--cache", default=None)
    args = ap.parse_args()
    cache = args.cache or tempfile.mkdtemp(prefix="fwcert-testkeys-")
    os.makedirs(cache, exist_ok=True)
    rows = {}
    for package, why in PACKAGES.items():
        proc = subprocess.run(["apt-get", "download", "-q", package], cwd=cache, capture_output=True, text=True)
        debs = sorted(f for f in os.listdir(cache) if f.startswith(package + "_") and f.endswith(".deb"))
        if proc.returncode != 0 or not debs:
            print("skipped %s: %s" % (package, proc.stderr.strip().splitlines()[-1:] or "not downloadable"),
                  file=sys.stderr)
            continue
        deb = os.path.join(cache, debs[-1])
        version = subprocess.run(["dpkg-deb", "-f", deb, "Version"], check=True, capture_output=True,
                                 text=True).stdout.strip()
        found = 0
        for path, data in package_files(deb):
            for m in PEM.finditer(data):
                sha = digest(m.group(0))
                if sha and sha not in rows:
                    rows[sha] = (key_name(m.group(0)), package, version, path, why)
                    found += 1
        print("%s %s: %d keys" % (package, version, found), file=sys.stderr)
    with open(args.out, "w") as out:
        out.write("# Published test keys, by the SHA-256 of the DER SubjectPublicKeyInfo (see\n"
                  "# scripts/gen-public-test-keys.py, which wrote this file from Debian's packages; do not edit\n"
                  "# by hand). Columns: digest, key, package, version, path in the package, why it is public.\n")
        for sha in sorted(rows):
            out.write("\t".join((sha,) + rows[sha]) + "\n")
    print("%s: %d keys" % (args.out, len(rows)), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
