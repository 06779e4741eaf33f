//! The analysis pipeline end to end on simulated EEG with planted synchrony.

use sesame_core::analysis::{self, Config, Results, Silent};
use sesame_core::simulate::{simulate, SimulationOptions};

fn sample(duration: f64) -> sesame_core::recording::Recording {
    let opts = SimulationOptions {
        duration,
        ..SimulationOptions::default()
    };
    simulate(&opts).expect("simulation").0
}

fn rho(results: &Results, a: &str, b: &str) -> f64 {
    results
        .rows
        .iter()
        .find(|r| {
            r.measure == "ses-bumps"
                && r.parameter == "rho"
                && ((r.channel_a == a && r.channel_b == b)
                    || (r.channel_a == b && r.channel_b == a))
        })
        .unwrap_or_else(|| panic!("no rho row for {a}-{b}"))
        .value
}

#[test]
fn planted_groups_are_more_synchronous_than_unrelated_pairs() {
    let rec = sample(120.0);
    let mut config = Config::default();
    config.input.channels = ["F3", "Fz", "F4", "C3", "T3", "T5", "O2", "T6"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let results = analysis::run(&rec, "sim", &config, &Silent).expect("analysis");
    // 8 channels: 28 pairs, each with every ses-bumps output.
    let pairs: std::collections::BTreeSet<_> = results
        .rows
        .iter()
        .map(|r| (r.channel_a.clone(), r.channel_b.clone()))
        .collect();
    assert_eq!(pairs.len(), 28);
    assert!(results
        .rows
        .iter()
        .all(|r| r.value.is_finite() || r.parameter.starts_with("delay")));
    // Within the fronto-central group vs across the groups.
    let within = [
        rho(&results, "F3", "Fz"),
        rho(&results, "F3", "F4"),
        rho(&results, "Fz", "C3"),
    ];
    let across = [
        rho(&results, "F3", "T6"),
        rho(&results, "Fz", "O2"),
        rho(&results, "C3", "T6"),
    ];
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(
        mean(&within) < mean(&across),
        "rho within {within:?} should be below rho across {across:?}"
    );
}

#[test]
fn same_result_with_one_and_two_threads() {
    let rec = sample(40.0);
    let mut config = Config::default();
    config.input.channels = vec!["F3".into(), "Fz".into(), "O1".into()];
    config.measures.ids = vec!["ses-bumps".into(), "ses-1d".into(), "victor-purpura".into()];
    let run = |k: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .expect("pool")
            .install(|| analysis::run(&rec, "sim", &config, &Silent).expect("analysis"))
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.rows.len(), two.rows.len());
    for (a, b) in one.rows.iter().zip(&two.rows) {
        assert_eq!(
            (&a.channel_a, &a.channel_b, &a.measure, &a.parameter),
            (&b.channel_a, &b.channel_b, &b.measure, &b.parameter)
        );
        assert!(a.value.to_bits() == b.value.to_bits() || (a.value.is_nan() && b.value.is_nan()));
    }
}

#[test]
fn regions_give_ten_region_pairs() {
    let rec = sample(40.0);
    let mut config = Config::default();
    config.regions.enabled = true;
    let results = analysis::run(&rec, "sim", &config, &Silent).expect("analysis");
    let pairs: std::collections::BTreeSet<_> = results
        .rows
        .iter()
        .map(|r| (r.channel_a.clone(), r.channel_b.clone()))
        .collect();
    assert_eq!(pairs.len(), 10, "{pairs:?}");
    config.regions.merge = analysis::config::MergeChoice::AverageMaps;
    let averaged = analysis::run(&rec, "sim", &config, &Silent).expect("analysis");
    let averaged_pairs: std::collections::BTreeSet<_> = averaged
        .rows
        .iter()
        .map(|r| (r.channel_a.clone(), r.channel_b.clone()))
        .collect();
    assert_eq!(averaged_pairs, pairs);
    // rho exists for every region pair under both rules (delays may be absent when a
    // pair aligns nothing).
    assert_eq!(
        averaged
            .rows
            .iter()
            .filter(|r| r.parameter == "rho")
            .count(),
        10
    );
    // maps too large to hold whole cannot be averaged: a clear error, not empty regions
    config.bumps.max_map_mb = 1.0;
    config.bumps.block_seconds = 10.0;
    let err = analysis::run(&rec, "sim", &config, &Silent)
        .expect_err("average-maps with block-wise maps")
        .to_string();
    assert!(
        err.contains("average-maps") && err.contains("max_map_mb") && err.contains("union"),
        "{err}"
    );
    // the union of channel bumps works block by block
    config.regions.merge = analysis::config::MergeChoice::Union;
    let union = analysis::run(&rec, "sim", &config, &Silent).expect("analysis");
    assert_eq!(
        union.rows.iter().filter(|r| r.parameter == "rho").count(),
        10
    );
}

/// Warnings of the bump extraction (here a flat channel) reach the caller's progress,
/// naming the channel.
#[test]
fn bump_warnings_reach_the_progress() {
    let sim = sample(20.0);
    let labels: Vec<String> = sim.signals().iter().map(|s| s.label.clone()).collect();
    let fs = sim.signals()[0].sample_rate;
    let rows: Vec<Vec<f32>> = (0..labels.len())
        .map(|i| {
            let x = sim.read_signal(i, 0.0, sim.duration()).expect("read");
            if labels[i] == "Fz" {
                vec![0.0; x.len()]
            } else {
                x
            }
        })
        .collect();
    let n = rows.iter().map(Vec::len).min().unwrap();
    let data = ndarray::Array2::from_shape_fn((rows.len(), n), |(i, j)| rows[i][j]);
    let rec =
        sesame_core::recording::Recording::from_samples(labels, fs, "uV", data).expect("recording");
    let log = analysis::WarningLog::default();
    analysis::run(&rec, "sim", &Config::default(), &log).expect("analysis");
    let warnings = log.take();
    assert!(
        warnings.iter().any(|w| w.starts_with("Fz: flat signal")),
        "{warnings:?}"
    );
}

#[test]
fn user_errors_are_errors() {
    let rec = sample(10.0);
    let mut config = Config::default();
    config.input.channels = vec!["Fp1".into(), "Nope".into()];
    let e = analysis::run(&rec, "sim", &config, &Silent)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Nope"), "{e}");

    let mut config = Config::default();
    config.input.window = Some([5.0, 5.0]);
    let e = analysis::run(&rec, "sim", &config, &Silent)
        .unwrap_err()
        .to_string();
    assert!(e.contains("empty analysis window"), "{e}");

    let mut config = Config::default();
    config.measures.ids = vec!["no-such-measure".into()];
    let e = analysis::run(&rec, "sim", &config, &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown measure") && e.contains("ses-bumps"),
        "{e}"
    );

    let mut config = Config::default();
    config.input.channels = vec!["Fz".into(), "Cz".into()];
    config.measures.params.insert(
        "ses-bumps".into(),
        [("no_such_param".to_string(), toml::Value::Float(1.0))]
            .into_iter()
            .collect(),
    );
    let e = analysis::run(&rec, "sim", &config, &Silent)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no_such_param"), "{e}");
}

#[test]
fn cancelled_analysis_stops() {
    struct Cancelled;
    impl analysis::Progress for Cancelled {
        fn cancelled(&self) -> bool {
            true
        }
    }
    let rec = sample(10.0);
    let e = analysis::run(&rec, "sim", &Config::default(), &Cancelled).unwrap_err();
    assert!(matches!(e, analysis::AnalysisError::Cancelled), "{e}");
}

#[test]
fn continuous_measures_with_regions_are_refused_before_any_work() {
    let mut c = Config::default();
    c.measures.ids = vec!["ses-bumps".into(), "plv".into()];
    c.regions.enabled = true;
    let e = analysis::pipeline::resolve_measures(&c)
        .err()
        .expect("plv on regions is refused");
    assert!(
        e.to_string().contains("`plv` reads continuous signals"),
        "{e}"
    );
    c.regions.enabled = false;
    assert!(analysis::pipeline::resolve_measures(&c).is_ok());
}
