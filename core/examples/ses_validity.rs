//! The SES validity study of `docs/ses-validity.md`: chance level at zero coupling,
//! dose-response in the coupling and the jitter, separation of two simulated groups,
//! and the planted groups of the sample recording.
//!
//! ```sh
//! cargo run --release -p sesame-core --example ses_validity -- docs/ses-validity
//! ```
//!
//! Prints the document's tables (Markdown, also written to `tables.md`) and writes one
//! CSV per part into the given folder (`trials.csv`: every simulated pair; `cohort.csv`:
//! every subject; `sample.csv`: every pair of the sample). `docs/ses-validity/figures.py`
//! draws the figures from the CSVs.

use rayon::prelude::*;
use sesame_core::analysis::stats::{mann_whitney_u, welch_t_test, MwMethod};
use sesame_core::analysis::{self, Config, Results, Silent};
use sesame_core::measures::{find, ParamValues};
use sesame_core::recording::{ReadOptions, Recording};
use sesame_core::simulate::coupling::{
    ks_to_discrete_uniform, trial_1d, trial_bumps, PairDesign, TrialOutcome,
};
use sesame_core::simulate::{
    simulate_cohort, CohortGroup, CohortSimulationOptions, SimulationOptions,
};
use std::fmt::Write as _;
use std::path::PathBuf;

type Trial =
    fn(&PairDesign, u64, &ParamValues) -> Result<TrialOutcome, sesame_core::measures::MeasureError>;

struct Cell {
    kind: &'static str,
    part: &'static str,
    design: PairDesign,
    outcomes: Vec<TrialOutcome>,
}

fn params(id: &str, given: &[(&str, &str)]) -> ParamValues {
    let m = find(id).expect("registered measure");
    ParamValues::parse(m.params(), given.iter().copied()).expect("valid parameters")
}

fn run_cell(
    kind: &'static str,
    part: &'static str,
    design: PairDesign,
    n: usize,
    trial: Trial,
    p: &ParamValues,
) -> Cell {
    let outcomes: Vec<TrialOutcome> = (0..n as u64)
        .into_par_iter()
        .map(|s| trial(&design, 1000 + s, p).expect("trial"))
        .collect();
    Cell {
        kind,
        part,
        design,
        outcomes,
    }
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn sd(v: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    let m = v.iter().sum::<f64>() / v.len().max(1) as f64;
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64).sqrt()
}

fn avg(results: &Results, measure: &str, output: &str) -> f64 {
    mean(
        results
            .rows
            .iter()
            .filter(|r| r.measure == measure && r.parameter == output)
            .map(|r| r.value),
    )
}

fn ranked(results: &Results, output: &str) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = results
        .rows
        .iter()
        .filter(|r| r.measure == "ses-bumps" && r.parameter == output)
        .map(|r| (format!("{}–{}", r.channel_a, r.channel_b), r.value))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

fn main() {
    let out: PathBuf = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "docs/ses-validity".into())
        .into();
    std::fs::create_dir_all(&out).expect("output folder");
    let k = 19usize;
    let p1 = params("ses-1d", &[("s0", "4e-4")]);
    let pb = params("ses-bumps", &[]);
    let mut cells: Vec<Cell> = Vec::new();
    let mut md = String::new();

    // (a) zero coupling at every density
    let rates = [0.2, 0.5, 1.0, 2.0, 3.0];
    for &rate in &rates {
        let d = PairDesign {
            keep: 0.0,
            jitter: 0.0,
            rate,
            duration: 120.0,
        };
        cells.push(run_cell("1-D", "a", d, 1000, trial_1d, &p1));
        cells.push(run_cell("bumps", "a", d, 400, trial_bumps, &pb));
    }
    writeln!(md, "### (a) Zero coupling\n").ok();
    writeln!(
        md,
        "| events | rate (1/s) | pairs | mean ρ | mean rho_null | mean sync ± s.d. | P(p ≤ 0.05) | KS distance to uniform | KS 5 % critical |\n|---|---|---|---|---|---|---|---|---|"
    )
    .ok();
    for c in cells.iter().filter(|c| c.part == "a") {
        let n = c.outcomes.len() as f64;
        let p: Vec<f64> = c.outcomes.iter().map(|o| o.p).collect();
        writeln!(
            md,
            "| {} | {} | {} | {:.3} | {:.3} | {:+.3} ± {:.3} | {:.3} | {:.3} | {:.3} |",
            c.kind,
            c.design.rate,
            c.outcomes.len(),
            mean(c.outcomes.iter().map(|o| o.rho)),
            mean(c.outcomes.iter().map(|o| o.rho_null)),
            mean(c.outcomes.iter().map(|o| o.sync)),
            sd(c.outcomes.iter().map(|o| o.sync)),
            p.iter().filter(|&&v| v <= 0.05 + 1e-12).count() as f64 / n,
            ks_to_discrete_uniform(&p, k),
            1.358 / n.sqrt(),
        )
        .ok();
    }

    // (b) dose-response in the keep probability and in the jitter
    let keeps = [0.2, 0.4, 0.6, 0.8, 0.95];
    for &keep in &keeps {
        let d1 = PairDesign {
            keep,
            jitter: 0.01,
            rate: 1.0,
            duration: 120.0,
        };
        cells.push(run_cell("1-D", "b-keep", d1, 100, trial_1d, &p1));
        let db = PairDesign { jitter: 0.1, ..d1 };
        cells.push(run_cell("bumps", "b-keep", db, 60, trial_bumps, &pb));
    }
    for &(j1, jb) in &[
        (0.005, 0.05),
        (0.01, 0.1),
        (0.02, 0.2),
        (0.03, 0.3),
        (0.04, 0.4),
    ] {
        let d1 = PairDesign {
            keep: 0.8,
            jitter: j1,
            rate: 1.0,
            duration: 120.0,
        };
        cells.push(run_cell("1-D", "b-jitter", d1, 100, trial_1d, &p1));
        let db = PairDesign { jitter: jb, ..d1 };
        cells.push(run_cell("bumps", "b-jitter", db, 60, trial_bumps, &pb));
    }
    writeln!(md, "\n### (b) Dose-response\n").ok();
    writeln!(
        md,
        "| events | keep probability | jitter | mean ρ | mean sync | share p ≤ 0.05 |\n|---|---|---|---|---|---|"
    )
    .ok();
    for c in cells.iter().filter(|c| c.part == "b-keep") {
        writeln!(
            md,
            "| {} | {} | {} | {:.3} | {:.3} | {:.2} |",
            c.kind,
            c.design.keep,
            c.design.jitter,
            mean(c.outcomes.iter().map(|o| o.rho)),
            mean(c.outcomes.iter().map(|o| o.sync)),
            c.outcomes.iter().filter(|o| o.p <= 0.05 + 1e-12).count() as f64
                / c.outcomes.len() as f64,
        )
        .ok();
    }
    writeln!(
        md,
        "\n| events | jitter s.d. (true) | mean σt | share st_at_bound | mean sync |\n|---|---|---|---|---|"
    )
    .ok();
    for c in cells.iter().filter(|c| c.part == "b-jitter") {
        writeln!(
            md,
            "| {} | {} | {:.4} | {:.2} | {:.3} |",
            c.kind,
            c.design.jitter,
            mean(c.outcomes.iter().map(|o| o.sigma_t)),
            mean(c.outcomes.iter().map(|o| o.st_at_bound)),
            mean(c.outcomes.iter().map(|o| o.sync)),
        )
        .ok();
    }

    let mut csv = String::from(
        "events,part,keep,jitter,rate,duration,rho,rho_null,sync,p,sigma_t,st_at_bound,n_events\n",
    );
    for c in &cells {
        for o in &c.outcomes {
            writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                c.kind,
                c.part,
                c.design.keep,
                c.design.jitter,
                c.design.rate,
                c.design.duration,
                o.rho,
                o.rho_null,
                o.sync,
                o.p,
                o.sigma_t,
                o.st_at_bound,
                o.n_events
            )
            .ok();
        }
    }
    std::fs::write(out.join("trials.csv"), csv).expect("write trials.csv");

    // (c) two simulated groups of 8 that differ only in coupling
    let cohort = CohortSimulationOptions {
        base: SimulationOptions {
            duration: 120.0,
            ..SimulationOptions::default()
        },
        groups: vec![
            CohortGroup {
                name: "strong".into(),
                subjects: 8,
                jitter_sd: 0.015,
                deletion_probability: 0.2,
            },
            CohortGroup {
                name: "weak".into(),
                subjects: 8,
                jitter_sd: 0.015,
                deletion_probability: 0.6,
            },
        ],
    };
    let subjects = simulate_cohort(&cohort).expect("cohort");
    let mut channel_cfg = Config::default();
    channel_cfg.measures.ids = vec!["ses-bumps".into()];
    let mut region_cfg = channel_cfg.clone();
    region_cfg.regions.enabled = true;
    let per_subject: Vec<(String, f64, f64, f64, f64)> = subjects
        .iter()
        .map(|s| {
            let ch = analysis::run(&s.recording, &s.id, &channel_cfg, &Silent).expect("channels");
            let rg = analysis::run(&s.recording, &s.id, &region_cfg, &Silent).expect("regions");
            (
                s.group.clone(),
                avg(&ch, "ses-bumps", "sync"),
                avg(&ch, "ses-bumps", "rho"),
                avg(&rg, "ses-bumps", "sync"),
                avg(&rg, "ses-bumps", "rho"),
            )
        })
        .collect();
    let mut ccsv = String::from("group,channel_sync,channel_rho,region_sync,region_rho\n");
    for (g, a, b, c, d) in &per_subject {
        writeln!(ccsv, "{g},{a},{b},{c},{d}").ok();
    }
    std::fs::write(out.join("cohort.csv"), ccsv).expect("write cohort.csv");
    writeln!(
        md,
        "\n### (c) Two groups of 8 (deletion 0.2 vs 0.6, same jitter), average over pairs\n\n| level | output | strong (mean) | weak (mean) | Welch p | Mann–Whitney p |\n|---|---|---|---|---|---|"
    )
    .ok();
    let col = |g: &str, k: usize| -> Vec<f64> {
        per_subject
            .iter()
            .filter(|s| s.0 == g)
            .map(|s| [s.1, s.2, s.3, s.4][k])
            .collect()
    };
    for (k, (level, output)) in [
        ("channels", "sync"),
        ("channels", "rho"),
        ("regions", "sync"),
        ("regions", "rho"),
    ]
    .iter()
    .enumerate()
    {
        let (a, b) = (col("strong", k), col("weak", k));
        let w = welch_t_test(&a, &b).expect("welch");
        let u = mann_whitney_u(&a, &b, MwMethod::Auto).expect("mann-whitney");
        writeln!(
            md,
            "| {level} | {output} | {:.3} | {:.3} | {:.2e} | {:.2e} |",
            mean(a.iter().copied()),
            mean(b.iter().copied()),
            w.p_value,
            u.p_value
        )
        .ok();
    }

    // (d) the sample recording
    let sample = Recording::open(
        std::path::Path::new("sample-data/sesame-sample.edf"),
        &ReadOptions::default(),
    );
    if let Ok(rec) = sample {
        let ch = analysis::run(&rec, "sample", &channel_cfg, &Silent).expect("sample channels");
        let rg = analysis::run(&rec, "sample", &region_cfg, &Silent).expect("sample regions");
        writeln!(md, "\n### (d) Sample recording, region pairs by sync\n\n| rank | pair | sync |\n|---|---|---|").ok();
        for (i, (pair, v)) in ranked(&rg, "sync").iter().enumerate() {
            writeln!(md, "| {} | {pair} | {v:.3} |", i + 1).ok();
        }
        writeln!(
            md,
            "\nChannel pairs, the ten highest by sync:\n\n| rank | pair | sync |\n|---|---|---|"
        )
        .ok();
        for (i, (pair, v)) in ranked(&ch, "sync").iter().take(10).enumerate() {
            writeln!(md, "| {} | {pair} | {v:.3} |", i + 1).ok();
        }
        let mut scsv = String::from("level,pair,sync\n");
        for (level, res) in [("region", &rg), ("channel", &ch)] {
            for (pair, v) in ranked(res, "sync") {
                writeln!(scsv, "{level},{pair},{v}").ok();
            }
        }
        std::fs::write(out.join("sample.csv"), scsv).expect("write sample.csv");
    }
    std::fs::write(out.join("tables.md"), &md).expect("write tables.md");
    print!("{md}");
}
