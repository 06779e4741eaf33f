//! The data types of N-signal SES: its input events, options, results and errors, and
//! the validated events and time budget shared by the solver modules. They live below
//! every other module of [`super`], so the solver modules import them from here and not
//! from their parent.

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use thiserror::Error;

/// One event of a one-dimensional point process (e.g. a spike or peak time).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimedEvent {
    /// Signal index, `0 ≤ signal < N`.
    pub signal: usize,
    /// Event time (any unit; all time outputs use the same unit — seconds in SESAME).
    pub time: f64,
}

/// One time–frequency bump (centre, widths, amplitude).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BumpEvent {
    /// Signal index, `0 ≤ signal < N`.
    pub signal: usize,
    /// Centre time (s).
    pub t: f64,
    /// Centre frequency (Hz).
    pub f: f64,
    /// Time semi-axis (s), > 0, as [`crate::bumps::Bump::dt`].
    pub dt: f64,
    /// Frequency semi-axis (Hz), > 0, as [`crate::bumps::Bump::df`].
    pub df: f64,
    /// Amplitude (not used by the alignment cost).
    pub amplitude: f64,
}

impl BumpEvent {
    /// The bumps of `N` signals (`sets[k]` holds signal `k`'s) as one event list, signal
    /// by signal in the given order.
    pub fn from_sets<S: AsRef<[crate::bumps::Bump]>>(sets: &[S]) -> Vec<BumpEvent> {
        sets.iter()
            .enumerate()
            .flat_map(|(signal, set)| {
                set.as_ref().iter().map(move |b| BumpEvent {
                    signal,
                    t: b.t,
                    f: b.f,
                    dt: b.dt,
                    df: b.df,
                    amplitude: b.amplitude,
                })
            })
            .collect()
    }
}

/// The events of the `N` signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MultiEvents {
    /// One-dimensional events (times).
    Times(Vec<TimedEvent>),
    /// Time–frequency bumps.
    Bumps(Vec<BumpEvent>),
}

impl MultiEvents {
    /// Number of events.
    pub fn len(&self) -> usize {
        match self {
            MultiEvents::Times(v) => v.len(),
            MultiEvents::Bumps(v) => v.len(),
        }
    }
    /// True when there are no events.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Input of an N-signal SES analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiInput {
    /// Number of signals `N ≥ 2` (signals without events are allowed).
    pub n_signals: usize,
    /// The events; their order does not matter.
    pub events: MultiEvents,
    /// Observation length `T` (same unit as the times). `None`: the span of the event
    /// times. Used for the rate `λ̂` and the default `κ_N`.
    pub duration: Option<f64>,
}

/// How bump offsets are normalised by the bump widths (per dimension).
///
/// UNCONFIRMED in the source papers. For a cluster `C` of `m` bumps with widths `w_i` the
/// cluster scale is `w_C = (2/m)·Σ w_i` (`SumOfWidths`; for `m = 2` this is the pairwise
/// `Δ + Δ'`) or `sqrt((2/m)·Σ w_i²)` (`RootSumSquares`; pairwise `sqrt(Δ² + Δ'²)`); the
/// coordinates entering `g(C)` are `x_i / w_C`, so `δ` and `s` are dimensionless.
/// For `N = 2` this reproduces the pairwise Part II cost with `st = 2s`.
///
/// The same type as pairwise bump SES's ([`crate::ses::bumps::WidthNormalisation`]):
/// one set of choices, read per cluster here and per pair there.
pub use crate::ses::bumps::WidthNormalisation;

/// Where the deletion probability of the default `κ_N = −ln(λ̂·p^N)` comes from (§4.6).
/// Either way it is set once, before the iterations, and `κ_N` stays fixed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum PdPrior {
    /// A fixed guess in `(0, 1)` (the spec's default 0.2).
    Fixed(f64),
    /// Estimated from the events: the chance-corrected rate of coincidences within two
    /// prior standard deviations ([`coincidence`]), clamped to `[0.01, 0.99]`.
    Coincidences,
}

/// Candidate window: the largest span of shifted times a candidate cluster may have.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum WindowRule {
    /// Lossless window `W = 2·sqrt(2 s K')`, `K' = κ_N − Σ_d ½ ln(2π s_d)`, recomputed at
    /// every iteration from the current `s` (no optimal cluster can be wider).
    #[default]
    Lossless,
    /// A fixed window in the time unit (normalised units for width-normalised bumps).
    /// May lose optimal clusters when it is smaller than the lossless one.
    Fixed(f64),
}

/// Every hyperparameter of N-signal SES. Units: times in the unit of the input (seconds in
/// SESAME), variances in that unit squared; normalised (dimensionless) for bumps unless
/// [`WidthNormalisation::None`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiOptions {
    /// Cost `κ_N` of opening a cluster. `None`: `−ln(λ̂·p^N)` with `p` from `pd_prior` and
    /// `λ̂ = M_ev/(N·A·(1 − p))`, `A = T` for times (per second and hertz for bumps, see
    /// [`MultiOptions::bumps`]), kept fixed during the iterations (§4.6).
    pub kappa_n: Option<f64>,
    /// Guess of the deletion probability used for the default `κ_N`: fixed (the spec's
    /// 0.2, the default for event times) or estimated once from the chance-corrected
    /// coincidence rate of the events ([`coincidence`]; the default for bumps).
    pub pd_prior: PdPrior,
    /// Prior degrees of freedom `ν` of the per-copy time variance `s` (2).
    pub nu: f64,
    /// Prior scale `s0` of `s` (time unit²) — the expected per-copy jitter squared
    /// (default 1e-4 s², i.e. 10 ms; 0.01 s² in [`MultiOptions::bumps`]).
    pub s0: f64,
    /// Initial `s`; `None`: `4·s0`, at most `s_max`.
    pub s_init: Option<f64>,
    /// Prior degrees of freedom of the frequency variance (bumps only, 2).
    pub nu_f: f64,
    /// Prior scale of the frequency variance (bumps only; Hz², or normalised units² with
    /// width normalisation; 0.025, 4 Hz² in [`MultiOptions::bumps`]).
    pub s0_f: f64,
    /// Initial frequency variance; `None`: `4·s0_f` (at most `s_max_f`).
    pub s_init_f: Option<f64>,
    /// Upper bound on the per-copy time variance `s` (time unit²); `None`: unbounded.
    ///
    /// The prior on `s` is the scaled-inverse-χ² of §4.4 **truncated** to `s ≤ s_max`:
    /// `p(s) ∝ s^−(1+ν/2)·exp(−ν s0/(2s))·[s ≤ s_max]`. Within the support the objective
    /// is unchanged (the truncation only adds a constant), and its MAP update is exact:
    /// for a fixed clustering the objective in `s` is `(A/2)·ln s + B/(2s)`, decreasing
    /// below `B/A` and increasing above, so the constrained minimum is
    /// `min((ν s0 + Σ SS_C)/(ν + Σ(m_C − 1) + 2), s_max)` and the alternation stays a
    /// coordinate descent (the objective never increases). Since the lossless window
    /// `W = 2·sqrt(2 s K')` is evaluated at the current `s ≤ s_max`, the bound also caps
    /// the window and with it the size of the programmes (see [`MultiOptions::bumps`]
    /// for the default of the bump version). The spec leaves the prior UNCONFIRMED; the
    /// truncation is our choice.
    pub s_max: Option<f64>,
    /// Upper bound on the per-copy frequency variance (bumps only; Hz², or normalised
    /// units² with width normalisation); `None`: unbounded. Same truncated prior as
    /// [`MultiOptions::s_max`].
    pub s_max_f: Option<f64>,
    /// Starting offsets (time; one vector of length `N` per start). Empty: one start at
    /// `δ = 0`. The run with the lowest final objective is kept.
    pub delta_starts: Vec<Vec<f64>>,
    /// Candidate window rule.
    pub window: WindowRule,
    /// Width normalisation of bump offsets.
    pub normalisation: WidthNormalisation,
    /// Reference signal of the gauge `δ_ref = 0` (0).
    pub reference: usize,
    /// Maximum number of alignment/update alternations (50).
    pub max_iter: usize,
    /// Wall-clock limit for the whole analysis (s). The solver stops with
    /// [`MultiError::TimeLimit`] when it is exceeded. Default 120 s.
    pub time_limit_s: f64,
    /// Upper bound on the candidate clusters of one component (guards against a
    /// combinatorial explosion with a too-wide window); default 2,000,000.
    pub max_candidates_per_component: usize,
    /// Independent components are packed into HiGHS models of about this many columns
    /// (default 4000); packing block-diagonal components changes nothing in the optimum.
    pub columns_per_model: usize,
    /// Largest connected component (in events) solved as one programme (default 2000).
    /// Larger components are solved in overlapping time windows of this many events,
    /// committing only clusters in each window's interior ([`window`]); the report says
    /// when, and bounds the possible loss (`window_gap`).
    pub max_programme_events: usize,
}

impl Default for MultiOptions {
    fn default() -> Self {
        MultiOptions {
            kappa_n: None,
            pd_prior: PdPrior::Fixed(0.2),
            nu: 2.0,
            s0: 1e-4,
            s_init: None,
            nu_f: 2.0,
            s0_f: 0.025,
            s_init_f: None,
            s_max: None,
            s_max_f: None,
            delta_starts: Vec::new(),
            window: WindowRule::Lossless,
            normalisation: WidthNormalisation::SumOfWidths,
            reference: 0,
            max_iter: 50,
            time_limit_s: 120.0,
            max_candidates_per_component: 2_000_000,
            columns_per_model: 4000,
            max_programme_events: 2000,
        }
    }
}

impl MultiOptions {
    /// Defaults for bump events (time–frequency bumps of EEG maps, 4–30 Hz).
    ///
    /// * **Normalisation: [`WidthNormalisation::None`]** (absolute offsets: `δ_t` in s,
    ///   `δ_f` in Hz, `s` in s², `s_f` in Hz²). The width-normalised forms divide the
    ///   coordinates by a scale that depends on the cluster's members, so the cost is no
    ///   longer a fixed-scale Gaussian and the lossless window of §4.3 does not hold: no
    ///   exact bound limits how far apart two members may be, and on dense region-level
    ///   bump sets (thousands of bumps) the candidate search explodes. With absolute
    ///   offsets the §4.2 cost holds per dimension, the pairwise lossless test prunes in
    ///   time *and* frequency, and the offsets keep physical units (a delay between
    ///   regions is a time, not a multiple of bump widths). The normalised forms remain
    ///   available (they reproduce pairwise bump SES at N = 2).
    /// * **`s0 = 0.01 s²`** (per-copy jitter 0.1 s, about one time semi-axis of a 10 Hz
    ///   bump) and **`s0_f = 4 Hz²`** (2 Hz, a third of a typical frequency semi-axis);
    ///   the starting variances are `4·s0` (wide, §4.6).
    /// * **`s_max = 4·s0 = 0.04 s²`, `s_max_f = 4·s0_f = 16 Hz²`**: the priors on the
    ///   variances are truncated at the wide starting values, so the per-copy jitter stays
    ///   ≤ 0.2 s (pairwise ≤ 0.28 s, about one period of the slowest band frequency,
    ///   4 Hz) and ≤ 4 Hz. Without the bound nothing stops a runaway on sparse bump sets:
    ///   with the weak prior (ν = 2 against thousands of clusters) the MAP `s` is the
    ///   spread of whatever the clustering joined, the lossless window grows as
    ///   `sqrt(s)`, wider windows join bumps further apart, and on a 20-minute recording
    ///   with 0.4 bumps/s per region the alternation reached `s = 4.1 s²` (offsets of
    ///   seconds, one programme over the whole recording). The bound also caps the
    ///   window, `W ≤ 2·sqrt(2 s_max K')`.
    /// * **`κ_N`** automatic: `−ln(λ̂·p^N)` (§4.6) with `λ̂` the hidden-bump density per
    ///   second *and per hertz* (the Gaussian terms are densities in s and Hz; for
    ///   width-normalised bumps the area is counted in units of the mean cluster scale)
    ///   and **`p` estimated once from the data** ([`PdPrior::Coincidences`]) instead of
    ///   the spec's fixed guess 0.2, then kept fixed. The spec leaves the guess open
    ///   (its defaults are its own, UNCONFIRMED); 0.2 asserts that a hidden bump appears
    ///   in 80 % of the regions. Region-level bumps contradict that — in a simulated
    ///   recording most bumps have no partner — and the cost then charges a singleton
    ///   `−(N − 1)·ln 0.2 ≈ 6.4` nats (N = 5) for its "unlikely" deletions: a pair is
    ///   cheaper than two singletons out to about 5 pairwise standard deviations, where
    ///   unrelated bumps of other regions are found by chance (about 1.8 per bump at the
    ///   prior scale on a 20-minute recording with 0.4 bumps/s per region). Chance pairs
    ///   spread over that radius raise the MAP `s`, which widens the radius: the runaway
    ///   described under `s_max`. With `p` from the chance-corrected coincidence rate the
    ///   clustering's cost matches the data's actual share of partnered bumps.
    pub fn bumps() -> Self {
        MultiOptions {
            pd_prior: PdPrior::Coincidences,
            s0: 0.01,
            s0_f: 4.0,
            s_max: Some(0.04),
            s_max_f: Some(16.0),
            normalisation: WidthNormalisation::None,
            ..Self::default()
        }
    }
}

/// Errors of N-signal SES.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MultiError {
    /// Fewer than two signals.
    #[error("N-signal SES needs at least 2 signals, got {0}")]
    TooFewSignals(usize),
    /// No events at all.
    #[error("no events: N-signal SES is undefined without events")]
    NoEvents,
    /// An event names a signal outside `0..N`.
    #[error("event {index}: signal {signal} is out of range (N = {n_signals})")]
    SignalOutOfRange {
        /// Event index in the input.
        index: usize,
        /// The signal it names.
        signal: usize,
        /// Number of signals.
        n_signals: usize,
    },
    /// A non-finite or non-positive value where it is not allowed.
    #[error("event {index}: field `{field}` = {value} is invalid ({reason})")]
    InvalidEvent {
        /// Event index in the input.
        index: usize,
        /// Field name.
        field: &'static str,
        /// Offending value.
        value: f64,
        /// What is wrong.
        reason: &'static str,
    },
    /// An option is out of its domain.
    #[error("option `{name}` = {value} is invalid: {reason}")]
    InvalidOption {
        /// Option name.
        name: &'static str,
        /// Offending value (as text).
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A component has too many candidate clusters.
    #[error(
        "{candidates} candidate clusters among {events} events starting at time {start} exceed \
         the limit {limit}; the window ({window}) is too wide for these data — lower s0/s_init, \
         bound s with s_max or set a fixed window"
    )]
    TooManyCandidates {
        /// Events in the component.
        events: usize,
        /// Candidate count reached.
        candidates: usize,
        /// Configured limit.
        limit: usize,
        /// Earliest time of the component.
        start: f64,
        /// Window used.
        window: f64,
    },
    /// The time limit was reached.
    #[error("the integer-programming solver exceeded the time limit of {limit_s} s")]
    TimeLimit {
        /// The limit (s).
        limit_s: f64,
    },
    /// HiGHS failed.
    #[error("the integer-programming solver failed: {0}")]
    Solver(String),
}

/// How the set-partitioning programmes of the final alignment were solved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SolverReport {
    /// Independent components (time blocks separated by gaps wider than the window).
    pub components: usize,
    /// Events in the largest component.
    pub largest_component: usize,
    /// Candidate clusters (columns) in all programmes, singletons included.
    pub candidates: usize,
    /// HiGHS models solved (components are packed into models).
    pub models: usize,
    /// Models whose LP relaxation was already integral (optimality certificate: the LP
    /// bound equals the integer solution's cost).
    pub lp_integral: usize,
    /// Models that needed branch-and-bound (MILP).
    pub milp: usize,
    /// Largest relative MIP gap reported by HiGHS among the MILP models (0 when none).
    pub max_gap: f64,
    /// Lower bound on the optimum of the final alignment: the sum of the models'
    /// LP-relaxation bounds and, for windowed components, of their Lagrangian bounds
    /// (see [`window`]).
    pub lp_bound: f64,
    /// Total cost of the final clustering `Σ_C cost(C)`.
    pub objective: f64,
    /// Components with more than [`MultiOptions::max_programme_events`] events, solved in
    /// overlapping time windows instead of one programme (0: none).
    pub windowed_components: usize,
    /// Window programmes solved for those components (each counts as a model above).
    pub windows: usize,
    /// Windows in which no cluster lay in the interior, so the cluster holding the
    /// window's first event was committed to make progress (0 unless the window holds
    /// less than about two candidate spans; see [`window`]).
    pub forced_windows: usize,
    /// Largest relative gap `(U − L)/max(|U|, 1)` between a windowed component's cost
    /// `U` and its certified lower bound `L`: the windowed clustering is within this
    /// fraction of the component's optimum (0 when no windows were used).
    pub window_gap: f64,
    /// `"optimal"` when every model is proven optimal (windowed components included,
    /// when their gap is certified to be ≤ 1e-9); `"windowed"` otherwise — the clustering
    /// is then feasible and within [`SolverReport::window_gap`] of the optimum.
    pub status: String,
}

/// SES between two signals induced by the N-signal clustering (pairs of signals that
/// co-occur in a cluster).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InducedPair {
    /// First signal.
    pub a: usize,
    /// Second signal.
    pub b: usize,
    /// Number of clusters containing both.
    pub pairs: usize,
    /// Mean offset `x_b − x_a` over those clusters (time unit; normalised for bumps).
    pub delta: f64,
    /// Pairwise jitter variance `(ν·2s0 + Σ(d − δ)²)/(ν + P + 2)` (time unit²).
    pub st: f64,
    /// Fraction of the two signals' events not paired with the other signal.
    pub rho: f64,
}

/// Result of N-signal SES.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiResult {
    /// Number of signals.
    pub n_signals: usize,
    /// Number of events.
    pub n_events: usize,
    /// Offsets `δ_i` (time unit, normalised for bumps), `δ_ref = 0`.
    pub delta: Vec<f64>,
    /// Per-copy timing variance `s` (time unit²).
    pub s: f64,
    /// Pairwise-equivalent timing variance `st = 2s`.
    pub st: f64,
    /// Frequency offsets (bumps only).
    pub delta_f: Option<Vec<f64>>,
    /// Per-copy frequency variance (bumps only).
    pub s_f: Option<f64>,
    /// Fraction of events in singleton clusters.
    pub rho_single: f64,
    /// Per-signal fraction of the signal's events that are singletons (NaN: no events).
    pub rho_single_per_signal: Vec<f64>,
    /// Deletion probability (zero-truncated binomial fit to the cluster sizes).
    pub pd_hat: f64,
    /// Rate of the hidden process `λ̂ = K/(T(1 − p̂_d^N))` (events per time unit).
    pub lambda_hat: f64,
    /// The `κ_N` used.
    pub kappa_n: f64,
    /// The deletion probability the default `κ_N` was computed from (`None` when `κ_N`
    /// was given).
    pub pd_guess: Option<f64>,
    /// The coincidence count behind `pd_guess` when it was estimated
    /// ([`PdPrior::Coincidences`]).
    pub coincidences: Option<CoincidenceEstimate>,
    /// Observation length used (time unit).
    pub duration: f64,
    /// Number of clusters with `m` events at index `m − 1` (`m = 1..N`).
    pub cluster_sizes: Vec<usize>,
    /// Clusters as sorted lists of input event indices, sorted by first index.
    pub clusters: Vec<Vec<usize>>,
    /// Pairwise SES induced by the clustering, for every pair of signals `a < b`.
    pub pairwise: Vec<InducedPair>,
    /// Final objective (cluster costs plus the prior terms of the variances).
    pub objective: f64,
    /// Alternations performed by the kept start.
    pub iterations: usize,
    /// True when the clustering stopped changing before `max_iter`.
    pub converged: bool,
    /// Solver report of the final alignment.
    pub solver: SolverReport,
}

/// Internal event: signal, coordinates per dimension and widths per dimension.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ev {
    pub signal: usize,
    pub x: [f64; 2],
    pub w: [f64; 2],
}

/// Validated events plus their dimensionality.
pub(crate) struct Prepared {
    pub evs: Vec<Ev>,
    pub dims: usize,
    pub norm: WidthNormalisation,
}

/// Wall-clock budget shared by every solver call of one analysis.
pub(crate) struct Deadline {
    start: Instant,
    limit: Duration,
    limit_s: f64,
}

impl Deadline {
    pub(crate) fn new(limit_s: f64) -> Self {
        Deadline {
            start: Instant::now(),
            limit: Duration::from_secs_f64(limit_s.min(1e9)),
            limit_s,
        }
    }
    /// Remaining seconds, or the time-limit error.
    pub(crate) fn remaining(&self) -> Result<f64, MultiError> {
        let el = self.start.elapsed();
        if el >= self.limit {
            Err(MultiError::TimeLimit {
                limit_s: self.limit_s,
            })
        } else {
            Ok((self.limit - el).as_secs_f64())
        }
    }
    pub(crate) fn limit_s(&self) -> f64 {
        self.limit_s
    }
}

/// Result of one alignment step at fixed parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiAlignment {
    /// Clusters as sorted input indices, sorted by first index.
    pub clusters: Vec<Vec<usize>>,
    /// `Σ_C cost(C)` of the clustering.
    pub objective: f64,
    /// How the programmes were solved.
    pub solver: SolverReport,
}

/// The coincidence count behind the estimate (reported with the result).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoincidenceEstimate {
    /// Estimated deletion probability `p̂_d` (clamped to `[0.01, 0.99]`).
    pub pd: f64,
    /// Pairs of events of different signals inside the probe (`Q`).
    pub pairs: usize,
    /// Pairs expected by chance alone.
    pub chance: f64,
}
