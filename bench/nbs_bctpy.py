#!/usr/bin/env python3
"""Network-based statistic: `sesame stats --nbs-threshold` against bctpy's `nbs_bct`.

Both tools read the same batch table (a deterministic simulated cohort written by
`core/examples/nbs_validity.rs cohort`). bctpy's `nbs_bct` tests one tail per call
(`tail='right'`: group 1 > group 2, `tail='left'`: group 1 < group 2) with Student's
pooled t; SESAME uses Welch's t, which equals the pooled t when the groups have the same
size (as here), and reports both tails from one run. The comparison is like for like:
SESAME's positive tail against bctpy's 'right', its negative tail against 'left', size =
number of edges in both. bctpy's p is `#{null ≥ size}/k`, SESAME's `(1 + #)/(B + 1)`;
the two must agree within Monte-Carlo error (3 standard errors of the difference of two
independent estimates, plus the 1/(B+1) offset of the +1 correction). bctpy's
`tail='both'` thresholds |t| and joins positive and negative edges into the same
components; it is printed for information but is not comparable with SESAME's per-tail
components.

Usage (how-to in docs/statistics.md, "Comparison with bctpy"):
    python bench/nbs_bctpy.py --sesame target/release/sesame --cohort nbs_cohort.tsv
"""

import argparse
import contextlib
import csv
import io
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import bct


def read_cohort(path):
    """Per-group (n, n, subjects) matrices from a batch table, channels sorted."""
    values = {}
    channels = set()
    groups = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            a, b = row["channel_a"], row["channel_b"]
            channels.update((a, b))
            groups.setdefault(row["group"], set()).add(row["recording"])
            values[(row["recording"], a, b)] = float(row["value"])
    chans = sorted(channels)
    idx = {c: i for i, c in enumerate(chans)}
    out = {}
    for g, recs in sorted(groups.items()):
        recs = sorted(recs)
        m = np.zeros((len(chans), len(chans), len(recs)))
        for k, r in enumerate(recs):
            for (rec, a, b), v in values.items():
                if rec == r:
                    m[idx[a], idx[b], k] = m[idx[b], idx[a], k] = v
        out[g] = m
    return chans, out


def bct_components(chans, adj):
    """{component label: set of (a, b)} from nbs_bct's labelled adjacency."""
    comps = {}
    n = len(chans)
    for i in range(n):
        for j in range(i + 1, n):
            lab = int(adj[i, j])
            if lab > 0:
                comps.setdefault(lab, set()).add((chans[i], chans[j]))
    return comps


def sesame_components(path):
    comps = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key = (row["tail"], int(row["component"]))
            c = comps.setdefault(key, {"edges": set(), "p": float(row["p"])})
            c["edges"].add((row["channel_a"], row["channel_b"]))
    return comps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sesame", required=True, help="path of the sesame binary")
    ap.add_argument("--cohort", required=True, help="batch table of the cohort")
    ap.add_argument("--threshold", type=float, nargs="+", default=[2.0, 3.0])
    ap.add_argument("--permutations", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    chans, groups = read_cohort(args.cohort)
    if len(groups) != 2:
        sys.exit(f"need two groups, found {sorted(groups)}")
    (g1, x), (g2, y) = sorted(groups.items())
    ok = True
    for threshold in args.threshold:
        print(f"cohort: {len(chans)} channels, {g1}: {x.shape[2]}, {g2}: {y.shape[2]} "
              f"recordings; threshold t > {threshold}, {args.permutations} permutations")
        ok &= compare(args, chans, x, y, threshold)
        print()
    print("RESULT:", "same components, p within Monte-Carlo error" if ok else "DIFFERENT")
    sys.exit(0 if ok else 1)


def compare(args, chans, x, y, threshold):
    """Runs both tools at one threshold; prints the comparison; True when they agree."""
    with tempfile.TemporaryDirectory() as tmp:
        nbs_out = os.path.join(tmp, "nbs.tsv")
        t0 = time.perf_counter()
        subprocess.run(
            [args.sesame, "stats", args.cohort, "--test", "t",
             "--permutations", str(args.permutations), "--nbs-threshold", str(threshold),
             "--seed", str(args.seed), "--out", os.path.join(tmp, "cmp.tsv"),
             "--nbs-out", nbs_out],
            check=True, stderr=subprocess.DEVNULL)
        t_sesame = time.perf_counter() - t0
        ses = sesame_components(nbs_out)

    ok = True
    t_bct = 0.0
    for tail, bct_tail in (("positive", "right"), ("negative", "left")):
        t0 = time.perf_counter()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                pvals, adj, _null = bct.nbs_bct(x, y, threshold, k=args.permutations,
                                                tail=bct_tail, seed=args.seed)
            bcomps = bct_components(chans, adj)
        except bct.BCTParamError:  # no supra-threshold edge in this tail
            pvals, bcomps = np.array([]), {}
        t_bct += time.perf_counter() - t0
        scomps = {k[1]: v for k, v in ses.items() if k[0] == tail}
        print(f"\n{tail} tail (sesame) vs tail='{bct_tail}' (bctpy): "
              f"{len(scomps)} vs {len(bcomps)} component(s)")
        matched = set()
        for num, sc in sorted(scomps.items()):
            hit = [lab for lab, e in bcomps.items() if e == sc["edges"]]
            if not hit:
                ok = False
                print(f"  sesame component {num} ({len(sc['edges'])} edges) has no identical "
                      "bctpy component  MISMATCH")
                continue
            lab = hit[0]
            matched.add(lab)
            pb = float(pvals[lab - 1])
            ps = sc["p"]
            k = args.permutations
            se = math.sqrt(max(ps * (1 - ps), 1 / k) * 2 / k)
            agree = abs(ps - pb) <= 3 * se + 1 / (k + 1)
            ok &= agree
            edges = " ".join(f"{a}-{b}" for a, b in sorted(sc["edges"]))
            print(f"  component {num}: {len(sc['edges'])} edges, identical in both; "
                  f"p sesame {ps:.4f}, bctpy {pb:.4f}, |Δ| {abs(ps - pb):.4f} "
                  f"(3 s.e. {3 * se:.4f}) {'OK' if agree else 'DIFFERENT'}  [{edges}]")
        for lab in sorted(set(bcomps) - matched):
            ok = False
            print(f"  bctpy component {lab} ({len(bcomps[lab])} edges) missing in sesame  MISMATCH")

    with contextlib.redirect_stdout(io.StringIO()):
        pv, adj, _ = bct.nbs_bct(x, y, threshold, k=200, tail="both", seed=args.seed)
    both = bct_components(chans, adj)
    print(f"\n(bctpy tail='both', 200 permutations, for information: {len(both)} component(s) "
          f"of sizes {sorted(len(e) for e in both.values())}, positive and negative edges joined)")
    print(f"\nwall time: sesame stats {t_sesame:.2f} s (incl. Mann-Whitney table), "
          f"bctpy nbs_bct (two tails) {t_bct:.2f} s")
    return ok


if __name__ == "__main__":
    main()
