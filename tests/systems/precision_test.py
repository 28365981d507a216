#!/usr/bin/env python3
"""Scans a configured Debian system and holds every failing finding to an expert's review.

    precision_test.py FWCERT SYSTEM.tar ORACLE.yaml            # the test (ctest systems.precision.*)
    precision_test.py FWCERT SYSTEM.tar ORACLE.yaml --markdown # the table of docs/precision.md

The oracle (tests/fixtures/systems/<system>.yaml) lists every fail and warn finding the scan
must give, each reviewed by opening the files its evidence names, with the verdict
(true-positive or false-positive) and the reason; and, per class of error an earlier version
made, a regression case on the real package file that caused it. The test fails when

  - the scan gives a fail/warn finding the oracle does not list (review it, then add it), or
    misses one it lists, or rates one differently (status, severity);
  - a regression case comes back (a finding that must be absent is there, a fact that must
    record how a daemon really runs is missing);
  - more than 5% of the fail/warn findings are false positives, or any false positive is rated
    high or critical.
"""

import json
import subprocess
import sys

import yaml

MAX_FALSE_POSITIVE_RATE = 0.05


def scan(fwcert, target, date):
    report = subprocess.run([fwcert, "scan", target, "--assessment-date", date, "--format", "json", "-q"],
                            capture_output=True, text=True)
    if report.returncode not in (0, 1):
        sys.exit("fwcert scan exited %d: %s" % (report.returncode, report.stderr))
    facts = subprocess.run([fwcert, "facts", target, "--assessment-date", date], capture_output=True,
                           text=True)
    if facts.returncode != 0:
        sys.exit("fwcert facts exited %d: %s" % (facts.returncode, facts.stderr))
    return json.loads(report.stdout), json.loads(facts.stdout)["facts"]


def key(f):
    return (f["check"], f["subject"])


def main():
    fwcert, target, oracle_path = sys.argv[1:4]
    markdown = "--markdown" in sys.argv[4:]
    oracle = yaml.safe_load(open(oracle_path))
    report, facts = scan(fwcert, target, str(oracle["assessment_date"]))
    seen = {key(f): f for f in report["findings"] if f["status"] in ("fail", "warn")}
    expected = {(e["check"], e["subject"]): e for e in oracle["findings"]}

    if markdown:
        print("| check | subject | status | severity | review | reason |")
        print("|---|---|---|---|---|---|")
        for e in oracle["findings"]:
            print("| `%s` | `%s` | %s | %s | %s | %s |" % (e["check"], e["subject"], e["status"], e["severity"],
                                                        e["review"], e["reason"].replace("|", "\\|")))
        fps = [e for e in oracle["findings"] if e["review"] == "false-positive"]
        print("\n%d fail/warn findings, %d false positive(s) (%.1f%%)." % (len(expected), len(fps),
                                                                        100.0 * len(fps) / max(1, len(expected))))
        return 0

    errors = []
    for k, f in sorted(seen.items()):
        e = expected.get(k)
        if e is None:
            errors.append("unreviewed %s %s finding %s %s: %s" % (f["status"], f["severity"], *k, f["message"]))
            continue
        if (f["status"], f["severity"]) != (e["status"], e["severity"]):
            errors.append("%s %s is %s %s, the review expects %s %s" % (*k, f["status"], f["severity"], e["status"],
                                                                     e["severity"]))
    for k, e in sorted(expected.items()):
        if k not in seen:
            errors.append("missing %s %s finding %s %s (%s)" % (e["status"], e["severity"], *k, e["reason"]))

    for case in oracle.get("regressions", []):
        label = "regression [%s]" % case["class"]
        if "absent" in case:
            a = case["absent"]
            hits = [f for f in report["findings"] if f["check"] == a["check"] and f["subject"] == a["subject"] and
                    f["status"] in a.get("statuses", ["fail", "warn"])]
            if hits:
                errors.append("%s: %s %s is back: %s" % (label, a["check"], a["subject"], hits[0]["message"]))
        if "finding" in case:
            want = case["finding"]
            hits = [f for f in report["findings"] if f["check"] == want["check"] and f["subject"] == want["subject"]]
            if not hits or any(hits[0].get(k) != v for k, v in want.items() if k in ("status", "severity")):
                errors.append("%s: expected %s, got %s" % (label, want, [(h["status"], h["severity"]) for h in hits]))
            elif "message_contains" in want and want["message_contains"] not in hits[0]["message"]:
                errors.append("%s: message of %s lacks %r: %s" % (label, want["check"], want["message_contains"],
                                                                   hits[0]["message"]))
        if "fact" in case:
            want = case["fact"]
            values = [json.dumps(f["value"]) for f in facts if f["subject"] == want["subject"] and
                      f["name"] == want["name"]]
            if not any(want["contains"] in v for v in values):
                errors.append("%s: fact %s of %s does not contain %r (has %s)" % (label, want["name"], want["subject"],
                                                                                 want["contains"], values))

    reviewed = list(expected.values())
    fps = [e for e in reviewed if e["review"] == "false-positive"]
    if reviewed and len(fps) / len(reviewed) > MAX_FALSE_POSITIVE_RATE:
        errors.append("false-positive rate %d/%d is above %.0f%%" % (len(fps), len(reviewed),
                                                                     100 * MAX_FALSE_POSITIVE_RATE))
    for e in fps:
        if e["severity"] in ("high", "critical"):
            errors.append("false positive at %s: %s %s" % (e["severity"], e["check"], e["subject"]))
    for e in reviewed:
        if e["review"] not in ("true-positive", "false-positive") or not e.get("reason"):
            errors.append("oracle entry %s %s needs a review verdict and a reason" % (e["check"], e["subject"]))

    print("%s: %d fail/warn findings, %d false positive(s), %d regression cases" %
          (oracle["system"], len(seen), len(fps), len(oracle.get("regressions", []))))
    for e in errors:
        print("FAIL: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
