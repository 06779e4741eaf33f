//! Monte-Carlo validation of N-signal SES against the oracle's table (docs/model.md §7.3), and the
//! comparison of N-variate with bivariate estimates on the same surrogates.
//!
//! Default: every cell with 40 trials. `SESAME_FULL_MC=1`: 200 trials per cell.
//! Run with `--nocapture` to see the tables.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sesame_core::ses::multi::surrogate::{generate, SurrogateSpec};
use sesame_core::ses::multi::{
    ses_multi, MultiEvents, MultiInput, MultiOptions, TimedEvent, WindowRule,
};

const N: usize = 4;
const LAMBDA: f64 = 0.01; // per ms
const T: f64 = 3000.0; // ms
const DELTA: [f64; 4] = [0.0, 5.0, 10.0, 15.0];
const TABLE_TRIALS: f64 = 40.0;

/// Oracle table rows: s, p_d, then (mean, sd) of δ̂_2, δ̂_3, δ̂_4, ŝ, ρ_single, p̂_d.
/// (s, p_d, [(mean, sd); 6]).
type TableRow = (f64, f64, [(f64, f64); 6]);
const TABLE: [TableRow; 4] = [
    (
        25.0,
        0.1,
        [
            (5.04, 1.15),
            (9.78, 1.27),
            (14.78, 1.35),
            (22.2, 2.9),
            (0.001, 0.003),
            (0.106, 0.025),
        ],
    ),
    (
        25.0,
        0.3,
        [
            (5.00, 1.84),
            (10.11, 2.04),
            (14.89, 1.93),
            (24.7, 5.2),
            (0.032, 0.019),
            (0.301, 0.046),
        ],
    ),
    (
        100.0,
        0.1,
        [
            (4.44, 2.71),
            (10.03, 3.57),
            (15.02, 2.87),
            (86.3, 18.7),
            (0.000, 0.002),
            (0.099, 0.029),
        ],
    ),
    (
        100.0,
        0.3,
        [
            (5.20, 4.64),
            (9.54, 3.64),
            (14.89, 4.43),
            (86.3, 22.8),
            (0.023, 0.016),
            (0.278, 0.038),
        ],
    ),
];
const NAMES: [&str; 6] = ["δ̂_2", "δ̂_3", "δ̂_4", "ŝ", "ρ_single", "p̂_d"];

fn trials() -> usize {
    if std::env::var("SESAME_FULL_MC").is_ok_and(|v| v == "1") {
        200
    } else {
        40
    }
}

fn opts(kappa: f64) -> MultiOptions {
    MultiOptions {
        kappa_n: Some(kappa),
        nu: 2.0,
        s0: 100.0,
        s_init: Some(400.0),
        window: WindowRule::Lossless,
        ..MultiOptions::default()
    }
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    (m, var.sqrt())
}

/// Bivariate SES on signals (0, k) with the N = 2 path: κ_2 = −ln(λ p_d²) = 2κ.
fn bivariate(events: &[TimedEvent], k: usize, pd: f64) -> (f64, f64, f64) {
    let pair: Vec<TimedEvent> = events
        .iter()
        .filter(|e| e.signal == 0 || e.signal == k)
        .map(|e| TimedEvent {
            signal: usize::from(e.signal == k),
            time: e.time,
        })
        .collect();
    let input = MultiInput {
        n_signals: 2,
        events: MultiEvents::Times(pair),
        duration: Some(T),
    };
    let r = ses_multi(&input, &opts(-(LAMBDA * pd.powi(2)).ln())).expect("bivariate SES");
    (r.delta[1], r.s, r.pd_hat)
}

#[test]
fn n_signal_monte_carlo_table_and_bivariate_comparison() {
    let n_trials = trials();
    let mut rng = ChaCha8Rng::seed_from_u64(4242);
    let mut failures = Vec::new();
    let mut multi_mse_delta = 0.0;
    let mut bi_mse_delta = 0.0;
    let mut multi_mse_s = 0.0;
    let mut bi_mse_s = 0.0;
    eprintln!(
        "N-signal SES Monte-Carlo (N = 4, T = 3000 ms, λ = 0.01/ms, {n_trials} trials per cell)"
    );
    eprintln!("| s | p_d | quantity | Rust mean (sd) | oracle mean (sd) | |diff| / 3·SE |");
    eprintln!("|---|---|---|---|---|---|");
    let mut comparison = Vec::new();
    for &(s, pd, row) in &TABLE {
        let kappa = -(LAMBDA * pd.powi(N as i32)).ln();
        let spec = SurrogateSpec {
            rate: LAMBDA,
            duration: T,
            delta: DELTA.to_vec(),
            s,
            pd,
        };
        let mut cols: Vec<Vec<f64>> = vec![Vec::new(); 6];
        let mut bi: Vec<Vec<f64>> = vec![Vec::new(); 4]; // δ̂_2..δ̂_4 and ŝ (mean of pairs)
        let mut bi_pd = Vec::new();
        for _ in 0..n_trials {
            let (events, _) = generate(&spec, &mut rng);
            let input = MultiInput {
                n_signals: N,
                events: MultiEvents::Times(events.clone()),
                duration: Some(T),
            };
            let r = ses_multi(&input, &opts(kappa)).expect("N-signal SES");
            assert_eq!(r.solver.status, "optimal");
            for k in 1..N {
                cols[k - 1].push(r.delta[k]);
            }
            cols[3].push(r.s);
            cols[4].push(r.rho_single);
            cols[5].push(r.pd_hat);
            let mut s_pairs = 0.0;
            let mut pd_pairs = 0.0;
            for k in 1..N {
                let (d, sp, p) = bivariate(&events, k, pd);
                bi[k - 1].push(d);
                s_pairs += sp / 3.0;
                pd_pairs += p / 3.0;
            }
            bi[3].push(s_pairs);
            bi_pd.push(pd_pairs);
        }
        for q in 0..6 {
            let (m, sd) = mean_sd(&cols[q]);
            let (tm, tsd) = row[q];
            let se3 = 3.0 * (sd * sd / n_trials as f64 + tsd * tsd / TABLE_TRIALS).sqrt();
            let ratio = if se3 > 0.0 { (m - tm).abs() / se3 } else { 0.0 };
            eprintln!(
                "| {s} | {pd} | {} | {m:.3} ({sd:.3}) | {tm} ({tsd}) | {ratio:.2} |",
                NAMES[q]
            );
            if (m - tm).abs() >= se3 && !((m - tm).abs() < 1e-3 && se3 == 0.0) {
                failures.push(format!(
                    "s={s} pd={pd} {}: {m:.4} vs {tm} (3SE {se3:.4})",
                    NAMES[q]
                ));
            }
        }
        // Bias and spread, N-variate vs bivariate, on the same surrogates.
        for k in 0..3 {
            let (mm, ms) = mean_sd(&cols[k]);
            let (bm, bs) = mean_sd(&bi[k]);
            let truth = DELTA[k + 1];
            multi_mse_delta += (mm - truth).powi(2) + ms * ms;
            bi_mse_delta += (bm - truth).powi(2) + bs * bs;
            comparison.push(format!(
                "| {s} | {pd} | {} (true {truth}) | {:+.3} / {ms:.3} | {:+.3} / {bs:.3} |",
                NAMES[k],
                mm - truth,
                bm - truth
            ));
        }
        let (mm, ms) = mean_sd(&cols[3]);
        let (bm, bs) = mean_sd(&bi[3]);
        multi_mse_s += ((mm - s) / s).powi(2) + (ms / s).powi(2);
        bi_mse_s += ((bm - s) / s).powi(2) + (bs / s).powi(2);
        comparison.push(format!(
            "| {s} | {pd} | ŝ (true {s}) | {:+.3} / {ms:.3} | {:+.3} / {bs:.3} |",
            mm - s,
            bm - s
        ));
        let (pm, psd) = mean_sd(&cols[5]);
        let (bpm, bpsd) = mean_sd(&bi_pd);
        comparison.push(format!(
            "| {s} | {pd} | p̂_d (true {pd}) | {:+.4} / {psd:.4} | {:+.4} / {bpsd:.4} |",
            pm - pd,
            bpm - pd
        ));
    }
    eprintln!();
    eprintln!("N-variate vs bivariate SES on the same surrogates (bias / sd; bivariate ŝ and p̂_d averaged over the pairs (1,k))");
    eprintln!("| s | p_d | quantity | N-variate | bivariate |");
    eprintln!("|---|---|---|---|---|");
    for line in &comparison {
        eprintln!("{line}");
    }
    eprintln!(
        "total MSE of δ̂: N-variate {multi_mse_delta:.3}, bivariate {bi_mse_delta:.3}; \
         relative MSE of ŝ: N-variate {multi_mse_s:.4}, bivariate {bi_mse_s:.4}"
    );
    assert!(failures.is_empty(), "outside 3 combined SE: {failures:#?}");
    assert!(
        multi_mse_delta < bi_mse_delta,
        "N-variate offsets should be more reliable than bivariate ones"
    );
}
