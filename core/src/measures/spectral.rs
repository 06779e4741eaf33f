//! Spectral measures: Pearson correlation (plain and lagged maximum) and the
//! coherence family (`coh`, `msc`, `imcoh`, `coherency-phase`), plus the shared
//! Fourier engine ([`BandSpectra`], [`pair_spectral`]) that the phase family
//! (`phase.rs`) reuses.
//!
//! # The Fourier convention (`mode='fourier'` of mne-connectivity)
//! Each segment (an epoch, or a Welch segment of one) has its mean removed, is
//! multiplied by the symmetric Hann window `w_k = 0.5 − 0.5 cos(2πk/(n−1))`
//! (`np.hanning(n)`), and Fourier-transformed (`X_f = Σ_k x_k w_k e^{−2πifk/n}`, bins
//! `f = m·fs/n` Hz). The cross-spectrum of a segment is `S_xy = X·conj(Y)`, so that
//! `Im S_xy > 0` when x leads y. Cross-spectra are averaged over the segments of a
//! group, the measure is evaluated per frequency bin, and the band value is the plain
//! mean of the per-bin values over the bins with `fmin ≤ f ≤ fmax`.
//!
//! # Estimation flavours (`estimate` parameter)
//! * `epochs` — across epochs (mne-connectivity `spectral_connectivity_epochs`): one
//!   segment per epoch, all epochs in one group. This is the trial-based estimate.
//! * `time` — over time (Welch): every epoch is cut into segments of `segment` s with
//!   50 % overlap; the measure is estimated over the segments of each epoch and the
//!   band values are averaged over epochs. This is the flavour for resting EEG given
//!   as one long signal (a single epoch).

use super::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, SetInput, SetValues, Target, Value,
};
use crate::measures::Direction;
use ndarray::{ArrayView2, ArrayView3, Axis};
use num_complex::Complex64;
use rayon::prelude::*;
use rustfft::FftPlanner;

// ---------------------------------------------------------------------------
// shared parameters
// ---------------------------------------------------------------------------

pub(crate) const P_FMIN: ParamSpec = ParamSpec {
    name: "fmin",
    unit: "Hz",
    kind: ParamKind::Float { default: 8.0, min: 0.0, max: 1.0e5 },
    doc: "Lower edge of the band (inclusive); the band value is the mean over the bins in [fmin, fmax].",
};
pub(crate) const P_FMAX: ParamSpec = ParamSpec {
    name: "fmax",
    unit: "Hz",
    kind: ParamKind::Float {
        default: 12.0,
        min: 0.0,
        max: 1.0e5,
    },
    doc: "Upper edge of the band (inclusive).",
};
pub(crate) const P_ESTIMATE: ParamSpec = ParamSpec {
    name: "estimate",
    unit: "",
    kind: ParamKind::Choice { default: "epochs", options: &["epochs", "time"] },
    doc: "`epochs`: across epochs, one Hann segment per epoch (mne-connectivity `spectral_connectivity_epochs`, mode='fourier'); `time`: over time, Welch segments of `segment` s with 50 % overlap inside each epoch, band values averaged over epochs.",
};
pub(crate) const P_SEGMENT: ParamSpec = ParamSpec {
    name: "segment",
    unit: "s",
    kind: ParamKind::Float {
        default: 2.0,
        min: 1.0e-3,
        max: 1.0e5,
    },
    doc: "Welch segment length for `estimate=time` (ignored for `epochs`).",
};

/// Parameters of every Fourier-based pair measure.
pub(crate) static FOURIER_PARAMS: [ParamSpec; 4] = [P_FMIN, P_FMAX, P_ESTIMATE, P_SEGMENT];

/// How segments are formed and grouped (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Estimate {
    /// One Hann segment per epoch; all epochs form one group.
    AcrossEpochs,
    /// Welch segments of `segment` seconds, 50 % overlap, one group per epoch.
    OverTime {
        /// Length of one Welch segment, s.
        segment: f64,
    },
}

/// The band and estimation flavour of a Fourier-based measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FourierSettings {
    /// Band edges in Hz, inclusive.
    pub fmin: f64,
    /// Upper band edge, Hz, inclusive (≥ `fmin`).
    pub fmax: f64,
    /// How segments are formed and grouped.
    pub estimate: Estimate,
}

impl FourierSettings {
    /// Reads `fmin`, `fmax`, `estimate` and `segment`.
    pub fn from_params(p: &ParamValues) -> Result<Self, MeasureError> {
        let fmin = p.f64("fmin")?;
        let fmax = p.f64("fmax")?;
        if fmin > fmax {
            return Err(MeasureError::Param {
                name: "fmin".into(),
                reason: format!("fmin = {fmin} Hz exceeds fmax = {fmax} Hz"),
            });
        }
        let estimate = match p.text("estimate")? {
            "time" => Estimate::OverTime {
                segment: p.f64("segment")?,
            },
            _ => Estimate::AcrossEpochs,
        };
        Ok(FourierSettings {
            fmin,
            fmax,
            estimate,
        })
    }
}

// ---------------------------------------------------------------------------
// the shared Fourier engine
// ---------------------------------------------------------------------------

/// Hann-windowed spectra of every channel, kept only at the bins of one band.
///
/// One FFT per channel and segment, reused by every pair and every measure. The
/// coefficients are stored per channel and bin with the segments contiguous
/// (`re[(ch * n_bins + b) * n_segments + s]`, real and imaginary parts apart), so that
/// the sums over the segments of a group, the inner loop of every pair measure, read
/// contiguous memory and the data of one bin for all channels stays in cache.
#[derive(Debug, Clone)]
pub struct BandSpectra {
    /// Number of channels.
    pub n_channels: usize,
    /// Number of segments per channel: one per epoch, or every epoch's Welch segments in
    /// order (the wavelet flavour uses epochs, or every sample of every epoch, as segments).
    pub n_segments: usize,
    /// Frequencies of the kept bins (Hz).
    pub freqs: Vec<f64>,
    /// Segment index ranges that are estimated together (see [`Estimate`]).
    pub groups: Vec<std::ops::Range<usize>>,
    re: Vec<f64>,
    im: Vec<f64>,
    /// `1/|X|` (0 where `X = 0`), same layout: the unit phasor of a cross term is
    /// `X·conj(Y) · (1/|X|)(1/|Y|)`, with no division in the pair loop.
    inv: Vec<f64>,
    /// `Σ_{s ∈ group} |X|²` per channel, group and bin: `power[(ch * n_groups + g) *
    /// n_bins + b]`; a channel's power is shared by all its pairs.
    power: Vec<f64>,
}

/// Coefficient buffers of dropped [`BandSpectra`], kept for the next computation: a
/// fresh allocation of this size is mapped anew by the system, which zeroes every page
/// on first touch (about a sixth of the time of a repeated computation); a reused
/// buffer is only overwritten. At most [`POOL_BUFFERS`] buffers of at most
/// [`POOL_MAX_LEN`] values each, [`POOL_MAX_TOTAL`] values in all, are kept.
static POOL: std::sync::Mutex<Vec<Vec<f64>>> = std::sync::Mutex::new(Vec::new());
const POOL_BUFFERS: usize = 8;
/// 2^23 values: 64 MiB.
const POOL_MAX_LEN: usize = 1 << 23;
/// 2^25 values: 256 MiB.
const POOL_MAX_TOTAL: usize = 1 << 25;

/// A buffer of `n` zeros, from the pool when one there is large enough (the smallest
/// such), otherwise newly allocated.
fn pooled_zeros(n: usize) -> Vec<f64> {
    let reused = POOL.lock().ok().and_then(|mut pool| {
        let best = pool
            .iter()
            .enumerate()
            .filter(|(_, b)| b.capacity() >= n)
            .min_by_key(|(_, b)| b.capacity())
            .map(|(k, _)| k)?;
        Some(pool.swap_remove(best))
    });
    match reused {
        Some(mut b) => {
            b.clear();
            b.resize(n, 0.0);
            b
        }
        None => vec![0.0; n],
    }
}

/// Returns `buffers` to the pool (those too large, or beyond the pool's size, are freed).
fn recycle(buffers: impl IntoIterator<Item = Vec<f64>>) {
    if let Ok(mut pool) = POOL.lock() {
        let mut total: usize = pool.iter().map(Vec::capacity).sum();
        for b in buffers {
            let c = b.capacity();
            if c > 0
                && c <= POOL_MAX_LEN
                && pool.len() < POOL_BUFFERS
                && total + c <= POOL_MAX_TOTAL
            {
                total += c;
                pool.push(b);
            }
        }
    }
}

impl Drop for BandSpectra {
    fn drop(&mut self) {
        recycle([
            std::mem::take(&mut self.re),
            std::mem::take(&mut self.im),
            std::mem::take(&mut self.inv),
            std::mem::take(&mut self.power),
        ]);
    }
}

/// `np.hanning(n)`: the symmetric Hann window.
pub fn hann_symmetric(n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![1.0];
    }
    let d = (n - 1) as f64;
    (0..n)
        .map(|k| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * k as f64 / d).cos())
        .collect()
}

impl BandSpectra {
    /// Spectra of `data` (channels × epochs × samples, `fs` Hz) at the bins of
    /// `[fmin, fmax]`, segmented as `settings.estimate` says.
    pub fn compute(
        data: ArrayView3<f64>,
        fs: f64,
        settings: &FourierSettings,
    ) -> Result<Self, MeasureError> {
        let (n_ch, n_ep, n_samp) = data.dim();
        check_fs(fs)?;
        if n_ep == 0 || n_samp < 2 {
            return Err(MeasureError::Invalid(format!(
                "need at least one epoch of at least 2 samples, got {n_ep} epochs of {n_samp} samples"
            )));
        }
        // segment length and starts inside one epoch
        let (seg_len, starts): (usize, Vec<usize>) = match settings.estimate {
            Estimate::AcrossEpochs => (n_samp, vec![0]),
            Estimate::OverTime { segment } => {
                let len = (segment * fs).round() as usize;
                if len < 2 || len > n_samp {
                    return Err(MeasureError::Param {
                        name: "segment".into(),
                        reason: format!(
                            "{segment} s is {len} samples at {fs} Hz; it must be between 2 samples and the epoch length ({n_samp} samples)"
                        ),
                    });
                }
                let step = (len / 2).max(1);
                let starts = (0..)
                    .map(|k| k * step)
                    .take_while(|s| s + len <= n_samp)
                    .collect();
                (len, starts)
            }
        };
        let per_epoch = starts.len();
        let n_seg = n_ep * per_epoch;
        let groups = match settings.estimate {
            Estimate::AcrossEpochs => std::iter::once(0..n_seg).collect(),
            Estimate::OverTime { .. } => (0..n_ep)
                .map(|e| e * per_epoch..(e + 1) * per_epoch)
                .collect(),
        };
        let df = fs / seg_len as f64;
        let bins: Vec<usize> = (0..=seg_len / 2)
            .filter(|&m| {
                let f = m as f64 * df;
                f >= settings.fmin && f <= settings.fmax
            })
            .collect();
        if bins.is_empty() {
            return Err(MeasureError::Param {
                name: "fmin".into(),
                reason: format!(
                    "no frequency bin in [{}, {}] Hz (bins are {df} Hz apart, up to {} Hz)",
                    settings.fmin,
                    settings.fmax,
                    (seg_len / 2) as f64 * df
                ),
            });
        }
        let n_bins = bins.len();
        let window = hann_symmetric(seg_len);
        let fft = FftPlanner::<f64>::new().plan_fft_forward(seg_len);
        let mut re = pooled_zeros(n_ch * n_bins * n_seg);
        let mut im = pooled_zeros(n_ch * n_bins * n_seg);
        // the windowed, mean-removed segment `s` of a channel (epoch s / per_epoch,
        // start starts[s % per_epoch]), written into `dst` as real or imaginary parts
        fn segment<'a>(
            chan: &'a ArrayView2<f64>,
            s: usize,
            per_epoch: usize,
            starts: &[usize],
            seg_len: usize,
        ) -> ndarray::ArrayView1<'a, f64> {
            let s0 = starts[s % per_epoch];
            chan.slice(ndarray::s![s / per_epoch, s0..s0 + seg_len])
        }
        let fill = |seg: ndarray::ArrayView1<f64>, dst: &mut [Complex64], imag: bool| {
            let mean = seg.sum() / seg_len as f64;
            for ((d, &v), &w) in dst.iter_mut().zip(seg.iter()).zip(&window) {
                let a = (v - mean) * w;
                if imag {
                    d.im = a;
                } else {
                    *d = Complex64::new(a, 0.0);
                }
            }
        };
        // FFTs are done BATCH at a time (two real segments each), so that the kept bins
        // of 2·BATCH consecutive segments are written contiguously per bin
        const BATCH: usize = 16;
        let chunk = n_bins * n_seg;
        re.par_chunks_mut(chunk)
            .zip(im.par_chunks_mut(chunk))
            .enumerate()
            .for_each_init(
                || {
                    (
                        vec![Complex64::new(0.0, 0.0); BATCH * seg_len],
                        vec![Complex64::new(0.0, 0.0); fft.get_inplace_scratch_len()],
                    )
                },
                |(buf, scratch), (ch, (ore, oim))| {
                    let chan = data.index_axis(Axis(0), ch);
                    for s0 in (0..n_seg).step_by(2 * BATCH) {
                        let count = (n_seg - s0).min(2 * BATCH);
                        let n_fft = count.div_ceil(2);
                        // two real segments a, b in one complex FFT of a + i·b:
                        // A_m = (Z_m + conj Z_{N−m})/2, B_m = (Z_m − conj Z_{N−m})/(2i)
                        for (f, slot) in buf.chunks_exact_mut(seg_len).take(n_fft).enumerate() {
                            let s = s0 + 2 * f;
                            fill(segment(&chan, s, per_epoch, &starts, seg_len), slot, false);
                            if s + 1 < n_seg {
                                fill(
                                    segment(&chan, s + 1, per_epoch, &starts, seg_len),
                                    slot,
                                    true,
                                );
                            }
                        }
                        fft.process_with_scratch(&mut buf[..n_fft * seg_len], scratch);
                        for (k, &m) in bins.iter().enumerate() {
                            let o = k * n_seg + s0;
                            let (dre, dim) = (&mut ore[o..o + count], &mut oim[o..o + count]);
                            for (f, z) in buf.chunks_exact(seg_len).take(n_fft).enumerate() {
                                let (s, zm) = (2 * f, z[m]);
                                if s + 1 < count {
                                    let zc = z[(seg_len - m) % seg_len].conj();
                                    let a = (zm + zc) * 0.5;
                                    let d = (zm - zc) * 0.5;
                                    dre[s] = a.re;
                                    dim[s] = a.im;
                                    dre[s + 1] = d.im;
                                    dim[s + 1] = -d.re;
                                } else {
                                    dre[s] = zm.re;
                                    dim[s] = zm.im;
                                }
                            }
                        }
                    }
                },
            );
        Ok(BandSpectra::finish(
            n_ch,
            n_seg,
            bins.iter().map(|&m| m as f64 * df).collect(),
            groups,
            re,
            im,
        ))
    }

    /// Coefficients computed elsewhere (e.g. wavelet coefficients, where the "bins" are
    /// time points or frequencies), laid out as `spectra[(ch * n_segments + s) *
    /// freqs.len() + b]`; [`spectral_pairs`] then averages its per-bin values over the
    /// bins and over the `groups`.
    pub fn from_parts(
        n_channels: usize,
        n_segments: usize,
        freqs: Vec<f64>,
        groups: Vec<std::ops::Range<usize>>,
        spectra: Vec<Complex64>,
    ) -> Self {
        let nb = freqs.len();
        debug_assert_eq!(spectra.len(), n_channels * n_segments * nb);
        let n = n_channels * nb * n_segments;
        let (mut re, mut im) = (pooled_zeros(n), pooled_zeros(n));
        if nb > 0 && n_segments > 0 {
            let chunk = nb * n_segments;
            re.par_chunks_mut(chunk)
                .zip(im.par_chunks_mut(chunk))
                .zip(spectra.par_chunks(chunk))
                .for_each(|((ore, oim), src)| {
                    for (s, row) in src.chunks_exact(nb).enumerate() {
                        for (b, c) in row.iter().enumerate() {
                            ore[b * n_segments + s] = c.re;
                            oim[b * n_segments + s] = c.im;
                        }
                    }
                });
        }
        BandSpectra::finish(n_channels, n_segments, freqs, groups, re, im)
    }

    /// Adds the inverse magnitudes and the group powers to the coefficients.
    fn finish(
        n_channels: usize,
        n_segments: usize,
        freqs: Vec<f64>,
        groups: Vec<std::ops::Range<usize>>,
        re: Vec<f64>,
        im: Vec<f64>,
    ) -> Self {
        let nb = freqs.len();
        let ng = groups.len();
        let mut inv = pooled_zeros(re.len());
        let mut power = pooled_zeros(n_channels * ng * nb);
        if nb > 0 && n_segments > 0 {
            let chunk = nb * n_segments;
            inv.par_chunks_mut(chunk)
                .zip(power.par_chunks_mut(ng * nb))
                .zip(re.par_chunks(chunk).zip(im.par_chunks(chunk)))
                .for_each(|((oinv, opow), (cre, cim))| {
                    for ((v, &a), &b) in oinv.iter_mut().zip(cre).zip(cim) {
                        let m2 = a * a + b * b;
                        *v = if m2 > 0.0 { 1.0 / m2.sqrt() } else { 0.0 };
                    }
                    for (g, range) in groups.iter().enumerate() {
                        for b in 0..nb {
                            let o = b * n_segments;
                            opow[g * nb + b] = cre[o + range.start..o + range.end]
                                .iter()
                                .zip(&cim[o + range.start..o + range.end])
                                .map(|(a, b)| a * a + b * b)
                                .sum();
                        }
                    }
                });
        }
        BandSpectra {
            n_channels,
            n_segments,
            freqs,
            groups,
            re,
            im,
            inv,
            power,
        }
    }

    fn n_bins(&self) -> usize {
        self.freqs.len()
    }

    /// Real parts, imaginary parts and inverse magnitudes of channel `ch` at bin `b`
    /// over the segments `range`.
    fn coefs(&self, ch: usize, b: usize, range: &std::ops::Range<usize>) -> [&[f64]; 3] {
        let o = (ch * self.n_bins() + b) * self.n_segments;
        let r = o + range.start..o + range.end;
        [&self.re[r.clone()], &self.im[r.clone()], &self.inv[r]]
    }

    /// `Σ |X|²` of channel `ch` over the segments of group `g`, per bin.
    pub fn group_power(&self, ch: usize, g: usize) -> &[f64] {
        let nb = self.n_bins();
        let o = (ch * self.groups.len() + g) * nb;
        &self.power[o..o + nb]
    }
}

/// The Fourier-based pair measures. Per frequency bin, over the `n` segments of a
/// group, with `S = X·conj(Y)`, `u = S/|S|`, `⟨·⟩` the mean over segments:
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpectralMethod {
    /// `|⟨S_xy⟩| / √(⟨S_xx⟩⟨S_yy⟩)`: magnitude of coherency (mne-connectivity `coh`).
    Coh,
    /// `|⟨S_xy⟩|² / (⟨S_xx⟩⟨S_yy⟩)`: magnitude-squared coherence (SciPy `coherence`).
    Msc,
    /// `Im⟨S_xy⟩ / √(⟨S_xx⟩⟨S_yy⟩)`, signed (Nolte 2004).
    ImCoh,
    /// `arg ⟨S_xy⟩` (rad); positive when x leads y. Band value: the argument of the
    /// band mean of the coherency (a circular mean, not a mean of angles).
    CoherencyPhase,
    /// `|⟨u⟩|` (Lachaux 1999, Fourier flavour).
    Plv,
    /// `|Im⟨u⟩| / √(1 − (Re⟨u⟩)²)` (Bruña 2018).
    CiPlv,
    /// `(|Σu|² − n) / (n(n−1))`, pairwise phase consistency (Vinck 2010).
    Ppc,
    /// `|⟨sign Im S⟩|` (Stam 2007).
    Pli,
    /// `⟨H(Im S)⟩` with `H(0) = ½`: directed PLI (Stam 2012), > ½ when x leads.
    DPli,
    /// `|⟨Im S⟩| / ⟨|Im S|⟩` (Vinck 2011); 0 when every `Im S` is 0.
    WPli,
    /// `((Σ Im S)² − Σ(Im S)²) / ((Σ|Im S|)² − Σ(Im S)²)` (Vinck 2011).
    WPli2Debiased,
    /// `(n⟨sign Im S⟩² − 1)/(n − 1)`.
    Pli2Unbiased,
}

/// Per-bin accumulators over the segments of one group.
#[derive(Clone, Copy, Default)]
struct Acc {
    sxy: Complex64,
    sxx: f64,
    syy: f64,
    u: Complex64,
    sign: f64,
    heav: f64,
    im: f64,
    abs_im: f64,
    im2: f64,
}

/// The value of `method` at one bin from the accumulators of `n` segments.
fn bin_value(method: SpectralMethod, a: &Acc, n: f64) -> f64 {
    use SpectralMethod::*;
    let den = || (a.sxx * a.syy).sqrt();
    let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
    match method {
        Coh => ratio(a.sxy.norm(), den()),
        Msc => ratio(a.sxy.norm_sqr(), a.sxx * a.syy),
        ImCoh => ratio(a.sxy.im, den()),
        CoherencyPhase => 0.0, // handled at band level
        Plv => a.u.norm() / n,
        CiPlv => {
            let re = a.u.re / n;
            ratio((a.u.im / n).abs(), (1.0 - re * re).max(0.0).sqrt())
        }
        Ppc => {
            if n > 1.0 {
                (a.u.norm_sqr() - n) / (n * (n - 1.0))
            } else {
                f64::NAN
            }
        }
        Pli => (a.sign / n).abs(),
        DPli => a.heav / n,
        WPli => ratio(a.im.abs(), a.abs_im),
        WPli2Debiased => ratio(a.im * a.im - a.im2, a.abs_im * a.abs_im - a.im2),
        Pli2Unbiased => {
            let s = a.sign / n;
            if n > 1.0 {
                (n * s * s - 1.0) / (n - 1.0)
            } else {
                f64::NAN
            }
        }
    }
}

/// Sums over segments of the cross terms `S = X·conj(Y)`: `[Σ Re S, Σ Im S, Σ |Im S|,
/// Σ (Im S)²]`, and with `unit` also `[Σ Re u, Σ Im u]` for `u = S/|S|`.
///
/// The loop is compiled twice, plainly and for AVX, and the AVX copy is used when the
/// processor has it. Neither copy fuses multiplications and additions, so both give
/// the same bits.
fn cross_sums(x: [&[f64]; 3], y: [&[f64]; 3], unit: bool) -> [f64; 6] {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the processor supports AVX, checked just above.
            return unsafe { cross_sums_avx(x, y, unit) };
        }
    }
    cross_sums_loop(x, y, unit)
}

/// [`cross_sums_loop`] in AVX registers: lane `l` of each register is the partial sum
/// `l` of the plain loop, with the same operations in the same order.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn cross_sums_avx(x: [&[f64]; 3], y: [&[f64]; 3], unit: bool) -> [f64; 6] {
    use std::arch::x86_64::*;
    const L: usize = 4;
    let n = x[0].len().min(y[0].len());
    let (xr, xi, xv) = (&x[0][..n], &x[1][..n], &x[2][..n]);
    let (yr, yi, yv) = (&y[0][..n], &y[1][..n], &y[2][..n]);
    let whole = n - n % L;
    let mut acc = [_mm256_setzero_pd(); 6];
    let sign = _mm256_set1_pd(-0.0);
    // SAFETY: every load reads lanes k..k + 4 with k + 4 <= whole <= n, the length of
    // all six slices.
    let ld = |s: &[f64], k: usize| unsafe { _mm256_loadu_pd(s.as_ptr().add(k)) };
    for k in (0..whole).step_by(L) {
        let (a, b, c, d) = (ld(xr, k), ld(xi, k), ld(yr, k), ld(yi, k));
        let re = _mm256_add_pd(_mm256_mul_pd(a, c), _mm256_mul_pd(b, d));
        let im = _mm256_sub_pd(_mm256_mul_pd(b, c), _mm256_mul_pd(a, d));
        acc[0] = _mm256_add_pd(acc[0], re);
        acc[1] = _mm256_add_pd(acc[1], im);
        acc[2] = _mm256_add_pd(acc[2], _mm256_andnot_pd(sign, im));
        acc[3] = _mm256_add_pd(acc[3], _mm256_mul_pd(im, im));
        if unit {
            let w = _mm256_mul_pd(ld(xv, k), ld(yv, k));
            acc[4] = _mm256_add_pd(acc[4], _mm256_mul_pd(re, w));
            acc[5] = _mm256_add_pd(acc[5], _mm256_mul_pd(im, w));
        }
    }
    let mut lanes = [[0.0f64; L]; 6];
    for (l, a) in lanes.iter_mut().zip(&acc) {
        // SAFETY: `l` holds exactly 4 f64.
        unsafe { _mm256_storeu_pd(l.as_mut_ptr(), *a) };
    }
    cross_sums_finish(&lanes, x, y, whole, unit)
}

/// The loop of [`cross_sums`]: four independent partial sums per quantity (a fixed
/// order, so the result depends on nothing but the data) let the compiler vectorise it.
#[inline(always)]
fn cross_sums_loop(x: [&[f64]; 3], y: [&[f64]; 3], unit: bool) -> [f64; 6] {
    const L: usize = 4;
    let n = x[0].len().min(y[0].len());
    let (xr, xi, xv) = (&x[0][..n], &x[1][..n], &x[2][..n]);
    let (yr, yi, yv) = (&y[0][..n], &y[1][..n], &y[2][..n]);
    let mut acc = [[0.0f64; L]; 6];
    let chunks = xr
        .chunks_exact(L)
        .zip(xi.chunks_exact(L))
        .zip(xv.chunks_exact(L))
        .zip(
            yr.chunks_exact(L)
                .zip(yi.chunks_exact(L))
                .zip(yv.chunks_exact(L)),
        );
    if unit {
        for (((xr, xi), xv), ((yr, yi), yv)) in chunks {
            for l in 0..L {
                let re = xr[l] * yr[l] + xi[l] * yi[l];
                let im = xi[l] * yr[l] - xr[l] * yi[l];
                let w = xv[l] * yv[l];
                acc[0][l] += re;
                acc[1][l] += im;
                acc[2][l] += im.abs();
                acc[3][l] += im * im;
                acc[4][l] += re * w;
                acc[5][l] += im * w;
            }
        }
    } else {
        for (((xr, xi), _), ((yr, yi), _)) in chunks {
            for l in 0..L {
                let re = xr[l] * yr[l] + xi[l] * yi[l];
                let im = xi[l] * yr[l] - xr[l] * yi[l];
                acc[0][l] += re;
                acc[1][l] += im;
                acc[2][l] += im.abs();
                acc[3][l] += im * im;
            }
        }
    }
    cross_sums_finish(&acc, x, y, n - n % L, unit)
}

/// Adds the four partial sums of each quantity and the segments from `whole` on.
#[inline(always)]
fn cross_sums_finish(
    acc: &[[f64; 4]; 6],
    x: [&[f64]; 3],
    y: [&[f64]; 3],
    whole: usize,
    unit: bool,
) -> [f64; 6] {
    let n = x[0].len().min(y[0].len());
    let (xr, xi, xv) = (&x[0][..n], &x[1][..n], &x[2][..n]);
    let (yr, yi, yv) = (&y[0][..n], &y[1][..n], &y[2][..n]);
    let mut out = [0.0; 6];
    for (o, a) in out.iter_mut().zip(acc) {
        *o = (a[0] + a[1]) + (a[2] + a[3]);
    }
    for k in whole..n {
        let re = xr[k] * yr[k] + xi[k] * yi[k];
        let im = xi[k] * yr[k] - xr[k] * yi[k];
        out[0] += re;
        out[1] += im;
        out[2] += im.abs();
        out[3] += im * im;
        if unit {
            let w = xv[k] * yv[k];
            out[4] += re * w;
            out[5] += im * w;
        }
    }
    out
}

/// `[Σ sign Im S, Σ H(Im S)]` over segments, `H(0) = ½`.
fn sign_sums(x: [&[f64]; 3], y: [&[f64]; 3]) -> [f64; 2] {
    let (mut sign, mut heav) = (0.0, 0.0);
    for k in 0..x[0].len() {
        let im = x[1][k] * y[0][k] - x[0][k] * y[1][k];
        if im > 0.0 {
            sign += 1.0;
            heav += 1.0;
        } else if im < 0.0 {
            sign -= 1.0;
        } else {
            heav += 0.5;
        }
    }
    [sign, heav]
}

/// Which sums the requested methods need beyond the cross-spectrum.
#[derive(Clone, Copy)]
struct Needs {
    /// `Σ u` (unit phasors): PLV, ciPLV, PPC.
    unit: bool,
    /// `Σ sign Im S`, `Σ H(Im S)`: PLI, dPLI, unbiased PLI².
    sign: bool,
}

impl Needs {
    fn of(methods: &[SpectralMethod]) -> Self {
        use SpectralMethod::*;
        let any = |f: &dyn Fn(SpectralMethod) -> bool| methods.iter().any(|&m| f(m));
        Needs {
            unit: any(&|m| matches!(m, Plv | CiPlv | Ppc)),
            sign: any(&|m| matches!(m, Pli | DPli | Pli2Unbiased)),
        }
    }
}

/// Bins summed together before their partial sum joins the band sum: fixed by the
/// number of bins only (at most 32 runs per group), so every path that sums bins this
/// way adds in the same order whatever the thread count.
fn bins_per_task(nb: usize) -> usize {
    nb.div_ceil(32).max(1)
}

/// Adds one bin of one pair to the running sums: every method's per-bin value to
/// `vals` (one slot per method), and the normalised coherency `⟨S_xy⟩/√(⟨S_xx⟩⟨S_yy⟩)`
/// to `coh` (read only for the coherency phase). `x`, `y`: real parts, imaginary parts
/// and inverse magnitudes of the two channels over the `n` segments of a group;
/// `power`: `[Σ|X|², Σ|Y|²]` over the same segments.
#[allow(clippy::too_many_arguments)]
#[inline]
fn add_bin(
    x: [&[f64]; 3],
    y: [&[f64]; 3],
    power: [f64; 2],
    n: f64,
    methods: &[SpectralMethod],
    needs: Needs,
    vals: &mut [f64],
    coh: &mut Complex64,
) {
    let c = cross_sums(x, y, needs.unit);
    let [sign, heav] = if needs.sign {
        sign_sums(x, y)
    } else {
        [0.0; 2]
    };
    let a = Acc {
        sxy: Complex64::new(c[0], c[1]),
        sxx: power[0],
        syy: power[1],
        u: Complex64::new(c[4], c[5]),
        sign,
        heav,
        im: c[1],
        abs_im: c[2],
        im2: c[3],
    };
    for (v, &m) in vals.iter_mut().zip(methods) {
        if m == SpectralMethod::CoherencyPhase {
            let d = (a.sxx * a.syy).sqrt();
            if d > 0.0 {
                *coh += a.sxy / d;
            }
        } else {
            *v += bin_value(m, &a, n);
        }
    }
}

/// Adds one group's band values to a pair's totals: the band mean of each method's
/// per-bin values (`sums` over `nb` bins), or for the coherency phase the argument of
/// the band-summed normalised coherency.
fn add_group(
    totals: &mut [f64],
    sums: &[f64],
    coh: Complex64,
    methods: &[SpectralMethod],
    nb: usize,
) {
    for ((t, &s), &m) in totals.iter_mut().zip(sums).zip(methods) {
        *t += if m == SpectralMethod::CoherencyPhase {
            coh.arg()
        } else {
            s / nb as f64
        };
    }
}

/// Band values of several Fourier measures for the `pairs` of channels: per pair, one
/// value per method, each the mean over groups of the band mean of its per-bin values.
///
/// The work is cut into tasks of one group and a fixed run of bins (fixed by the data's
/// shape only), run in parallel; the per-task partial sums are added in task order, so
/// the result does not depend on the number of threads. Inside a task the loop runs
/// bin by bin over all pairs, reading each channel's contiguous segments of that bin.
pub fn spectral_pairs(
    sp: &BandSpectra,
    pairs: &[(usize, usize)],
    methods: &[SpectralMethod],
) -> Vec<Vec<f64>> {
    let nb = sp.n_bins();
    let nm = methods.len();
    let np = pairs.len();
    let ng = sp.groups.len();
    if nb == 0 || ng == 0 || nm == 0 {
        return vec![vec![0.0; nm]; np];
    }
    let needs = Needs::of(methods);
    // tasks: (group, first bin, end bin), in order
    let per_task = bins_per_task(nb);
    let tasks: Vec<(usize, usize, usize)> = (0..ng)
        .flat_map(|g| {
            (0..nb)
                .step_by(per_task)
                .map(move |b0| (g, b0, (b0 + per_task).min(nb)))
        })
        .collect();
    // one task: Σ over its bins of every (pair, method) value, and of the normalised
    // coherency (pair) when the phase is asked for
    let run = |&(g, b0, b1): &(usize, usize, usize)| -> (Vec<f64>, Vec<Complex64>) {
        let range = &sp.groups[g];
        let n = range.len() as f64;
        let mut vals = vec![0.0; np * nm];
        let mut coh = vec![Complex64::new(0.0, 0.0); np];
        for b in b0..b1 {
            for (p, &(i, j)) in pairs.iter().enumerate() {
                add_bin(
                    sp.coefs(i, b, range),
                    sp.coefs(j, b, range),
                    [sp.group_power(i, g)[b], sp.group_power(j, g)[b]],
                    n,
                    methods,
                    needs,
                    &mut vals[p * nm..(p + 1) * nm],
                    &mut coh[p],
                );
            }
        }
        (vals, coh)
    };
    let mut totals = vec![0.0; np * nm];
    let mut group_vals = vec![0.0; np * nm];
    let mut group_coh = vec![Complex64::new(0.0, 0.0); np];
    // bounded memory: tasks run in batches, results folded in task order
    let batch = (1 << 22) / (np * nm).max(1);
    for chunk in tasks.chunks(batch.max(1)) {
        let results: Vec<_> = chunk.par_iter().map(run).collect();
        for (&(_, _, b1), (vals, coh)) in chunk.iter().zip(results) {
            for (a, v) in group_vals.iter_mut().zip(&vals) {
                *a += v;
            }
            for (a, c) in group_coh.iter_mut().zip(&coh) {
                *a += c;
            }
            if b1 == nb {
                // the group's last task: its band values are complete
                for (p, t) in totals.chunks_mut(nm).enumerate() {
                    add_group(
                        t,
                        &group_vals[p * nm..(p + 1) * nm],
                        group_coh[p],
                        methods,
                        nb,
                    );
                }
                group_vals.fill(0.0);
                group_coh.fill(Complex64::new(0.0, 0.0));
            }
        }
    }
    totals
        .chunks(nm.max(1))
        .take(np)
        .map(|t| t.iter().map(|v| v / ng as f64).collect())
        .collect()
}

/// Band values of several Fourier measures for the pair `(i, j)`: one value per
/// method (see [`spectral_pairs`]).
pub fn pair_spectral(sp: &BandSpectra, i: usize, j: usize, methods: &[SpectralMethod]) -> Vec<f64> {
    spectral_pairs(sp, &[(i, j)], methods)
        .pop()
        .unwrap_or_default()
}

/// Band values of several measures for the pair `(i, j)` when epoch `e` of channel `i`
/// meets epoch `order[e]` of channel `j` (one value per method, as [`pair_spectral`]):
/// a surrogate pair whose second signal has its epochs rearranged — a circular shift by
/// whole epochs (`order[e] = (e + k) mod E`) or a shuffle — computed from the spectra
/// already at hand, with no new transform. It equals [`pair_spectral`] on the spectra of
/// the rearranged signal (to rounding: a segment's coefficients do not depend on its
/// place) because every segment lies within one epoch and keeps its place in it.
///
/// `None` when the spectra are not laid out by epochs as `order` needs: the segment
/// count must be a multiple of `E = order.len()` (`n_segments / E` segments per epoch),
/// and the groups must be either all segments or one group per epoch.
pub fn pair_spectral_reordered(
    sp: &BandSpectra,
    i: usize,
    j: usize,
    methods: &[SpectralMethod],
    order: &[usize],
) -> Option<Vec<f64>> {
    let (ns, ne, nb, ng, nm) = (
        sp.n_segments,
        order.len(),
        sp.n_bins(),
        sp.groups.len(),
        methods.len(),
    );
    if ne == 0
        || ns % ne != 0
        || order.iter().any(|&e| e >= ne)
        || i >= sp.n_channels
        || j >= sp.n_channels
    {
        return None;
    }
    let per_epoch = ns / ne;
    let by_epoch = ng == ne
        && sp
            .groups
            .iter()
            .enumerate()
            .all(|(g, r)| *r == (g * per_epoch..(g + 1) * per_epoch));
    let whole = ng == 1 && sp.groups[0] == (0..ns);
    if !(by_epoch || whole) || nb == 0 || nm == 0 {
        return None;
    }
    let needs = Needs::of(methods);
    let per_task = bins_per_task(nb);
    // channel j's coefficients of one bin, segments gathered in the surrogate's order
    let mut gathered = [vec![0.0; ns], vec![0.0; ns], vec![0.0; ns]];
    let mut totals = vec![0.0; nm];
    let (mut task, mut group_vals) = (vec![0.0; nm], vec![0.0; nm]);
    let (mut task_coh, mut group_coh);
    for (g, range) in sp.groups.iter().enumerate() {
        let n = range.len() as f64;
        // the group of j whose power the surrogate's group has: the same segments
        let gy = if by_epoch { order[g] } else { 0 };
        group_vals.fill(0.0);
        group_coh = Complex64::new(0.0, 0.0);
        for b0 in (0..nb).step_by(per_task) {
            task.fill(0.0);
            task_coh = Complex64::new(0.0, 0.0);
            for b in b0..(b0 + per_task).min(nb) {
                let src = sp.coefs(j, b, &(0..ns));
                for s in range.clone() {
                    let from = order[s / per_epoch] * per_epoch + s % per_epoch;
                    for (dst, part) in gathered.iter_mut().zip(src) {
                        dst[s] = part[from];
                    }
                }
                let y = [
                    &gathered[0][range.clone()],
                    &gathered[1][range.clone()],
                    &gathered[2][range.clone()],
                ];
                add_bin(
                    sp.coefs(i, b, range),
                    y,
                    [sp.group_power(i, g)[b], sp.group_power(j, gy)[b]],
                    n,
                    methods,
                    needs,
                    &mut task,
                    &mut task_coh,
                );
            }
            for (a, v) in group_vals.iter_mut().zip(&task) {
                *a += v;
            }
            group_coh += task_coh;
        }
        add_group(&mut totals, &group_vals, group_coh, methods, nb);
    }
    Some(totals.iter().map(|v| v / ng as f64).collect())
}

/// Every pair `i < j` of `n` channels, in row-major order.
pub fn all_pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .collect()
}

/// A pair `(i, j)` and one value per requested method.
pub type PairValues = ((usize, usize), Vec<f64>);

/// Several Fourier measures on every pair `i < j` of a channel set, sharing one FFT
/// per channel and segment. Returns, per pair in row-major order, one value per method.
pub fn set_spectral(
    data: ArrayView3<f64>,
    fs: f64,
    settings: &FourierSettings,
    methods: &[SpectralMethod],
) -> Result<Vec<PairValues>, MeasureError> {
    let sp = BandSpectra::compute(data, fs, settings)?;
    let pairs = all_pairs(sp.n_channels);
    let values = spectral_pairs(&sp, &pairs, methods);
    Ok(pairs.into_iter().zip(values).collect())
}

pub(crate) fn check_fs(fs: f64) -> Result<(), MeasureError> {
    if !(fs.is_finite() && fs > 0.0) {
        return Err(MeasureError::Invalid(format!(
            "sample rate {fs} Hz is not a positive number"
        )));
    }
    Ok(())
}

/// The two signals of a continuous pair, checked to have the same shape.
pub(crate) fn continuous_pair<'a>(
    id: &'static str,
    pair: &PairInput<'a>,
) -> Result<(ArrayView2<'a, f64>, ArrayView2<'a, f64>, f64), MeasureError> {
    match pair {
        PairInput::Continuous { x, y, fs } => {
            if x.dim() != y.dim() {
                return Err(MeasureError::Invalid(format!(
                    "measure `{id}`: channels have different shapes {:?} and {:?} (epochs × samples)",
                    x.dim(),
                    y.dim()
                )));
            }
            check_fs(*fs)?;
            Ok((*x, *y, *fs))
        }
        PairInput::PointProcess { .. } => Err(MeasureError::WrongInput {
            measure: id,
            expected: InputKind::Continuous,
            got: InputKind::PointProcess,
        }),
        PairInput::Bumps { .. } => Err(MeasureError::WrongInput {
            measure: id,
            expected: InputKind::Continuous,
            got: InputKind::Bumps,
        }),
    }
}

/// The data of a continuous set.
pub(crate) fn continuous_set<'a>(
    id: &'static str,
    set: &SetInput<'a>,
) -> Result<(ArrayView3<'a, f64>, f64), MeasureError> {
    match set {
        SetInput::Continuous { data, fs } => {
            check_fs(*fs)?;
            Ok((*data, *fs))
        }
        SetInput::PointProcess { .. } => Err(MeasureError::WrongInput {
            measure: id,
            expected: InputKind::Continuous,
            got: InputKind::PointProcess,
        }),
        SetInput::Bumps { .. } => Err(MeasureError::WrongInput {
            measure: id,
            expected: InputKind::Continuous,
            got: InputKind::Bumps,
        }),
    }
}

/// Where a spectral measure's coefficients come from: the Fourier engine
/// ([`fourier_spectra`]) or a wavelet transform (`wavelet.rs`). Arguments: channels ×
/// epochs × samples, the sample rate in Hz, the measure's parameters.
pub type SpectraFn = fn(ArrayView3<f64>, f64, &ParamValues) -> Result<BandSpectra, MeasureError>;

/// Fourier coefficients as the `fmin`, `fmax`, `estimate` and `segment` parameters ask.
pub fn fourier_spectra(
    data: ArrayView3<f64>,
    fs: f64,
    params: &ParamValues,
) -> Result<BandSpectra, MeasureError> {
    BandSpectra::compute(data, fs, &FourierSettings::from_params(params)?)
}

/// A pair measure of the coherence and phase families, Fourier or wavelet flavour:
/// its description, its method and where its coefficients come from; one static
/// instance per measure.
pub struct SpectralMeasure {
    /// Identifier, parameters and outputs, as the registry lists them.
    pub info: MeasureInfo,
    /// Which coherence or phase statistic the measure returns.
    pub method: SpectralMethod,
    /// Where the measure's coefficients come from (Fourier or wavelet).
    pub spectra: SpectraFn,
}

impl SpectralMeasure {
    /// The measure's output row for a band value `v`.
    pub(crate) fn value(&self, v: f64) -> Vec<Value> {
        vec![Value::new(self.info.outputs[0].name, v)]
    }

    /// Whether `other` takes its coefficients from the same source (so that, given
    /// equal parameters, both can be computed from one set of spectra).
    pub fn shares_spectra(&self, other: &SpectralMeasure) -> bool {
        std::ptr::fn_addr_eq(self.spectra, other.spectra)
    }
}

/// Several spectral measures that share their spectra source (see
/// [`SpectralMeasure::shares_spectra`]), on every pair `i < j` of a channel set, from
/// one set of spectra computed with `params` (one transform per channel and segment
/// for all of them). Returns, per measure in the order given, what its own
/// `compute_set` returns: the per-method sums of [`spectral_pairs`] are accumulated
/// apart, so the values are bit-identical to computing each measure alone.
pub fn shared_set(
    measures: &[&SpectralMeasure],
    set: &SetInput,
    params: &ParamValues,
) -> Result<Vec<SetValues>, MeasureError> {
    let Some(first) = measures.first() else {
        return Ok(Vec::new());
    };
    if let Some(other) = measures.iter().find(|m| !m.shares_spectra(first)) {
        return Err(MeasureError::Invalid(format!(
            "measures `{}` and `{}` do not read the same spectra",
            first.info.id, other.info.id
        )));
    }
    let (data, fs) = continuous_set(first.info.id, set)?;
    let sp = (first.spectra)(data, fs, params)?;
    let pairs = all_pairs(sp.n_channels);
    // each method once (a method listed twice would add its phase sums twice)
    let mut methods: Vec<SpectralMethod> = Vec::with_capacity(measures.len());
    let slots: Vec<usize> = measures
        .iter()
        .map(|m| match methods.iter().position(|&q| q == m.method) {
            Some(k) => k,
            None => {
                methods.push(m.method);
                methods.len() - 1
            }
        })
        .collect();
    let values = spectral_pairs(&sp, &pairs, &methods);
    Ok(measures
        .iter()
        .zip(slots)
        .map(|(m, k)| {
            pairs
                .iter()
                .zip(&values)
                .map(|(&(i, j), v)| (Target::Pair(i, j), m.value(v[k])))
                .collect()
        })
        .collect())
}

impl Plugin for SpectralMeasure {
    fn info(&self) -> &MeasureInfo {
        &self.info
    }

    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, fs) = continuous_pair(self.info.id, pair)?;
        let data = ndarray::stack(Axis(0), &[x, y])
            .map_err(|e| MeasureError::Invalid(format!("measure `{}`: {e}", self.info.id)))?;
        let sp = (self.spectra)(data.view(), fs, params)?;
        Ok(self.value(pair_spectral(&sp, 0, 1, &[self.method])[0]))
    }

    fn as_spectral(&self) -> Option<&SpectralMeasure> {
        Some(self)
    }

    /// One transform per channel and segment, shared by all pairs.
    fn compute_set(
        &self,
        set: &SetInput,
        params: &ParamValues,
    ) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
        Ok(shared_set(&[self], set, params)?.pop().unwrap_or_default())
    }
}

macro_rules! fourier_measure {
    ($name:ident, $id:expr, $title:expr, $method:ident, $out:expr, $unit:expr, $doc:expr) => {
        #[doc = concat!($title, " (`", $id, "`): ", $doc)]
        pub static $name: $crate::measures::spectral::SpectralMeasure = $crate::measures::spectral::SpectralMeasure {
            info: $crate::measures::MeasureInfo {
                id: $id,
                title: $title,
                doc: concat!($doc, " Fourier flavour: per segment mean removed, symmetric Hann window, FFT; cross-spectra S_xy = X·conj(Y) averaged over segments (estimate=epochs: across epochs, as mne-connectivity mode='fourier'; estimate=time: Welch segments inside each epoch, then mean over epochs); band value = plain mean of the per-bin values over fmin ≤ f ≤ fmax."),
                input: $crate::measures::InputKind::Continuous,
                params: &$crate::measures::spectral::FOURIER_PARAMS,
                outputs: &[$crate::measures::OutputSpec { name: $out, unit: $unit, doc: $title, direction: $crate::measures::Direction::of($out) }],
                directed: false,
            },
            method: $crate::measures::spectral::SpectralMethod::$method,
            spectra: $crate::measures::spectral::fourier_spectra,
        };
    };
}
pub(crate) use fourier_measure;

fourier_measure!(COH, "coh", "Coherence magnitude |C| (as mne-connectivity `coh`)", Coh, "coh", "",
    "|⟨S_xy⟩| / √(⟨S_xx⟩⟨S_yy⟩), the magnitude of coherency, NOT squared (mne-connectivity `coh`); in [0, 1].");
fourier_measure!(MSC, "msc", "Magnitude-squared coherence |C|²", Msc, "msc", "",
    "|⟨S_xy⟩|² / (⟨S_xx⟩⟨S_yy⟩), magnitude-squared coherence (SciPy `signal.coherence`, most papers); in [0, 1].");
fourier_measure!(IMCOH, "imcoh", "Imaginary coherence", ImCoh, "imcoh", "",
    "Im⟨S_xy⟩ / √(⟨S_xx⟩⟨S_yy⟩), signed: positive when x leads y (Nolte et al. 2004); insensitive to zero-lag (volume-conducted) coupling.");
fourier_measure!(COHERENCY_PHASE, "coherency-phase", "Coherency phase", CoherencyPhase, "phase", "rad",
    "arg⟨S_xy⟩ in (−π, π] rad, positive when x leads y; the band value is the argument of the band-mean coherency (circular mean). A delay d s at frequency f gives 2πfd rad.");

// ---------------------------------------------------------------------------
// Pearson correlation
// ---------------------------------------------------------------------------

const P_COMBINE: ParamSpec = ParamSpec {
    name: "combine",
    unit: "",
    kind: ParamKind::Choice {
        default: "pooled",
        options: &["pooled", "epoch-mean"],
    },
    doc: "`pooled`: one r over all epochs concatenated; `epoch-mean`: the mean of the per-epoch r.",
};
const P_MAX_LAG: ParamSpec = ParamSpec {
    name: "max_lag",
    unit: "s",
    kind: ParamKind::Float {
        default: 0.1,
        min: 0.0,
        max: 1.0e4,
    },
    doc: "Largest lag searched, in both directions.",
};

/// Sums needed for a Pearson r over several stretches.
#[derive(Default, Clone, Copy)]
struct CorrSums {
    n: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl CorrSums {
    fn add(&mut self, x: impl Iterator<Item = f64>, y: impl Iterator<Item = f64>) {
        for (a, b) in x.zip(y) {
            self.n += 1.0;
            self.sx += a;
            self.sy += b;
            self.sxx += a * a;
            self.syy += b * b;
            self.sxy += a * b;
        }
    }
    fn r(&self) -> f64 {
        let cov = self.sxy - self.sx * self.sy / self.n;
        let vx = self.sxx - self.sx * self.sx / self.n;
        let vy = self.syy - self.sy * self.sy / self.n;
        if vx > 0.0 && vy > 0.0 {
            cov / (vx * vy).sqrt()
        } else {
            0.0
        }
    }
}

/// Pearson r with the two-pass (centred) formula for accuracy.
fn pearson_centred(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut c, mut vx, mut vy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (da, db) = (a - mx, b - my);
        c += da * db;
        vx += da * da;
        vy += db * db;
    }
    if vx > 0.0 && vy > 0.0 {
        c / (vx * vy).sqrt()
    } else {
        0.0
    }
}

/// Pearson correlation coefficient of the raw (broadband) signals.
pub struct Pearson;

static PEARSON_PARAMS: [ParamSpec; 1] = [P_COMBINE];

static PEARSON_INFO: MeasureInfo = MeasureInfo {
    id: "pearson",
    title: "Pearson correlation",
    doc: "r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²) of the samples as given (band-pass first for a band-limited r); `combine=pooled` over all epochs concatenated (numpy.corrcoef of the concatenation), `epoch-mean` the mean of per-epoch r. In [−1, 1]; 0 when a signal is constant.",
    input: InputKind::Continuous,
    params: &PEARSON_PARAMS,
    outputs: &[OutputSpec {
            name: "r",
            unit: "",
            doc: "Pearson correlation coefficient",
            direction: Direction::TwoSided,
        }],
    directed: false,
};

impl Plugin for Pearson {
    fn info(&self) -> &MeasureInfo {
        &PEARSON_INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, _) = continuous_pair(self.info().id, pair)?;
        if x.len() < 2 {
            return Err(MeasureError::Invalid(
                "pearson: need at least 2 samples".into(),
            ));
        }
        let r = match params.text("combine")? {
            "epoch-mean" => {
                let n = x.nrows() as f64;
                x.outer_iter()
                    .zip(y.outer_iter())
                    .map(|(a, b)| pearson_centred(&a.to_vec(), &b.to_vec()))
                    .sum::<f64>()
                    / n
            }
            _ => {
                let a: Vec<f64> = x.iter().copied().collect();
                let b: Vec<f64> = y.iter().copied().collect();
                pearson_centred(&a, &b)
            }
        };
        Ok(vec![Value::new("r", r)])
    }
}

/// Maximum over lags of the Pearson correlation.
pub struct PearsonLagged;

static PEARSON_LAGGED_PARAMS: [ParamSpec; 1] = [P_MAX_LAG];

static PEARSON_LAGGED_INFO: MeasureInfo = MeasureInfo {
    id: "pearson-lagged",
    title: "Lagged maximum of the Pearson correlation",
    doc: "r(τ) = Pearson r between x(t) and y(t+τ) over the overlapping samples of every epoch (pooled over epochs), for lags |τ| ≤ max_lag s on the sample grid; returns r at the lag of largest |r| (signed) and that lag τ in s (τ > 0: y follows x, i.e. x leads).",
    input: InputKind::Continuous,
    params: &PEARSON_LAGGED_PARAMS,
    outputs: &[
            OutputSpec {
                name: "r",
                unit: "",
                doc: "r at the lag of largest |r|",
                direction: Direction::TwoSided,
            },
            OutputSpec {
                name: "lag",
                unit: "s",
                doc: "that lag; > 0 when x leads y",
                direction: Direction::Neither,
            },
        ],
    directed: false,
};

impl Plugin for PearsonLagged {
    fn info(&self) -> &MeasureInfo {
        &PEARSON_LAGGED_INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, fs) = continuous_pair(self.info().id, pair)?;
        let n = x.ncols();
        let max_lag = (params.f64("max_lag")? * fs).round() as usize;
        if max_lag + 2 > n {
            return Err(MeasureError::Param {
                name: "max_lag".into(),
                reason: format!(
                    "{max_lag} samples leaves fewer than 2 overlapping samples in epochs of {n}"
                ),
            });
        }
        let lags: Vec<i64> = (-(max_lag as i64)..=max_lag as i64).collect();
        let rs: Vec<f64> = lags
            .par_iter()
            .map(|&l| {
                let mut s = CorrSums::default();
                let k = l.unsigned_abs() as usize;
                for (a, b) in x.outer_iter().zip(y.outer_iter()) {
                    // center each epoch for numerical accuracy of the raw sums
                    let ma = a.sum() / n as f64;
                    let mb = b.sum() / n as f64;
                    if l >= 0 {
                        s.add(
                            a.slice(ndarray::s![..n - k]).iter().map(|v| v - ma),
                            b.slice(ndarray::s![k..]).iter().map(|v| v - mb),
                        );
                    } else {
                        s.add(
                            a.slice(ndarray::s![k..]).iter().map(|v| v - ma),
                            b.slice(ndarray::s![..n - k]).iter().map(|v| v - mb),
                        );
                    }
                }
                s.r()
            })
            .collect();
        // first lag of largest |r| in order of increasing |lag| (deterministic tie-break)
        let mut best = max_lag; // index of lag 0
        for d in 1..=max_lag {
            for idx in [max_lag + d, max_lag - d] {
                if rs[idx].abs() > rs[best].abs() {
                    best = idx;
                }
            }
        }
        Ok(vec![
            Value::new("r", rs[best]),
            Value::new("lag", lags[best] as f64 / fs),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX and the plain loop give the same bits, with and without the unit
    /// phasors, whatever the length (tails of 0 to 3 segments).
    #[test]
    fn cross_sums_paths_agree_bitwise() {
        let v = |n: usize, a: f64| -> Vec<f64> {
            (0..n)
                .map(|k| ((k as f64 * a).sin() * 1e3).fract())
                .collect()
        };
        for n in [0, 1, 3, 4, 7, 600, 603] {
            let (xr, xi, xv) = (v(n, 0.7), v(n, 1.3), v(n, 0.2));
            let (yr, yi, yv) = (v(n, 2.9), v(n, 0.4), v(n, 3.1));
            for unit in [false, true] {
                let x = [&xr[..], &xi[..], &xv[..]];
                let y = [&yr[..], &yi[..], &yv[..]];
                let plain = cross_sums_loop(x, y, unit);
                // the straightforward sum agrees to rounding
                let im: Vec<f64> = (0..n).map(|k| xi[k] * yr[k] - xr[k] * yi[k]).collect();
                let abs: f64 = im.iter().map(|v| v.abs()).sum();
                assert!((plain[2] - abs).abs() <= 1e-12 * (1.0 + abs));
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx") {
                    // SAFETY: AVX is present, checked just above.
                    let fast = unsafe { cross_sums_avx(x, y, unit) };
                    let bits = |a: [f64; 6]| a.map(f64::to_bits);
                    assert_eq!(bits(fast), bits(plain), "n = {n}, unit = {unit}");
                }
            }
        }
    }
}
