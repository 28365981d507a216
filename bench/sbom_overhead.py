#!/usr/bin/env python3
"""What the SBOM adds to a scan, in CPU time (user + system of each process).

    sbom_overhead.py RUNS TARGET FWCERT [BASELINE_FWCERT]

Alternates, RUNS times: a full scan with BASELINE_FWCERT (a build without the SBOM code, when
given), a full scan with FWCERT, `fwcert sbom` and `fwcert facts --layout` (open and walk only),
each with -j 1, and prints the median and minimum CPU time and the median wall time of each.
CPU time is the figure on a shared machine, where wall time mostly measures the neighbours.
"""

import os
import statistics
import subprocess
import sys
import time


def main():
    runs, target, fwcert = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    date = ["--assessment-date", "2026-03-01"]
    cmds = {}
    if len(sys.argv) > 4:
        cmds["baseline: scan"] = [sys.argv[4], "scan", target, "-q", "-j", "1", "--format", "json", "-o", "/dev/null"] + date
    cmds["scan"] = [fwcert, "scan", target, "-q", "-j", "1", "--format", "json", "-o", "/dev/null"] + date
    cmds["sbom"] = [fwcert, "sbom", target, "-q", "-j", "1", "-o", "/dev/null"]
    cmds["facts --layout (walk)"] = [fwcert, "facts", "--layout", target, "-o", "/dev/null"]
    cpu = {k: [] for k in cmds}
    wall = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            start = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(p.pid, 0)
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(usage.ru_utime + usage.ru_stime)
    for name in cmds:
        print("%-24s cpu median %.3f s  min %.3f s | wall median %.2f s"
              % (name, statistics.median(cpu[name]), min(cpu[name]), statistics.median(wall[name])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
