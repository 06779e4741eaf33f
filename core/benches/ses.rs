//! SES benchmarks: one pair with 2,000 bumps per side; all 210 pairs of 21 channels of
//! bump sets for a 20-minute recording (certificates included); 1-D with 2,000 events.

use criterion::{criterion_group, criterion_main, Criterion};
use sesame_core::ses::bumps::{ses_bumps, BumpSesOptions};
use sesame_core::ses::regions::ses_bumps_all_pairs;
use sesame_core::ses::surrogate::{seeded, Surrogate1d, Surrogate2d};
use sesame_core::ses::{ses_1d, NonCoincidentCost, OneDOptions, Prior};
use std::hint::black_box;

/// Bumps of a 20-minute recording: 4–30 Hz, widths as the §7.3 generator, ~2,000 hidden
/// bumps, per-channel jitter and 30 % deletions.
fn recording(channels: usize, seed: u64) -> Vec<Vec<sesame_core::bumps::Bump>> {
    let g = Surrogate2d {
        n_hidden: 2600.0,
        duration: 1200.0,
        ..Surrogate2d::spec([0.0, 0.02, 0.0, 0.02], 0.25)
    };
    g.generate_copies(channels, &mut seeded(seed))
}

fn benches(c: &mut Criterion) {
    let rec = recording(21, 1);
    let n: usize = rec.iter().map(Vec::len).sum::<usize>() / rec.len();
    eprintln!("bumps per channel: {n}");
    let opts = BumpSesOptions::default();
    let pair = (rec[0].clone(), rec[1].clone());
    c.bench_function("ses_bumps_pair_2000", |b| {
        b.iter(|| black_box(ses_bumps(&pair.0, &pair.1, &opts).map(|r| r.params.certified)))
    });
    let mut g = c.benchmark_group("all_pairs");
    g.sample_size(10);
    g.bench_function("ses_bumps_210_pairs_20min", |b| {
        b.iter(|| black_box(ses_bumps_all_pairs(&rec, &opts).len()))
    });
    g.finish();

    let s = Surrogate1d {
        rate: 2.5,
        duration: 1000.0,
        delay: 0.01,
        jitter_var: 1e-4,
        p_delete: 0.2,
    };
    let (x, y) = s.generate(&mut seeded(2));
    let o = OneDOptions {
        cost: NonCoincidentCost::MatchRadius { z_max: 3.0 },
        prior: Prior::new(2.0, 1e-4),
        ..OneDOptions::default()
    };
    c.bench_function("ses_1d_pair_2000", |b| {
        b.iter(|| black_box(ses_1d(&x, &y, &o).map(|r| r.params.rho)))
    });
}

criterion_group!(ses, benches);
criterion_main!(ses);
