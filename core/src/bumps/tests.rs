//! Ground-truth tests of bump extraction: planted half-ellipsoids in a synthetic map, and
//! planted Gaussian-windowed bursts in coloured noise.

use super::*;
use crate::tf::TfMap;
use ndarray::Array2;
use num_complex::Complex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rustfft::FftPlanner;
use std::f64::consts::PI;

/// A synthetic map on the extended grid of the default options (2–39 Hz, 60 Hz columns).
fn synthetic_map(n_cols: usize, shapes: &[HalfEllipsoid]) -> TfMap {
    let freqs: Vec<f64> = (2..=39).map(f64::from).collect();
    let mut values = Array2::<f32>::zeros((freqs.len(), n_cols));
    for ((r, c), v) in values.indexed_iter_mut() {
        *v = shapes
            .iter()
            .map(|s| s.value(r as f64, c as f64))
            .sum::<f64>() as f32;
    }
    TfMap {
        f_step: 1.0,
        t_start: 0.0,
        rate: 60.0,
        values,
        scale: 1.0,
        offset: 1.0,
        row_mean: vec![1.0; freqs.len()],
        row_std: vec![1.0; freqs.len()],
        frequencies: freqs,
    }
}

fn geometry_for(map: &TfMap) -> WindowGeometry {
    let opts = BumpOptions::default();
    WindowGeometry {
        windows: map
            .frequencies
            .iter()
            .map(|&f| Window::at(f, map.rate, 1.0, 7.0, opts.cote()))
            .collect(),
        band_rows: (2, 28),
    }
}

#[test]
fn window_sizes_follow_the_resolution_cell() {
    // §5.3 at 60 Hz columns: 4 periods wide, height ≈ cote·2π·f/49 Hz.
    let w = Window::at(30.0, 60.0, 1.0, 7.0, 4.0);
    assert_eq!(
        w,
        Window {
            width: 8,
            height: 15
        }
    );
    let w = Window::at(4.0, 60.0, 1.0, 7.0, 4.0);
    assert_eq!(
        w,
        Window {
            width: 60,
            height: 2
        }
    );
    let (grid, bydn) = BumpOptions::default().computed_tf(200.0);
    assert_eq!((grid.f_min, grid.f_max, bydn), (2.0, 39.0, 2));
}

#[test]
fn planted_half_ellipsoids_are_recovered() {
    // (col, row, a, b, h) with rows counted from 2 Hz: 6, 10, 16, 20, 26 Hz.
    let planted = [
        HalfEllipsoid {
            height: 1.0,
            col: 150.3,
            row: 8.4,
            a: 9.0,
            b: 1.8,
        },
        HalfEllipsoid {
            height: 0.8,
            col: 420.7,
            row: 18.2,
            a: 5.0,
            b: 3.0,
        },
        HalfEllipsoid {
            height: 0.6,
            col: 700.0,
            row: 4.0,
            a: 14.0,
            b: 1.3,
        },
        HalfEllipsoid {
            height: 0.9,
            col: 950.5,
            row: 24.6,
            a: 4.5,
            b: 4.0,
        },
        HalfEllipsoid {
            height: 0.7,
            col: 300.2,
            row: 14.0,
            a: 6.0,
            b: 2.5,
        },
    ];
    let map = synthetic_map(1200, &planted);
    let geo = geometry_for(&map);
    let out = fit_map(&map, &geo, 1e-3, 50, 100, 1e-12, None);
    assert_eq!(out.stop, StopReason::EnergyLimit);
    for p in &planted {
        let best = out
            .fits
            .iter()
            .map(|f| f.shape)
            .min_by(|x, y| {
                let d =
                    |s: &HalfEllipsoid| (s.col - p.col).abs() / p.a + (s.row - p.row).abs() / p.b;
                d(x).total_cmp(&d(y))
            })
            .unwrap();
        assert!((best.col - p.col).abs() < 0.05 * p.a, "{best:?} vs {p:?}");
        assert!((best.row - p.row).abs() < 0.05 * p.b, "{best:?} vs {p:?}");
        assert!((best.a - p.a).abs() < 0.05 * p.a, "{best:?} vs {p:?}");
        assert!((best.b - p.b).abs() < 0.05 * p.b, "{best:?} vs {p:?}");
        assert!(
            (best.height - p.height).abs() < 0.03 * p.height,
            "{best:?} vs {p:?}"
        );
    }
    // One bump per planted shape explains (nearly) all of its energy.
    let big: Vec<_> = out.fits.iter().filter(|f| f.shape.height > 0.1).collect();
    assert_eq!(big.len(), planted.len(), "{:?}", out.fits);
}

#[test]
fn greedy_stops_at_the_energy_limit_and_the_cap() {
    let planted = [
        HalfEllipsoid {
            height: 1.0,
            col: 150.0,
            row: 8.0,
            a: 9.0,
            b: 1.8,
        },
        HalfEllipsoid {
            height: 0.5,
            col: 600.0,
            row: 18.0,
            a: 5.0,
            b: 3.0,
        },
    ];
    let map = synthetic_map(800, &planted);
    let geo = geometry_for(&map);
    let out = fit_map(&map, &geo, 0.5, 50, 100, 1e-12, None);
    // The first (larger) bump holds more than half the energy: one bump suffices.
    assert_eq!(out.stop, StopReason::EnergyLimit);
    assert_eq!(out.fits.len(), 1);
    assert!(out.residual_energy <= 0.5 * out.initial_energy);
    let out = fit_map(&map, &geo, 0.0, 1, 100, 1e-12, None);
    assert_eq!((out.stop, out.fits.len()), (StopReason::Cap, 1));
    // Energy bookkeeping: each decrease is accounted for.
    let out = fit_map(&map, &geo, 1e-4, 50, 100, 1e-12, None);
    let total: f64 = out.fits.iter().map(|f| f.energy_decrease).sum();
    assert!((out.initial_energy - total - out.residual_energy).abs() < 1e-9 * out.initial_energy);
}

/// Pink (1/f power) noise of unit variance, by spectral shaping of white noise.
fn pink_noise(n: usize, fs: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let normal = Normal::new(0.0, 1.0).unwrap();
    let mut buf: Vec<Complex<f64>> = (0..n)
        .map(|_| Complex::new(normal.sample(rng), 0.0))
        .collect();
    let mut planner = FftPlanner::<f64>::new();
    planner.plan_fft_forward(n).process(&mut buf);
    for (k, c) in buf.iter_mut().enumerate() {
        let kk = k.min(n - k) as f64 * fs / n as f64;
        *c *= if kk < 0.5 { 0.0 } else { 1.0 / kk.sqrt() };
    }
    planner.plan_fft_inverse(n).process(&mut buf);
    let x: Vec<f64> = buf.iter().map(|c| c.re).collect();
    let sd = (x.iter().map(|v| v * v).sum::<f64>() / n as f64).sqrt();
    x.into_iter().map(|v| v / sd).collect()
}

/// A planted burst `A·exp(−(t−tc)²/(2s²))·cos(2πf(t − tc) + φ)`.
#[derive(Debug, Clone, Copy)]
struct Burst {
    t: f64,
    f: f64,
    s: f64,
}

/// Bursts at random times (≥ 1.5 s apart, away from the ends) and frequencies in 5–27 Hz,
/// each 3 cycles of envelope standard deviation, over pink noise; amplitude `snr` × the
/// noise standard deviation.
fn burst_signal(
    seed: u64,
    secs: f64,
    fs: f64,
    n_bursts: usize,
    snr: f64,
) -> (Vec<f32>, Vec<Burst>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = (secs * fs) as usize;
    let mut x = pink_noise(n, fs, &mut rng);
    let mut bursts: Vec<Burst> = Vec::new();
    while bursts.len() < n_bursts {
        let t = rng.gen_range(3.0..secs - 3.0);
        if bursts.iter().any(|b| (b.t - t).abs() < 1.5) {
            continue;
        }
        let f = rng.gen_range(5.0..27.0);
        bursts.push(Burst { t, f, s: 3.0 / f });
    }
    for b in &bursts {
        let phase = rng.gen_range(0.0..2.0 * PI);
        for (i, v) in x.iter_mut().enumerate() {
            let t = i as f64 / fs;
            let g = ((t - b.t) / b.s).powi(2);
            if g < 50.0 {
                *v += snr * (-g / 2.0).exp() * (2.0 * PI * b.f * (t - b.t) + phase).cos();
            }
        }
    }
    (x.into_iter().map(|v| v as f32).collect(), bursts)
}

/// Standard deviations (s, Hz) of a burst's blob in the Morlet modulus map: the burst's
/// Gaussian envelope convolved with the wavelet's, `√(s² + σ_t²)` and `√(σ_fb² + σ_f²)`
/// with `σ_fb = 1/(2πs)`. A blob's "width" is twice these; half a width is one of them.
fn blob_sd(b: &Burst) -> (f64, f64) {
    let sf = b.f / 7.0;
    let st = 1.0 / (2.0 * PI * sf);
    let sfb = 1.0 / (2.0 * PI * b.s);
    ((b.s * b.s + st * st).sqrt(), (sfb * sfb + sf * sf).sqrt())
}

/// Recovery and spurious counts over 4 seeded signals (40 s, 14 bursts each, amplitude
/// 4 × the noise standard deviation) at each amplitude threshold of `thresholds`:
/// `(threshold, planted, recovered, bumps, spurious)`. The `ab` rule only filters by
/// amplitude, so the signals are decomposed once and the bumps filtered per threshold.
fn burst_scores(thresholds: &[f64]) -> Vec<(f64, usize, usize, usize, usize)> {
    let fs = 200.0;
    let o = BumpOptions {
        min_amplitude: 0.0,
        ..BumpOptions::default()
    };
    let sets: Vec<_> = (0..4)
        .map(|seed| {
            let (x, bursts) = burst_signal(seed, 40.0, fs, 14, 4.0);
            (extract_bumps(&x, fs, 0.0, &o).unwrap(), bursts)
        })
        .collect();
    thresholds
        .iter()
        .map(|&th| {
            let (mut planted, mut recovered, mut bumps, mut spurious) = (0, 0, 0, 0);
            for (set, bursts) in &sets {
                let kept: Vec<&Bump> = set.bumps.iter().filter(|e| e.amplitude >= th).collect();
                for b in bursts {
                    let (st, sf) = blob_sd(b);
                    planted += 1;
                    if kept
                        .iter()
                        .any(|e| (e.t - b.t).abs() <= st && (e.f - b.f).abs() <= sf)
                    {
                        recovered += 1;
                    }
                }
                for e in &kept {
                    bumps += 1;
                    let near = bursts.iter().any(|b| {
                        let (st, sf) = blob_sd(b);
                        (e.t - b.t).abs() <= 2.0 * st && (e.f - b.f).abs() <= 2.0 * sf
                    });
                    if !near {
                        spurious += 1;
                    }
                }
            }
            (th, planted, recovered, bumps, spurious)
        })
        .collect()
}

#[test]
fn planted_bursts_in_pink_noise_are_recovered() {
    // A bump is spurious when it is farther than a blob width (2 standard deviations in t
    // and in f) from every planted burst.
    let default = BumpOptions::default().min_amplitude;
    let table = burst_scores(&[
        TOOLBOX_MIN_AMPLITUDE,
        0.1,
        0.2,
        0.3,
        0.35,
        0.4,
        0.45,
        0.5,
        0.6,
        default,
    ]);
    for &(th, planted, recovered, bumps, spurious) in &table {
        eprintln!("threshold {th}: recovered {recovered}/{planted}, spurious {spurious}/{bumps}");
    }
    // The criterion at the default threshold: at least 90 % of the planted bursts
    // recovered within half a blob width, at most 10 % spurious bumps (measured 55/56 and
    // 3/71 at 0.4).
    let (_, planted, recovered, bumps, spurious) = table[table.len() - 1];
    assert!(
        recovered as f64 >= 0.9 * planted as f64,
        "recovered {recovered}/{planted}"
    );
    assert!(
        spurious as f64 <= 0.1 * bumps as f64,
        "spurious {spurious}/{bumps}"
    );
    // 0.3 recovers every burst but keeps strong background events of the pink noise
    // (measured 43/154 spurious): the criterion fails there.
    let (_, planted, recovered, bumps, spurious) = table[3];
    assert!(recovered == planted && spurious as f64 > 0.1 * bumps as f64);
    // The toolbox's threshold keeps the decomposition of the background too: every burst
    // is found, but most bumps are away from the bursts.
    let (_, planted, recovered, bumps, spurious) = table[0];
    assert!(
        recovered as f64 >= 0.9 * planted as f64,
        "recovered {recovered}/{planted}"
    );
    assert!(
        spurious as f64 > 0.5 * bumps as f64,
        "spurious {spurious}/{bumps}"
    );
}

#[test]
fn bumps_are_in_physical_units_and_channels_are_deterministic() {
    let fs = 200.0;
    let (x, bursts) = burst_signal(11, 20.0, fs, 5, 5.0);
    let (y, _) = burst_signal(12, 20.0, fs, 5, 5.0);
    let opts = BumpOptions::default();
    let one = extract_bumps(&x, fs, 1000.0, &opts).unwrap();
    let map = one.map.as_ref().unwrap();
    assert!(one.span.0 > 1000.0 && one.span.1 < 1020.0);
    for b in &one.bumps {
        assert!(b.t >= one.span.0 - 1.0 && b.t <= one.span.1 + 1.0);
        assert!(b.f >= opts.f_min - 0.5 && b.f <= opts.f_max + 0.5, "{b:?}");
        assert!(b.dt >= 1.0 / map.rate - 1e-12 && b.df >= opts.f_step - 1e-12);
        assert!(b.amplitude >= opts.min_amplitude && b.peak <= 1.0);
    }
    // The strongest bump sits on a planted burst (time shifted by t0 = 1000 s).
    let top = one
        .bumps
        .iter()
        .max_by(|a, b| a.amplitude.total_cmp(&b.amplitude))
        .unwrap();
    assert!(bursts
        .iter()
        .any(|b| (top.t - 1000.0 - b.t).abs() < 0.3 && (top.f - b.f).abs() < 2.0));
    let signals: Vec<&[f32]> = vec![&x, &y, &x];
    let run = |k: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .unwrap()
            .install(|| extract_channels(&signals, fs, 1000.0, &opts))
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a, b);
    assert_eq!(a[0].as_ref().unwrap(), &one);
    assert_eq!(a[2].as_ref().unwrap().bumps, one.bumps);
}

#[test]
fn flat_nan_and_short_channels() {
    let opts = BumpOptions::default();
    let flat = extract_bumps(&vec![0.0f32; 4000], 200.0, 0.0, &opts).unwrap();
    assert!(flat.bumps.is_empty());
    assert!(flat.warnings[0].contains("flat"));
    let mut x = vec![1.0f32; 4000];
    x[5] = f32::NAN;
    assert!(matches!(
        extract_bumps(&x, 200.0, 0.0, &opts),
        Err(BumpError::Map(crate::tf::TfError::NonFinite {
            index: 5,
            ..
        }))
    ));
    let (short, _) = burst_signal(1, 4.0, 200.0, 0, 1.0);
    assert!(matches!(
        extract_bumps(&short, 200.0, 0.0, &opts),
        Err(BumpError::Map(crate::tf::TfError::TooShort { .. })) | Err(BumpError::TooShort { .. })
    ));
    let bad = BumpOptions {
        energy_limit: 1.5,
        ..opts
    };
    assert!(matches!(
        extract_bumps(&vec![0.0f32; 4000], 200.0, 0.0, &bad),
        Err(BumpError::InvalidOption {
            field: "energy_limit",
            ..
        })
    ));
}

#[test]
fn pruning_rules() {
    let fit = |h: f64, col: f64, dec: f64| BumpFit {
        shape: HalfEllipsoid {
            height: h,
            col,
            row: 3.0,
            a: 2.0,
            b: 1.0,
        },
        window_row: 3,
        window_col: col as usize,
        window_energy: 1.0,
        fit_error: 0.0,
        iterations: 1,
        energy_decrease: dec,
        residual_energy: 0.0,
    };
    let fits = vec![
        fit(0.9, 50.0, 10.0),
        fit(0.04, 10.0, 5.0),
        fit(0.5, 5.0, 0.01),
        fit(0.5, 80.0, 0.01),
        fit(0.5, 30.0, 0.01),
        fit(0.5, 1.0, 3.0),
    ];
    let opts = BumpOptions::default();
    assert_eq!(prune(&fits, 100.0, &opts), vec![0, 2, 3, 4, 5]);
    let th = BumpOptions {
        min_energy_decrease: Some(0.001),
        ..opts
    };
    assert_eq!(prune(&fits, 100.0, &th), vec![0]);
    let lm = BumpOptions {
        keep_first: Some(2),
        ..opts
    };
    assert_eq!(prune(&fits, 100.0, &lm), vec![0, 2]);
    let or = BumpOptions {
        keep_first_in_time: Some(2),
        ..opts
    };
    assert_eq!(prune(&fits, 100.0, &or), vec![2, 5]);
}

/// The fast fit (support-only evaluations, Nielsen damping, stall rule) against the
/// reference Levenberg–Marquardt loop over every window pixel, on noisy planted
/// half-ellipsoids in windows of the default geometry, started as the greedy loop starts.
#[test]
fn fast_fit_matches_the_reference_fit() {
    use super::lm::{fit, fit_reference, Bounds, Grid, Pixel};
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let (mut n, mut close, mut fast_iters, mut ref_iters) = (0usize, 0usize, 0usize, 0usize);
    let (mut worst_cost, mut mean_cost) = (0.0f64, 0.0f64);
    let (mut exact, mut n_exact) = ([0usize; 2], 0usize);
    for case in 0..300 {
        let f = rng.gen_range(4.0..30.0);
        let win = Window::at(f, 60.0, 1.0, 7.0, 4.0);
        // Window with a margin: rows/cols of the grid are map indices from (r0, c0).
        let (n_r, n_c) = (win.height + 4, win.width + 4);
        let (r0, c0) = (10usize, 100usize);
        let truth = HalfEllipsoid {
            height: rng.gen_range(0.3..1.0),
            col: c0 as f64 + n_c as f64 / 2.0 + rng.gen_range(-1.5..1.5),
            row: r0 as f64 + n_r as f64 / 2.0 + rng.gen_range(-0.5..0.5),
            a: (win.width as f64 * rng.gen_range(0.3..0.6)).max(1.2),
            b: (win.height as f64 * rng.gen_range(0.3..0.6)).max(1.2),
        };
        let noise = [0.0, 0.02, 0.05, 0.1][case % 4];
        let mut z = Vec::with_capacity(n_r * n_c);
        let mut pixels = Vec::with_capacity(n_r * n_c);
        let mut peak = (0.0, 0.0, 0.0);
        for r in r0..r0 + n_r {
            for c in c0..c0 + n_c {
                let v =
                    (truth.value(r as f64, c as f64) + noise * normal.sample(&mut rng)).max(0.0);
                z.push(v);
                pixels.push(Pixel {
                    r: r as f64,
                    c: c as f64,
                    z: v,
                });
                if v > peak.0 {
                    peak = (v, r as f64, c as f64);
                }
            }
        }
        let (wa, wb) = (win.width as f64, win.height as f64);
        let bounds = Bounds {
            lo: [0.0, c0 as f64 - 0.5, r0 as f64 - 0.5, 1.0, 1.0],
            hi: [
                4.0 * peak.0,
                (c0 + n_c - 1) as f64 + 0.5,
                (r0 + n_r - 1) as f64 + 0.5,
                (0.75 * (wa + 4.0)).max(1.5),
                (0.75 * (wb + 4.0)).max(1.5),
            ],
        };
        let start = HalfEllipsoid {
            height: peak.0,
            col: peak.2,
            row: peak.1,
            a: (wa / 2.0).max(1.0),
            b: (wb / 2.0).max(1.0),
        };
        let grid = Grid {
            z: &z,
            row0: r0,
            col0: c0,
            n_rows: n_r,
            n_cols: n_c,
        };
        let fast = fit(&grid, start, &bounds, 100, 1e-10);
        let reference = fit_reference(&pixels, start, &bounds, 100, 1e-10);
        n += 1;
        fast_iters += fast.iterations;
        ref_iters += reference.iterations;
        // Both costs are the same objective over the whole window.
        let zz: f64 = z.iter().map(|v| v * v).sum();
        let excess = (fast.sse - reference.sse) / zz;
        worst_cost = worst_cost.max(excess);
        mean_cost += excess;
        let (x, y) = (fast.bump, reference.bump);
        if (x.col - y.col).abs() <= 0.1 * y.a
            && (x.row - y.row).abs() <= 0.1 * y.b
            && (x.a - y.a).abs() <= 0.1 * y.a
            && (x.b - y.b).abs() <= 0.1 * y.b
            && (x.height - y.height).abs() <= 0.05 * y.height
        {
            close += 1;
        }
        if noise == 0.0 {
            // Noise-free: both recover the planted shape.
            for (k, e) in [x, y].into_iter().enumerate() {
                let ok = (e.col - truth.col).abs() < 0.05 * truth.a
                    && (e.row - truth.row).abs() < 0.05 * truth.b
                    && (e.a - truth.a).abs() < 0.05 * truth.a
                    && (e.b - truth.b).abs() < 0.05 * truth.b
                    && (e.height - truth.height).abs() < 0.03 * truth.height;
                if ok {
                    exact[k] += 1;
                }
            }
            n_exact += 1;
        }
    }
    eprintln!(
        "fast vs reference: {close}/{n} close, iterations {fast_iters} vs {ref_iters}, \
         excess cost (fraction of the window energy) worst {worst_cost:.2e}, mean {:.2e}; \
         noise-free recovered (fast, reference) {exact:?}/{n_exact}",
        mean_cost / n as f64
    );
    // Noise-free shapes are recovered as often (a 1–2-row semi-axis is not always
    // identifiable from the pixels, for either fit).
    assert!(exact[0] + 1 >= exact[1] && exact[0] as f64 >= 0.9 * n_exact as f64);
    assert!(close as f64 >= 0.95 * n as f64, "{close}/{n}");
    assert!(worst_cost <= 0.05 && mean_cost <= 0.002 * n as f64);
    assert!(fast_iters < ref_iters, "{fast_iters} vs {ref_iters}");
}

/// The patience stop (default `prune_patience`) ends the loop long before the energy
/// limit on a long recording, and keeps exactly the bumps of the full loop.
#[test]
fn patience_stop_keeps_the_bumps_of_the_full_loop() {
    let fs = 200.0;
    let (x, _) = burst_signal(21, 300.0, fs, 120, 4.0);
    let short = BumpOptions {
        keep_map: false,
        ..BumpOptions::default()
    };
    let full = BumpOptions {
        prune_patience: 0,
        ..short
    };
    let a = extract_bumps(&x, fs, 0.0, &short).unwrap();
    let b = extract_bumps(&x, fs, 0.0, &full).unwrap();
    eprintln!(
        "patience {}: {} fits, stop {:?}; full loop: {} fits, stop {:?}; {} bumps kept",
        short.prune_patience,
        a.n_fitted,
        a.stop,
        b.n_fitted,
        b.stop,
        b.bumps.len()
    );
    assert_eq!(a.stop, Some(StopReason::Patience));
    assert_eq!(b.stop, Some(StopReason::EnergyLimit));
    assert!(a.n_fitted < b.n_fitted);
    assert!(a.residual_energy > b.residual_energy);
    assert!(b.bumps.len() > 60);
    assert_eq!(a.bumps, b.bumps);
    assert_eq!(a.fits, b.fits);
}

/// `fit_map` stops after `run` consecutive fits below `min_height`, and a fit above it
/// resets the count.
#[test]
fn patience_counts_consecutive_fits_below_the_height() {
    let shapes: Vec<HalfEllipsoid> = (0..8)
        .map(|k| HalfEllipsoid {
            height: if k == 3 { 0.9 } else { 0.5 - 0.02 * k as f64 },
            col: 60.0 + 70.0 * k as f64,
            row: 12.0,
            a: 8.0,
            b: 4.0,
        })
        .collect();
    let map = synthetic_map(640, &shapes);
    let geo = geometry_for(&map);
    let all = fit_map(&map, &geo, 1e-4, 50, 100, 1e-12, None);
    let heights: Vec<f64> = all.fits.iter().map(|f| f.shape.height).collect();
    // Fitting order is by window energy: the tall bump first, then the others.
    assert!(heights[0] > 0.8 && all.fits.len() >= 8, "{heights:?}");
    for run in 1..4 {
        let p = Patience {
            min_height: 0.8,
            run,
        };
        let out = fit_map(&map, &geo, 1e-4, 50, 100, 1e-12, Some(p));
        assert_eq!(out.stop, StopReason::Patience);
        assert_eq!(out.fits.len(), 1 + run);
        assert_eq!(out.fits[..], all.fits[..1 + run]);
    }
    let off = Patience {
        min_height: 0.8,
        run: 0,
    };
    assert_eq!(fit_map(&map, &geo, 1e-4, 50, 100, 1e-12, Some(off)), all);
}

/// Block-wise and whole-recording bumps of one signal where both fit in memory: the
/// block-wise run is forced by `max_map_mb = 0` with 60-s blocks (five blocks, with
/// bursts planted across their edges). Tolerance (see `super::blockwise`): the moduli
/// differ by single-precision rounding of FFTs of other lengths, which the greedy loop
/// can amplify (a near tie broken the other way, a fit started from another peak), so
/// at most 5 % of the bumps of either run may lack a counterpart within 1e−3 s, 1e−3 Hz
/// and 1e−3 of normalised amplitude in the other, at most 2 % a counterpart within 0.1 s,
/// 1 Hz and 0.05, and the counts may differ by at most 2 %.
#[test]
fn blockwise_bumps_equal_the_whole_recording_bumps() {
    let fs = 200.0;
    let (x, _) = burst_signal(21, 300.0, fs, 120, 4.0);
    let whole_opts = BumpOptions {
        keep_map: false,
        ..BumpOptions::default()
    };
    let block_opts = BumpOptions {
        max_map_mb: 0.0,
        block_seconds: 60.0,
        ..whole_opts
    };
    assert!(!blockwise::needs_blocks(x.len(), fs, &whole_opts));
    assert!(blockwise::needs_blocks(x.len(), fs, &block_opts));
    let whole = extract_bumps(&x, fs, 5.0, &whole_opts).unwrap();
    let blocks = extract_bumps(&x, fs, 5.0, &block_opts).unwrap();
    assert!(blocks.warnings.is_empty(), "{:?}", blocks.warnings);
    assert_eq!(whole.span, blocks.span);
    assert!(
        (whole.initial_energy - blocks.initial_energy).abs() < 1e-6 * whole.initial_energy,
        "{} {}",
        whole.initial_energy,
        blocks.initial_energy
    );
    let near = |a: &Bump, b: &Bump, dt: f64, df: f64, da: f64| {
        (a.t - b.t).abs() <= dt
            && (a.f - b.f).abs() <= df
            && (a.amplitude - b.amplitude).abs() <= da
    };
    let unmatched = |from: &[Bump], to: &[Bump], dt: f64, df: f64, da: f64| -> Vec<Bump> {
        from.iter()
            .filter(|a| !to.iter().any(|b| near(a, b, dt, df, da)))
            .copied()
            .collect()
    };
    let n = whole.bumps.len();
    assert!(n > 100, "{n} bumps");
    let (lost, extra) = (
        unmatched(&whole.bumps, &blocks.bumps, 1e-3, 1e-3, 1e-3),
        unmatched(&blocks.bumps, &whole.bumps, 1e-3, 1e-3, 1e-3),
    );
    let (lost_far, extra_far) = (
        unmatched(&whole.bumps, &blocks.bumps, 0.1, 1.0, 0.05),
        unmatched(&blocks.bumps, &whole.bumps, 0.1, 1.0, 0.05),
    );
    eprintln!(
        "whole {n} bumps, block-wise {}; without a close counterpart: {} and {}; without a \
         near one: {} and {}\nwhole: {lost:?}\nblock-wise: {extra:?}",
        blocks.bumps.len(),
        lost.len(),
        extra.len(),
        lost_far.len(),
        extra_far.len(),
    );
    assert!(lost.len() * 20 <= n && extra.len() * 20 <= n);
    assert!(lost_far.len() * 50 <= n && extra_far.len() * 50 <= n);
    assert!(n.abs_diff(blocks.bumps.len()) * 50 <= n);
}

/// The blocks' greedy loops start with a short patience and are fitted again down to an
/// energy floor where the merge needs more of their fits; the result is the same
/// whatever the starting patience, including the full one (every block running the
/// whole recording's patience), on a signal whose blocks differ in activity.
#[test]
fn blockwise_bumps_do_not_depend_on_the_blocks_first_patience() {
    let fs = 200.0;
    let (mut x, _) = burst_signal(33, 300.0, fs, 90, 4.0);
    // a quiet stretch and a loud one, so the blocks stop at very different energies
    for (i, v) in x.iter_mut().enumerate() {
        let t = i as f64 / fs;
        if (60.0..120.0).contains(&t) {
            *v *= 0.3;
        } else if (180.0..210.0).contains(&t) {
            *v *= 1.5;
        }
    }
    let opts = BumpOptions {
        keep_map: false,
        max_map_mb: 0.0,
        block_seconds: 30.0,
        prune_patience: 150,
        ..BumpOptions::default()
    };
    let (_, bydn) = opts.computed_tf(fs);
    let run = |first| blockwise::extract_blockwise_from(&x, fs, 0.0, &opts, bydn, first).unwrap();
    let full = run(Some(opts.prune_patience));
    assert!(full.warnings.is_empty(), "{:?}", full.warnings);
    eprintln!("{} bumps of {} fits", full.bumps.len(), full.n_fitted);
    assert!(full.bumps.len() > 40, "{} bumps", full.bumps.len());
    for first in [Some(1), Some(7), None] {
        assert_eq!(run(first), full, "first patience {first:?}");
    }
    assert_eq!(extract_bumps(&x, fs, 0.0, &opts).unwrap(), full);
}
