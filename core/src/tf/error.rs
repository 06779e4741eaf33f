//! Errors of the time-frequency stage.

use thiserror::Error;

/// Why a time-frequency map could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TfError {
    /// An option is out of its valid range.
    #[error("invalid time-frequency option {field} = {value}: {reason}")]
    InvalidOption {
        /// The option's name.
        field: &'static str,
        /// The value given.
        value: f64,
        /// What a valid value is.
        reason: String,
    },
    /// The signal holds NaN or infinite samples.
    #[error("the signal holds a non-finite sample ({value}) at index {index}")]
    NonFinite {
        /// Index of the first such sample.
        index: usize,
        /// Its value.
        value: f32,
    },
    /// The signal is too short for the requested analysis.
    #[error("the signal is too short: {samples} samples ({seconds:.3} s); {reason}")]
    TooShort {
        /// Samples in the signal.
        samples: usize,
        /// Its duration, s.
        seconds: f64,
        /// What length the analysis needs.
        reason: String,
    },
    /// The signal has no variation at any analysed frequency (flat channel).
    #[error("the signal is flat: its wavelet modulus does not vary at any frequency")]
    Flat,
    /// The signal's length differs from the one a [`crate::tf::MorletPlan`] was made for.
    #[error("the plan was made for {expected} samples, the signal has {got}")]
    LengthMismatch {
        /// Samples the plan was made for.
        expected: usize,
        /// Samples in the signal.
        got: usize,
    },
}
