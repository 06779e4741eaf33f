//! # sesame-core
//!
//! Every computation of SESAME, with no GUI and no printing:
//! a [`recording::Recording`] goes in, events come out of its time-frequency maps
//! ([`tf`], [`bumps`]), events are aligned across channels ([`ses`]), and synchrony
//! parameters come out ([`measures`], [`analysis`]).
//!
//! Units follow the EEG convention throughout: time in seconds, frequency in Hz,
//! amplitudes in the physical unit of the channel (µV for EEG).
//!
//! # Example
//!
//! Open the bundled sample recording, extract the bumps of two channels of one of its
//! synchronous groups over 20 s, and align them with bump SES:
//!
//! ```
//! use sesame_core::bumps::{extract_bumps, BumpOptions};
//! use sesame_core::recording::{ReadOptions, Recording};
//! use sesame_core::ses::bumps::{ses_bumps, BumpSesOptions};
//! use std::path::Path;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let path = Path::new("../sample-data/sesame-sample.edf");
//! let rec = Recording::open(path, &ReadOptions::default())?;
//! let (start, end) = (0.0, 20.0); // s
//!
//! // Bumps of the 4–30 Hz Morlet map of each channel (default options).
//! let mut bumps = Vec::new();
//! for name in ["F3", "Fz"] {
//!     let i = rec.channel_index(name).ok_or("no such channel")?;
//!     let fs = rec.signals()[i].sample_rate; // Hz
//!     let x = rec.read_signal(i, start, end)?; // µV
//!     bumps.push(extract_bumps(&x, fs, start, &BumpOptions::default())?.bumps);
//! }
//!
//! // Bump SES, with the jitter variances bounded at 4·s0 as the `ses-bumps` measure does.
//! let opts = BumpSesOptions { st_max: Some(0.2), sf_max: Some(0.2), ..BumpSesOptions::default() };
//! let ses = ses_bumps(&bumps[0], &bumps[1], &opts)?;
//! let p = &ses.params;
//! println!(
//!     "rho = {:.2}: {} pairs among {:?} bumps, delay {:?}",
//!     p.rho, p.n_pairs, p.n_events, p.delay_t
//! );
//! assert!((0.0..=1.0).contains(&p.rho));
//! assert!(p.n_pairs > 0);
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

pub mod analysis;
pub mod atomic;
pub mod batch;
pub mod bumps;
pub mod events;
mod linalg;
pub mod measures;
pub mod recording;
pub mod ses;
pub mod signal;
pub mod simulate;
pub mod surrogates;
pub mod tf;

/// The version of this library, written into every export's provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
