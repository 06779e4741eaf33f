//! # sesame-core
//!
//! Every computation of SESAME, with no GUI and no printing:
//! a [`recording::Recording`] goes in, events come out of its time-frequency maps
//! ([`tf`], [`bumps`]), events are aligned across channels ([`ses`]), and synchrony
//! parameters come out ([`measures`], [`analysis`]).
//!
//! Units follow the EEG convention throughout: time in seconds, frequency in Hz,
//! amplitudes in the physical unit of the channel (µV for EEG).

pub mod analysis;
pub mod batch;
pub mod bumps;
pub mod events;
pub mod measures;
pub mod recording;
pub mod ses;
pub mod signal;
pub mod simulate;
pub mod surrogates;
pub mod tf;

/// The version of this library, written into every export's provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
