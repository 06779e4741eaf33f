//! Solver cross-checks and invariants of docs/model.md §7.2: DP = exact assignment (1-D),
//! Hungarian = brute force, max-product = exact when the optimum is unique, symmetry,
//! shift, monotone cost, identical inputs, empty inputs, input order.

use rand::seq::SliceRandom;
use rand::Rng;
use sesame_core::bumps::Bump;
use sesame_core::ses::bumps::{ses_bumps, BumpSesOptions};
use sesame_core::ses::exact::{self, brute_force, gain_of, is_matching, max_gain_matching, Edge};
use sesame_core::ses::maxproduct::{max_product, MaxProductOptions};
use sesame_core::ses::one_d::{align_dp, pair_cost};
use sesame_core::ses::surrogate::{seeded, Surrogate1d, Surrogate2d};
use sesame_core::ses::{ses_1d, NonCoincidentCost, OneDOptions, Prior, SesError};

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// The 1-D alignment problem as a bipartite matching with gains `2κ − c`.
fn edges_1d(x: &[f64], y: &[f64], delay: f64, st: f64, kappa: f64) -> Vec<Edge> {
    let mut e = Vec::new();
    for (i, &a) in x.iter().enumerate() {
        for (j, &b) in y.iter().enumerate() {
            let c = pair_cost(b - a, delay, st);
            if c < 2.0 * kappa {
                e.push(Edge {
                    x: i,
                    y: j,
                    gain: 2.0 * kappa - c,
                });
            }
        }
    }
    e
}

#[test]
fn dp_equals_exact_assignment_on_random_1d_instances() {
    let mut rng = seeded(11);
    let mut nonempty = 0;
    for trial in 0..2000 {
        let n = rng.gen_range(0..40);
        let m = rng.gen_range(0..40);
        let span = rng.gen_range(50.0..1000.0);
        let x = sorted((0..n).map(|_| rng.gen_range(0.0..span)).collect());
        let y = sorted((0..m).map(|_| rng.gen_range(0.0..span)).collect());
        let delay = rng.gen_range(-30.0..30.0);
        let st = rng.gen_range(5.0..800.0);
        let kappa = rng.gen_range(2.0..8.0);
        let dp = align_dp(&x, &y, delay, st, kappa);
        let edges = edges_1d(&x, &y, delay, st, kappa);
        let ex = max_gain_matching(n, m, &edges);
        let g_ex = gain_of(&edges, &ex);
        let dp_idx: Vec<usize> = dp
            .iter()
            .map(|&(i, j)| {
                edges
                    .iter()
                    .position(|e| e.x == i && e.y == j)
                    .expect("DP pair is a candidate")
            })
            .collect();
        assert!(
            is_matching(n, m, &edges, &dp_idx),
            "trial {trial}: DP output is not a matching"
        );
        let g_dp = gain_of(&edges, &dp_idx);
        assert!(
            (g_dp - g_ex).abs() <= 1e-9 * (1.0 + g_ex.abs()),
            "trial {trial}: DP {g_dp} vs exact {g_ex}"
        );
        nonempty += usize::from(!ex.is_empty());
    }
    assert!(nonempty > 1500, "too few instances with pairs: {nonempty}");
}

fn random_graph<R: Rng>(rng: &mut R, n: usize, m: usize, density: f64) -> Vec<Edge> {
    let mut e = Vec::new();
    for i in 0..n {
        for j in 0..m {
            if rng.gen::<f64>() < density {
                e.push(Edge {
                    x: i,
                    y: j,
                    gain: rng.gen_range(0.001..10.0),
                });
            }
        }
    }
    e
}

#[test]
fn hungarian_equals_brute_force_on_tiny_instances() {
    let mut rng = seeded(12);
    for trial in 0..3000 {
        let n = rng.gen_range(0..7);
        let m = rng.gen_range(0..7);
        let d = rng.gen_range(0.1..1.0);
        let e = random_graph(&mut rng, n, m, d);
        let (g_bf, _) = brute_force(n, m, &e);
        let ex = max_gain_matching(n, m, &e);
        assert!(is_matching(n, m, &e, &ex));
        let g = gain_of(&e, &ex);
        assert!(
            (g - g_bf).abs() < 1e-9,
            "trial {trial}: hungarian {g} vs brute force {g_bf}"
        );
    }
}

/// Whether the maximum-gain matching is unique (by a margin): every other matching
/// lacks an edge of the optimum, so it is unique iff removing any optimal edge lowers
/// the optimum.
fn unique_optimum(n: usize, m: usize, e: &[Edge], opt: &[usize], g: f64) -> bool {
    opt.iter().all(|&k| {
        let rest: Vec<Edge> = e
            .iter()
            .enumerate()
            .filter(|&(q, _)| q != k)
            .map(|(_, &x)| x)
            .collect();
        let sel = max_gain_matching(n, m, &rest);
        gain_of(&rest, &sel) < g - 1e-6
    })
}

#[test]
fn max_product_equals_exact_when_the_optimum_is_unique() {
    let mut rng = seeded(13);
    let opts = MaxProductOptions {
        max_sweeps: 100_000,
        ..MaxProductOptions::default()
    };
    let (mut tested, mut sweeps_max) = (0, 0);
    let mut sweeps: Vec<usize> = Vec::new();
    for trial in 0..3000 {
        let n = rng.gen_range(1..30);
        let m = rng.gen_range(1..30);
        let d = rng.gen_range(0.05..0.5);
        let e = random_graph(&mut rng, n, m, d);
        if e.is_empty() {
            continue;
        }
        let ex = max_gain_matching(n, m, &e);
        let g = gain_of(&e, &ex);
        if !unique_optimum(n, m, &e, &ex, g) {
            continue;
        }
        let run = max_product(&e, n, m, &opts);
        let sel: Vec<usize> = (0..e.len()).filter(|&k| run.decisions[k]).collect();
        assert!(run.converged, "trial {trial}: no convergence");
        assert!(
            is_matching(n, m, &e, &sel),
            "trial {trial}: invalid matching"
        );
        assert_eq!(
            sel, ex,
            "trial {trial}: max-product differs from the exact optimum"
        );
        tested += 1;
        sweeps_max = sweeps_max.max(run.sweeps);
        sweeps.push(run.sweeps);
    }
    sweeps.sort_unstable();
    eprintln!(
        "max-product = exact on {tested} instances; sweeps median {} max {sweeps_max}",
        sweeps[sweeps.len() / 2]
    );
    assert!(
        tested >= 2000,
        "only {tested} instances with a unique optimum"
    );
}

#[test]
fn max_product_tie_is_caught_by_the_certificate() {
    // 2×2 with equal gains: two optimal matchings (docs/model.md §3.5); undamped max-product
    // oscillates, so the alignment step must fall back to the exact matching.
    let e: Vec<Edge> = [(0, 0), (0, 1), (1, 0), (1, 1)]
        .iter()
        .map(|&(x, y)| Edge { x, y, gain: 1.0 })
        .collect();
    let run = max_product(&e, 2, 2, &MaxProductOptions::default());
    let sel: Vec<usize> = (0..4).filter(|&k| run.decisions[k]).collect();
    assert!(!(run.converged && is_matching(2, 2, &e, &sel) && gain_of(&e, &sel) == 2.0));
    let (pairs, stats) = sesame_core::ses::bumps::align(
        2,
        2,
        &e,
        sesame_core::ses::AlignmentMethod::MaxProduct,
        &MaxProductOptions::default(),
    );
    assert_eq!(pairs.len(), 2);
    assert_eq!(stats.uncertified_components, 1);
    assert_eq!(exact::components(2, 2, &e).len(), 1);
}

fn ms_opts(starts: Vec<f64>) -> OneDOptions {
    OneDOptions {
        cost: NonCoincidentCost::Beta(0.02),
        prior: Prior::new(2.0, 100.0),
        init_jitter_var: 400.0,
        init_delays: starts,
        ..OneDOptions::default()
    }
}

#[test]
fn one_d_symmetry_shift_order_and_monotone_cost() {
    let mut rng = seeded(14);
    let g = Surrogate1d {
        rate: 0.01,
        duration: 3000.0,
        delay: 20.0,
        jitter_var: 49.0,
        p_delete: 0.2,
    };
    for _ in 0..200 {
        let (x, y) = g.generate(&mut rng);
        if x.is_empty() && y.is_empty() {
            continue;
        }
        let starts = vec![-60.0, -30.0, 0.0, 30.0, 60.0];
        let r = ses_1d(&x, &y, &ms_opts(starts.clone())).unwrap();
        for w in r.trace.windows(2) {
            assert!(
                w[1].cost <= w[0].cost + 1e-9,
                "cost increased: {} → {}",
                w[0].cost,
                w[1].cost
            );
        }
        // symmetry: SES(y, x) = (−δt, st, ρ) with mirrored starts
        let mirrored: Vec<f64> = starts.iter().rev().map(|d| -d).collect();
        let s = ses_1d(&y, &x, &ms_opts(mirrored)).unwrap();
        assert!((s.params.rho - r.params.rho).abs() < 1e-12);
        assert!((s.params.jitter_var - r.params.jitter_var).abs() < 1e-9 * r.params.jitter_var);
        if let (Some(a), Some(b)) = (r.params.delay, s.params.delay) {
            assert!((a + b).abs() < 1e-9);
        }
        // shift: y + c with starts + c
        let c = 777.0;
        let yc: Vec<f64> = y.iter().map(|v| v + c).collect();
        let shifted: Vec<f64> = starts.iter().map(|d| d + c).collect();
        let t = ses_1d(&x, &yc, &ms_opts(shifted)).unwrap();
        assert!((t.params.rho - r.params.rho).abs() < 1e-12);
        if let (Some(a), Some(b)) = (r.params.delay, t.params.delay) {
            assert!((b - a - c).abs() < 1e-6);
        }
        // input order does not matter; the alignment refers to the input indices
        let mut xs = x.clone();
        xs.shuffle(&mut rng);
        let u = ses_1d(&xs, &y, &ms_opts(starts)).unwrap();
        assert_eq!(u.params, r.params);
        for &(i, j) in &u.alignment.pairs {
            assert!(r
                .alignment
                .pairs
                .iter()
                .any(|&(a, b)| x[a] == xs[i] && b == j));
        }
    }
}

#[test]
fn one_d_degenerate_cases() {
    let o = ms_opts(vec![0.0]);
    assert_eq!(ses_1d(&[], &[], &o).unwrap_err(), SesError::NoEvents);
    let r = ses_1d(&[1.0, 2.0], &[], &o).unwrap();
    assert_eq!(r.params.rho, 1.0);
    assert_eq!(r.params.delay, None);
    assert!((r.params.jitter_var - 2.0 * 100.0 / 4.0).abs() < 1e-12);
    assert!(r.alignment.pairs.is_empty() && r.alignment.unmatched_x == vec![0, 1]);
    let x = [5.0, 17.0, 400.0];
    let r = ses_1d(&x, &x, &o).unwrap();
    assert_eq!((r.params.rho, r.params.delay), (0.0, Some(0.0)));
    assert!((r.params.jitter_var - 200.0 / 7.0).abs() < 1e-12); // ν s0/(ν + n + 2)
    assert!(matches!(
        ses_1d(&[f64::NAN], &[1.0], &o),
        Err(SesError::NonFinite { .. })
    ));
    // ν = 0 with a single pair: floored, no zero or NaN
    let o0 = OneDOptions {
        prior: Prior::new(0.0, 100.0),
        ..ms_opts(vec![0.0])
    };
    let r = ses_1d(&[1.0], &[1.0], &o0).unwrap();
    assert!(r.params.jitter_var > 0.0 && r.params.cost.is_finite());
    assert!(ses_1d(
        &[1.0],
        &[1.0],
        &OneDOptions {
            init_delays: vec![],
            ..ms_opts(vec![])
        }
    )
    .is_err());
}

#[test]
fn bumps_invariants_and_certificates() {
    let mut rng = seeded(15);
    let mut steps = 0;
    for k in 0..60 {
        let th = if k % 2 == 0 {
            [0.0, 0.01, 0.0, 0.01]
        } else {
            [0.2, 0.04, 0.1, 0.04]
        };
        let (x, y) = Surrogate2d::spec(th, 0.2).generate(&mut rng);
        let r = ses_bumps(&x, &y, &BumpSesOptions::default()).unwrap();
        let e = ses_bumps(
            &x,
            &y,
            &BumpSesOptions {
                method: sesame_core::ses::AlignmentMethod::Exact,
                ..BumpSesOptions::default()
            },
        )
        .unwrap();
        assert!(
            r.params.certified,
            "uncertified alignment (case {k}): {:?}",
            r.trace.iter().map(|t| t.stats).collect::<Vec<_>>()
        );
        assert!((r.params.cost - e.params.cost).abs() < 1e-9 * (1.0 + e.params.cost.abs()));
        for w in r.trace.windows(2) {
            assert!(w[1].cost <= w[0].cost + 1e-9);
        }
        steps += r.trace.len();
        // order independence
        let mut xs = x.clone();
        xs.reverse();
        let s = ses_bumps(&xs, &y, &BumpSesOptions::default()).unwrap();
        assert!((s.params.cost - r.params.cost).abs() < 1e-9 * (1.0 + r.params.cost.abs()));
        assert_eq!(s.params.n_pairs, r.params.n_pairs);
    }
    assert!(steps >= 60);
    // identical inputs ⇒ ρ = 0, δ = 0
    let (x, _) = Surrogate2d::spec([0.0, 0.01, 0.0, 0.01], 0.0).generate(&mut rng);
    let r = ses_bumps(&x, &x, &BumpSesOptions::default()).unwrap();
    assert_eq!(r.params.rho, 0.0);
    assert!(r.params.delay_t.unwrap().abs() < 1e-12 && r.params.delay_f.unwrap().abs() < 1e-12);
    // empty
    assert_eq!(
        ses_bumps(&[], &[], &BumpSesOptions::default()).unwrap_err(),
        SesError::NoEvents
    );
    let r = ses_bumps(&x, &[], &BumpSesOptions::default()).unwrap();
    assert_eq!((r.params.rho, r.params.delay_t), (1.0, None));
    let bad = [Bump {
        t: 1.0,
        f: 5.0,
        dt: 0.0,
        df: 1.0,
        amplitude: 1.0,
        peak: 1.0,
    }];
    assert!(matches!(
        ses_bumps(&bad, &x, &BumpSesOptions::default()),
        Err(SesError::BadWidth { .. })
    ));
}
