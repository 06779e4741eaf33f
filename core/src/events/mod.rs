//! One-dimensional events: point processes (event times in seconds) taken from EEG —
//! bump centre times, peaks of a signal, threshold crossings, annotations — or read
//! from a CSV file of spike/event times. The point-process measures
//! ([`crate::measures::spike_train`]) read them.
//!
//! Every function here returns times sorted ascending, in seconds from the start of
//! the recording (or from the `t_start` given).

mod annotations;
mod csv_file;
mod signal;

pub use annotations::{annotation_times, TextMatch};
pub use csv_file::{
    parse_event_csv, parse_events, read_event_csv, read_events, EventFile, EventRows, EventTable,
    BUMP_COLUMNS, TIME_COLUMNS,
};
pub use signal::{peaks, rising_crossings};

use crate::bumps::Bump;

/// Why events could not be read or extracted.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The event file could not be read.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error (said in the message, not chained as a source).
        error: std::io::Error,
    },
    /// A line of the event file is malformed.
    #[error("{path}, line {line}: {reason}")]
    Row {
        /// The file.
        path: String,
        /// Line number, counted from 1.
        line: usize,
        /// What is wrong with it and what is expected.
        reason: String,
    },
    /// The events or the extraction options are invalid (the message says which).
    #[error("{0}")]
    Invalid(String),
}

/// Centre times (s) of bumps, sorted ascending: the point process of one channel's
/// bump model (docs/model.md §5.7).
pub fn bump_times(bumps: &[Bump]) -> Vec<f64> {
    let mut t: Vec<f64> = bumps.iter().map(|b| b.t).collect();
    t.sort_by(f64::total_cmp);
    t
}

/// The times of a sorted slice inside `[t0, t1]` (inclusive), as a sub-slice.
pub fn within(times: &[f64], t0: f64, t1: f64) -> &[f64] {
    let lo = times.partition_point(|&t| t < t0);
    let hi = times.partition_point(|&t| t <= t1);
    if lo >= hi {
        &[]
    } else {
        &times[lo..hi]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bump_centres_sorted() {
        let b = |t: f64| Bump {
            t,
            f: 10.0,
            dt: 0.1,
            df: 1.0,
            amplitude: 1.0,
            peak: 1.0,
        };
        assert_eq!(bump_times(&[b(2.0), b(0.5), b(1.25)]), vec![0.5, 1.25, 2.0]);
        assert!(bump_times(&[]).is_empty());
    }

    #[test]
    fn window_selection() {
        let t = [0.1, 0.5, 1.0, 1.5, 2.0];
        assert_eq!(within(&t, 0.5, 1.5), &[0.5, 1.0, 1.5]);
        assert_eq!(within(&t, 3.0, 4.0), &[] as &[f64]);
        assert_eq!(within(&t, 1.6, 1.4), &[] as &[f64]);
    }
}
