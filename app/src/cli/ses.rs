//! `sesame ses`: pairwise stochastic event synchrony on event lists a user already has
//! (spike times from a sorter, bumps from another tool), read from CSV.
//!
//! CSV with a header: `signal,time` (1-D, times in s) or `signal,t,f,dt,df,amplitude`
//! (bumps: centre time s, centre frequency Hz, time and frequency widths s and Hz,
//! amplitude). Exactly two signals, or the two named by `--pair A,B`.

use anyhow::{bail, Context, Result};
use sesame_core::bumps::Bump;
use sesame_core::measures::ses::{bump_options, one_d_options, Ses1d, SesBumps};
use sesame_core::measures::{Measure, ParamValues};
use sesame_core::ses::bumps::ses_bumps;
use sesame_core::ses::{ses_1d, Alignment};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Event times (`signal,time`).
    #[value(name = "1d")]
    OneD,
    /// Bumps (`signal,t,f,dt,df,amplitude`).
    Bumps,
}

/// Pairwise stochastic event synchrony of two signals' events.
#[derive(Debug, clap::Args)]
pub struct SesArgs {
    /// CSV of events: `signal,time` (1-D) or `signal,t,f,dt,df,amplitude` (bumps).
    #[arg(long, value_name = "EVENTS.csv")]
    pub events: PathBuf,
    /// Kind of events.
    #[arg(long, value_enum, default_value = "1d")]
    pub kind: Kind,
    /// The two signals to compare (`A,B`); needed when the file holds more than two.
    #[arg(long, value_name = "A,B")]
    pub pair: Option<String>,
    /// β, cost of a non-coincident event κ = −ln β (1-D: s^-1/2, default `auto` =
    /// matching radius of 3 prior SDs; bumps: default 0.05).
    #[arg(long)]
    pub beta: Option<String>,
    /// Prior degrees of freedom ν of st (bumps: also of sf unless --nu-f). Default 2.
    #[arg(long)]
    pub nu: Option<String>,
    /// Prior scale s0 of st (1-D: s², default 1e-4; bumps: normalised, default 0.05; also
    /// of sf unless --s0-f). Bumps start from st(0) = s0.
    #[arg(long)]
    pub s0: Option<String>,
    /// Bumps: prior degrees of freedom of sf.
    #[arg(long)]
    pub nu_f: Option<String>,
    /// Bumps: prior scale of sf.
    #[arg(long)]
    pub s0_f: Option<String>,
    /// Initial delay δt(0) (1-D: centre of the starting delays, s; bumps: normalised).
    #[arg(long)]
    pub init_delay: Option<String>,
    /// Bumps: initial frequency offset δf(0).
    #[arg(long)]
    pub init_delay_f: Option<String>,
    /// 1-D: initial jitter variance st(0), s² (default `auto` = 4·s0).
    #[arg(long)]
    pub init_jitter_var: Option<String>,
    /// 1-D: starting delays span init-delay ± this, s (default `auto` = 2·√st(0)).
    #[arg(long)]
    pub start_spread: Option<String>,
    /// 1-D: number of starting delays (default 5).
    #[arg(long)]
    pub n_starts: Option<String>,
    /// Cap on coordinate-descent iterations (default 100).
    #[arg(long)]
    pub max_iterations: Option<String>,
    /// Bumps: width normalisation (sum_of_widths, root_sum_squares, none).
    #[arg(long)]
    pub normalisation: Option<String>,
    /// Bumps: alignment solver (max-product, exact).
    #[arg(long)]
    pub alignment: Option<String>,
    /// Bumps: max-product damping in [0, 0.99].
    #[arg(long)]
    pub damping: Option<String>,
    /// Bumps: max-product sweep cap.
    #[arg(long)]
    pub max_sweeps: Option<String>,
    /// Bumps: only pair bumps whose time-frequency boxes overlap.
    #[arg(long)]
    pub require_overlap: bool,
    /// Print one JSON document (parameters, alignment, `certified`).
    #[arg(long)]
    pub json: bool,
}

/// One signal's events as read: names in file order, each with its rows.
struct Signals<T> {
    names: Vec<String>,
    events: Vec<Vec<T>>,
}

fn read_csv<T>(path: &Path, columns: &[&str], parse: impl Fn(&[f64]) -> T) -> Result<Signals<T>> {
    let shown = path.display();
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_path(path)
        .with_context(|| format!("cannot open {shown}"))?;
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{shown}: cannot read the header"))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let mut expected = vec!["signal"];
    expected.extend_from_slice(columns);
    for h in &header {
        if !expected.contains(&h.as_str()) {
            bail!("{shown}: unknown column `{h}` (expected columns: {})", expected.join(","));
        }
    }
    let pos: Vec<usize> = expected
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == c)
                .with_context(|| format!("{shown}: missing column `{c}` (expected columns: {})", expected.join(",")))
        })
        .collect::<Result<_>>()?;
    let mut out = Signals { names: Vec::new(), events: Vec::new() };
    let mut vals = vec![0.0; columns.len()];
    for rec in rdr.records() {
        let rec = rec.with_context(|| format!("{shown}: malformed row"))?;
        let line = rec.position().map_or(0, |p| p.line());
        let name = rec.get(pos[0]).unwrap_or("").to_string();
        if name.is_empty() {
            bail!("{shown} line {line}: empty signal name");
        }
        for (k, c) in columns.iter().enumerate() {
            let text = rec.get(pos[k + 1]).unwrap_or("");
            let v: f64 = text
                .parse()
                .with_context(|| format!("{shown} line {line}: column `{c}` = `{text}` is not a number"))?;
            if !v.is_finite() {
                bail!("{shown} line {line}: column `{c}` = `{text}` is not a finite number");
            }
            vals[k] = v;
        }
        let idx = match out.names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                out.names.push(name);
                out.events.push(Vec::new());
                out.names.len() - 1
            }
        };
        out.events[idx].push(parse(&vals));
    }
    Ok(out)
}

/// The indices of the two signals to compare.
fn choose_pair<T>(s: &Signals<T>, pair: Option<&str>, path: &Path) -> Result<(usize, usize)> {
    let shown = path.display();
    let (a, b) = match pair {
        Some(p) => {
            let parts: Vec<&str> = p.split(',').map(str::trim).collect();
            if parts.len() != 2 || parts.iter().any(|q| q.is_empty()) {
                bail!("--pair `{p}`: expected two signal names separated by a comma (A,B)");
            }
            let find = |n: &str| {
                s.names.iter().position(|m| m == n).with_context(|| {
                    format!("--pair: signal `{n}` has no events in {shown} (signals: {})", s.names.join(", "))
                })
            };
            (find(parts[0])?, find(parts[1])?)
        }
        None => {
            if s.names.len() != 2 {
                bail!(
                    "{shown} holds {} signal(s) ({}); SES compares exactly two: choose them with --pair A,B",
                    s.names.len(),
                    s.names.join(", ")
                );
            }
            (0, 1)
        }
    };
    if a == b {
        bail!("--pair names the same signal twice");
    }
    Ok((a, b))
}

fn params(specs: &[sesame_core::measures::ParamSpec], given: &[(&str, &Option<String>)]) -> Result<ParamValues> {
    let list: Vec<(&str, &str)> = given.iter().filter_map(|(n, v)| v.as_deref().map(|v| (*n, v))).collect();
    ParamValues::parse(specs, list).map_err(|e| anyhow::anyhow!("{e}"))
}

fn alignment_json(al: &Alignment, tx: &[f64], ty: &[f64]) -> serde_json::Value {
    serde_json::json!({
        "pairs": al.pairs.iter().map(|&(i, j)| serde_json::json!({"x": i, "y": j, "x_time": tx[i], "y_time": ty[j]})).collect::<Vec<_>>(),
        "unmatched_x": al.unmatched_x,
        "unmatched_y": al.unmatched_y,
    })
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined (no pair)".to_string(), |d| format!("{d:.6}"))
}

/// Runs `sesame ses`.
pub fn run(args: SesArgs) -> Result<()> {
    match args.kind {
        Kind::OneD => run_1d(&args),
        Kind::Bumps => run_bumps(&args),
    }
}

fn run_1d(args: &SesArgs) -> Result<()> {
    for (flag, given) in [
        ("--nu-f", args.nu_f.is_some()),
        ("--s0-f", args.s0_f.is_some()),
        ("--init-delay-f", args.init_delay_f.is_some()),
        ("--normalisation", args.normalisation.is_some()),
        ("--alignment", args.alignment.is_some()),
        ("--damping", args.damping.is_some()),
        ("--max-sweeps", args.max_sweeps.is_some()),
        ("--require-overlap", args.require_overlap),
    ] {
        if given {
            bail!("{flag} applies to --kind bumps only");
        }
    }
    let s = read_csv(&args.events, &["time"], |v| v[0])?;
    let (a, b) = choose_pair(&s, args.pair.as_deref(), &args.events)?;
    let p = params(
        Ses1d.params(),
        &[
            ("beta", &args.beta),
            ("nu", &args.nu),
            ("s0", &args.s0),
            ("init_jitter_var", &args.init_jitter_var),
            ("init_delay", &args.init_delay),
            ("start_spread", &args.start_spread),
            ("n_starts", &args.n_starts),
            ("max_iterations", &args.max_iterations),
        ],
    )?;
    let opts = one_d_options(&p).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (x, y) = (&s.events[a], &s.events[b]);
    let r = ses_1d(x, y, &opts).with_context(|| format!("SES of `{}` and `{}`", s.names[a], s.names[b]))?;
    let q = &r.params;
    if args.json {
        let doc = serde_json::json!({
            "kind": "1d",
            "signals": [s.names[a], s.names[b]],
            "time_unit": "s",
            "options": opts,
            "parameters": {
                "delay": q.delay, "st": q.jitter_var, "sigma_t": q.jitter_sd(), "rho": q.rho,
                "n_pairs": q.n_pairs, "n_events": [q.n_events.0, q.n_events.1], "cost": q.cost,
                "iterations": q.iterations, "converged": q.converged, "start_delay": r.start_delay,
            },
            "alignment": alignment_json(&r.alignment, x, y),
            "certified": true,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("SES (1-D) of `{}` (x, {} events) and `{}` (y, {} events)", s.names[a], x.len(), s.names[b], y.len());
        println!("  delay δt      {} s (positive: y lags x)", show(q.delay));
        println!("  jitter st     {:.6e} s²   (σt = {:.6} s)", q.jitter_var, q.jitter_sd());
        println!("  rho ρ         {:.6}", q.rho);
        println!("  pairs         {}", q.n_pairs);
        println!("  cost          {:.6}", q.cost);
        println!("  iterations    {} ({})", q.iterations, if q.converged { "converged" } else { "iteration cap reached" });
        println!("  certified     yes (exact dynamic programme)");
    }
    Ok(())
}

fn run_bumps(args: &SesArgs) -> Result<()> {
    for (flag, given) in [
        ("--init-jitter-var", args.init_jitter_var.is_some()),
        ("--start-spread", args.start_spread.is_some()),
        ("--n-starts", args.n_starts.is_some()),
    ] {
        if given {
            bail!("{flag} applies to --kind 1d only (bumps start from st(0) = s0)");
        }
    }
    let s = read_csv(&args.events, &["t", "f", "dt", "df", "amplitude"], |v| Bump {
        t: v[0],
        f: v[1],
        dt: v[2],
        df: v[3],
        amplitude: v[4],
        peak: v[4],
    })?;
    let (a, b) = choose_pair(&s, args.pair.as_deref(), &args.events)?;
    let overlap = args.require_overlap.then(|| "true".to_string());
    let nu_f = args.nu_f.clone().or_else(|| args.nu.clone());
    let s0_f = args.s0_f.clone().or_else(|| args.s0.clone());
    let p = params(
        SesBumps.params(),
        &[
            ("beta", &args.beta),
            ("nu_t", &args.nu),
            ("s0_t", &args.s0),
            ("nu_f", &nu_f),
            ("s0_f", &s0_f),
            ("init_delay_t", &args.init_delay),
            ("init_delay_f", &args.init_delay_f),
            ("normalisation", &args.normalisation),
            ("alignment", &args.alignment),
            ("damping", &args.damping),
            ("max_sweeps", &args.max_sweeps),
            ("max_iterations", &args.max_iterations),
            ("require_overlap", &overlap),
        ],
    )?;
    let opts = bump_options(&p).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (x, y) = (&s.events[a], &s.events[b]);
    let r = ses_bumps(x, y, &opts).with_context(|| format!("SES of `{}` and `{}`", s.names[a], s.names[b]))?;
    let q = &r.params;
    if args.json {
        let tx: Vec<f64> = x.iter().map(|e| e.t).collect();
        let ty: Vec<f64> = y.iter().map(|e| e.t).collect();
        let doc = serde_json::json!({
            "kind": "bumps",
            "signals": [s.names[a], s.names[b]],
            "options": opts,
            "parameters": {
                "delay_t": q.delay_t, "st": q.jitter_var_t, "delay_f": q.delay_f, "sf": q.jitter_var_f,
                "rho": q.rho, "n_pairs": q.n_pairs, "n_events": [q.n_events.0, q.n_events.1],
                "cost": q.cost, "iterations": q.iterations, "converged": q.converged,
            },
            "alignment": alignment_json(&r.alignment, &tx, &ty),
            "certified": q.certified,
            "fallback_steps": q.fallback_steps,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("SES (bumps) of `{}` (x, {} bumps) and `{}` (y, {} bumps)", s.names[a], x.len(), s.names[b], y.len());
        println!("  delay δt      {}", show(q.delay_t));
        println!("  jitter st     {:.6}", q.jitter_var_t);
        println!("  offset δf     {}", show(q.delay_f));
        println!("  jitter sf     {:.6}", q.jitter_var_f);
        println!("  rho ρ         {:.6}", q.rho);
        println!("  pairs         {}", q.n_pairs);
        println!("  cost          {:.6}", q.cost);
        println!("  iterations    {} ({})", q.iterations, if q.converged { "converged" } else { "iteration cap reached" });
        println!(
            "  certified     {}",
            if q.certified {
                "yes".to_string()
            } else {
                format!("no: exact matching used in {} step(s)", q.fallback_steps)
            }
        );
    }
    Ok(())
}
