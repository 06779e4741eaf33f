//! Preprocessing: zero-phase filters, resampling, re-referencing, windows and
//! artifact-free segment selection.
//!
//! Signals are `f32` samples in µV (any physical unit works: every step is linear),
//! sample rates in Hz, times in seconds. Multichannel data is a channels × samples
//! `ndarray::Array2<f32>` with one label per row.

mod error;
pub mod filter;
pub mod montage;
pub mod reference;
pub mod resample;
pub mod segments;
pub mod spectrum;

pub use error::SignalError;
pub use filter::{zero_phase, FilterKind, FilterSpec, Sos};
pub use reference::{find_channel, rereference, Reference};
pub use resample::{rational_factor, resample, resample_rows};
pub use segments::{clean_segments, cut_segments, select_window, Segment, SegmentOptions};
pub use spectrum::{welch, Psd};

#[cfg(test)]
mod tests;
