//! One 20-minute, 5-region analysis (≈ 7,200 events): recovers the planted offsets,
//! jitter and deletion probability; prints the run time (no timed assertion).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sesame_core::ses::multi::surrogate::{generate, SurrogateSpec};
use sesame_core::ses::multi::{ses_multi, MultiEvents, MultiInput, MultiOptions};

#[test]
fn twenty_minute_five_region_analysis() {
    let delta = vec![0.0, 0.010, 0.020, -0.010, 0.005];
    let spec = SurrogateSpec {
        rate: 1.5,
        duration: 1200.0,
        delta: delta.clone(),
        s: 0.02 * 0.02,
        pd: 0.2,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (events, _) = generate(&spec, &mut rng);
    let n_events = events.len();
    let input = MultiInput {
        n_signals: 5,
        events: MultiEvents::Times(events),
        duration: Some(1200.0),
    };
    let opts = MultiOptions {
        s0: 0.02 * 0.02,
        ..MultiOptions::default()
    };
    let t0 = std::time::Instant::now();
    let r = ses_multi(&input, &opts).expect("SES runs");
    let el = t0.elapsed();
    eprintln!(
        "20-min 5-signal analysis: {n_events} events, {:.2} s, {} iterations, {} components \
         (largest {} events), {} candidates, {} HiGHS models ({} LP-integral, {} MILP, max gap {:.1e})",
        el.as_secs_f64(),
        r.iterations,
        r.solver.components,
        r.solver.largest_component,
        r.solver.candidates,
        r.solver.models,
        r.solver.lp_integral,
        r.solver.milp,
        r.solver.max_gap
    );
    eprintln!(
        "δ̂ = {:?} s, ŝ = {:.3e} s² (true 4e-4), ρ_single = {:.3}, p̂_d = {:.3} (true 0.2), sizes {:?}",
        r.delta, r.s, r.rho_single, r.pd_hat, r.cluster_sizes
    );
    assert!(r.converged);
    assert_eq!(r.solver.status, "optimal");
    for (got, want) in r.delta.iter().zip(&delta) {
        assert!((got - want).abs() < 0.002, "δ {got} vs {want}");
    }
    assert!((r.s - 4e-4).abs() < 1e-4, "s = {}", r.s);
    assert!((r.pd_hat - 0.2).abs() < 0.03, "p̂_d = {}", r.pd_hat);
    // Pairwise SES induced by the clustering: st ≈ 2s, delays ≈ δ_b − δ_a.
    for p in &r.pairwise {
        assert!((p.delta - (delta[p.b] - delta[p.a])).abs() < 0.003, "{p:?}");
    }
}
