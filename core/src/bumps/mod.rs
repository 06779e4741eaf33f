//! Bump modelling of time-frequency maps (spec §5): adaptive windows, half-ellipsoid
//! bumps, greedy fit and pruning.

mod model;

pub use model::Bump;
