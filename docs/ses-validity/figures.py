"""Figures of docs/ses-validity.md from the tables the validity example writes.

    cargo run --release -p sesame-core --example ses_validity -- docs/ses-validity
    python3 docs/ses-validity/figures.py docs/ses-validity docs/img

Needs numpy and matplotlib (`pip install numpy matplotlib`). Reads `trials.csv` and
`cohort.csv` from the first folder and writes `ses-validity-null.png`,
`ses-validity-dose.png`, `ses-validity-cohort.png` and (with `sample.csv`)
`ses-validity-sample.png` into the second.
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

BLUE, VERMILION, GREEN, GREY = "#0072B2", "#D55E00", "#009E73", "#787878"
KINDS = {"1-D": BLUE, "bumps": VERMILION}


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(row, key):
    try:
        return float(row[key])
    except (KeyError, ValueError):
        return float("nan")


def grouped(rows, part, key):
    """{events kind: {design value: [rows]}} for one part of the study."""
    out = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["part"] == part:
            out[r["events"]][num(r, key)].append(r)
    return out


def mean_se(rows, key):
    v = np.array([num(r, key) for r in rows])
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return float("nan"), float("nan")
    return v.mean(), v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0


def null_figure(rows, out):
    by = grouped(rows, "a", "rate")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for kind, cells in by.items():
        rates = sorted(cells)
        m = [mean_se(cells[r], "sync") for r in rates]
        ax1.errorbar(rates, [a for a, _ in m], yerr=[1.96 * b for _, b in m],
                     marker="o", capsize=3, color=KINDS[kind], label=f"{kind} SES")
        for r in rates:
            p = np.sort([num(x, "p") for x in cells[r]])
            ecdf = np.arange(1, len(p) + 1) / len(p)
            ax2.step(p, ecdf, where="post", color=KINDS[kind],
                     alpha=0.35 + 0.65 * rates.index(r) / max(1, len(rates) - 1), lw=1.2)
    ax1.axhline(0.0, color=GREY, lw=0.8, ls="--")
    ax1.set_xlabel("event rate of each signal (1/s)")
    ax1.set_ylabel("mean sync (± 95 % CI)")
    ax1.set_title("(a) zero coupling: sync at chance for every density")
    ax1.set_ylim(-0.1, 0.1)
    ax1.legend(frameon=False)
    ax2.plot([0, 1], [0, 1], color=GREY, lw=0.8, ls="--", label="uniform")
    ax2.set_xlabel("p")
    ax2.set_ylabel("share of pairs with p ≤ x")
    ax2.set_title("(a) p under the null (one line per rate)")
    ax2.set_xlim(0, 1)
    ax2.set_ylim(0, 1)
    ax2.legend(frameon=False, loc="upper left")
    fig.tight_layout()
    fig.savefig(out / "ses-validity-null.png", dpi=110)
    plt.close(fig)


def dose_figure(rows, out):
    keep = grouped(rows, "b-keep", "keep")
    jit = grouped(rows, "b-jitter", "jitter")
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for kind, cells in keep.items():
        ks = sorted(cells)
        for ax, key in ((axes[0], "sync"), (axes[1], "rho")):
            m = [mean_se(cells[k], key) for k in ks]
            ax.errorbar(ks, [a for a, _ in m], yerr=[1.96 * b for _, b in m],
                        marker="o", capsize=3, color=KINDS[kind], label=f"{kind} SES")
    axes[0].set_title("(b) sync rises with the coupling")
    axes[0].set_ylabel("mean sync (± 95 % CI)")
    axes[1].set_title("(b) ρ falls with the coupling")
    axes[1].set_ylabel("mean ρ (± 95 % CI)")
    for ax in axes[:2]:
        ax.set_xlabel("keep probability 1 − p_d")
        ax.legend(frameon=False)
    ax = axes[2]
    for kind, cells in jit.items():
        js = sorted(cells)
        m = [mean_se(cells[j], "sigma_t") for j in js]
        # 1-D jitter is in seconds; bump jitter in normalised widths: show each against
        # its own truth, relative to the largest planted value.
        scale = max(js)
        ax.errorbar([j / scale for j in js], [a / scale for a, _ in m],
                    yerr=[1.96 * b / scale for _, b in m], marker="o", capsize=3,
                    color=KINDS[kind], label=f"{kind} SES (max {scale:g})")
    ax.plot([0, 1], [0, 1], color=GREY, lw=0.8, ls="--", label="estimate = truth")
    ax.set_xlabel("planted jitter s.d. / largest planted")
    ax.set_ylabel("mean σt / largest planted")
    ax.set_title("(b) σt follows the planted jitter")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(out / "ses-validity-dose.png", dpi=110)
    plt.close(fig)


def cohort_figure(rows, out):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    rng = np.random.default_rng(0)
    for ax, level in zip(axes, ("channel", "region")):
        for i, (group, colour) in enumerate((("strong", GREEN), ("weak", GREY))):
            v = np.array([num(r, f"{level}_sync") for r in rows if r["group"] == group])
            x = i + rng.uniform(-0.08, 0.08, len(v))
            ax.scatter(x, v, color=colour, s=28, zorder=3)
            ax.hlines(v.mean(), i - 0.25, i + 0.25, color="black", lw=1.5)
        ax.set_xticks([0, 1], ["strong coupling", "weak coupling"])
        ax.set_xlim(-0.6, 1.6)
        ax.set_ylabel("average sync over pairs, per subject")
        ax.set_title(f"(c) {level} pairs, 8 + 8 subjects")
    fig.tight_layout()
    fig.savefig(out / "ses-validity-cohort.png", dpi=110)
    plt.close(fig)


PLANTED_CHANNELS = [
    {"F3", "Fz", "F4", "C3", "Cz", "C4"},
    {"T3", "T5", "P3", "O1"},
    {"T4", "T6", "P4", "O2"},
]
PLANTED_REGIONS = {
    frozenset(("frontal", "central")),
    frozenset(("left temporal", "posterior")),
    frozenset(("right temporal", "posterior")),
}


def planted(level, pair):
    a, b = pair.split("–")
    if level == "region":
        return frozenset((a, b)) in PLANTED_REGIONS
    return any(a in g and b in g for g in PLANTED_CHANNELS)


def sample_figure(rows, out):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.6),
                                   gridspec_kw={"width_ratios": [1, 1.3]})
    regions = [r for r in rows if r["level"] == "region"]
    regions.sort(key=lambda r: num(r, "sync"))
    y = np.arange(len(regions))
    ax1.barh(y, [num(r, "sync") for r in regions],
             color=[GREEN if planted("region", r["pair"]) else GREY for r in regions])
    ax1.set_yticks(y, [r["pair"] for r in regions])
    ax1.axvline(0.0, color="black", lw=0.8)
    ax1.set_xlabel("sync")
    ax1.set_title("(d) sample, region pairs (green: planted)")
    channels = [r for r in rows if r["level"] == "channel"]
    channels.sort(key=lambda r: -num(r, "sync"))
    for i, r in enumerate(channels):
        ax2.scatter(i + 1, num(r, "sync"), s=12,
                    color=GREEN if planted("channel", r["pair"]) else GREY)
    ax2.axhline(0.0, color="black", lw=0.8)
    ax2.set_xlabel("rank of the channel pair by sync")
    ax2.set_ylabel("sync")
    ax2.set_title("(d) sample, channel pairs (green: both in one planted group)")
    fig.tight_layout()
    fig.savefig(out / "ses-validity-sample.png", dpi=110)
    plt.close(fig)


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/ses-validity")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/img")
    out.mkdir(parents=True, exist_ok=True)
    trials = read(src / "trials.csv")
    null_figure(trials, out)
    dose_figure(trials, out)
    cohort_figure(read(src / "cohort.csv"), out)
    if (src / "sample.csv").exists():
        sample_figure(read(src / "sample.csv"), out)


if __name__ == "__main__":
    main()
