//! Synchrony measures as plugins behind one trait, [`Measure`], and their
//! [`registry`].
//!
//! A measure declares what it reads ([`InputKind`]), its parameters ([`ParamSpec`],
//! which drive the CLI flags and the GUI widgets) and the values it returns
//! ([`OutputSpec`]). Pairwise measures implement [`Measure::compute`]; measures that
//! need the whole channel set at once (a multivariate AR model, omega complexity)
//! override [`Measure::compute_set`].

mod params;
mod registry;
pub mod ses;
pub mod ses_multi;
pub mod spike_train;

pub mod divergence;
pub mod granger;
pub mod information;
pub mod phase;
pub mod signals_csv;
pub mod spectral;
pub mod state_space;
pub mod wavelet;

pub use params::{ParamKind, ParamSpec, ParamValue, ParamValues};
pub use registry::{aliases, find, registry, ALIASES};

use crate::bumps::Bump;
use ndarray::{ArrayView2, ArrayView3};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What a measure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputKind {
    /// Event times in seconds (spike trains, bump centre times, peaks…).
    PointProcess,
    /// Bumps of the time-frequency maps.
    Bumps,
    /// Sampled signals.
    Continuous,
}

pub use crate::surrogates::SurrogateMethod;

/// Name, unit and meaning of one value a measure returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputSpec {
    /// Output name, as written in result tables and [`Value::name`] (`rho`, `plv`, …).
    pub name: &'static str,
    /// Unit, `""` when dimensionless.
    pub unit: &'static str,
    /// One line: what the value means, read by `sesame measures` and the GUI.
    pub doc: &'static str,
    /// Which way the value moves when the signals are more synchronous: the side a
    /// surrogate test of this output counts as extreme.
    pub direction: Direction,
}

/// Which way an output moves with synchrony.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Larger values mean more synchrony (coherence, PLV, similarities, `sync`).
    Higher,
    /// Smaller values mean more synchrony (distances, divergences, SES's ρ).
    Lower,
    /// Signed values whose magnitude means synchrony (imaginary coherence, Pearson r):
    /// tested on `|value|`.
    TwoSided,
    /// Not a synchrony value (a delay, a lag, a count, a fitted variance, a flag): no
    /// surrogate test.
    Neither,
}

impl Direction {
    /// The direction of an output of the generated spectral and wavelet measures, by
    /// its name: the signed `imcoh` two-sided, the `phase` angle none, every other
    /// (coherences, phase locking) higher.
    pub const fn of(name: &str) -> Direction {
        if const_eq(name, "imcoh") {
            Direction::TwoSided
        } else if const_eq(name, "phase") {
            Direction::Neither
        } else {
            Direction::Higher
        }
    }

    /// The tail of a surrogate test (`None`: the output is not tested).
    pub fn tail(self) -> Option<crate::surrogates::Tail> {
        use crate::surrogates::Tail;
        match self {
            Direction::Higher => Some(Tail::Upper),
            Direction::Lower => Some(Tail::Lower),
            Direction::TwoSided => Some(Tail::Both),
            Direction::Neither => None,
        }
    }
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// One value computed by a measure, named as in its [`OutputSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Value {
    /// Output name, one of the measure's [`OutputSpec::name`]s.
    pub name: String,
    /// The value, in the unit of its [`OutputSpec::unit`] (NaN when undefined).
    pub value: f64,
}

impl Value {
    /// A value named `name`.
    pub fn new(name: impl Into<String>, value: f64) -> Self {
        Value {
            name: name.into(),
            value,
        }
    }
}

/// What a measure prepares once per observed pair for the surrogates of that pair
/// ([`Measure::surrogate_setup`]): opaque to the caller, read back by the measure itself.
pub type SurrogateSetup = Option<Box<dyn std::any::Any + Send + Sync>>;

/// What a set-level result refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Target {
    /// Channels `(i, j)` of the set; for directed measures, from `i` to `j`.
    Pair(usize, usize),
    /// One channel of the set.
    Channel(usize),
    /// The whole set (omega complexity, global field synchronization).
    Set,
}

/// The data of one pair of channels.
#[derive(Debug, Clone)]
pub enum PairInput<'a> {
    /// Event times in seconds, sorted ascending, observed over `window` (seconds).
    PointProcess {
        /// Event times of the first channel, in seconds.
        x: &'a [f64],
        /// Event times of the second channel, in seconds.
        y: &'a [f64],
        /// Observation window `(start, end)`, in seconds.
        window: (f64, f64),
    },
    /// Bumps of both channels, observed over `window` (seconds).
    Bumps {
        /// Bumps of the first channel.
        x: &'a [Bump],
        /// Bumps of the second channel.
        y: &'a [Bump],
        /// Observation window `(start, end)`, in seconds.
        window: (f64, f64),
    },
    /// Signals as epochs × samples (one row for a single segment), sample rate `fs` Hz.
    Continuous {
        /// First channel, epochs × samples.
        x: ArrayView2<'a, f64>,
        /// Second channel, epochs × samples.
        y: ArrayView2<'a, f64>,
        /// Sample rate, in Hz.
        fs: f64,
    },
}

/// The data of a whole channel set.
#[derive(Debug, Clone)]
pub enum SetInput<'a> {
    /// Event times in seconds of every channel, each sorted ascending.
    PointProcess {
        /// One train of event times (seconds) per channel.
        trains: &'a [Vec<f64>],
        /// Observation window `(start, end)`, in seconds.
        window: (f64, f64),
    },
    /// Bumps of every channel.
    Bumps {
        /// One list of bumps per channel.
        bumps: &'a [Vec<Bump>],
        /// Observation window `(start, end)`, in seconds.
        window: (f64, f64),
    },
    /// channels × epochs × samples, sample rate `fs` Hz.
    Continuous {
        /// The signals, channels × epochs × samples.
        data: ArrayView3<'a, f64>,
        /// Sample rate, in Hz.
        fs: f64,
    },
}

impl SetInput<'_> {
    /// Number of channels in the set.
    pub fn n_channels(&self) -> usize {
        match self {
            SetInput::PointProcess { trains, .. } => trains.len(),
            SetInput::Bumps { bumps, .. } => bumps.len(),
            SetInput::Continuous { data, .. } => data.shape()[0],
        }
    }

    /// The data of channels `i` and `j` as a pair.
    pub fn pair(&self, i: usize, j: usize) -> PairInput<'_> {
        match self {
            SetInput::PointProcess { trains, window } => PairInput::PointProcess {
                x: &trains[i],
                y: &trains[j],
                window: *window,
            },
            SetInput::Bumps { bumps, window } => PairInput::Bumps {
                x: &bumps[i],
                y: &bumps[j],
                window: *window,
            },
            SetInput::Continuous { data, fs } => PairInput::Continuous {
                x: data.index_axis(ndarray::Axis(0), i),
                y: data.index_axis(ndarray::Axis(0), j),
                fs: *fs,
            },
        }
    }

    fn kind(&self) -> InputKind {
        match self {
            SetInput::PointProcess { .. } => InputKind::PointProcess,
            SetInput::Bumps { .. } => InputKind::Bumps,
            SetInput::Continuous { .. } => InputKind::Continuous,
        }
    }
}

/// Why a measure could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    /// The measure was given data of another kind than it reads.
    #[error("measure `{measure}` reads {expected:?} input, got {got:?}")]
    WrongInput {
        /// Identifier of the measure ([`Measure::id`]).
        measure: &'static str,
        /// The input kind the measure reads.
        expected: InputKind,
        /// The input kind it was given.
        got: InputKind,
    },
    #[error("parameter `{name}`: {reason}")]
    /// A parameter value is out of range or of the wrong kind.
    Param {
        /// Name of the parameter, as in its [`ParamSpec`].
        name: String,
        /// What is wrong with the value.
        reason: String,
    },
    /// The data do not allow the computation (too short, singular, inconsistent shapes…);
    /// the message says why.
    #[error("{0}")]
    Invalid(String),
}

/// What a measure returns on a channel set: per target (pair), its output values.
pub type SetValues = Vec<(Target, Vec<Value>)>;

/// A synchrony measure.
pub trait Measure: Send + Sync {
    /// Stable identifier used on the command line and in result tables (`victor-purpura`).
    fn id(&self) -> &'static str;
    /// Human-readable name.
    fn title(&self) -> &'static str;
    /// One paragraph: the definition, with units.
    fn doc(&self) -> &'static str;
    /// What the measure reads.
    fn input(&self) -> InputKind;
    /// The parameters the measure accepts, with their defaults.
    fn params(&self) -> &'static [ParamSpec];
    /// The values the measure returns, in order.
    fn outputs(&self) -> &'static [OutputSpec];
    /// Whether `compute(x, y)` differs from `compute(y, x)` (Granger family).
    fn directed(&self) -> bool {
        false
    }

    /// The measure on one pair of channels.
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError>;

    /// How surrogate pairs of this measure may be made (`[significance] method`): event
    /// measures circular shift or dithering, continuous ones circular shift, epoch
    /// shuffling or phase randomisation. The first is the default.
    fn surrogate_methods(&self) -> &'static [SurrogateMethod] {
        match self.input() {
            InputKind::Continuous => SurrogateMethod::CONTINUOUS,
            InputKind::PointProcess | InputKind::Bumps => SurrogateMethod::EVENTS,
        }
    }

    /// The measure on a surrogate pair of a significance test (`[significance]`), given
    /// the observed pair's values `observed`; only the outputs with a
    /// [`Direction`] are read. By default [`compute`](Measure::compute). A measure whose
    /// outputs carry their own chance calibration (SES: `rho_null`, `sync`) may skip it
    /// here and refer the surrogate to the observed pair's calibration instead. `setup`
    /// is what [`surrogate_setup`](Measure::surrogate_setup) returned for the observed
    /// pair.
    fn surrogate_compute(
        &self,
        pair: &PairInput,
        params: &ParamValues,
        observed: &[Value],
        setup: &SurrogateSetup,
    ) -> Result<Vec<Value>, MeasureError> {
        let _ = (observed, setup);
        self.compute(pair, params)
    }

    /// Work a measure does once per observed pair and shares with all the surrogates of
    /// that pair ([`surrogate_compute`](Measure::surrogate_compute) receives it), for
    /// what a surrogate leaves unchanged: SES on bumps keeps the chance count of its
    /// data-based cost, which a time shift of one signal does not alter. By default
    /// nothing.
    fn surrogate_setup(
        &self,
        pair: &PairInput,
        params: &ParamValues,
    ) -> Result<SurrogateSetup, MeasureError> {
        let _ = (pair, params);
        Ok(None)
    }

    /// The measure as a spectral measure (coherence and phase families), whose values
    /// come from shared spectra: measures with the same spectra source and parameters
    /// can then be computed together, one transform per channel and segment for all
    /// (see [`spectral::shared_set`]). `None` for every other measure.
    fn as_spectral(&self) -> Option<&spectral::SpectralMeasure> {
        None
    }

    /// The measure on a whole channel set: by default every pair `i < j` (and `j > i`
    /// too when [`directed`](Measure::directed)), in parallel, in a deterministic order.
    fn compute_set(
        &self,
        set: &SetInput,
        params: &ParamValues,
    ) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
        pairwise_set(self.id(), self.input(), self.directed(), set, |pair| {
            self.compute(pair, params)
        })
    }
}

/// Everything a measure declares besides its computation: what the registry, the CLI
/// (`sesame measures`, `--param`) and the GUI read.
#[derive(Debug, Clone, Copy)]
pub struct MeasureInfo {
    /// Stable identifier used on the command line and in result tables.
    pub id: &'static str,
    /// Human-readable name.
    pub title: &'static str,
    /// One paragraph: the definition, with units.
    pub doc: &'static str,
    /// What the measure reads.
    pub input: InputKind,
    /// The parameters the measure accepts, with their defaults.
    pub params: &'static [ParamSpec],
    /// The values the measure returns, in order.
    pub outputs: &'static [OutputSpec],
    /// Whether `compute(x, y)` differs from `compute(y, x)`.
    pub directed: bool,
}

/// The short way to write a measure: a [`MeasureInfo`] and the computation; the
/// [`Measure`] trait follows from it.
pub trait Plugin: Send + Sync {
    /// Everything the measure declares: identifier, name, input, parameters, outputs.
    fn info(&self) -> &MeasureInfo;

    /// The measure on one pair of channels.
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError>;

    /// See [`Measure::as_spectral`].
    fn as_spectral(&self) -> Option<&spectral::SpectralMeasure> {
        None
    }

    /// The measure on a whole channel set; by default every pair, as
    /// [`Measure::compute_set`] does.
    fn compute_set(
        &self,
        set: &SetInput,
        params: &ParamValues,
    ) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
        let i = self.info();
        pairwise_set(i.id, i.input, i.directed, set, |pair| {
            Plugin::compute(self, pair, params)
        })
    }
}

impl<T: Plugin> Measure for T {
    fn id(&self) -> &'static str {
        self.info().id
    }
    fn title(&self) -> &'static str {
        self.info().title
    }
    fn doc(&self) -> &'static str {
        self.info().doc
    }
    fn input(&self) -> InputKind {
        self.info().input
    }
    fn params(&self) -> &'static [ParamSpec] {
        self.info().params
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        self.info().outputs
    }
    fn directed(&self) -> bool {
        self.info().directed
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        Plugin::compute(self, pair, params)
    }
    fn as_spectral(&self) -> Option<&spectral::SpectralMeasure> {
        Plugin::as_spectral(self)
    }
    fn compute_set(
        &self,
        set: &SetInput,
        params: &ParamValues,
    ) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
        Plugin::compute_set(self, set, params)
    }
}

/// Every pair `i < j` of a set (and `j > i` too when `directed`), each computed by
/// `f`, in parallel, in a deterministic order.
fn pairwise_set(
    id: &'static str,
    input: InputKind,
    directed: bool,
    set: &SetInput,
    f: impl Fn(&PairInput) -> Result<Vec<Value>, MeasureError> + Sync,
) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
    if set.kind() != input {
        return Err(MeasureError::WrongInput {
            measure: id,
            expected: input,
            got: set.kind(),
        });
    }
    let n = set.n_channels();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .filter(|&(i, j)| if directed { i != j } else { i < j })
        .collect();
    pairs
        .par_iter()
        .map(|&(i, j)| Ok((Target::Pair(i, j), f(&set.pair(i, j))?)))
        .collect()
}
