//! Tests of the Morlet transform and the normalisation chain against analytic results.

use super::*;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use std::f64::consts::PI;

fn sine(fs: f64, secs: f64, parts: &[(f64, f64, f64)]) -> Vec<f32> {
    let n = (fs * secs).round() as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / fs;
            parts
                .iter()
                .map(|&(a, f, ph)| a * (2.0 * PI * f * t + ph).cos())
                .sum::<f64>() as f32
        })
        .collect()
}

/// Analytic modulus of `a·cos(2πgt)` at wavelet frequency `f`.
fn sine_modulus(a: f64, g: f64, f: f64, ratio: f64) -> f64 {
    let sf = f / ratio;
    a * (-(g - f) * (g - f) / (2.0 * sf * sf)).exp()
}

#[test]
fn sinusoid_has_the_analytic_modulus_at_full_and_reduced_rate() {
    let fs = 200.0;
    let x = sine(fs, 20.0, &[(3.0, 10.0, 0.3)]);
    let opts = TfOptions::default();
    for rate in [None, Some(60.0), Some(80.0)] {
        let m = wavelet_modulus(&x, fs, &opts, rate).unwrap();
        let expect_rate = rate.unwrap_or(fs);
        assert!((m.rate - expect_rate).abs() < 1e-9);
        let n_cols = m.values.ncols();
        assert_eq!(n_cols, (20.0 * expect_rate) as usize);
        // Away from the edges (reflection of a non-periodic sine disturbs the ends).
        let (a, b) = (n_cols / 4, 3 * n_cols / 4);
        for (r, &f) in m.frequencies.iter().enumerate() {
            let want = sine_modulus(3.0, 10.0, f, 7.0);
            for c in a..b {
                let got = m.values[(r, c)] as f64;
                assert!(
                    (got - want).abs() < 1e-3 * 3.0,
                    "rate {rate:?} f {f} col {c}: {got} vs {want}"
                );
            }
        }
        // The mid-column peaks at 10 Hz.
        let col = m.values.column(n_cols / 2);
        let best = (0..col.len())
            .max_by(|&i, &j| col[i].total_cmp(&col[j]))
            .unwrap();
        assert_eq!(m.frequencies[best], 10.0);
    }
}

#[test]
fn gaussian_burst_peaks_at_its_centre_with_analytic_height() {
    let fs = 200.0;
    let (tc, f0, s, a) = (7.3, 12.0, 0.2, 5.0);
    let n = (fs * 15.0) as usize;
    let x: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f64 / fs;
            (a * (-(t - tc).powi(2) / (2.0 * s * s)).exp() * (2.0 * PI * f0 * t).cos()) as f32
        })
        .collect();
    let opts = TfOptions {
        f_min: 4.0,
        f_max: 30.0,
        f_step: 0.5,
        f_over_sigma_f: 7.0,
    };
    let m = wavelet_modulus(&x, fs, &opts, None).unwrap();
    let (mut best, mut at) = (0.0f32, (0, 0));
    for ((r, c), &v) in m.values.indexed_iter() {
        if v > best {
            best = v;
            at = (r, c);
        }
    }
    assert_eq!(m.frequencies[at.0], f0);
    assert!(
        (at.1 as f64 / fs - tc).abs() <= 1.0 / fs + 1e-12,
        "peak at {} s",
        at.1 as f64 / fs
    );
    // |W(f0, tc)| = 2·∫ X(ν)Ψ̂/2 … = a·s·√(2π)·√(π / (2π²s² + 1/(2σ_f²))).
    let sf = f0 / 7.0;
    let want =
        a * s * (2.0 * PI).sqrt() * (PI / (2.0 * PI * PI * s * s + 1.0 / (2.0 * sf * sf))).sqrt();
    assert!((best as f64 - want).abs() < 1e-3 * want, "{best} vs {want}");
}

#[test]
fn row_power_equals_spectrum_weighted_power() {
    // Parseval-style: the time-averaged |W(f,·)|² of a sum of sines with integer
    // frequencies over a whole number of seconds is Σ a_j² |Ψ̂_f(g_j)/2|² — the energy the
    // wavelet's spectrum passes (cross terms average to zero).
    let fs = 250.0;
    let parts = [
        (2.0, 6.0, 0.1),
        (1.5, 9.0, 1.0),
        (1.0, 17.0, 2.0),
        (0.7, 25.0, 0.5),
    ];
    let x = sine(fs, 40.0, &parts);
    let opts = TfOptions::default();
    for rate in [None, Some(62.5)] {
        let m = wavelet_modulus(&x, fs, &opts, rate).unwrap();
        let rt = m.rate;
        // Average over [10, 30) s: a whole number of seconds away from the edges.
        let (a, b) = ((10.0 * rt) as usize, (30.0 * rt) as usize);
        for (r, &f) in m.frequencies.iter().enumerate() {
            let got: f64 = (a..b)
                .map(|c| (m.values[(r, c)] as f64).powi(2))
                .sum::<f64>()
                / (b - a) as f64;
            let want: f64 = parts
                .iter()
                .map(|&(amp, g, _)| sine_modulus(amp, g, f, 7.0).powi(2))
                .sum();
            assert!(
                (got - want).abs() < 2e-3 * want.max(1e-2),
                "rate {rate:?} f {f}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn white_noise_power_matches_the_wavelet_bandwidth() {
    // E|W(f,t)|² = σ²·(1/fs)·∫|Ψ̂_f|² dν = σ²·4·σ_f·√π / fs.
    let fs = 200.0;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let x: Vec<f32> = (0..(fs * 600.0) as usize)
        .map(|_| normal.sample(&mut rng) as f32)
        .collect();
    let opts = TfOptions {
        f_min: 10.0,
        f_max: 30.0,
        f_step: 10.0,
        f_over_sigma_f: 7.0,
    };
    let m = wavelet_modulus(&x, fs, &opts, Some(60.0)).unwrap();
    for (r, &f) in m.frequencies.iter().enumerate() {
        let got = m
            .values
            .row(r)
            .iter()
            .map(|&v| (v as f64).powi(2))
            .sum::<f64>()
            / m.values.ncols() as f64;
        let want = 4.0 * (f / 7.0) * PI.sqrt() / fs;
        assert!((got - want).abs() < 0.05 * want, "f {f}: {got} vs {want}");
    }
}

fn burst_on_noise(seed: u64) -> Vec<f32> {
    let fs = 200.0;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0, 1.0).unwrap();
    (0..(fs * 20.0) as usize)
        .map(|i| {
            let t = i as f64 / fs;
            let burst = 6.0
                * (-(t - 9.0f64).powi(2) / (2.0 * 0.15f64.powi(2))).exp()
                * (2.0 * PI * 11.0 * t).cos();
            (burst + normal.sample(&mut rng)) as f32
        })
        .collect()
}

#[test]
fn normalised_map_has_unit_maximum_at_the_burst_and_a_time_axis_after_the_border() {
    let x = burst_on_noise(3);
    let t0 = 100.0;
    let map = normalised_map(
        &x,
        200.0,
        t0,
        &TfOptions::default(),
        &NormOptions::default(),
    )
    .unwrap();
    assert!((map.rate - 60.0).abs() < 1e-12);
    // Border: round(3.5·200/4) = 175 samples = 0.875 s → ceil(52.5) = 53 columns.
    assert!(
        (map.t_start - (t0 + 53.0 / 60.0)).abs() < 1e-9,
        "t_start {}",
        map.t_start
    );
    assert_eq!(map.n_cols(), 20 * 60 - 2 * 53);
    let max = map.values.iter().fold(0.0f32, |a, &v| a.max(v));
    assert!((max - 1.0).abs() < 1e-6);
    assert!(map.values.iter().all(|&v| (0.0..=1.0).contains(&v)));
    let (mut best, mut at) = (0.0f32, (0, 0));
    for ((r, c), &v) in map.values.indexed_iter() {
        if v > best {
            best = v;
            at = (r, c);
        }
    }
    // Per-row z-scoring favours rows where the pink background is weak, so the peak may sit
    // a little above the burst frequency.
    assert!(
        (map.frequencies[at.0] - 11.0).abs() <= 3.0,
        "peak at {} Hz",
        map.frequencies[at.0]
    );
    assert!((map.time_of(at.1 as f64) - (t0 + 9.0)).abs() < 0.05);
    // Each row is a z-score: mean (before offset/clipping) 0 over the reference.
    for r in 0..map.n_rows() {
        assert!(map.row_std[r] > 0.0);
        assert!(map.row_mean[r] > 0.0);
    }
    // Back-conversion: the maximum is `scale − offset` standard deviations above the mean.
    assert!((map.to_zscore(1.0) - (map.scale - 1.0)).abs() < 1e-12);
}

#[test]
fn reference_window_and_negative_offset() {
    let x = burst_on_noise(4);
    let norm = NormOptions {
        offset: -1.0,
        reference: ZScoreReference::Window {
            start: 2.0,
            end: 6.0,
        },
        ..NormOptions::default()
    };
    let map = normalised_map(&x, 200.0, 0.0, &TfOptions::default(), &norm).unwrap();
    // Desynchronisation map: the burst (a strong positive deviation) is 0 there.
    let r = map.row_of(11.0).round() as usize;
    let c = map.col_of(9.0).round() as usize;
    assert_eq!(map.values[(r, c)], 0.0);
    let bad = NormOptions {
        reference: ZScoreReference::Window {
            start: 50.0,
            end: 60.0,
        },
        ..NormOptions::default()
    };
    assert!(matches!(
        normalised_map(&x, 200.0, 0.0, &TfOptions::default(), &bad),
        Err(TfError::InvalidOption {
            field: "reference",
            ..
        })
    ));
}

#[test]
fn identical_maps_with_one_and_two_threads() {
    let x = burst_on_noise(5);
    let run = |k: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .unwrap()
            .install(|| {
                normalised_map(
                    &x,
                    200.0,
                    0.0,
                    &TfOptions::default(),
                    &NormOptions::default(),
                )
                .unwrap()
            })
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a, b);
}

#[test]
fn errors_for_bad_input() {
    let opts = TfOptions::default();
    let norm = NormOptions::default();
    let mut x = burst_on_noise(6);
    x[17] = f32::NAN;
    assert!(matches!(
        normalised_map(&x, 200.0, 0.0, &opts, &norm),
        Err(TfError::NonFinite { index: 17, .. })
    ));
    let flat = vec![3.0f32; 4000];
    assert_eq!(
        normalised_map(&flat, 200.0, 0.0, &opts, &norm),
        Err(TfError::Flat)
    );
    let short = vec![1.0f32; 300];
    assert!(matches!(
        normalised_map(&short, 200.0, 0.0, &opts, &norm),
        Err(TfError::TooShort { .. })
    ));
    let high = TfOptions {
        f_max: 120.0,
        ..opts
    };
    assert!(matches!(
        high.validate(200.0),
        Err(TfError::InvalidOption { field: "f_max", .. })
    ));
    assert!(matches!(
        wavelet_modulus(&x[..10], 200.0, &opts, Some(61.37)),
        Err(TfError::InvalidOption { .. }) | Err(TfError::NonFinite { .. })
    ));
}
