//! `sesame ses-multi`: N-signal stochastic event synchrony (SES Part III) on an event CSV.
//!
//! Input CSV (header required), one event per row:
//! * 1-D events: `signal,time` (time in s);
//! * bumps: `signal,t,f,dt,df,amplitude` (s, Hz, s, Hz, any).
//!
//! `signal` is a label (e.g. a channel or region name) or an index; signals are numbered
//! in order of first appearance, or by value when every label is a non-negative integer.

use anyhow::{bail, Context, Result};
use sesame_core::ses::multi::{
    ses_multi, BumpEvent, MultiEvents, MultiInput, MultiOptions, MultiResult, PdPrior, TimedEvent,
    WidthNormalisation, WindowRule,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Offset normalisation of bumps.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum NormArg {
    /// Offsets divided by (2/m)·Σ widths (pairwise: Δ + Δ').
    SumOfWidths,
    /// Offsets divided by sqrt((2/m)·Σ widths²).
    RootSumSquares,
    /// Absolute offsets (s, Hz).
    None,
}

/// N-signal SES options.
#[derive(clap::Args, Debug)]
pub struct MultiArgs {
    /// Event CSV: `signal,time` or `signal,t,f,dt,df,amplitude`.
    pub events: PathBuf,
    /// Cluster opening cost κ_N (default −ln(λ̂·p^N) from --pd-prior and the event rate).
    #[arg(long)]
    pub kappa: Option<f64>,
    /// Deletion probability for the default κ_N: a number in (0, 1), or `auto` =
    /// estimated once from the chance-corrected rate of coincidences within two prior SDs
    /// (default: 0.2 for event times, as the spec; `auto` for bumps).
    #[arg(long)]
    pub pd_prior: Option<String>,
    /// Prior degrees of freedom ν of the per-copy time variance s.
    #[arg(long, default_value_t = 2.0)]
    pub nu: f64,
    /// Prior scale s0 of s (s², or normalised units with a width normalisation; default
    /// 1e-4 s² for event times, 0.01 s² for bumps).
    #[arg(long)]
    pub s0: Option<f64>,
    /// Initial s (default 4·s0).
    #[arg(long)]
    pub s_init: Option<f64>,
    /// Prior degrees of freedom of the frequency variance (bumps).
    #[arg(long, default_value_t = 2.0)]
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
    #[arg(long, default_value_t = 2000)]
    pub max_programme_events: usize,
    /// Wall-clock limit of the solver (s); exceeding it is an error.
    #[arg(long, default_value_t = 120.0)]
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
    #[arg(long, default_value_t = 50)]
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

fn parse_f64(s: &str, path: &Path, row: usize, col: &str) -> Result<f64> {
    s.trim().parse::<f64>().with_context(|| {
        format!(
            "{}: row {row}, column `{col}`: `{s}` is not a number",
            path.display()
        )
    })
}

fn read_events(path: &Path) -> Result<Parsed> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let headers = rdr
        .headers()
        .with_context(|| format!("{}: cannot read the header", path.display()))?
        .clone();
    let idx = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(sig_col) = idx("signal") else {
        bail!(
            "{}: missing column `signal` (header: {:?})",
            path.display(),
            headers
        );
    };
    const BUMP_COLUMNS: [&str; 5] = ["t", "f", "dt", "df", "amplitude"];
    // Bump columns when all five are present, else the time column.
    let bump_cols: Option<Vec<(usize, &str)>> = BUMP_COLUMNS
        .iter()
        .map(|&c| idx(c).map(|i| (i, c)))
        .collect();
    let is_bumps = bump_cols.is_some();
    // The value columns of a row, in the order the events take them.
    let Some(value_cols) = bump_cols.or_else(|| idx("time").map(|i| vec![(i, "time")])) else {
        bail!(
            "{}: expected columns `signal,time` or `signal,t,f,dt,df,amplitude` (header: {:?})",
            path.display(),
            headers
        );
    };
    let mut raw_labels = Vec::new();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2; // 1-based, after the header
        let rec = rec.with_context(|| format!("{}: row {row}: malformed CSV", path.display()))?;
        let get = |c: usize| rec.get(c).unwrap_or("");
        raw_labels.push(get(sig_col).to_string());
        let mut v = Vec::with_capacity(value_cols.len());
        for &(c, name) in &value_cols {
            v.push(parse_f64(get(c), path, row, name)?);
        }
        rows.push(v);
    }
    // Signal numbering.
    let numeric: Option<Vec<usize>> = raw_labels.iter().map(|l| l.parse::<usize>().ok()).collect();
    let (sig, labels): (Vec<usize>, Vec<String>) = match numeric {
        Some(ix) => {
            let n = ix.iter().max().map_or(0, |m| m + 1);
            (ix, (0..n).map(|i| i.to_string()).collect())
        }
        None => {
            let mut map: HashMap<String, usize> = HashMap::new();
            let mut labels = Vec::new();
            let ix = raw_labels
                .iter()
                .map(|l| {
                    *map.entry(l.clone()).or_insert_with(|| {
                        labels.push(l.clone());
                        labels.len() - 1
                    })
                })
                .collect();
            (ix, labels)
        }
    };
    let events = if is_bumps {
        MultiEvents::Bumps(
            rows.iter()
                .zip(&sig)
                .map(|(v, &signal)| BumpEvent {
                    signal,
                    t: v[0],
                    f: v[1],
                    width_t: v[2],
                    width_f: v[3],
                    amplitude: v[4],
                })
                .collect(),
        )
    } else {
        MultiEvents::Times(
            rows.iter()
                .zip(&sig)
                .map(|(v, &signal)| TimedEvent { signal, time: v[0] })
                .collect(),
        )
    };
    Ok(Parsed { labels, events })
}

fn options(args: &MultiArgs, bumps: bool) -> Result<MultiOptions> {
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

/// Runs the subcommand.
pub fn run(args: MultiArgs) -> Result<()> {
    let parsed = read_events(&args.events)?;
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
    let opts = options(&args, bumps)?;
    let result = ses_multi(&input, &opts)
        .with_context(|| format!("N-signal SES on {}", args.events.display()))?;
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
