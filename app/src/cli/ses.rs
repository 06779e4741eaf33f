//! `sesame ses 1d|bumps|multi`: stochastic event synchrony on event lists a user already
//! has (spike times from a sorter, bumps from another tool), read by the one event-file
//! reader of the core ([`sesame_core::events::read_events`], which documents the format).
//!
//! `1d` and `bumps` compare two signals (exactly two in the file, or the two named by
//! `--pair A,B`); `multi` runs the N-signal solver of [`super::ses_multi`]. The older
//! spelling `sesame ses --kind 1d|bumps|multi --events FILE …` still works: its flags are
//! converted field by field to the subcommand's, and flags that do not apply to the kind
//! are refused, never ignored.

use super::ses_multi::{self, MultiFlags, NormArg, SesMultiArgs};
use anyhow::{bail, Context, Result};
use sesame_core::bumps::Bump;
use sesame_core::events::read_events;
use sesame_core::measures::ses::{bump_options, one_d_options, Ses1d, SesBumps};
use sesame_core::measures::{Measure, ParamValues};
use sesame_core::ses::bumps::ses_bumps;
use sesame_core::ses::{ses_1d, Alignment};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The kind of `--kind` (the older spelling of the subcommand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Event times (`signal,time`).
    #[value(name = "1d")]
    OneD,
    /// Bumps (`signal,t,f,dt,df,amplitude`).
    Bumps,
    /// N-signal SES (Part III) over every signal of the file, 1-D times or bumps
    /// (the columns tell which); solved as an integer programme.
    Multi,
}

/// Stochastic event synchrony of event lists: `sesame ses 1d|bumps|multi --events FILE`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SesArgs {
    #[command(subcommand)]
    pub command: Option<SesCommand>,
    /// Kind of events: the same as the subcommand (`ses --kind multi` = `ses multi`),
    /// kept for scripts written before the subcommands.
    #[arg(long, value_enum, default_value = "1d")]
    pub kind: Kind,
    /// The flags of the older spelling (`None` with a subcommand).
    #[command(flatten)]
    pub pair: Option<PairArgs>,
    #[command(flatten)]
    pub multi: KindMultiArgs,
}

/// The kinds of SES.
#[derive(Debug, clap::Subcommand)]
pub enum SesCommand {
    /// Pairwise SES of event times (`signal,time`, s): exact dynamic programme.
    #[command(name = "1d")]
    OneD(PairArgs),
    /// Pairwise SES of bumps (`signal,t,f,dt,df,amplitude`).
    Bumps(PairArgs),
    /// N-signal SES (Part III) over every signal of the file, event times or bumps (the
    /// columns tell which), solved as an integer programme.
    Multi(SesMultiArgs),
}

/// The flags of pairwise SES (`ses 1d`, `ses bumps`).
#[derive(Debug, Clone, clap::Args)]
pub struct PairArgs {
    /// CSV of events: `signal,time` (1-D) or `signal,t,f,dt,df,amplitude` (bumps).
    #[arg(long, value_name = "EVENTS.csv")]
    pub events: PathBuf,
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
    /// Initial delay δt(0) (1-D: centre of the starting delays, s; bumps: normalised); may
    /// be negative (`--init-delay -0.03`).
    #[arg(long, allow_negative_numbers = true)]
    pub init_delay: Option<String>,
    /// Bumps: initial frequency offset δf(0); may be negative.
    #[arg(long, allow_negative_numbers = true)]
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

/// The flags of `ses --kind multi` that pairwise SES has not (`ses multi` takes them as
/// [`MultiFlags`]).
#[derive(Debug, Clone, clap::Args)]
pub struct KindMultiArgs {
    /// Multi: cluster opening cost κ_N (default −ln(λ̂·p^N) from --pd-prior and the
    /// event rate); may be negative (`--kappa -5`).
    #[arg(long, allow_negative_numbers = true)]
    pub kappa: Option<f64>,
    /// Multi: deletion probability behind the default κ_N, in (0, 1), or `auto` to estimate
    /// it from coincidences across signals (default 0.2 for event times, auto for bumps).
    #[arg(long)]
    pub pd_prior: Option<String>,
    /// Multi: initial per-copy time variance s (default 4·s0).
    #[arg(long)]
    pub s_init: Option<f64>,
    /// Multi: upper bound on the per-copy time variance s, s² (truncates its prior and
    /// caps the lossless window; default unbounded for times, 4·s0 for bumps).
    #[arg(long)]
    pub s_max: Option<f64>,
    /// Multi, bumps: upper bound on the per-copy frequency variance, Hz² (default 4·s0_f).
    #[arg(long)]
    pub s_max_f: Option<f64>,
    /// Multi: fixed candidate window (s, or normalised units); default the lossless window.
    #[arg(long)]
    pub window: Option<f64>,
    /// Multi: largest block of chained events solved as one integer programme; larger
    /// blocks are solved in overlapping time windows of this many events (default 2000).
    #[arg(long)]
    pub max_programme_events: Option<usize>,
    /// Multi: wall-clock limit of the solver, s (default 120); exceeding it is an error.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Multi: observation length T, s (default the span of the event times).
    #[arg(long)]
    pub duration: Option<f64>,
    /// Multi: number of signals N (default the number of distinct labels).
    #[arg(long)]
    pub signals: Option<usize>,
    /// Multi: index of the reference signal whose delay is fixed to 0 (default 0).
    #[arg(long)]
    pub reference: Option<usize>,
    /// Multi: include the clusters (event row indices) in the JSON output.
    #[arg(long)]
    pub clusters: bool,
}

/// One signal's events as read: names in file order, each with its rows.
struct Signals<T> {
    names: Vec<String>,
    events: Vec<Vec<T>>,
}

/// The event times of a file per signal, in file order; a bump file is refused.
fn read_times(path: &Path) -> Result<Signals<f64>> {
    let file = read_events(path)?;
    if file.is_bumps() {
        bail!(
            "{} holds bumps (signal,t,f,dt,df,amplitude): run `sesame ses bumps`",
            path.display()
        );
    }
    let events = file.times_per_signal();
    Ok(Signals {
        names: file.names,
        events,
    })
}

/// The bumps of a file per signal, in file order; a file of event times is refused.
fn read_bumps(path: &Path) -> Result<Signals<Bump>> {
    let file = read_events(path)?;
    let Some(events) = file.bumps_per_signal() else {
        bail!(
            "{} holds event times (signal,time), not bumps (signal,t,f,dt,df,amplitude): \
             run `sesame ses 1d`",
            path.display()
        );
    };
    Ok(Signals {
        names: file.names,
        events,
    })
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
                    format!(
                        "--pair: signal `{n}` has no events in {shown} (signals: {})",
                        s.names.join(", ")
                    )
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

fn params(
    specs: &[sesame_core::measures::ParamSpec],
    given: &[(&str, &Option<String>)],
) -> Result<ParamValues> {
    let list: Vec<(&str, &str)> = given
        .iter()
        .filter_map(|(n, v)| v.as_deref().map(|v| (*n, v)))
        .collect();
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
    match args.command {
        Some(SesCommand::OneD(pair)) => run_1d(&pair),
        Some(SesCommand::Bumps(pair)) => run_bumps(&pair),
        Some(SesCommand::Multi(m)) => ses_multi::run_on(&m.events, &m.flags),
        None => match &args.pair {
            Some(pair) => run_kind(args.kind, pair, &args.multi),
            None => bail!(
                "name the kind of SES and the events: `sesame ses 1d --events EVENTS.csv` \
                 (event times), `sesame ses bumps --events …` or `sesame ses multi --events …`"
            ),
        },
    }
}

/// `ses --kind K --events FILE …`: the flags of the older spelling, checked against the
/// kind and passed on as the subcommand's.
fn run_kind(kind: Kind, pair: &PairArgs, multi: &KindMultiArgs) -> Result<()> {
    if kind != Kind::Multi {
        refuse_flags(
            &[
                ("--kappa", multi.kappa.is_some()),
                ("--pd-prior", multi.pd_prior.is_some()),
                ("--s-init", multi.s_init.is_some()),
                ("--s-max", multi.s_max.is_some()),
                ("--s-max-f", multi.s_max_f.is_some()),
                ("--window", multi.window.is_some()),
                (
                    "--max-programme-events",
                    multi.max_programme_events.is_some(),
                ),
                ("--time-limit", multi.time_limit.is_some()),
                ("--duration", multi.duration.is_some()),
                ("--signals", multi.signals.is_some()),
                ("--reference", multi.reference.is_some()),
                ("--clusters", multi.clusters),
            ],
            "{flag} applies to --kind multi only",
        )?;
    }
    match kind {
        Kind::OneD => run_1d(pair),
        Kind::Bumps => run_bumps(pair),
        Kind::Multi => ses_multi::run_on(&pair.events, &multi_flags(pair, multi)?),
    }
}

/// The options of `ses multi` from the flags of `ses --kind multi`; pairwise-only flags
/// are refused rather than ignored.
fn multi_flags(args: &PairArgs, multi: &KindMultiArgs) -> Result<MultiFlags> {
    refuse_flags(
        &[
            ("--pair", args.pair.is_some()),
            ("--beta", args.beta.is_some()),
            ("--init-delay", args.init_delay.is_some()),
            ("--init-delay-f", args.init_delay_f.is_some()),
            ("--init-jitter-var", args.init_jitter_var.is_some()),
            ("--start-spread", args.start_spread.is_some()),
            ("--n-starts", args.n_starts.is_some()),
            ("--alignment", args.alignment.is_some()),
            ("--damping", args.damping.is_some()),
            ("--max-sweeps", args.max_sweeps.is_some()),
            ("--require-overlap", args.require_overlap),
        ],
        "{flag} applies to pairwise SES only, not to --kind multi (use --kappa)",
    )?;
    fn number<T: std::str::FromStr>(flag: &str, value: &Option<String>) -> Result<Option<T>> {
        value
            .as_deref()
            .map(|v| {
                v.trim()
                    .parse::<T>()
                    .map_err(|_| anyhow::anyhow!("{flag} `{v}`: expected a number"))
            })
            .transpose()
    }
    let normalisation = match args.normalisation.as_deref() {
        None => None,
        Some(v) => Some(
            <NormArg as clap::ValueEnum>::from_str(&v.trim().replace('_', "-"), true).map_err(
                |_| {
                    anyhow::anyhow!(
                        "--normalisation `{v}`: expected sum-of-widths, root-sum-squares or none"
                    )
                },
            )?,
        ),
    };
    Ok(MultiFlags {
        kappa: multi.kappa,
        pd_prior: multi.pd_prior.clone(),
        nu: number("--nu", &args.nu)?.unwrap_or(ses_multi::DEFAULT_NU),
        s0: number("--s0", &args.s0)?,
        s_init: multi.s_init,
        nu_f: number("--nu-f", &args.nu_f)?.unwrap_or(ses_multi::DEFAULT_NU),
        s0_f: number("--s0-f", &args.s0_f)?,
        s_max: multi.s_max,
        s_max_f: multi.s_max_f,
        window: multi.window,
        max_programme_events: multi
            .max_programme_events
            .unwrap_or(ses_multi::DEFAULT_MAX_PROGRAMME_EVENTS),
        time_limit: multi.time_limit.unwrap_or(ses_multi::DEFAULT_TIME_LIMIT),
        duration: multi.duration,
        signals: multi.signals,
        reference: multi.reference.unwrap_or(0),
        max_iter: number("--max-iterations", &args.max_iterations)?
            .unwrap_or(ses_multi::DEFAULT_MAX_ITER),
        normalisation,
        json: args.json,
        clusters: multi.clusters,
    })
}

/// Refuses the flags of `given` that were set: `why` names what they apply to, with
/// `{flag}` standing for the flag. Flags that do not apply are errors, never ignored.
fn refuse_flags(given: &[(&str, bool)], why: &str) -> Result<()> {
    match given.iter().find(|(_, set)| *set) {
        Some((flag, _)) => bail!("{}", why.replace("{flag}", flag)),
        None => Ok(()),
    }
}

fn run_1d(args: &PairArgs) -> Result<()> {
    let mut out = String::new();
    refuse_flags(
        &[
            ("--nu-f", args.nu_f.is_some()),
            ("--s0-f", args.s0_f.is_some()),
            ("--init-delay-f", args.init_delay_f.is_some()),
            ("--normalisation", args.normalisation.is_some()),
            ("--alignment", args.alignment.is_some()),
            ("--damping", args.damping.is_some()),
            ("--max-sweeps", args.max_sweeps.is_some()),
            ("--require-overlap", args.require_overlap),
        ],
        "{flag} applies to --kind bumps only",
    )?;
    let s = read_times(&args.events)?;
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
    let r = ses_1d(x, y, &opts)
        .with_context(|| format!("SES of `{}` and `{}`", s.names[a], s.names[b]))?;
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
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(
            out,
            "SES (1-D) of `{}` (x, {} events) and `{}` (y, {} events)",
            s.names[a],
            x.len(),
            s.names[b],
            y.len()
        )?;
        writeln!(
            out,
            "  delay δt      {} s (positive: y lags x)",
            show(q.delay)
        )?;
        writeln!(
            out,
            "  jitter st     {:.6e} s²   (σt = {:.6} s)",
            q.jitter_var,
            q.jitter_sd()
        )?;
        writeln!(out, "  rho ρ         {:.6}", q.rho)?;
        writeln!(out, "  pairs         {}", q.n_pairs)?;
        writeln!(out, "  cost          {:.6}", q.cost)?;
        writeln!(
            out,
            "  iterations    {} ({})",
            q.iterations,
            if q.converged {
                "converged"
            } else {
                "iteration cap reached"
            }
        )?;
        writeln!(out, "  certified     yes (exact dynamic programme)")?;
    }
    emit(&out)
}

fn run_bumps(args: &PairArgs) -> Result<()> {
    let mut out = String::new();
    refuse_flags(
        &[
            ("--init-jitter-var", args.init_jitter_var.is_some()),
            ("--start-spread", args.start_spread.is_some()),
            ("--n-starts", args.n_starts.is_some()),
        ],
        "{flag} applies to --kind 1d only (bumps start from st(0) = s0)",
    )?;
    let s = read_bumps(&args.events)?;
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
    let r = ses_bumps(x, y, &opts)
        .with_context(|| format!("SES of `{}` and `{}`", s.names[a], s.names[b]))?;
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
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(
            out,
            "SES (bumps) of `{}` (x, {} bumps) and `{}` (y, {} bumps)",
            s.names[a],
            x.len(),
            s.names[b],
            y.len()
        )?;
        writeln!(out, "  delay δt      {}", show(q.delay_t))?;
        writeln!(out, "  jitter st     {:.6}", q.jitter_var_t)?;
        writeln!(out, "  offset δf     {}", show(q.delay_f))?;
        writeln!(out, "  jitter sf     {:.6}", q.jitter_var_f)?;
        writeln!(out, "  rho ρ         {:.6}", q.rho)?;
        writeln!(out, "  pairs         {}", q.n_pairs)?;
        writeln!(out, "  cost          {:.6}", q.cost)?;
        writeln!(
            out,
            "  iterations    {} ({})",
            q.iterations,
            if q.converged {
                "converged"
            } else {
                "iteration cap reached"
            }
        )?;
        writeln!(
            out,
            "  certified     {}",
            if q.certified {
                "yes".to_string()
            } else {
                format!("no: exact matching used in {} step(s)", q.fallback_steps)
            }
        )?;
    }
    emit(&out)
}

/// Writes the report to stdout; a closed pipe (`sesame ses … | head`) is not an error.
fn emit(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
