//! Point-process measures on the comparison workload: all 210 pairs of 21 trains of
//! 1200 events over 20 min (Poisson, 1 event/s, fixed seed), through the registry's
//! parallel `compute_set`, as `sesame` runs them.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::{Rng, SeedableRng};
use sesame_core::measures::{find, ParamValues, SetInput};

fn trains() -> Vec<Vec<f64>> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
    (0..21)
        .map(|_| {
            let mut t: Vec<f64> = (0..1200).map(|_| rng.gen_range(0.0..1200.0)).collect();
            t.sort_by(f64::total_cmp);
            t
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let trains = trains();
    let set = SetInput::PointProcess { trains: &trains, window: (0.0, 1200.0) };
    let mut g = c.benchmark_group("210 pairs of 1200-event trains");
    g.sample_size(10);
    for (id, params) in [
        ("victor-purpura", vec![("q", "10")]),
        ("van-rossum", vec![("tau", "0.1")]),
        ("schreiber", vec![("sigma", "0.05")]),
        ("event-sync", vec![]),
        ("spike-distance", vec![]),
        ("isi-distance", vec![]),
        ("spike-sync", vec![]),
        ("sttc", vec![]),
        ("hunter-milton", vec![]),
    ] {
        let m = find(id).expect("registered");
        let p = ParamValues::parse(m.params(), params).expect("valid parameters");
        g.bench_function(id, |b| b.iter(|| m.compute_set(&set, &p).expect("computes")));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
