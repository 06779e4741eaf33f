//! Complex Morlet wavelet transform by FFT convolution.
//!
//! The wavelet at frequency `f` is defined by its spectrum (analytic, Gaussian):
//!
//! ```text
//! Ψ̂_f(ν) = 2 · exp(−(ν − f)² / (2 σ_f²)),      σ_f = f / (f/σ_f)
//! ```
//!
//! i.e. in time `ψ_f(t) = 2 · (2π σ_t²)^(−1/2) · exp(−t²/(2σ_t²)) · exp(i2πft)`,
//! `σ_t = 1/(2πσ_f)`. With this gain a sinusoid `a·cos(2πft)` has modulus `|W(f,t)| = a`
//! (the envelope, in the signal's unit), and a sinusoid of frequency `g` has
//! `a·exp(−(g − f)²/(2σ_f²))`.
//!
//! `W(f, ·) = x ⊛ ψ_f` is computed as one forward FFT of the reflect-padded signal and one
//! inverse FFT per frequency. When an output rate below the sampling rate is asked for, the
//! inverse FFT is taken on the spectrum shifted down by `f` and truncated to the output
//! band: this is exact decimation of the demodulated coefficient `W·e^(−i2πft)` (same
//! modulus), with the wavelet itself as the anti-aliasing filter — the row is never formed
//! at the full rate.

use super::{TfError, TfOptions};
use ndarray::{Array2, Axis};
use num_complex::Complex;
use rayon::prelude::*;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// Spectrum support of the wavelet kept: `|ν − f| ≤ SUPPORT_SIGMAS · σ_f`
/// (`exp(−32) ≈ 1e−14` beyond it).
const SUPPORT_SIGMAS: f64 = 8.0;
/// Reflect padding on each side, in envelope standard deviations `σ_t` of the lowest
/// frequency (`exp(−12.5)` of the envelope is left out).
const PAD_SIGMAS: f64 = 5.0;

/// The modulus of the wavelet transform of one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct ModulusMap {
    /// Frequencies of the rows, Hz, ascending.
    pub frequencies: Vec<f64>,
    /// Sampling rate of the columns, Hz.
    pub rate: f64,
    /// Time of column 0 relative to the first sample of the signal, s (always 0: the
    /// output grid contains the first sample).
    pub t_offset: f64,
    /// `|W(f, t)|`, frequencies × time, in the signal's unit.
    pub values: Array2<f32>,
}

/// One frequency's wavelet spectrum on the FFT grid.
#[derive(Debug, Clone)]
struct RowSpectrum {
    /// First (signed) FFT bin of the support.
    k_lo: i64,
    /// Bin of the demodulation shift (`round(f·N/fs)`).
    k_shift: i64,
    /// `Ψ̂_f(ν_k)` for `k = k_lo, k_lo + 1, …`.
    weights: Vec<f32>,
}

/// A reusable transform for signals of one length and sampling rate: FFT plans and wavelet
/// spectra are computed once and shared across threads.
#[derive(Clone)]
pub struct MorletPlan {
    n: usize,
    fs: f64,
    opts: TfOptions,
    frequencies: Vec<f64>,
    /// Padding on each side, samples (a multiple of `q`).
    pad: usize,
    /// FFT length of the padded signal.
    n_fft: usize,
    /// Inverse FFT length (`n_fft·p/q`).
    n_out: usize,
    /// Output rate = `fs·p/q`.
    p: usize,
    q: usize,
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    rows: Vec<RowSpectrum>,
}

impl std::fmt::Debug for MorletPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MorletPlan")
            .field("n", &self.n)
            .field("fs", &self.fs)
            .field("n_fft", &self.n_fft)
            .field("n_out", &self.n_out)
            .field("rate", &self.rate())
            .finish()
    }
}

/// Largest prime factor check: true when `n` has no prime factor above 7.
fn is_7_smooth(mut n: usize) -> bool {
    if n == 0 {
        return false;
    }
    for p in [2, 3, 5, 7] {
        while n.is_multiple_of(p) {
            n /= p;
        }
    }
    n == 1
}

/// Smallest 7-smooth integer ≥ `n`.
fn next_smooth(n: usize) -> usize {
    let mut m = n.max(1);
    while !is_7_smooth(m) {
        m += 1;
    }
    m
}

/// `r ≈ p/q` with `q ≤ 4096` (exact to 1e−9 relative), or `None`.
fn rational(r: f64) -> Option<(usize, usize)> {
    for q in 1..=4096usize {
        let p = (r * q as f64).round();
        if p >= 1.0 && (p - r * q as f64).abs() <= 1e-9 * r * q as f64 {
            return Some((p as usize, q));
        }
    }
    None
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl MorletPlan {
    /// Plans the transform of `n` samples at `fs` Hz on the grid of `opts`, with columns at
    /// `rate` Hz (`None`: the sampling rate). `rate` must be a rational multiple `p/q` of
    /// `fs` with `q ≤ 4096` (e.g. 60 Hz from 200 Hz is 3/10) and high enough that the
    /// wavelet spectrum of the highest frequency fits (`rate/2 ≥ 3σ_f`).
    pub fn new(
        n: usize,
        fs: f64,
        opts: &TfOptions,
        rate: Option<f64>,
    ) -> Result<MorletPlan, TfError> {
        opts.validate(fs)?;
        if n < 2 {
            return Err(TfError::TooShort {
                samples: n,
                seconds: n as f64 / fs,
                reason: "at least 2 samples are needed".into(),
            });
        }
        let frequencies = opts.frequencies();
        let (p, q) = match rate {
            None => (1, 1),
            Some(r) => {
                if !(r.is_finite() && r > 0.0) {
                    return Err(TfError::InvalidOption {
                        field: "output_rate",
                        value: r,
                        reason: "must be a positive number of Hz".into(),
                    });
                }
                if r >= fs {
                    (1, 1)
                } else {
                    let (p, q) = rational(r / fs).ok_or_else(|| TfError::InvalidOption {
                        field: "output_rate",
                        value: r,
                        reason: format!(
                            "must be a simple fraction p/q (q ≤ 4096) of the sampling rate {fs} Hz"
                        ),
                    })?;
                    let g = gcd(p, q);
                    (p / g, q / g)
                }
            }
        };
        let out_rate = fs * p as f64 / q as f64;
        let f_top = *frequencies.last().unwrap_or(&opts.f_max);
        if p < q && out_rate / 2.0 < 3.0 * opts.sigma_f(f_top) {
            return Err(TfError::InvalidOption {
                field: "output_rate",
                value: out_rate,
                reason: format!(
                    "too low for the wavelet at {f_top} Hz (needs at least {:.3} Hz)",
                    6.0 * opts.sigma_f(f_top)
                ),
            });
        }
        let f_low = frequencies[0];
        let pad_raw = (PAD_SIGMAS * opts.sigma_t(f_low) * fs).ceil() as usize + 1;
        let pad = pad_raw.div_ceil(q) * q;
        let needed = n + 2 * pad;
        let m = next_smooth(needed.div_ceil(q));
        let n_fft = m * q;
        let n_out = m * p;
        let mut planner = FftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(n_fft);
        let inverse = planner.plan_fft_inverse(n_out);
        let df_bin = fs / n_fft as f64;
        let half_out = (n_out / 2) as i64;
        let rows = frequencies
            .iter()
            .map(|&f| {
                let sf = opts.sigma_f(f);
                let k_shift = if p < q {
                    (f / df_bin).round() as i64
                } else {
                    0
                };
                // Support of the wavelet spectrum, intersected with the output band and the
                // signed FFT range (−N/2, N/2].
                let mut k_lo = ((f - SUPPORT_SIGMAS * sf) / df_bin).floor() as i64;
                let mut k_hi = ((f + SUPPORT_SIGMAS * sf) / df_bin).ceil() as i64;
                if p < q {
                    k_lo = k_lo.max(k_shift - half_out);
                    k_hi = k_hi.min(k_shift - half_out + n_out as i64 - 1);
                }
                k_lo = k_lo.max(-((n_fft as i64 - 1) / 2));
                k_hi = k_hi.min(n_fft as i64 / 2);
                let weights = (k_lo..=k_hi)
                    .map(|k| {
                        let nu = k as f64 * df_bin;
                        (2.0 * (-(nu - f) * (nu - f) / (2.0 * sf * sf)).exp()) as f32
                    })
                    .collect();
                RowSpectrum {
                    k_lo,
                    k_shift,
                    weights,
                }
            })
            .collect();
        Ok(MorletPlan {
            n,
            fs,
            opts: *opts,
            frequencies,
            pad,
            n_fft,
            n_out,
            p,
            q,
            forward,
            inverse,
            rows,
        })
    }

    /// Frequencies of the rows, Hz.
    pub fn frequencies(&self) -> &[f64] {
        &self.frequencies
    }

    /// The grid and wavelet options the plan was made with.
    pub fn options(&self) -> &TfOptions {
        &self.opts
    }

    /// Number of signal samples the plan expects.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when planned for an empty signal (never: plans need ≥ 2 samples).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Sampling rate of the signal, Hz.
    pub fn fs(&self) -> f64 {
        self.fs
    }

    /// Column rate of the output, Hz (`fs·p/q`).
    pub fn rate(&self) -> f64 {
        self.fs * self.p as f64 / self.q as f64
    }

    /// The output rate as the reduced fraction `(p, q)` of the sampling rate: column `k` is
    /// at sample `k·q/p`, so columns fall on samples every `q` samples.
    pub fn ratio(&self) -> (usize, usize) {
        (self.p, self.q)
    }

    /// Length of the forward FFT (padded signal).
    pub fn fft_len(&self) -> usize {
        self.n_fft
    }

    /// Length of each inverse FFT.
    pub fn inverse_len(&self) -> usize {
        self.n_out
    }

    /// Number of output columns: output samples at times `k/rate` inside the signal.
    pub fn n_columns(&self) -> usize {
        (self.n * self.p).div_ceil(self.q)
    }

    /// Floating-point operations of one transform by the usual `5·N·log2 N` count for the
    /// FFTs (one forward of `fft_len`, one inverse of `inverse_len` per frequency) plus the
    /// spectral products and moduli.
    pub fn flops(&self) -> f64 {
        let c = |n: usize| 5.0 * n as f64 * (n as f64).log2();
        let products: usize = self.rows.iter().map(|r| r.weights.len()).sum();
        c(self.n_fft)
            + self.rows.len() as f64 * (c(self.n_out) + 3.0 * self.n_out as f64)
            + 2.0 * products as f64
    }

    /// The signal reflect-padded and wrapped onto the FFT grid: buffer index `j` holds the
    /// sample at `j − pad` under symmetric (whole-sample) reflection at both ends.
    /// The mean is removed first (the wavelet has no response at 0 Hz; this keeps
    /// single-precision rounding relative to the signal's variation, not its offset).
    fn padded(&self, signal: &[f32]) -> Vec<Complex<f32>> {
        let mean = (signal.iter().map(|&v| v as f64).sum::<f64>() / signal.len() as f64) as f32;
        let n = self.n as i64;
        let period = 2 * (n - 1);
        (0..self.n_fft as i64)
            .map(|j| {
                let mut i = (j - self.pad as i64).rem_euclid(period);
                if i >= n {
                    i = period - i;
                }
                Complex::new(signal[i as usize] - mean, 0.0)
            })
            .collect()
    }

    /// `|W(f, t)|` of `signal` (must have the planned length; finite samples) on the
    /// output grid, frequencies × columns.
    pub fn modulus(&self, signal: &[f32]) -> Result<ModulusMap, TfError> {
        if signal.len() != self.n {
            return Err(TfError::LengthMismatch {
                expected: self.n,
                got: signal.len(),
            });
        }
        if let Some((index, &value)) = signal.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(TfError::NonFinite { index, value });
        }
        let mut spectrum = self.padded(signal);
        let mut scratch = vec![Complex::new(0.0, 0.0); self.forward.get_inplace_scratch_len()];
        self.forward
            .process_with_scratch(&mut spectrum, &mut scratch);
        let n_cols = self.n_columns();
        let first = self.pad * self.p / self.q;
        let mut values = Array2::<f32>::zeros((self.frequencies.len(), n_cols));
        let scale = 1.0 / self.n_fft as f32;
        let n_fft = self.n_fft as i64;
        let n_out = self.n_out as i64;
        values
            .axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(self.rows.par_iter())
            .for_each_init(
                || {
                    (
                        vec![Complex::new(0.0f32, 0.0); self.n_out],
                        vec![Complex::new(0.0f32, 0.0); self.inverse.get_inplace_scratch_len()],
                    )
                },
                |(buf, scratch), (mut out, row)| {
                    buf.iter_mut().for_each(|c| *c = Complex::new(0.0, 0.0));
                    for (i, &w) in row.weights.iter().enumerate() {
                        let k = row.k_lo + i as i64;
                        let src = spectrum[k.rem_euclid(n_fft) as usize];
                        buf[(k - row.k_shift).rem_euclid(n_out) as usize] = src * w;
                    }
                    self.inverse.process_with_scratch(buf, scratch);
                    for (o, c) in out.iter_mut().zip(&buf[first..first + n_cols]) {
                        *o = c.norm() * scale;
                    }
                },
            );
        Ok(ModulusMap {
            frequencies: self.frequencies.clone(),
            rate: self.rate(),
            t_offset: 0.0,
            values,
        })
    }
}

/// `|W(f, t)|` of `signal` sampled at `fs` Hz on the grid of `opts`, with columns at `rate`
/// Hz (`None`: `fs`). See [`MorletPlan::new`] for the conditions on `rate`.
pub fn wavelet_modulus(
    signal: &[f32],
    fs: f64,
    opts: &TfOptions,
    rate: Option<f64>,
) -> Result<ModulusMap, TfError> {
    MorletPlan::new(signal.len(), fs, opts, rate)?.modulus(signal)
}
