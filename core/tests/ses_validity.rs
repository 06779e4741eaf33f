//! Reduced versions of the SES validity study (`docs/ses-validity.md`): structure and
//! direction asserted, never timing.
//!
//! (a) zero coupling: `sync` ≈ 0 and surrogate `p` uniform, at a low and a high density;
//! (b) `rho`, `sync` monotone in the keep probability, `σt` in the jitter;
//! (c) two simulated groups differing only in coupling are separated, channel and region
//!     pairs alike;
//! (d) the planted groups of the bundled sample are the most synchronous region pairs,
//!     and the ear pair is not the most synchronous channel pair.

use sesame_core::analysis::stats::welch_t_test;
use sesame_core::analysis::{self, Config, Results, Silent};
use sesame_core::measures::{find, ParamValues};
use sesame_core::recording::{ReadOptions, Recording};
use sesame_core::simulate::coupling::{
    ks_to_discrete_uniform, trial_1d, trial_bumps, PairDesign, TrialOutcome,
};
use sesame_core::simulate::{
    simulate_cohort, CohortGroup, CohortSimulationOptions, SimulationOptions,
};

fn params(id: &str, given: &[(&str, &str)]) -> ParamValues {
    let m = find(id).expect("registered measure");
    ParamValues::parse(m.params(), given.iter().copied()).expect("valid parameters")
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn design(keep: f64, jitter: f64, rate: f64) -> PairDesign {
    PairDesign {
        keep,
        jitter,
        rate,
        duration: 60.0,
    }
}

#[test]
fn zero_coupling_sits_at_chance_at_every_density() {
    let p1 = params("ses-1d", &[("s0", "4e-4")]);
    let pb = params("ses-bumps", &[]);
    for rate in [0.3, 3.0] {
        let d = design(0.0, 0.0, rate);
        let one: Vec<TrialOutcome> = (0..120)
            .map(|s| trial_1d(&d, s, &p1).expect("1-D trial"))
            .collect();
        let bumps: Vec<TrialOutcome> = (0..40)
            .map(|s| trial_bumps(&d, s, &pb).expect("bump trial"))
            .collect();
        for (what, o) in [("1-D", &one), ("bumps", &bumps)] {
            let sync = mean(o.iter().map(|t| t.sync));
            assert!(sync.abs() < 0.05, "{what} at {rate}/s: mean sync {sync}");
            let p: Vec<f64> = o.iter().map(|t| t.p).collect();
            assert!(p.iter().all(|v| *v > 0.0 && *v <= 1.0));
            // uniform on {1..20}/20: the KS distance of n draws stays below ~1.6/√n
            let ks = ks_to_discrete_uniform(&p, 19);
            let bound = 1.8 / (p.len() as f64).sqrt();
            assert!(ks < bound, "{what} at {rate}/s: KS {ks} ≥ {bound}");
        }
    }
}

#[test]
fn rho_and_sync_follow_the_coupling_and_sigma_follows_the_jitter() {
    let p1 = params("ses-1d", &[("s0", "4e-4")]);
    let pb = params("ses-bumps", &[]);
    let at = |keep: f64, jitter_1d: f64, jitter_b: f64| {
        let one: Vec<TrialOutcome> = (0..20)
            .map(|s| trial_1d(&design(keep, jitter_1d, 1.0), s, &p1).expect("1-D"))
            .collect();
        let bumps: Vec<TrialOutcome> = (0..8)
            .map(|s| trial_bumps(&design(keep, jitter_b, 1.0), s, &pb).expect("bumps"))
            .collect();
        (one, bumps)
    };
    let keeps = [0.3, 0.6, 0.9];
    let runs: Vec<_> = keeps.iter().map(|&k| at(k, 0.01, 0.1)).collect();
    for w in runs.windows(2) {
        for (what, lo, hi) in [("1-D", &w[0].0, &w[1].0), ("bumps", &w[0].1, &w[1].1)] {
            let (s0, s1) = (
                mean(lo.iter().map(|t| t.sync)),
                mean(hi.iter().map(|t| t.sync)),
            );
            let (r0, r1) = (
                mean(lo.iter().map(|t| t.rho)),
                mean(hi.iter().map(|t| t.rho)),
            );
            assert!(
                s1 > s0,
                "{what}: sync not increasing with keep ({s0} → {s1})"
            );
            assert!(
                r1 < r0,
                "{what}: rho not decreasing with keep ({r0} → {r1})"
            );
        }
    }
    let jit: Vec<_> = [(0.005, 0.05), (0.015, 0.15), (0.03, 0.3)]
        .iter()
        .map(|&(a, b)| at(0.8, a, b))
        .collect();
    for w in jit.windows(2) {
        for (what, lo, hi) in [("1-D", &w[0].0, &w[1].0), ("bumps", &w[0].1, &w[1].1)] {
            let (a, b) = (
                mean(lo.iter().map(|t| t.sigma_t)),
                mean(hi.iter().map(|t| t.sigma_t)),
            );
            assert!(
                b > a,
                "{what}: σt not increasing with the jitter ({a} → {b})"
            );
        }
    }
}

fn average(results: &Results, output: &str) -> f64 {
    mean(
        results
            .rows
            .iter()
            .filter(|r| r.measure == "ses-bumps" && r.parameter == output)
            .map(|r| r.value),
    )
}

#[test]
fn groups_differing_only_in_coupling_are_separated_by_channel_and_region_pairs() {
    let cohort = CohortSimulationOptions {
        base: SimulationOptions {
            duration: 60.0,
            ..SimulationOptions::default()
        },
        groups: vec![
            CohortGroup {
                name: "strong".into(),
                subjects: 4,
                jitter_sd: 0.015,
                deletion_probability: 0.1,
            },
            CohortGroup {
                name: "weak".into(),
                subjects: 4,
                jitter_sd: 0.015,
                deletion_probability: 0.7,
            },
        ],
    };
    let subjects = simulate_cohort(&cohort).expect("cohort");
    let mut channels = Config::default();
    channels.input.channels = ["F3", "Fz", "F4", "C3", "Cz", "T5", "P3", "O1", "P4", "O2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut regions = Config::default();
    regions.regions.enabled = true;
    let mut by_level = [(Vec::new(), Vec::new()), (Vec::new(), Vec::new())];
    for s in &subjects {
        for (k, cfg) in [&channels, &regions].into_iter().enumerate() {
            let r = analysis::run(&s.recording, &s.id, cfg, &Silent).expect("analysis");
            let v = average(&r, "sync");
            if s.group == "strong" {
                by_level[k].0.push(v);
            } else {
                by_level[k].1.push(v);
            }
        }
    }
    for (level, (strong, weak)) in ["channels", "regions"].iter().zip(&by_level) {
        let t = welch_t_test(strong, weak).expect("Welch test");
        assert!(
            t.mean_difference > 0.0 && t.p_value < 0.05,
            "{level}: strong {strong:?} vs weak {weak:?}: p = {}",
            t.p_value
        );
    }
}

#[test]
fn the_sample_s_planted_groups_rank_first() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample-data/sesame-sample.edf");
    let rec = Recording::open(&path, &ReadOptions::default()).expect("bundled sample");
    let mut regions = Config::default();
    regions.regions.enabled = true;
    let r = analysis::run(&rec, "sample", &regions, &Silent).expect("regions");
    let mut by_sync: Vec<(String, String, f64)> = r
        .rows
        .iter()
        .filter(|x| x.measure == "ses-bumps" && x.parameter == "sync")
        .map(|x| (x.channel_a.clone(), x.channel_b.clone(), x.value))
        .collect();
    by_sync.sort_by(|a, b| b.2.total_cmp(&a.2));
    let planted = [
        ("frontal", "central"),
        ("left temporal", "posterior"),
        ("right temporal", "posterior"),
    ];
    let top: Vec<(&str, &str)> = by_sync[..3]
        .iter()
        .map(|(a, b, _)| (a.as_str(), b.as_str()))
        .collect();
    for p in planted {
        assert!(
            top.contains(&p),
            "{p:?} not among the top three: {by_sync:?}"
        );
    }
    // channels, ear electrodes included
    let mut channels = Config::default();
    channels.input.channels = ["F3", "Fz", "F4", "C3", "Cz", "T5", "O1", "A1", "A2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let c = analysis::run(&rec, "sample", &channels, &Silent).expect("channels");
    let best = c
        .rows
        .iter()
        .filter(|x| x.measure == "ses-bumps" && x.parameter == "sync")
        .max_by(|a, b| a.value.total_cmp(&b.value))
        .expect("sync rows");
    assert!(
        !(best.channel_a.starts_with('A') && best.channel_b.starts_with('A')),
        "the ear pair ranks first: {best:?}"
    );
}
