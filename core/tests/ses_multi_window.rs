//! Overlapping time windows for components too large for one programme: on instances
//! whose whole programme is solvable, the windowed solve is a valid clustering of
//! candidate clusters (no window boundary cuts a cluster), its certified lower bound is
//! below the true optimum, it is never cheaper than the optimum, and — when the bound
//! certifies it — it equals the optimum; on these instances it is the optimum in almost
//! every case.

mod common;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sesame_core::ses::multi::surrogate::{generate, SurrogateSpec};
use sesame_core::ses::multi::{
    align_once, ses_multi, MultiEvents, MultiInput, MultiOptions, TimedEvent,
};

/// A dense instance: the lossless window spans several events, so the connected
/// components are long chains (hundreds of events).
fn dense_instance(rng: &mut ChaCha8Rng, n: usize) -> (Vec<TimedEvent>, Vec<f64>, f64) {
    let mut delta: Vec<f64> = (0..n).map(|_| rng.gen_range(-5.0..5.0)).collect();
    delta[0] = 0.0;
    let s = rng.gen_range(9.0..36.0);
    let spec = SurrogateSpec {
        rate: rng.gen_range(0.05..0.1),
        duration: 2000.0,
        delta: delta.clone(),
        s,
        pd: rng.gen_range(0.1..0.4),
    };
    let (mut events, _) = generate(&spec, rng);
    // Unrelated events as well, so the optimum is not just the hidden clusters.
    let extra = (spec.rate * spec.duration * 0.3) as usize;
    for _ in 0..extra {
        events.push(TimedEvent {
            signal: rng.gen_range(0..n),
            time: rng.gen_range(0.0..spec.duration),
        });
    }
    (events, delta, s)
}

fn check_partition(events: &[TimedEvent], clusters: &[Vec<usize>]) {
    common::assert_partition(events.len(), clusters, |e| events[e].signal);
}

#[test]
fn windowed_solve_against_whole_programme() {
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    let trials = 40;
    let mut same = 0;
    let mut certified = 0;
    let mut windows = 0;
    let mut worst_excess: f64 = 0.0;
    let mut largest_seen = 0;
    let mut trial = 0;
    let mut drawn = 0;
    while trial < trials {
        drawn += 1;
        assert!(drawn < 10 * trials, "instances too sparse");
        let n = 3 + drawn % 3;
        let (events, delta, s) = dense_instance(&mut rng, n);
        let input = MultiInput {
            n_signals: n,
            events: MultiEvents::Times(events.clone()),
            duration: Some(2000.0),
        };
        let kappa = rng.gen_range(6.0..10.0);
        let at = |max_programme_events: usize| {
            let o = MultiOptions {
                kappa_n: Some(kappa),
                max_programme_events,
                ..MultiOptions::default()
            };
            align_once(&input, &o, &delta, s, None, None).expect("alignment")
        };
        let whole = at(usize::MAX);
        assert_eq!(whole.solver.windows, 0);
        assert_eq!(whole.solver.status, "optimal");
        let largest = whole.solver.largest_component;
        if largest < 24 {
            continue; // too sparse to need windows: draw another
        }
        // Windows of a quarter to a half of the largest component, at least 12 events.
        let per_window = (largest / (2 + trial % 3)).max(12);
        largest_seen = largest_seen.max(largest);
        let win = at(per_window);
        check_partition(&events, &win.clusters);
        assert!(win.solver.windowed_components >= 1);
        assert_eq!(win.solver.forced_windows, 0);
        windows += win.solver.windows;
        let tol = 1e-9 * whole.objective.abs().max(1.0);
        // Never better than the optimum; the certified bound never above it.
        assert!(
            win.objective >= whole.objective - tol,
            "trial {trial}: windowed {} below the optimum {}",
            win.objective,
            whole.objective
        );
        assert!(
            win.solver.lp_bound <= whole.objective + tol,
            "trial {trial}: bound {} above the optimum {}",
            win.solver.lp_bound,
            whole.objective
        );
        // The reported gap bounds the actual loss.
        let excess = (win.objective - whole.objective) / win.objective.abs().max(1.0);
        assert!(excess <= win.solver.window_gap + 1e-9, "trial {trial}");
        worst_excess = worst_excess.max(excess);
        if win.solver.status == "optimal" {
            certified += 1;
            assert!(win.solver.window_gap <= 1e-9);
            assert!(
                (win.objective - whole.objective).abs() <= tol,
                "trial {trial}"
            );
        } else {
            assert_eq!(win.solver.status, "windowed");
        }
        if win.clusters == whole.clusters {
            same += 1;
        }
        trial += 1;
    }
    eprintln!(
        "windowed vs whole: {same}/{trials} identical clusterings, {certified} certified \
         optimal, {windows} windows, worst relative excess {worst_excess:.2e}, largest \
         component {largest_seen} events"
    );
    assert!(same >= trials * 9 / 10, "only {same}/{trials} identical");
}

#[test]
fn windows_in_the_alternation_are_reported_and_agree() {
    // Whole alternations (parameter updates included) on dense instances, once with one
    // programme per component and once with windows of 15 events.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut windowed_runs = 0;
    for _ in 0..4 {
        let (events, _, _) = dense_instance(&mut rng, 4);
        let input = MultiInput {
            n_signals: 4,
            events: MultiEvents::Times(events),
            duration: Some(2000.0),
        };
        let base = MultiOptions {
            kappa_n: Some(8.0),
            s0: 16.0,
            ..MultiOptions::default()
        };
        let whole = ses_multi(&input, &base).expect("whole");
        assert_eq!(whole.solver.windows, 0);
        let win = ses_multi(
            &input,
            &MultiOptions {
                max_programme_events: 15,
                ..base
            },
        )
        .expect("windowed");
        eprintln!(
            "alternation with windows: {} windowed components, {} windows ({} forced), \
             gap {:.2e}, status {}; objective {} vs {}; s {} vs {}",
            win.solver.windowed_components,
            win.solver.windows,
            win.solver.forced_windows,
            win.solver.window_gap,
            win.solver.status,
            win.objective,
            whole.objective,
            win.s,
            whole.s
        );
        if whole.solver.largest_component > 15 {
            assert!(win.solver.windowed_components > 0);
            windowed_runs += 1;
        }
        assert_eq!(win.solver.forced_windows, 0);
        assert!(win.solver.lp_bound <= win.solver.objective + 1e-9 * win.solver.objective.abs());
        for (a, b) in win.delta.iter().zip(&whole.delta) {
            // A twentieth of the jitter SD (the δ standard errors are larger).
            assert!((a - b).abs() < 0.05 * whole.s.sqrt(), "δ {a} vs {b}");
        }
        assert!(
            (win.s - whole.s).abs() < 0.01 * whole.s,
            "s {} vs {}",
            win.s,
            whole.s
        );
        assert!((win.rho_single - whole.rho_single).abs() < 0.005);
    }
    assert!(windowed_runs >= 3);
}
