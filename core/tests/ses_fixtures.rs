//! Deterministic SES fixtures of the independent oracle (docs/model.md §7.1): A1–A4 (1-D) and B
//! (bumps). The expected values are written here so a fresh clone checks them; when the
//! shared oracle directory is present, `fixtures.json` is read too and every case,
//! including every per-iteration trace, is compared.

use sesame_core::bumps::Bump;
use sesame_core::ses::bumps::{ses_bumps, BumpSesOptions, WidthNormalisation};
use sesame_core::ses::one_d::descend;
use sesame_core::ses::{ses_1d, AlignmentMethod, NonCoincidentCost, OneDOptions, Prior};
use std::path::PathBuf;

fn close(a: f64, b: f64, what: &str) {
    let tol = 1e-9 * (1.0 + b.abs());
    assert!((a - b).abs() <= tol, "{what}: got {a}, expected {b}");
}

fn opts_a() -> OneDOptions {
    OneDOptions {
        cost: NonCoincidentCost::Beta(0.02),
        prior: Prior::new(2.0, 100.0),
        init_jitter_var: 400.0,
        init_delays: vec![0.0],
        ..OneDOptions::default()
    }
}

struct CaseA {
    id: &'static str,
    x: &'static [f64],
    y: &'static [f64],
    pairs: &'static [(usize, usize)],
    dt: f64,
    st: f64,
    rho: f64,
    cost: f64,
}

const CASES_A: &[CaseA] = &[
    CaseA {
        id: "A1",
        x: &[100., 210., 330., 440., 600., 720.],
        y: &[108., 205., 352., 452., 800., 905.],
        pairs: &[(0, 0), (1, 1), (2, 2), (3, 3)],
        dt: 9.25,
        st: 71.84375,
        rho: 1.0 / 3.0,
        cost: 40.421_820_642_4,
    },
    CaseA {
        id: "A2",
        x: &[0., 100., 200., 300., 420.],
        y: &[45., 92., 145., 245., 345., 470.],
        pairs: &[(0, 0), (1, 2), (2, 3), (3, 4), (4, 5)],
        dt: 46.0,
        st: 220.0 / 9.0,
        rho: 1.0 / 11.0,
        cost: 27.390_529_032_0,
    },
    CaseA {
        id: "A3",
        x: &[0., 100., 200., 300., 400., 500., 650.],
        y: &[30., 128., 235., 329., 560., 900.],
        pairs: &[(0, 0), (1, 1), (2, 2), (3, 3)],
        dt: 30.5,
        st: 28.625,
        rho: 5.0 / 13.0,
        cost: 40.652_991_007_5,
    },
    CaseA {
        id: "A4",
        x: &[100., 210., 330., 440., 600., 720.],
        y: &[100., 210., 330., 440., 600., 720.],
        pairs: &[(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)],
        dt: 0.0,
        st: 20.0,
        rho: 0.0,
        cost: 25.492_292_567_0,
    },
];

#[test]
fn fixtures_a_embedded() {
    for c in CASES_A {
        let r = ses_1d(c.x, c.y, &opts_a()).unwrap();
        assert_eq!(r.alignment.pairs, c.pairs, "{} pairs", c.id);
        close(r.params.delay.unwrap(), c.dt, &format!("{} δt", c.id));
        close(r.params.jitter_var, c.st, &format!("{} st", c.id));
        close(r.params.rho, c.rho, &format!("{} ρ", c.id));
        // the embedded costs carry 10 decimals
        assert!(
            (r.params.cost - c.cost).abs() < 1e-9,
            "{} cost {} vs {}",
            c.id,
            r.params.cost,
            c.cost
        );
        assert!(r.params.converged);
    }
}

#[test]
fn fixture_a2_trace_embedded() {
    let c = &CASES_A[1];
    let o = opts_a();
    let (trace, converged) = descend(c.x, c.y, 0.0, 400.0, -(0.02f64.ln()), &o);
    assert!(converged);
    assert_eq!(trace.len(), 3);
    assert_eq!(trace[0].pairs, vec![(0, 0), (1, 1), (2, 3), (3, 4), (4, 5)]);
    close(trace[0].delay, 35.4, "A2 it1 δt");
    close(trace[0].jitter_var, 285.911_111_111_1, "A2 it1 st");
    assert!((trace[0].cost - 38.457_280_001_4).abs() < 1e-9);
    assert_eq!(trace[1].pairs, c.pairs.to_vec());
    assert_eq!(trace[2].pairs, c.pairs.to_vec());
    // from δt(0) = 40 it converges in one step to the same answer
    let o40 = OneDOptions {
        init_delays: vec![40.0],
        ..opts_a()
    };
    let r = ses_1d(c.x, c.y, &o40).unwrap();
    assert_eq!(r.alignment.pairs, c.pairs);
    assert_eq!(r.trace[0].pairs, c.pairs.to_vec());
    close(r.params.delay.unwrap(), 46.0, "A2 from 40");
}

#[test]
fn fixture_a1_symmetry_and_shift() {
    let c = &CASES_A[0];
    let r = ses_1d(c.y, c.x, &opts_a()).unwrap();
    close(r.params.delay.unwrap(), -9.25, "A1 swapped δt");
    close(r.params.jitter_var, c.st, "A1 swapped st");
    close(r.params.rho, c.rho, "A1 swapped ρ");
    let y: Vec<f64> = c.y.iter().map(|v| v + 1000.0).collect();
    let o = OneDOptions {
        init_delays: vec![1000.0],
        ..opts_a()
    };
    let r = ses_1d(c.x, &y, &o).unwrap();
    assert!((r.params.delay.unwrap() - 1009.25).abs() < 1e-9);
    assert!((r.params.jitter_var - c.st).abs() < 1e-9);
}

// ---------------------------------------------------------------- fixture B (bumps)

const BX: [[f64; 5]; 4] = [
    [1.00, 6.0, 0.40, 2.0, 0.8],
    [2.50, 10.0, 0.30, 3.0, 0.5],
    [4.00, 8.0, 0.50, 2.5, 0.9],
    [6.0, 20.0, 0.2, 4.0, 0.3],
];
const BY: [[f64; 5]; 4] = [
    [1.10, 6.5, 0.35, 2.2, 0.7],
    [2.45, 9.0, 0.30, 2.5, 0.6],
    [4.20, 8.4, 0.45, 2.0, 0.4],
    [8.0, 12.0, 0.3, 3.0, 0.5],
];

fn bumps(rows: &[[f64; 5]]) -> Vec<Bump> {
    rows.iter()
        .map(|r| Bump {
            t: r[0],
            f: r[1],
            dt: r[2],
            df: r[3],
            amplitude: r[4],
            peak: r[4],
        })
        .collect()
}

fn opts_b(method: AlignmentMethod) -> BumpSesOptions {
    BumpSesOptions {
        cost: NonCoincidentCost::Beta(0.05),
        prior_t: Prior::new(2.0, 0.05),
        prior_f: Prior::new(2.0, 0.05),
        init: [0.0, 0.05, 0.0, 0.05],
        normalisation: WidthNormalisation::SumOfWidths,
        method,
        ..BumpSesOptions::default()
    }
}

#[test]
fn fixture_b_embedded() {
    for method in [AlignmentMethod::MaxProduct, AlignmentMethod::Exact] {
        let r = ses_bumps(&bumps(&BX), &bumps(&BY), &opts_b(method)).unwrap();
        let p = &r.params;
        assert_eq!(r.alignment.pairs, vec![(0, 0), (1, 1), (2, 2)]);
        close(p.delay_t.unwrap(), 0.086_842_105_3, "B δt");
        assert!((p.delay_t.unwrap() - 0.086_842_105_3).abs() < 1e-10);
        assert!((p.jitter_var_t - 0.020_916_985_4).abs() < 1e-10);
        assert!((p.delay_f.unwrap() - 0.008_706_108_7).abs() < 1e-10);
        assert!((p.jitter_var_f - 0.022_129_147_5).abs() < 1e-10);
        close(p.rho, 0.25, "B ρ");
        assert!((p.cost + 8.368_091_146_1).abs() < 1e-9, "B cost {}", p.cost);
        assert!(p.certified, "{method:?} not certified");
        assert_eq!(p.fallback_steps, 0);
    }
}

// ---------------------------------------------------------------- the oracle's JSON

fn fixtures_json() -> Option<serde_json::Value> {
    let dir = std::env::var_os("SESAME_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    let path = dir.join("ses-oracle/fixtures.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("fixtures.json parses")),
        Err(e) => {
            eprintln!("skipping: {} not readable ({e})", path.display());
            None
        }
    }
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().expect("number")
}

fn fvec(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(f).collect()
}

fn pairs(v: &serde_json::Value) -> Vec<(usize, usize)> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|p| {
            (
                p[0].as_u64().unwrap() as usize,
                p[1].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

#[test]
fn fixtures_from_json() {
    let Some(all) = fixtures_json() else { return };
    let mut checked = 0;
    for case in all.as_array().unwrap() {
        match case["kind"].as_str().unwrap() {
            "ses1d" => {
                let s = &case["settings"];
                let o = OneDOptions {
                    cost: NonCoincidentCost::Beta(f(&s["beta"])),
                    prior: Prior::new(f(&s["nu_t"]), f(&s["s0_t"])),
                    init_jitter_var: f(&s["st_init"]),
                    init_delays: vec![f(&s["dt_init"])],
                    ..OneDOptions::default()
                };
                let (x, y) = (fvec(&case["x"]), fvec(&case["y"]));
                let r = ses_1d(&x, &y, &o).unwrap();
                let e = &case["expected"];
                assert_eq!(r.alignment.pairs, pairs(&e["pairs"]));
                close(r.params.delay.unwrap(), f(&e["dt"]), "δt");
                close(r.params.jitter_var, f(&e["st"]), "st");
                close(r.params.rho, f(&e["rho"]), "ρ");
                close(r.params.cost, f(&e["cost"]), "cost");
                let trace = case["trace"].as_array().unwrap();
                assert_eq!(r.trace.len(), trace.len());
                for (ours, theirs) in r.trace.iter().zip(trace) {
                    assert_eq!(ours.pairs, pairs(&theirs["pairs"]));
                    close(ours.delay, f(&theirs["dt"]), "trace δt");
                    close(ours.jitter_var, f(&theirs["st"]), "trace st");
                    close(ours.cost, f(&theirs["cost"]), "trace cost");
                }
                checked += 1;
            }
            "ses2d" => {
                let s = &case["settings"];
                assert_eq!(s["offset_normalisation"].as_str(), Some("sum_of_widths"));
                let rows = |v: &serde_json::Value| -> Vec<Bump> {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|r| {
                            let r = fvec(r);
                            Bump {
                                t: r[0],
                                f: r[1],
                                dt: r[2],
                                df: r[3],
                                amplitude: r[4],
                                peak: r[4],
                            }
                        })
                        .collect()
                };
                for method in [AlignmentMethod::MaxProduct, AlignmentMethod::Exact] {
                    let o = BumpSesOptions {
                        cost: NonCoincidentCost::Beta(f(&s["beta"])),
                        prior_t: Prior::new(f(&s["nu_t"]), f(&s["s0_t"])),
                        prior_f: Prior::new(f(&s["nu_f"]), f(&s["s0_f"])),
                        init: [
                            f(&s["dt_init"]),
                            f(&s["st_init"]),
                            f(&s["df_init"]),
                            f(&s["sf_init"]),
                        ],
                        normalisation: WidthNormalisation::SumOfWidths,
                        method,
                        ..BumpSesOptions::default()
                    };
                    let r = ses_bumps(&rows(&case["x"]), &rows(&case["y"]), &o).unwrap();
                    let e = &case["expected"];
                    assert_eq!(r.alignment.pairs, pairs(&e["pairs"]));
                    close(r.params.delay_t.unwrap(), f(&e["dt"]), "δt");
                    close(r.params.jitter_var_t, f(&e["st"]), "st");
                    close(r.params.delay_f.unwrap(), f(&e["df"]), "δf");
                    close(r.params.jitter_var_f, f(&e["sf"]), "sf");
                    close(r.params.rho, f(&e["rho"]), "ρ");
                    close(r.params.cost, f(&e["cost"]), "cost");
                    assert!(r.params.certified);
                }
                checked += 1;
            }
            _ => {} // N-signal fixtures belong to the multi-signal SES tests
        }
    }
    assert_eq!(checked, 5, "expected A1–A4 and B in fixtures.json");
}
