//! Phase synchrony: phase locking value, phase lag index and weighted PLI (with
//! their debiased / directed variants), in two flavours.
//!
//! * Fourier flavour (ids without suffix: `plv`, `pli`, `wpli`, …): the relative
//!   phase of each segment's Hann-windowed Fourier coefficients, as mne-connectivity
//!   `mode='fourier'` (see `spectral.rs` for segments, estimation flavours and band
//!   averaging).
//! * Hilbert flavour (`plv-hilbert`, `pli-hilbert`, `wpli-hilbert`): each channel is
//!   band-passed by a zero-phase Butterworth filter (scipy `butter` + `sosfiltfilt` or
//!   `filtfilt`), its phase taken from the FFT analytic signal (scipy `hilbert`); the
//!   measure is estimated over time within each epoch, across epochs per sample, or
//!   pooled.

use super::spectral::fourier_measure;
use crate::measures::Direction;

fourier_measure!(PLV, "plv", "Phase locking value (Fourier)", Plv, "plv", "",
    "|⟨e^{i(φx−φy)}⟩| over segments, per bin (Lachaux et al. 1999); 1 for a constant phase difference, ≈ 1/√n for independent signals.");
fourier_measure!(
    CIPLV,
    "ciplv",
    "Corrected imaginary PLV (Fourier)",
    CiPlv,
    "ciplv",
    "",
    "|Im⟨u⟩| / √(1 − (Re⟨u⟩)²), u = S_xy/|S_xy| (Bruña et al. 2018), as mne-connectivity `ciplv`."
);
fourier_measure!(PPC, "ppc", "Pairwise phase consistency (Fourier)", Ppc, "ppc", "",
    "(|Σu|² − n) / (n(n−1)), u = S_xy/|S_xy| over n segments (Vinck et al. 2010), unbiased estimate of PLV²; needs n ≥ 2.");
fourier_measure!(PLI, "pli", "Phase lag index (Fourier)", Pli, "pli", "",
    "|⟨sign Im S_xy⟩| (Stam et al. 2007); 0 for zero-lag coupling (identical signals), 1 for a consistent non-zero lag.");
fourier_measure!(
    DPLI,
    "dpli",
    "Directed phase lag index (Fourier)",
    DPli,
    "dpli",
    "",
    "⟨H(Im S_xy)⟩ with H(0) = ½ (Stam & van Straaten 2012); > ½ when x leads y, ½ without lag."
);
fourier_measure!(
    WPLI,
    "wpli",
    "Weighted phase lag index (Fourier)",
    WPli,
    "wpli",
    "",
    "|⟨Im S_xy⟩| / ⟨|Im S_xy|⟩ (Vinck et al. 2011); 0 when every Im S_xy is 0 (identical signals)."
);
fourier_measure!(WPLI2_DEBIASED, "wpli2-debiased", "Debiased squared wPLI (Fourier)", WPli2Debiased, "wpli2_debiased", "",
    "((Σ Im S)² − Σ (Im S)²) / ((Σ|Im S|)² − Σ (Im S)²) over segments (Vinck et al. 2011), as mne-connectivity `wpli2_debiased`.");
fourier_measure!(
    PLI2_UNBIASED,
    "pli2-unbiased",
    "Unbiased squared PLI (Fourier)",
    Pli2Unbiased,
    "pli2_unbiased",
    "",
    "(n⟨sign Im S⟩² − 1)/(n − 1) over n segments, as mne-connectivity `pli2_unbiased`."
);

// ---------------------------------------------------------------------------
// Hilbert flavour
// ---------------------------------------------------------------------------

use super::spectral::continuous_pair;
use super::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, Value,
};
use ndarray::ArrayView1;
use num_complex::Complex64;
use rustfft::FftPlanner;

/// A digital Butterworth band-pass as scipy's `butter(order, [f1, f2], 'bandpass', fs=fs)`:
/// analog prototype poles `−exp(iπ(2k−N+1)/(2N))`, band edges pre-warped
/// `w = 4 tan(π f/fs)`, low-pass → band-pass transform, bilinear transform (fs = 2).
/// Returns the zeros, poles and gain of the digital filter.
fn butter_bandpass_zpk(
    order: usize,
    f1: f64,
    f2: f64,
    fs: f64,
) -> (Vec<Complex64>, Vec<Complex64>, f64) {
    let n = order as i64;
    let proto: Vec<Complex64> = (0..n)
        .map(|k| {
            let m = (-n + 1 + 2 * k) as f64;
            -Complex64::from_polar(1.0, std::f64::consts::PI * m / (2.0 * n as f64))
        })
        .collect();
    let warp = |f: f64| 4.0 * (std::f64::consts::PI * (f / (fs / 2.0)) / 2.0).tan();
    let (w1, w2) = (warp(f1), warp(f2));
    let bw = w2 - w1;
    let wo = (w1 * w2).sqrt();
    let mut poles = Vec::with_capacity(2 * order);
    let lp: Vec<Complex64> = proto.iter().map(|p| p * bw / 2.0).collect();
    for p in &lp {
        poles.push(p + (p * p - wo * wo).sqrt());
    }
    for p in &lp {
        poles.push(p - (p * p - wo * wo).sqrt());
    }
    let k_analog = bw.powi(order as i32);
    // bilinear: analog zeros (N at 0) → z = 1, the N at infinity → z = −1
    let fs2 = Complex64::new(4.0, 0.0);
    let mut num = Complex64::new(1.0, 0.0);
    for _ in 0..order {
        num *= fs2; // (fs2 − 0) per analog zero
    }
    let mut den = Complex64::new(1.0, 0.0);
    for p in &poles {
        den *= fs2 - p;
    }
    let k = k_analog * (num / den).re;
    let zpoles: Vec<Complex64> = poles.iter().map(|p| (fs2 + p) / (fs2 - p)).collect();
    let mut zeros = vec![Complex64::new(1.0, 0.0); order];
    zeros.extend(std::iter::repeat_n(Complex64::new(-1.0, 0.0), order));
    (zeros, zpoles, k)
}

/// Real coefficients of `Π (z − r)` (highest power first), as `numpy.poly`.
fn poly(roots: &[Complex64]) -> Vec<f64> {
    let mut c = vec![Complex64::new(1.0, 0.0)];
    for r in roots {
        let mut next = vec![Complex64::new(0.0, 0.0); c.len() + 1];
        for (i, &v) in c.iter().enumerate() {
            next[i] += v;
            next[i + 1] -= v * r;
        }
        c = next;
    }
    c.iter().map(|v| v.re).collect()
}

/// A linear filter in direct form II transposed, `a[0] = 1`.
#[derive(Debug, Clone)]
struct Df2t {
    b: Vec<f64>,
    a: Vec<f64>,
}

impl Df2t {
    /// Steady-state state vector for a constant input 1 (scipy `lfilter_zi`).
    fn zi(&self) -> Vec<f64> {
        let m = self.a.len() - 1;
        let h = self.b.iter().sum::<f64>() / self.a.iter().sum::<f64>();
        let mut z = vec![0.0; m];
        let mut acc = 0.0;
        for k in (0..m).rev() {
            acc += self.b[k + 1] - self.a[k + 1] * h;
            z[k] = acc;
        }
        z
    }

    fn run(&self, x: &mut [f64], z: &mut [f64]) {
        let m = self.a.len() - 1;
        for v in x.iter_mut() {
            let xin = *v;
            let y = self.b[0] * xin + z[0];
            for k in 0..m - 1 {
                z[k] = self.b[k + 1] * xin - self.a[k + 1] * y + z[k + 1];
            }
            z[m - 1] = self.b[m] * xin - self.a[m] * y;
            *v = y;
        }
    }
}

/// Butterworth band-pass realisation, matching scipy's two usual calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButterForm {
    /// Second-order sections, `sosfiltfilt` (pad 3(2·sections+1), odd extension).
    Sos,
    /// One transfer function `(b, a)`, `filtfilt` (pad 3·max(len a, len b), odd extension).
    Ba,
}

/// A zero-phase Butterworth band-pass (forward-backward, odd padding, steady-state
/// initial conditions), as scipy `sosfiltfilt(butter(..., output='sos'), x)` or
/// `filtfilt(*butter(..., output='ba'), x)`.
#[derive(Debug, Clone)]
pub struct ZeroPhaseBandpass {
    stages: Vec<Df2t>,
    padlen: usize,
}

impl ZeroPhaseBandpass {
    /// Designs a band-pass of prototype order `order` (2·`order` poles) from `f1` to `f2` Hz
    /// at sample rate `fs` Hz, realised as `form`. An error unless
    /// `0 < f1 < f2 < fs/2` and `order ≥ 1`.
    pub fn butter(
        order: usize,
        f1: f64,
        f2: f64,
        fs: f64,
        form: ButterForm,
    ) -> Result<Self, MeasureError> {
        if !(f1 > 0.0 && f1 < f2 && f2 < fs / 2.0) || order == 0 {
            return Err(MeasureError::Param {
                name: "fmin".into(),
                reason: format!("band-pass needs 0 < fmin < fmax < fs/2 = {} Hz and order ≥ 1, got [{f1}, {f2}] Hz, order {order}", fs / 2.0),
            });
        }
        let (zeros, poles, k) = butter_bandpass_zpk(order, f1, f2, fs);
        Ok(match form {
            ButterForm::Ba => {
                let b: Vec<f64> = poly(&zeros).iter().map(|c| c * k).collect();
                let a = poly(&poles);
                let padlen = 3 * a.len().max(b.len());
                ZeroPhaseBandpass {
                    stages: vec![Df2t { b, a }],
                    padlen,
                }
            }
            ButterForm::Sos => {
                // conjugate pole pairs, each section with zeros at +1 and −1; gain first
                let mut ups: Vec<Complex64> =
                    poles.iter().copied().filter(|p| p.im > 0.0).collect();
                ups.sort_by(|p, q| p.norm().total_cmp(&q.norm()));
                let mut stages = Vec::new();
                for (s, p) in ups.iter().enumerate() {
                    let g = if s == 0 { k } else { 1.0 };
                    stages.push(Df2t {
                        b: vec![g, 0.0, -g],
                        a: vec![1.0, -2.0 * p.re, p.norm_sqr()],
                    });
                }
                let padlen = 3 * (2 * stages.len() + 1);
                ZeroPhaseBandpass { stages, padlen }
            }
        })
    }

    fn pass(&self, x: &mut [f64]) {
        // steady-state initial conditions scaled by the input level, propagated
        // through the cascade by each stage's DC gain
        let mut level = x[0];
        for st in &self.stages {
            let mut z: Vec<f64> = st.zi().iter().map(|v| v * level).collect();
            st.run(x, &mut z);
            level *= st.b.iter().sum::<f64>() / st.a.iter().sum::<f64>();
        }
    }

    /// Filters one signal forwards and backwards.
    pub fn apply(&self, x: ArrayView1<f64>) -> Result<Vec<f64>, MeasureError> {
        let n = x.len();
        let pad = self.padlen;
        if n <= pad {
            return Err(MeasureError::Invalid(format!(
                "zero-phase filtering needs more than {pad} samples per epoch, got {n}"
            )));
        }
        let mut ext = Vec::with_capacity(n + 2 * pad);
        for i in (1..=pad).rev() {
            ext.push(2.0 * x[0] - x[i]);
        }
        ext.extend(x.iter());
        for i in 1..=pad {
            ext.push(2.0 * x[n - 1] - x[n - 1 - i]);
        }
        self.pass(&mut ext);
        ext.reverse();
        self.pass(&mut ext);
        ext.reverse();
        Ok(ext[pad..pad + n].to_vec())
    }
}

/// Analytic signal by FFT (scipy `signal.hilbert`): spectrum × (1, 2, …, 2, 1 at
/// Nyquist for even n, 0, …).
pub fn analytic_signal(x: &[f64]) -> Vec<Complex64> {
    let n = x.len();
    let mut planner = FftPlanner::<f64>::new();
    let mut buf: Vec<Complex64> = x.iter().map(|&v| Complex64::new(v, 0.0)).collect();
    planner.plan_fft_forward(n).process(&mut buf);
    for (m, v) in buf.iter_mut().enumerate() {
        let h = if m == 0 || (n.is_multiple_of(2) && m == n / 2) {
            1.0
        } else if m < n.div_ceil(2) {
            2.0
        } else {
            0.0
        };
        *v *= h;
    }
    planner.plan_fft_inverse(n).process(&mut buf);
    buf.iter_mut().for_each(|v| *v /= n as f64);
    buf
}

/// Which Hilbert-flavour measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HilbertMethod {
    /// Phase locking value `|⟨e^{i(φx−φy)}⟩|`.
    Plv,
    /// Phase lag index `|⟨sign sin(φx−φy)⟩|`.
    Pli,
    /// Weighted phase lag index `|⟨Im(z_x z_y*)⟩| / ⟨|Im(z_x z_y*)|⟩`.
    WPli,
}

static HILBERT_PARAMS: [ParamSpec; 5] = [
    super::spectral::P_FMIN,
    super::spectral::P_FMAX,
    ParamSpec {
        name: "order",
        unit: "",
        kind: ParamKind::Int { default: 4, min: 1, max: 12 },
        doc: "Butterworth order (the band-pass has twice as many poles).",
    },
    ParamSpec {
        name: "filter",
        unit: "",
        kind: ParamKind::Choice { default: "sos", options: &["sos", "ba"] },
        doc: "`sos`: second-order sections, as scipy sosfiltfilt; `ba`: one transfer function, as scipy filtfilt(b, a).",
    },
    ParamSpec {
        name: "estimate",
        unit: "",
        kind: ParamKind::Choice { default: "time", options: &["time", "epochs", "pooled"] },
        doc: "`time`: over the samples of each epoch, then mean over epochs; `epochs`: across epochs at each sample (trial-based, Lachaux 1999), then mean over samples; `pooled`: over all samples of all epochs at once.",
    },
];

/// Phase synchrony from Hilbert phases of band-passed signals.
pub struct HilbertMeasure {
    /// Identifier, parameters and outputs, as the registry lists them.
    pub info: MeasureInfo,
    /// Which phase statistic the measure returns.
    pub method: HilbertMethod,
}

/// `w = z_x · conj(z_y)` per epoch and sample.
fn cross_analytic(
    x: ndarray::ArrayView2<f64>,
    y: ndarray::ArrayView2<f64>,
    filt: &ZeroPhaseBandpass,
) -> Result<Vec<Vec<Complex64>>, MeasureError> {
    x.outer_iter()
        .zip(y.outer_iter())
        .map(|(a, b)| {
            let za = analytic_signal(&filt.apply(a)?);
            let zb = analytic_signal(&filt.apply(b)?);
            Ok(za.iter().zip(&zb).map(|(p, q)| p * q.conj()).collect())
        })
        .collect()
}

/// The measure over a set of cross terms `w` (PLV uses the phase only).
fn hilbert_stat(method: HilbertMethod, w: &[Complex64]) -> f64 {
    let n = w.len() as f64;
    match method {
        HilbertMethod::Plv => {
            let s: Complex64 = w
                .iter()
                .map(|v| if v.norm() > 0.0 { v / v.norm() } else { *v })
                .sum();
            s.norm() / n
        }
        HilbertMethod::Pli => (w
            .iter()
            .map(|v| v.im.signum() * (v.im != 0.0) as u8 as f64)
            .sum::<f64>()
            / n)
            .abs(),
        HilbertMethod::WPli => {
            let num: f64 = w.iter().map(|v| v.im).sum();
            let den: f64 = w.iter().map(|v| v.im.abs()).sum();
            if den > 0.0 {
                num.abs() / den
            } else {
                0.0
            }
        }
    }
}

impl Plugin for HilbertMeasure {
    fn info(&self) -> &MeasureInfo {
        &self.info
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, fs) = continuous_pair(self.info.id, pair)?;
        let form = if params.text("filter")? == "ba" {
            ButterForm::Ba
        } else {
            ButterForm::Sos
        };
        let filt = ZeroPhaseBandpass::butter(
            params.int("order")? as usize,
            params.f64("fmin")?,
            params.f64("fmax")?,
            fs,
            form,
        )?;
        let w = cross_analytic(x, y, &filt)?;
        let v = match params.text("estimate")? {
            "pooled" => hilbert_stat(self.method, &w.concat()),
            "epochs" => {
                let n = w[0].len();
                (0..n)
                    .map(|t| hilbert_stat(self.method, &w.iter().map(|e| e[t]).collect::<Vec<_>>()))
                    .sum::<f64>()
                    / n as f64
            }
            _ => w.iter().map(|e| hilbert_stat(self.method, e)).sum::<f64>() / w.len() as f64,
        };
        Ok(vec![Value::new(self.info.outputs[0].name, v)])
    }
}

/// Phase locking value of Hilbert phases after a band-pass (`plv-hilbert`).
pub static PLV_HILBERT: HilbertMeasure = HilbertMeasure {
    info: MeasureInfo {
        id: "plv-hilbert",
        title: "Phase locking value (Hilbert)",
        doc: "|⟨e^{i(φx−φy)}⟩| with φ the phase of the analytic signal (FFT Hilbert transform, scipy `hilbert`) of each channel after a zero-phase Butterworth band-pass [fmin, fmax] Hz (scipy sosfiltfilt / filtfilt conventions, all samples kept). estimate=time: over the samples of each epoch, mean over epochs; epochs: across epochs per sample (Lachaux 1999), mean over samples; pooled: over all samples.",
        input: InputKind::Continuous,
        params: &HILBERT_PARAMS,
        outputs: &[OutputSpec { name: "plv", unit: "", doc: "phase locking value", direction: Direction::Higher }],
        directed: false,
    },
    method: HilbertMethod::Plv,
};

/// Phase lag index of Hilbert phases after a band-pass (`pli-hilbert`).
pub static PLI_HILBERT: HilbertMeasure = HilbertMeasure {
    info: MeasureInfo {
        id: "pli-hilbert",
        title: "Phase lag index (Hilbert)",
        doc: "|⟨sign sin(φx−φy)⟩| with Hilbert phases after a zero-phase Butterworth band-pass (see plv-hilbert for the filter and the estimate flavours); 0 for zero-lag coupling.",
        input: InputKind::Continuous,
        params: &HILBERT_PARAMS,
        outputs: &[OutputSpec { name: "pli", unit: "", doc: "phase lag index", direction: Direction::Higher }],
        directed: false,
    },
    method: HilbertMethod::Pli,
};

/// Weighted phase lag index of analytic signals after a band-pass (`wpli-hilbert`).
pub static WPLI_HILBERT: HilbertMeasure = HilbertMeasure {
    info: MeasureInfo {
        id: "wpli-hilbert",
        title: "Weighted phase lag index (Hilbert)",
        doc: "|⟨Im(z_x z_y*)⟩| / ⟨|Im(z_x z_y*)|⟩ with z the analytic signals after a zero-phase Butterworth band-pass (see plv-hilbert); 0 when every Im is 0.",
        input: InputKind::Continuous,
        params: &HILBERT_PARAMS,
        outputs: &[OutputSpec { name: "wpli", unit: "", doc: "weighted phase lag index", direction: Direction::Higher }],
        directed: false,
    },
    method: HilbertMethod::WPli,
};
