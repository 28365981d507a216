#!/usr/bin/env python3
"""The SBOM of a real Debian 12 system, held to its own dpkg database.

    sbom_test.py FWCERT SYSTEM.tar SOURCE_DIR

The system is one tests/systems/build_system.py built from Debian's packages (the ctest
fixture system.appliance). Its /var/lib/dpkg/status is parsed here, independently of fwcert;
`fwcert sbom` must list every installed package with the same name, version and architecture,
and nothing more, in CycloneDX 1.6 (validated against the official schema with
@cyclonedx/cyclonedx-library's strict validator, tests/validate/validate-cyclonedx.mjs) and in
SPDX 2.3 (no npm package ships the SPDX 2.3 JSON schema, so its required fields, its id syntax
and its relationships are asserted here). Each package's files must be the ones its info/*.list
names.
"""

import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def member(tar, path):
    for name in (path, "./" + path):
        try:
            return tar.extractfile(name).read().decode()
        except KeyError:
            continue
    raise KeyError(path)


def dpkg_status(text):
    """{(name, version, arch)} of the installed packages of a status file."""
    out = set()
    for stanza in re.split(r"\n\s*\n", text):
        fields = dict(re.findall(r"^([A-Za-z0-9-]+):[ \t]*(.*)$", stanza, re.M))
        if "Package" not in fields:
            continue
        if fields.get("Status", "install ok installed").endswith(" installed"):
            out.add((fields["Package"], fields.get("Version", ""), fields.get("Architecture", "")))
    return out


def main():
    fwcert, system, source = sys.argv[1:4]
    with tarfile.open(system) as tar:
        expected = dpkg_status(member(tar, "var/lib/dpkg/status"))
        dpkg_list = [l for l in member(tar, "var/lib/dpkg/info/dpkg.list").splitlines() if l]
    check(len(expected) > 100, "the system has %d packages, expected a real system" % len(expected))

    with tempfile.TemporaryDirectory() as tmp:
        cdx_path, spdx_path = os.path.join(tmp, "sbom.cdx.json"), os.path.join(tmp, "sbom.spdx.json")
        for fmt, path in (("cyclonedx", cdx_path), ("spdx", spdx_path)):
            r = subprocess.run([fwcert, "sbom", system, "--format", fmt, "-o", path, "-q"],
                               capture_output=True, text=True)
            check(r.returncode == 0, "fwcert sbom --format %s exited %d: %s" % (fmt, r.returncode, r.stderr))
        cdx = json.load(open(cdx_path))
        spdx = json.load(open(spdx_path))

        # CycloneDX: the official 1.6 schema, strictly.
        validator = os.path.join(source, "tests", "validate", "validate-cyclonedx.mjs")
        v = subprocess.run(["node", validator, cdx_path], capture_output=True, text=True)
        check(v.returncode == 0, "CycloneDX does not validate:\n" + v.stdout[:4000] + v.stderr)
        # ... and the validator can fail: a wrong component type is rejected.
        broken = json.loads(json.dumps(cdx))
        broken["components"][0]["type"] = "package"
        bad_path = os.path.join(tmp, "broken.cdx.json")
        json.dump(broken, open(bad_path, "w"))
        check(subprocess.run(["node", validator, bad_path], capture_output=True).returncode == 1,
              "the validator accepted a component of type 'package'")
        # Reproducible: the same target gives the same bytes.
        again = subprocess.run([fwcert, "sbom", system, "-q"], capture_output=True, text=True).stdout
        check(again == open(cdx_path).read(), "two runs of fwcert sbom differ")

    def props(c):
        return {p["name"]: p["value"] for p in c.get("properties", [])}

    debs = [c for c in cdx["components"] if props(c).get("fwcert:ecosystem") == "deb"]
    got = {(c["name"], c.get("version", ""), props(c).get("fwcert:arch", "")) for c in debs}
    check(got == expected, "CycloneDX packages differ from dpkg status: missing %s, extra %s"
          % (sorted(expected - got)[:10], sorted(got - expected)[:10]))
    check(len(debs) == len(expected), "%d deb components for %d packages" % (len(debs), len(expected)))
    refs = [c["bom-ref"] for c in cdx["components"]]
    check(len(refs) == len(set(refs)), "bom-refs are not unique")
    check(cdx["metadata"]["component"]["type"] == "firmware", "metadata.component is not the firmware")
    for c in debs:
        pr = props(c)
        name = urllib.parse.quote(c["name"], safe="")  # purl percent-encodes "+" (libstdc++6)
        check(c["purl"].startswith("pkg:deb/debian/%s@" % name) and "distro=debian-12" in c["purl"],
              "purl of %s: %s" % (c["name"], c["purl"]))
        check(pr.get("fwcert:found_by") == "package-db", "found_by of %s" % c["name"])
        check(re.fullmatch(r"/var/lib/dpkg/status:\d+", pr.get("fwcert:evidence", "")) is not None,
              "evidence of %s: %s" % (c["name"], pr.get("fwcert:evidence")))
    # The dpkg package owns its programs; the occurrences are the non-directory entries of its list.
    dpkg = [c for c in debs if c["name"] == "dpkg"]
    if check(len(dpkg) == 1, "no dpkg component"):
        occ = {o["location"] for o in dpkg[0].get("evidence", {}).get("occurrences", [])}
        check("/usr/bin/dpkg" in occ, "dpkg does not own /usr/bin/dpkg: %s" % sorted(occ)[:5])
        check(occ <= set(dpkg_list), "dpkg owns files its list does not name: %s" % sorted(occ - set(dpkg_list))[:5])
        check(dpkg[0]["type"] == "application", "dpkg is not an application")

    # SPDX 2.3: the fields the schema requires, the id syntax, the relationships.
    for key, want in (("SPDXID", "SPDXRef-DOCUMENT"), ("spdxVersion", "SPDX-2.3"), ("dataLicense", "CC0-1.0")):
        check(spdx.get(key) == want, "SPDX %s is %r" % (key, spdx.get(key)))
    check(bool(spdx.get("name")), "SPDX document has no name")
    check(re.fullmatch(r"[a-z]+://[^#]+", spdx.get("documentNamespace", "")) is not None, "bad documentNamespace")
    ci = spdx.get("creationInfo", {})
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ci.get("created", "")) is not None, "bad created")
    check(len(ci.get("creators", [])) >= 1 and all(re.match(r"(Tool|Person|Organization): ", c) for c in ci["creators"]),
          "bad creators")
    ids = set()
    for p in spdx["packages"]:
        check(re.fullmatch(r"SPDXRef-[A-Za-z0-9.\-]+", p.get("SPDXID", "")) is not None, "bad SPDXID %r" % p.get("SPDXID"))
        check(bool(p.get("name")) and bool(p.get("downloadLocation")), "package without name or downloadLocation")
        check(p.get("filesAnalyzed") is False, "filesAnalyzed is not false")
        ids.add(p["SPDXID"])
    check(len(ids) == len(spdx["packages"]), "SPDX ids are not unique")
    for r in spdx["relationships"]:
        check(r["spdxElementId"] in ids | {"SPDXRef-DOCUMENT"} and r["relatedSpdxElement"] in ids,
              "relationship to an unknown element: %s" % r)
    contains = [r for r in spdx["relationships"] if r["relationshipType"] == "CONTAINS"]
    check(len(contains) == len(spdx["packages"]) - 1, "not every package is CONTAINed by the firmware")
    spdx_debs = {(p["name"], p.get("versionInfo", "")) for p in spdx["packages"]
                 if any(ref["referenceLocator"].startswith("pkg:deb/") for ref in p.get("externalRefs", []))}
    check(spdx_debs == {(n, v) for n, v, _ in expected}, "SPDX packages differ from dpkg status")

    if failures:
        for f in failures:
            print("FAIL:", f)
        return 1
    print("sbom of %s: %d packages, CycloneDX 1.6 valid, SPDX 2.3 fields present" % (system, len(expected)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
