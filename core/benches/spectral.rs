//! Speed of the Fourier connectivity measures on the comparison workload:
//! 21 channels × 20 min at 200 Hz cut into 600 epochs of 2 s, all 210 pairs,
//! coh + imcoh + plv + wpli over 1–45 Hz (one FFT per channel and epoch, shared by
//! every pair and measure). `bench/compare.sh` runs this and the Python peers.

use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array3;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use sesame_core::measures::spectral::{set_spectral, Estimate, FourierSettings, SpectralMethod};

fn workload() -> Array3<f64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    Array3::from_shape_simple_fn((21, 600, 400), || StandardNormal.sample(&mut rng))
}

fn bench(c: &mut Criterion) {
    let data = workload();
    let settings = FourierSettings {
        fmin: 1.0,
        fmax: 45.0,
        estimate: Estimate::AcrossEpochs,
    };
    let methods = [
        SpectralMethod::Coh,
        SpectralMethod::ImCoh,
        SpectralMethod::Plv,
        SpectralMethod::WPli,
    ];
    let mut g = c.benchmark_group("continuous");
    g.sample_size(10);
    g.bench_function("coh+imcoh+plv+wpli_21ch_600ep_210pairs", |b| {
        b.iter(|| set_spectral(data.view(), 200.0, &settings, &methods).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
