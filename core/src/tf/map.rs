//! The normalised time-frequency map of the bump pipeline (docs/model.md §5.2, steps 4–8).

use super::{MorletPlan, TfError, TfOptions};
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

/// The period whose statistics z-score each frequency row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum ZScoreReference {
    /// The analysed signal itself (after border removal) — the toolbox default.
    #[default]
    Signal,
    /// A window `[start, end)` in seconds on the same time axis as the signal (`t0`-based);
    /// it must overlap the map after border removal.
    Window {
        /// Start of the window, seconds (inclusive).
        start: f64,
        /// End of the window, seconds (exclusive).
        end: f64,
    },
}

/// The columns `[a, b)` of a map whose first kept column is at `t_start` (s), with
/// `n_kept` columns at `rate` (columns per second), that hold the z-score's reference
/// period: all of them for [`ZScoreReference::Signal`], those of the window otherwise
/// (an error unless it overlaps the map by at least two columns).
pub(crate) fn reference_columns(
    reference: ZScoreReference,
    t_start: f64,
    rate: f64,
    n_kept: usize,
) -> Result<(usize, usize), TfError> {
    match reference {
        ZScoreReference::Signal => Ok((0, n_kept)),
        ZScoreReference::Window { start, end } => {
            let a = ((start - t_start) * rate).ceil().max(0.0) as usize;
            let b = (((end - t_start) * rate).ceil().max(0.0) as usize).min(n_kept);
            if !(start.is_finite() && end.is_finite()) || a + 1 >= b {
                return Err(TfError::InvalidOption {
                    field: "reference",
                    value: start,
                    reason: format!(
                        "the reference window {start}..{end} s does not overlap the map \
                         ({t_start:.3}..{:.3} s) by at least two columns",
                        t_start + n_kept as f64 / rate
                    ),
                });
            }
            Ok((a, b))
        }
    }
}

/// One pixel of the normalised map: the z-score `(v − m)/sd + offset` (`inv = 1/sd`),
/// keeping its positive part for a non-negative offset (bursts) and the positive part
/// of its negation otherwise (desynchronisation), docs/model.md §5.2.
#[inline]
pub(crate) fn rectified_z(v: f32, m: f64, inv: f64, off: f64) -> f64 {
    let z = (v as f64 - m) * inv + off;
    if off >= 0.0 {
        z.max(0.0)
    } else {
        (-z).max(0.0)
    }
}

/// Options of the normalisation chain (docs/model.md §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NormOptions {
    /// Offset added to the z-score (default +1: bursts, "ERS-like"). A negative offset
    /// (e.g. −1) selects the negative part (desynchronisation, "ERD-like"): the map is then
    /// `max(−(z + offset), 0)`.
    pub offset: f64,
    /// Reference period of the z-score (default: the signal).
    pub reference: ZScoreReference,
    /// Border removed at each end, in periods of the lowest computed frequency
    /// (default 3.5: `round(3.5·fs/f_low)` samples).
    pub border_periods: f64,
    /// Column rate of the map, Hz (default `None`: twice the highest frequency of the grid,
    /// capped at the sampling rate). Must be a simple fraction of the sampling rate.
    pub output_rate: Option<f64>,
}

impl Default for NormOptions {
    fn default() -> Self {
        NormOptions {
            offset: 1.0,
            reference: ZScoreReference::Signal,
            border_periods: 3.5,
            output_rate: None,
        }
    }
}

/// A normalised time-frequency map: `values[(row, col)]` is
/// `max(z(f_row, t_col) + offset, 0) / scale` (or `max(−(z + offset), 0) / scale` for a
/// negative offset), where `z = (|W| − row_mean) / row_std` is the z-score of the Morlet
/// modulus per frequency and `scale` the maximum, so values lie in `[0, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TfMap {
    /// Frequencies of the rows, Hz, ascending, equally spaced by `f_step`.
    pub frequencies: Vec<f64>,
    /// Frequency step, Hz.
    pub f_step: f64,
    /// Time of column 0, s (on the signal's time axis: the signal starts at `t0`, and the
    /// removed border is accounted for).
    pub t_start: f64,
    /// Column rate, Hz (column `k` is at `t_start + k/rate`).
    pub rate: f64,
    /// Normalised values, frequencies × time, in `[0, 1]`.
    pub values: Array2<f32>,
    /// Normalisation factor: the maximum of the offset z-score map (dimensionless).
    pub scale: f64,
    /// Offset added to the z-score.
    pub offset: f64,
    /// Mean modulus of each row over the reference period (signal unit, e.g. µV).
    pub row_mean: Vec<f64>,
    /// Standard deviation of the modulus of each row over the reference period (signal
    /// unit); 0 marks a row without variation (set to 0 in the map).
    pub row_std: Vec<f64>,
}

impl TfMap {
    /// Number of frequency rows.
    pub fn n_rows(&self) -> usize {
        self.values.nrows()
    }

    /// Number of time columns.
    pub fn n_cols(&self) -> usize {
        self.values.ncols()
    }

    /// Time of a (fractional) column index, s.
    pub fn time_of(&self, col: f64) -> f64 {
        self.t_start + col / self.rate
    }

    /// Frequency of a (fractional) row index, Hz.
    pub fn frequency_of(&self, row: f64) -> f64 {
        self.frequencies.first().copied().unwrap_or(0.0) + row * self.f_step
    }

    /// Fractional row of a frequency, Hz.
    pub fn row_of(&self, f: f64) -> f64 {
        (f - self.frequencies.first().copied().unwrap_or(0.0)) / self.f_step
    }

    /// Fractional column of a time, s.
    pub fn col_of(&self, t: f64) -> f64 {
        (t - self.t_start) * self.rate
    }

    /// Duration covered by the map, s.
    pub fn duration(&self) -> f64 {
        self.n_cols() as f64 / self.rate
    }

    /// Converts a normalised value `h` back to a z-score: `h·scale − offset` (docs/model.md §5.6).
    pub fn to_zscore(&self, h: f64) -> f64 {
        if self.offset >= 0.0 {
            h * self.scale - self.offset
        } else {
            -(h * self.scale) - self.offset
        }
    }

    /// Converts a normalised value `h` at (fractional) row `row` to a wavelet modulus in
    /// the signal's unit: `row_std·max(z, 0) + row_mean` for bursts (docs/model.md §5.6), and
    /// `row_mean − row_std·max(−z, 0)` for the desynchronisation map.
    pub fn to_modulus(&self, h: f64, row: f64) -> f64 {
        let r = (row.round().max(0.0) as usize).min(self.n_rows().saturating_sub(1));
        let (m, s) = (self.row_mean[r], self.row_std[r]);
        let z = self.to_zscore(h);
        if self.offset >= 0.0 {
            s * z.max(0.0) + m
        } else {
            m - s * (-z).max(0.0)
        }
    }
}

/// Computes the normalised map of `signal` (sampled at `fs` Hz, first sample at `t0` s).
pub fn normalised_map(
    signal: &[f32],
    fs: f64,
    t0: f64,
    tf: &TfOptions,
    norm: &NormOptions,
) -> Result<TfMap, TfError> {
    let plan = plan_for(signal.len(), fs, tf, norm)?;
    normalised_map_with_plan(&plan, signal, t0, norm)
}

/// The plan [`normalised_map`] uses (reusable across channels of one length).
pub(crate) fn plan_for(
    n: usize,
    fs: f64,
    tf: &TfOptions,
    norm: &NormOptions,
) -> Result<MorletPlan, TfError> {
    tf.validate(fs)?;
    let freqs = tf.frequencies();
    let f_top = *freqs.last().unwrap_or(&tf.f_max);
    let rate = norm.output_rate.unwrap_or(2.0 * f_top).min(fs);
    MorletPlan::new(n, fs, tf, Some(rate))
}

/// [`normalised_map`] with a prepared plan (its output rate is the map's rate).
pub fn normalised_map_with_plan(
    plan: &MorletPlan,
    signal: &[f32],
    t0: f64,
    norm: &NormOptions,
) -> Result<TfMap, TfError> {
    if !(norm.offset.is_finite()) {
        return Err(TfError::InvalidOption {
            field: "offset",
            value: norm.offset,
            reason: "must be finite".into(),
        });
    }
    if !(norm.border_periods.is_finite() && norm.border_periods >= 0.0) {
        return Err(TfError::InvalidOption {
            field: "border_periods",
            value: norm.border_periods,
            reason: "must be a non-negative number of periods".into(),
        });
    }
    let fs = plan.fs();
    let modulus = plan.modulus(signal)?;
    // Largest deviation from the mean: the scale of single-precision rounding in |W|.
    let mean = signal.iter().map(|&v| v as f64).sum::<f64>() / signal.len() as f64;
    let spread = signal
        .iter()
        .fold(0.0f64, |a, &v| a.max((v as f64 - mean).abs()));
    let rate = modulus.rate;
    let f_low = modulus.frequencies[0];
    // Border: round(border_periods·fs/f_low) signal samples, expressed in columns.
    let border_samples = (norm.border_periods * fs / f_low).round();
    let border = (border_samples * rate / fs).ceil() as usize;
    let n_cols = modulus.values.ncols();
    if n_cols <= 2 * border + 1 {
        return Err(TfError::TooShort {
            samples: signal.len(),
            seconds: signal.len() as f64 / fs,
            reason: format!(
                "the borders removed at each end ({:.3} s = {} periods of {} Hz) leave no map",
                border as f64 / rate,
                norm.border_periods,
                f_low
            ),
        });
    }
    let kept = modulus
        .values
        .slice(ndarray::s![.., border..n_cols - border]);
    let t_start = t0 + border as f64 / rate;
    let (r0, r1) = reference_columns(norm.reference, t_start, rate, kept.ncols())?;
    let mut row_mean = Vec::with_capacity(kept.nrows());
    let mut row_std = Vec::with_capacity(kept.nrows());
    let mut values = Array2::<f32>::zeros(kept.raw_dim());
    for (row, mut out) in kept.axis_iter(Axis(0)).zip(values.axis_iter_mut(Axis(0))) {
        let refp = row.slice(ndarray::s![r0..r1]);
        let m = refp.iter().map(|&v| v as f64).sum::<f64>() / refp.len() as f64;
        let var = refp.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / refp.len() as f64;
        let s = var.sqrt();
        // Below single-precision resolution of the modulus the row carries no variation.
        let flat = s.is_nan() || s <= 1e-5 * m.abs() + 1e-6 * spread + f64::MIN_POSITIVE;
        row_mean.push(m);
        row_std.push(if flat { 0.0 } else { s });
        if flat {
            continue;
        }
        let (inv, off) = (1.0 / s, norm.offset);
        for (o, &v) in out.iter_mut().zip(row.iter()) {
            *o = rectified_z(v, m, inv, off) as f32;
        }
    }
    if row_std.iter().all(|&s| s == 0.0) {
        return Err(TfError::Flat);
    }
    let scale = values.iter().fold(0.0f32, |a, &v| a.max(v)) as f64;
    if scale <= 0.0 {
        return Err(TfError::Flat);
    }
    let inv = (1.0 / scale) as f32;
    values.mapv_inplace(|v| v * inv);
    let opts = plan.options();
    Ok(TfMap {
        frequencies: modulus.frequencies,
        f_step: opts.f_step,
        t_start,
        rate,
        values,
        scale,
        offset: norm.offset,
        row_mean,
        row_std,
    })
}
