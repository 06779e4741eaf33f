//! One-dimensional SES (docs/model.md §2, Part I): coordinate descent between an exact alignment
//! (edit-distance dynamic programme, §2.5) and the closed-form MAP step (§2.4), from
//! several starting delays (§2.6), keeping the run with the lowest final cost.
//!
//! Event times and every option carrying a time share one unit (seconds in SESAME;
//! any unit works if `s0`, the initial jitter, the starts and `β` use it too).

use super::coincidence;
use super::params::{validate_bounds, Alignment, NonCoincidentCost, Prior, SesError, SesParams};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Every hyperparameter of 1-D SES. Defaults (docs/model.md §2.8, ours; the papers' values are
/// unconfirmed) assume times in **seconds**.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneDOptions {
    /// Cost of a non-coincident event, `κ = −ln β` (β in time^(−1/2)).
    /// Default: matching radius `z_max = 3` at the prior scale (docs/model.md §2.8).
    pub cost: NonCoincidentCost,
    /// Prior on `st`: `ν` (default 2) and `s0` (time², default `1e-4 s²` = (10 ms)²).
    pub prior: Prior,
    /// Initial jitter variance `st(0)` (time², default `4·s0` = `4e-4 s²`).
    pub init_jitter_var: f64,
    /// Starting delays `δt(0)` (time, default `{−2, −1, 0, 1, 2}·√st(0)` = ±40 ms).
    /// The run with the lowest final cost is kept; ties keep the earliest start.
    pub init_delays: Vec<f64>,
    /// Iteration cap of the coordinate descent (default 100).
    pub max_iterations: usize,
    /// Smallest jitter variance allowed (time², default 1e-12), so that `ν = 0` with
    /// fewer than two pairs gives no zero variance (docs/model.md §2.7).
    pub min_jitter_var: f64,
    /// Upper bound `st_max` of the jitter variance (time²): the prior is truncated to
    /// `st ≤ st_max` (see [`Prior::map_variance_capped`]), and `st(0)` is capped too.
    /// `None` (the default here, the spec's model): unbounded. Without a bound nothing
    /// stops a runaway on dense or unrelated trains: chance pairs far apart raise the
    /// MAP `st`, which widens the matching radius `∝ √st`, which admits more chance pairs.
    /// The `ses-1d` measure bounds it at `4·s0` by default (the wide starting value).
    pub st_max: Option<f64>,
    /// Observation length (time) for the data-based cost
    /// ([`NonCoincidentCost::Coincidences`]); `None`: the span of the events.
    pub duration: Option<f64>,
}

impl Default for OneDOptions {
    fn default() -> Self {
        let s0 = 1e-4;
        let st0 = 4.0 * s0;
        let step = f64::sqrt(st0);
        OneDOptions {
            cost: NonCoincidentCost::MatchRadius { z_max: 3.0 },
            prior: Prior::new(2.0, s0),
            init_jitter_var: st0,
            init_delays: vec![-2.0 * step, -step, 0.0, step, 2.0 * step],
            max_iterations: 100,
            min_jitter_var: 1e-12,
            st_max: None,
            duration: None,
        }
    }
}

impl OneDOptions {
    /// `κ` implied by [`cost`](Self::cost) and the prior (an error for the data-based
    /// cost, which [`ses_1d`] estimates from the events).
    pub fn kappa(&self) -> Result<f64, SesError> {
        self.cost.kappa(&[self.prior.s0])
    }

    /// Checks the options; returns `κ` unless it is estimated from the data.
    fn validate(&self) -> Result<Option<f64>, SesError> {
        self.prior.validate("prior on st")?;
        if !(self.init_jitter_var.is_finite() && self.init_jitter_var > 0.0) {
            return Err(SesError::Option(format!(
                "initial jitter variance {} must be a finite number > 0",
                self.init_jitter_var
            )));
        }
        if self.init_delays.is_empty() {
            return Err(SesError::Option(
                "at least one starting delay is needed".into(),
            ));
        }
        if let Some(d) = self.init_delays.iter().find(|d| !d.is_finite()) {
            return Err(SesError::Option(format!(
                "starting delay {d} is not finite"
            )));
        }
        if self.max_iterations == 0 {
            return Err(SesError::Option("the iteration cap must be ≥ 1".into()));
        }
        validate_bounds(
            self.min_jitter_var,
            &[("st_max", self.st_max)],
            self.duration,
        )?;
        match self.cost {
            NonCoincidentCost::Coincidences => Ok(None),
            _ => self.kappa().map(Some),
        }
    }
}

/// One coordinate-descent iteration: the alignment found at the previous θ, then θ
/// re-estimated from it, and the objective at the new (M, θ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IterationTrace {
    /// Pairs as indices into the sorted inputs.
    pub pairs: Vec<(usize, usize)>,
    /// `δt` re-estimated from this alignment: mean of `y_j − x_i` over the pairs (time unit
    /// of the events; the previous δt when there is no pair).
    pub delay: f64,
    /// `st` re-estimated from this alignment (MAP, floored and capped): time².
    pub jitter_var: f64,
    /// The objective `C(M, δt, st)` at this alignment and the new θ.
    pub cost: f64,
    /// `st` sits at `st_max`.
    #[serde(default)]
    pub at_bound: bool,
}

/// 1-D SES of a pair of event trains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneDResult {
    /// The SES parameters of the final alignment.
    pub params: SesParams,
    /// Final alignment; indices refer to the inputs **as given** (not sorted).
    pub alignment: Alignment,
    /// Starting delay of the kept run.
    pub start_delay: f64,
    /// Iterations of the kept run (pairs as indices into the sorted inputs).
    pub trace: Vec<IterationTrace>,
}

/// Pair cost `c = (d − δt)²/(2 st) + ½ ln(2π st)` (docs/model.md §2.3).
#[inline]
pub fn pair_cost(d: f64, delay: f64, st: f64) -> f64 {
    let e = d - delay;
    e * e / (2.0 * st) + 0.5 * (2.0 * PI * st).ln()
}

/// The objective `C(M, δt, st)` of docs/model.md §2.3 for sorted trains.
pub fn total_cost(
    x: &[f64],
    y: &[f64],
    pairs: &[(usize, usize)],
    delay: f64,
    st: f64,
    kappa: f64,
    prior: &Prior,
) -> f64 {
    let lone = (x.len() + y.len() - 2 * pairs.len()) as f64;
    let paired: f64 = pairs
        .iter()
        .map(|&(i, j)| pair_cost(y[j] - x[i], delay, st))
        .sum();
    kappa * lone + paired + prior.neg_log(st)
}

/// Exact minimum of `C(·, δt, st)` over alignments of sorted `x`, `y` (docs/model.md §2.5):
/// the edit-distance recursion on independent blocks of the candidate graph.
/// Tie-break in each cell: pair, then skip x, then skip y. Returns sorted pairs.
pub fn align_dp(x: &[f64], y: &[f64], delay: f64, st: f64, kappa: f64) -> Vec<(usize, usize)> {
    let bracket = 2.0 * kappa - 0.5 * (2.0 * PI * st).ln();
    if bracket <= 0.0 || x.is_empty() || y.is_empty() {
        return Vec::new();
    }
    // Matching radius, widened slightly: the exact test `c < 2κ` decides in the DP.
    let r = (2.0 * st * bracket).sqrt() * (1.0 + 1e-9) + 1e-12 * (1.0 + delay.abs());
    // Candidate range [lo, hi) of y for each x (monotone in i because both are sorted).
    let ranges: Vec<(usize, usize)> = x
        .iter()
        .map(|&xi| {
            let lo = y.partition_point(|&yj| yj - xi - delay <= -r);
            let hi = y.partition_point(|&yj| yj - xi - delay < r);
            (lo, hi.max(lo))
        })
        .collect();
    let mut pairs = Vec::new();
    let mut block_x: Vec<usize> = Vec::new();
    let mut ylo = 0;
    let mut yhi = 0;
    for (i, &(lo, hi)) in ranges.iter().enumerate() {
        if lo == hi {
            continue; // no candidate: non-coincident, does not join any block
        }
        if !block_x.is_empty() && lo >= yhi {
            dp_block(x, y, &block_x, ylo, yhi, delay, st, kappa, &mut pairs);
            block_x.clear();
        }
        if block_x.is_empty() {
            ylo = lo;
            yhi = hi;
        }
        yhi = yhi.max(hi);
        block_x.push(i);
    }
    if !block_x.is_empty() {
        dp_block(x, y, &block_x, ylo, yhi, delay, st, kappa, &mut pairs);
    }
    pairs
}

#[allow(clippy::too_many_arguments)]
fn dp_block(
    x: &[f64],
    y: &[f64],
    xs: &[usize],
    ylo: usize,
    yhi: usize,
    delay: f64,
    st: f64,
    kappa: f64,
    out: &mut Vec<(usize, usize)>,
) {
    let n = xs.len();
    let m = yhi - ylo;
    let w = m + 1;
    let two_kappa = 2.0 * kappa;
    let mut d = vec![0.0f64; (n + 1) * w];
    // 1 = skip x, 2 = skip y, 3 = pair
    let mut back = vec![0u8; (n + 1) * w];
    for j in 1..=m {
        d[j] = j as f64 * kappa;
        back[j] = 2;
    }
    for a in 1..=n {
        let xi = x[xs[a - 1]];
        d[a * w] = a as f64 * kappa;
        back[a * w] = 1;
        for b in 1..=m {
            let skip_x = d[(a - 1) * w + b] + kappa;
            let skip_y = d[a * w + b - 1] + kappa;
            let c = pair_cost(y[ylo + b - 1] - xi, delay, st);
            let pair = if c < two_kappa {
                d[(a - 1) * w + b - 1] + c
            } else {
                f64::INFINITY
            };
            let (v, k) = if pair <= skip_x && pair <= skip_y {
                (pair, 3)
            } else if skip_x <= skip_y {
                (skip_x, 1)
            } else {
                (skip_y, 2)
            };
            d[a * w + b] = v;
            back[a * w + b] = k;
        }
    }
    let start = out.len();
    let (mut a, mut b) = (n, m);
    while a > 0 || b > 0 {
        match back[a * w + b] {
            3 => {
                out.push((xs[a - 1], ylo + b - 1));
                a -= 1;
                b -= 1;
            }
            1 => a -= 1,
            _ => b -= 1,
        }
    }
    out[start..].reverse();
}

/// MAP step (docs/model.md §2.4): `δt = mean d`, `st = (ν s0 + Σ(d − δt)²)/(ν + P + 2)`;
/// with no pair the delay is kept and `st = ν s0/(ν + 2)`.
pub fn map_step(
    x: &[f64],
    y: &[f64],
    pairs: &[(usize, usize)],
    prev_delay: f64,
    prior: &Prior,
    floor: f64,
) -> (f64, f64) {
    let (d, s, _) = map_step_capped(x, y, pairs, prev_delay, prior, floor, None);
    (d, s)
}

/// [`map_step`] under the prior truncated to `st ≤ cap`; also says whether `st` sits
/// at the cap.
pub fn map_step_capped(
    x: &[f64],
    y: &[f64],
    pairs: &[(usize, usize)],
    prev_delay: f64,
    prior: &Prior,
    floor: f64,
    cap: Option<f64>,
) -> (f64, f64, bool) {
    if pairs.is_empty() {
        let (s, at) = prior.map_variance_capped(0.0, 0, floor, cap);
        return (prev_delay, s, at);
    }
    let p = pairs.len() as f64;
    let delay = pairs.iter().map(|&(i, j)| y[j] - x[i]).sum::<f64>() / p;
    let ss = pairs
        .iter()
        .map(|&(i, j)| {
            let e = y[j] - x[i] - delay;
            e * e
        })
        .sum::<f64>();
    let (s, at) = prior.map_variance_capped(ss, pairs.len(), floor, cap);
    (delay, s, at)
}

/// One coordinate-descent run from `(δt(0), st(0))` on sorted trains (docs/model.md §2.4).
pub fn descend(
    x: &[f64],
    y: &[f64],
    delay0: f64,
    st0: f64,
    kappa: f64,
    opts: &OneDOptions,
) -> (Vec<IterationTrace>, bool) {
    let mut delay = delay0;
    let mut st = opts.st_max.map_or(st0, |m| st0.min(m));
    let mut trace: Vec<IterationTrace> = Vec::new();
    for _ in 0..opts.max_iterations {
        let pairs = align_dp(x, y, delay, st, kappa);
        let (d, s, at_bound) = map_step_capped(
            x,
            y,
            &pairs,
            delay,
            &opts.prior,
            opts.min_jitter_var,
            opts.st_max,
        );
        delay = d;
        st = s;
        let cost = total_cost(x, y, &pairs, delay, st, kappa, &opts.prior);
        let unchanged = trace.last().is_some_and(|t| t.pairs == pairs);
        trace.push(IterationTrace {
            pairs,
            delay,
            jitter_var: st,
            cost,
            at_bound,
        });
        if unchanged {
            return (trace, true);
        }
    }
    (trace, false)
}

fn sorted_with_index(v: &[f64], side: &'static str) -> Result<(Vec<f64>, Vec<usize>), SesError> {
    if let Some((index, &value)) = v.iter().enumerate().find(|(_, t)| !t.is_finite()) {
        return Err(SesError::NonFinite {
            side,
            index,
            what: "time",
            value,
        });
    }
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
    Ok((idx.iter().map(|&i| v[i]).collect(), idx))
}

/// 1-D SES of event trains `x` and `y` (any order; same time unit as the options).
///
/// Errors: [`SesError::NoEvents`] when both are empty, [`SesError::NonFinite`] for a
/// NaN/∞ time, [`SesError::Option`] for invalid options.
pub fn ses_1d(x: &[f64], y: &[f64], opts: &OneDOptions) -> Result<OneDResult, SesError> {
    let fixed_kappa = opts.validate()?;
    let (xs, xi) = sorted_with_index(x, "x")?;
    let (ys, yi) = sorted_with_index(y, "y")?;
    if xs.is_empty() && ys.is_empty() {
        return Err(SesError::NoEvents);
    }
    let (kappa, coincidences) = match fixed_kappa {
        Some(k) => (k, None),
        None => {
            let duration = observation_length(opts.duration, &xs, &ys)?;
            let c = coincidence::estimate_1d(&xs, &ys, duration, opts.prior.s0);
            (c.kappa, Some(c))
        }
    };
    let mut best: Option<(f64, Vec<IterationTrace>, bool)> = None;
    for &d0 in &opts.init_delays {
        let (trace, converged) = descend(&xs, &ys, d0, opts.init_jitter_var, kappa, opts);
        // invariant: max_iterations ≥ 1 was validated, so the trace is non-empty
        let cost = trace.last().map_or(f64::INFINITY, |t| t.cost);
        let better = match &best {
            None => true,
            Some((_, bt, _)) => cost < bt.last().map_or(f64::INFINITY, |t| t.cost) - 1e-9,
        };
        if better {
            best = Some((d0, trace, converged));
        }
    }
    let (start_delay, trace, converged) = best.ok_or(SesError::NoEvents)?;
    let last = trace.last().cloned().ok_or(SesError::NoEvents)?;
    let (n, m) = (xs.len(), ys.len());
    let n_pairs = last.pairs.len();
    let rho = (n + m - 2 * n_pairs) as f64 / (n + m) as f64;
    let params = SesParams {
        delay: (n_pairs > 0).then_some(last.delay),
        jitter_var: last.jitter_var,
        rho,
        n_pairs,
        n_events: (n, m),
        cost: last.cost,
        iterations: trace.len(),
        converged,
        jitter_at_bound: last.at_bound,
        kappa,
        coincidences,
    };
    let original: Vec<(usize, usize)> = last.pairs.iter().map(|&(i, j)| (xi[i], yi[j])).collect();
    Ok(OneDResult {
        params,
        alignment: Alignment::from_pairs(original, n, m),
        start_delay,
        trace,
    })
}

/// The observation length for the data-based cost: the given one, or the span of the
/// events (an error when they span no time).
pub(crate) fn observation_length(
    given: Option<f64>,
    x: &[f64],
    y: &[f64],
) -> Result<f64, SesError> {
    if let Some(t) = given {
        return Ok(t);
    }
    let (lo, hi) = x
        .iter()
        .chain(y)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &t| {
            (lo.min(t), hi.max(t))
        });
    if hi > lo {
        Ok(hi - lo)
    } else {
        Err(SesError::Option(
            "the data-based cost needs the observation length: the events span no time".into(),
        ))
    }
}
