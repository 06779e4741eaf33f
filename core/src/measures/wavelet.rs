//! Wavelet flavour of the coherence and phase-synchrony measures (`coh-wavelet`,
//! `imcoh-wavelet`, `plv-wavelet`, `pli-wavelet`, `wpli-wavelet`): the phase and
//! amplitude of each channel at one frequency come from its complex Morlet wavelet
//! transform, as mne-connectivity `mode='cwt_morlet'`.
//!
//! # Wavelet (MNE `morlet`)
//! At frequency `f` Hz with `n_cycles` cycles, `σ = n_cycles / (2πf)` s; the wavelet is
//! sampled at `t = k/fs` for `|t| < 5σ` (an odd number of samples, centred on `t = 0`):
//! `W(t) = (e^{2πift} − κ) e^{−t²/(2σ²)}`, with `κ = e^{−2(πfσ)²}` when `zero_mean`
//! (admissibility; mne-connectivity's `spectral_connectivity_epochs` uses it) and
//! `κ = 0` otherwise (`spectral_connectivity_time`), scaled to `‖W‖₂ = √2`. Each
//! epoch is convolved with `W` (`numpy.convolve(x, W, 'same')`, zero outside the
//! epoch, no mean removal), giving one complex coefficient per sample.
//!
//! # Estimation flavours (`estimate` parameter)
//! * `epochs` — across epochs (`spectral_connectivity_epochs`): at every sample the
//!   cross-spectrum `S = W_x·conj(W_y)` is averaged over epochs and the measure
//!   evaluated; the value is the mean over the samples of the epoch (edges included).
//! * `time` — over time (`spectral_connectivity_time`, `average=True`): within each
//!   epoch the cross-spectra of all samples are averaged and the measure evaluated;
//!   the value is the mean over epochs.

use super::spectral::{BandSpectra, SpectralMeasure, SpectralMethod};
use super::{InputKind, MeasureError, MeasureInfo, OutputSpec, ParamKind, ParamSpec, ParamValues};
use ndarray::{ArrayView3, Axis};
use num_complex::Complex64;
use rayon::prelude::*;
use rustfft::FftPlanner;

/// MNE's `morlet(fs, [freq], n_cycles, zero_mean)` wavelet (see the module
/// documentation): `2·h + 1` complex samples, the centre at index `h`.
pub fn morlet(fs: f64, freq: f64, n_cycles: f64, zero_mean: bool) -> Vec<Complex64> {
    let sigma = n_cycles / (2.0 * std::f64::consts::PI * freq);
    let step = 1.0 / fs;
    // numpy arange(0, 5σ, 1/fs): ceil((stop − start) / step) samples
    let n_half = ((5.0 * sigma) / step).ceil().max(1.0) as usize;
    let t_pos: Vec<f64> = (0..n_half).map(|k| k as f64 * step).collect();
    let t: Vec<f64> = t_pos
        .iter()
        .rev()
        .map(|v| -v)
        .chain(t_pos[1..].iter().copied())
        .collect();
    let offset = if zero_mean {
        (-2.0 * (std::f64::consts::PI * freq * sigma).powi(2)).exp()
    } else {
        0.0
    };
    let mut w: Vec<Complex64> = t
        .iter()
        .map(|&ti| {
            let osc = Complex64::from_polar(1.0, 2.0 * std::f64::consts::PI * freq * ti) - offset;
            osc * (-(ti * ti) / (2.0 * sigma * sigma)).exp()
        })
        .collect();
    let norm = w.iter().map(|c| c.norm_sqr()).sum::<f64>().sqrt();
    let scale = 1.0 / (0.5f64.sqrt() * norm);
    w.iter_mut().for_each(|c| *c *= scale);
    w
}

/// Wavelet coefficients of every channel and epoch at one frequency, laid out
/// `out[(ch * n_epochs + e) * n_samples + t]`: the "same"-size linear convolution of
/// each epoch with the wavelet, computed by FFT.
pub fn wavelet_coefficients(
    data: ArrayView3<f64>,
    fs: f64,
    freq: f64,
    n_cycles: f64,
    zero_mean: bool,
) -> Vec<Complex64> {
    let (n_ch, n_ep, n_samp) = data.dim();
    let w = morlet(fs, freq, n_cycles, zero_mean);
    let half = (w.len() - 1) / 2;
    let nfft = n_samp + w.len() - 1;
    let mut planner = FftPlanner::<f64>::new();
    let fwd = planner.plan_fft_forward(nfft);
    let inv = planner.plan_fft_inverse(nfft);
    let mut wf = vec![Complex64::new(0.0, 0.0); nfft];
    wf[..w.len()].copy_from_slice(&w);
    fwd.process(&mut wf);
    // fold the 1/nfft of the inverse transform into the wavelet's spectrum
    let inv_n = 1.0 / nfft as f64;
    wf.iter_mut().for_each(|c| *c *= inv_n);
    let scratch_len = fwd
        .get_inplace_scratch_len()
        .max(inv.get_inplace_scratch_len());
    let mut out = vec![Complex64::new(0.0, 0.0); n_ch * n_ep * n_samp];
    out.par_chunks_mut(n_samp).enumerate().for_each_init(
        || {
            (
                vec![Complex64::new(0.0, 0.0); nfft],
                vec![Complex64::new(0.0, 0.0); scratch_len],
            )
        },
        |(buf, scratch), (k, dst)| {
            let (ch, e) = (k / n_ep, k % n_ep);
            let x = data.index_axis(Axis(0), ch);
            let x = x.index_axis(Axis(0), e);
            for (b, &v) in buf.iter_mut().zip(x.iter()) {
                *b = Complex64::new(v, 0.0);
            }
            buf[n_samp..]
                .iter_mut()
                .for_each(|b| *b = Complex64::new(0.0, 0.0));
            fwd.process_with_scratch(buf, scratch);
            for (b, &c) in buf.iter_mut().zip(&wf) {
                *b *= c;
            }
            inv.process_with_scratch(buf, scratch);
            dst.copy_from_slice(&buf[half..half + n_samp]);
        },
    );
    out
}

const P_FREQ: ParamSpec = ParamSpec {
    name: "freq",
    unit: "Hz",
    kind: ParamKind::Float {
        default: 10.0,
        min: 1.0e-3,
        max: 1.0e5,
    },
    doc: "Centre frequency of the Morlet wavelet (below the Nyquist frequency).",
};
const P_N_CYCLES: ParamSpec = ParamSpec {
    name: "n_cycles",
    unit: "",
    kind: ParamKind::Float {
        default: 7.0,
        min: 0.1,
        max: 1000.0,
    },
    doc: "Cycles of the wavelet: its Gaussian envelope has σ = n_cycles/(2π freq) s.",
};
const P_ESTIMATE: ParamSpec = ParamSpec {
    name: "estimate",
    unit: "",
    kind: ParamKind::Choice {
        default: "epochs",
        options: &["epochs", "time"],
    },
    doc: "`epochs`: across epochs per sample, then the mean over samples (mne-connectivity `spectral_connectivity_epochs`, mode='cwt_morlet'); `time`: over the samples of each epoch, then the mean over epochs (`spectral_connectivity_time`, average=True).",
};
const P_ZERO_MEAN: ParamSpec = ParamSpec {
    name: "zero_mean",
    unit: "",
    kind: ParamKind::Bool { default: true },
    doc: "Subtract the admissibility offset e^{−2(π f σ)²} from the wavelet's oscillation (`spectral_connectivity_epochs` does; `spectral_connectivity_time` does not: set false to reproduce it).",
};
static WAVELET_PARAMS: [ParamSpec; 4] = [P_FREQ, P_N_CYCLES, P_ESTIMATE, P_ZERO_MEAN];

/// Wavelet coefficients of a channel set arranged for [`pair_spectral`] as the
/// `estimate` parameter asks.
fn wavelet_spectra(
    data: ArrayView3<f64>,
    fs: f64,
    params: &ParamValues,
) -> Result<BandSpectra, MeasureError> {
    let (n_ch, n_ep, n_samp) = data.dim();
    let freq = params.f64("freq")?;
    if freq >= fs / 2.0 {
        return Err(MeasureError::Param {
            name: "freq".into(),
            reason: format!(
                "{freq} Hz is not below the Nyquist frequency {} Hz",
                fs / 2.0
            ),
        });
    }
    if n_ep == 0 || n_samp == 0 {
        return Err(MeasureError::Invalid(format!(
            "need at least one epoch of at least one sample, got {n_ep} epochs of {n_samp} samples"
        )));
    }
    let coefs = wavelet_coefficients(
        data,
        fs,
        freq,
        params.f64("n_cycles")?,
        params.bool("zero_mean")?,
    );
    Ok(match params.text("estimate")? {
        // segments = samples of all epochs, one bin, one group per epoch
        "time" => BandSpectra::from_parts(
            n_ch,
            n_ep * n_samp,
            vec![freq],
            (0..n_ep).map(|e| e * n_samp..(e + 1) * n_samp).collect(),
            coefs,
        ),
        // segments = epochs, bins = samples, one group
        _ => BandSpectra::from_parts(
            n_ch,
            n_ep,
            vec![freq; n_samp],
            std::iter::once(0..n_ep).collect(),
            coefs,
        ),
    })
}

macro_rules! wavelet_measure {
    ($name:ident, $id:expr, $title:expr, $method:ident, $out:expr, $doc:expr) => {
        #[doc = concat!($title, " (`", $id, "`), wavelet flavour: ", $doc)]
        pub static $name: SpectralMeasure = SpectralMeasure {
            info: MeasureInfo {
            id: $id,
            title: $title,
            doc: concat!($doc, " Wavelet flavour: complex Morlet transform at `freq` Hz with `n_cycles` cycles (MNE `morlet`, convolution 'same', no mean removal); estimate=epochs: cross-spectra averaged over epochs at every sample, the measure's mean over samples (mne-connectivity spectral_connectivity_epochs, mode='cwt_morlet'); estimate=time: averaged over the samples of each epoch, then the mean over epochs (spectral_connectivity_time)."),
            input: InputKind::Continuous,
            params: &WAVELET_PARAMS,
            outputs: &[OutputSpec { name: $out, unit: "", doc: $title, direction: $crate::measures::Direction::of($out) }],
            directed: false,
            },
            method: SpectralMethod::$method,
            spectra: wavelet_spectra,
        };
    };
}

wavelet_measure!(
    COH_WAVELET,
    "coh-wavelet",
    "Coherence magnitude |C| (wavelet)",
    Coh,
    "coh",
    "|⟨S_xy⟩| / √(⟨S_xx⟩⟨S_yy⟩), not squared (mne-connectivity `coh`); in [0, 1]."
);
wavelet_measure!(
    IMCOH_WAVELET,
    "imcoh-wavelet",
    "Imaginary coherence (wavelet)",
    ImCoh,
    "imcoh",
    "Im⟨S_xy⟩ / √(⟨S_xx⟩⟨S_yy⟩), signed: positive when x leads y."
);
wavelet_measure!(
    PLV_WAVELET,
    "plv-wavelet",
    "Phase locking value (wavelet)",
    Plv,
    "plv",
    "|⟨e^{i(φx−φy)}⟩| with the phases of the complex Morlet coefficients (Lachaux et al. 1999)."
);
wavelet_measure!(
    PLI_WAVELET,
    "pli-wavelet",
    "Phase lag index (wavelet)",
    Pli,
    "pli",
    "|⟨sign Im S_xy⟩| (Stam et al. 2007) with the Morlet cross-spectra."
);
wavelet_measure!(
    WPLI_WAVELET,
    "wpli-wavelet",
    "Weighted phase lag index (wavelet)",
    WPli,
    "wpli",
    "|⟨Im S_xy⟩| / ⟨|Im S_xy|⟩ (Vinck et al. 2011) with the Morlet cross-spectra."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn morlet_is_centred_normalised_and_zero_mean() {
        let w = morlet(256.0, 10.0, 7.0, true);
        assert_eq!(w.len() % 2, 1);
        let h = (w.len() - 1) / 2;
        let norm2: f64 = w.iter().map(|c| c.norm_sqr()).sum();
        assert!((norm2 - 2.0).abs() < 1e-12);
        assert!(w[h].im.abs() < 1e-15 && w[h].re > 0.0);
        // conjugate symmetric about the centre
        for k in 1..h {
            assert!((w[h + k] - w[h - k].conj()).norm() < 1e-14);
        }
        // zero mean up to the truncation at 5σ (Gaussian tail e^{−12.5} ≈ 4e-6)
        let mean: Complex64 = w.iter().sum();
        let total: f64 = w.iter().map(|c| c.norm()).sum();
        assert!(mean.norm() < 1e-5 * total, "{mean}");
        // without the offset the mean is larger (the oscillation's sum, not the tail's)
        let raw: Complex64 = morlet(256.0, 10.0, 2.0, false).iter().sum();
        let corrected: Complex64 = morlet(256.0, 10.0, 2.0, true).iter().sum();
        assert!(corrected.norm() < 0.1 * raw.norm(), "{corrected} vs {raw}");
    }

    #[test]
    fn fft_convolution_equals_direct_same_convolution() {
        let n = 300;
        let x: Vec<f64> = (0..n).map(|k| (k * 37 % 101) as f64 / 50.0 - 1.0).collect();
        let data = ndarray::Array3::from_shape_vec((1, 1, n), x.clone()).unwrap();
        let c = wavelet_coefficients(data.view(), 100.0, 8.0, 5.0, true);
        let w = morlet(100.0, 8.0, 5.0, true);
        let h = (w.len() - 1) as i64 / 2;
        for t in [0usize, 7, 150, 299] {
            let mut d = Complex64::new(0.0, 0.0);
            for (k, &xv) in x.iter().enumerate() {
                let idx = t as i64 + h - k as i64;
                if idx >= 0 && (idx as usize) < w.len() {
                    d += w[idx as usize] * xv;
                }
            }
            assert!((c[t] - d).norm() < 1e-10, "t={t}: {} vs {d}", c[t]);
        }
    }
}
