//! Power spectral density by Welch's method.

use super::error::{check_finite, invalid, SignalError};
use rustfft::{num_complex::Complex64, FftPlanner};

/// A one-sided power spectral density.
#[derive(Debug, Clone, PartialEq)]
pub struct Psd {
    /// Frequencies of the bins, Hz (`k·fs/segment`).
    pub frequencies: Vec<f64>,
    /// Power spectral density, (unit of x)²/Hz (µV²/Hz for EEG), one-sided.
    pub power: Vec<f64>,
}

impl Psd {
    /// Mean density over the bins with `lo ≤ f ≤ hi` Hz (NaN when there is none).
    pub fn band_mean(&self, lo: f64, hi: f64) -> f64 {
        let (s, n) = self
            .frequencies
            .iter()
            .zip(&self.power)
            .filter(|(f, _)| **f >= lo && **f <= hi)
            .fold((0.0, 0usize), |(s, n), (_, p)| (s + p, n + 1));
        if n == 0 {
            f64::NAN
        } else {
            s / n as f64
        }
    }
}

/// Welch's PSD of `x` sampled at `fs` Hz: Hann-windowed segments of `segment` samples
/// with 50 % overlap, each linearly detrended to its mean, periodograms averaged.
/// Scaling: `P(f_k) = (c/(fs·Σw²))·|Σ w_n x_n e^{−2πikn/N}|²` with `c = 2` except at DC
/// and Nyquist, so that `Σ P·Δf` equals the signal's variance (Parseval).
pub fn welch(x: &[f32], fs: f64, segment: usize) -> Result<Psd, SignalError> {
    const WHAT: &str = "Welch spectrum";
    check_finite(WHAT, 0, x)?;
    if !(fs.is_finite() && fs > 0.0) {
        return Err(invalid(WHAT, "sample rate", fs, "must be a positive number of Hz"));
    }
    if segment < 2 {
        return Err(invalid(WHAT, "segment", segment, "must be at least 2 samples"));
    }
    if x.len() < segment {
        return Err(SignalError::TooShort {
            what: WHAT.into(),
            samples: x.len(),
            needed: segment,
        });
    }
    let w: Vec<f64> = (0..segment)
        .map(|n| 0.5 - 0.5 * (std::f64::consts::TAU * n as f64 / segment as f64).cos())
        .collect();
    let wss: f64 = w.iter().map(|v| v * v).sum();
    let fft = FftPlanner::<f64>::new().plan_fft_forward(segment);
    let step = segment / 2;
    let nbins = segment / 2 + 1;
    let mut acc = vec![0.0; nbins];
    let mut count = 0usize;
    let mut buf = vec![Complex64::new(0.0, 0.0); segment];
    let mut start = 0;
    while start + segment <= x.len() {
        let seg = &x[start..start + segment];
        let mean = seg.iter().map(|&v| v as f64).sum::<f64>() / segment as f64;
        for ((b, &v), wn) in buf.iter_mut().zip(seg).zip(&w) {
            *b = Complex64::new((v as f64 - mean) * wn, 0.0);
        }
        fft.process(&mut buf);
        for (a, b) in acc.iter_mut().zip(&buf) {
            *a += b.norm_sqr();
        }
        count += 1;
        start += step.max(1);
    }
    let power = acc
        .iter()
        .enumerate()
        .map(|(k, a)| {
            let c = if k == 0 || (segment % 2 == 0 && k == segment / 2) { 1.0 } else { 2.0 };
            c * a / (count as f64 * fs * wss)
        })
        .collect();
    let frequencies = (0..nbins).map(|k| k as f64 * fs / segment as f64).collect();
    Ok(Psd { frequencies, power })
}
