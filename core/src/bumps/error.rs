//! Errors of bump extraction.

use crate::tf::TfError;
use thiserror::Error;

/// Why bumps could not be extracted from a channel.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BumpError {
    /// An option is out of its valid range.
    #[error("invalid bump option {field} = {value}: {reason}")]
    InvalidOption {
        /// The option's name.
        field: &'static str,
        /// The value given.
        value: f64,
        /// What a valid value is.
        reason: String,
    },
    /// The time-frequency map could not be computed.
    #[error(transparent)]
    Map(#[from] TfError),
    /// The map is too small for the fitting windows.
    #[error("the map is too short for bump fitting: {cols} columns, {reason}")]
    TooShort {
        /// Columns (time steps) of the map.
        cols: usize,
        /// What the fitting windows need.
        reason: String,
    },
}
