//! The whole default analysis (`sesame analyze` with no option: preprocessing, bumps of
//! every channel, `ses-bumps` on every pair with its 19 chance surrogates) on a simulated
//! 21-channel, 20-minute recording at 200 Hz. `bench/analyze_speed.sh` measures the same
//! workload through the command line with wall time, CPU time and peak memory.

use criterion::{criterion_group, criterion_main, Criterion};
use sesame_core::analysis::{self, Config, Silent};
use sesame_core::simulate::{simulate, SimulationOptions};
use std::hint::black_box;
use std::time::Duration;

fn benches(c: &mut Criterion) {
    let (rec, _) = simulate(&SimulationOptions {
        duration: 1200.0,
        ..SimulationOptions::default()
    })
    .expect("simulated recording");
    let config = Config::default();
    let mut g = c.benchmark_group("analyze");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.bench_function("default_21ch_20min", |b| {
        b.iter(|| {
            black_box(
                analysis::run(&rec, "bench", &config, &Silent)
                    .map(|r| r.rows.len())
                    .expect("analysis"),
            )
        })
    });
    g.finish();
}

criterion_group!(analyze, benches);
criterion_main!(analyze);
