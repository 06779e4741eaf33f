"""Python side of bench/compare.sh for the continuous-signal workload.

21 channels x 20 min at 200 Hz cut into 600 epochs of 2 s, all 210 pairs,
coh + imcoh + plv + wpli averaged over 1-45 Hz, with mne-connectivity
spectral_connectivity_epochs in mode='fourier' and mode='multitaper'.
Prints one line per run: "<name> <seconds>" (best of --repeat runs, timing the
connectivity call only, data generation excluded).
"""
import argparse
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import mne
    from mne_connectivity import spectral_connectivity_epochs

    mne.set_log_level("ERROR")
    rng = np.random.default_rng(7)
    data = rng.standard_normal((600, 21, 400))
    for mode in ("fourier", "multitaper"):
        best = float("inf")
        for _ in range(args.repeat if mode == "fourier" else 1):
            t0 = time.perf_counter()
            spectral_connectivity_epochs(data, method=["coh", "imcoh", "plv", "wpli"], sfreq=200.0,
                                         mode=mode, fmin=1.0, fmax=45.0, faverage=True)
            best = min(best, time.perf_counter() - t0)
        print(f"mne-connectivity-{mode} {best:.6f}", flush=True)


if __name__ == "__main__":
    main()
