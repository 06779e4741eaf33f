"""Python side of bench/surrogates.sh: the coherence/PLV/wPLI surrogate workload with
mne-connectivity, which has no per-pair surrogate test of its own.

Reads the EDF with mne.io.read_raw_edf, keeps the given channels, cuts the recording
into consecutive 2-s epochs (as `sesame analyze` does), and times
spectral_connectivity_epochs(method=[coh, plv, wpli], mode='fourier', fmin=8, fmax=12,
faverage=True) over all pairs: once on the observed epochs, then on --runs surrogates.
In a surrogate every channel is circularly shifted over the whole recording by its own
random offset of at least 2 s (then cut into epochs again), so every pair of the one
call is a surrogate pair; this is the cheapest loop mne-connectivity allows (one call
per surrogate for all pairs). Prints the seconds of the observed call, the mean seconds
per surrogate (shift and call) and that mean times --surrogates.
"""
import argparse
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edf", required=True)
    ap.add_argument("--channels", required=True, help="comma-separated channel labels")
    ap.add_argument("--runs", type=int, default=5, help="surrogates actually computed")
    ap.add_argument("--surrogates", type=int, default=1000, help="surrogates extrapolated to")
    ap.add_argument("--epoch", type=float, default=2.0, help="epoch length, s")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    import mne
    from mne_connectivity import spectral_connectivity_epochs

    mne.set_log_level("ERROR")
    t0 = time.perf_counter()
    raw = mne.io.read_raw_edf(args.edf, preload=True, verbose="ERROR")
    wanted = args.channels.split(",")
    by_upper = {c.upper(): c for c in raw.ch_names}
    picks = []
    for c in wanted:
        name = by_upper.get(c.upper()) or by_upper.get(("EEG " + c).upper())
        if name is None:
            raise SystemExit(f"channel {c} not in {args.edf} ({', '.join(raw.ch_names)})")
        picks.append(name)
    data = raw.get_data(picks=picks)  # channels x samples, V
    fs = raw.info["sfreq"]
    read_s = time.perf_counter() - t0
    n = int(round(args.epoch * fs))
    n_epochs = data.shape[1] // n
    data = data[:, : n_epochs * n]

    def epochs(x):
        # channels x (epochs*n) -> epochs x channels x n
        return x.reshape(x.shape[0], n_epochs, n).transpose(1, 0, 2)

    def connectivity(x):
        return spectral_connectivity_epochs(
            epochs(x), method=["coh", "plv", "wpli"], sfreq=fs, mode="fourier",
            fmin=8.0, fmax=12.0, faverage=True)

    t0 = time.perf_counter()
    connectivity(data)
    observed_s = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    total = data.shape[1]
    min_lag = int(round(2.0 * fs))
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        shifts = rng.integers(min_lag, total - min_lag, size=data.shape[0])
        shifted = np.stack([np.roll(ch, -s) for ch, s in zip(data, shifts)])
        connectivity(shifted)
        times.append(time.perf_counter() - t0)
    per = float(np.mean(times))
    pairs = len(picks) * (len(picks) - 1) // 2
    print(f"mne-connectivity {mne.__version__}/{__import__('mne_connectivity').__version__}: "
          f"{len(picks)} channels ({pairs} pairs), {n_epochs} epochs of {args.epoch:g} s at {fs:g} Hz")
    print(f"  reading the EDF                    {read_s:9.2f} s")
    print(f"  observed coh+plv+wpli, all pairs   {observed_s:9.2f} s")
    print(f"  per surrogate (mean of {args.runs})          {per:9.2f} s")
    print(f"  x {args.surrogates} surrogates                 {per * args.surrogates:9.0f} s "
          f"({per * args.surrogates / 60:.1f} min)")


if __name__ == "__main__":
    main()
