//! `sesame ses multi` (and its older spellings `ses --kind multi`, `ses-multi`): N-signal
//! stochastic event synchrony (SES Part III) on an event file.
//!
//! The file is read by [`sesame_core::events::read_events`] (event times or bumps; the
//! format is documented there). `signal` is a label (e.g. a channel or region name) or an
//! index; signals are numbered in order of first appearance, or by value when every label
//! is a non-negative integer.

use anyhow::{bail, Context, Result};
use sesame_core::events::{read_events, EventRows};
use sesame_core::ses::multi::{
    ses_multi, BumpEvent, MultiEvents, MultiInput, MultiOptions, MultiResult, PdPrior, TimedEvent,
    WidthNormalisation, WindowRule,
};
use std::path::{Path, PathBuf};

/// Default prior degrees of freedom of the variances.
pub const DEFAULT_NU: f64 = 2.0;
/// Default largest block of chained events solved as one integer programme.
pub const DEFAULT_MAX_PROGRAMME_EVENTS: usize = 2000;
/// Default wall-clock limit of the solver, s.
pub const DEFAULT_TIME_LIMIT: f64 = 120.0;
/// Default cap on alternations.
pub const DEFAULT_MAX_ITER: usize = 50;

/// Offset normalisation of bumps.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormArg {
    /// Offsets divided by (2/m)·Σ widths (pairwise: Δ + Δ').
    SumOfWidths,
    /// Offsets divided by sqrt((2/m)·Σ widths²).
    RootSumSquares,
    /// Absolute offsets (s, Hz).
    None,
}

/// `sesame ses-multi EVENTS.csv`: the hidden older spelling, the file as a positional
/// argument.
#[derive(clap::Args, Debug)]
pub struct MultiArgs {
    /// Event CSV: `signal,time` or `signal,t,f,dt,df,amplitude`.
    pub events: PathBuf,
    #[command(flatten)]
    pub flags: MultiFlags,
}

/// `sesame ses multi --events EVENTS.csv`.
#[derive(clap::Args, Debug)]
pub struct SesMultiArgs {
    /// Event CSV: `signal,time` (1-D) or `signal,t,f,dt,df,amplitude` (bumps); the
    /// columns tell which.
    #[arg(long, value_name = "EVENTS.csv")]
    pub events: PathBuf,
    #[command(flatten)]
    pub flags: MultiFlags,
}

/// N-signal SES options.
#[derive(clap::Args, Debug, Clone)]
pub struct MultiFlags {
    /// Cluster opening cost κ_N (default −ln(λ̂·p^N) from --pd-prior and the event rate);
    /// may be negative (`--kappa -5`).
    #[arg(long, allow_negative_numbers = true)]
    pub kappa: Option<f64>,
    /// Deletion probability for the default κ_N: a number in (0, 1), or `auto` =
    /// estimated once from the chance-corrected rate of coincidences within two prior SDs
    /// (default: 0.2 for event times, as the spec; `auto` for bumps).
    #[arg(long)]
    pub pd_prior: Option<String>,
    /// Prior degrees of freedom ν of the per-copy time variance s.
    #[arg(long, default_value_t = DEFAULT_NU)]
    pub nu: f64,
    /// Prior scale s0 of s (s², or normalised units with a width normalisation; default
    /// 1e-4 s² for event times, 0.01 s² for bumps).
    #[arg(long)]
    pub s0: Option<f64>,
    /// Initial s (default 4·s0).
    #[arg(long)]
    pub s_init: Option<f64>,
    /// Prior degrees of freedom of the frequency variance (bumps).
    #[arg(long, default_value_t = DEFAULT_NU)]
    pub nu_f: f64,
    /// Prior scale of the frequency variance (bumps; Hz² with absolute offsets, the
    /// default, 4 Hz²; normalised units with a width normalisation).
    #[arg(long)]
    pub s0_f: Option<f64>,
    /// Upper bound on the per-copy time variance s (s², or normalised units with a width
    /// normalisation): the prior on s is truncated there, which also caps the lossless
    /// window (default: unbounded for event times; 4·s0 for bumps, the starting value —
    /// 0.04 s², jitter ≤ 0.2 s, at the default s0).
    #[arg(long)]
    pub s_max: Option<f64>,
    /// Upper bound on the per-copy frequency variance (bumps; Hz² with absolute offsets;
    /// default 4·s0_f, 16 Hz² at the default s0_f).
    #[arg(long)]
    pub s_max_f: Option<f64>,
    /// Fixed candidate window (s, or normalised units); default: the lossless window.
    #[arg(long)]
    pub window: Option<f64>,
    /// Largest block of chained events solved as one integer programme; larger blocks are
    /// solved in overlapping time windows of this many events (reported in the output).
    #[arg(long, default_value_t = DEFAULT_MAX_PROGRAMME_EVENTS)]
    pub max_programme_events: usize,
    /// Wall-clock limit of the solver (s); exceeding it is an error.
    #[arg(long, default_value_t = DEFAULT_TIME_LIMIT)]
    pub time_limit: f64,
    /// Observation length T (s); default: the span of the event times.
    #[arg(long)]
    pub duration: Option<f64>,
    /// Number of signals N (default: the number of distinct labels / max index + 1).
    #[arg(long)]
    pub signals: Option<usize>,
    /// Reference signal (index) of the gauge δ_ref = 0.
    #[arg(long, default_value_t = 0)]
    pub reference: usize,
    /// Maximum number of alternations.
    #[arg(long, default_value_t = DEFAULT_MAX_ITER)]
    pub max_iter: usize,
    /// Offset normalisation of bumps (default `none`: absolute offsets in s and Hz, which
    /// keeps the lossless candidate window exact).
    #[arg(long, value_enum)]
    pub normalisation: Option<NormArg>,
    /// Print JSON instead of a readable summary.
    #[arg(long)]
    pub json: bool,
    /// Include the clusters (event row indices) in the JSON output.
    #[arg(long)]
    pub clusters: bool,
}

/// Parsed event file.
struct Parsed {
    labels: Vec<String>,
    events: MultiEvents,
}

/// The events of the file with the signals numbered: by value when every label is a
/// non-negative integer, else in order of first appearance.
fn load(path: &Path) -> Result<Parsed> {
    let file = read_events(path)?;
    let numeric: Option<Vec<usize>> = file.names.iter().map(|l| l.parse::<usize>().ok()).collect();
    let (index, labels): (Vec<usize>, Vec<String>) = match numeric {
        Some(ix) => {
            let n = ix.iter().max().map_or(0, |m| m + 1);
            (ix, (0..n).map(|i| i.to_string()).collect())
        }
        None => ((0..file.names.len()).collect(), file.names.clone()),
    };
    let events = match file.rows {
        EventRows::Times(rows) => MultiEvents::Times(
            rows.into_iter()
                .map(|(s, time)| TimedEvent {
                    signal: index[s],
                    time,
                })
                .collect(),
        ),
        EventRows::Bumps(rows) => MultiEvents::Bumps(
            rows.into_iter()
                .map(|(s, b)| BumpEvent {
                    signal: index[s],
                    t: b.t,
                    f: b.f,
                    dt: b.dt,
                    df: b.df,
                    amplitude: b.amplitude,
                })
                .collect(),
        ),
    };
    Ok(Parsed { labels, events })
}

fn options(args: &MultiFlags, bumps: bool) -> Result<MultiOptions> {
    let base = if bumps {
        MultiOptions::bumps()
    } else {
        MultiOptions::default()
    };
    let pd_prior =
        match args.pd_prior.as_deref().map(str::trim) {
            None => base.pd_prior,
            Some(t) if t.eq_ignore_ascii_case("auto") => PdPrior::Coincidences,
            Some(t) => PdPrior::Fixed(t.parse::<f64>().with_context(|| {
                format!("--pd-prior `{t}`: expected a number in (0, 1) or `auto`")
            })?),
        };
    Ok(MultiOptions {
        kappa_n: args.kappa,
        pd_prior,
        nu: args.nu,
        s0: args.s0.unwrap_or(base.s0),
        s_init: args.s_init,
        nu_f: args.nu_f,
        s0_f: args.s0_f.unwrap_or(base.s0_f),
        s_max: args
            .s_max
            .or_else(|| bumps.then(|| 4.0 * args.s0.unwrap_or(base.s0))),
        s_max_f: args
            .s_max_f
            .or_else(|| bumps.then(|| 4.0 * args.s0_f.unwrap_or(base.s0_f))),
        max_programme_events: args.max_programme_events,
        window: args.window.map_or(WindowRule::Lossless, WindowRule::Fixed),
        normalisation: match args.normalisation {
            None => base.normalisation,
            Some(NormArg::SumOfWidths) => WidthNormalisation::SumOfWidths,
            Some(NormArg::RootSumSquares) => WidthNormalisation::RootSumSquares,
            Some(NormArg::None) => WidthNormalisation::None,
        },
        reference: args.reference,
        max_iter: args.max_iter,
        time_limit_s: args.time_limit,
        ..base
    })
}

fn json_output(r: &MultiResult, labels: &[String], with_clusters: bool) -> serde_json::Value {
    let num = |v: f64| {
        if v.is_finite() {
            serde_json::json!(v)
        } else {
            serde_json::Value::Null
        }
    };
    let mut out = serde_json::json!({
        "signals": labels,
        "n_events": r.n_events,
        "delta": r.delta.iter().map(|&v| num(v)).collect::<Vec<_>>(),
        "s": num(r.s),
        "st": num(r.st),
        "rho_single": num(r.rho_single),
        "rho_single_per_signal": r.rho_single_per_signal.iter().map(|&v| num(v)).collect::<Vec<_>>(),
        "pd_hat": num(r.pd_hat),
        "lambda_hat": num(r.lambda_hat),
        "kappa_n": num(r.kappa_n),
        "pd_guess": r.pd_guess.map(num),
        "coincidences": r.coincidences.map(|c| serde_json::json!({
            "pairs": c.pairs, "chance": num(c.chance), "pd": num(c.pd)})),
        "duration": num(r.duration),
        "cluster_sizes": r.cluster_sizes,
        "pairwise": r.pairwise.iter().map(|p| serde_json::json!({
            "a": labels[p.a], "b": labels[p.b], "pairs": p.pairs,
            "delta": num(p.delta), "st": num(p.st), "rho": num(p.rho)})).collect::<Vec<_>>(),
        "objective": num(r.objective),
        "iterations": r.iterations,
        "converged": r.converged,
        "solver": {
            "status": r.solver.status,
            "gap": num(r.solver.max_gap),
            "lp_bound": num(r.solver.lp_bound),
            "objective": num(r.solver.objective),
            "models": r.solver.models,
            "lp_integral": r.solver.lp_integral,
            "milp": r.solver.milp,
            "components": r.solver.components,
            "largest_component": r.solver.largest_component,
            "candidates": r.solver.candidates,
            "windowed_components": r.solver.windowed_components,
            "windows": r.solver.windows,
            "forced_windows": r.solver.forced_windows,
            "window_gap": num(r.solver.window_gap),
        },
    });
    if let (Some(df), Some(sf)) = (&r.delta_f, r.s_f) {
        out["delta_f"] = serde_json::json!(df.iter().map(|&v| num(v)).collect::<Vec<_>>());
        out["s_f"] = num(sf);
    }
    if with_clusters {
        out["clusters"] = serde_json::json!(r.clusters);
    }
    out
}

fn summary(r: &MultiResult, labels: &[String], reference: usize) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "N-signal SES: {} signals, {} events, {} clusters ({} iterations{})",
        r.n_signals,
        r.n_events,
        r.clusters.len(),
        r.iterations,
        if r.converged { "" } else { ", NOT converged" }
    );
    let _ = writeln!(s, "  offsets δ (relative to {}):", labels[reference]);
    for (l, d) in labels.iter().zip(&r.delta) {
        let _ = writeln!(s, "    {l:>12}: {d:+.6}");
    }
    let _ = writeln!(
        s,
        "  jitter s = {:.6e} (st = 2s = {:.6e}, σ = {:.6})",
        r.s,
        r.st,
        r.s.sqrt()
    );
    if let (Some(df), Some(sf)) = (&r.delta_f, r.s_f) {
        let _ = writeln!(s, "  frequency offsets: {df:?}, s_f = {sf:.6e}");
    }
    let _ = writeln!(
        s,
        "  ρ_single = {:.4}   p̂_d = {:.4}   λ̂ = {:.4}   κ_N = {:.4}",
        r.rho_single, r.pd_hat, r.lambda_hat, r.kappa_n
    );
    if let Some(p) = r.pd_guess {
        match r.coincidences {
            Some(c) => {
                let _ = writeln!(
                    s,
                    "  κ_N from p_d = {p:.4}, estimated from {} coincidences ({:.1} expected by chance)",
                    c.pairs, c.chance
                );
            }
            None => {
                let _ = writeln!(s, "  κ_N from the fixed guess p_d = {p:.4}");
            }
        }
    }
    let _ = writeln!(s, "  cluster sizes (1..N): {:?}", r.cluster_sizes);
    let _ = writeln!(
        s,
        "  solver: {} — {} models ({} LP-integral, {} MILP, max gap {:.2e}), {} candidates, largest block {} events",
        r.solver.status, r.solver.models, r.solver.lp_integral, r.solver.milp, r.solver.max_gap, r.solver.candidates, r.solver.largest_component
    );
    if r.solver.windows > 0 {
        let _ = writeln!(
            s,
            "  windows: {} block(s) over {} events solved in {} overlapping windows ({} forced), certified gap ≤ {:.2e}",
            r.solver.windowed_components,
            r.solver.largest_component,
            r.solver.windows,
            r.solver.forced_windows,
            r.solver.window_gap
        );
    }
    s
}

/// Runs `sesame ses-multi EVENTS.csv`.
pub fn run(args: MultiArgs) -> Result<()> {
    run_on(&args.events, &args.flags)
}

/// N-signal SES of the events of `events` with these options.
pub fn run_on(events: &Path, args: &MultiFlags) -> Result<()> {
    let parsed = load(events)?;
    let bumps = matches!(parsed.events, MultiEvents::Bumps(_));
    let n = args.signals.unwrap_or(parsed.labels.len());
    if n < parsed.labels.len() {
        bail!(
            "--signals {n} is smaller than the {} signals in the file",
            parsed.labels.len()
        );
    }
    let mut labels = parsed.labels;
    while labels.len() < n {
        labels.push(labels.len().to_string());
    }
    let input = MultiInput {
        n_signals: n,
        events: parsed.events,
        duration: args.duration,
    };
    let opts = options(args, bumps)?;
    let result = ses_multi(&input, &opts)
        .with_context(|| format!("N-signal SES on {}", events.display()))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json_output(&result, &labels, args.clusters))?
        );
    } else {
        print!("{}", summary(&result, &labels, args.reference));
    }
    Ok(())
}
