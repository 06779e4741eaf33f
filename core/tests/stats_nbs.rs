//! Validity of the group permutation tests and the network-based statistic (a reduced
//! version of `core/examples/nbs_validity.rs`, see docs/statistics.md):
//!
//! - under the null (both groups from one distribution) the max-statistic FWER and the
//!   NBS family-wise error stay at or below 5 % over 200 simulated cohorts, for
//!   independent groups and for paired sign flips (binomial tolerance: the count of
//!   cohorts with a family-wise rejection may exceed the 10 expected by at most 3
//!   binomial standard deviations, √(200·0.05·0.95) ≈ 3.1);
//! - a planted sub-network (coupled channels in one group) is one NBS component;
//! - a planted within-subject effect hidden by large subject offsets is found by the
//!   paired design.

use sesame_core::analysis::stats::cohort::{analyze_cohort, to_tsv, CohortOptions, NbsBy, NbsEdge};
use sesame_core::analysis::stats::nbs::{NbsTail, PairGraph};
use sesame_core::analysis::stats::permutation::{
    permutation_test, Design, NbsOptions, PermutationOptions, Statistic,
};
use sesame_core::analysis::stats::sim::{channel, simulate_cohort, CohortSim};
use sesame_core::analysis::stats::welch_t_test;
use sesame_core::batch::output::BatchRow;
use std::collections::BTreeSet;

const CHANNELS: usize = 8;

fn full_graph(n: usize) -> PairGraph {
    let mut edges = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            edges.push((a, b));
        }
    }
    PairGraph { n_nodes: n, edges }
}

/// Pair columns of a simulated cohort in the order of [`full_graph`]: independent,
/// group 1's recordings then group 2's; paired, the session differences.
fn columns(rows: &[BatchRow], paired: bool) -> (Design, Vec<Vec<f64>>) {
    let pairs = CHANNELS * (CHANNELS - 1) / 2;
    let mut cols = vec![Vec::new(); pairs];
    let per_rec: Vec<&[BatchRow]> = rows.chunks(pairs).collect();
    if paired {
        for s in per_rec.chunks(2) {
            for (j, c) in cols.iter_mut().enumerate() {
                c.push(s[0][j].value - s[1][j].value);
            }
        }
        return (Design::Paired, cols);
    }
    let n1 = per_rec.iter().filter(|r| r[0].group == "g1").count();
    for r in &per_rec {
        for (j, c) in cols.iter_mut().enumerate() {
            c.push(r[j].value);
        }
    }
    (Design::Independent { n1 }, cols)
}

/// Family-wise rejection counts over `cohorts` null cohorts: [max-stat two-sided,
/// NBS positive tail, NBS negative tail, NBS both tails], and the share of uncorrected
/// per-pair p ≤ 0.05.
fn null_study(paired: bool, cohorts: u64) -> ([usize; 4], f64) {
    let graph = full_graph(CHANNELS);
    let nbs = NbsOptions {
        threshold: 2.5,
        graph,
    };
    let mut hits = [0usize; 4];
    let (mut pair_hits, mut pairs) = (0usize, 0usize);
    for c in 0..cohorts {
        let sim = CohortSim {
            channels: CHANNELS,
            samples: 60,
            n_1: 10,
            n_2: 10,
            paired,
            planted: vec![],
            coupling: 0.0,
            subject_sd: 0.3,
            seed: 1000 + c,
        };
        let (design, cols) = columns(&simulate_cohort(&sim), paired);
        let opts = PermutationOptions {
            permutations: 99,
            seed: c,
            statistic: Statistic::T,
        };
        let r = permutation_test(design, &cols, &opts, Some(&nbs)).unwrap();
        let sig = |p: f64| p <= 0.05;
        hits[0] += usize::from(r.p_fwer.iter().any(|p| sig(p.both)));
        for (k, tail) in [(1, NbsTail::Positive), (2, NbsTail::Negative)] {
            hits[k] += usize::from(r.components.iter().any(|c| c.tail == tail && sig(c.p_size)));
        }
        hits[3] += usize::from(r.components.iter().any(|c| sig(c.p_size_both)));
        pair_hits += r.p.iter().filter(|p| sig(p.both)).count();
        pairs += r.p.len();
    }
    (hits, pair_hits as f64 / pairs as f64)
}

fn assert_null(paired: bool) {
    let cohorts = 200;
    let (hits, per_pair) = null_study(paired, cohorts);
    // 10 expected at exactly 5 %; 19 is 10 + 3 binomial s.d.
    for (what, h) in ["max-stat", "NBS +", "NBS −", "NBS ±"].iter().zip(hits) {
        assert!(
            h <= 19,
            "paired={paired}: {what} rejected in {h}/{cohorts} null cohorts"
        );
    }
    // The uncorrected per-pair tests are exact: about 5 % of all pairs.
    assert!(
        (0.035..=0.065).contains(&per_pair),
        "paired={paired}: uncorrected per-pair rate {per_pair}"
    );
    // Corrected tests that never reject would also pass the bound: some must.
    assert!(hits.iter().sum::<usize>() > 0, "{hits:?}");
}

#[test]
fn null_fwer_independent_groups() {
    assert_null(false);
}

#[test]
fn null_fwer_paired_sign_flips() {
    assert_null(true);
}

fn options(paired: bool) -> CohortOptions {
    CohortOptions {
        group_by: if paired { "session" } else { "group" }.into(),
        paired_by: paired.then(|| "subject".to_string()),
        permutations: 499,
        statistic: Statistic::T,
        seed: 7,
        nbs_threshold: Some(3.0),
        nbs_by: NbsBy::Size,
        bootstrap: 200,
        ci: 0.95,
    }
}

/// The planted pairs among channels `planted`.
fn planted_pairs(planted: &[usize]) -> BTreeSet<(String, String)> {
    let mut s = BTreeSet::new();
    for (i, &a) in planted.iter().enumerate() {
        for &b in &planted[i + 1..] {
            s.insert((channel(a), channel(b)));
        }
    }
    s
}

/// A component's edges as channel-label pairs.
type Edges = BTreeSet<(String, String)>;

/// The edges of the significant components of each tail.
fn significant(
    res: &sesame_core::analysis::stats::cohort::CohortResult,
) -> Vec<(String, usize, Edges)> {
    let mut out: Vec<(String, usize, Edges)> = Vec::new();
    for e in res.nbs.iter().filter(|e| e.p <= 0.05) {
        let key = (e.tail.clone(), e.component);
        match out.iter_mut().find(|(t, c, _)| (t, c) == (&key.0, &key.1)) {
            Some(x) => {
                x.2.insert((e.channel_a.clone(), e.channel_b.clone()));
            }
            None => out.push((
                key.0,
                key.1,
                [(e.channel_a.clone(), e.channel_b.clone())].into(),
            )),
        }
    }
    out
}

#[test]
fn planted_subnetwork_is_one_component() {
    let planted = vec![1, 3, 4, 6];
    let sim = CohortSim {
        channels: 12,
        samples: 200,
        n_1: 12,
        n_2: 12,
        paired: false,
        planted: planted.clone(),
        coupling: 0.5,
        subject_sd: 0.0,
        seed: 5,
    };
    let rows = simulate_cohort(&sim);
    let res = analyze_cohort(&rows, &options(false)).unwrap();
    let sig = significant(&res);
    assert_eq!(sig.len(), 1, "{sig:?}");
    assert_eq!(sig[0].0, "positive");
    assert_eq!(sig[0].2, planted_pairs(&planted), "{sig:?}");
    // The planted pairs also survive the max-statistic correction; CIs bracket the
    // difference.
    for p in &res.pairs {
        let is_planted =
            planted_pairs(&planted).contains(&(p.channel_a.clone(), p.channel_b.clone()));
        if is_planted {
            assert!(p.p_fwer_pos <= 0.05 && p.difference_low > 0.0, "{p:?}");
        }
        assert!(p.difference_low <= p.difference && p.difference <= p.difference_high);
    }
    // The permutation statistic is Welch's t of the two groups' values.
    for p in res.pairs.iter().filter(|p| p.scope == "pair") {
        let group = |g: &str| -> Vec<f64> {
            rows.iter()
                .filter(|r| {
                    r.group == g && (&r.channel_a, &r.channel_b) == (&p.channel_a, &p.channel_b)
                })
                .map(|r| r.value)
                .collect()
        };
        let w = welch_t_test(&group("g1"), &group("g2")).unwrap();
        assert!(
            (p.stat - w.t).abs() < 1e-9 * w.t.abs().max(1.0),
            "{} vs {}",
            p.stat,
            w.t
        );
        assert!((p.p_t - w.p_value).abs() < 1e-12);
    }
    // The average row: one test of each recording's mean over the 66 pairs.
    let avg: Vec<_> = res.pairs.iter().filter(|p| p.scope == "average").collect();
    assert_eq!(avg.len(), 1);
    assert!(avg[0].p_perm.is_finite() && avg[0].difference > 0.0);
    // Deterministic: the same seed gives the same tables.
    let again = analyze_cohort(&simulate_cohort(&sim), &options(false)).unwrap();
    assert_eq!(res, again);
}

#[test]
fn paired_design_finds_a_within_subject_effect() {
    let planted = vec![0, 2, 5];
    let sim = CohortSim {
        channels: 10,
        samples: 200,
        n_1: 12,
        n_2: 0,
        paired: true,
        planted: planted.clone(),
        coupling: 0.5,
        subject_sd: 0.4,
        seed: 9,
    };
    let rows = simulate_cohort(&sim);
    let res = analyze_cohort(&rows, &options(true)).unwrap();
    let sig = significant(&res);
    assert_eq!(sig.len(), 1, "{sig:?}");
    assert_eq!(sig[0].0, "positive");
    // All planted pairs, and at most one chance edge (t > 3 at a null pair sharing a
    // planted channel) attached to them.
    let want = planted_pairs(&planted);
    assert!(
        want.is_subset(&sig[0].2) && sig[0].2.len() <= want.len() + 1,
        "{sig:?}"
    );
    assert!(res
        .pairs
        .iter()
        .all(|p| p.design == "paired" && p.n_1 == 12));
    // Ignoring the pairing, the subject offsets (s.d. 0.4) swamp the effect
    // (z ≈ 0.2): no pair survives the max-statistic correction.
    let mut indep = options(false);
    indep.group_by = "session".into();
    let res = analyze_cohort(&rows, &indep).unwrap();
    assert!(
        res.pairs
            .iter()
            .filter(|p| p.scope == "pair")
            .all(|p| p.p_fwer > 0.05),
        "independent analysis found pairs"
    );
}

#[test]
fn errors_are_messages() {
    let sim = CohortSim {
        channels: 4,
        samples: 50,
        n_1: 3,
        n_2: 3,
        paired: false,
        planted: vec![],
        coupling: 0.0,
        subject_sd: 0.0,
        seed: 1,
    };
    let rows = simulate_cohort(&sim);
    let mut o = options(false);
    o.permutations = 0;
    let e = analyze_cohort(&rows, &o).unwrap_err().to_string();
    assert!(e.contains("--permutations"), "{e}");
    let mut o = options(false);
    o.group_by = "colour".into();
    assert!(analyze_cohort(&rows, &o)
        .unwrap_err()
        .to_string()
        .contains("colour"));
    // Paired by subject, but every subject has one recording: nothing to pair.
    let mut o = options(true);
    o.group_by = "group".into();
    let res = analyze_cohort(&rows, &o).unwrap();
    assert!(res.pairs.is_empty() && !res.notes.is_empty());
    // An empty table keeps its header.
    let empty = to_tsv::<NbsEdge>(&[]).unwrap();
    assert!(String::from_utf8(empty)
        .unwrap()
        .starts_with("measure\tparameter\t"));
    let mut o = options(false);
    o.nbs_threshold = Some(f64::NAN);
    assert!(analyze_cohort(&rows, &o).is_err());
}
