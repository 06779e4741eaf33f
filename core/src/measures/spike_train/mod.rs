//! Point-process (spike-train) synchrony measures: the five classical measures of
//! SES Part I (docs/model.md §8.1) plus Kreuz's ISI-distance, SPIKE-distance and
//! SPIKE-synchronization and the spike time tiling coefficient.
//!
//! One file per measure; each holds a plain function on two sorted event-time slices
//! (seconds) and a unit struct implementing [`Measure`](super::Measure).
//!
//! # Conventions shared by every measure here
//! - Event times are in seconds, finite, sorted ascending (ties allowed) and inside the
//!   observation window `[t0, t1]`, `t0 < t1`; [`PairInput::PointProcess`] input that is
//!   not is rejected with [`MeasureError::Invalid`] naming the train, index and value.
//! - **Empty trains** never give NaN: two empty trains are identical (distance 0,
//!   similarity 1); against a non-empty train an empty train has no coincidence
//!   (similarity 0) and its distance follows from the definition (Victor–Purpura: the
//!   number of events of the other train; van Rossum: the norm of the other train's
//!   filtered signal; ISI-distance: the other train compared with one interval covering
//!   the window; SPIKE-distance: 1 on the window).

mod event_sync;
mod hunter_milton;
mod isi_distance;
mod kreuz;
mod schreiber;
mod spike_distance;
mod spike_sync;
mod sttc;
mod van_rossum;
mod victor_purpura;

pub use event_sync::{event_synchronization, EventSync, EventSyncResult};
pub use hunter_milton::{hunter_milton, HunterMilton};
pub use isi_distance::{isi_distance, IsiDistance};
pub use schreiber::{schreiber, Schreiber};
pub use spike_distance::{spike_distance, SpikeDistance};
pub use spike_sync::{spike_sync, SpikeSync};
pub use sttc::{sttc, Sttc};
pub use van_rossum::{van_rossum, VanRossum, VanRossumNorm};
pub use victor_purpura::{victor_purpura, VictorPurpura};

use super::{InputKind, MeasureError, PairInput};

/// Two validated event trains and their window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trains<'a> {
    pub x: &'a [f64],
    pub y: &'a [f64],
    pub t0: f64,
    pub t1: f64,
}

/// Checks that `pair` is point-process input with finite, sorted event times inside a
/// finite window `t0 < t1`.
pub(crate) fn trains<'a>(
    measure: &'static str,
    pair: &PairInput<'a>,
) -> Result<Trains<'a>, MeasureError> {
    let (x, y, (t0, t1)) = match pair {
        PairInput::PointProcess { x, y, window } => (*x, *y, *window),
        PairInput::Bumps { .. } => {
            return Err(MeasureError::WrongInput {
                measure,
                expected: InputKind::PointProcess,
                got: InputKind::Bumps,
            })
        }
        PairInput::Continuous { .. } => {
            return Err(MeasureError::WrongInput {
                measure,
                expected: InputKind::PointProcess,
                got: InputKind::Continuous,
            })
        }
    };
    validate_window(measure, t0, t1)?;
    validate_train(measure, "x", x, t0, t1)?;
    validate_train(measure, "y", y, t0, t1)?;
    Ok(Trains { x, y, t0, t1 })
}

/// Checks the observation window `[t0, t1]` (seconds).
pub(crate) fn validate_window(measure: &str, t0: f64, t1: f64) -> Result<(), MeasureError> {
    if !(t0.is_finite() && t1.is_finite() && t0 < t1) {
        return Err(MeasureError::Invalid(format!(
            "{measure}: the window [{t0}, {t1}] s must be finite with start < end"
        )));
    }
    Ok(())
}

/// Checks that one train is finite, sorted ascending and inside `[t0, t1]`.
pub(crate) fn validate_train(
    measure: &str,
    name: &str,
    t: &[f64],
    t0: f64,
    t1: f64,
) -> Result<(), MeasureError> {
    for (i, &v) in t.iter().enumerate() {
        if !v.is_finite() {
            return Err(MeasureError::Invalid(format!(
                "{measure}: train {name}, event {i}: time {v} is not a finite number"
            )));
        }
        if v < t0 || v > t1 {
            return Err(MeasureError::Invalid(format!(
                "{measure}: train {name}, event {i}: time {v} s is outside the window [{t0}, {t1}] s"
            )));
        }
        if i > 0 && v < t[i - 1] {
            return Err(MeasureError::Invalid(format!(
                "{measure}: train {name}, event {i}: time {v} s comes before the previous event at {} s (times must be sorted)",
                t[i - 1]
            )));
        }
    }
    Ok(())
}

/// For each event of `a`, the distance (s) to the nearest event of `b`
/// (`+∞` when `b` is empty). O(n + m) on sorted input.
pub(crate) fn nearest_distances(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0usize; // first index with b[j] >= current a
    for &s in a {
        while j < b.len() && b[j] < s {
            j += 1;
        }
        let mut d = f64::INFINITY;
        if j < b.len() {
            d = d.min((b[j] - s).abs());
        }
        if j > 0 {
            d = d.min((s - b[j - 1]).abs());
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_distances_brute_force() {
        let a = [0.1, 0.5, 0.5, 1.2, 2.0, 3.0];
        let b = [0.0, 0.12, 0.55, 1.5, 2.02];
        let got = nearest_distances(&a, &b);
        for (k, &s) in a.iter().enumerate() {
            let want = b
                .iter()
                .map(|&v| (v - s).abs())
                .fold(f64::INFINITY, f64::min);
            assert_eq!(got[k], want);
        }
        assert!(nearest_distances(&a, &[]).iter().all(|d| d.is_infinite()));
    }

    #[test]
    fn validation_names_the_problem() {
        let p = PairInput::PointProcess {
            x: &[0.2, 0.1],
            y: &[],
            window: (0.0, 1.0),
        };
        let e = trains("m", &p).unwrap_err().to_string();
        assert!(
            e.contains("train x, event 1") && e.contains("sorted"),
            "{e}"
        );
        let p = PairInput::PointProcess {
            x: &[0.2],
            y: &[1.5],
            window: (0.0, 1.0),
        };
        let e = trains("m", &p).unwrap_err().to_string();
        assert!(
            e.contains("train y, event 0") && e.contains("outside"),
            "{e}"
        );
        let p = PairInput::PointProcess {
            x: &[],
            y: &[],
            window: (1.0, 1.0),
        };
        assert!(trains("m", &p).is_err());
        let p = PairInput::PointProcess {
            x: &[f64::NAN],
            y: &[],
            window: (0.0, 1.0),
        };
        assert!(trains("m", &p).is_err());
    }
}
