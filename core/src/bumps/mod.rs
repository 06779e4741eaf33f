//! Bump modelling of time-frequency maps (docs/model.md §5): adaptive windows, half-ellipsoid
//! bumps, greedy fit and pruning.
//!
//! [`extract_bumps`] runs the whole chain on one channel: normalised Morlet map
//! ([`crate::tf`]), greedy extraction of half-ellipsoids ([`fit_map`]), pruning, and
//! conversion to [`Bump`]s in seconds and Hz. [`extract_channels`] does it for many
//! channels in parallel.

pub mod blockwise;
mod ellipsoid;
mod error;
mod extract;
mod greedy;
mod kernel;
mod lm;
mod model;
mod options;
mod prune;
mod windows;

pub use ellipsoid::HalfEllipsoid;
pub use error::BumpError;
pub use extract::{bumps_from_map, extract_bumps, extract_channels, BumpSet};
pub use greedy::{fit_map, BumpFit, FitOutcome, Patience, StopReason};
pub(crate) use greedy::{fit_map_with, StopRules};
pub use model::Bump;
pub use options::{BumpOptions, TOOLBOX_MIN_AMPLITUDE};
pub use prune::prune;
pub use windows::{Window, WindowGeometry};

#[cfg(test)]
mod tests;
