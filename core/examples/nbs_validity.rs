//! Validity study of the group permutation tests and the network-based statistic
//! (docs/statistics.md, "Validation").
//!
//! ```sh
//! cargo run --release -p sesame-core --example nbs_validity -- null 1000   # null FWER study
//! cargo run --release -p sesame-core --example nbs_validity -- planted 100 # detection rates
//! cargo run --release -p sesame-core --example nbs_validity -- cohort OUT.tsv  # bctpy input
//! ```
//!
//! `null N`: `N` cohorts of two groups of 12 from one distribution (10 channels, 45
//! pairs, Fisher-z correlations of 100 white-noise samples), 199 permutations each,
//! independent groups and paired sign flips; prints the share of cohorts in which the
//! max-statistic FWER or NBS (threshold t = 2.5, size) rejects at 0.05, with a 95 %
//! binomial interval. `planted N`: the share of cohorts in which a planted 4-channel
//! sub-network is found as exactly one significant component. `cohort PATH`: writes the
//! cohort of `bench/nbs_bctpy.py` (two groups of 15, 12 channels, channels 2, 4, 5, 8
//! coupled in `g1`) as a batch table.

use sesame_core::analysis::stats::cohort::{analyze_cohort, CohortOptions, NbsBy};
use sesame_core::analysis::stats::permutation::Statistic;
use sesame_core::analysis::stats::sim::{simulate_cohort, CohortSim};
use sesame_core::batch::output::table_bytes;

fn sim(paired: bool, planted: Vec<usize>, coupling: f64, seed: u64) -> CohortSim {
    CohortSim {
        channels: 10,
        samples: 100,
        n_1: 12,
        n_2: 12,
        paired,
        planted,
        coupling,
        subject_sd: 0.3,
        seed,
    }
}

fn options(paired: bool, permutations: usize) -> CohortOptions {
    CohortOptions {
        group_by: if paired { "session" } else { "group" }.into(),
        paired_by: paired.then(|| "subject".to_string()),
        permutations,
        statistic: Statistic::T,
        seed: 1,
        nbs_threshold: Some(2.5),
        nbs_by: NbsBy::Size,
        bootstrap: 0,
        ci: 0.95,
    }
}

/// `k/n` with its Wilson 95 % interval.
fn rate(k: usize, n: usize) -> String {
    let (p, n) = (k as f64 / n as f64, n as f64);
    let z = 1.96;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n);
    format!(
        "{k}/{} = {:.3} [{:.3}, {:.3}]",
        n as usize,
        p,
        centre - half,
        centre + half
    )
}

fn null_study(n: u64) {
    for paired in [false, true] {
        let mut hits = [0usize; 5];
        for c in 0..n {
            let rows = simulate_cohort(&sim(paired, vec![], 0.0, 10_000 + c));
            let mut o = options(paired, 199);
            o.seed = c;
            let Ok(r) = analyze_cohort(&rows, &o) else {
                eprintln!("cohort {c} failed");
                continue;
            };
            let any = |f: &dyn Fn(&sesame_core::analysis::stats::cohort::NbsEdge) -> bool| {
                usize::from(r.nbs.iter().any(f))
            };
            let pairs = || r.pairs.iter().filter(|p| p.scope == "pair");
            hits[0] += usize::from(pairs().any(|p| p.p_fwer <= 0.05));
            hits[1] += any(&|e| e.tail == "positive" && e.p <= 0.05);
            hits[2] += any(&|e| e.tail == "negative" && e.p <= 0.05);
            hits[3] += any(&|e| e.p_both_tails <= 0.05);
            hits[4] += pairs().filter(|p| p.p_perm <= 0.05).count();
        }
        let n = n as usize;
        let design = if paired {
            "paired (sign flips)"
        } else {
            "independent groups"
        };
        println!("{design}, {n} null cohorts, 199 permutations, α = 0.05:");
        println!("  max-stat FWER (two-sided)   {}", rate(hits[0], n));
        println!("  NBS positive tail           {}", rate(hits[1], n));
        println!("  NBS negative tail           {}", rate(hits[2], n));
        println!("  NBS both tails (two-sided)  {}", rate(hits[3], n));
        println!("  uncorrected per-pair p≤0.05 {}", rate(hits[4], n * 45));
    }
}

fn planted_study(n: u64) {
    let planted = vec![1, 3, 4, 6];
    let mut want = std::collections::BTreeSet::new();
    for (i, &a) in planted.iter().enumerate() {
        for &b in &planted[i + 1..] {
            want.insert((
                sesame_core::analysis::stats::sim::channel(a),
                sesame_core::analysis::stats::sim::channel(b),
            ));
        }
    }
    for paired in [false, true] {
        let (mut exact, mut found) = (0, 0);
        for c in 0..n {
            let rows = simulate_cohort(&sim(paired, planted.clone(), 0.45, 20_000 + c));
            let Ok(r) = analyze_cohort(&rows, &options(paired, 199)) else {
                continue;
            };
            let sig: Vec<_> = r.nbs.iter().filter(|e| e.p <= 0.05).collect();
            let comps: std::collections::BTreeSet<_> =
                sig.iter().map(|e| (e.tail.clone(), e.component)).collect();
            let edges: std::collections::BTreeSet<_> = sig
                .iter()
                .map(|e| (e.channel_a.clone(), e.channel_b.clone()))
                .collect();
            found += usize::from(comps.len() == 1 && want.is_subset(&edges));
            exact += usize::from(comps.len() == 1 && edges == want);
        }
        let design = if paired { "paired" } else { "independent" };
        println!(
            "{design}: planted 4-channel sub-network (a = 0.45), {n} cohorts: one component \
             containing it {}, exactly it {}",
            rate(found, n as usize),
            rate(exact, n as usize)
        );
    }
}

fn write_cohort(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let sim = CohortSim {
        channels: 12,
        samples: 200,
        n_1: 15,
        n_2: 15,
        paired: false,
        planted: vec![1, 3, 4, 7],
        coupling: 0.35,
        subject_sd: 0.0,
        seed: 2024,
    };
    std::fs::write(path, table_bytes(&simulate_cohort(&sim))?)?;
    eprintln!("wrote {path}");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = |d: u64| args.get(1).and_then(|s| s.parse().ok()).unwrap_or(d);
    match args.first().map(String::as_str) {
        Some("null") => null_study(count(1000)),
        Some("planted") => planted_study(count(100)),
        Some("cohort") => write_cohort(args.get(1).map_or("nbs_cohort.tsv", String::as_str))?,
        _ => eprintln!("usage: nbs_validity null [N] | planted [N] | cohort PATH"),
    }
    Ok(())
}
