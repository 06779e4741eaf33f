/// Why a preprocessing step refused its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignalError {
    /// The signal has no samples (or no channels).
    #[error("{what}: the signal is empty")]
    Empty {
        /// The step that refused (`zero-phase filter`, `resampling`…).
        what: String,
    },
    /// A sample is NaN or infinite.
    #[error("{what}: sample {index} of channel {channel} is not finite ({value})")]
    NonFinite {
        /// The step that refused (`zero-phase filter`, `resampling`…).
        what: String,
        /// Index of the channel (from 0) among those given to the step.
        channel: usize,
        /// Index of the sample (from 0) in the channel.
        index: usize,
        /// The offending sample.
        value: f32,
    },
    /// A frequency is not strictly between 0 and the Nyquist frequency.
    #[error("{what}: {name} = {value} Hz must lie strictly between 0 and the Nyquist frequency {nyquist} Hz")]
    FrequencyOutOfRange {
        /// The step that refused (`Butterworth design`…).
        what: String,
        /// Which frequency (`low cut-off`, `notch frequency`…).
        name: String,
        /// The frequency given, Hz.
        value: f64,
        /// Half the sample rate, Hz.
        nyquist: f64,
    },
    /// A parameter has a value outside its domain.
    #[error("{what}: {name} = {value}: {reason}")]
    InvalidParameter {
        /// The step that refused.
        what: String,
        /// Which parameter.
        name: String,
        /// The value given, as text.
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// A channel name is not among the labels.
    #[error("{what}: unknown channel `{name}` (channels are: {available})")]
    UnknownChannel {
        /// The step that refused (`re-referencing`…).
        what: String,
        /// The name given.
        name: String,
        /// The channel labels there are, comma-separated.
        available: String,
    },
    /// The signal is shorter than the operation needs.
    #[error("{what}: {samples} samples is too short; at least {needed} are needed")]
    TooShort {
        /// The step that refused.
        what: String,
        /// Number of samples given.
        samples: usize,
        /// Smallest number of samples the step accepts.
        needed: usize,
    },
}

pub(crate) fn invalid(
    what: &str,
    name: &str,
    value: impl std::fmt::Display,
    reason: &str,
) -> SignalError {
    SignalError::InvalidParameter {
        what: what.to_string(),
        name: name.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// Fails on an empty slice or the first non-finite sample.
pub(crate) fn check_finite(what: &str, channel: usize, x: &[f32]) -> Result<(), SignalError> {
    if x.is_empty() {
        return Err(SignalError::Empty {
            what: what.to_string(),
        });
    }
    if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(SignalError::NonFinite {
            what: what.to_string(),
            channel,
            index,
            value,
        });
    }
    Ok(())
}
