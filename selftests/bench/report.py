#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The host half of `make bench`: read build/bench/KVER/results.json (written
by selftests/bench/guest in the VM), print one line per goal of DESIGN.md,

    goal NAME: measured X, target Y, met|missed|inconclusive

write the figures derived from the raw data back into each results.json
("summary"), and write build/bench/report.md with gnuplot PNG plots beside
it.  Every figure is labelled with its kernel and "QEMU TCG emulation".

The cost goals are judged on the icount run (BENCH_DIR/KVER/icount: one
vCPU, 1 virtual ns per guest instruction, so ns per packet are instructions
per packet, deterministic).  The same goals from the wall-clock run are a
second view, named NAME-wall: "inconclusive" when the spread of its rounds
straddles the target, met or missed only when every round agrees.

  report.py [--command CMD] [--commit HASH] BENCH_DIR [KVER...]

Exits non-zero only when it cannot do its job (no results, gnuplot fails),
never because a goal was missed.
"""
import argparse
import glob
import json
import math
import os
import statistics
import subprocess
import sys

EMU = "QEMU TCG emulation"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def jain(xs):
    s = sum(xs)
    q = sum(x * x for x in xs)
    return s * s / (len(xs) * q) if q else None


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def fmt(x, nd=3):
    return "n/a" if x is None else ("%.*f" % (nd, x))


def verdict(values, ok):
    """met when ok(x) for every x of values, missed when for none,
    inconclusive when the values straddle the target."""
    vs = [ok(x) for x in values if x is not None]
    if not vs:
        return "missed"
    return "met" if all(vs) else "missed" if not any(vs) else "inconclusive"


def spread(xs):
    """(max - min) / median of xs."""
    xs = [x for x in xs if x is not None]
    m = med(xs)
    return (max(xs) - min(xs)) / m if xs and m else None


class Goals:
    def __init__(self, kver):
        self.kver = kver
        self.lines = []

    def add(self, name, measured, target, met, note="", verdict=None):
        """met: a bool, or verdict: "met", "missed" or "inconclusive"."""
        v = verdict or ("met" if met else "missed")
        line = "goal %s: measured %s, target %s, %s" % (name, measured, target, v)
        if note:
            line += " (%s)" % note
        self.lines.append({"name": name, "measured": measured, "target": target,
                           "met": v == "met", "verdict": v, "note": note, "line": line})
        print("%s [%s]" % (line, self.kver), flush=True)


def window_rates(samples, t0, t1, ids):
    """Mean tx rate (bit/s) of each target id over [t0, t1] from the byte
    counters of the first and last samples inside it."""
    inside = [s for s in samples if t0 <= s["t"] <= t1]
    if len(inside) < 2:
        return None
    a, b = inside[0], inside[-1]
    dt = (b["t"] - a["t"]) / 1e9
    out = {}
    for i in ids:
        x = a["targets"].get(str(i), {}).get("bytes")
        y = b["targets"].get(str(i), {}).get("bytes")
        out[i] = (y - x) * 8 / dt if x is not None and y is not None and dt > 0 else None
    return out


def whole_rates(samples, ids):
    if not samples:
        return None
    return window_rates(samples, samples[0]["t"], samples[-1]["t"], ids)


# --- sections ---------------------------------------------------------------

IC_NOTE = ("instruction counts do not show cache misses, branch mispredictions or the real "
           "cost of atomics: the same count can cost differently on hardware")


def per_device(c, key):
    """(device, its rounds per variant, their medians, the no-module median)
    of each device in c[key] that has a baseline."""
    for dev, data in c[key].items():
        m = {v: med(xs) for v, xs in data.items()}
        if m.get("none"):
            yield dev, data, m, m["none"]


def do_cost_icount(r, g, summ):
    """The cost goals from the icount run: ns per packet offered = guest
    instructions per packet (pktgen, fixed counts, 3 rounds).  The veth's
    rounds agree to about 0.01 %; a tap's, where vhost-net's worker and a
    userspace receiver share the one vCPU with pktgen, to about 1-2 %: a
    goal is judged on every figure the rounds allow, inconclusive when they
    straddle the target."""
    c = r["sections"].get("cost")
    if not c or not c.get("icount"):
        return
    out = {}
    for dev, data, m, base in per_device(c, "ns_per_packet"):
        path = "veth" if dev.startswith("veth") else "tap"
        added = {v: (x - base if x is not None else None) for v, x in m.items()}
        ratio = {v: (base / x if x else None) for v, x in m.items()}   # = pps / pps(none)
        spr = {v: spread(xs) for v, xs in data.items()}
        out[dev] = {"ns_per_packet": m, "added_ns": added, "ratio": ratio, "spread": spr,
                    "rounds": {v: data[v] for v in data}}
        sp = max(x for x in spr.values() if x is not None)
        rn = "%d rounds, largest spread of a variant %.4f%%" % (len(data["none"]), sp * 100)

        def span(v, w="none"):
            """v / w as the rounds allow it: lowest, highest."""
            return min(data[v]) / max(data[w]), max(data[v]) / min(data[w])

        def span_added(v):
            return min(data[v]) - max(data["none"]), max(data[v]) - min(data["none"])
        for v, name, lo, what in (
                ("attached", "attached", 0.97, "counting only"),
                ("limit", "limit", 0.95, "limit 5 Gbit/s above the offered load")):
            a = ratio.get(v)
            lo_hi = [1 / x for x in span(v)]	# pps ratio = none / v
            g.add("pps-%s-%s" % (name, path), fmt(a), ">= %.2f" % lo, False,
                  "icount, %s: %.0f vs %.0f instructions per packet (%+.0f); the rounds allow "
                  "%s..%s; %s" % (what, m[v], base, added[v], fmt(min(lo_hi)), fmt(max(lo_hi)), rn),
                  verdict=verdict(lo_hi, lambda x, lo=lo: x >= lo))
        ci, cn = added.get("limit"), added.get("nft")
        (ilo, ihi), (nlo, nhi) = span_added("limit"), span_added("nft")
        if ci is None or not cn or cn <= 0 or nlo <= 0:
            g.add("cost-vs-nft-%s" % path, "n/a", "<= 0.5x", False,
                  "icount: nft added %s instructions per packet" % fmt(cn, 0),
                  verdict="inconclusive")
        else:
            xs = (ilo / (nhi if ilo >= 0 else nlo), ihi / nlo)
            g.add("cost-vs-nft-%s" % path, "%.2fx" % (ci / cn), "<= 0.5x", False,
                  "icount, added instructions per packet: iofair limit %+.0f, nft limit rate %+.0f "
                  "(the empty netdev egress chain alone, the framework's floor: %+.0f), "
                  "tc police %+.0f; the rounds allow %.2f..%.2fx" % (
                      ci, cn, added.get("nft_empty") or 0, added.get("police") or 0, xs[0], xs[1]),
                  verdict=verdict(xs, lambda x: x <= 0.5))
        out[dev]["ratio_vs_nft"] = ci / cn if ci is not None and cn and cn > 0 else None
        hl, hh = m.get("limiting"), m.get("htb")
        if hl and hh:
            x = (hl - base) / (hh - base) if hh > base else None
            hs = span("limiting", "htb")
            g.add("holding-vs-htb-%s" % path, "%.2fx" % (hl / hh), "<= 1.0x", False,
                  "icount, %d Mbit/s below the offered load, instructions per packet offered: "
                  "iofair %.0f, HTB %.0f, fq maxrate %s, none %.0f; added over none: %s of HTB's; "
                  "the rounds allow %.2f..%.2fx" % (
                      c["low_bps"] // 1000000, hl, hh, fmt(m.get("fq"), 0), base, fmt(x, 2),
                      hs[0], hs[1]),
                  verdict=verdict(hs, lambda x: x <= 1.0))
            out[dev]["holding_vs_htb"] = hl / hh
    h = c.get("hooks", {})
    v = out.get("veth0")
    if v:
        d = v["added_ns"].get("loaded")
        base = v["ns_per_packet"]["none"]
        # Every round, not the median: one round with a hook is one too many.
        rounds = v["rounds"]["loaded"]
        same = verdict(rounds, lambda x: abs(x - base) <= base * 0.001)
        each = "rounds %s" % "/".join("%+.1f" % (x - base) for x in rounds)
        hooks, seen = h.get("loaded"), h.get("attached")
        if not seen:
            # 6.1's 'nft list hooks' does not show iofair's hooks even
            # with a target attached: the instructions alone say it.
            g.add("nothing-attached", "%+.1f instructions per packet" % d,
                  "same instructions (within 0.1 %)", False,
                  "icount, veth, %s; 'nft list hooks' shows no iofair hook even with a target "
                  "attached on this kernel, so only the instruction count judges" % each,
                  verdict=same)
        else:
            g.add("nothing-attached", "%s iofair hooks, %+.1f instructions per packet" % (hooks, d),
                  "0 hooks, same instructions (within 0.1 %)", False,
                  "icount, veth, %s; nft list hooks; with a target attached: %s hooks" % (each, seen),
                  verdict=same if hooks == 0 else "missed")
    out["note"] = IC_NOTE
    summ["cost_icount"] = out


def do_cost(r, g, summ):
    """The wall-clock view of the cost goals: met or missed only when every
    figure the rounds' spread allows is on the same side of the target."""
    c = r["sections"].get("cost")
    if not c or c.get("icount"):
        return
    out = {}
    for dev, data, m, base in per_device(c, "pps"):
        ratios = {v: (m[v] / base if m[v] else None) for v in m}
        cost = {v: (1 / m[v] - 1 / base) * 1e9 if m[v] else None for v in m}  # ns/packet
        out[dev] = {"median_pps": m, "ratio": ratios, "added_ns": cost,
                    "min_pps": {v: min(xs) for v, xs in data.items() if xs},
                    "max_pps": {v: max(xs) for v, xs in data.items() if xs}}
        path = "veth" if dev.startswith("veth") else "tap"
        sp = "median of %d rounds, none %s..%s pps" % (
            len(data["none"]), fmt(min(data["none"]), 0), fmt(max(data["none"]), 0))

        def span(v):
            """The ratio v / none can be anywhere in this, given the rounds."""
            return min(data[v]) / max(data["none"]), max(data[v]) / min(data["none"])

        def added(v):
            """Added ns per packet, lowest and highest the rounds allow."""
            return (1 / max(data[v]) - 1 / min(data["none"])) * 1e9, \
                (1 / min(data[v]) - 1 / max(data["none"])) * 1e9
        for v, name, lo in (("attached", "attached", 0.97), ("limit", "limit", 0.95)):
            s_ = span(v)
            g.add("pps-%s-%s-wall" % (name, path), fmt(ratios.get(v)), ">= %.2f" % lo, False,
                  "wall clock; %s; the rounds allow %s..%s" % (sp, fmt(s_[0]), fmt(s_[1])),
                  verdict=verdict(s_, lambda x, lo=lo: x >= lo))
        ci, cn = cost.get("limit"), cost.get("nft")
        (ilo, ihi), (nlo, nhi) = added("limit"), added("nft")
        if ci is None or cn is None or cn <= 0 or nlo <= 0:
            g.add("cost-vs-nft-%s-wall" % path, "n/a" if not cn or cn <= 0 else "%.2fx" % (ci / cn),
                  "<= 0.5x", False,
                  "wall clock; nft's added cost, %s ns/packet, is within the rounds' spread "
                  "(%.0f..%.0f)" % (fmt(cn, 0), nlo, nhi), verdict="inconclusive")
        else:
            xs = (ilo / (nhi if ilo >= 0 else nlo), ihi / nlo)
            g.add("cost-vs-nft-%s-wall" % path, "%.2fx" % (ci / cn), "<= 0.5x", False,
                  "wall clock; iofair limit %+.0f ns/packet, nft limit %+.0f ns/packet, tc police "
                  "%s ns/packet; the rounds allow %.2f..%.2fx" % (
                      ci, cn, fmt(cost.get("police"), 0), xs[0], xs[1]),
                  verdict=verdict(xs, lambda x: x <= 0.5))
        out[dev]["ratio_vs_nft"] = ci / cn if ci is not None and cn and cn > 0 else None
    h = c.get("hooks", {})
    lr = out.get("veth0", {}).get("ratio", {}).get("loaded")
    if "cost_icount" not in summ:
        if h.get("loaded") is None or not h.get("attached"):
            g.add("nothing-attached", "hooks unknown, pps ratio %s" % fmt(lr), "0 hooks", False,
                  "'nft list hooks' does not show iofair's hooks even with a target attached")
        else:
            g.add("nothing-attached", "%d iofair hooks registered, pps ratio %s" % (
                h["loaded"], fmt(lr)), "0 hooks", h["loaded"] == 0,
                "nft list hooks; with a target attached: %s hooks" % h.get("attached"))
    summ["cost"] = out


def do_rate(r, g, summ):
    c = r["sections"].get("rate")
    if not c:
        return
    unl = c.get("unlimited", {})
    rows = []
    for k in c["cases"]:
        ratio = k["bps"] / k["rate_bps"]
        mb = k["rate_bps"] // 1000000
        note = ["%.0f s average" % k["s"]]
        if k.get("stalled_frac") is not None:
            note.append("guest stalled %.0f%% of it" % (k["stalled_frac"] * 100))
        if k["proto"] == "udp":
            lo, hi = 0.99, 1.01
            off = k.get("offered_bps")
            if off is not None:
                note.append("offered %.1f Mbit/s" % (off / 1e6))
                if off < k["rate_bps"]:
                    note.append("the sender cannot offer the rate under TCG")
        else:
            # Measured with segmentation offload off (real frames at the
            # receiver): DESIGN's 97-101 %.
            lo, hi = 0.97, 1.01
            cap = unl.get("tcp", {}).get("bps")
            if cap is not None:
                note.append("unlimited TCP on this path %.0f Mbit/s" % (cap / 1e6))
                if cap < k["rate_bps"]:
                    note.append("the path cannot carry the rate under TCG")
        g.add("limiter-%s-%dmbit" % (k["proto"], mb), "%.4f (%.2f Mbit/s)" % (ratio, k["bps"] / 1e6),
              "%.2f..%.2f of the rate" % (lo, hi), lo <= ratio <= hi, "; ".join(note))
        rows.append({"proto": k["proto"], "rate_mbit": mb, "achieved_bps": k["bps"], "ratio": ratio,
                     "offered_bps": k.get("offered_bps"), "goodput_bps": k.get("goodput_bps")})
    summ["rate"] = {"cases": rows, "unlimited_udp_bps": unl.get("udp", {}).get("bps"),
                    "unlimited_tcp_bps": unl.get("tcp", {}).get("bps")}


def do_fair(r, g, summ):
    c = r["sections"].get("fair")
    if not c:
        return
    out = {}
    eq = [i["bps"] for i in c["equal"]["ifaces"]]
    j = jain(eq)
    print("jain_index: %.3f [%s]" % (j, r["kernel"]))
    mk = c["markers"]
    js = [s["nodes"].get("up", {}).get("jain_ppm") for s in c["samples"]
          if mk["equal_start"] <= s["t"] <= mk["equal_end"]]
    jm = med(js)
    g.add("jain-4-equal", "%.3f" % j, ">= 0.99", j >= 0.99,
          "L2 rates at the receivers %s Mbit/s under %d Mbit/s; the controller's own index %s" % (
              "/".join("%.2f" % (x / 1e6) for x in eq), c["capacity_bps"] // 1000000,
              fmt(jm / 1e6 if jm else None)))
    out["jain_equal"] = j
    out["jain_equal_controller"] = jm / 1e6 if jm else None
    out["equal_bps"] = eq
    off = c.get("offered_bps")
    if isinstance(off, list):
        cap = c["capacity_bps"]
        g.add("fair-capacity-held", "%.2f Mbit/s" % (sum(eq) / 1e6), "<= %d Mbit/s (+1%%)" % (cap // 1000000),
              sum(eq) <= cap * 1.01, "offered %s Mbit/s" % "/".join("%.0f" % (x / 1e6) for x in off))

    w = c["weighted"]["weights"]
    rates = [i["bps"] for i in c["weighted"]["ifaces"]]
    tot = sum(rates)
    errs = [abs(x / tot - wi / sum(w)) / (wi / sum(w)) for x, wi in zip(rates, w)] if tot else None
    if errs:
        g.add("weights-1-2-4", "max error %.1f%% (%s), weights %s" % (max(errs) * 100, ", ".join(
            "%.2f Mbit/s %+.1f%%" % (x / 1e6, (x / tot - wi / sum(w)) / (wi / sum(w)) * 100)
            for x, wi in zip(rates, w)), ":".join(str(x) for x in w)), "each share within 5% of w/sum(w)", max(errs) <= 0.05,
            "shares of the %.2f Mbit/s carried; capacity %d Mbit/s" % (
                tot / 1e6, c["capacity_bps"] // 1000000))
    out["weighted_bps"] = rates
    out["weighted_err"] = errs

    # Convergence: from the demand change to the first sample after which
    # every remaining target's per-interval rate is within 10% of its new
    # share for the next 3 samples.  The demand change is the first sample
    # in which the stopped target's rate fell below half its share: `ip link
    # set down` itself takes a few hundred ms under TCG, which is not the
    # controller's time (the marker before the command is the fallback).
    ids = {v: int(k) for k, v in c["targets"].items()}
    rem = [ids["f1"], ids["f2"], ids["f3"]]
    share = c["capacity_bps"] / 3
    ss = [s for s in c["samples"] if mk["stop"] <= s["t"] <= mk["stop_end"]]
    ival = c["interval_ms"] * 1e6
    t_stop = next((s["t"] for s in ss
                   if ((s["targets"].get(str(ids["f4"]), {}).get("rate") or 0)
                       < c["capacity_bps"] / 8)), mk["stop"])
    ss = [s for s in ss if s["t"] >= t_stop]

    def converged(key):
        for k in range(len(ss)):
            nxt = ss[k:k + 4]
            if len(nxt) < 4:
                break
            if all(abs((s["targets"].get(str(i), {}).get(key) or 0) - share) <= 0.1 * share
                   for s in nxt for i in rem):
                return math.ceil((ss[k]["t"] - t_stop) / ival)
        return None
    n, na = converged("rate"), converged("alloc")
    span = "not within %.1f s" % ((mk["stop_end"] - mk["stop"]) / 1e9)
    g.add("convergence", "%s" % ("%d intervals" % n if n is not None else span), "<= 3 intervals",
          n is not None and n <= 3,
          "achieved rates within 10%% of the new share %.2f Mbit/s; the allocations got there in "
          "%s; interval %d ms, counted from the first sample showing the sender stopped" % (
              share / 1e6, "%d intervals" % na if na is not None else span, c["interval_ms"]))
    out["convergence_intervals"] = n
    out["convergence_alloc_intervals"] = na
    summ["fair"] = out


def do_scale(r, g, summ):
    c = r["sections"].get("scale")
    if not c:
        return
    ic = bool(c.get("icount"))
    sfx = "" if ic else "-wall"
    clk = ("icount: virtual time, 1 ns per guest instruction" if ic else "wall clock")
    n = c["targets"]
    st = med(c["ctrl_step_ns"])
    g.add("controller-step-%d%s" % (n, sfx), "%.3f ms" % (st / 1e6), "<= 1 ms", st <= 1e6,
          "%s; median of %d steps %s..%s ms (the module's last_step_ns%s), %d tenants x %d" % (
              clk, len(c["ctrl_step_ns"]), fmt(min(c["ctrl_step_ns"]) / 1e6),
              fmt(max(c["ctrl_step_ns"]) / 1e6),
              ", sampled by one process" if c.get("ctrl_step_sampler") == "one process" else
              ", a Python process started per sample", c["tenants"], n // c["tenants"]),
          verdict=None if ic else verdict(c["ctrl_step_ns"], lambda x: x <= 1e6))
    dl = [x["ms"] for x in c["dump"]]
    d = med(dl)
    parse = [x["parse_ms"] for x in c["dump"] if "parse_ms" in x]
    pm = med(parse) if parse else None
    g.add("stats-dump-%d%s" % (n, sfx), "%.1f ms" % d, "<= 20 ms", d <= 20,
          "%s; median of %d netlink dumps of %d messages (%s..%s ms), %s; iofairctl -j stats took "
          "%.0f ms" % (
              clk, len(c["dump"]), c["dump"][0]["messages"], fmt(min(dl), 1), fmt(max(dl), 1),
              "from the request to NLMSG_DONE received (no message parsed meanwhile); Python's "
              "parse of every attribute after it: %.0f ms more" % pm if parse else
              "with Python's split of every message", c["iofairctl_stats_s"] * 1000),
          verdict=None if ic else verdict(dl, lambda x: x <= 20))
    p1, pn = med(c["pps_1"]), med(c["pps_1024"])
    ratio = p1 / pn if pn else None
    if ic:
        n1, nn = med(c["ns_1"]), med(c["ns_1024"])
        ratio = nn / n1 if n1 else None
        g.add("per-packet-1-vs-%d" % n, fmt(ratio, 4), "within 1 %", ratio is not None and 0.99 <= ratio <= 1.01,
              "icount: %.1f vs %.1f instructions per packet with 1 and 1+%d targets (3 rounds each: "
              "%s / %s)" % (n1, nn, n, "/".join("%.1f" % x for x in c["ns_1"]),
                            "/".join("%.1f" % x for x in c["ns_1024"])))
    else:
        rr = (min(c["pps_1"]) / max(c["pps_1024"]), max(c["pps_1"]) / min(c["pps_1024"]))
        g.add("per-packet-1-vs-%d-wall" % n, fmt(ratio), "within 1 %", False,
              "wall clock; cost per packet ratio = pps(1)/pps(1+%d): %.0f vs %.0f pps, measured "
              "before and after adding them, not alternated; the rounds allow %s..%s" % (
                  n, p1, pn, fmt(rr[0]), fmt(rr[1])),
              # A band: missed only when the whole span is outside it.
              verdict="met" if 0.99 <= rr[0] and rr[1] <= 1.01 else
              "missed" if rr[1] < 0.99 or rr[0] > 1.01 else "inconclusive")
    sc = summ["scale_icount" if ic else "scale"] = {
        "ctrl_step_ms": st / 1e6, "dump_ms": d, "parse_ms": pm, "pps_1": p1,
        "pps_1024": pn, "per_packet_ratio": ratio, "icount": ic,
        "mem_per_target_bytes": c["mem_per_target_bytes"],
        "build_s": c["build"]["targets_s"], "build_note": ""}
    ch = c["build"].get("chunk_ms")
    if ch:
        k = c["build"]["chunk"]
        sc["build_note"] = " (%.1f ms per target for the first %d, %.1f ms for the last %d)" % (
            ch[0] / k, k, ch[-1] / k, k)
    print("memory per target: %d bytes (Slab+Percpu+VmallocUsed over %d targets and %d nodes) [%s]"
          % (c["mem_per_target_bytes"], n, c["build"]["nodes"], r["kernel"]))


def do_paper(r, g, summ):
    c = r["sections"].get("paper")
    if not c:
        return
    out = {"rtt": {}, "throughput": {}, "fairness": {}, "interference": {}}
    for k, v in c["rtt"].items():
        xs = v["rtt_ms"]
        out["rtt"][k] = {"p50": pct(xs, 50), "p90": pct(xs, 90), "p99": pct(xs, 99),
                         "loss": 1 - len(xs) / v["sent"]}
    for k, v in c["throughput"].items():
        gb = v["bps"] / 1e9
        out["throughput"][k] = {
            "mbit": v["bps"] / 1e6, "cpu_cores": v["cpu_cores"],
            "cpu_per_gbit": v["cpu_cores"] / gb if gb else None,
            "vhost_cores": v["vhost_cpu_cores"],
            "iofair_worker_cores": (v["iofair_worker_cpu_ns"] / 1e9
                                    if v.get("iofair_worker_cpu_ns") is not None else None)}
    names = {int(k): v for k, v in c["targets"].items()}
    for key, samples in c["fairness"].items():
        if "/" not in key:
            continue
        pre = "vf" if key.startswith("sriov") else "tap"
        ids = [i for i in sorted(names) if names[i].startswith(pre)]
        rates = whole_rates(samples, ids)
        if not rates:
            continue
        xs = [rates[i] for i in ids]
        out["fairness"][key] = {"jain": jain(xs), "mbit": [x / 1e6 for x in xs]}
    for k, v in c["interference"].items():
        xs = v["rtt_ms"]
        out["interference"][k] = {"p50": pct(xs, 50), "p99": pct(xs, 99),
                                  "loss": 1 - len(xs) / v["sent"]}
    mn = c["multinet"]
    ids = [i for ts in mn["tenants"].values() for i in ts]
    rates = whole_rates(mn["samples"], ids)
    if rates:
        ten = {t: sum(rates[i] for i in ts) for t, ts in mn["tenants"].items()}
        ideal = mn["capacity_bps"] / len(ten)
        out["multinet"] = {"mbit": {t: x / 1e6 for t, x in ten.items()}, "ideal_mbit": ideal / 1e6,
                           "a_error": (ten["A"] - ideal) / ideal}
    summ["paper"] = out


# --- plots -------------------------------------------------------------------

def gnuplot(script, path):
    p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if p.returncode or not os.path.exists(path) or os.path.getsize(path) == 0:
        raise RuntimeError("gnuplot failed for %s: %s" % (path, p.stderr[-500:]))


def head(title, kver, out, w=800, h=480):
    return ('set terminal pngcairo noenhanced size %d,%d font "sans,10"\nset output "%s"\n'
            'set title "%s\\n%s, %s"\nset grid\nset key outside right top\n' % (
                w, h, out, title, kver, EMU))


def plots(r, summ, bench, ddir):
    k = r["kernel"]
    made = []
    p = r["sections"].get("paper")
    if p:
        # RTT CDFs per path and CPU load.
        files = []
        for key, v in sorted(p["rtt"].items()):
            xs = sorted(v["rtt_ms"])
            if not xs:
                continue
            f = os.path.join(ddir, "rtt-%s-%s.dat" % (k, key.replace("/", "-")))
            with open(f, "w") as fh:
                for i, x in enumerate(xs):
                    fh.write("%g %g\n" % (x, (i + 1) / len(xs)))
            path, hogs = key.split("/")
            files.append((f, "%s, %s CPU hogs" % (path, hogs), 1 if path == "sriov" else 2,
                          {"0": 1, "1": 2, "2": 3}[hogs]))
        if files:
            out = os.path.join(bench, "rtt-cdf-%s.png" % k)
            gnuplot(head("RTT CDF per path (ping), under 0-2 CPU hogs (stress-ng)", k, out) +
                    'set logscale x\nset xlabel "RTT (ms)"\nset ylabel "fraction"\nset yrange [0:1]\n'
                    "plot " + ", ".join('"%s" using 1:2 with steps lw 2 lc %d dt %d title "%s"' % (
                        f, lc, dt, t) for f, t, lc, dt in files) + "\n", out)
            made.append(("RTT CDF per path", out))
        # Throughput bars and CPU per Gbit/s.
        f = os.path.join(ddir, "tput-%s.dat" % k)
        with open(f, "w") as fh:
            for name, v in summ["paper"]["throughput"].items():
                fh.write('"%s" %g %g\n' % (name, v["mbit"], v["cpu_per_gbit"] or 0))
        out = os.path.join(bench, "throughput-%s.png" % k)
        gnuplot(head("Throughput per path (L2 at the receiver)", k, out) +
                'set style data histograms\nset style fill solid 0.7\nset boxwidth 0.8\n'
                'set ylabel "Mbit/s"\nset y2label "CPUs busy per Gbit/s"\nset y2tics\n'
                'set style histogram clustered gap 1\nset xtics rotate by -20\n'
                'plot "%s" using 2:xtic(1) title "Mbit/s", "" using 3 axes x1y2 title "CPUs per Gbit/s"\n'
                % f, out)
        made.append(("Throughput and CPU per Gbit/s", out))
        # Interference.
        f = os.path.join(ddir, "intf-%s.dat" % k)
        with open(f, "w") as fh:
            for n in (0, 1, 2):
                a = summ["paper"]["interference"].get("sriov/%d" % n, {})
                b = summ["paper"]["interference"].get("virtio/%d" % n, {})
                fh.write("%d %s %s %s %s\n" % (n, a.get("p50") or "NaN", a.get("p99") or "NaN",
                                               b.get("p50") or "NaN", b.get("p99") or "NaN"))
        out = os.path.join(bench, "interference-%s.png" % k)
        gnuplot(head("Victim RTT while N neighbours send flat out", k, out) +
                'set xlabel "neighbours"\nset ylabel "RTT (ms)"\nset xtics 1\nset logscale y\n'
                'plot "%s" u 1:2 w lp lw 2 t "SR-IOV p50", "" u 1:3 w lp lw 2 dt 2 t "SR-IOV p99", '
                '"" u 1:4 w lp lw 2 t "virtio p50", "" u 1:5 w lp lw 2 dt 2 t "virtio p99"\n' % f, out)
        made.append(("Interference", out))
    f = r["sections"].get("fair")
    if f:
        mk = f["markers"]
        ids = {v: k2 for k2, v in f["targets"].items()}
        t0 = mk["weights_set"]
        dat = os.path.join(ddir, "jain-%s.dat" % k)
        with open(dat, "w") as fh:
            for s in f["samples"]:
                if s["t"] < mk["stop_end"]:
                    continue
                jp = s["nodes"].get("up", {}).get("jain_ppm")
                rates = [(s["targets"].get(ids[d], {}).get("rate") or 0) / 1e6
                         for d in ("f1", "f2", "f3")]
                fh.write("%.3f %s %s\n" % ((s["t"] - t0) / 1e9, jp / 1e6 if jp else "NaN",
                                          " ".join("%.3f" % x for x in rates)))
        out = os.path.join(bench, "jain-%s.png" % k)
        gnuplot(head("Jain's index across a live weight change 1:1:1 -> 1:2:4 at t=0 (20 Mbit/s)",
                     k, out) +
                'set xlabel "s since the change"\nset ylabel "Jain index (controller)"\n'
                'set yrange [0:1.05]\nset y2label "Mbit/s"\nset y2tics\nset y2range [0:*]\n'
                'set arrow from 0, graph 0 to 0, graph 1 nohead dt 2\n'
                'plot "%s" u 1:2 w l lw 2 t "Jain", "" u 1:3 axes x1y2 w l t "f1 (w 1)", '
                '"" u 1:4 axes x1y2 w l t "f2 (w 2)", "" u 1:5 axes x1y2 w l t "f3 (w 4)"\n' % dat, out)
        made.append(("Jain's index over time across a live weight change", out))
    c = summ.get("cost")
    if c:
        dat = os.path.join(ddir, "cost-%s.dat" % k)
        devs = list(c)
        with open(dat, "w") as fh:
            for v in ("loaded", "attached", "limit", "nft", "police"):
                fh.write('"%s" %s\n' % (v, " ".join(fmt(c[d]["ratio"].get(v), 4) for d in devs)))
        out = os.path.join(bench, "overhead-%s.png" % k)
        gnuplot(head("pktgen 64-byte pps (queue_xmit) relative to no module", k, out) +
                'set style data histograms\nset style histogram clustered gap 1\n'
                'set style fill solid 0.7\nset ylabel "pps / pps without module"\nset yrange [0:*]\n'
                'set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2\n'
                'plot ' + ", ".join('"%s" using %d:xtic(1) title "%s"' % (dat, i + 2, d)
                                    for i, d in enumerate(devs)) + "\n", out)
        made.append(("Overhead ratios (pps vs. no module)", out))
    rt = summ.get("rate")
    if rt:
        dat = os.path.join(ddir, "rate-%s.dat" % k)
        with open(dat, "w") as fh:
            for mb in (10, 100, 500):
                row = {x["proto"]: x["ratio"] for x in rt["cases"] if x["rate_mbit"] == mb}
                fh.write('"%d Mbit/s" %s %s\n' % (mb, fmt(row.get("udp"), 4), fmt(row.get("tcp"), 4)))
        out = os.path.join(bench, "rate-%s.png" % k)
        gnuplot(head("Software limiter: achieved / configured L2 rate", k, out) +
                'set style data histograms\nset style histogram clustered gap 1\n'
                'set style fill solid 0.7\nset yrange [0:1.2]\n'
                'set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2\n'
                'plot "%s" using 2:xtic(1) title "UDP", "" using 3 title "TCP"\n' % dat, out)
        made.append(("Rate accuracy", out))
    return made


# --- the report ----------------------------------------------------------------

IC_VARIANTS = {
    "none": "no module", "loaded": "module loaded, nothing attached",
    "attached": "target attached, counting only", "limit": "iofair limit 5 Gbit/s (above the load)",
    "nft_empty": "empty nft netdev egress chain (the framework's floor)",
    "nft": "nft `limit rate over` 5 Gbit/s", "police": "tc matchall police 5 Gbit/s",
    "limiting": "iofair limit below the load (holding)", "htb": "tc HTB below the load",
    "fq": "fq `maxrate` below the load"}


def md_table(title, cells):
    """A section of one table row: cells are (heading, value)."""
    return ["", "### " + title, "", "| %s |" % " | ".join(h for h, _ in cells),
            "|%s" % ("---|" * len(cells)), "| %s |" % " | ".join(v for _, v in cells)]


def md_icount(ric, summ):
    c = summ.get("cost_icount")
    L = []
    if c:
        cs = ric["sections"]["cost"]
        L += ["", "### iofair's own cost in instructions (QEMU icount)", "",
              "Measured in a VM of its own under `selftests/vm/run --icount`: one vCPU, `-icount "
              "shift=0,align=off,sleep=off`, so the guest's clock advances 1 ns per guest "
              "instruction and pktgen's virtual ns per packet are the guest's instructions per "
              "packet: pktgen's, the stack's, the receiver's (the veth peer; on the tap vhost-net "
              "and a userspace virtio-net guest), and the timers' and softirqs' the packets cause. "
              "pktgen 64-byte frames (60 B + FCS), `xmit_mode queue_xmit`, %d packets per run, "
              "3 rounds alternating the variants; per packet offered (sent + refused). "
              "\"Below the load\" is %d Mbit/s of L2 bytes, under the ~115 Mbit/s pktgen offers." % (
                  cs["packets"], cs["low_bps"] // 1000000), "",
              "**Instruction counts do not show cache misses, branch mispredictions or the real "
              "cost of atomics**: the same count can cost differently on hardware.", "",
              "| device | variant | instructions per packet | spread of 3 rounds | added | pps / no module |",
              "|---|---|---|---|---|---|"]
        for d, v in c.items():
            if d == "note":
                continue
            for var in IC_VARIANTS:
                if var not in v["ns_per_packet"]:
                    continue
                L.append("| %s | %s | %.1f | %.4f %% | %+.1f | %.4f |" % (
                    d, IC_VARIANTS[var], v["ns_per_packet"][var], v["spread"][var] * 100,
                    v["added_ns"][var], v["ratio"][var]))
    s = summ.get("scale_icount")
    if s:
        L += md_table("1024 targets in instructions (QEMU icount)", [
            ("controller step", "%.3f ms virtual" % s["ctrl_step_ms"]),
            ("stats dump (request to NLMSG_DONE)", "%.1f ms virtual" % s["dump_ms"]),
            ("instructions per packet, 1 target", "%.1f" % med(ric["sections"]["scale"]["ns_1"])),
            ("1+1024 targets", "%.1f" % med(ric["sections"]["scale"]["ns_1024"])),
            ("ratio", "%.4f" % s["per_packet_ratio"])])
    return L


def md_kernel(r, g, summ, made, bench, host, ric=None):
    k = r["kernel"]
    L = ["## %s (%s%s)" % (k, EMU, ", quick run" if r.get("quick") else ""), ""]
    if r.get("started"):
        L.append("Started %s in the VM; the guest took %.0f s (sections: %s)." % (
            r.get("started"), r.get("total_s", 0), ", ".join(
                "%s %.0f s" % kv for kv in r.get("section_s", {}).items())))
    if ric:
        L.append("The icount run (cost, scale) started %s%s." % (
            ric.get("started"), ", quick" if ric.get("quick") else ""))
    if host:
        L.append("The VM run took %d s; the host's load average was %.1f at the start and %.1f at "
                 "the end, on %d CPUs%s." % (
                     host["vm_s"], host["loadavg_start"], host["loadavg_end"], host["host_cpus"],
                     ": other work competed with the VM, so these figures are noisy"
                     if max(host["loadavg_start"], host["loadavg_end"]) > host["host_cpus"] else ""))
    if r.get("errors"):
        L.append("")
        L.append("**Sections that failed:** " + "; ".join(
            "%s: %s" % (e["section"], e["error"]) for e in r["errors"]))
    L += ["", "### Goals", "", "Cost goals are judged on the icount run; `-wall` lines are the "
          "wall-clock view of the same goals, inconclusive when the rounds straddle the target.", "",
          "| goal | measured | target | | note |", "|---|---|---|---|---|"]
    for x in g.lines:
        v = x.get("verdict", "met" if x["met"] else "missed")
        L.append("| %s | %s | %s | %s | %s |" % (x["name"], x["measured"], x["target"],
                                                  v if v == "met" else "**%s**" % v, x["note"]))
    if ric:
        L += md_icount(ric, summ)
    c = summ.get("cost")
    if c:
        L += ["", "### iofair's own cost, wall clock: pktgen 64-byte frames, `xmit_mode queue_xmit`", "",
              "Median pps of %d alternated rounds (min..max in brackets); ratio to no module; "
              "added ns per packet." % r["sections"]["cost"]["rounds"], "",
              "| device | variant | pps | ratio | added ns/packet |", "|---|---|---|---|---|"]
        for d, v in c.items():
            for var in ("none", "loaded", "attached", "limit", "nft", "police"):
                L.append("| %s | %s | %s (%s..%s) | %s | %s |" % (
                    d, var, fmt(v["median_pps"][var], 0), fmt(v["min_pps"].get(var), 0),
                    fmt(v["max_pps"].get(var), 0), fmt(v["ratio"][var]), fmt(v["added_ns"][var], 0)))
        L += ["", "`attached` is a target with no limit: the hooks count packets and bytes per CPU "
              "(no timestamp is taken); `limit` adds the GCRA token bucket (one ktime read and one "
              "cmpxchg per packet) at 5 Gbit/s, above the offered load; `nft` is a netdev egress "
              "chain with one `limit rate over` rule at the same rate; `police` a tc matchall "
              "police. On the tap the target is a vhost target (`rx-max` for the limit)."]
    rt = summ.get("rate")
    if rt:
        L += ["", "### Software limiter accuracy (L2 rate at the receiving veth)", "",
              "Path without a limit: UDP %s Mbit/s (pktgen, 1514-byte frames), TCP %s Mbit/s (iperf3)." % (
                  fmt((rt["unlimited_udp_bps"] or 0) / 1e6, 0), fmt((rt["unlimited_tcp_bps"] or 0) / 1e6, 0)),
              "", "| proto | configured | achieved | ratio | offered (UDP) / goodput (TCP) |",
              "|---|---|---|---|---|"]
        for x in rt["cases"]:
            o = x["offered_bps"] if x["proto"] == "udp" else x["goodput_bps"]
            L.append("| %s | %d Mbit/s | %.2f Mbit/s | %.4f | %s Mbit/s |" % (
                x["proto"], x["rate_mbit"], x["achieved_bps"] / 1e6, x["ratio"],
                fmt(o / 1e6 if o else None, 1)))
    f = summ.get("fair")
    if f:
        L += ["", "### Fairness on one root (4 veths in one netns, 20 Mbit/s, pktgen 15 Mbit/s each)", "",
              "jain_index: %.3f (rates %s Mbit/s); weights 1:2:4: %s Mbit/s; convergence after a "
              "sender stops: %s intervals." % (
                  f["jain_equal"], " / ".join("%.2f" % (x / 1e6) for x in f["equal_bps"]),
                  " / ".join("%.2f" % (x / 1e6) for x in f["weighted_bps"]),
                  f["convergence_intervals"] if f["convergence_intervals"] is not None else "not converged")]
    s = summ.get("scale")
    if s:
        L += md_table("1024 targets (256 tenants x 4, dummy devices), wall clock", [
            ("controller step", "%.2f ms" % s["ctrl_step_ms"]),
            ("stats dump", "%.1f ms" % s["dump_ms"]),
            ("its parse (Python)", "n/a" if s.get("parse_ms") is None else "%.0f ms" % s["parse_ms"]),
            ("memory per target", "%d B" % s["mem_per_target_bytes"]),
            ("pps 1 target", "%.0f" % s["pps_1"]), ("pps 1+1024", "%.0f" % s["pps_1024"]),
            ("adding the targets", "%.1f s%s" % (s["build_s"], s["build_note"]))])
    p = summ.get("paper")
    if p:
        L += ["", "### SR-IOV (VFs of the emulated 82576 in netns) vs. virtio (vhost-net, "
              "virtio-net-guest)", "", "RTT (ping, ms):", "",
              "| path | CPU hogs | p50 | p90 | p99 | loss |", "|---|---|---|---|---|---|"]
        for key, v in sorted(p["rtt"].items()):
            path, hogs = key.split("/")
            L.append("| %s | %s | %s | %s | %s | %.0f%% |" % (path, hogs, fmt(v["p50"]), fmt(v["p90"]),
                                                             fmt(v["p99"]), v["loss"] * 100))
        L += ["", "Throughput and CPU:", "",
              "| case | Mbit/s | CPUs busy | CPUs per Gbit/s | vhost workers (/proc) | "
              "vhost workers (iofair) |", "|---|---|---|---|---|---|"]
        for key, v in p["throughput"].items():
            L.append("| %s | %.1f | %.2f | %s | %.2f | %s |" % (
                key, v["mbit"], v["cpu_cores"], fmt(v["cpu_per_gbit"], 1), v["vhost_cores"],
                fmt(v["iofair_worker_cores"], 2)))
        L += ["", "Fairness of 3 tenants offering 12/6/4 Mbit/s under 9 Mbit/s:", "",
              "| path | controller | Jain | Mbit/s |", "|---|---|---|---|"]
        for key, v in sorted(p["fairness"].items()):
            path, mode = key.split("/")
            L.append("| %s | %s | %s | %s |" % (path, mode, fmt(v["jain"]),
                                                " / ".join("%.2f" % x for x in v["mbit"])))
        L += ["", "Interference (victim RTT, ms, while N neighbours send flat out):", "",
              "| path | neighbours | p50 | p99 | loss |", "|---|---|---|---|---|"]
        for key, v in sorted(p["interference"].items()):
            path, n = key.split("/")
            L.append("| %s | %s | %s | %s | %.0f%% |" % (path, n, fmt(v["p50"]), fmt(v["p99"]),
                                                        v["loss"] * 100))
        if "multinet" in p:
            m = p["multinet"]
            L += ["", "Multi-network: tenant A (VF 0 + vhost tap 0), B (VF 1), C (tap 1), each "
                  "source offering 12 Mbit/s under 9 Mbit/s: A %.2f, B %.2f, C %.2f Mbit/s "
                  "(ideal %.2f each; A off by %+.1f%%)." % (
                      m["mbit"]["A"], m["mbit"]["B"], m["mbit"]["C"], m["ideal_mbit"],
                      m["a_error"] * 100)]
    if made:
        L += ["", "### Plots", ""]
        for title, path in made:
            L.append("![%s, %s](%s)" % (title, k, os.path.relpath(path, bench)))
    return L


def main(argv):
    ap = argparse.ArgumentParser(description="iofair benchmark report")
    ap.add_argument("--command", default="selftests/bench/run")
    ap.add_argument("--elapsed", type=int, default=None, help="seconds the whole run took")
    ap.add_argument("--commit", default=None, help="the commit measured")
    ap.add_argument("bench", help="build/bench")
    ap.add_argument("kvers", nargs="*", help="kernels to report (default: every results.json)")
    a = ap.parse_args(argv[1:])
    bench = a.bench
    kvers = a.kvers or sorted({f.split(os.sep)[len(bench.rstrip(os.sep).split(os.sep))] for f in
                               glob.glob(os.path.join(bench, "*", "results.json")) +
                               glob.glob(os.path.join(bench, "*", "icount", "results.json"))})
    files = [(os.path.join(bench, k, "results.json"), os.path.join(bench, k, "icount", "results.json"))
             for k in kvers]
    files = [f for f in files if os.path.exists(f[0]) or os.path.exists(f[1])]
    if not files:
        print("report: no results in %s" % bench, file=sys.stderr)
        return 1
    ddir = os.path.join(bench, "data")
    os.makedirs(ddir, exist_ok=True)
    md = ["# iofair benchmarks", "",
          "Measured by `%s` (`make bench`)%s inside a VM under %s (2 vCPUs, 2 GB, an emulated "
          "Intel 82576 with SR-IOV; cost and scale also in a VM of their own under QEMU icount, "
          "one vCPU)%s. Absolute numbers are not hardware numbers; ratios measured "
          "in the same run are what compare." % (
              a.command, " at commit %s" % a.commit if a.commit else "", EMU,
              ", %d min %d s in all" % divmod(a.elapsed, 60) if a.elapsed else "")]
    md.append("")
    for wpath, ipath in files:
        ric = json.load(open(ipath)) if os.path.exists(ipath) else None
        r = json.load(open(wpath)) if os.path.exists(wpath) else \
            {"kernel": ric["kernel"], "quick": ric.get("quick"), "sections": {}}
        hpath = os.path.join(os.path.dirname(wpath), "host.json")
        host = json.load(open(hpath)) if os.path.exists(hpath) else {}
        g = Goals(r["kernel"])
        summ = {}
        todo = [(ric, do_cost_icount), (ric, do_scale)] if ric else []
        todo += [(r, fn) for fn in (do_cost, do_rate, do_fair, do_scale, do_paper)]
        for res, fn in todo:
            try:
                fn(res, g, summ)
            except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError) as e:
                print("report: %s: %s: cannot summarise: %s: %s" % (
                    r["kernel"], fn.__name__[3:], type(e).__name__, e), file=sys.stderr)
        made = plots(r, summ, bench, ddir)
        for res, path in ((r, wpath), (ric, ipath)):
            if res is None or not os.path.exists(path):
                continue
            res["summary"] = summ
            res["goals"] = g.lines
            if res is r:
                res["host"] = host
            with open(path, "w") as fh:
                json.dump(res, fh, indent=1)
        md += md_kernel(r, g, summ, made, bench, host, ric) + [""]
        if host.get("loadavg_start") is not None and host.get("host_cpus") and \
                max(host["loadavg_start"], host["loadavg_end"]) > host["host_cpus"]:
            print("report: %s: the host's load average was %.1f..%.1f on %d CPUs during the run: "
                  "other work competed with the VM and every figure is noisy" % (
                      r["kernel"], host["loadavg_start"], host["loadavg_end"], host["host_cpus"]))
    with open(os.path.join(bench, "report.md"), "w") as fh:
        fh.write("\n".join(md) + "\n")
    print("report: %s" % os.path.join(bench, "report.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
