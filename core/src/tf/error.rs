//! Errors of the time-frequency stage.

use thiserror::Error;

/// Why a time-frequency map could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TfError {
    /// An option is out of its valid range.
    #[error("invalid time-frequency option {field} = {value}: {reason}")]
    InvalidOption {
        field: &'static str,
        value: f64,
        reason: String,
    },
    /// The signal holds NaN or infinite samples.
    #[error("the signal holds a non-finite sample ({value}) at index {index}")]
    NonFinite { index: usize, value: f32 },
    /// The signal is too short for the requested analysis.
    #[error("the signal is too short: {samples} samples ({seconds:.3} s); {reason}")]
    TooShort {
        samples: usize,
        seconds: f64,
        reason: String,
    },
    /// The signal has no variation at any analysed frequency (flat channel).
    #[error("the signal is flat: its wavelet modulus does not vary at any frequency")]
    Flat,
    /// The signal's length differs from the one a [`crate::tf::MorletPlan`] was made for.
    #[error("the plan was made for {expected} samples, the signal has {got}")]
    LengthMismatch { expected: usize, got: usize },
}
