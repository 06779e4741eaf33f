//! Errors of bump extraction.

use crate::tf::TfError;
use thiserror::Error;

/// Why bumps could not be extracted from a channel.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BumpError {
    /// An option is out of its valid range.
    #[error("invalid bump option {field} = {value}: {reason}")]
    InvalidOption {
        field: &'static str,
        value: f64,
        reason: String,
    },
    /// The time-frequency map could not be computed.
    #[error(transparent)]
    Map(#[from] TfError),
    /// The map is too small for the fitting windows.
    #[error("the map is too short for bump fitting: {cols} columns, {reason}")]
    TooShort { cols: usize, reason: String },
}
