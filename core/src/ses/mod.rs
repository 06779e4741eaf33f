//! Stochastic event synchrony (SES): 1-D point processes (Part I), bumps (Part II)
//! and N > 2 signals (Part III).
//!
//! - [`one_d`]: pairwise SES of event times (exact alignment by dynamic programming).
//! - [`bumps`]: bump SES (five parameters), aligned by max-product certified by [`exact`].
//! - [`params`]: parameters, priors, alignments and errors shared by every variant.

pub mod bumps;
pub mod coincidence;
pub mod exact;
pub mod maxproduct;
pub mod one_d;
pub mod params;
pub mod regions;
pub mod surrogate;

pub use one_d::{ses_1d, OneDOptions, OneDResult};
pub use params::{
    Alignment, AlignmentMethod, BumpSesParams, NonCoincidentCost, Prior, SesError, SesParams,
};
pub mod multi;
