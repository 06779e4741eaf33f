//! Per-pair surrogate tests (`sesame analyze --surrogates N`, [`test_set`]) for the three
//! workloads of the speed target, each on all pairs of a simulated 20-minute recording
//! with fewer surrogates than the target's 1000 so that `cargo bench --bench surrogates`
//! takes a few minutes:
//!
//! - `coh_plv_wpli`: coherence, PLV and wPLI on 21 channels (210 pairs) of AR(1) noise,
//!   600 epochs of 2 s at 256 Hz, 100 circular-shift surrogates per pair;
//! - `vp_vr`: Victor–Purpura and van Rossum on 21 Poisson trains (210 pairs) of 2 events/s
//!   over 1200 s, 100 circular-shift surrogates per pair;
//! - `ses_bumps`: bump SES on 7 channels (21 pairs) of ~2,000 bumps each over 1200 s,
//!   20 circular-shift surrogates per pair.
//!
//! The observed values are computed once, outside the timing; each iteration is the
//! surrogate test alone. Time scales linearly in pairs × surrogates for the event
//! measures and SES; the spectral measures share one transform per channel, so their
//! time grows more slowly with the surrogate count. `bench/surrogates.sh` times the full
//! workloads (1000 surrogates, every pair, `sesame analyze` end to end).

use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array3;
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sesame_core::analysis::significance::{test_set, SignificanceConfig};
use sesame_core::analysis::Silent;
use sesame_core::measures::{find, ParamValues, SetInput};
use sesame_core::ses::surrogate::{seeded, Surrogate2d};
use std::hint::black_box;

/// Recording length, s.
const DURATION: f64 = 1200.0;

fn config(surrogates: usize) -> SignificanceConfig {
    SignificanceConfig {
        surrogates,
        ..SignificanceConfig::default()
    }
}

/// The surrogate test of each measure in `ids` on `set`, as one benchmark.
fn bench_measures(c: &mut Criterion, name: &str, ids: &[&str], set: &SetInput, surrogates: usize) {
    let jobs: Vec<_> = ids
        .iter()
        .map(|id| {
            let m = find(id).expect("registered measure");
            let params = ParamValues::defaults(m.params());
            let observed = m.compute_set(set, &params).expect("observed values");
            (m, params, observed)
        })
        .collect();
    let config = config(surrogates);
    let mut g = c.benchmark_group("surrogates");
    g.sample_size(10);
    g.bench_function(name, |b| {
        b.iter(|| {
            for (m, params, observed) in &jobs {
                let out = test_set(
                    *m,
                    params,
                    set,
                    observed.clone(),
                    &config,
                    &Silent,
                    (0.0, 1.0),
                )
                .expect("surrogate test");
                black_box(out.len());
            }
        })
    });
    g.finish();
}

/// AR(1) noise (coefficient 0.9), channels × epochs × samples.
fn ar1(channels: usize, epochs: usize, samples: usize, seed: u64) -> Array3<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data = Array3::<f64>::zeros((channels, epochs, samples));
    for c in 0..channels {
        let mut v = 0.0;
        for e in 0..epochs {
            for s in 0..samples {
                v = 0.9 * v + rng.gen::<f64>() - 0.5;
                data[(c, e, s)] = v;
            }
        }
    }
    data
}

/// Poisson event times (s) at `rate` events/s over [`DURATION`].
fn poisson(rng: &mut ChaCha8Rng, rate: f64) -> Vec<f64> {
    let mut t = 0.0;
    let mut out = Vec::new();
    loop {
        t += -(1.0 - rng.gen::<f64>()).ln() / rate;
        if t >= DURATION {
            return out;
        }
        out.push(t);
    }
}

fn benches(c: &mut Criterion) {
    let fs = 256.0;
    let data = ar1(21, 600, 512, 1);
    let set = SetInput::Continuous {
        data: data.view(),
        fs,
    };
    bench_measures(c, "coh_plv_wpli", &["coh", "plv", "wpli"], &set, 100);

    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let trains: Vec<Vec<f64>> = (0..21).map(|_| poisson(&mut rng, 2.0)).collect();
    let set = SetInput::PointProcess {
        trains: &trains,
        window: (0.0, DURATION),
    };
    bench_measures(c, "vp_vr", &["victor-purpura", "van-rossum"], &set, 100);

    let g = Surrogate2d {
        n_hidden: 2600.0,
        duration: DURATION,
        ..Surrogate2d::spec([0.0, 0.02, 0.0, 0.02], 0.25)
    };
    let bumps = g.generate_copies(7, &mut seeded(3));
    let set = SetInput::Bumps {
        bumps: &bumps,
        window: (0.0, DURATION),
    };
    bench_measures(c, "ses_bumps", &["ses-bumps"], &set, 20);
}

criterion_group!(surrogates, benches);
criterion_main!(surrogates);
