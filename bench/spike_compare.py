"""Python side of bench/spike_compare.sh.

  python spike_compare.py make EVENTS.csv          write the workload: 21 Poisson trains of
                                                   1200 events over 1200 s (seed 6)
  python spike_compare.py run EVENTS.csv T_END Q TAU
                                                   Elephant 1.2.1 Victor-Purpura (q in 1/s) and
                                                   van Rossum (tau in s) on all pairs; prints
                                                   `id seconds checksum` per workload (checksum:
                                                   sum over pairs i < j)
"""
import csv
import sys
import time
import warnings

import numpy as np


def make(path):
    rng = np.random.default_rng(6)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["signal", "time"])
        for k in range(21):
            for t in np.sort(rng.uniform(0.0, 1200.0, 1200)):
                w.writerow([f"ch{k:02d}", repr(float(t))])


def load(path):
    trains = {}
    with open(path) as f:
        r = csv.reader(f)
        next(r)
        for name, t in r:
            trains.setdefault(name, []).append(float(t))
    return [np.sort(np.array(v)) for v in trains.values()]


def run(path, t_end, q, tau):
    import neo
    import quantities as pq
    from elephant.spike_train_dissimilarity import van_rossum_distance, victor_purpura_distance

    sts = [neo.SpikeTrain(t, units="s", t_start=0.0, t_stop=t_end) for t in load(path)]
    iu = np.triu_indices(len(sts), 1)
    for name, fn in (
        ("victor-purpura", lambda: victor_purpura_distance(sts, cost_factor=q * pq.Hz, algorithm="fast")),
        ("van-rossum", lambda: van_rossum_distance(sts, time_constant=tau * pq.s)),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            d = fn()
            secs = time.perf_counter() - start
        print(f"{name} {secs:.6f} {float(np.asarray(d)[iu].sum()):.9f}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        run(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
