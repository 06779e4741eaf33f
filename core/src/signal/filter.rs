//! Zero-phase Butterworth filters: design as second-order sections (SOS) by the
//! bilinear transform with pre-warping, application forward and backward.
//!
//! Design follows the classical route: the analog Butterworth prototype of order `n`
//! (poles `p_k = exp(iπ(2k+n−1)/(2n))`, k = 1…n, on the unit circle of the left half
//! plane), frequency transformation to low-pass / high-pass / band-pass / band-stop at the
//! pre-warped edges `ω = 2·fs·tan(π f / fs)` (rad/s), the bilinear transform
//! `z = (2fs + s)/(2fs − s)`, and grouping of conjugate poles and zeros into biquads.
//! The order of a band-pass or band-stop is that of its prototype: the filter has
//! `2n` poles. Odd orders give one first-order section.
//!
//! Forward-backward filtering squares the magnitude response and cancels the phase:
//! `|H_ff(f)| = |H(f)|²`, so at a cut-off (where a Butterworth has `|H| = 1/√2`, −3.01 dB)
//! the zero-phase filter has gain 1/2, **−6.02 dB**.

use super::error::{check_finite, invalid, SignalError};
use ndarray::Array2;
use num_complex::Complex64;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// What a filter passes. Frequencies in Hz.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum FilterKind {
    /// Passes below `cutoff` Hz.
    LowPass {
        /// Cut-off, Hz (−3.01 dB for one pass, −6.02 dB zero-phase).
        cutoff: f64,
    },
    /// Passes above `cutoff` Hz.
    HighPass {
        /// Cut-off, Hz (−3.01 dB for one pass, −6.02 dB zero-phase).
        cutoff: f64,
    },
    /// Passes between `low` and `high` Hz.
    BandPass {
        /// Lower edge, Hz.
        low: f64,
        /// Upper edge, Hz (> `low`).
        high: f64,
    },
    /// Stops between `low` and `high` Hz.
    BandStop {
        /// Lower edge, Hz.
        low: f64,
        /// Upper edge, Hz (> `low`).
        high: f64,
    },
    /// Removes `frequency` Hz (mains: 50 or 60): a band-stop from
    /// `frequency − width/2` to `frequency + width/2` Hz.
    Notch {
        /// Centre frequency, Hz.
        frequency: f64,
        /// Width of the stop band, Hz.
        width: f64,
    },
}

/// A Butterworth filter specification: kind, prototype order (1–10), sample rate (Hz).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FilterSpec {
    /// What the filter passes, with its edges in Hz.
    pub kind: FilterKind,
    /// Order of the analog prototype; band-pass and band-stop filters have twice as many
    /// poles.
    pub order: usize,
    /// Sampling rate, Hz.
    pub sample_rate: f64,
}

/// A cascade of second-order sections, each `[b0, b1, b2, a0, a1, a2]` with `a0 = 1`:
/// `H(z) = Π_s (b0 + b1 z⁻¹ + b2 z⁻²)/(1 + a1 z⁻¹ + a2 z⁻²)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sos {
    /// The sections, in the order they are applied.
    pub sections: Vec<[f64; 6]>,
}

const WHAT: &str = "Butterworth design";

impl FilterSpec {
    /// Checks the specification: order 1–10, positive finite sample rate, every edge
    /// strictly between 0 and Nyquist, ordered band edges.
    pub fn validate(&self) -> Result<(), SignalError> {
        if !(1..=10).contains(&self.order) {
            return Err(invalid(
                WHAT,
                "order",
                self.order,
                "must be between 1 and 10",
            ));
        }
        let fs = self.sample_rate;
        if !(fs.is_finite() && fs > 0.0) {
            return Err(invalid(
                WHAT,
                "sample rate",
                fs,
                "must be a positive number of Hz",
            ));
        }
        let nyq = fs / 2.0;
        let edge = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v < nyq {
                Ok(())
            } else {
                Err(SignalError::FrequencyOutOfRange {
                    what: WHAT.into(),
                    name: name.into(),
                    value: v,
                    nyquist: nyq,
                })
            }
        };
        match self.kind {
            FilterKind::LowPass { cutoff } | FilterKind::HighPass { cutoff } => {
                edge("cut-off", cutoff)
            }
            FilterKind::BandPass { low, high } | FilterKind::BandStop { low, high } => {
                edge("low edge", low)?;
                edge("high edge", high)?;
                if low >= high {
                    return Err(invalid(
                        WHAT,
                        "band",
                        format!("{low}–{high} Hz"),
                        "low edge must be below high edge",
                    ));
                }
                Ok(())
            }
            FilterKind::Notch { frequency, width } => {
                edge("notch frequency", frequency)?;
                if !(width.is_finite() && width > 0.0) {
                    return Err(invalid(
                        WHAT,
                        "notch width",
                        width,
                        "must be a positive number of Hz",
                    ));
                }
                edge("notch low edge", frequency - width / 2.0)?;
                edge("notch high edge", frequency + width / 2.0)
            }
        }
    }

    /// Designs the filter as second-order sections.
    pub fn design(&self) -> Result<Sos, SignalError> {
        self.validate()?;
        let n = self.order;
        let fs = self.sample_rate;
        let warp = |f: f64| 2.0 * fs * (PI * f / fs).tan();
        // Analog prototype: unit cut-off, no zeros, gain 1.
        let proto: Vec<Complex64> = (1..=n)
            .map(|k| Complex64::from_polar(1.0, PI * (2 * k + n - 1) as f64 / (2 * n) as f64))
            .collect();
        let one = Complex64::new(1.0, 0.0);
        let prod_neg = |v: &[Complex64]| v.iter().fold(one, |a, p| a * (-*p));
        let (zeros, poles, gain) = match self.kind {
            FilterKind::LowPass { cutoff } => {
                let w = warp(cutoff);
                let p: Vec<_> = proto.iter().map(|p| *p * w).collect();
                (vec![], p, w.powi(n as i32))
            }
            FilterKind::HighPass { cutoff } => {
                let w = warp(cutoff);
                let p: Vec<_> = proto.iter().map(|p| w / *p).collect();
                // k·Re(Π(−z)/Π(−p)) with no prototype zeros.
                let k = (one / prod_neg(&proto)).re;
                (vec![Complex64::new(0.0, 0.0); n], p, k)
            }
            FilterKind::BandPass { low, high } => {
                let (w1, w2) = (warp(low), warp(high));
                let (bw, w0) = (w2 - w1, (w1 * w2).sqrt());
                let mut p = Vec::with_capacity(2 * n);
                for q in &proto {
                    let h = *q * (bw / 2.0);
                    let r = (h * h - w0 * w0).sqrt();
                    p.push(h + r);
                    p.push(h - r);
                }
                (vec![Complex64::new(0.0, 0.0); n], p, bw.powi(n as i32))
            }
            FilterKind::BandStop { low, high } => Self::band_stop(&proto, warp(low), warp(high)),
            FilterKind::Notch { frequency, width } => Self::band_stop(
                &proto,
                warp(frequency - width / 2.0),
                warp(frequency + width / 2.0),
            ),
        };
        Ok(to_sos(bilinear(&zeros, &poles, gain, fs)))
    }

    fn band_stop(proto: &[Complex64], w1: f64, w2: f64) -> (Vec<Complex64>, Vec<Complex64>, f64) {
        let (bw, w0) = (w2 - w1, (w1 * w2).sqrt());
        let mut p = Vec::with_capacity(2 * proto.len());
        let mut z = Vec::with_capacity(2 * proto.len());
        for q in proto {
            let h = (bw / 2.0) / *q;
            let r = (h * h - w0 * w0).sqrt();
            p.push(h + r);
            p.push(h - r);
            z.push(Complex64::new(0.0, w0));
            z.push(Complex64::new(0.0, -w0));
        }
        let k = (Complex64::new(1.0, 0.0)
            / proto
                .iter()
                .fold(Complex64::new(1.0, 0.0), |a, p| a * (-*p)))
        .re;
        (z, p, k)
    }
}

/// Bilinear transform of an analog zero-pole-gain system; zeros at infinity map to −1.
fn bilinear(
    z: &[Complex64],
    p: &[Complex64],
    k: f64,
    fs: f64,
) -> (Vec<Complex64>, Vec<Complex64>, f64) {
    let fs2 = 2.0 * fs;
    let map = |s: &Complex64| (fs2 + *s) / (fs2 - *s);
    let mut zd: Vec<Complex64> = z.iter().map(map).collect();
    let pd: Vec<Complex64> = p.iter().map(map).collect();
    zd.resize(pd.len(), Complex64::new(-1.0, 0.0));
    let num = z
        .iter()
        .fold(Complex64::new(1.0, 0.0), |a, z| a * (fs2 - *z));
    let den = p
        .iter()
        .fold(Complex64::new(1.0, 0.0), |a, p| a * (fs2 - *p));
    (zd, pd, k * (num / den).re)
}

/// Splits roots into conjugate pairs (upper-half member kept) and real roots.
fn split_roots(v: &[Complex64]) -> (Vec<Complex64>, Vec<f64>) {
    let tol = 1e-9;
    let pairs = v.iter().filter(|r| r.im > tol).copied().collect();
    let reals = v
        .iter()
        .filter(|r| r.im.abs() <= tol)
        .map(|r| r.re)
        .collect();
    (pairs, reals)
}

/// Groups digital zeros and poles into biquads: pole pairs from the one farthest from
/// the unit circle to the nearest (as SciPy orders them), each taking the nearest
/// remaining zeros; the overall gain goes into the first section.
fn to_sos((z, p, k): (Vec<Complex64>, Vec<Complex64>, f64)) -> Sos {
    let (mut zc, mut zr) = split_roots(&z);
    let (mut pc, pr) = split_roots(&p);
    pc.sort_by(|a, b| {
        (1.0 - a.norm())
            .abs()
            .total_cmp(&(1.0 - b.norm()).abs())
            .reverse()
    });
    let mut sections = Vec::new();
    let take_real = |zr: &mut Vec<f64>, at: Complex64| -> Option<f64> {
        let i = (0..zr.len()).min_by(|&i, &j| {
            (Complex64::new(zr[i], 0.0) - at)
                .norm()
                .total_cmp(&(Complex64::new(zr[j], 0.0) - at).norm())
        })?;
        Some(zr.remove(i))
    };
    // A real pole (odd order) forms a first-order section with one real zero.
    let mut first_order = Vec::new();
    for &r in &pr {
        first_order.push(r);
    }
    for &r in &first_order {
        let zz = take_real(&mut zr, Complex64::new(r, 0.0)).unwrap_or(0.0);
        sections.push([1.0, -zz, 0.0, 1.0, -r, 0.0]);
    }
    for &pp in &pc {
        let a = [1.0, -2.0 * pp.re, pp.norm_sqr()];
        let b = if !zc.is_empty() {
            let i = (0..zc.len())
                .min_by(|&i, &j| (zc[i] - pp).norm().total_cmp(&(zc[j] - pp).norm()))
                .unwrap_or(0);
            let zz = zc.remove(i);
            [1.0, -2.0 * zz.re, zz.norm_sqr()]
        } else {
            let z1 = take_real(&mut zr, pp);
            let z2 = take_real(&mut zr, pp);
            match (z1, z2) {
                (Some(a1), Some(a2)) => [1.0, -(a1 + a2), a1 * a2],
                (Some(a1), None) => [1.0, -a1, 0.0],
                _ => [1.0, 0.0, 0.0],
            }
        };
        sections.push([b[0], b[1], b[2], a[0], a[1], a[2]]);
    }
    if let Some(s) = sections.first_mut() {
        s[0] *= k;
        s[1] *= k;
        s[2] *= k;
    }
    Sos { sections }
}

impl Sos {
    /// Complex frequency response `H(e^{i2πf/fs})` at `f` Hz.
    pub fn response(&self, f: f64, fs: f64) -> Complex64 {
        let z1 = Complex64::from_polar(1.0, -2.0 * PI * f / fs);
        let z2 = z1 * z1;
        self.sections.iter().fold(Complex64::new(1.0, 0.0), |h, s| {
            h * (s[0] + s[1] * z1 + s[2] * z2) / (s[3] + s[4] * z1 + s[5] * z2)
        })
    }

    /// Filters `x` in place, one pass, transposed direct form II per section, starting
    /// from the state `zi` (two values per section).
    fn filter_with_state(&self, x: &mut [f64], zi: &[[f64; 2]]) {
        for (s, z0) in self.sections.iter().zip(zi) {
            let [b0, b1, b2, _, a1, a2] = *s;
            let (mut z1, mut z2) = (z0[0], z0[1]);
            for v in x.iter_mut() {
                let xin = *v;
                let y = b0 * xin + z1;
                z1 = b1 * xin - a1 * y + z2;
                z2 = b2 * xin - a2 * y;
                *v = y;
            }
        }
    }

    /// Filters `x` in place, one causal pass from zero state.
    pub fn filter(&self, x: &mut [f64]) {
        let zi = vec![[0.0; 2]; self.sections.len()];
        self.filter_with_state(x, &zi);
    }

    /// Steady-state initial conditions for a unit step input (SciPy's `sosfilt_zi`):
    /// per section, with DC gain `g = Σb/Σa`, `z2 = b2 − a2·g` and `z1 = b1 − a1·g + z2`
    /// (the state that keeps the output at `g`), each scaled by the DC gain of the
    /// sections before it.
    fn step_state(&self) -> Vec<[f64; 2]> {
        let mut scale = 1.0;
        self.sections
            .iter()
            .map(|s| {
                let [b0, b1, b2, _, a1, a2] = *s;
                let den = 1.0 + a1 + a2;
                let g = if den.abs() > 1e-300 {
                    (b0 + b1 + b2) / den
                } else {
                    0.0
                };
                let z2 = b2 - a2 * g;
                let z1 = b1 - a1 * g + z2;
                let out = [scale * z1, scale * z2];
                scale *= g;
                out
            })
            .collect()
    }

    /// Length of the odd extension used by [`Sos::filtfilt`]:
    /// `3·(2·sections + 1 − min(#b2 = 0, #a2 = 0))` samples, as SciPy's `sosfiltfilt`.
    pub fn pad_len(&self) -> usize {
        let nb = self.sections.iter().filter(|s| s[2] == 0.0).count();
        let na = self.sections.iter().filter(|s| s[5] == 0.0).count();
        3 * (2 * self.sections.len() + 1 - nb.min(na))
    }

    /// Zero-phase filtering of one signal (same unit in and out), as SciPy's
    /// `sosfiltfilt` with `padtype='odd'`: odd extension by [`Sos::pad_len`] samples at
    /// both ends (`2x₀ − x_k`), forward pass from the step steady state scaled by the
    /// first sample, backward pass likewise, extension removed. Computed in `f64`.
    pub fn filtfilt(&self, x: &[f32]) -> Result<Vec<f32>, SignalError> {
        const W: &str = "zero-phase filter";
        check_finite(W, 0, x)?;
        let pad = self.pad_len();
        if x.len() <= pad {
            return Err(SignalError::TooShort {
                what: W.into(),
                samples: x.len(),
                needed: pad + 1,
            });
        }
        Ok(self
            .filtfilt_padded(&x.iter().map(|&v| v as f64).collect::<Vec<_>>(), pad)
            .into_iter()
            .map(|v| v as f32)
            .collect())
    }

    /// [`Sos::filtfilt`] on `f64` samples.
    pub fn filtfilt_f64(&self, x: &[f64]) -> Result<Vec<f64>, SignalError> {
        const W: &str = "zero-phase filter";
        if x.is_empty() {
            return Err(SignalError::Empty { what: W.into() });
        }
        if let Some((index, &v)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SignalError::NonFinite {
                what: W.into(),
                channel: 0,
                index,
                value: v as f32,
            });
        }
        let pad = self.pad_len();
        if x.len() <= pad {
            return Err(SignalError::TooShort {
                what: W.into(),
                samples: x.len(),
                needed: pad + 1,
            });
        }
        Ok(self.filtfilt_padded(x, pad))
    }

    fn filtfilt_padded(&self, x: &[f64], pad: usize) -> Vec<f64> {
        let n = x.len();
        let (first, last) = (x[0], x[n - 1]);
        let mut ext = Vec::with_capacity(n + 2 * pad);
        ext.extend((1..=pad).rev().map(|k| 2.0 * first - x[k]));
        ext.extend_from_slice(x);
        ext.extend((1..=pad).map(|k| 2.0 * last - x[n - 1 - k]));
        let zi = self.step_state();
        let scaled = |v: f64| zi.iter().map(|z| [z[0] * v, z[1] * v]).collect::<Vec<_>>();
        let z0 = scaled(ext[0]);
        self.filter_with_state(&mut ext, &z0);
        ext.reverse();
        let z1 = scaled(ext[0]);
        self.filter_with_state(&mut ext, &z1);
        ext.reverse();
        ext[pad..pad + n].to_vec()
    }

    /// Zero-phase filtering of every row (channel) of a channels × samples array,
    /// in parallel across channels. Errors name the first channel with a bad sample.
    pub fn filtfilt_rows(&self, data: &Array2<f32>) -> Result<Array2<f32>, SignalError> {
        const W: &str = "zero-phase filter";
        if data.nrows() == 0 || data.ncols() == 0 {
            return Err(SignalError::Empty { what: W.into() });
        }
        let rows: Vec<Vec<f32>> = data
            .rows()
            .into_iter()
            .enumerate()
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|(c, r)| {
                let v = r.to_vec();
                check_finite(W, c, &v)?;
                self.filtfilt(&v)
            })
            .collect::<Result<_, _>>()?;
        let mut out = Array2::<f32>::zeros(data.raw_dim());
        for (mut d, s) in out.rows_mut().into_iter().zip(&rows) {
            d.iter_mut().zip(s).for_each(|(a, b)| *a = *b);
        }
        Ok(out)
    }
}

/// Designs `spec` and applies it forward-backward to every channel of `data`
/// (channels × samples, any unit; zero phase, magnitude `|H|²`).
pub fn zero_phase(data: &Array2<f32>, spec: &FilterSpec) -> Result<Array2<f32>, SignalError> {
    spec.design()?.filtfilt_rows(data)
}
