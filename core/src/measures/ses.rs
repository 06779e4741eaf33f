//! Stochastic event synchrony as measure plugins: `ses-1d` (point processes: event
//! times, e.g. bump centre times) and `ses-bumps` (time-frequency bumps). The algorithms
//! live in [`crate::ses`]; this file maps parameters and outputs.

use super::{
    InputKind, Measure, MeasureError, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    SurrogateSetup, Value,
};
use crate::bumps::Bump;
use crate::measures::Direction;
use crate::ses::bumps::{ses_bumps, ses_bumps_with_chance, BumpSesOptions, WidthNormalisation};
use crate::ses::coincidence::{self, BumpChance};
use crate::ses::{ses_1d, AlignmentMethod, NonCoincidentCost, OneDOptions, Prior, SesError};
use crate::surrogates::{self, ShiftOptions, Tail};
use rayon::prelude::*;

fn ses_err(e: SesError) -> MeasureError {
    MeasureError::Invalid(e.to_string())
}

/// Evenly spaced starting delays `centre + linspace(−spread, spread, n)` (`{centre}` when n = 1).
pub fn start_delays(centre: f64, spread: f64, n: usize) -> Vec<f64> {
    if n <= 1 {
        return vec![centre];
    }
    (0..n)
        .map(|k| centre + spread * (2.0 * k as f64 - (n - 1) as f64) / (n - 1) as f64)
        .collect()
}

/// 1-D SES (docs/model.md §2) on event times in seconds.
pub struct Ses1d;

static SES1D_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "beta",
        unit: "s^-1/2",
        kind: ParamKind::FloatOrAuto { default: None, min: 1e-12, max: 1e6 },
        doc: "Cost of a non-coincident event, κ = −ln β. A number fixes β; `auto` sets κ by `auto_cost`.",
    },
    ParamSpec {
        name: "auto_cost",
        unit: "",
        kind: ParamKind::Choice {
            default: "coincidences",
            options: &["coincidences", "match_radius"],
        },
        doc: "How `beta = auto` sets κ: `coincidences` estimates β = p̂_d·√λ̂ once from the coincidences in excess of chance (see docs/ses.md); `match_radius` is the earlier default, a matching radius of 3 prior standard deviations (2κ = 9/2 + ½ ln(2π s0)).",
    },
    ParamSpec {
        name: "nu",
        unit: "",
        kind: ParamKind::Float { default: 2.0, min: 0.0, max: 1e6 },
        doc: "Degrees of freedom ν of the scaled-inverse-χ² prior on the jitter variance st.",
    },
    ParamSpec {
        name: "s0",
        unit: "s^2",
        kind: ParamKind::Float { default: 1e-4, min: 1e-15, max: 1e6 },
        doc: "Prior scale s0 of the jitter variance (the expected jitter squared; 1e-4 s² = (10 ms)²).",
    },
    ParamSpec {
        name: "st_max",
        unit: "s^2",
        kind: ParamKind::FloatOrAuto { default: None, min: 1e-15, max: 1e6 },
        doc: "Upper bound of st: the prior is truncated to st ≤ st_max, so the alternation cannot run away to chance alignments. `auto` = 4·s0 (σt ≤ 2√s0 = 20 ms by default).",
    },
    ParamSpec {
        name: "bounded",
        unit: "",
        kind: ParamKind::Bool { default: true },
        doc: "Apply st_max. `false` restores the spec's unbounded prior (earlier behaviour; may run away on dense or unrelated trains).",
    },
    ParamSpec {
        name: "init_jitter_var",
        unit: "s^2",
        kind: ParamKind::FloatOrAuto { default: None, min: 1e-15, max: 1e6 },
        doc: "Initial jitter variance st(0), deliberately wide. `auto` = 4·s0.",
    },
    ParamSpec {
        name: "init_delay",
        unit: "s",
        kind: ParamKind::Float { default: 0.0, min: -1e6, max: 1e6 },
        doc: "Centre of the starting delays δt(0).",
    },
    ParamSpec {
        name: "start_spread",
        unit: "s",
        kind: ParamKind::FloatOrAuto { default: None, min: 0.0, max: 1e6 },
        doc: "Starting delays span init_delay ± start_spread evenly. `auto` = 2·√st(0).",
    },
    ParamSpec {
        name: "n_starts",
        unit: "",
        kind: ParamKind::Int { default: 5, min: 1, max: 1000 },
        doc: "Number of starting delays; the run with the lowest final cost is kept.",
    },
    ParamSpec {
        name: "max_iterations",
        unit: "",
        kind: ParamKind::Int { default: 100, min: 1, max: 100_000 },
        doc: "Cap on coordinate-descent iterations (alignment ↔ MAP step).",
    },
    SURROGATES,
    MIN_SHIFT,
    SEED,
];

/// Number of circular-shift surrogates per pair (shared by both SES measures).
const SURROGATES: ParamSpec = ParamSpec {
    name: "surrogates",
    unit: "",
    kind: ParamKind::Int { default: DEFAULT_SURROGATES, min: 0, max: 100_000 },
    doc: "Surrogate pairs per pair: one signal's events circularly shifted by a random offset, SES rerun; gives rho_null, sync and p. 0 = off.",
};

/// Minimum lag of a surrogate shift.
const MIN_SHIFT: ParamSpec = ParamSpec {
    name: "min_shift",
    unit: "s",
    kind: ParamKind::Float {
        default: 2.0,
        min: 0.0,
        max: 1e6,
    },
    doc: "Smallest circular shift of a surrogate (at most a quarter of the window is used).",
};

/// Seed of the surrogate offsets.
const SEED: ParamSpec = ParamSpec {
    name: "seed",
    unit: "",
    kind: ParamKind::Int { default: 0, min: 0, max: i64::MAX },
    doc: "Seed of the surrogate shifts (mixed with a hash of each pair's events: deterministic whatever the thread count).",
};

/// Default number of surrogates: enough for `p` to reach 0.05 (1/(K + 1)) and for
/// `rho_null` to have a standard error of about a fifth of the surrogates' spread.
pub const DEFAULT_SURROGATES: i64 = 19;

/// Outputs of the chance comparison, shared by both SES measures.
const CHANCE_OUTPUTS: [OutputSpec; 4] = [
    OutputSpec {
        name: "rho_null",
        unit: "",
        doc: "Chance level of ρ: its mean over the surrogates (one signal circularly shifted).",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "sync",
        unit: "",
        doc: "Synchrony beyond chance, (rho_null − ρ)/rho_null: 0 = chance, 1 = every event aligned, < 0 = fewer alignments than chance.",
        direction: Direction::Higher,
    },
    OutputSpec {
        name: "p",
        unit: "",
        doc: "One-sided surrogate p-value (1 + #{surrogate ρ ≤ ρ})/(1 + K): small when ρ is below chance.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "pd",
        unit: "",
        doc: "Deletion probability p̂_d estimated from the coincidences in excess of chance (with the data-based cost).",
        direction: Direction::Neither,
    },
];

static SES1D_OUTPUTS: &[OutputSpec] = &[
    OutputSpec {
        name: "delay",
        unit: "s",
        doc: "δt: mean delay of y after x over aligned pairs (absent when no pair).",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "st",
        unit: "s^2",
        doc: "Timing-jitter variance st.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "sigma_t",
        unit: "s",
        doc: "Timing jitter σt = √st.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "rho",
        unit: "",
        doc: "ρ: fraction of non-coincident events.",
        direction: Direction::Lower,
    },
    OutputSpec {
        name: "n_pairs",
        unit: "",
        doc: "Aligned pairs.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "n_events",
        unit: "",
        doc: "Events of both signals.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "cost",
        unit: "",
        doc: "Final value of the SES objective.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "certified",
        unit: "",
        doc: "1 when the alignment is a proven optimum (always, the dynamic programme is exact).",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "st_at_bound",
        unit: "",
        doc: "1 when st sits at its bound st_max: st and σt are then a bound, not a measurement.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "kappa",
        unit: "",
        doc: "Cost κ of a non-coincident event used (fixed or estimated).",
        direction: Direction::Neither,
    },
    CHANCE_OUTPUTS[0],
    CHANCE_OUTPUTS[1],
    CHANCE_OUTPUTS[2],
    CHANCE_OUTPUTS[3],
];

/// [`OneDOptions`] from plugin parameters.
pub fn one_d_options(p: &ParamValues) -> Result<OneDOptions, MeasureError> {
    let s0 = p.f64("s0")?;
    let st0 = p.f64_or_auto("init_jitter_var")?.unwrap_or(4.0 * s0);
    let spread = p.f64_or_auto("start_spread")?.unwrap_or(2.0 * st0.sqrt());
    let n = usize::try_from(p.int("n_starts")?).map_err(|_| MeasureError::Param {
        name: "n_starts".into(),
        reason: "must be ≥ 1".into(),
    })?;
    let st_max = if p.bool("bounded")? {
        Some(p.f64_or_auto("st_max")?.unwrap_or(4.0 * s0))
    } else {
        None
    };
    Ok(OneDOptions {
        cost: match (p.f64_or_auto("beta")?, p.text("auto_cost")?) {
            (Some(b), _) => NonCoincidentCost::Beta(b),
            (None, "match_radius") => NonCoincidentCost::MatchRadius { z_max: 3.0 },
            (None, _) => NonCoincidentCost::Coincidences,
        },
        prior: Prior::new(p.f64("nu")?, s0),
        init_jitter_var: st0,
        init_delays: start_delays(p.f64("init_delay")?, spread, n),
        max_iterations: p.int("max_iterations")?.max(1) as usize,
        st_max,
        ..OneDOptions::default()
    })
}

/// The surrogate settings of an SES measure.
pub fn shift_options(p: &ParamValues) -> Result<ShiftOptions, MeasureError> {
    Ok(ShiftOptions {
        count: p.int("surrogates")?.max(0) as usize,
        min_shift: p.f64("min_shift")?,
        seed: p.int("seed")?.max(0) as u64,
    })
}

/// ρ of `count` circular-shift surrogates of a pair (in the order of their offsets;
/// computed in parallel, deterministic).
fn surrogate_rhos(
    shift: &ShiftOptions,
    seed: u64,
    window: (f64, f64),
    one: impl Fn(f64) -> Result<f64, SesError> + Sync,
) -> Result<Vec<f64>, MeasureError> {
    let offsets = surrogates::shift_offsets(seed, shift.count, window, shift.min_shift)
        .map_err(|e| MeasureError::Invalid(e.to_string()))?;
    offsets
        .par_iter()
        .map(|&o| one(o).map_err(ses_err))
        .collect()
}

/// Appends the outputs every SES fit reports: `rho`, `n_pairs`, `n_events` (both
/// signals together), `cost` and `certified` (1 when the alignment is the proven optimum).
fn push_fit(
    out: &mut Vec<Value>,
    rho: f64,
    n_pairs: usize,
    n_events: (usize, usize),
    cost: f64,
    certified: bool,
) {
    out.push(Value::new("rho", rho));
    out.push(Value::new("n_pairs", n_pairs as f64));
    out.push(Value::new("n_events", (n_events.0 + n_events.1) as f64));
    out.push(Value::new("cost", cost));
    out.push(Value::new("certified", f64::from(u8::from(certified))));
}

/// Appends `rho_null`, `sync` and `p` for an observed ρ, from the surrogates the
/// parameters ask for: `one(offset)` is ρ of the pair with the second signal circularly
/// shifted by `offset` seconds, `seed(base)` the pair's seed from the user's one. Adds
/// nothing when no surrogate is asked for or the window is empty.
fn push_chance(
    out: &mut Vec<Value>,
    params: &ParamValues,
    window: (f64, f64),
    seed: impl FnOnce(u64) -> u64,
    rho: f64,
    one: impl Fn(f64) -> Result<f64, SesError> + Sync,
) -> Result<(), MeasureError> {
    let shift = shift_options(params)?;
    if shift.count == 0 || window.1 <= window.0 {
        return Ok(());
    }
    let seed = seed(shift.seed);
    let null = surrogate_rhos(&shift, seed, window, one)?;
    let Some(s) = surrogates::summarize(rho, &null, Tail::Lower, surrogates::tie_draw(seed)) else {
        return Ok(());
    };
    out.push(Value::new("rho_null", s.mean));
    if s.mean > 0.0 {
        out.push(Value::new("sync", (s.mean - rho) / s.mean));
    }
    out.push(Value::new("p", s.p));
    Ok(())
}

/// The tested outputs of SES on a surrogate pair of a significance test: `rho`, and
/// `sync` measured against the OBSERVED pair's chance level `rho_null` (from
/// `observed`), not against a chance level of its own. A circular shift keeps each
/// signal's rate and structure, which is all `rho_null` depends on, so the observed
/// pair's level is the surrogate's too, and skipping the K inner surrogates makes the
/// test K + 1 times faster. `sync = (rho_null − ρ)/rho_null` is then a decreasing
/// function of ρ shared by the observed pair and its surrogates, so the test of `sync`
/// and the test of `rho` rank the surrogates alike.
fn surrogate_outputs(rho: f64, observed: &[Value]) -> Vec<Value> {
    let mut out = vec![Value::new("rho", rho)];
    let rho_null = observed
        .iter()
        .find(|v| v.name == "rho_null")
        .map(|v| v.value);
    if let Some(rn) = rho_null.filter(|&r| r > 0.0) {
        out.push(Value::new("sync", (rn - rho) / rn));
    }
    out
}

/// The window used for surrogates and the data-based cost: the pair's window, or the
/// span of its events when the window is empty.
fn effective_window(window: (f64, f64), times: impl Iterator<Item = f64>) -> (f64, f64) {
    if window.1 > window.0 && window.0.is_finite() && window.1.is_finite() {
        return window;
    }
    times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
        (lo.min(t), hi.max(t))
    })
}

/// 1-D SES of a pair with its chance comparison, as measure outputs.
pub fn ses_1d_values(
    x: &[f64],
    y: &[f64],
    window: (f64, f64),
    params: &ParamValues,
) -> Result<Vec<Value>, MeasureError> {
    let mut opts = one_d_options(params)?;
    let window = effective_window(window, x.iter().chain(y).copied());
    if window.1 > window.0 {
        opts.duration = Some(window.1 - window.0);
    }
    let r = ses_1d(x, y, &opts).map_err(ses_err)?;
    let p = &r.params;
    let mut out = Vec::with_capacity(14);
    if let Some(d) = p.delay {
        out.push(Value::new("delay", d));
    }
    out.push(Value::new("st", p.jitter_var));
    out.push(Value::new("sigma_t", p.jitter_sd()));
    push_fit(&mut out, p.rho, p.n_pairs, p.n_events, p.cost, true);
    out.push(Value::new(
        "st_at_bound",
        f64::from(u8::from(p.jitter_at_bound)),
    ));
    out.push(Value::new("kappa", p.kappa));
    let seed = |base| surrogates::pair_seed(base, [x, y]);
    push_chance(&mut out, params, window, seed, p.rho, |o| {
        let ys = surrogates::shift_times(y, window, o);
        ses_1d(x, &ys, &opts).map(|r| r.params.rho)
    })?;
    if let Some(c) = &p.coincidences {
        out.push(Value::new("pd", c.pd));
    }
    Ok(out)
}

/// 1-D SES of a surrogate pair in a significance test (see [`surrogate_outputs`]).
fn ses_1d_surrogate(
    x: &[f64],
    y: &[f64],
    window: (f64, f64),
    params: &ParamValues,
    observed: &[Value],
) -> Result<Vec<Value>, MeasureError> {
    let mut opts = one_d_options(params)?;
    let window = effective_window(window, x.iter().chain(y).copied());
    if window.1 > window.0 {
        opts.duration = Some(window.1 - window.0);
    }
    let r = ses_1d(x, y, &opts).map_err(ses_err)?;
    Ok(surrogate_outputs(r.params.rho, observed))
}

impl Measure for Ses1d {
    fn id(&self) -> &'static str {
        "ses-1d"
    }
    fn title(&self) -> &'static str {
        "Stochastic event synchrony (point processes)"
    }
    fn doc(&self) -> &'static str {
        "Aligns the events of two signals (times in s) under a model of a common hidden process \
         with delay δt, Gaussian jitter of variance st and independent deletions; alternates an exact \
         alignment (dynamic programme) and MAP estimation of (δt, st). ρ is the fraction of events left \
         unaligned: low ρ and low st mean strong synchrony."
    }
    fn input(&self) -> InputKind {
        InputKind::PointProcess
    }
    fn params(&self) -> &'static [ParamSpec] {
        SES1D_PARAMS
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        SES1D_OUTPUTS
    }
    fn directed(&self) -> bool {
        // δt changes sign with the order; st and ρ do not. Pairs are reported as (i < j).
        false
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, window) = trains_of(self, pair)?;
        ses_1d_values(x, y, window, params)
    }
    fn surrogate_compute(
        &self,
        pair: &PairInput,
        params: &ParamValues,
        observed: &[Value],
        _setup: &SurrogateSetup,
    ) -> Result<Vec<Value>, MeasureError> {
        let (x, y, window) = trains_of(self, pair)?;
        ses_1d_surrogate(x, y, window, params, observed)
    }
}

fn kind(p: &PairInput) -> InputKind {
    match p {
        PairInput::PointProcess { .. } => InputKind::PointProcess,
        PairInput::Bumps { .. } => InputKind::Bumps,
        PairInput::Continuous { .. } => InputKind::Continuous,
    }
}

/// The error of measure `m` given a pair of another kind than it reads.
fn wrong_input(m: &dyn Measure, pair: &PairInput) -> MeasureError {
    MeasureError::WrongInput {
        measure: m.id(),
        expected: m.input(),
        got: kind(pair),
    }
}

/// Two event sets of a pair and its window `(start, end)`, s.
type EventPair<'a, T> = (&'a [T], &'a [T], (f64, f64));

/// The event trains (s) and the window (s) of a pair, for a measure on point processes.
fn trains_of<'a>(
    m: &dyn Measure,
    pair: &PairInput<'a>,
) -> Result<EventPair<'a, f64>, MeasureError> {
    match pair {
        PairInput::PointProcess { x, y, window } => Ok((x, y, *window)),
        _ => Err(wrong_input(m, pair)),
    }
}

/// The bumps and the window (s) of a pair, for a measure on bumps.
fn bumps_of<'a>(
    m: &dyn Measure,
    pair: &PairInput<'a>,
) -> Result<EventPair<'a, Bump>, MeasureError> {
    match pair {
        PairInput::Bumps { x, y, window } => Ok((x, y, *window)),
        _ => Err(wrong_input(m, pair)),
    }
}

/// Bump SES (docs/model.md §3): five parameters from two bump sets.
pub struct SesBumps;

static SESBUMPS_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "beta",
        unit: "",
        kind: ParamKind::FloatOrAuto { default: None, min: 1e-12, max: 1e6 },
        doc: "Cost of a non-coincident bump, κ = −ln β (in the units of the normalised offsets). `auto`: β = p̂_d·√λ̂ estimated once from the coincidences in excess of chance (see docs/ses.md); 0.05 is the earlier default.",
    },
    ParamSpec {
        name: "nu_t",
        unit: "",
        kind: ParamKind::Float { default: 2.0, min: 0.0, max: 1e6 },
        doc: "Prior degrees of freedom of st.",
    },
    ParamSpec {
        name: "s0_t",
        unit: "",
        kind: ParamKind::Float { default: 0.05, min: 1e-15, max: 1e6 },
        doc: "Prior scale of st (normalised time offsets²; s² without normalisation). Also st(0).",
    },
    ParamSpec {
        name: "nu_f",
        unit: "",
        kind: ParamKind::Float { default: 2.0, min: 0.0, max: 1e6 },
        doc: "Prior degrees of freedom of sf.",
    },
    ParamSpec {
        name: "s0_f",
        unit: "",
        kind: ParamKind::Float { default: 0.05, min: 1e-15, max: 1e6 },
        doc: "Prior scale of sf (normalised frequency offsets²; Hz² without normalisation). Also sf(0).",
    },
    ParamSpec {
        name: "st_max",
        unit: "",
        kind: ParamKind::FloatOrAuto { default: None, min: 1e-15, max: 1e6 },
        doc: "Upper bound of st (truncated prior, so the alternation cannot run away to chance alignments). `auto` = 4·s0_t.",
    },
    ParamSpec {
        name: "sf_max",
        unit: "",
        kind: ParamKind::FloatOrAuto { default: None, min: 1e-15, max: 1e6 },
        doc: "Upper bound of sf (truncated prior). `auto` = 4·s0_f.",
    },
    ParamSpec {
        name: "bounded",
        unit: "",
        kind: ParamKind::Bool { default: true },
        doc: "Apply st_max and sf_max. `false` restores the spec's unbounded priors (earlier behaviour; may run away on dense or unrelated bump sets).",
    },
    ParamSpec {
        name: "init_delay_t",
        unit: "",
        kind: ParamKind::Float { default: 0.0, min: -1e6, max: 1e6 },
        doc: "Initial δt.",
    },
    ParamSpec {
        name: "init_delay_f",
        unit: "",
        kind: ParamKind::Float { default: 0.0, min: -1e6, max: 1e6 },
        doc: "Initial δf.",
    },
    ParamSpec {
        name: "normalisation",
        unit: "",
        kind: ParamKind::Choice {
            default: "sum_of_widths",
            options: &["sum_of_widths", "root_sum_squares", "none"],
        },
        doc: "Offsets divided by Δ + Δ', by √(Δ² + Δ'²), or not at all (then δt in s, δf in Hz).",
    },
    ParamSpec {
        name: "alignment",
        unit: "",
        kind: ParamKind::Choice { default: "max-product", options: &["max-product", "exact"] },
        doc: "Max-product message passing (certified against the exact matching, replaced by it when it fails) or the exact matching.",
    },
    ParamSpec {
        name: "damping",
        unit: "",
        kind: ParamKind::Float { default: 0.0, min: 0.0, max: 0.99 },
        doc: "Max-product damping η.",
    },
    ParamSpec {
        name: "max_sweeps",
        unit: "",
        kind: ParamKind::Int { default: 20_000, min: 1, max: 1_000_000 },
        doc: "Max-product sweep cap.",
    },
    ParamSpec {
        name: "max_iterations",
        unit: "",
        kind: ParamKind::Int { default: 100, min: 1, max: 100_000 },
        doc: "Cap on coordinate-descent iterations.",
    },
    ParamSpec {
        name: "require_overlap",
        unit: "",
        kind: ParamKind::Bool { default: false },
        doc: "Only pair bumps whose time-frequency boxes overlap.",
    },
    SURROGATES,
    MIN_SHIFT,
    SEED,
];

static SESBUMPS_OUTPUTS: &[OutputSpec] = &[
    OutputSpec {
        name: "delay_t",
        unit: "",
        doc: "δt: mean normalised time offset (absent when no pair).",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "st",
        unit: "",
        doc: "Variance of the normalised time offsets.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "sigma_t",
        unit: "",
        doc: "√st.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "delay_f",
        unit: "",
        doc: "δf: mean normalised frequency offset (absent when no pair).",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "sf",
        unit: "",
        doc: "Variance of the normalised frequency offsets.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "rho",
        unit: "",
        doc: "ρ: fraction of non-coincident bumps.",
        direction: Direction::Lower,
    },
    OutputSpec {
        name: "n_pairs",
        unit: "",
        doc: "Aligned pairs.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "n_events",
        unit: "",
        doc: "Bumps of both signals.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "cost",
        unit: "",
        doc: "Final value of the SES objective.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "certified",
        unit: "",
        doc: "1 when max-product's final alignment was certified optimal by the exact matching on every component (0: the exact matching replaced it on some component; the alignment used is optimal either way).",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "st_at_bound",
        unit: "",
        doc: "1 when st sits at its bound st_max: st and σt are then a bound, not a measurement.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "sf_at_bound",
        unit: "",
        doc: "1 when sf sits at its bound sf_max.",
        direction: Direction::Neither,
    },
    OutputSpec {
        name: "kappa",
        unit: "",
        doc: "Cost κ of a non-coincident bump used (fixed or estimated).",
        direction: Direction::Neither,
    },
    CHANCE_OUTPUTS[0],
    CHANCE_OUTPUTS[1],
    CHANCE_OUTPUTS[2],
    CHANCE_OUTPUTS[3],
];

/// [`BumpSesOptions`] from plugin parameters.
pub fn bump_options(p: &ParamValues) -> Result<BumpSesOptions, MeasureError> {
    let s0t = p.f64("s0_t")?;
    let s0f = p.f64("s0_f")?;
    let bounded = p.bool("bounded")?;
    let bound = |name: &str, s0: f64| -> Result<Option<f64>, MeasureError> {
        Ok(bounded.then_some(p.f64_or_auto(name)?.unwrap_or(4.0 * s0)))
    };
    Ok(BumpSesOptions {
        cost: match p.f64_or_auto("beta")? {
            Some(b) => NonCoincidentCost::Beta(b),
            None => NonCoincidentCost::Coincidences,
        },
        st_max: bound("st_max", s0t)?,
        sf_max: bound("sf_max", s0f)?,
        prior_t: Prior::new(p.f64("nu_t")?, s0t),
        prior_f: Prior::new(p.f64("nu_f")?, s0f),
        init: [p.f64("init_delay_t")?, s0t, p.f64("init_delay_f")?, s0f],
        normalisation: match p.text("normalisation")? {
            "root_sum_squares" => WidthNormalisation::RootSumSquares,
            "none" => WidthNormalisation::None,
            _ => WidthNormalisation::SumOfWidths,
        },
        method: match p.text("alignment")? {
            "exact" => AlignmentMethod::Exact,
            _ => AlignmentMethod::MaxProduct,
        },
        damping: p.f64("damping")?,
        max_sweeps: p.int("max_sweeps")?.max(1) as usize,
        max_iterations: p.int("max_iterations")?.max(1) as usize,
        require_overlap: p.bool("require_overlap")?,
        ..BumpSesOptions::default()
    })
}

impl Measure for SesBumps {
    fn id(&self) -> &'static str {
        "ses-bumps"
    }
    fn title(&self) -> &'static str {
        "Stochastic event synchrony (bumps)"
    }
    fn doc(&self) -> &'static str {
        "Aligns the bumps of two time-frequency maps (offsets normalised by the bump widths) and \
         estimates five parameters: time and frequency offsets δt, δf, their jitter variances st, sf, \
         and ρ, the fraction of non-coincident bumps. Alignment by max-product message passing, \
         certified against the exact minimum-cost matching."
    }
    fn input(&self) -> InputKind {
        InputKind::Bumps
    }
    fn params(&self) -> &'static [ParamSpec] {
        SESBUMPS_PARAMS
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        SESBUMPS_OUTPUTS
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, window) = bumps_of(self, pair)?;
        ses_bumps_values(x, y, window, params)
    }
    fn surrogate_setup(
        &self,
        pair: &PairInput,
        params: &ParamValues,
    ) -> Result<SurrogateSetup, MeasureError> {
        let (x, y, window) = bumps_of(self, pair)?;
        let opts = fit_options(bump_options(params)?, window, x, y);
        Ok(chance_of(x, y, &opts).map(|c| Box::new(c) as _))
    }
    fn surrogate_compute(
        &self,
        pair: &PairInput,
        params: &ParamValues,
        observed: &[Value],
        setup: &SurrogateSetup,
    ) -> Result<Vec<Value>, MeasureError> {
        let (x, y, window) = bumps_of(self, pair)?;
        let chance = setup.as_ref().and_then(|s| s.downcast_ref::<BumpChance>());
        ses_bumps_surrogate(x, y, window, params, observed, chance)
    }
}

/// Bump SES of a pair with its chance comparison, as measure outputs. Surrogates are
/// aligned with the exact solver: max-product is only kept where it reaches the exact
/// optimum, so the surrogates' ρ is the one max-product would certify, found faster.
pub fn ses_bumps_values(
    x: &[Bump],
    y: &[Bump],
    window: (f64, f64),
    params: &ParamValues,
) -> Result<Vec<Value>, MeasureError> {
    let window = effective_window(window, x.iter().chain(y).map(|b| b.t));
    let opts = fit_options(bump_options(params)?, window, x, y);
    // the chance part of the cost, shared by the fit and its shift surrogates
    let chance = chance_of(x, y, &opts);
    {
        let r = ses_bumps_with_chance(x, y, &opts, chance.as_ref()).map_err(ses_err)?;
        let p = &r.params;
        let mut out = Vec::with_capacity(16);
        if let Some(d) = p.delay_t {
            out.push(Value::new("delay_t", d));
        }
        out.push(Value::new("st", p.jitter_var_t));
        out.push(Value::new("sigma_t", p.jitter_var_t.sqrt()));
        if let Some(d) = p.delay_f {
            out.push(Value::new("delay_f", d));
        }
        out.push(Value::new("sf", p.jitter_var_f));
        push_fit(&mut out, p.rho, p.n_pairs, p.n_events, p.cost, p.certified);
        out.push(Value::new(
            "st_at_bound",
            f64::from(u8::from(p.var_t_at_bound)),
        ));
        out.push(Value::new(
            "sf_at_bound",
            f64::from(u8::from(p.var_f_at_bound)),
        ));
        out.push(Value::new("kappa", p.kappa));
        let seed = |base| {
            surrogates::pair_seed(
                base,
                [&surrogates::bump_key(x)[..], &surrogates::bump_key(y)[..]],
            )
        };
        let fast = BumpSesOptions {
            method: AlignmentMethod::Exact,
            ..opts.clone()
        };
        push_chance(&mut out, params, window, seed, p.rho, |o| {
            let ys = surrogates::shift_bumps(y, window, o);
            surrogate_rho(x, &ys, &fast, chance.as_ref())
        })?;
        if let Some(c) = &p.coincidences {
            out.push(Value::new("pd", c.pd));
        }
        Ok(out)
    }
}

/// The fit options of a bump pair: the parameters' options with the observation length
/// of the pair's effective window (see [`effective_window`]).
fn fit_options(
    mut opts: BumpSesOptions,
    window: (f64, f64),
    x: &[Bump],
    y: &[Bump],
) -> BumpSesOptions {
    let window = effective_window(window, x.iter().chain(y).map(|b| b.t));
    if window.1 > window.0 {
        opts.duration = Some(window.1 - window.0);
    }
    opts
}

/// The part of the data-based cost that a change of the bumps' times leaves unchanged
/// (the chance count, [`coincidence::bump_chance`]), computed once for a pair and shared
/// by its surrogates; `None` when the cost is fixed or the observation length unknown.
fn chance_of(x: &[Bump], y: &[Bump], opts: &BumpSesOptions) -> Option<BumpChance> {
    if !matches!(opts.cost, NonCoincidentCost::Coincidences) {
        return None;
    }
    let duration = opts.duration?;
    Some(coincidence::bump_chance(
        x,
        y,
        duration,
        [opts.prior_t.s0, opts.prior_f.s0],
        opts.normalisation,
    ))
}

/// ρ of a surrogate pair `(x, ys)`. With `chance` (the observed pair's, see
/// [`chance_of`]) the data-based cost is finished from the surrogate's own pair count in
/// one time sweep ([`coincidence::count_bump_pairs`]) instead of a pass over every pair
/// of bumps: the same κ up to the rounding of the chance sum's order.
fn surrogate_rho(
    x: &[Bump],
    ys: &[Bump],
    opts: &BumpSesOptions,
    chance: Option<&BumpChance>,
) -> Result<f64, SesError> {
    match chance {
        Some(c)
            if matches!(opts.cost, NonCoincidentCost::Coincidences)
                && opts.duration == Some(c.duration) =>
        {
            let s0 = [opts.prior_t.s0, opts.prior_f.s0];
            let pairs = coincidence::count_bump_pairs(x, ys, s0, opts.normalisation);
            let fixed = BumpSesOptions {
                cost: NonCoincidentCost::Kappa(c.cost(pairs).kappa),
                ..opts.clone()
            };
            ses_bumps(x, ys, &fixed)
        }
        _ => ses_bumps(x, ys, opts),
    }
    .map(|r| r.params.rho)
}

/// Bump SES of a surrogate pair in a significance test (see [`surrogate_outputs`]),
/// aligned with the exact solver as the chance surrogates are; `chance` as in
/// [`surrogate_rho`].
fn ses_bumps_surrogate(
    x: &[Bump],
    y: &[Bump],
    window: (f64, f64),
    params: &ParamValues,
    observed: &[Value],
    chance: Option<&BumpChance>,
) -> Result<Vec<Value>, MeasureError> {
    let mut opts = fit_options(bump_options(params)?, window, x, y);
    opts.method = AlignmentMethod::Exact;
    let rho = surrogate_rho(x, y, &opts, chance).map_err(ses_err)?;
    Ok(surrogate_outputs(rho, observed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_1d_plugin_matches_the_library() {
        let m = Ses1d;
        let p = ParamValues::defaults(m.params());
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [1.005, 2.004, 3.006, 9.0];
        let v = m
            .compute(
                &PairInput::PointProcess {
                    x: &x,
                    y: &y,
                    window: (0.0, 10.0),
                },
                &p,
            )
            .unwrap();
        let direct = ses_1d(&x, &y, &one_d_options(&p).unwrap()).unwrap();
        let get = |n: &str| v.iter().find(|q| q.name == n).unwrap().value;
        assert_eq!(get("rho"), direct.params.rho);
        assert_eq!(get("n_pairs"), 3.0);
        assert!((get("delay") - 0.005).abs() < 1e-12);
        for o in m.outputs() {
            assert!(v.iter().any(|q| q.name == o.name), "missing {}", o.name);
        }
        let w = m.compute(
            &PairInput::Bumps {
                x: &[],
                y: &[],
                window: (0.0, 1.0),
            },
            &p,
        );
        assert!(matches!(w, Err(MeasureError::WrongInput { .. })));
    }

    #[test]
    fn ses_bumps_plugin_reports_certified() {
        let m = SesBumps;
        let p = ParamValues::parse(m.params(), [("alignment", "exact")]).unwrap();
        let b = |t: f64, f: f64| Bump {
            t,
            f,
            dt: 0.3,
            df: 2.0,
            amplitude: 1.0,
            peak: 1.0,
        };
        let x = [b(1.0, 10.0), b(3.0, 12.0)];
        let y = [b(1.05, 10.3), b(3.1, 11.8)];
        let v = m
            .compute(
                &PairInput::Bumps {
                    x: &x,
                    y: &y,
                    window: (0.0, 5.0),
                },
                &p,
            )
            .unwrap();
        let get = |n: &str| v.iter().find(|q| q.name == n).unwrap().value;
        assert_eq!(get("n_pairs"), 2.0);
        assert_eq!(get("certified"), 1.0);
        assert_eq!(get("rho"), 0.0);
    }

    #[test]
    fn start_delays_are_symmetric() {
        assert_eq!(
            start_delays(0.0, 0.04, 5),
            vec![-0.04, -0.02, 0.0, 0.02, 0.04]
        );
        assert_eq!(start_delays(1.0, 0.5, 1), vec![1.0]);
    }
}
