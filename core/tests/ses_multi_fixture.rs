//! Fixture C of the SES oracle (N = 3) reproduced exactly, plus the solver's LP/MILP paths.

use sesame_core::ses::multi::ilp::solve_set_partition;
use sesame_core::ses::multi::{
    ses_multi, MultiEvents, MultiInput, MultiOptions, TimedEvent, WindowRule,
};

/// Fixture C (signal, time in ms), written into the test so it runs without the data.
const EVENTS_C: [(usize, f64); 9] = [
    (0, 100.0),
    (0, 300.0),
    (0, 500.0),
    (1, 104.0),
    (1, 296.0),
    (1, 700.0),
    (2, 99.0),
    (2, 505.0),
    (2, 900.0),
];

fn fixture_options(kappa: f64, nu: f64, s0: f64, s_init: f64, window: f64) -> MultiOptions {
    MultiOptions {
        kappa_n: Some(kappa),
        nu,
        s0,
        s_init: Some(s_init),
        window: WindowRule::Fixed(window),
        ..MultiOptions::default()
    }
}

fn input(events: &[(usize, f64)], n: usize) -> MultiInput {
    MultiInput {
        n_signals: n,
        events: MultiEvents::Times(
            events
                .iter()
                .map(|&(signal, time)| TimedEvent { signal, time })
                .collect(),
        ),
        duration: Some(1000.0),
    }
}

#[test]
fn fixture_c_constants() {
    let r = ses_multi(
        &input(&EVENTS_C, 3),
        &fixture_options(12.0, 2.0, 25.0, 25.0, 60.0),
    )
    .expect("fixture C runs");
    assert_eq!(
        r.clusters,
        vec![vec![0, 3, 6], vec![1, 4], vec![2, 7], vec![5], vec![8]]
    );
    let want_delta = [0.0, 16.0 / 15.0, 11.0 / 15.0];
    for (got, want) in r.delta.iter().zip(want_delta) {
        assert!((got - want).abs() < 1e-9, "delta {got} vs {want}");
    }
    assert!((r.s - 10.383_333_333_333_333).abs() < 1e-9, "s = {}", r.s);
    assert!((r.st - 2.0 * r.s).abs() < 1e-12);
    assert!((r.rho_single - 2.0 / 9.0).abs() < 1e-12);
    assert!(
        (r.pd_hat - 0.457_427_107_756_338_2).abs() < 1e-9,
        "pd {}",
        r.pd_hat
    );
    assert_eq!(r.cluster_sizes, vec![2, 2, 1]);
    assert!(r.converged);
    assert_eq!(r.solver.status, "optimal");
    assert!(r.solver.lp_integral + r.solver.milp == r.solver.models);
    // Per-signal singleton fractions: signal 0 none, 1 has {700}, 2 has {900}.
    assert_eq!(r.rho_single_per_signal, vec![0.0, 1.0 / 3.0, 1.0 / 3.0]);
    eprintln!(
        "fixture C: delta {:?} s {} rho {} pd {} iterations {} models {} lp-integral {}",
        r.delta, r.s, r.rho_single, r.pd_hat, r.iterations, r.solver.models, r.solver.lp_integral
    );
}

fn shared_dir() -> Option<std::path::PathBuf> {
    let candidates = [
        std::env::var_os("SESAME_SHARED_DIR").map(std::path::PathBuf::from),
        Some(std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared"
        ))),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|d| d.join("ses-oracle/fixtures.json").is_file())
}

#[test]
fn fixture_c_from_json() {
    let Some(dir) = shared_dir() else {
        eprintln!("skipping: ses-oracle/fixtures.json not found (set SESAME_SHARED_DIR)");
        return;
    };
    let text = std::fs::read_to_string(dir.join("ses-oracle/fixtures.json")).expect("readable");
    let all: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let case = all
        .as_array()
        .and_then(|a| a.iter().find(|c| c["kind"] == "sesN"))
        .expect("an sesN case");
    let events: Vec<(usize, f64)> = case["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e[0].as_u64().expect("signal") as usize,
                e[1].as_f64().expect("time"),
            )
        })
        .collect();
    let st = &case["settings"];
    let f = |k: &str| st[k].as_f64().expect("numeric setting");
    let n = st["N"].as_u64().expect("N") as usize;
    let opts = fixture_options(f("kappa_N"), f("nu"), f("s0"), f("s_init"), f("window"));
    let r = ses_multi(&input(&events, n), &opts).expect("fixture runs");
    let ex = &case["expected"];
    let clusters: Vec<Vec<usize>> = ex["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| {
            c.as_array()
                .expect("cluster")
                .iter()
                .map(|v| v.as_u64().expect("index") as usize)
                .collect()
        })
        .collect();
    assert_eq!(r.clusters, clusters);
    for (got, want) in r.delta.iter().zip(ex["delta"].as_array().expect("delta")) {
        let want = want.as_f64().expect("number");
        assert!((got - want).abs() < 1e-9, "delta {got} vs {want}");
    }
    assert!((r.s - ex["s"].as_f64().expect("s")).abs() < 1e-9);
    assert!((r.rho_single - ex["rho_single"].as_f64().expect("rho")).abs() < 1e-12);
    assert!((r.pd_hat - ex["pd_hat"].as_f64().expect("pd")).abs() < 1e-9);
}

#[test]
fn input_order_does_not_matter() {
    let mut rev = EVENTS_C.to_vec();
    rev.reverse();
    let opts = fixture_options(12.0, 2.0, 25.0, 25.0, 60.0);
    let a = ses_multi(&input(&EVENTS_C, 3), &opts).expect("runs");
    let b = ses_multi(&input(&rev, 3), &opts).expect("runs");
    assert!((a.s - b.s).abs() < 1e-12);
    for (x, y) in a.delta.iter().zip(&b.delta) {
        assert!((x - y).abs() < 1e-12);
    }
    assert_eq!(a.cluster_sizes, b.cluster_sizes);
}

/// Odd cycle: three rows, the three pair columns cost 1, singletons 1, the triple 10.
/// LP optimum is ½ on each pair (1.5); the integer optimum is pair + singleton (2).
#[test]
fn fractional_lp_goes_to_milp() {
    let columns = vec![
        vec![0],
        vec![1],
        vec![2],
        vec![0, 1],
        vec![1, 2],
        vec![0, 2],
        vec![0, 1, 2],
    ];
    let costs = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 10.0];
    let sol = solve_set_partition(3, &columns, &costs, 10.0).expect("solves");
    assert!(!sol.lp_integral);
    assert!(
        (sol.lp_bound - 1.5).abs() < 1e-9,
        "lp bound {}",
        sol.lp_bound
    );
    assert!((sol.objective - 2.0).abs() < 1e-9);
    assert!(sol.gap <= 1e-6);
    assert_eq!(sol.chosen.len(), 2);

    // An integral case: the certificate is the LP bound itself.
    let costs = [1.0, 1.0, 1.0, 0.5, 3.0, 3.0, 10.0];
    let sol = solve_set_partition(3, &columns, &costs, 10.0).expect("solves");
    assert!(sol.lp_integral);
    assert!((sol.objective - 1.5).abs() < 1e-9);
    assert!((sol.lp_bound - sol.objective).abs() < 1e-9);
    assert_eq!(sol.chosen, vec![2, 3]);
}

#[test]
fn errors_not_panics() {
    let opts = MultiOptions::default();
    let empty = MultiInput {
        n_signals: 3,
        events: MultiEvents::Times(vec![]),
        duration: Some(1.0),
    };
    assert!(ses_multi(&empty, &opts).is_err());
    let bad = input(&[(0, 1.0), (5, 2.0)], 3);
    let e = ses_multi(&bad, &opts).unwrap_err().to_string();
    assert!(e.contains("signal 5"), "{e}");
    let nan = input(&[(0, f64::NAN)], 3);
    assert!(ses_multi(&nan, &opts).is_err());
    assert!(ses_multi(&input(&EVENTS_C, 1), &opts).is_err());
}

/// The bump version at N = 2 equals pairwise 2-D SES (Part II): fixture B of the oracle
/// (β = 0.05 ⇒ κ_N = −2 ln β; pairwise st = 2s, so s0 = s_init = 0.05/2 per copy).
#[test]
fn bump_version_reproduces_pairwise_fixture_b() {
    use sesame_core::ses::multi::{BumpEvent, WidthNormalisation};
    let x = [
        [1.00, 6.0, 0.40, 2.0, 0.8],
        [2.50, 10.0, 0.30, 3.0, 0.5],
        [4.00, 8.0, 0.50, 2.5, 0.9],
        [6.0, 20.0, 0.2, 4.0, 0.3],
    ];
    let y = [
        [1.10, 6.5, 0.35, 2.2, 0.7],
        [2.45, 9.0, 0.30, 2.5, 0.6],
        [4.20, 8.4, 0.45, 2.0, 0.4],
        [8.0, 12.0, 0.3, 3.0, 0.5],
    ];
    let mut bumps = Vec::new();
    for (sig, set) in [(0, &x), (1, &y)] {
        for b in set.iter() {
            bumps.push(BumpEvent {
                signal: sig,
                t: b[0],
                f: b[1],
                dt: b[2],
                df: b[3],
                amplitude: b[4],
            });
        }
    }
    let input = MultiInput {
        n_signals: 2,
        events: MultiEvents::Bumps(bumps),
        duration: Some(10.0),
    };
    let opts = MultiOptions {
        kappa_n: Some(-2.0 * 0.05_f64.ln()),
        nu: 2.0,
        s0: 0.025,
        s_init: Some(0.025),
        nu_f: 2.0,
        s0_f: 0.025,
        s_init_f: Some(0.025),
        normalisation: WidthNormalisation::SumOfWidths,
        ..MultiOptions::default()
    };
    let r = ses_multi(&input, &opts).expect("bump SES runs");
    assert_eq!(
        r.clusters,
        vec![vec![0, 4], vec![1, 5], vec![2, 6], vec![3], vec![7]]
    );
    assert!(
        (r.delta[1] - 0.086_842_105_3).abs() < 1e-9,
        "δt {}",
        r.delta[1]
    );
    assert!((r.st - 0.020_916_985_4).abs() < 1e-9, "st {}", r.st);
    let df = r.delta_f.as_ref().expect("frequency offsets")[1];
    assert!((df - 0.008_706_108_7).abs() < 1e-9, "δf {df}");
    let sf = r.s_f.expect("frequency variance");
    assert!((2.0 * sf - 0.022_129_147_5).abs() < 1e-9, "sf {}", 2.0 * sf);
    assert!((r.rho_single - 0.25).abs() < 1e-12);
    assert_eq!(r.pairwise.len(), 1);
    assert!((r.pairwise[0].delta - r.delta[1]).abs() < 1e-12);
}

#[test]
fn time_limit_is_an_error_not_a_hang() {
    let opts = MultiOptions {
        time_limit_s: 1e-9,
        ..fixture_options(12.0, 2.0, 25.0, 25.0, 60.0)
    };
    let e = ses_multi(&input(&EVENTS_C, 3), &opts).unwrap_err();
    assert!(
        matches!(e, sesame_core::ses::multi::MultiError::TimeLimit { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("time limit"), "{e}");
}

#[test]
fn candidate_explosion_is_an_error() {
    // 5 signals × 12 events inside one huge fixed window: far more than 1000 candidates.
    let events: Vec<(usize, f64)> = (0..60).map(|k| (k % 5, k as f64)).collect();
    let opts = MultiOptions {
        max_candidates_per_component: 1000,
        ..fixture_options(12.0, 2.0, 25.0, 25.0, 1e6)
    };
    let e = ses_multi(&input(&events, 5), &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("exceed the limit 1000"), "{e}");
}

#[test]
fn time_limit_interrupts_a_running_analysis() {
    // 5 signals × 200 events with a wide fixed window: thousands of candidates, so the
    // programme is still being built or solved when the 10 ms budget runs out. Whichever
    // step notices first, the result is the time-limit error, returned promptly.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let events: Vec<(usize, f64)> = (0..1000).map(|k| (k % 5, 2000.0 * next())).collect();
    let opts = MultiOptions {
        time_limit_s: 0.01,
        ..fixture_options(12.0, 2.0, 25.0, 25.0, 40.0)
    };
    let t0 = std::time::Instant::now();
    let e = ses_multi(&input(&events, 5), &opts).unwrap_err();
    let took = t0.elapsed().as_secs_f64();
    assert!(
        matches!(e, sesame_core::ses::multi::MultiError::TimeLimit { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("0.01 s"), "{e}");
    assert!(took < 30.0, "returned after {took} s");
}
