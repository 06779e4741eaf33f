//! SES parameters, priors, the cost of a non-coincident event, alignments and errors
//! (docs/model.md §2.2–2.4, §3.3).

use serde::{Deserialize, Serialize};

/// Conjugate scaled-inverse-χ² prior on a jitter variance `s` (docs/model.md §2.3):
/// `p(s) ∝ s^−(1+ν/2) · exp(−ν s0 / (2 s))` (inverse-gamma with shape `ν/2`, scale `ν s0/2`).
///
/// `s0` is in squared offset units: time² (e.g. s² or ms²) for 1-D SES and for bumps
/// without width normalisation, dimensionless for width-normalised bump offsets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    /// Prior degrees of freedom `ν` (≥ 0; 0 = flat prior on `ln s`… plus the `s^−1` term).
    pub nu: f64,
    /// Prior scale `s0` (a variance, > 0).
    pub s0: f64,
}

impl Prior {
    /// A prior of `ν` degrees of freedom and scale `s0` (a variance, in squared offset units).
    pub fn new(nu: f64, s0: f64) -> Self {
        Prior { nu, s0 }
    }

    /// MAP variance given `P` pairs with sum of squared deviations `ss`:
    /// `s = (ν s0 + SS) / (ν + P + 2)` (docs/model.md §2.4), floored at `floor`.
    pub fn map_variance(&self, ss: f64, n_pairs: usize, floor: f64) -> f64 {
        let s = (self.nu * self.s0 + ss) / (self.nu + n_pairs as f64 + 2.0);
        if s.is_finite() && s > floor {
            s
        } else {
            floor
        }
    }

    /// MAP variance under the prior **truncated** to `s ≤ cap` (`None`: untruncated):
    /// `min(map_variance, cap)`. For a fixed alignment the objective in `s` is
    /// `(A/2)·ln s + B/(2s)`, decreasing below its free minimum and increasing above,
    /// so the clamp is the exact constrained minimum and coordinate descent still never
    /// increases the objective. Returns the variance and whether it sits at the cap.
    pub fn map_variance_capped(
        &self,
        ss: f64,
        n_pairs: usize,
        floor: f64,
        cap: Option<f64>,
    ) -> (f64, bool) {
        let s = self.map_variance(ss, n_pairs, floor);
        match cap {
            Some(c) if s >= c => (c, true),
            _ => (s, false),
        }
    }

    /// Negative log prior up to a constant: `(1 + ν/2) ln s + ν s0 / (2 s)` (docs/model.md §2.3).
    pub fn neg_log(&self, s: f64) -> f64 {
        (1.0 + self.nu / 2.0) * s.ln() + self.nu * self.s0 / (2.0 * s)
    }

    pub(crate) fn validate(&self, what: &str) -> Result<(), SesError> {
        if !(self.nu.is_finite() && self.nu >= 0.0) {
            return Err(SesError::Option(format!(
                "{what}: ν = {} must be a finite number ≥ 0",
                self.nu
            )));
        }
        if !(self.s0.is_finite() && self.s0 > 0.0) {
            return Err(SesError::Option(format!(
                "{what}: s0 = {} must be a finite number > 0",
                self.s0
            )));
        }
        Ok(())
    }
}

/// How the cost `κ = −ln β` of one non-coincident event is set (docs/model.md §2.3, §2.8).
///
/// `β` has units offset^(−1/2) per dimension (time^(−1/2) in 1-D), so it must be given
/// in the same unit as the events.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum NonCoincidentCost {
    /// `β` directly (> 0); `κ = −ln β`.
    Beta(f64),
    /// `κ` directly.
    Kappa(f64),
    /// From the generative model: `β = p_d·√λ` (λ in events per time unit).
    Model {
        /// Probability `p_d` that an event is deleted from a signal, in (0, 1).
        p_d: f64,
        /// Density `λ` of hidden events, in events per time unit (> 0).
        lambda: f64,
    },
    /// From a target matching radius of `z_max` standard deviations at the prior scale
    /// `s0` (docs/model.md §2.8): `2κ = z_max²/2 + ½ ln(2π s0)` per dimension.
    MatchRadius {
        /// Matching radius, in standard deviations of the offsets (> 0).
        z_max: f64,
    },
    /// Estimated once from the two event sets before the iterations, then kept fixed:
    /// `β = p̂_d·√λ̂` with the deletion probability from the coincidences in excess of
    /// chance and `λ̂` the implied density of hidden events
    /// ([`super::coincidence`]).
    Coincidences,
}

impl NonCoincidentCost {
    /// `κ` for a model with the given prior scales (one per offset dimension).
    pub fn kappa(&self, s0: &[f64]) -> Result<f64, SesError> {
        let k =
            match *self {
                NonCoincidentCost::Beta(b) => {
                    if !(b.is_finite() && b > 0.0) {
                        return Err(SesError::Option(format!(
                            "β = {b} must be a finite number > 0"
                        )));
                    }
                    -b.ln()
                }
                NonCoincidentCost::Kappa(k) => k,
                NonCoincidentCost::Model { p_d, lambda } => {
                    if !(p_d > 0.0 && p_d < 1.0) {
                        return Err(SesError::Option(format!("p_d = {p_d} must lie in (0, 1)")));
                    }
                    if !(lambda.is_finite() && lambda > 0.0) {
                        return Err(SesError::Option(format!(
                            "λ = {lambda} must be a finite number > 0"
                        )));
                    }
                    -(p_d * lambda.sqrt()).ln()
                }
                NonCoincidentCost::MatchRadius { z_max } => {
                    if !(z_max.is_finite() && z_max > 0.0) {
                        return Err(SesError::Option(format!(
                            "z_max = {z_max} must be a finite number > 0"
                        )));
                    }
                    let per_dim: f64 = s0
                        .iter()
                        .map(|&s| 0.5 * (2.0 * std::f64::consts::PI * s).ln())
                        .sum();
                    0.5 * (z_max * z_max / 2.0 + per_dim)
                }
                NonCoincidentCost::Coincidences => return Err(SesError::Option(
                    "the data-based cost of a non-coincident event is estimated from the events \
                     by the SES run itself"
                        .into(),
                )),
            };
        if !k.is_finite() {
            return Err(SesError::Option(format!("κ = {k} is not finite")));
        }
        Ok(k)
    }
}

/// Result of 1-D SES (docs/model.md §2.2). Offsets in the unit of the event times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SesParams {
    /// `δt`: mean of `y_j − x_i` over the pairs (positive when y lags x); `None` when
    /// the final alignment has no pair (the delay is then undefined, docs/model.md §2.7).
    pub delay: Option<f64>,
    /// `st`: timing-jitter variance (time²).
    pub jitter_var: f64,
    /// `ρ = (n + n' − 2|M|)/(n + n')`: fraction of non-coincident events.
    pub rho: f64,
    /// `|M|`.
    pub n_pairs: usize,
    /// `(n, n')`: events of x and of y.
    pub n_events: (usize, usize),
    /// Final value of the objective `C(M, δt, st)` of docs/model.md §2.3.
    pub cost: f64,
    /// Coordinate-descent iterations of the kept start.
    pub iterations: usize,
    /// Whether the kept start stopped because the alignment stopped changing
    /// (rather than at the iteration cap).
    pub converged: bool,
    /// `st` sits at its upper bound `st_max` (the truncated prior): the value is a
    /// bound, not a measurement.
    pub jitter_at_bound: bool,
    /// The cost `κ` of a non-coincident event used (fixed or estimated).
    pub kappa: f64,
    /// The coincidence count behind `κ` when it was estimated from the data.
    pub coincidences: Option<super::coincidence::CoincidenceCost>,
}

impl SesParams {
    /// `σt = √st` (time).
    pub fn jitter_sd(&self) -> f64 {
        self.jitter_var.sqrt()
    }
}

/// Result of bump SES (docs/model.md §3.3): the five parameters plus bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BumpSesParams {
    /// `δt`: mean normalised time offset (dimensionless with width normalisation, s without);
    /// `None` when there is no pair.
    pub delay_t: Option<f64>,
    /// `st`: variance of the normalised time offsets.
    pub jitter_var_t: f64,
    /// `δf`: mean normalised frequency offset (dimensionless, or Hz without normalisation).
    pub delay_f: Option<f64>,
    /// `sf`: variance of the normalised frequency offsets.
    pub jitter_var_f: f64,
    /// `ρ`: fraction of non-coincident bumps.
    pub rho: f64,
    /// `|M|`: matched pairs of bumps.
    pub n_pairs: usize,
    /// `(n, n')`: bumps of x and of y.
    pub n_events: (usize, usize),
    /// Final value of the objective (docs/model.md §3.2–3.3).
    pub cost: f64,
    /// Coordinate-descent iterations of the kept start.
    pub iterations: usize,
    /// Whether the kept start stopped because the alignment stopped changing (rather than
    /// at the iteration cap).
    pub converged: bool,
    /// The final alignment (the one the parameters are estimated from) was produced by the
    /// requested method and verified optimal: with max-product, in every component its
    /// decisions converged, formed a valid matching with no undecided belief, and reached
    /// the exact optimum's gain; with the exact solver, always true.
    pub certified: bool,
    /// Alignment steps in which max-product failed its safeguards or its certificate in
    /// some component, so the exact matching was used there instead (earlier steps may
    /// fall back while the final one is certified).
    pub fallback_steps: usize,
    /// `st` sits at its upper bound `st_max` (a bound, not a measurement).
    pub var_t_at_bound: bool,
    /// `sf` sits at its upper bound `sf_max`.
    pub var_f_at_bound: bool,
    /// The cost `κ` of a non-coincident bump used (fixed or estimated).
    pub kappa: f64,
    /// The coincidence count behind `κ` when it was estimated from the data.
    pub coincidences: Option<super::coincidence::CoincidenceCost>,
}

/// An alignment: matched pairs `(i, j)` (indices into the sorted inputs), ascending in
/// `i`, and the non-coincident events of each side (ascending).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alignment {
    /// Matched pairs `(i, j)`: x-event `i` coincides with y-event `j`; ascending in `i`.
    pub pairs: Vec<(usize, usize)>,
    /// Indices of the x-events that are in no pair (non-coincident), ascending.
    pub unmatched_x: Vec<usize>,
    /// Indices of the y-events that are in no pair (non-coincident), ascending.
    pub unmatched_y: Vec<usize>,
}

impl Alignment {
    /// Builds the alignment of `n` x-events and `m` y-events from its pairs.
    pub fn from_pairs(mut pairs: Vec<(usize, usize)>, n: usize, m: usize) -> Self {
        pairs.sort_unstable();
        let mut used_x = vec![false; n];
        let mut used_y = vec![false; m];
        for &(i, j) in &pairs {
            used_x[i] = true;
            used_y[j] = true;
        }
        Alignment {
            pairs,
            unmatched_x: (0..n).filter(|&i| !used_x[i]).collect(),
            unmatched_y: (0..m).filter(|&j| !used_y[j]).collect(),
        }
    }
}

/// Which alignment solver bump SES uses (docs/model.md §3.4–3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AlignmentMethod {
    /// Max-product message passing (the papers' method), certified against the exact
    /// optimum; the exact matching replaces it when it fails.
    #[default]
    MaxProduct,
    /// Exact minimum-cost matching (Hungarian algorithm per connected component).
    Exact,
}

/// Why SES could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SesError {
    /// Both event sets are empty: ρ has no denominator.
    #[error("no events in either signal: SES is undefined")]
    NoEvents,
    /// An event has a non-finite coordinate (NaN or ±∞).
    #[error("event {index} of signal {side}: {what} = {value} is not a finite number")]
    NonFinite {
        /// Which signal: `"x"` or `"y"`.
        side: &'static str,
        /// Index of the event in its signal's input (before sorting).
        index: usize,
        /// Which coordinate: `"time"` for 1-D events; `"t"`, `"f"`, `"dt"` or `"df"` for bumps.
        what: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A bump has a width `≤ 0` while offsets are normalised by the widths.
    #[error("bump {index} of signal {side}: width {what} = {value} must be > 0 with width normalisation")]
    BadWidth {
        /// Which signal: `"x"` or `"y"`.
        side: &'static str,
        /// Index of the bump in its signal's input.
        index: usize,
        /// Which width: `"dt"` (time, s) or `"df"` (frequency, Hz).
        what: &'static str,
        /// The offending width.
        value: f64,
    },
    /// An option is out of range (prior, cost, bound, iteration count…); the message says
    /// which and why.
    #[error("invalid SES option: {0}")]
    Option(String),
}

/// Checks the options shared by the pairwise solvers: the variance floor (> 0), each
/// truncation bound of a jitter variance (`st_max`, `sf_max`: above the floor, in the
/// normalised units of its variance) and the observation length (seconds, > 0).
pub(crate) fn validate_bounds(
    min_jitter_var: f64,
    bounds: &[(&str, Option<f64>)],
    duration: Option<f64>,
) -> Result<(), SesError> {
    if !(min_jitter_var.is_finite() && min_jitter_var > 0.0) {
        return Err(SesError::Option(format!(
            "minimum jitter variance {min_jitter_var} must be a finite number > 0"
        )));
    }
    for &(what, bound) in bounds {
        if let Some(m) = bound {
            if !(m.is_finite() && m > min_jitter_var) {
                return Err(SesError::Option(format!(
                    "{what} = {m} must be a finite number above the minimum jitter variance"
                )));
            }
        }
    }
    if let Some(t) = duration {
        if !(t.is_finite() && t > 0.0) {
            return Err(SesError::Option(format!(
                "observation length {t} must be a finite number > 0"
            )));
        }
    }
    Ok(())
}
