//! Resampling by a rational factor `p/q` with a Kaiser-windowed anti-aliasing FIR,
//! computed polyphase (only the taps that meet non-zero upsampled samples).

use super::error::{check_finite, invalid, SignalError};
use ndarray::Array2;
use rayon::prelude::*;

/// Zeroth-order modified Bessel function of the first kind, by its power series
/// `I0(x) = Σ_k ((x/2)^k / k!)²` (converges for every x; terms summed to 1e-17).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let h = x / 2.0;
    for k in 1..500 {
        term *= h / k as f64;
        let t2 = term * term;
        sum += t2;
        if t2 < 1e-17 * sum {
            break;
        }
    }
    sum
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The anti-aliasing filter: `2L+1` taps, `L = 10·max(p,q)`, a windowed sinc with
/// cut-off `1/max(p,q)` of the Nyquist frequency of the upsampled signal,
/// `h[n] = c·sinc(c(n − L))·w_K(n)` with a Kaiser window of β = 5, normalised to unit
/// DC gain and multiplied by `p` (SciPy's `resample_poly` default design).
pub fn anti_alias_taps(p: usize, q: usize) -> Vec<f64> {
    let m = p.max(q);
    let half = 10 * m;
    let c = 1.0 / m as f64;
    let beta = 5.0;
    let len = 2 * half + 1;
    let i0b = bessel_i0(beta);
    let mut h: Vec<f64> = (0..len)
        .map(|n| {
            let u = n as f64 - half as f64;
            let x = c * u;
            let sinc = if x == 0.0 { 1.0 } else { (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x) };
            let r = 2.0 * n as f64 / (len - 1) as f64 - 1.0;
            let w = bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / i0b;
            c * sinc * w
        })
        .collect();
    let s: f64 = h.iter().sum();
    h.iter_mut().for_each(|v| *v *= p as f64 / s);
    h
}

/// Resamples one signal from rate `fs` to `fs·p/q` (the factor is reduced first).
///
/// Output sample `m` (at time `m·q/(p·fs)` s) is `Σ_j h[j]·u[m·q + L − j]` where `u` is
/// the input upsampled by `p` (zeros between samples) and `h` the filter of
/// [`anti_alias_taps`], centred so there is no delay. Output length `⌈n·p/q⌉`.
/// The signal's mean is removed before filtering and added back, so a DC offset does
/// not droop at the edges (beyond the ends the signal is taken equal to its mean).
/// Units unchanged (µV in, µV out).
pub fn resample(x: &[f32], p: usize, q: usize) -> Result<Vec<f32>, SignalError> {
    const W: &str = "resampling";
    if p == 0 || q == 0 {
        return Err(invalid(W, "factor", format!("{p}/{q}"), "both terms must be positive integers"));
    }
    check_finite(W, 0, x)?;
    let g = gcd(p, q);
    let (p, q) = (p / g, q / g);
    if p == 1 && q == 1 {
        return Ok(x.to_vec());
    }
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / x.len() as f64;
    let xd: Vec<f64> = x.iter().map(|&v| v as f64 - mean).collect();
    Ok(resample_zero_padded(&xd, p, q)
        .into_iter()
        .map(|v| (v + mean) as f32)
        .collect())
}

/// The polyphase core, zero outside the signal (SciPy's `resample_poly`, `padtype='constant'`).
pub(crate) fn resample_zero_padded(x: &[f64], p: usize, q: usize) -> Vec<f64> {
    let h = anti_alias_taps(p, q);
    let half = (h.len() - 1) / 2;
    let n = x.len();
    let n_out = (n * p).div_ceil(q);
    (0..n_out)
        .map(|m| {
            // Upsampled index i = m·q + L − j must be a multiple of p within [0, n·p).
            let centre = m * q + half;
            let mut j = centre % p;
            let mut acc = 0.0;
            while j < h.len() && j <= centre {
                let i = (centre - j) / p;
                if i < n {
                    acc += h[j] * x[i];
                }
                j += p;
            }
            acc
        })
        .collect()
}

/// Resamples every channel of a channels × samples array by `p/q` (parallel across
/// channels). Returns the new array; the new rate is `fs·p/q` Hz.
pub fn resample_rows(data: &Array2<f32>, p: usize, q: usize) -> Result<Array2<f32>, SignalError> {
    if data.nrows() == 0 || data.ncols() == 0 {
        return Err(SignalError::Empty { what: "resampling".into() });
    }
    let rows: Vec<Vec<f32>> = data
        .rows()
        .into_iter()
        .enumerate()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(c, r)| {
            let v = r.to_vec();
            resample(&v, p, q).map_err(|e| match e {
                SignalError::NonFinite { what, index, value, .. } => SignalError::NonFinite { what, channel: c, index, value },
                e => e,
            })
        })
        .collect::<Result<_, _>>()?;
    let n = rows[0].len();
    let mut out = Array2::<f32>::zeros((rows.len(), n));
    for (mut d, s) in out.rows_mut().into_iter().zip(&rows) {
        d.iter_mut().zip(s).for_each(|(a, b)| *a = *b);
    }
    Ok(out)
}

/// The smallest `p/q` (q ≤ 1000) with `from·p/q = to` within 1e-9 relative, for sample
/// rates in Hz; an error when no such ratio exists.
pub fn rational_factor(from: f64, to: f64) -> Result<(usize, usize), SignalError> {
    const W: &str = "resampling";
    for (name, v) in [("input rate", from), ("output rate", to)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(invalid(W, name, v, "must be a positive number of Hz"));
        }
    }
    let r = to / from;
    for q in 1..=1000usize {
        let p = (r * q as f64).round();
        if p >= 1.0 && (p / q as f64 - r).abs() <= 1e-9 * r {
            let p = p as usize;
            let g = gcd(p, q);
            return Ok((p / g, q / g));
        }
    }
    Err(invalid(W, "rate ratio", format!("{to}/{from}"), "is not a ratio of integers with denominator ≤ 1000"))
}
