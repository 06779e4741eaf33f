//! Bump SES (docs/model.md §3, Part II): five parameters `δt, st, δf, sf, ρ` from two sets of
//! time-frequency bumps, by coordinate descent between an alignment (max-product message
//! passing, certified against the exact matching, or the exact matching alone) and the
//! closed-form MAP step.
//!
//! Offsets of a pair (bump `k` of x, bump `k'` of y) are normalised by the bump sizes
//! (docs/model.md §3.2, configurable by [`WidthNormalisation`]):
//!
//! ```text
//! u = (t'_k' − t_k) / W_t,   v = (f'_k' − f_k) / W_f,   W = Δ_k + Δ'_k' (default)
//! c = (u − δt)²/(2 st) + ½ ln(2π st) + (v − δf)²/(2 sf) + ½ ln(2π sf)
//! C = κ·(n + n' − 2|M|) + Σ_M c + (1 + ν_t/2) ln st + ν_t s0_t/(2 st)
//!                              + (1 + ν_f/2) ln sf + ν_f s0_f/(2 sf)
//! ```
//!
//! The bump widths are whatever the bumps carry (SESAME's [`Bump`] stores semi-axes); the
//! choice between semi-axes and full widths only rescales `st`, `sf` by 4 (docs/model.md §3.1).

use super::coincidence;
use super::exact::{self, Edge};
use super::maxproduct::{max_product, MaxProductOptions};
use super::params::{
    validate_bounds, Alignment, AlignmentMethod, BumpSesParams, NonCoincidentCost, Prior, SesError,
};
use crate::bumps::Bump;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// How pair offsets are normalised by the bump widths (docs/model.md §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum WidthNormalisation {
    /// `W = Δ + Δ'` (default, as recalled from the paper; UNCONFIRMED).
    #[default]
    SumOfWidths,
    /// `W = √(Δ² + Δ'²)`.
    RootSumSquares,
    /// `W = 1`: absolute offsets, `δt` in s and `δf` in Hz.
    None,
}

impl WidthNormalisation {
    #[inline]
    fn scale(self, a: f64, b: f64) -> f64 {
        match self {
            WidthNormalisation::SumOfWidths => a + b,
            WidthNormalisation::RootSumSquares => (a * a + b * b).sqrt(),
            WidthNormalisation::None => 1.0,
        }
    }
}

/// Every hyperparameter of bump SES. Defaults are those of our oracle (docs/model.md §3.3:
/// `β = 0.05`, `ν = 2`, `s0 = 0.05` in normalised units; the papers' values are
/// UNCONFIRMED).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BumpSesOptions {
    /// Cost of a non-coincident bump `κ = −ln β` (default `β = 0.05`).
    pub cost: NonCoincidentCost,
    /// Prior on `st` (default ν = 2, s0 = 0.05; normalised units², or s² without normalisation).
    pub prior_t: Prior,
    /// Prior on `sf` (default ν = 2, s0 = 0.05; normalised units², or Hz² without normalisation).
    pub prior_f: Prior,
    /// Initial `(δt, st, δf, sf)` (default `(0, s0_t, 0, s0_f)` = `(0, 0.05, 0, 0.05)`).
    pub init: [f64; 4],
    /// How pair offsets are normalised by the bump widths (default `W = Δ + Δ'`).
    pub normalisation: WidthNormalisation,
    /// Alignment solver (default max-product, certified).
    pub method: AlignmentMethod,
    /// Max-product damping `η ∈ [0, 1)` (default 0).
    pub damping: f64,
    /// Max-product sweep cap (default 20,000: the sweeps needed grow like the largest gain
    /// over the gap to the second-best matching, and a certificate needs convergence).
    pub max_sweeps: usize,
    /// Coordinate-descent iteration cap (default 100).
    pub max_iterations: usize,
    /// Only allow pairs whose bumps overlap in the time-frequency plane (bounding boxes
    /// of the two ellipses intersect: `|t − t'| < Δt + Δt'` and `|f − f'| < Δf + Δf'`).
    /// Off by default (docs/model.md §3.6, UNCONFIRMED).
    pub require_overlap: bool,
    /// Smallest variance allowed for `st`, `sf` (default 1e−12).
    pub min_jitter_var: f64,
    /// Upper bound `st_max` of `st`: the prior truncated to `st ≤ st_max` (see
    /// [`Prior::map_variance_capped`]); the initial `st` is capped too. `None` (the
    /// default here, the spec's model): unbounded. Without it the alternation can run
    /// away on unrelated or dense bump sets (docs/model.md §3.3, "second absorbing state"): chance
    /// pairs raise `st`, the matching radius grows with `√st` and admits more chance
    /// pairs, ending at `st` of 5–13 normalised units with bumps seconds apart paired.
    /// The `ses-bumps` measure bounds it at `4·s0_t` by default.
    pub st_max: Option<f64>,
    /// Upper bound `sf_max` of `sf` (same truncated prior); measure default `4·s0_f`.
    pub sf_max: Option<f64>,
    /// Observation length (s) for the data-based cost
    /// ([`NonCoincidentCost::Coincidences`]); `None`: the time span of the bumps.
    pub duration: Option<f64>,
}

impl Default for BumpSesOptions {
    fn default() -> Self {
        BumpSesOptions {
            cost: NonCoincidentCost::Beta(0.05),
            prior_t: Prior::new(2.0, 0.05),
            prior_f: Prior::new(2.0, 0.05),
            init: [0.0, 0.05, 0.0, 0.05],
            normalisation: WidthNormalisation::SumOfWidths,
            method: AlignmentMethod::MaxProduct,
            damping: 0.0,
            max_sweeps: 20_000,
            max_iterations: 100,
            require_overlap: false,
            min_jitter_var: 1e-12,
            st_max: None,
            sf_max: None,
            duration: None,
        }
    }
}

impl BumpSesOptions {
    /// Checks the options; returns `κ` unless it is estimated from the data.
    fn validate(&self) -> Result<Option<f64>, SesError> {
        self.prior_t.validate("prior on st")?;
        self.prior_f.validate("prior on sf")?;
        if self.init.iter().any(|v| !v.is_finite()) || self.init[1] <= 0.0 || self.init[3] <= 0.0 {
            return Err(SesError::Option(format!(
                "initial (δt, st, δf, sf) = {:?} must be finite with st, sf > 0",
                self.init
            )));
        }
        if !(0.0..1.0).contains(&self.damping) {
            return Err(SesError::Option(format!(
                "damping {} must lie in [0, 1)",
                self.damping
            )));
        }
        if self.max_sweeps == 0 || self.max_iterations == 0 {
            return Err(SesError::Option(
                "sweep and iteration caps must be ≥ 1".into(),
            ));
        }
        validate_bounds(
            self.min_jitter_var,
            &[("st_max", self.st_max), ("sf_max", self.sf_max)],
            self.duration,
        )?;
        match self.cost {
            NonCoincidentCost::Coincidences => Ok(None),
            _ => self
                .cost
                .kappa(&[self.prior_t.s0, self.prior_f.s0])
                .map(Some),
        }
    }
}

/// θ = (δt, st, δf, sf).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Theta {
    /// `δt`: mean normalised time offset `u` of y relative to x (s without normalisation).
    pub delay_t: f64,
    /// `st`: variance of the normalised time offsets (s² without normalisation).
    pub var_t: f64,
    /// `δf`: mean normalised frequency offset `v` (Hz without normalisation).
    pub delay_f: f64,
    /// `sf`: variance of the normalised frequency offsets (Hz² without normalisation).
    pub var_f: f64,
}

/// Statistics of one alignment step.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct AlignStats {
    /// Candidate pairs: pairs of bumps whose pair cost is below `2κ` at the current θ
    /// (and that overlap, with [`BumpOptions::require_overlap`]).
    pub candidate_edges: usize,
    /// Connected components of the candidate graph, each matched separately.
    pub components: usize,
    /// Most nodes (bumps of both sides) in one component.
    pub largest_component: usize,
    /// Most max-product sweeps over the components (0 with the exact method).
    pub max_sweeps: usize,
    /// Components where max-product failed its safeguards or its certificate.
    pub uncertified_components: usize,
}

/// One coordinate-descent iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BumpIteration {
    /// The alignment of this iteration: matched pairs `(i, j)` (indices into the inputs as
    /// given), ascending.
    pub pairs: Vec<(usize, usize)>,
    /// θ after this iteration's MAP step, given its alignment.
    pub theta: Theta,
    /// The objective `C` (module documentation) at this alignment and θ.
    pub cost: f64,
    /// Statistics of this iteration's alignment step.
    pub stats: AlignStats,
    /// `st` and `sf` sit at their bounds.
    #[serde(default)]
    pub at_bound: (bool, bool),
}

/// Bump SES of a pair of bump sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BumpResult {
    /// The five SES parameters and bookkeeping of the final alignment.
    pub params: BumpSesParams,
    /// Final alignment (indices into the inputs as given).
    pub alignment: Alignment,
    /// Every coordinate-descent iteration of the run, in order (the last is the final one).
    pub trace: Vec<BumpIteration>,
}

/// Normalised offsets `(u, v)` of bump `b` relative to bump `a` (docs/model.md §3.2).
#[inline]
pub fn offsets(a: &Bump, b: &Bump, norm: WidthNormalisation) -> (f64, f64) {
    (
        (b.t - a.t) / norm.scale(a.dt, b.dt),
        (b.f - a.f) / norm.scale(a.df, b.df),
    )
}

/// Pair cost `c` of docs/model.md §3.2 for offsets `(u, v)`.
#[inline]
pub fn pair_cost(u: f64, v: f64, th: &Theta) -> f64 {
    let et = u - th.delay_t;
    let ef = v - th.delay_f;
    et * et / (2.0 * th.var_t)
        + 0.5 * (2.0 * PI * th.var_t).ln()
        + ef * ef / (2.0 * th.var_f)
        + 0.5 * (2.0 * PI * th.var_f).ln()
}

/// The objective `C(M, θ)` (docs/model.md §3.2–3.3).
pub fn total_cost(
    x: &[Bump],
    y: &[Bump],
    pairs: &[(usize, usize)],
    th: &Theta,
    kappa: f64,
    opts: &BumpSesOptions,
) -> f64 {
    let lone = (x.len() + y.len() - 2 * pairs.len()) as f64;
    let paired: f64 = pairs
        .iter()
        .map(|&(i, j)| {
            let (u, v) = offsets(&x[i], &y[j], opts.normalisation);
            pair_cost(u, v, th)
        })
        .sum();
    kappa * lone + paired + opts.prior_t.neg_log(th.var_t) + opts.prior_f.neg_log(th.var_f)
}

/// Candidate edges at θ: every pair with `c < 2κ` (lossless, docs/model.md §3.6), optionally
/// restricted to overlapping bumps; gains `g = 2κ − c`. `y_order` lists y by time.
pub fn candidates(
    x: &[Bump],
    y: &[Bump],
    y_order: &[usize],
    th: &Theta,
    kappa: f64,
    opts: &BumpSesOptions,
) -> Vec<Edge> {
    let two_kappa = 2.0 * kappa;
    let bracket = two_kappa - 0.5 * (2.0 * PI * th.var_t).ln() - 0.5 * (2.0 * PI * th.var_f).ln();
    if bracket <= 0.0 || x.is_empty() || y.is_empty() {
        return Vec::new();
    }
    let r_t = (2.0 * th.var_t * bracket).sqrt();
    let max_dt_y = y.iter().map(|b| b.dt).fold(0.0f64, f64::max);
    let yt: Vec<f64> = y_order.iter().map(|&j| y[j].t).collect();
    let mut edges = Vec::new();
    let mut row: Vec<Edge> = Vec::new();
    for (i, a) in x.iter().enumerate() {
        // |t' − t − δt·W| ≤ R_t·W with W ≤ Δt + max Δt' (sum and root-sum-squares) or 1
        let w_max = match opts.normalisation {
            WidthNormalisation::None => 1.0,
            _ => a.dt + max_dt_y,
        };
        let reach = (th.delay_t.abs() + r_t) * w_max * (1.0 + 1e-9) + 1e-12;
        let lo = yt.partition_point(|&t| t < a.t - reach);
        let hi = yt.partition_point(|&t| t <= a.t + reach);
        row.clear();
        for &j in &y_order[lo..hi] {
            let b = &y[j];
            if opts.require_overlap
                && !((b.t - a.t).abs() < a.dt + b.dt && (b.f - a.f).abs() < a.df + b.df)
            {
                continue;
            }
            let (u, v) = offsets(a, b, opts.normalisation);
            let c = pair_cost(u, v, th);
            if c < two_kappa {
                row.push(Edge {
                    x: i,
                    y: j,
                    gain: two_kappa - c,
                });
            }
        }
        row.sort_by_key(|e| e.y);
        edges.extend_from_slice(&row);
    }
    edges
}

/// The alignment step at θ (docs/model.md §3.4–3.5): per connected component of the candidate
/// graph, the exact matching and (with max-product) the message-passing matching, kept
/// when it passes the safeguards of §3.5 and its gain equals the exact optimum.
/// Returns sorted pairs and statistics.
pub fn align(
    n: usize,
    m: usize,
    edges: &[Edge],
    method: AlignmentMethod,
    mp: &MaxProductOptions,
) -> (Vec<(usize, usize)>, AlignStats) {
    let comps = exact::components(n, m, edges);
    let mut stats = AlignStats {
        candidate_edges: edges.len(),
        components: comps.len(),
        ..AlignStats::default()
    };
    let mut chosen: Vec<usize> = Vec::new();
    for comp in &comps {
        if let [k] = comp.edges[..] {
            // One candidate edge (gain > 0): both solvers take it — max-product decides it
            // in two sweeps (beliefs g > 0) and it is the unique optimum.
            stats.largest_component = stats.largest_component.max(2);
            chosen.push(k);
            continue;
        }
        let exact_sel = exact::max_gain_matching_component(edges, &comp.edges);
        let (xs, ys, local) = exact::local_nodes(edges, &comp.edges);
        stats.largest_component = stats.largest_component.max(xs.len() + ys.len());
        if method == AlignmentMethod::Exact {
            chosen.extend(exact_sel);
            continue;
        }
        let local_edges: Vec<Edge> = local
            .iter()
            .zip(&comp.edges)
            .map(|(&(a, b), &k)| Edge {
                x: a,
                y: b,
                gain: edges[k].gain,
            })
            .collect();
        let run = max_product(&local_edges, xs.len(), ys.len(), mp);
        stats.max_sweeps = stats.max_sweeps.max(run.sweeps);
        let mp_sel: Vec<usize> = comp
            .edges
            .iter()
            .zip(&run.decisions)
            .filter_map(|(&k, &d)| d.then_some(k))
            .collect();
        let valid = exact::is_matching(n, m, edges, &mp_sel);
        let clear = run.beliefs.iter().all(|b| b.abs() >= 1e-9);
        let g_mp = exact::gain_of(edges, &mp_sel);
        let g_ex = exact::gain_of(edges, &exact_sel);
        let optimal = (g_mp - g_ex).abs() <= 1e-9 * (1.0 + g_ex.abs());
        if run.converged && valid && clear && optimal {
            chosen.extend(mp_sel);
        } else {
            stats.uncertified_components += 1;
            chosen.extend(exact_sel);
        }
    }
    let mut pairs: Vec<(usize, usize)> = chosen.iter().map(|&k| (edges[k].x, edges[k].y)).collect();
    pairs.sort_unstable();
    (pairs, stats)
}

/// MAP step (docs/model.md §3.3) under the priors truncated at `st_max`, `sf_max`; also says
/// which variance sits at its bound.
fn map_step(
    x: &[Bump],
    y: &[Bump],
    pairs: &[(usize, usize)],
    prev: &Theta,
    opts: &BumpSesOptions,
) -> (Theta, (bool, bool)) {
    let floor = opts.min_jitter_var;
    if pairs.is_empty() {
        let (var_t, at_t) = opts.prior_t.map_variance_capped(0.0, 0, floor, opts.st_max);
        let (var_f, at_f) = opts.prior_f.map_variance_capped(0.0, 0, floor, opts.sf_max);
        return (
            Theta {
                delay_t: prev.delay_t,
                var_t,
                delay_f: prev.delay_f,
                var_f,
            },
            (at_t, at_f),
        );
    }
    let uv: Vec<(f64, f64)> = pairs
        .iter()
        .map(|&(i, j)| offsets(&x[i], &y[j], opts.normalisation))
        .collect();
    let p = uv.len() as f64;
    let mu = uv.iter().map(|q| q.0).sum::<f64>() / p;
    let mv = uv.iter().map(|q| q.1).sum::<f64>() / p;
    let su = uv.iter().map(|q| (q.0 - mu) * (q.0 - mu)).sum::<f64>();
    let sv = uv.iter().map(|q| (q.1 - mv) * (q.1 - mv)).sum::<f64>();
    let (var_t, at_t) = opts
        .prior_t
        .map_variance_capped(su, pairs.len(), floor, opts.st_max);
    let (var_f, at_f) = opts
        .prior_f
        .map_variance_capped(sv, pairs.len(), floor, opts.sf_max);
    (
        Theta {
            delay_t: mu,
            var_t,
            delay_f: mv,
            var_f,
        },
        (at_t, at_f),
    )
}

fn check(b: &[Bump], side: &'static str, norm: WidthNormalisation) -> Result<(), SesError> {
    for (index, e) in b.iter().enumerate() {
        for (what, value) in [("t", e.t), ("f", e.f), ("dt", e.dt), ("df", e.df)] {
            if !value.is_finite() {
                return Err(SesError::NonFinite {
                    side,
                    index,
                    what,
                    value,
                });
            }
        }
        if norm != WidthNormalisation::None {
            for (what, value) in [("dt", e.dt), ("df", e.df)] {
                if value <= 0.0 {
                    return Err(SesError::BadWidth {
                        side,
                        index,
                        what,
                        value,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Bump SES of bump sets `x` and `y` (any order).
pub fn ses_bumps(x: &[Bump], y: &[Bump], opts: &BumpSesOptions) -> Result<BumpResult, SesError> {
    ses_bumps_with_chance(x, y, opts, None)
}

/// [`ses_bumps`] given the chance part of the data-based cost of this pair
/// ([`coincidence::bump_chance`], computed once when its surrogates need it too). It is
/// used when it was computed for the observation length the fit uses; otherwise the
/// chance part is computed here.
pub fn ses_bumps_with_chance(
    x: &[Bump],
    y: &[Bump],
    opts: &BumpSesOptions,
    chance: Option<&coincidence::BumpChance>,
) -> Result<BumpResult, SesError> {
    let fixed_kappa = opts.validate()?;
    check(x, "x", opts.normalisation)?;
    check(y, "y", opts.normalisation)?;
    if x.is_empty() && y.is_empty() {
        return Err(SesError::NoEvents);
    }
    let (kappa, coincidences) = match fixed_kappa {
        Some(k) => (k, None),
        None => {
            let times: Vec<f64> = x.iter().chain(y).map(|b| b.t).collect();
            let duration = super::one_d::observation_length(opts.duration, &times, &[])?;
            let s0 = [opts.prior_t.s0, opts.prior_f.s0];
            let c = match chance {
                Some(c) if c.duration == duration && c.n_events == x.len() + y.len() => {
                    c.cost(coincidence::count_bump_pairs(x, y, s0, opts.normalisation))
                }
                _ => coincidence::estimate_bumps(x, y, duration, s0, opts.normalisation),
            };
            (c.kappa, Some(c))
        }
    };
    let mp = MaxProductOptions {
        damping: opts.damping,
        max_sweeps: opts.max_sweeps,
        ..MaxProductOptions::default()
    };
    let mut y_order: Vec<usize> = (0..y.len()).collect();
    y_order.sort_by(|&a, &b| y[a].t.total_cmp(&y[b].t).then(a.cmp(&b)));
    let cap = |v: f64, m: Option<f64>| m.map_or(v, |m| v.min(m));
    let mut th = Theta {
        delay_t: opts.init[0],
        var_t: cap(opts.init[1], opts.st_max),
        delay_f: opts.init[2],
        var_f: cap(opts.init[3], opts.sf_max),
    };
    let mut trace: Vec<BumpIteration> = Vec::new();
    let mut converged = false;
    for _ in 0..opts.max_iterations {
        let edges = candidates(x, y, &y_order, &th, kappa, opts);
        let (pairs, stats) = align(x.len(), y.len(), &edges, opts.method, &mp);
        let (next, at_bound) = map_step(x, y, &pairs, &th, opts);
        th = next;
        let cost = total_cost(x, y, &pairs, &th, kappa, opts);
        let unchanged = trace.last().is_some_and(|t| t.pairs == pairs);
        trace.push(BumpIteration {
            pairs,
            theta: th,
            cost,
            stats,
            at_bound,
        });
        if unchanged {
            converged = true;
            break;
        }
    }
    // invariant: max_iterations ≥ 1 was validated, so the trace is non-empty
    let last = trace.last().cloned().ok_or(SesError::NoEvents)?;
    let (n, m) = (x.len(), y.len());
    let n_pairs = last.pairs.len();
    let fallback_steps = trace
        .iter()
        .filter(|t| t.stats.uncertified_components > 0)
        .count();
    let params = BumpSesParams {
        delay_t: (n_pairs > 0).then_some(last.theta.delay_t),
        jitter_var_t: last.theta.var_t,
        delay_f: (n_pairs > 0).then_some(last.theta.delay_f),
        jitter_var_f: last.theta.var_f,
        rho: (n + m - 2 * n_pairs) as f64 / (n + m) as f64,
        n_pairs,
        n_events: (n, m),
        cost: last.cost,
        iterations: trace.len(),
        converged,
        certified: last.stats.uncertified_components == 0,
        fallback_steps,
        var_t_at_bound: last.at_bound.0,
        var_f_at_bound: last.at_bound.1,
        kappa,
        coincidences,
    };
    Ok(BumpResult {
        params,
        alignment: Alignment::from_pairs(last.pairs.clone(), n, m),
        trace,
    })
}
