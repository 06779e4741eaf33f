//! Time-frequency maps: complex Morlet wavelet transform by FFT convolution and the
//! normalisation chain of the bump pipeline (docs/model.md §5.2).
//!
//! Two levels:
//! - [`MorletPlan`] / [`wavelet_modulus`]: the modulus `|W(f, t)|` of the continuous
//!   wavelet transform on a frequency grid, in the signal's unit (µV for EEG);
//! - [`normalised_map`]: the map the bump fit works on — z-score per frequency against a
//!   reference period, offset, negatives set to 0, borders removed, rows down-sampled,
//!   normalised by the maximum ([`TfMap`]).

mod error;
mod map;
pub(crate) use map::{rectified_z, reference_columns};
mod morlet;
mod options;

pub use error::TfError;
pub use map::{normalised_map, normalised_map_with_plan, NormOptions, TfMap, ZScoreReference};
pub use morlet::{wavelet_modulus, ModulusMap, MorletPlan};
pub use options::TfOptions;

#[cfg(test)]
mod tests;
