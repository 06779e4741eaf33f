//! Invariants of every point-process measure on random trains: finite values in the
//! documented range, symmetry (event synchronization's q is antisymmetric), identical
//! trains at distance 0 / similarity 1, invariance under shifting trains and window
//! together, and no NaN for empty or one-event trains. The registry's parallel
//! `compute_set` equals pair-by-pair `compute`.

use rand::{Rng, SeedableRng};
use sesame_core::measures::{registry, PairInput, ParamValues, SetInput, Target};

fn train(rng: &mut impl Rng, n: usize, t1: f64) -> Vec<f64> {
    let mut t: Vec<f64> = (0..n).map(|_| rng.gen_range(0.0..t1)).collect();
    t.sort_by(f64::total_cmp);
    // times off any grid: a distance exactly equal to a window (dt, τ) would make the
    // inclusive tests depend on rounding, and repeated times make event
    // synchronization count every tie (Q can then exceed 1)
    t.dedup();
    t
}

/// Every output of every point-process measure on (x, y) over `w`, with defaults.
fn all(x: &[f64], y: &[f64], w: (f64, f64)) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for m in registry()
        .iter()
        .filter(|m| m.input() == sesame_core::measures::InputKind::PointProcess)
        // SES has its own invariant tests (core/tests/ses_invariants.rs); its outputs
        // (delays, variances) are not distances or similarities in [0, 1].
        .filter(|m| !m.id().starts_with("ses-"))
    {
        let p = ParamValues::defaults(m.params());
        let pair = PairInput::PointProcess { x, y, window: w };
        for v in m
            .compute(&pair, &p)
            .unwrap_or_else(|e| panic!("{}: {e}", m.id()))
        {
            out.push((format!("{}:{}", m.id(), v.name), v.value));
        }
    }
    out
}

fn range_of(name: &str) -> (f64, f64) {
    match name {
        "victor-purpura:distance" | "van-rossum:distance" => (0.0, f64::INFINITY),
        "event-sync:Q" => (0.0, 1.0 + 1e-12), // adaptive window (the default)
        "event-sync:q" | "sttc:sttc" => (-1.0 - 1e-12, 1.0 + 1e-12),
        _ => (0.0, 1.0 + 1e-12),
    }
}

#[test]
fn invariants_on_random_trains() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    for trial in 0..300 {
        let t1 = rng.gen_range(1.0..30.0);
        let (n, m) = (rng.gen_range(0..25), rng.gen_range(0..25));
        let x = train(&mut rng, n, t1);
        let y = train(&mut rng, m, t1);
        let w = (0.0, t1);
        let xy = all(&x, &y, w);
        let yx = all(&y, &x, w);
        for ((name, a), (_, b)) in xy.iter().zip(&yx) {
            assert!(a.is_finite(), "trial {trial} {name}: {a}");
            let (lo, hi) = range_of(name);
            assert!(
                *a >= lo && *a <= hi,
                "trial {trial} {name}: {a} outside [{lo}, {hi}]"
            );
            let sym = if name == "event-sync:q" { -b } else { *b };
            assert!(
                (a - sym).abs() < 1e-9,
                "trial {trial} {name}: {a} vs swapped {b}"
            );
        }
        // identical trains
        for (name, v) in all(&x, &x, w) {
            let zero = name.ends_with("distance") || name == "event-sync:q";
            let want = if zero { 0.0 } else { 1.0 };
            assert!(
                (v - want).abs() < 1e-12,
                "trial {trial} {name} on identical trains: {v}"
            );
        }
        // shift trains and window together by 100 s
        let s = 100.0;
        let xs: Vec<f64> = x.iter().map(|t| t + s).collect();
        let ys: Vec<f64> = y.iter().map(|t| t + s).collect();
        for ((name, a), (_, b)) in xy.iter().zip(all(&xs, &ys, (s, t1 + s))) {
            assert!(
                (a - b).abs() < 1e-6 * a.abs().max(1.0),
                "trial {trial} {name}: {a} vs shifted {b}"
            );
        }
    }
}

#[test]
fn empty_and_lone_trains_give_numbers() {
    let w = (0.0, 2.0);
    for (x, y) in [
        (vec![], vec![]),
        (vec![], vec![1.0]),
        (vec![0.0], vec![2.0]),
        (vec![1.0], vec![1.0]),
        (vec![2.0], vec![]),
    ] {
        for (name, v) in all(&x, &y, w) {
            assert!(v.is_finite(), "{name} on {x:?} vs {y:?}: {v}");
        }
    }
}

#[test]
fn compute_set_equals_pairwise_compute() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let trains: Vec<Vec<f64>> = (0..6).map(|_| train(&mut rng, 30, 10.0)).collect();
    let set = SetInput::PointProcess {
        trains: &trains,
        window: (0.0, 10.0),
    };
    for m in registry()
        .iter()
        .filter(|m| m.input() == sesame_core::measures::InputKind::PointProcess)
    {
        let p = ParamValues::defaults(m.params());
        let rows = m.compute_set(&set, &p).expect("computes");
        assert_eq!(rows.len(), 15, "{}", m.id());
        for (target, values) in rows {
            let Target::Pair(i, j) = target else {
                panic!("pair expected")
            };
            let pair = PairInput::PointProcess {
                x: &trains[i],
                y: &trains[j],
                window: (0.0, 10.0),
            };
            assert_eq!(
                values,
                m.compute(&pair, &p).expect("computes"),
                "{} ({i}, {j})",
                m.id()
            );
        }
    }
}
