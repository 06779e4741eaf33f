//! N-signal stochastic event synchrony (SES Part III).
//!
//! Events of `N ≥ 2` signals are grouped into **clusters** holding at most one event per
//! signal; every event belongs to exactly one cluster. Copy `i` of a hidden event `v` is
//! observed at `v + δ_i + ε`, `ε ~ N(0, s)` (per-copy variance `s`; the pairwise
//! difference variance is `st = 2s`), and each copy is deleted independently with
//! probability `p_d`. Integrating out the hidden event of a cluster `C` of size `m` gives
//! the cluster cost
//!
//! ```text
//! cost(C) = κ_N + g(C),   κ_N = −ln(λ·p_d^N)
//! g(C)    = ((m−1)/2)·ln(2π s) + ½·ln m + SS_C/(2s)      (g = 0 for singletons)
//! ```
//!
//! with `SS_C = Σ (a_i − ā)²` over the shifted times `a_i = x_i − δ_sig(i)`.
//!
//! The clustering minimises `Σ_C cost(C)` — a set-partitioning integer programme solved
//! with HiGHS ([`ilp`]) over the lossless candidate set ([`candidates`]); it alternates with
//! the MAP parameter updates ([`update`]) until the clustering no longer changes.
//!
//! Bumps (time–frequency events with widths) use one `g` term per dimension, with
//! absolute offsets by default or offsets normalised by the event widths (see
//! [`WidthNormalisation`] and [`MultiOptions::bumps`] for why absolute is the default).
//!
//! The candidate search, the lossless pruning and the splits of the time axis into
//! independent programmes (gaps, overlapping enumeration windows, connected components —
//! none can cut a cluster of the optimum) are documented in [`candidates`]; connected
//! components larger than [`MultiOptions::max_programme_events`] are solved in
//! overlapping time windows whose boundaries never cut a committed cluster, with a
//! certified bound on the loss ([`window`]).
//!
//! Parameters of the bump version that keep sparse bump sets in the physiological range
//! (a truncated prior `s ≤ s_max` and a data-based deletion probability for `κ_N`) are
//! explained in [`MultiOptions::bumps`].

pub mod candidates;
pub mod coincidence;
pub mod cost;
pub mod ilp;
pub mod solve;
pub mod surrogate;
mod types;
pub mod update;
pub mod window;

pub use types::{
    BumpEvent, InducedPair, MultiAlignment, MultiError, MultiEvents, MultiInput, MultiOptions,
    MultiResult, PdPrior, SolverReport, TimedEvent, WidthNormalisation, WindowRule,
};
use types::{Deadline, Ev, Prepared};

use rayon::prelude::*;

use candidates::CandidateSet;
use cost::CostModel;

fn invalid(index: usize, field: &'static str, value: f64, reason: &'static str) -> MultiError {
    MultiError::InvalidEvent {
        index,
        field,
        value,
        reason,
    }
}

fn prepare(input: &MultiInput, opts: &MultiOptions) -> Result<Prepared, MultiError> {
    let n = input.n_signals;
    let check_sig = |index: usize, signal: usize| {
        if signal >= n {
            Err(MultiError::SignalOutOfRange {
                index,
                signal,
                n_signals: n,
            })
        } else {
            Ok(())
        }
    };
    let finite = |index, field, v: f64| {
        if v.is_finite() {
            Ok(())
        } else {
            Err(invalid(index, field, v, "not finite"))
        }
    };
    match &input.events {
        MultiEvents::Times(v) => {
            let mut evs = Vec::with_capacity(v.len());
            for (i, e) in v.iter().enumerate() {
                check_sig(i, e.signal)?;
                finite(i, "time", e.time)?;
                evs.push(Ev {
                    signal: e.signal,
                    x: [e.time, 0.0],
                    w: [1.0, 1.0],
                });
            }
            Ok(Prepared {
                evs,
                dims: 1,
                norm: WidthNormalisation::None,
            })
        }
        MultiEvents::Bumps(v) => {
            let mut evs = Vec::with_capacity(v.len());
            for (i, e) in v.iter().enumerate() {
                check_sig(i, e.signal)?;
                finite(i, "t", e.t)?;
                finite(i, "f", e.f)?;
                for (field, w) in [("dt", e.dt), ("df", e.df)] {
                    if !(w.is_finite() && w > 0.0) {
                        return Err(invalid(i, field, w, "widths must be finite and > 0"));
                    }
                }
                evs.push(Ev {
                    signal: e.signal,
                    x: [e.t, e.f],
                    w: [e.dt, e.df],
                });
            }
            Ok(Prepared {
                evs,
                dims: 2,
                norm: opts.normalisation,
            })
        }
    }
}

fn bad_opt(name: &'static str, value: impl std::fmt::Display, reason: &str) -> MultiError {
    MultiError::InvalidOption {
        name,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn validate_options(opts: &MultiOptions, n: usize, dims: usize) -> Result<(), MultiError> {
    let pos = |name, v: f64| {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(bad_opt(name, v, "must be finite and > 0"))
        }
    };
    let nonneg = |name, v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(())
        } else {
            Err(bad_opt(name, v, "must be finite and ≥ 0"))
        }
    };
    // The bound must lie above the prior scale and the start (a truncation below the
    // prior's scale, or a start outside the support, is a mistake, not a choice).
    let bounded = |name_max: &'static str,
                   max: Option<f64>,
                   name_s0: &'static str,
                   s0: f64,
                   name_init: &'static str,
                   init: Option<f64>| {
        let Some(m) = max else { return Ok(()) };
        pos(name_max, m)?;
        if s0 > m {
            return Err(bad_opt(
                name_max,
                m,
                &format!("must be ≥ {name_s0} = {s0} (the prior scale)"),
            ));
        }
        match init {
            Some(v) if v > m => Err(bad_opt(
                name_init,
                v,
                &format!("must be ≤ {name_max} = {m}"),
            )),
            _ => Ok(()),
        }
    };
    nonneg("nu", opts.nu)?;
    pos("s0", opts.s0)?;
    if let Some(v) = opts.s_init {
        pos("s_init", v)?;
    }
    bounded("s_max", opts.s_max, "s0", opts.s0, "s_init", opts.s_init)?;
    if dims == 2 {
        nonneg("nu_f", opts.nu_f)?;
        pos("s0_f", opts.s0_f)?;
        if let Some(v) = opts.s_init_f {
            pos("s_init_f", v)?;
        }
        bounded(
            "s_max_f",
            opts.s_max_f,
            "s0_f",
            opts.s0_f,
            "s_init_f",
            opts.s_init_f,
        )?;
    }
    if let Some(k) = opts.kappa_n {
        if !k.is_finite() {
            return Err(bad_opt("kappa_n", k, "must be finite"));
        }
    }
    if let PdPrior::Fixed(p) = opts.pd_prior {
        if !(p > 0.0 && p < 1.0) {
            return Err(bad_opt("pd_prior", p, "must lie in (0, 1)"));
        }
    }
    if let WindowRule::Fixed(w) = opts.window {
        nonneg("window", w)?;
    }
    if opts.reference >= n {
        return Err(bad_opt(
            "reference",
            opts.reference,
            &format!("must be a signal index below N = {n}"),
        ));
    }
    if opts.max_iter == 0 {
        return Err(bad_opt("max_iter", 0, "must be ≥ 1"));
    }
    pos("time_limit_s", opts.time_limit_s)?;
    if opts.max_candidates_per_component == 0 {
        return Err(bad_opt("max_candidates_per_component", 0, "must be ≥ 1"));
    }
    if opts.max_programme_events == 0 {
        return Err(bad_opt("max_programme_events", 0, "must be ≥ 1"));
    }
    for (k, d) in opts.delta_starts.iter().enumerate() {
        if d.len() != n {
            return Err(bad_opt(
                "delta_starts",
                format!("start {k} of length {}", d.len()),
                &format!("every start needs N = {n} offsets"),
            ));
        }
        if d.iter().any(|v| !v.is_finite()) {
            return Err(bad_opt("delta_starts", format!("start {k}"), "not finite"));
        }
    }
    Ok(())
}

/// Deletion probability from the cluster sizes: the fixed point of
/// `p ← 1 − M_ev·(1 − p^N)/(N·K)`, i.e. the solution of the zero-truncated binomial mean
/// equation `N(1 − p)/(1 − p^N) = M_ev/K` (found by bisection; `p = 1` when every
/// cluster is a singleton, `p = 0` when every cluster is full).
pub fn deletion_probability(n_signals: usize, n_events: usize, n_clusters: usize) -> f64 {
    if n_clusters == 0 {
        return f64::NAN;
    }
    let nf = n_signals as f64;
    let target = n_events as f64 / n_clusters as f64;
    // mean size of the zero-truncated binomial, decreasing from N (p = 0) to 1 (p → 1).
    let mean = |p: f64| {
        if p <= 0.0 {
            nf
        } else {
            nf * (1.0 - p) / (1.0 - p.powi(n_signals as i32))
        }
    };
    if target >= nf {
        return 0.0;
    }
    if target <= 1.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid == lo || mid == hi {
            break;
        }
        if mean(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Default `κ_N = −ln(λ̂·p^N)` with `λ̂ = M_ev/(N·T·(1 − p))` (§4.6).
pub fn default_kappa(n_signals: usize, n_events: usize, duration: f64, pd_prior: f64) -> f64 {
    let nf = n_signals as f64;
    let lambda = n_events as f64 / (nf * duration * (1.0 - pd_prior));
    -(lambda.ln() + nf * pd_prior.ln())
}

/// Default `κ_N` for the prepared events, in the units of the cost's coordinates:
/// `−ln(λ̂·p^N)` with `λ̂ = M_ev/(N·A·(1 − p))` and `A` the measure of the observation
/// region in those coordinates:
///
/// * times: `A = T` (λ̂ per time unit, [`default_kappa`]);
/// * bumps without normalisation: `A = T·F`, `F` = frequency span of the bumps (Hz; 1 Hz
///   when all share one frequency), so λ̂ is per second per hertz;
/// * width-normalised bumps: `A = (T/w̄_t)·(F/w̄_f)`, the area in units of the typical
///   cluster scale `w̄_d` (the scale of two bumps of mean width; an approximation, the
///   scale varies from cluster to cluster).
pub(crate) fn default_kappa_for(prep: &Prepared, n_signals: usize, duration: f64, pd: f64) -> f64 {
    let m_ev = prep.evs.len();
    if prep.dims == 1 {
        return default_kappa(n_signals, m_ev, duration, pd);
    }
    let area = duration / coincidence::mean_scale(prep, 0) * coincidence::frequency_span(prep)
        / coincidence::mean_scale(prep, 1);
    default_kappa(n_signals, m_ev, area, pd)
}

/// `κ_N` of an analysis and, when it is the default, the deletion probability it was
/// computed from (with the coincidence count when that was estimated).
fn kappa_of(
    prep: &Prepared,
    n: usize,
    duration: f64,
    opts: &MultiOptions,
) -> (f64, Option<f64>, Option<coincidence::CoincidenceEstimate>) {
    if let Some(k) = opts.kappa_n {
        return (k, None, None);
    }
    let (pd, est) = match opts.pd_prior {
        PdPrior::Fixed(p) => (p, None),
        PdPrior::Coincidences => {
            let e = coincidence::estimate(prep, n, duration, [opts.s0, opts.s0_f]);
            (e.pd, Some(e))
        }
    };
    (default_kappa_for(prep, n, duration, pd), Some(pd), est)
}

/// Output of one alternation run (one start).
struct Run {
    clusters: Vec<Vec<usize>>,
    delta: [Vec<f64>; 2],
    s: [f64; 2],
    objective: f64,
    iterations: usize,
    converged: bool,
    report: SolverReport,
}

/// Runs N-signal SES: alternates the exact clustering (set-partitioning ILP, HiGHS) and
/// the MAP parameter updates until the clustering no longer changes (or `max_iter`).
pub fn ses_multi(input: &MultiInput, opts: &MultiOptions) -> Result<MultiResult, MultiError> {
    let n = input.n_signals;
    if n < 2 {
        return Err(MultiError::TooFewSignals(n));
    }
    let prep = prepare(input, opts)?;
    validate_options(opts, n, prep.dims)?;
    if prep.evs.is_empty() {
        return Err(MultiError::NoEvents);
    }
    let duration = match input.duration {
        Some(t) if t.is_finite() && t > 0.0 => t,
        Some(t) => return Err(bad_opt("duration", t, "must be finite and > 0")),
        None => {
            let (lo, hi) = prep
                .evs
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| {
                    (lo.min(e.x[0]), hi.max(e.x[0]))
                });
            let span = hi - lo;
            if span > 0.0 {
                span
            } else {
                return Err(bad_opt(
                    "duration",
                    "none",
                    "the events span no time; give the observation length",
                ));
            }
        }
    };
    let (kappa, pd_guess, coincidences) = kappa_of(&prep, n, duration, opts);
    let deadline = Deadline::new(opts.time_limit_s);

    let starts: Vec<Vec<f64>> = if opts.delta_starts.is_empty() {
        vec![vec![0.0; n]]
    } else {
        opts.delta_starts.clone()
    };
    let mut best: Option<Run> = None;
    for start in &starts {
        let run = alternate(&prep, n, kappa, opts, start, &deadline)?;
        // Strictly lower objective wins; ties keep the earlier start (deterministic).
        if best
            .as_ref()
            .is_none_or(|b| run.objective < b.objective - 1e-12 * b.objective.abs().max(1.0))
        {
            best = Some(run);
        }
    }
    // Invariant: `starts` is non-empty, so one run exists.
    let run = best.expect("at least one start");
    let mut r = summarise(&prep, n, kappa, duration, opts, run);
    r.pd_guess = pd_guess;
    r.coincidences = coincidences;
    Ok(r)
}

/// Candidate window (time coordinate) and, for the lossless rule with a fixed-scale cost,
/// the bound `K'` of the lossless pairwise test (see [`candidates`]).
fn window_and_bound(model: &CostModel, rule: WindowRule) -> (f64, Option<f64>) {
    match rule {
        WindowRule::Lossless => {
            let bound = (!model.normalised()).then(|| model.k_prime().max(0.0));
            (model.lossless_window(), bound)
        }
        WindowRule::Fixed(w) => (w, None),
    }
}

fn alternate(
    prep: &Prepared,
    n: usize,
    kappa: f64,
    opts: &MultiOptions,
    start: &[f64],
    deadline: &Deadline,
) -> Result<Run, MultiError> {
    let mut delta: [Vec<f64>; 2] = [start.to_vec(), vec![0.0; n]];
    // gauge
    let r = delta[0][opts.reference];
    delta[0].iter_mut().for_each(|d| *d -= r);
    let prior = update::Prior::from_options(opts);
    let mut s = [
        opts.s_init.unwrap_or(4.0 * opts.s0).min(prior.s_max[0]),
        opts.s_init_f.unwrap_or(4.0 * opts.s0_f).min(prior.s_max[1]),
    ];
    let mut prev: Option<Vec<Vec<usize>>> = None;
    let mut iterations = 0;
    let mut converged = false;
    let mut last_report = SolverReport::default();
    let mut clusters = Vec::new();
    for it in 0..opts.max_iter {
        iterations = it + 1;
        deadline.remaining()?;
        let model = CostModel::new(prep, &delta, s, kappa);
        let (window, pair_bound) = window_and_bound(&model, opts.window);
        let cand = CandidateSet::build(
            &model,
            window,
            pair_bound,
            opts.max_candidates_per_component,
        )?;
        // The previous clustering warm-starts the programmes (same optimum, less work).
        let (cl, report) = solve::solve_clustering(
            &cand,
            opts.columns_per_model,
            opts.max_programme_events,
            prev.as_deref(),
            deadline,
        )?;
        last_report = report;
        clusters = cl;
        let (nd, ns) =
            update::update_parameters(prep, n, &clusters, &delta, &prior, opts.reference);
        delta = nd;
        s = ns;
        if prev.as_ref() == Some(&clusters) {
            converged = true;
            break;
        }
        prev = Some(clusters.clone());
    }
    let model = CostModel::new(prep, &delta, s, kappa);
    let cost: f64 = clusters.iter().map(|c| model.cost(c)).sum();
    last_report.objective = cost;
    let objective = cost + update::prior_penalty(&prior, s, prep.dims);
    Ok(Run {
        clusters,
        delta,
        s,
        objective,
        iterations,
        converged,
        report: last_report,
    })
}

fn summarise(
    prep: &Prepared,
    n: usize,
    kappa: f64,
    duration: f64,
    opts: &MultiOptions,
    run: Run,
) -> MultiResult {
    let m_ev = prep.evs.len();
    let k = run.clusters.len();
    let mut sizes = vec![0usize; n];
    let mut per_sig_events = vec![0usize; n];
    let mut per_sig_single = vec![0usize; n];
    let mut singles = 0;
    for c in &run.clusters {
        sizes[c.len() - 1] += 1;
        for &e in c {
            per_sig_events[prep.evs[e].signal] += 1;
        }
        if c.len() == 1 {
            singles += 1;
            per_sig_single[prep.evs[c[0]].signal] += 1;
        }
    }
    let pd = deletion_probability(n, m_ev, k);
    let lambda_hat = k as f64 / (duration * (1.0 - pd.powi(n as i32)));
    let rho_single_per_signal = (0..n)
        .map(|i| {
            if per_sig_events[i] == 0 {
                f64::NAN
            } else {
                per_sig_single[i] as f64 / per_sig_events[i] as f64
            }
        })
        .collect();
    let pairwise = induced_pairs(prep, n, &run.clusters, opts, &per_sig_events);
    MultiResult {
        n_signals: n,
        n_events: m_ev,
        delta: run.delta[0].clone(),
        s: run.s[0],
        st: 2.0 * run.s[0],
        delta_f: (prep.dims == 2).then(|| run.delta[1].clone()),
        s_f: (prep.dims == 2).then_some(run.s[1]),
        rho_single: singles as f64 / m_ev as f64,
        rho_single_per_signal,
        pd_hat: pd,
        lambda_hat,
        kappa_n: kappa,
        pd_guess: None,
        coincidences: None,
        duration,
        cluster_sizes: sizes,
        clusters: run.clusters,
        pairwise,
        objective: run.objective,
        iterations: run.iterations,
        converged: run.converged,
        solver: run.report,
    }
}

fn induced_pairs(
    prep: &Prepared,
    n: usize,
    clusters: &[Vec<usize>],
    opts: &MultiOptions,
    per_sig_events: &[usize],
) -> Vec<InducedPair> {
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|a| ((a + 1)..n).map(move |b| (a, b)))
        .collect();
    pairs
        .par_iter()
        .map(|&(a, b)| {
            let mut d = Vec::new();
            for c in clusters {
                let ea = c.iter().find(|&&e| prep.evs[e].signal == a);
                let eb = c.iter().find(|&&e| prep.evs[e].signal == b);
                if let (Some(&ea), Some(&eb)) = (ea, eb) {
                    let scale = cost::cluster_scale(prep, c, 0);
                    d.push((prep.evs[eb].x[0] - prep.evs[ea].x[0]) / scale);
                }
            }
            let p = d.len();
            let delta = if p > 0 {
                d.iter().sum::<f64>() / p as f64
            } else {
                f64::NAN
            };
            let ss: f64 = d.iter().map(|v| (v - delta).powi(2)).sum();
            let st = (opts.nu * 2.0 * opts.s0 + ss) / (opts.nu + p as f64 + 2.0);
            let tot = per_sig_events[a] + per_sig_events[b];
            let rho = if tot > 0 {
                (tot - 2 * p) as f64 / tot as f64
            } else {
                f64::NAN
            };
            InducedPair {
                a,
                b,
                pairs: p,
                delta,
                st,
                rho,
            }
        })
        .collect()
}

/// One alignment step (the exact clustering) at fixed offsets `delta` (length `N`,
/// time unit) and per-copy variance `s`, with `κ_N`, window and solver settings from
/// `opts` (frequency parameters from `delta_f`/`s_f` for bumps, default 0 and `s0_f`).
pub fn align_once(
    input: &MultiInput,
    opts: &MultiOptions,
    delta: &[f64],
    s: f64,
    delta_f: Option<&[f64]>,
    s_f: Option<f64>,
) -> Result<MultiAlignment, MultiError> {
    let n = input.n_signals;
    if n < 2 {
        return Err(MultiError::TooFewSignals(n));
    }
    let prep = prepare(input, opts)?;
    validate_options(opts, n, prep.dims)?;
    if delta.len() != n || delta_f.is_some_and(|d| d.len() != n) {
        return Err(bad_opt(
            "delta",
            delta.len(),
            &format!("needs N = {n} offsets"),
        ));
    }
    if !(s.is_finite() && s > 0.0) {
        return Err(bad_opt("s", s, "must be finite and > 0"));
    }
    let kappa = match opts.kappa_n {
        Some(k) => k,
        None => {
            let t = input
                .duration
                .ok_or_else(|| bad_opt("duration", "none", "needed for the default κ_N"))?;
            kappa_of(&prep, n, t, opts).0
        }
    };
    let deltas = [
        delta.to_vec(),
        delta_f.map(|d| d.to_vec()).unwrap_or_else(|| vec![0.0; n]),
    ];
    let model = CostModel::new(&prep, &deltas, [s, s_f.unwrap_or(opts.s0_f)], kappa);
    let (window, pair_bound) = window_and_bound(&model, opts.window);
    let deadline = Deadline::new(opts.time_limit_s);
    let cand = CandidateSet::build(
        &model,
        window,
        pair_bound,
        opts.max_candidates_per_component,
    )?;
    let (clusters, mut solver) = solve::solve_clustering(
        &cand,
        opts.columns_per_model,
        opts.max_programme_events,
        None,
        &deadline,
    )?;
    let objective = clusters.iter().map(|c| model.cost(c)).sum();
    solver.objective = objective;
    Ok(MultiAlignment {
        clusters,
        objective,
        solver,
    })
}
