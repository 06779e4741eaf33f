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

/// Region bumps of a 20-minute recording, in the shape of `sesame simulate --duration
/// 1200` seen through the 5 default regions (frontal, left temporal, central, right
/// temporal, posterior): three synchronous groups — frontal–central (central 10 ms
/// later), left temporal–posterior and right temporal–posterior (posterior 30 ms later) —
/// plus independent bumps in every region; about 0.4 bumps/s per region, so most
/// bumps have no partner and the bumps are sparse in the time–frequency plane.
/// Per-copy jitter 20 ms and 0.5 Hz, deletion probability 0.2 per copy.
fn sparse_region_bumps(seed: u64) -> MultiInput {
    use rand::Rng;
    use rand_distr::{Distribution, Normal};
    use sesame_core::ses::multi::BumpEvent;
    let duration = 1200.0;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let jitter_t = Normal::new(0.0, 0.02).expect("finite");
    let jitter_f = Normal::new(0.0, 0.5).expect("finite");
    let mut bumps = Vec::new();
    let mut bump = |rng: &mut ChaCha8Rng, signal: usize, t: f64, f: f64| {
        let cycles = rng.gen_range(1.0..2.0);
        bumps.push(BumpEvent {
            signal,
            t,
            f,
            dt: cycles / f,
            df: rng.gen_range(1.0..3.0),
            amplitude: rng.gen_range(0.4..1.0),
        });
    };
    let groups: [(&[usize], &[f64], f64); 3] = [
        (&[0, 2], &[0.0, 0.010], 0.25),
        (&[1, 4], &[0.0, 0.030], 0.2),
        (&[3, 4], &[0.0, 0.030], 0.2),
    ];
    for (regions, delays, rate) in groups {
        let hidden = (rate * duration) as usize;
        for _ in 0..hidden {
            let v = rng.gen_range(1.0..duration - 1.0);
            let f = rng.gen_range(4.0..30.0);
            for (&r, &d) in regions.iter().zip(delays) {
                if rng.gen::<f64>() >= 0.2 {
                    let t = v + d + jitter_t.sample(&mut rng);
                    let fr = f + jitter_f.sample(&mut rng);
                    bump(&mut rng, r, t, fr);
                }
            }
        }
    }
    for r in 0..5 {
        for _ in 0..(0.15 * duration) as usize {
            let t = rng.gen_range(1.0..duration - 1.0);
            let f = rng.gen_range(4.0..30.0);
            bump(&mut rng, r, t, f);
        }
    }
    MultiInput {
        n_signals: 5,
        events: MultiEvents::Bumps(bumps),
        duration: Some(duration),
    }
}

/// The options of the `ses-multi` measure at its default parameters (bump defaults,
/// starting variances at the prior scales), with a time limit that turns a runaway into
/// an error instead of a long wait.
fn measure_options() -> MultiOptions {
    let b = MultiOptions::bumps();
    MultiOptions {
        s_init: Some(b.s0),
        s_init_f: Some(b.s0_f),
        time_limit_s: 60.0,
        ..b
    }
}

#[test]
fn twenty_minute_sparse_region_bumps_stay_physiological() {
    let input = sparse_region_bumps(11);
    let n_events = input.events.len();
    let t0 = std::time::Instant::now();
    let r = ses_multi(&input, &measure_options()).expect("SES runs");
    eprintln!(
        "20-min sparse region bumps: {n_events} bumps, {:.2} s, {} iterations (converged {}), \
         {} components (largest {} bumps), {} candidates, {} models ({} MILP), windows {}",
        t0.elapsed().as_secs_f64(),
        r.iterations,
        r.converged,
        r.solver.components,
        r.solver.largest_component,
        r.solver.candidates,
        r.solver.models,
        r.solver.milp,
        r.solver.windows
    );
    eprintln!(
        "κ_N = {:.3}, s = {:.5} s² (σ = {:.0} ms), s_f = {:.3} Hz², ρ_single = {:.3}, p̂_d = {:.3}, \
         δ_t = {:?} s, δ_f = {:?} Hz, sizes {:?}",
        r.kappa_n,
        r.s,
        1e3 * r.s.sqrt(),
        r.s_f.unwrap_or(f64::NAN),
        r.rho_single,
        r.pd_hat,
        r.delta,
        r.delta_f,
        r.cluster_sizes
    );
    assert_eq!(r.solver.status, "optimal");
    // No runaway: the recording falls apart into many small programmes.
    assert!(
        r.solver.components > 300,
        "{} components",
        r.solver.components
    );
    assert!(
        r.solver.largest_component < 200,
        "largest component {} bumps",
        r.solver.largest_component
    );
    // Physiological jitter (tens to a few hundred ms), not at the bound.
    assert!(r.s > 1e-4 && r.s < 0.02, "s = {}", r.s);
    let sf = r.s_f.expect("frequency variance");
    assert!(sf > 0.05 && sf < 8.0, "s_f = {sf}");
    // The planted delays: central 10 ms after frontal; posterior 30 ms after both temporal
    // regions.
    let d = &r.delta;
    assert!(
        (d[2] - d[0] - 0.010).abs() < 0.015,
        "central − frontal {}",
        d[2] - d[0]
    );
    assert!(
        (d[4] - d[1] - 0.030).abs() < 0.015,
        "posterior − LT {}",
        d[4] - d[1]
    );
    assert!(
        (d[4] - d[3] - 0.030).abs() < 0.015,
        "posterior − RT {}",
        d[4] - d[3]
    );
    // Most bumps have no partner: about half are singletons in the generator.
    assert!(
        r.rho_single > 0.3 && r.rho_single < 0.8,
        "ρ_single {}",
        r.rho_single
    );
    assert!(r.pd_hat > 0.5, "p̂_d {}", r.pd_hat);
}
