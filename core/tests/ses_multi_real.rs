//! N-signal SES on the real recording `Subject00_1.edf` (5 default regions, region bumps
//! by union) with the parameters of `sesame analyze --measure ses-multi --regions default`:
//! the analysis converges, every programme is solved to optimality, and the time-windowed
//! solve (split at the safe cuts) gives the same clustering as one whole solve on the
//! final parameters. Prints the run time (no timed assertion: the machine may be shared).

use sesame_core::analysis::pipeline::{channel_bumps, prepare};
use sesame_core::analysis::Config;
use sesame_core::recording::{ReadOptions, Recording};
use sesame_core::ses::multi::{
    align_once, ses_multi, BumpEvent, MultiEvents, MultiInput, MultiOptions,
};
use sesame_core::ses::regions::{region_bumps_union, RegionTable, DEFAULT_REGIONS_TOML};

fn shared_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("SESAME_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: shared test data not found at {}", dir.display());
        None
    }
}

/// Region bumps of the recording as N-signal events, and the analysis window length (s).
fn region_events(path: &std::path::Path) -> (MultiInput, usize) {
    let rec = Recording::open(path, &ReadOptions::default()).expect("recording opens");
    let mut config = Config::default();
    config.regions.enabled = true;
    let prep = prepare(&rec, &config).expect("preprocessing");
    let bumps = channel_bumps(&prep, &config).expect("bumps");
    let table = RegionTable::from_toml_str(DEFAULT_REGIONS_TOML).expect("default regions");
    let regions = region_bumps_union(&table, &prep.labels, &bumps, config.regions.union_radius)
        .expect("region bumps");
    let events: Vec<BumpEvent> = BumpEvent::from_sets(&regions);
    let n = regions.len();
    (
        MultiInput {
            n_signals: n,
            events: MultiEvents::Bumps(events),
            duration: Some(prep.window.1 - prep.window.0),
        },
        n,
    )
}

/// The options of the `ses-multi` measure at its default parameters.
fn analyze_options() -> MultiOptions {
    let b = MultiOptions::bumps();
    MultiOptions {
        s_init: Some(b.s0),
        s_init_f: Some(b.s0_f),
        ..b
    }
}

#[test]
fn real_recording_five_regions() {
    let Some(dir) = shared_dir() else { return };
    let path = dir.join("eeg/real/Subject00_1.edf");
    if !path.is_file() {
        eprintln!("skipping: {} not found", path.display());
        return;
    }
    let (input, n) = region_events(&path);
    assert_eq!(n, 5);
    let opts = analyze_options();
    let t0 = std::time::Instant::now();
    let r = ses_multi(&input, &opts).expect("N-signal SES runs");
    let el = t0.elapsed().as_secs_f64();
    eprintln!(
        "Subject00_1, 5 regions: {} bumps over {:.1} s, {:.2} s wall, {} iterations \
         (converged {}), {} components (largest {}), {} candidates, {} models \
         ({} LP-integral, {} MILP, max gap {:.1e})",
        r.n_events,
        r.duration,
        el,
        r.iterations,
        r.converged,
        r.solver.components,
        r.solver.largest_component,
        r.solver.candidates,
        r.solver.models,
        r.solver.lp_integral,
        r.solver.milp,
        r.solver.max_gap
    );
    eprintln!(
        "s = {:.4} s², s_f = {:.3} Hz², rho_single = {:.4}, pd = {:.4}, delta_t = {:?} s, \
         delta_f = {:?} Hz, sizes {:?}",
        r.s,
        r.s_f.unwrap_or(f64::NAN),
        r.rho_single,
        r.pd_hat,
        r.delta,
        r.delta_f,
        r.cluster_sizes
    );
    assert!(
        r.converged,
        "did not converge in {} iterations",
        r.iterations
    );
    assert_eq!(r.solver.status, "optimal");
    assert!(r.solver.max_gap <= 1e-9);

    // Split solve (one programme per connected component, and a packing into models of
    // about 300 columns — the default 4,000 holds every candidate of this recording in one
    // model) against one whole programme over every event, at the final parameters: same
    // clustering and cost.
    let at = |columns_per_model: usize| {
        let o = MultiOptions {
            columns_per_model,
            ..opts.clone()
        };
        align_once(&input, &o, &r.delta, r.s, r.delta_f.as_deref(), r.s_f)
            .expect("alignment at the final parameters")
    };
    let whole = at(usize::MAX);
    assert_eq!(whole.solver.models, 1, "one whole programme");
    for per_model in [1, 300] {
        let split = at(per_model);
        assert!(split.solver.models > 1);
        assert!(
            (split.objective - whole.objective).abs() <= 1e-9 * whole.objective.abs().max(1.0),
            "split {} vs whole {}",
            split.objective,
            whole.objective
        );
        assert_eq!(split.clusters, whole.clusters);
    }
    // The analysis converged: the final clustering is optimal at its own parameters.
    assert!(
        (whole.objective - r.solver.objective).abs() <= 1e-9 * whole.objective.abs().max(1.0),
        "re-alignment {} vs analysis {}",
        whole.objective,
        r.solver.objective
    );
    eprintln!(
        "whole programme: {} events in one model, objective {:.6} (= split)",
        r.n_events, whole.objective
    );
}
