//! Per-pair surrogate tests of every measure (`[significance]`, `--surrogates N`).
//!
//! For each channel (or region) pair and each output whose [`Direction`](crate::measures::Direction) says which way
//! means "more synchronous", the measure is recomputed on `K` surrogate pairs in which
//! the second signal's relation to the first is destroyed while its own structure is
//! kept ([`SurrogateMethod`]). Four values join the pair's row set, named after the
//! output `o`:
//!
//! - `o.null_mean`, `o.null_sd`: mean and sample standard deviation of the surrogate
//!   values (the output's unit);
//! - `o.p`: `(1 + #{surrogates at least as synchronous} ) / (K + 1)`, ties broken at
//!   random so that `p` is uniform on `{1, …, K+1}/(K+1)` under the null
//!   ([`surrogates::summarize`]); one-sided in the output's direction, on `|o|` for
//!   signed outputs;
//! - `o.q`: Benjamini–Hochberg adjusted `p` over the pairs of that measure and output;
//! - with `fwer = true`, also `o.p_fwer`: the max-statistic family-wise p-value over the
//!   pairs, `(1 + #{k : max_pairs z_k ≥ z}) / (K + 1)` with `z = ±(o − null_mean)/null_sd`
//!   (Nichols & Holmes 2002). Surrogate `k` of different pairs is drawn independently,
//!   which ignores the dependence between pairs that share a channel; under positive
//!   dependence the maximum of independent nulls is larger, so the correction errs on
//!   the conservative side.
//!
//! Surrogates are seeded per pair from the user's seed and a hash of the pair's data
//! ([`surrogates::pair_seed`]): the same input and seed give the same `p` whatever the
//! thread count and the order of pairs.

use super::pipeline::{AnalysisError, Progress};
use super::stats::benjamini_hochberg;
use crate::bumps::Bump;
use crate::measures::spectral::{self, BandSpectra, SpectralMeasure};
use crate::measures::{
    Measure, MeasureError, PairInput, ParamValues, SetInput, SetValues, SurrogateSetup, Target,
    Value,
};
use crate::surrogates::{self, splitmix64, SurrogateMethod, Tail};
use ndarray::{Array2, ArrayView2};
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;
use serde::{Deserialize, Serialize};

/// The surrogate test settings (`[significance]` in the configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignificanceConfig {
    /// Surrogates per pair, `K` (0: no test). The smallest possible `p` is `1/(K+1)`.
    pub surrogates: usize,
    /// How a surrogate pair is made; it must be in the family of every measure run
    /// (`sesame measures` lists each family).
    pub method: SurrogateMethod,
    /// Minimum lag of a circular shift, s (capped at a quarter of the window).
    pub min_shift: f64,
    /// Standard deviation of the Gaussian displacement of each event for `dither`, s.
    pub dither: f64,
    /// Seed, mixed with a hash of each pair's data.
    pub seed: u64,
    /// Also report the max-statistic family-wise p-value `o.p_fwer`.
    pub fwer: bool,
}

impl Default for SignificanceConfig {
    fn default() -> Self {
        SignificanceConfig {
            surrogates: 0,
            method: SurrogateMethod::Shift,
            min_shift: 2.0,
            dither: 0.05,
            seed: 0,
            fwer: false,
        }
    }
}

impl SignificanceConfig {
    /// Checks the numbers: a finite minimum lag ≥ 0 and a finite dither > 0.
    pub fn validate(&self) -> Result<(), AnalysisError> {
        if !(self.min_shift.is_finite() && self.min_shift >= 0.0) {
            return Err(AnalysisError::Config(format!(
                "significance.min_shift = {} must be a finite number of seconds ≥ 0",
                self.min_shift
            )));
        }
        if !(self.dither.is_finite() && self.dither > 0.0) {
            return Err(AnalysisError::Config(format!(
                "significance.dither = {} must be a finite number of seconds > 0",
                self.dither
            )));
        }
        Ok(())
    }
}

/// One pair to test: its index in the measure's values, its channels and its seed.
struct PairJob {
    entry: usize,
    i: usize,
    j: usize,
    seed: u64,
}

/// Adds the surrogate test values to every pair of `observed` (see the module doc).
/// `progress` is told the fraction done within `span` of the whole analysis and can
/// cancel between blocks of surrogates.
pub fn test_set(
    measure: &dyn Measure,
    params: &ParamValues,
    set: &SetInput,
    mut observed: SetValues,
    config: &SignificanceConfig,
    progress: &dyn Progress,
    span: (f64, f64),
) -> Result<SetValues, AnalysisError> {
    let k = config.surrogates;
    let tested: Vec<(&'static str, Tail)> = measure
        .outputs()
        .iter()
        .filter_map(|o| o.direction.tail().map(|t| (o.name, t)))
        .collect();
    if k == 0 || tested.is_empty() {
        return Ok(observed);
    }
    config.validate()?;
    let err = |error: MeasureError| AnalysisError::Measure {
        measure: measure.id().into(),
        error,
    };
    if !measure.surrogate_methods().contains(&config.method) {
        return Err(err(MeasureError::Invalid(format!(
            "surrogate method `{}` does not apply; this measure's family: {}",
            config.method.name(),
            measure
                .surrogate_methods()
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        ))));
    }
    let jobs: Vec<PairJob> = observed
        .iter()
        .enumerate()
        .filter_map(|(entry, (t, _))| match *t {
            Target::Pair(i, j) => Some(PairJob {
                entry,
                i,
                j,
                seed: data_seed(config.seed, set, i, j),
            }),
            _ => None,
        })
        .collect();
    // Shift offsets of every pair, drawn once from its seed.
    let offsets: Vec<Vec<f64>> = jobs
        .iter()
        .map(|p| match config.method {
            SurrogateMethod::Shift => {
                surrogates::shift_offsets(p.seed, k, shift_window(set), config.min_shift)
                    .map_err(|e| err(MeasureError::Invalid(e.to_string())))
            }
            _ => Ok(Vec::new()),
        })
        .collect::<Result<_, _>>()?;

    // spectral measures on epochs rearranged whole: the spectra once, every surrogate
    // from them (see `spectral::pair_spectral_reordered`)
    let fast = match (set, measure.as_spectral(), config.method) {
        (
            SetInput::Continuous { data, fs },
            Some(spectral),
            SurrogateMethod::Shift | SurrogateMethod::EpochShuffle,
        ) if data.dim().1 >= 2 => {
            let (epochs, epoch_len) = (data.dim().1, data.dim().2 as f64 / fs);
            Some(FastSpectral {
                measure: spectral,
                spectra: (spectral.spectra)(*data, *fs, params).map_err(err)?,
                epochs,
                shifts: match config.method {
                    SurrogateMethod::Shift => jobs
                        .iter()
                        .map(|p| epoch_shifts(p.seed, k, epochs, epoch_len, config.min_shift))
                        .collect(),
                    _ => Vec::new(),
                },
            })
        }
        _ => None,
    };

    // what each pair's surrogates share (e.g. SES's chance count), prepared once per
    // pair; the spectral fast path needs none
    let setups: Vec<SurrogateSetup> = if fast.is_some() {
        jobs.iter().map(|_| None).collect()
    } else {
        jobs.par_iter()
            .map(|job| measure.surrogate_setup(&set.pair(job.i, job.j), params))
            .collect::<Result<_, _>>()
            .map_err(err)?
    };

    // null[p][s]: the values of surrogate s of pair p, computed in blocks of surrogates
    // so that long runs report progress and can be cancelled.
    let mut null: Vec<Vec<Vec<Value>>> = vec![Vec::with_capacity(k); jobs.len()];
    let block = 32.max(k / 20);
    let mut done = 0;
    while done < k {
        if progress.cancelled() {
            return Err(AnalysisError::Cancelled);
        }
        let end = (done + block).min(k);
        let work: Vec<(usize, usize)> = (0..jobs.len())
            .flat_map(|p| (done..end).map(move |s| (p, s)))
            .collect();
        let values: Vec<Vec<Value>> = work
            .par_iter()
            .map(|&(p, s)| {
                let job = &jobs[p];
                if let Some(v) = fast.as_ref().and_then(|f| f.values(job, p, s, config)) {
                    return Ok(v);
                }
                let observed = &observed[job.entry].1;
                let data = Surrogate {
                    set,
                    job,
                    s,
                    offsets: &offsets[p],
                    observed,
                    setup: &setups[p],
                };
                surrogate_values(measure, params, &data, config)
            })
            .collect::<Result<_, _>>()
            .map_err(err)?;
        for (&(p, _), v) in work.iter().zip(values) {
            null[p].push(v);
        }
        done = end;
        progress.report(
            span.0 + (span.1 - span.0) * done as f64 / k as f64,
            &format!("surrogates of {}: {done} of {k}", measure.id()),
        );
    }

    for (name, tail) in tested {
        // (pair index, observed, null values, p) for the pairs that have this output
        let mut rows: Vec<(usize, f64, Vec<f64>, f64, f64)> = Vec::new();
        for (p, job) in jobs.iter().enumerate() {
            let Some(obs) = value_of(&observed[job.entry].1, name) else {
                continue;
            };
            let values: Vec<f64> = null[p]
                .iter()
                .filter_map(|v| value_of(v, name))
                .filter(|v| v.is_finite())
                .collect();
            if !obs.is_finite() || values.is_empty() {
                continue;
            }
            let u = surrogates::tie_draw(splitmix64(job.seed ^ name_hash(name)));
            let Some(s) = surrogates::summarize(obs, &values, tail, u) else {
                continue;
            };
            let out = &mut observed[job.entry].1;
            out.push(Value::new(format!("{name}.null_mean"), s.mean));
            out.push(Value::new(format!("{name}.null_sd"), s.sd));
            out.push(Value::new(format!("{name}.p"), s.p));
            rows.push((p, obs, values, s.mean, s.sd));
        }
        if rows.is_empty() {
            continue;
        }
        let ps: Vec<f64> = rows
            .iter()
            .map(|r| value_of(&observed[jobs[r.0].entry].1, &format!("{name}.p")).unwrap_or(1.0))
            .collect();
        let qs = benjamini_hochberg(&ps).map_err(|e| AnalysisError::Config(e.to_string()))?;
        for (r, q) in rows.iter().zip(&qs) {
            observed[jobs[r.0].entry]
                .1
                .push(Value::new(format!("{name}.q"), *q));
        }
        if config.fwer {
            let fwer = max_statistic(&rows, tail, k);
            for (r, p) in rows.iter().zip(fwer) {
                observed[jobs[r.0].entry]
                    .1
                    .push(Value::new(format!("{name}.p_fwer"), p));
            }
        }
    }
    Ok(observed)
}

/// Max-statistic family-wise p-values: for each pair `(1 + #{k : M_k ≥ z}) / (K + 1)`
/// where `z` is the pair's standardised observed value and `M_k` the largest
/// standardised value of surrogate `k` over all pairs. Pairs whose null has no spread
/// count as `z = +∞` when the observed value is more extreme than the null's constant,
/// `−∞` otherwise.
fn max_statistic(rows: &[(usize, f64, Vec<f64>, f64, f64)], tail: Tail, k: usize) -> Vec<f64> {
    let z = |v: f64, mean: f64, sd: f64| -> f64 {
        let d = match tail {
            Tail::Upper => v - mean,
            Tail::Lower => mean - v,
            Tail::Both => v.abs() - mean.abs(),
        };
        if sd > 0.0 {
            d / sd
        } else if d > 0.0 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        }
    };
    // surrogates every pair has (fewer than K when only fewer distinct ones exist)
    let k = rows.iter().map(|r| r.2.len()).min().unwrap_or(0).min(k);
    let mut maxima = vec![f64::NEG_INFINITY; k];
    for (_, _, values, mean, sd) in rows {
        for (s, &v) in values.iter().enumerate().take(k) {
            // for `Both` the null statistic is |v|, centred on the mean of |null|
            let zv = match tail {
                Tail::Both => z(v.abs(), *mean, *sd),
                _ => z(v, *mean, *sd),
            };
            maxima[s] = maxima[s].max(zv);
        }
    }
    rows.iter()
        .map(|(_, obs, _, mean, sd)| {
            let zo = z(*obs, *mean, *sd);
            let exceed = maxima.iter().filter(|&&m| m >= zo).count();
            (1 + exceed) as f64 / (k + 1) as f64
        })
        .collect()
}

fn value_of(values: &[Value], name: &str) -> Option<f64> {
    values.iter().find(|v| v.name == name).map(|v| v.value)
}

fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        splitmix64(h ^ u64::from(b))
    })
}

/// The seed of pair `(i, j)`: the user's seed mixed with the pair's data.
fn data_seed(seed: u64, set: &SetInput, i: usize, j: usize) -> u64 {
    match set {
        SetInput::PointProcess { trains, .. } => {
            surrogates::pair_seed(seed, [&trains[i][..], &trains[j][..]])
        }
        SetInput::Bumps { bumps, .. } => surrogates::pair_seed(
            seed,
            [
                &surrogates::bump_key(&bumps[i])[..],
                &surrogates::bump_key(&bumps[j])[..],
            ],
        ),
        SetInput::Continuous { data, .. } => {
            let flat = |c: usize| -> Vec<f64> {
                data.index_axis(ndarray::Axis(0), c)
                    .iter()
                    .copied()
                    .collect()
            };
            surrogates::pair_seed(seed, [&flat(i)[..], &flat(j)[..]])
        }
    }
}

/// The window circular shifts wrap around, s: the event window, or `[0, E·S/fs)` for
/// `E` epochs of `S` samples laid end to end.
fn shift_window(set: &SetInput) -> (f64, f64) {
    match set {
        SetInput::PointProcess { window, .. } | SetInput::Bumps { window, .. } => *window,
        SetInput::Continuous { data, fs } => {
            let sh = data.shape();
            (0.0, (sh[1] * sh[2]) as f64 / fs)
        }
    }
}

/// The spectra of a spectral measure, computed once, from which every surrogate whose
/// second signal has its epochs rearranged whole (a circular shift by whole epochs, or
/// an epoch shuffle) is evaluated without a new transform.
struct FastSpectral<'a> {
    measure: &'a SpectralMeasure,
    spectra: BandSpectra,
    /// Number of epochs, `E`.
    epochs: usize,
    /// Per pair, the shifts of its surrogates in whole epochs (see [`epoch_shifts`]).
    shifts: Vec<Vec<usize>>,
}

impl FastSpectral<'_> {
    /// The measure's values on surrogate `s` of pair `p` (no value when the pair has
    /// fewer distinct shifts than surrogates), or `None` when its spectra are not laid
    /// out by epochs (the caller then transforms the surrogate signal).
    fn values(
        &self,
        job: &PairJob,
        p: usize,
        s: usize,
        config: &SignificanceConfig,
    ) -> Option<Vec<Value>> {
        let e = self.epochs;
        let order: Vec<usize> = match config.method {
            SurrogateMethod::Shift => match self.shifts.get(p)?.get(s) {
                Some(&k) => (0..e).map(|i| (i + k) % e).collect(),
                None => return Some(Vec::new()),
            },
            SurrogateMethod::EpochShuffle => sattolo(e, &mut surrogate_rng(job, s)),
            _ => return None,
        };
        let v = spectral::pair_spectral_reordered(
            &self.spectra,
            job.i,
            job.j,
            &[self.measure.method],
            &order,
        )?;
        Some(self.measure.value(v[0]))
    }
}

/// The circular shifts, in whole epochs, of the surrogates of one pair of a spectral
/// measure: `count` distinct shifts `k` drawn without replacement from the allowed ones,
/// `k_min ≤ k ≤ E − k_min` with `k_min = max(1, ⌈m / epoch⌉)` (`m` the minimum lag,
/// at most a quarter of the window) — or every allowed shift once when there are no
/// more than `count`, which is then the exact test over all of them (`p` on the grid
/// `1/(n + 1)` for `n` shifts). Drawing without replacement keeps the observed pair
/// exchangeable with its surrogates, so `p` stays uniform under the null with few
/// epochs, where repeated shifts would not.
fn epoch_shifts(
    seed: u64,
    count: usize,
    epochs: usize,
    epoch_len: f64,
    min_shift: f64,
) -> Vec<usize> {
    let m = surrogates::effective_min_shift(min_shift, epochs as f64 * epoch_len);
    let k_min = ((m / epoch_len - 1e-9).ceil() as usize).max(1);
    let mut allowed: Vec<usize> = (k_min..=epochs.saturating_sub(k_min)).collect();
    if allowed.is_empty() {
        allowed = vec![epochs / 2];
    }
    if count >= allowed.len() {
        return allowed;
    }
    // partial Fisher–Yates: the first `count` of a random permutation
    let mut rng = ChaCha8Rng::seed_from_u64(splitmix64(seed ^ 0x4550_4F43_4853));
    for i in 0..count {
        let j = rng.gen_range(i..allowed.len());
        allowed.swap(i, j);
    }
    allowed.truncate(count);
    allowed
}

/// The random generator of surrogate `s` of a pair (dithering, shuffles, phases).
fn surrogate_rng(job: &PairJob, s: usize) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(splitmix64(job.seed ^ (s as u64 + 1)))
}

/// A uniformly drawn cyclic permutation of `0..n` (Sattolo's algorithm): no element
/// keeps its place.
fn sattolo(n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.gen_range(0..i);
        order.swap(i, j);
    }
    order
}

/// One surrogate of one pair: where its data come from and what the pair shares.
struct Surrogate<'a, 'd> {
    /// The channel set.
    set: &'a SetInput<'d>,
    /// The pair.
    job: &'a PairJob,
    /// Index of the surrogate.
    s: usize,
    /// The pair's circular shifts, s (empty for other methods).
    offsets: &'a [f64],
    /// The observed pair's values.
    observed: &'a [Value],
    /// What the measure prepared for the pair ([`Measure::surrogate_setup`]).
    setup: &'a SurrogateSetup,
}

/// The measure's values on one surrogate of one pair (see
/// [`Measure::surrogate_compute`]).
fn surrogate_values(
    measure: &dyn Measure,
    params: &ParamValues,
    data: &Surrogate,
    config: &SignificanceConfig,
) -> Result<Vec<Value>, MeasureError> {
    let Surrogate {
        set,
        job,
        s,
        offsets,
        observed,
        setup,
    } = *data;
    let mut rng = surrogate_rng(job, s);
    let bad = |e: String| MeasureError::Invalid(e);
    match set {
        SetInput::PointProcess { trains, window } => {
            let y = match config.method {
                SurrogateMethod::Shift => {
                    surrogates::shift_times(&trains[job.j], *window, offsets[s])
                }
                SurrogateMethod::Dither => {
                    dither_times(&trains[job.j], *window, config.dither, &mut rng)?
                }
                m => {
                    return Err(bad(format!(
                        "`{}` does not apply to event trains",
                        m.name()
                    )))
                }
            };
            measure.surrogate_compute(
                &PairInput::PointProcess {
                    x: &trains[job.i],
                    y: &y,
                    window: *window,
                },
                params,
                observed,
                setup,
            )
        }
        SetInput::Bumps { bumps, window } => {
            let y = match config.method {
                SurrogateMethod::Shift => {
                    surrogates::shift_bumps(&bumps[job.j], *window, offsets[s])
                }
                SurrogateMethod::Dither => {
                    dither_bumps(&bumps[job.j], *window, config.dither, &mut rng)?
                }
                m => return Err(bad(format!("`{}` does not apply to bumps", m.name()))),
            };
            measure.surrogate_compute(
                &PairInput::Bumps {
                    x: &bumps[job.i],
                    y: &y,
                    window: *window,
                },
                params,
                observed,
                setup,
            )
        }
        SetInput::Continuous { data, fs } => {
            let y = data.index_axis(ndarray::Axis(0), job.j);
            let y = match config.method {
                SurrogateMethod::Shift => shift_epochs(y, (offsets[s] * fs).round() as usize),
                SurrogateMethod::EpochShuffle => shuffle_epochs(y, &mut rng)?,
                SurrogateMethod::PhaseRandomization => randomize_phases(y, &mut rng),
                m => {
                    return Err(bad(format!(
                        "`{}` does not apply to continuous signals",
                        m.name()
                    )))
                }
            };
            measure.surrogate_compute(
                &PairInput::Continuous {
                    x: data.index_axis(ndarray::Axis(0), job.i),
                    y: y.view(),
                    fs: *fs,
                },
                params,
                observed,
                setup,
            )
        }
    }
}

/// Each event moved by an independent Gaussian displacement of s.d. `sd` seconds and
/// wrapped into the window, sorted.
fn dither_times(
    times: &[f64],
    window: (f64, f64),
    sd: f64,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<f64>, MeasureError> {
    let normal = Normal::new(0.0, sd).map_err(|e| MeasureError::Invalid(e.to_string()))?;
    let mut out: Vec<f64> = times
        .iter()
        .map(|&t| surrogates::wrap(t, window, normal.sample(rng)))
        .collect();
    out.sort_by(f64::total_cmp);
    Ok(out)
}

/// [`dither_times`] for the centre times of bumps (frequencies and widths kept).
fn dither_bumps(
    bumps: &[Bump],
    window: (f64, f64),
    sd: f64,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<Bump>, MeasureError> {
    let normal = Normal::new(0.0, sd).map_err(|e| MeasureError::Invalid(e.to_string()))?;
    let mut out: Vec<Bump> = bumps
        .iter()
        .map(|b| Bump {
            t: surrogates::wrap(b.t, window, normal.sample(rng)),
            ..*b
        })
        .collect();
    out.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.f.total_cmp(&b.f)));
    Ok(out)
}

/// The epochs laid end to end, rotated by `shift` samples, cut again: a circular time
/// shift of the whole signal.
fn shift_epochs(y: ArrayView2<f64>, shift: usize) -> Array2<f64> {
    let (e, n) = y.dim();
    let flat: Vec<f64> = y.iter().copied().collect();
    let len = flat.len().max(1);
    let shift = shift % len;
    let rotated: Vec<f64> = (0..flat.len()).map(|t| flat[(t + shift) % len]).collect();
    Array2::from_shape_vec((e, n), rotated).unwrap_or_else(|_| y.to_owned())
}

/// The epochs in a random cyclic order (Sattolo's algorithm: no epoch keeps its place,
/// so every epoch of `x` meets another epoch of `y`).
fn shuffle_epochs(y: ArrayView2<f64>, rng: &mut ChaCha8Rng) -> Result<Array2<f64>, MeasureError> {
    let (e, _) = y.dim();
    if e < 2 {
        return Err(MeasureError::Invalid(
            "epoch shuffling needs at least 2 epochs; use a shorter epoch or `shift`".into(),
        ));
    }
    Ok(y.select(ndarray::Axis(0), &sattolo(e, rng)))
}

/// Each epoch with its Fourier phases replaced by independent uniform ones (amplitude
/// spectrum, mean and the Nyquist bin kept; Theiler et al. 1992).
fn randomize_phases(y: ArrayView2<f64>, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let (e, n) = y.dim();
    let mut out = Array2::<f64>::zeros((e, n));
    if n < 3 {
        out.assign(&y);
        return out;
    }
    let mut planner = FftPlanner::<f64>::new();
    let fwd = planner.plan_fft_forward(n);
    let inv = planner.plan_fft_inverse(n);
    let mut buf = vec![Complex::new(0.0, 0.0); n];
    for (row, mut dst) in y.outer_iter().zip(out.outer_iter_mut()) {
        for (b, &v) in buf.iter_mut().zip(row.iter()) {
            *b = Complex::new(v, 0.0);
        }
        fwd.process(&mut buf);
        for f in 1..n.div_ceil(2) {
            let phase = rng.gen::<f64>() * std::f64::consts::TAU;
            let r = buf[f].norm();
            buf[f] = Complex::from_polar(r, phase);
            buf[n - f] = buf[f].conj();
        }
        inv.process(&mut buf);
        for (d, b) in dst.iter_mut().zip(&buf) {
            *d = b.re / n as f64;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_epochs_are_a_rotation_of_the_whole_signal() {
        let y = Array2::from_shape_vec((2, 3), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let s = shift_epochs(y.view(), 2);
        assert_eq!(
            s.iter().copied().collect::<Vec<_>>(),
            vec![2.0, 3.0, 4.0, 5.0, 0.0, 1.0]
        );
    }

    #[test]
    fn shuffled_epochs_never_stay_in_place() {
        let y = Array2::from_shape_fn((6, 2), |(e, t)| (e * 10 + t) as f64);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..50 {
            let s = shuffle_epochs(y.view(), &mut rng).unwrap();
            for e in 0..6 {
                assert_ne!(s[(e, 0)], y[(e, 0)]);
            }
        }
        assert!(shuffle_epochs(y.slice(ndarray::s![..1, ..]), &mut rng).is_err());
    }

    #[test]
    fn phase_randomisation_keeps_the_amplitude_spectrum() {
        let n = 64;
        let y = Array2::from_shape_fn((1, n), |(_, t)| {
            (t as f64 * 0.3).sin() + 0.5 * (t as f64 * 1.1).cos() + 0.2
        });
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let s = randomize_phases(y.view(), &mut rng);
        let spectrum = |v: &[f64]| -> Vec<f64> {
            let mut b: Vec<Complex<f64>> = v.iter().map(|&x| Complex::new(x, 0.0)).collect();
            FftPlanner::<f64>::new().plan_fft_forward(n).process(&mut b);
            b.iter().map(|c| c.norm()).collect()
        };
        let a = spectrum(y.as_slice().unwrap());
        let b = spectrum(s.as_slice().unwrap());
        for (x, z) in a.iter().zip(&b) {
            assert!((x - z).abs() < 1e-9, "{x} vs {z}");
        }
        assert!(y.iter().zip(s.iter()).any(|(p, q)| (p - q).abs() > 1e-3));
    }

    #[test]
    fn dithered_events_stay_in_the_window_and_sorted() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let t = [0.01, 1.0, 5.0, 9.99];
        let d = dither_times(&t, (0.0, 10.0), 0.5, &mut rng).unwrap();
        assert_eq!(d.len(), 4);
        assert!(d.iter().all(|&v| (0.0..10.0).contains(&v)));
        assert!(d.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn epoch_shifts_are_distinct_and_respect_the_minimum_lag() {
        // 600 epochs of 2 s, minimum lag 5 s: k from 3 to 597
        let k = epoch_shifts(7, 100, 600, 2.0, 5.0);
        assert_eq!(k.len(), 100);
        assert!(k.iter().all(|&k| (3..=597).contains(&k)), "{k:?}");
        let mut sorted = k.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 100, "repeated shifts");
        assert_eq!(k, epoch_shifts(7, 100, 600, 2.0, 5.0));
        assert_ne!(k, epoch_shifts(8, 100, 600, 2.0, 5.0));
        // more surrogates than shifts: every allowed shift once
        assert_eq!(
            epoch_shifts(7, 1000, 600, 2.0, 5.0),
            (3..=597).collect::<Vec<_>>()
        );
        // the minimum lag is capped at a quarter of the window
        assert_eq!(epoch_shifts(1, 50, 8, 1.0, 100.0), vec![2, 3, 4, 5, 6]);
        assert_eq!(epoch_shifts(1, 50, 2, 1.0, 0.0), vec![1]);
    }

    #[test]
    fn max_statistic_is_never_below_the_pair_p() {
        // three pairs, five surrogates, the first pair far out
        let rows = vec![
            (0, 3.0, vec![0.0, 0.1, -0.1, 0.2, -0.2], 0.0, 0.158),
            (1, 0.1, vec![0.0, 0.3, -0.1, 0.2, -0.2], 0.04, 0.19),
            (2, -0.3, vec![0.1, 0.1, -0.1, 0.0, -0.2], -0.02, 0.13),
        ];
        let p = max_statistic(&rows, Tail::Upper, 5);
        assert_eq!(p[0], 1.0 / 6.0);
        assert!(p[1] > p[0] && p[2] >= p[1]);
    }
}
