#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of selftests/bench/report.py: how goals are judged from
icount figures (instructions per packet) and from wall-clock rounds
(inconclusive when their spread straddles the target).  KTAP output."""
import importlib.util
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "report", os.path.join(HERE, "../bench/report.py"))
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)

VARIANTS = ["none", "loaded", "attached", "limit", "nft_empty", "nft", "police",
            "limiting", "htb", "fq"]
results = []


def check(ok, what):
    results.append((bool(ok), what))


def goals(ric, r):
    """Goal lines {name: line} of one kernel's icount and wall results."""
    g = report.Goals("test")
    summ = {}
    saved = sys.stdout
    sys.stdout = open(os.devnull, "w")
    try:
        if ric:
            report.do_cost_icount(ric, g, summ)
        if r:
            report.do_cost(r, g, summ)
    finally:
        sys.stdout.close()
        sys.stdout = saved
    return {x["name"]: x for x in g.lines}, summ


def icount_run(ns):
    return {"kernel": "test", "sections": {"cost": {
        "icount": True, "packets": 1000, "low_bps": 50000000, "hooks": {"loaded": 0, "attached": 2},
        "ns_per_packet": {"veth0": {v: [ns[v]] * 3 for v in VARIANTS}}}}}


def wall_run(pps):
    return {"kernel": "test", "sections": {"cost": {
        "rounds": 3, "hooks": {"loaded": 0, "attached": 2}, "pps": {"veth0": pps}}}}


check(report.verdict([1, 2], lambda x: x > 0) == "met", "verdict: every value on the good side: met")
check(report.verdict([1, 2], lambda x: x > 5) == "missed", "verdict: none on the good side: missed")
check(report.verdict([1, 9], lambda x: x > 5) == "inconclusive",
      "verdict: values straddling the target: inconclusive")
check(abs(report.spread([99, 100, 101]) - 0.02) < 1e-12, "spread: (max - min) / median")

# 4000 instructions per packet with no module; attached +100 (ratio 0.976),
# limit +300 (0.930), nft +500 (limit 0.6x of it), holding 4100 vs HTB 5000.
ns = {"none": 4000, "loaded": 4000, "attached": 4100, "limit": 4300, "nft_empty": 4250,
      "nft": 4500, "police": 4450, "limiting": 4100, "htb": 5000, "fq": 4400}
gl, summ = goals(icount_run(ns), None)
check(gl["pps-attached-veth"]["verdict"] == "met" and gl["pps-attached-veth"]["measured"] == "0.976",
      "icount: attached ratio = none's instructions / attached's")
check(gl["pps-limit-veth"]["verdict"] == "missed", "icount: limit ratio 0.930 misses >= 0.95")
check(gl["cost-vs-nft-veth"]["measured"] == "0.60x" and gl["cost-vs-nft-veth"]["verdict"] == "missed",
      "icount: added cost against nft's added cost")
check(gl["holding-vs-htb-veth"]["measured"] == "0.82x" and gl["holding-vs-htb-veth"]["verdict"] == "met",
      "icount: holding per packet against HTB's")
check(gl["nothing-attached"]["verdict"] == "met", "icount: no hooks and the same count: met")
check(summ["cost_icount"]["veth0"]["spread"]["none"] == 0, "icount: identical rounds have no spread")

# Rounds 2 % apart (as on a vhost tap) around a limit ratio of 0.95.
run = icount_run(ns)
d = run["sections"]["cost"]["ns_per_packet"]["veth0"]
d["none"], d["limit"] = [3960, 4000, 4040], [4150, 4210, 4250]
gl, _ = goals(run, None)
check(gl["pps-limit-veth"]["verdict"] == "inconclusive",
      "icount: rounds straddling the target are inconclusive")

# One round of three with an empty chain's worth more, nothing attached.
run = icount_run(ns)
run["sections"]["cost"]["ns_per_packet"]["veth0"]["loaded"] = [4000, 4300, 4000]
gl, _ = goals(run, None)
check(gl["nothing-attached"]["verdict"] == "inconclusive",
      "icount: nothing attached is judged on every round, not the median")

# Wall clock: rounds 50..100 kpps for every variant straddle every target.
flat = {v: [50000, 100000, 75000] for v in ("none", "loaded", "attached", "limit", "nft", "police")}
gl, _ = goals(icount_run(ns), wall_run(flat))
check(all(gl["%s-wall" % n]["verdict"] == "inconclusive" for n in
          ("pps-attached-veth", "pps-limit-veth", "cost-vs-nft-veth")),
      "wall: a spread straddling the target is inconclusive, not met")
check(gl["pps-attached-veth"]["verdict"] == "met", "wall: the icount lines keep their own verdicts")
tight = {"none": [100000, 100100, 100050], "loaded": [100000] * 3, "attached": [90000, 90100, 90050],
         "limit": [80000] * 3, "nft": [70000] * 3, "police": [70000] * 3}
gl, _ = goals(None, wall_run(tight))
check(gl["pps-attached-veth-wall"]["verdict"] == "missed",
      "wall: every round below the target: missed")

# Wall clock, 1 vs 1024 targets: a span across the whole 1 % band.
r = {"kernel": "test", "sections": {"scale": {
    "targets": 1024, "tenants": 256, "ctrl_step_ns": [1e6], "iofairctl_stats_s": 0.1,
    "dump": [{"ms": 5.0, "messages": 1281}], "pps_1": [10000, 40000], "pps_1024": [10000, 30000],
    "mem_per_target_bytes": 1, "build": {"targets_s": 1, "nodes": 257}}}}
g = report.Goals("test")
saved = sys.stdout
sys.stdout = open(os.devnull, "w")
try:
    report.do_scale(r, g, {})
finally:
    sys.stdout.close()
    sys.stdout = saved
check({x["name"]: x for x in g.lines}["per-packet-1-vs-1024-wall"]["verdict"] == "inconclusive",
      "wall: a span across the whole band is inconclusive, not missed")

# The whole report from a directory with only an icount run.
with tempfile.TemporaryDirectory() as d:
    os.makedirs(os.path.join(d, "k", "icount"))
    with open(os.path.join(d, "k", "icount", "results.json"), "w") as f:
        json.dump(icount_run(ns), f)
    saved = sys.stdout
    sys.stdout = open(os.devnull, "w")
    try:
        rc = report.main(["report.py", "--commit", "abc", d])
    finally:
        sys.stdout.close()
        sys.stdout = saved
    md = open(os.path.join(d, "report.md")).read()
    check(rc == 0 and "at commit abc" in md and "do not show cache misses" in md.replace("**", ""),
          "report: an icount-only run gives a report naming the commit and what instructions miss")

print("TAP version 13")
print("1..%d" % len(results))
for i, (ok, what) in enumerate(results, 1):
    print("%s %d %s" % ("ok" if ok else "not ok", i, what))
fails = sum(1 for ok, _ in results if not ok)
print("# %d passed, %d failed" % (len(results) - fails, fails))
sys.exit(1 if fails else 0)
