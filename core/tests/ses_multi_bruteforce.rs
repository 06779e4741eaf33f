//! The ILP clustering against exhaustive enumeration of all partitions (N = 3–4, ≤ 6
//! events per signal) and, for N = 2, against Part I's pairwise alignment rule solved by
//! an edit-distance dynamic programme — both written here independently of the library.

mod common;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sesame_core::ses::multi::{
    align_once, MultiEvents, MultiInput, MultiOptions, TimedEvent, WindowRule,
};

const TAU: f64 = 2.0 * std::f64::consts::PI;

/// Independent cluster cost `κ + ((m−1)/2) ln(2πs) + ½ ln m + SS/(2s)`.
fn cost(ev: &[(usize, f64)], members: &[usize], delta: &[f64], s: f64, kappa: f64) -> f64 {
    let m = members.len();
    if m == 1 {
        return kappa;
    }
    let a: Vec<f64> = members.iter().map(|&e| ev[e].1 - delta[ev[e].0]).collect();
    let mean = a.iter().sum::<f64>() / m as f64;
    let ss: f64 = a.iter().map(|v| (v - mean).powi(2)).sum();
    kappa + 0.5 * (m as f64 - 1.0) * (TAU * s).ln() + 0.5 * (m as f64).ln() + ss / (2.0 * s)
}

/// Exhaustive minimum over all partitions into clusters with ≤ 1 event per signal,
/// memoised over subsets (bitmask): f(S) = min over clusters C ∋ min(S), C ⊆ S of
/// cost(C) + f(S ∖ C).
fn brute_force(ev: &[(usize, f64)], n: usize, delta: &[f64], s: f64, kappa: f64) -> f64 {
    let k = ev.len();
    let full = (1usize << k) - 1;
    let mut f = vec![f64::INFINITY; 1 << k];
    f[0] = 0.0;
    for mask in 1..=full {
        let e0 = mask.trailing_zeros() as usize;
        // events of each other signal available in mask
        let mut per_sig: Vec<Vec<usize>> = vec![Vec::new(); n];
        for e in 0..k {
            if mask & (1 << e) != 0 && e != e0 && ev[e].0 != ev[e0].0 {
                per_sig[ev[e].0].push(e);
            }
        }
        let mut best = f64::INFINITY;
        let mut members = vec![e0];
        fn rec(
            sig: usize,
            per_sig: &[Vec<usize>],
            members: &mut Vec<usize>,
            mask: usize,
            f: &[f64],
            best: &mut f64,
            eval: &dyn Fn(&[usize]) -> f64,
        ) {
            if sig == per_sig.len() {
                let rest = members.iter().fold(mask, |m, &e| m & !(1 << e));
                let v = eval(members) + f[rest];
                if v < *best {
                    *best = v;
                }
                return;
            }
            rec(sig + 1, per_sig, members, mask, f, best, eval);
            for &e in &per_sig[sig] {
                members.push(e);
                rec(sig + 1, per_sig, members, mask, f, best, eval);
                members.pop();
            }
        }
        let eval = |c: &[usize]| cost(ev, c, delta, s, kappa);
        rec(0, &per_sig, &mut members, mask, &f, &mut best, &eval);
        f[mask] = best;
    }
    f[full]
}

fn to_input(ev: &[(usize, f64)], n: usize) -> MultiInput {
    MultiInput {
        n_signals: n,
        events: MultiEvents::Times(
            ev.iter()
                .map(|&(signal, time)| TimedEvent { signal, time })
                .collect(),
        ),
        duration: Some(200.0),
    }
}

/// A random small instance: a few hidden events copied with jitter and deletions, plus
/// spurious events.
fn instance(rng: &mut ChaCha8Rng, n: usize, max_total: usize) -> Vec<(usize, f64)> {
    loop {
        let hidden: Vec<f64> = (0..rng.gen_range(1..=5))
            .map(|_| rng.gen_range(0.0..120.0))
            .collect();
        let jit = rng.gen_range(1.0..15.0);
        let mut ev = Vec::new();
        for sig in 0..n {
            let mut count = 0;
            for &h in &hidden {
                if count < 6 && rng.gen::<f64>() < 0.75 {
                    ev.push((sig, h + rng.gen_range(-jit..jit) * 1.5));
                    count += 1;
                }
            }
            if count < 6 && rng.gen::<f64>() < 0.4 {
                ev.push((sig, rng.gen_range(0.0..120.0)));
            }
        }
        if !ev.is_empty() && ev.len() <= max_total {
            return ev;
        }
    }
}

#[test]
fn ilp_equals_brute_force_on_random_instances() {
    let mut rng = ChaCha8Rng::seed_from_u64(20240501);
    let mut lp_integral = 0;
    let mut milp = 0;
    let mut nontrivial = 0;
    let trials = 300;
    for trial in 0..trials {
        let n = if trial % 2 == 0 { 3 } else { 4 };
        let ev = instance(&mut rng, n, 14);
        let mut delta: Vec<f64> = (0..n).map(|_| rng.gen_range(-6.0..6.0)).collect();
        delta[0] = 0.0;
        let s = rng.gen_range(5.0..120.0);
        let kappa = rng.gen_range(2.0..14.0);
        let opts = MultiOptions {
            kappa_n: Some(kappa),
            window: WindowRule::Lossless,
            ..MultiOptions::default()
        };
        let al = align_once(&to_input(&ev, n), &opts, &delta, s, None, None).expect("solves");
        // The ILP clustering is a valid partition with ≤ 1 event per signal.
        common::assert_partition(ev.len(), &al.clusters, |e| ev[e].0);
        let ilp_cost: f64 = al
            .clusters
            .iter()
            .map(|c| cost(&ev, c, &delta, s, kappa))
            .sum();
        let best = brute_force(&ev, n, &delta, s, kappa);
        assert!(
            (ilp_cost - best).abs() <= 1e-7 * best.abs().max(1.0),
            "trial {trial}: ILP {ilp_cost} vs brute force {best} ({ev:?})"
        );
        assert!((al.objective - ilp_cost).abs() <= 1e-9 * ilp_cost.abs().max(1.0));
        if al.clusters.iter().any(|c| c.len() > 1) {
            nontrivial += 1;
        }
        lp_integral += al.solver.lp_integral;
        milp += al.solver.milp;
    }
    eprintln!(
        "brute force: {trials} instances agree; {nontrivial} with clusters of ≥ 2 events; \
         HiGHS models: {lp_integral} LP-integral, {milp} needed MILP"
    );
    assert!(nontrivial > trials / 2, "instances should be non-trivial");
}

/// Part I (pairwise) alignment by the edit-distance DP of §2.5, with lone-event cost
/// `κ = κ_N/2`, pair cost `(d − δt)²/(2 st) + ½ ln(2π st)`, `st = 2s`. Returns the
/// optimal value and the matched pairs.
fn part_one_dp(x: &[f64], y: &[f64], dt: f64, st: f64, kappa: f64) -> (f64, Vec<(usize, usize)>) {
    let (n, m) = (x.len(), y.len());
    let mut d = vec![vec![0.0; m + 1]; n + 1];
    for i in 0..=n {
        for j in 0..=m {
            if i == 0 && j == 0 {
                continue;
            }
            let mut best = f64::INFINITY;
            if i > 0 {
                best = best.min(d[i - 1][j] + kappa);
            }
            if j > 0 {
                best = best.min(d[i][j - 1] + kappa);
            }
            if i > 0 && j > 0 {
                let c = (y[j - 1] - x[i - 1] - dt).powi(2) / (2.0 * st) + 0.5 * (TAU * st).ln();
                if c < 2.0 * kappa {
                    best = best.min(d[i - 1][j - 1] + c);
                }
            }
            d[i][j] = best;
        }
    }
    // backtrack (pair first, then skip x, then skip y)
    let (mut i, mut j) = (n, m);
    let mut pairs = Vec::new();
    while i > 0 || j > 0 {
        if i > 0 && j > 0 {
            let c = (y[j - 1] - x[i - 1] - dt).powi(2) / (2.0 * st) + 0.5 * (TAU * st).ln();
            if c < 2.0 * kappa && (d[i][j] - (d[i - 1][j - 1] + c)).abs() < 1e-9 {
                pairs.push((i - 1, j - 1));
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if i > 0 && (d[i][j] - (d[i - 1][j] + kappa)).abs() < 1e-9 {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    pairs.reverse();
    (d[n][m], pairs)
}

#[test]
fn n2_ilp_equals_part_one_alignment() {
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    let trials = 200;
    let mut same_pairs = 0;
    for trial in 0..trials {
        let nx = rng.gen_range(0..=12);
        let ny = rng.gen_range(1..=12);
        let mut x: Vec<f64> = (0..nx).map(|_| rng.gen_range(0.0..500.0)).collect();
        let dt = rng.gen_range(-20.0..20.0);
        let mut y: Vec<f64> = Vec::new();
        for &v in &x {
            if rng.gen::<f64>() < 0.8 {
                y.push(v + dt + rng.gen_range(-15.0..15.0));
            }
        }
        while y.len() < ny {
            y.push(rng.gen_range(0.0..500.0));
        }
        x.sort_by(f64::total_cmp);
        y.sort_by(f64::total_cmp);
        let s = rng.gen_range(10.0..200.0);
        let kappa_pair = rng.gen_range(2.0..8.0); // Part I κ
        let mut ev: Vec<(usize, f64)> = x.iter().map(|&t| (0, t)).collect();
        ev.extend(y.iter().map(|&t| (1, t)));
        let opts = MultiOptions {
            kappa_n: Some(2.0 * kappa_pair),
            ..MultiOptions::default()
        };
        let delta = [0.0, dt];
        let al = align_once(&to_input(&ev, 2), &opts, &delta, s, None, None).expect("solves");
        let (dp_val, dp_pairs) = part_one_dp(&x, &y, dt, 2.0 * s, kappa_pair);
        // ILP objective = Part I cost + κ·(n + n').
        let shifted = al.objective - kappa_pair * (nx + y.len()) as f64;
        assert!(
            (shifted - dp_val).abs() <= 1e-7 * dp_val.abs().max(1.0),
            "trial {trial}: ILP {shifted} vs DP {dp_val}"
        );
        let mut ilp_pairs: Vec<(usize, usize)> = al
            .clusters
            .iter()
            .filter(|c| c.len() == 2)
            .map(|c| (c[0], c[1] - nx))
            .collect();
        ilp_pairs.sort_unstable();
        if ilp_pairs == dp_pairs {
            same_pairs += 1;
        }
    }
    eprintln!("N = 2: {trials} instances equal in cost; {same_pairs} identical alignments");
    // Continuous random costs: optimal alignments are unique, so they must coincide.
    assert_eq!(same_pairs, trials);
}

/// Exhaustive minimum of a set-partitioning programme (bitmask DP over the rows; every
/// row has a singleton column, so a partition exists).
fn partition_brute_force(n_rows: usize, columns: &[Vec<usize>], costs: &[f64]) -> f64 {
    let masks: Vec<usize> = columns
        .iter()
        .map(|c| c.iter().fold(0usize, |m, &r| m | (1 << r)))
        .collect();
    let full = (1usize << n_rows) - 1;
    let mut best = vec![f64::INFINITY; full + 1];
    best[0] = 0.0;
    for s in 1..=full {
        let low = s & s.wrapping_neg();
        for (j, &m) in masks.iter().enumerate() {
            if m & low != 0 && m & !s == 0 {
                let v = costs[j] + best[s & !m];
                if v < best[s] {
                    best[s] = v;
                }
            }
        }
    }
    best[full]
}

/// A start (the previous clustering of an alternation) never changes the optimum: on
/// random set-partitioning programmes with random costs (fractional LP relaxations are
/// frequent), the solution from a start — all singletons, a random partition, or the
/// optimum itself — has the exhaustive minimum cost.
#[test]
fn start_partition_never_changes_the_optimum() {
    use sesame_core::ses::multi::ilp::{solve_set_partition, solve_set_partition_from};
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut fractional = 0;
    for _ in 0..300 {
        let n_rows = rng.gen_range(4..=10);
        let mut columns: Vec<Vec<usize>> = (0..n_rows).map(|r| vec![r]).collect();
        let mut costs: Vec<f64> = (0..n_rows).map(|_| rng.gen_range(1.0..3.0)).collect();
        for _ in 0..rng.gen_range(n_rows..4 * n_rows) {
            let size = rng.gen_range(2..=4.min(n_rows));
            let mut c: Vec<usize> = (0..n_rows).collect();
            for i in 0..size {
                let k = rng.gen_range(i..n_rows);
                c.swap(i, k);
            }
            c.truncate(size);
            c.sort_unstable();
            if !columns.contains(&c) {
                costs.push(rng.gen_range(0.5..2.5) * size as f64);
                columns.push(c);
            }
        }
        let want = partition_brute_force(n_rows, &columns, &costs);
        let plain = solve_set_partition(n_rows, &columns, &costs, 30.0).expect("solves");
        assert!(
            (plain.objective - want).abs() < 1e-7,
            "{} vs {want}",
            plain.objective
        );
        if !plain.lp_integral {
            fractional += 1;
        }
        // A random partition: random disjoint columns, completed by singletons.
        let mut covered = vec![false; n_rows];
        let mut random = Vec::new();
        for (j, col) in columns.iter().enumerate().skip(n_rows) {
            if rng.gen_bool(0.5) && col.iter().all(|&r| !covered[r]) {
                col.iter().for_each(|&r| covered[r] = true);
                random.push(j);
            }
        }
        random.extend((0..n_rows).filter(|&r| !covered[r]));
        let singletons: Vec<usize> = (0..n_rows).collect();
        for start in [singletons, random, plain.chosen.clone()] {
            let sol = solve_set_partition_from(n_rows, &columns, &costs, &start, 30.0)
                .expect("solves from a start");
            assert!(
                (sol.objective - want).abs() < 1e-7,
                "start {start:?}: {} vs {want}",
                sol.objective
            );
            let mut cover = vec![0; n_rows];
            sol.chosen
                .iter()
                .for_each(|&j| columns[j].iter().for_each(|&r| cover[r] += 1));
            assert!(cover.iter().all(|&c| c == 1), "not a partition");
        }
        // An overlapping start is refused.
        assert!(solve_set_partition_from(n_rows, &columns, &costs, &[0, 0], 30.0).is_err());
    }
    eprintln!("{fractional} of 300 programmes had a fractional LP relaxation");
    assert!(
        fractional >= 10,
        "too few fractional relaxations to test the start"
    );
}
