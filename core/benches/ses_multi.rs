//! N-signal SES at the scale of one 20-minute, 5-region analysis: 5 signals, ~1.5 hidden
//! events/s, p_d = 0.2 (≈ 7,200 events), jitter σ = 20 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sesame_core::ses::multi::surrogate::{generate, SurrogateSpec};
use sesame_core::ses::multi::{ses_multi, MultiEvents, MultiInput, MultiOptions};

fn twenty_minutes() -> MultiInput {
    let spec = SurrogateSpec {
        rate: 1.5,
        duration: 1200.0,
        delta: vec![0.0, 0.010, 0.020, -0.010, 0.005],
        s: 0.02 * 0.02,
        pd: 0.2,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (events, _) = generate(&spec, &mut rng);
    MultiInput {
        n_signals: 5,
        events: MultiEvents::Times(events),
        duration: Some(1200.0),
    }
}

fn bench(c: &mut Criterion) {
    let input = twenty_minutes();
    let opts = MultiOptions {
        s0: 0.02 * 0.02,
        ..MultiOptions::default()
    };
    let mut g = c.benchmark_group("ses_multi");
    g.sample_size(10);
    g.bench_function("20min_5regions", |b| {
        b.iter(|| ses_multi(&input, &opts).expect("SES runs"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
