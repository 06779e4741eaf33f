//! Time windows and artifact-free segments.

use super::error::{invalid, SignalError};
use crate::recording::Annotation;
use ndarray::{s, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// A half-open time interval `[start, end)`, s from the start of the recording.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, s from the start of the recording (inclusive).
    pub start: f64,
    /// End, s from the start of the recording (exclusive).
    pub end: f64,
}

impl Segment {
    /// Length, s.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// Sample range `[a, b)` covering `[start, end)` s at `fs` Hz: `a = round(start·fs)`,
/// `b = round(end·fs)`; an error unless `0 ≤ start < end ≤ n/fs` (within half a sample).
pub fn sample_range(
    n: usize,
    fs: f64,
    start: f64,
    end: f64,
) -> Result<(usize, usize), SignalError> {
    const W: &str = "time window";
    if !(fs.is_finite() && fs > 0.0) {
        return Err(invalid(
            W,
            "sample rate",
            fs,
            "must be a positive number of Hz",
        ));
    }
    let dur = n as f64 / fs;
    if !(start.is_finite()
        && end.is_finite()
        && start >= 0.0
        && start < end
        && end <= dur + 0.5 / fs)
    {
        return Err(invalid(
            W,
            "window",
            format!("{start}–{end} s"),
            &format!("must satisfy 0 ≤ start < end ≤ {dur} s (the signal's duration)"),
        ));
    }
    let a = (start * fs).round() as usize;
    let b = ((end * fs).round() as usize).min(n);
    if b <= a {
        return Err(invalid(
            W,
            "window",
            format!("{start}–{end} s"),
            "holds no sample",
        ));
    }
    Ok((a, b))
}

/// The samples of `[start, end)` s of a channels × samples array at `fs` Hz (a view, no
/// copy).
pub fn select_window(
    data: &Array2<f32>,
    fs: f64,
    start: f64,
    end: f64,
) -> Result<ArrayView2<'_, f32>, SignalError> {
    let (a, b) = sample_range(data.ncols(), fs, start, end)?;
    Ok(data.slice(s![.., a..b]))
}

/// What to exclude and what to keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentOptions {
    /// Annotations whose text contains this (case-insensitive) are excluded; an empty
    /// pattern matches none.
    pub pattern: String,
    /// Extra time excluded before and after each matching annotation, s (default 0).
    pub margin: f64,
    /// Clean segments shorter than this are dropped, s (default 0: keep all).
    pub min_length: f64,
}

impl Default for SegmentOptions {
    fn default() -> Self {
        SegmentOptions {
            pattern: "artifact".into(),
            margin: 0.0,
            min_length: 0.0,
        }
    }
}

/// The clean `[start, end)` segments (s) of a recording of `duration` s: the complement
/// of the annotations matching `options.pattern`, each widened by `options.margin`
/// (an annotation without a duration excludes `[onset − margin, onset + margin)`),
/// clipped to the recording, merged when they overlap, and with segments shorter than
/// `options.min_length` dropped. Sorted by start.
pub fn clean_segments(
    duration: f64,
    annotations: &[Annotation],
    options: &SegmentOptions,
) -> Result<Vec<Segment>, SignalError> {
    const W: &str = "segment selection";
    if !(duration.is_finite() && duration > 0.0) {
        return Err(invalid(
            W,
            "duration",
            duration,
            "must be a positive number of seconds",
        ));
    }
    if !(options.margin.is_finite() && options.margin >= 0.0) {
        return Err(invalid(
            W,
            "margin",
            options.margin,
            "must be a non-negative number of seconds",
        ));
    }
    if !(options.min_length.is_finite() && options.min_length >= 0.0) {
        return Err(invalid(
            W,
            "min_length",
            options.min_length,
            "must be a non-negative number of seconds",
        ));
    }
    let pat = options.pattern.to_lowercase();
    let mut bad: Vec<(f64, f64)> = Vec::new();
    if !pat.is_empty() {
        for a in annotations
            .iter()
            .filter(|a| a.text.to_lowercase().contains(&pat))
        {
            let d = a.duration.unwrap_or(0.0);
            if !(a.onset.is_finite() && d.is_finite() && d >= 0.0) {
                return Err(invalid(
                    W,
                    "annotation",
                    format!("`{}` at {} s, duration {:?}", a.text, a.onset, a.duration),
                    "has a non-finite onset or a negative duration",
                ));
            }
            let lo = (a.onset - options.margin).max(0.0);
            let hi = (a.onset + d + options.margin).min(duration);
            if hi > lo {
                bad.push((lo, hi));
            }
        }
    }
    bad.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut out = Vec::new();
    let mut t = 0.0;
    for (lo, hi) in bad {
        if lo > t {
            out.push(Segment { start: t, end: lo });
        }
        t = t.max(hi);
    }
    if t < duration {
        out.push(Segment {
            start: t,
            end: duration,
        });
    }
    out.retain(|s| s.duration() >= options.min_length && s.duration() > 0.0);
    Ok(out)
}

/// Cuts the given segments (s) out of a channels × samples array at `fs` Hz, one array
/// per segment, in the order given.
pub fn cut_segments(
    data: &Array2<f32>,
    fs: f64,
    segments: &[Segment],
) -> Result<Vec<Array2<f32>>, SignalError> {
    segments
        .iter()
        .map(|seg| select_window(data, fs, seg.start, seg.end).map(|v| v.to_owned()))
        .collect()
}
