//! Gaussian noise with a prescribed power spectrum, made by shaping white noise in the
//! frequency domain.

use num_complex::Complex64;
use rand::Rng;
use rand_distr::StandardNormal;
use rustfft::FftPlanner;

/// `n` samples at `fs` Hz of a zero-mean stationary Gaussian process whose power
/// spectral density is proportional to `psd(f)` (f in Hz), normalised to unit RMS.
///
/// Each positive-frequency bin `k` gets an independent complex Gaussian coefficient
/// `X_k = (a_k + i b_k)·√psd(f_k)`, `f_k = k·fs/n`; the spectrum is completed
/// Hermitian-symmetrically (DC set to zero) and inverse-transformed, so the periodogram's
/// expectation is proportional to `psd`. Returns zeros when `psd` is zero everywhere.
pub(crate) fn shaped_noise<R: Rng>(
    rng: &mut R,
    n: usize,
    fs: f64,
    psd: impl Fn(f64) -> f64,
) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let mut spec = vec![Complex64::new(0.0, 0.0); n];
    let half = n / 2;
    for k in 1..=half {
        let f = k as f64 * fs / n as f64;
        let g = psd(f).max(0.0).sqrt();
        let re: f64 = rng.sample(StandardNormal);
        let im: f64 = rng.sample(StandardNormal);
        if 2 * k == n {
            // Nyquist bin of an even length is real.
            spec[k] = Complex64::new(re * g, 0.0);
        } else {
            spec[k] = Complex64::new(re * g, im * g);
            spec[n - k] = spec[k].conj();
        }
    }
    let fft = FftPlanner::<f64>::new().plan_fft_inverse(n);
    fft.process(&mut spec);
    let mut out: Vec<f64> = spec.iter().map(|c| c.re).collect();
    let rms = (out.iter().map(|v| v * v).sum::<f64>() / n as f64).sqrt();
    if rms > 0.0 {
        out.iter_mut().for_each(|v| *v /= rms);
    }
    out
}

/// Power spectral density shape of the background: `1 / (f² + f_k²)^(α/2)`, a power law
/// `f^−α` above the knee `f_k` (Hz) that stays finite at 0 Hz.
pub(crate) fn power_law(f: f64, exponent: f64, knee: f64) -> f64 {
    (f * f + knee * knee).powf(-exponent / 2.0)
}

/// Power spectral density shape of a rhythm: a Gaussian peak centred at `centre` Hz
/// with standard deviation `width` Hz.
pub(crate) fn spectral_peak(f: f64, centre: f64, width: f64) -> f64 {
    let u = (f - centre) / width;
    (-0.5 * u * u).exp()
}
