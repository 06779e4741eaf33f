//! Benchmark of the time-frequency map and bump fit: 21 channels × 5 minutes × 200 Hz.
//!
//! Besides criterion's timings it prints seconds per channel-minute, the map's achieved
//! GFLOP/s (by the usual `5·N·log2 N` FFT count) against a plain FFT of the padded length,
//! and one timed run of a whole 21-channel, 20-minute recording.

use criterion::{criterion_group, criterion_main, Criterion};
use num_complex::Complex;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use sesame_core::bumps::{extract_channels, BumpOptions};
use sesame_core::tf::{normalised_map_with_plan, MorletPlan};
use std::f64::consts::PI;
use std::time::Instant;

const FS: f64 = 200.0;
const CHANNELS: usize = 21;

/// EEG-like test signal: AR(1) background (1/f²-like) plus alpha and beta bursts.
fn channel(seed: u64, minutes: f64) -> Vec<f32> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let n = (minutes * 60.0 * FS) as usize;
    let mut x = vec![0.0f64; n];
    let mut prev = 0.0;
    for v in x.iter_mut() {
        prev = 0.95 * prev + rng.gen_range(-1.0..1.0);
        *v = prev;
    }
    let mut t = 1.0;
    while t < n as f64 / FS - 1.0 {
        let f: f64 = if rng.gen_bool(0.6) {
            rng.gen_range(8.0..12.0)
        } else {
            rng.gen_range(14.0..28.0)
        };
        let s = 3.0 / f;
        let a = rng.gen_range(2.0..6.0);
        let (i0, i1) = (
            ((t - 4.0 * s) * FS).max(0.0) as usize,
            (((t + 4.0 * s) * FS) as usize).min(n),
        );
        for (i, v) in x.iter_mut().enumerate().take(i1).skip(i0) {
            let u = i as f64 / FS - t;
            *v += a * (-u * u / (2.0 * s * s)).exp() * (2.0 * PI * f * u).cos();
        }
        t += rng.gen_range(0.3..1.5);
    }
    x.into_iter().map(|v| v as f32).collect()
}

/// CPU time (user + system) of this process so far, s, from `/proc/self/stat` (clock
/// ticks of 1/100 s); `None` where that file does not exist.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The 1-minute load average, from `/proc/loadavg` (`None` elsewhere).
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_string)
}

fn recording(minutes: f64) -> Vec<Vec<f32>> {
    (0..CHANNELS as u64).map(|c| channel(c, minutes)).collect()
}

fn bench(c: &mut Criterion) {
    let data = recording(5.0);
    let slices: Vec<&[f32]> = data.iter().map(Vec::as_slice).collect();
    let opts = BumpOptions {
        keep_map: false,
        ..BumpOptions::default()
    };
    let (grid, _) = opts.computed_tf(FS);
    let plan =
        MorletPlan::new(data[0].len(), FS, &grid, Some(opts.map_rate(FS))).expect("valid plan");
    let norm = opts.norm(FS);

    let mut g = c.benchmark_group("bumps_21ch_5min");
    g.sample_size(10);
    g.bench_function("map", |b| {
        b.iter(|| {
            slices
                .par_iter()
                .map(|s| {
                    normalised_map_with_plan(&plan, s, 0.0, &norm)
                        .expect("map")
                        .n_cols()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("map_and_bumps", |b| {
        b.iter(|| {
            extract_channels(&slices, FS, 0.0, &opts)
                .iter()
                .filter(|r| r.is_ok())
                .count()
        })
    });
    let n_fft = plan.fft_len();
    let fft = rustfft::FftPlanner::<f32>::new().plan_fft_forward(n_fft);
    let mut buf: Vec<Complex<f32>> = data[0]
        .iter()
        .cycle()
        .take(n_fft)
        .map(|&v| Complex::new(v, 0.0))
        .collect();
    g.bench_function("plain_fft_one_channel", |b| {
        b.iter(|| fft.process(&mut buf))
    });
    g.finish();

    // Figures for the record (single timed runs, after criterion's warm-up).
    let reps = 3;
    let t = Instant::now();
    for _ in 0..reps {
        for s in &slices {
            let _ = normalised_map_with_plan(&plan, s, 0.0, &norm).expect("map");
        }
    }
    let map_one = t.elapsed().as_secs_f64() / (reps * CHANNELS) as f64;
    let t = Instant::now();
    for _ in 0..20 * reps {
        fft.process(&mut buf);
    }
    let fft_one = t.elapsed().as_secs_f64() / (20 * reps) as f64;
    let fft_flops = 5.0 * n_fft as f64 * (n_fft as f64).log2();
    let t = Instant::now();
    let results = extract_channels(&slices, FS, 0.0, &opts);
    let all = t.elapsed().as_secs_f64();
    let n_bumps: usize = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|s| s.bumps.len())
        .sum();
    eprintln!(
        "map (1 thread, 1 channel of 5 min): {:.4} s, {:.2} GFLOP/s ({} frequencies, FFT {} → inverse {}); \
         plain FFT of {}: {:.5} s, {:.2} GFLOP/s",
        map_one,
        plan.flops() / map_one / 1e9,
        plan.frequencies().len(),
        n_fft,
        plan.inverse_len(),
        n_fft,
        fft_one,
        fft_flops / fft_one / 1e9
    );
    eprintln!(
        "map + bumps, 21 ch × 5 min, {} threads: {:.3} s = {:.4} s per channel-minute ({} bumps, {:.2}/s per channel)",
        rayon::current_num_threads(),
        all,
        all / (CHANNELS as f64 * 5.0),
        n_bumps,
        n_bumps as f64 / (CHANNELS as f64 * 300.0)
    );
    let long = recording(20.0);
    let slices: Vec<&[f32]> = long.iter().map(Vec::as_slice).collect();
    let load_before = load_average();
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    let results = extract_channels(&slices, FS, 0.0, &opts);
    let all = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let n_bumps: usize = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|s| s.bumps.len())
        .sum();
    eprintln!(
        "map + bumps, 21 ch × 20 min, {} threads: {:.3} s wall, {} s CPU (user + system), \
         load average {} before, {} after ({} bumps)",
        rayon::current_num_threads(),
        all,
        cpu.map_or("n/a".to_string(), |c| format!("{c:.2}")),
        load_before.unwrap_or_else(|| "n/a".into()),
        load_average().unwrap_or_else(|| "n/a".into()),
        n_bumps
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
