//! The frequency grid and wavelet shape of a time-frequency map.

use super::TfError;
use serde::{Deserialize, Serialize};

/// Frequency grid and Morlet wavelet shape.
///
/// Frequencies are `f_min, f_min + f_step, …` up to `f_max` (inclusive, Hz). The wavelet at
/// frequency `f` has a Gaussian spectrum of standard deviation `σ_f = f / f_over_sigma_f`
/// (Hz), i.e. a Gaussian envelope of standard deviation `σ_t = 1/(2π σ_f)` seconds
/// (docs/model.md §5.2: `f/σ_f = 7`, about seven oscillations under the envelope).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TfOptions {
    /// Lowest frequency, Hz (default 4, the SES band).
    pub f_min: f64,
    /// Highest frequency, Hz (default 30).
    pub f_max: f64,
    /// Frequency step, Hz (default 1).
    pub f_step: f64,
    /// Ratio `f/σ_f` of the Morlet wavelet (default 7).
    pub f_over_sigma_f: f64,
}

impl Default for TfOptions {
    fn default() -> Self {
        TfOptions {
            f_min: 4.0,
            f_max: 30.0,
            f_step: 1.0,
            f_over_sigma_f: 7.0,
        }
    }
}

impl TfOptions {
    /// Checks the options against a sampling rate `fs` (Hz).
    pub fn validate(&self, fs: f64) -> Result<(), TfError> {
        let bad = |field, value, reason: &str| {
            Err(TfError::InvalidOption {
                field,
                value,
                reason: reason.to_string(),
            })
        };
        if !(fs.is_finite() && fs > 0.0) {
            return bad(
                "fs",
                fs,
                "the sampling rate must be a positive number of Hz",
            );
        }
        if !(self.f_min.is_finite() && self.f_min > 0.0) {
            return bad("f_min", self.f_min, "must be a positive number of Hz");
        }
        if !(self.f_max.is_finite() && self.f_max >= self.f_min) {
            return bad("f_max", self.f_max, "must be at least f_min");
        }
        if self.f_max >= fs / 2.0 {
            return bad(
                "f_max",
                self.f_max,
                &format!("must be below the Nyquist frequency {} Hz", fs / 2.0),
            );
        }
        if !(self.f_step.is_finite() && self.f_step > 0.0) {
            return bad("f_step", self.f_step, "must be a positive number of Hz");
        }
        if (self.f_max - self.f_min) / self.f_step > 100_000.0 {
            return bad("f_step", self.f_step, "gives more than 100000 frequencies");
        }
        if !(self.f_over_sigma_f.is_finite() && self.f_over_sigma_f >= 1.0) {
            return bad(
                "f_over_sigma_f",
                self.f_over_sigma_f,
                "must be at least 1 (a wavelet of at least one oscillation)",
            );
        }
        Ok(())
    }

    /// The frequency grid, Hz, ascending.
    pub fn frequencies(&self) -> Vec<f64> {
        let n = ((self.f_max - self.f_min) / self.f_step + 1e-9).floor() as usize + 1;
        (0..n)
            .map(|k| self.f_min + k as f64 * self.f_step)
            .collect()
    }

    /// Standard deviation of the wavelet spectrum at `f`, Hz: `σ_f = f / (f/σ_f)`.
    pub fn sigma_f(&self, f: f64) -> f64 {
        f / self.f_over_sigma_f
    }

    /// Standard deviation of the wavelet envelope at `f`, s: `σ_t = 1/(2π σ_f)`.
    pub fn sigma_t(&self, f: f64) -> f64 {
        1.0 / (2.0 * std::f64::consts::PI * self.sigma_f(f))
    }
}
