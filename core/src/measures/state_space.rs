//! State-space and multivariate (global) synchronization: synchronization
//! likelihood for a pair, and omega complexity, global field synchronization and the
//! S-estimator for a whole channel set (`Target::Set`).

use super::spectral::{continuous_pair, continuous_set, hann_symmetric};
use super::{
    InputKind, Measure, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec,
    ParamValues, Plugin, SetInput, Target, Value,
};
use crate::measures::Direction;
use ndarray::{Array3, ArrayView2, ArrayView3, Axis};
use num_complex::Complex64;
use rayon::prelude::*;

// ---------------------------------------------------------------------------
// symmetric eigenvalues (cyclic Jacobi)
// ---------------------------------------------------------------------------

/// Eigenvalues of a symmetric `n × n` matrix (row-major), by cyclic Jacobi rotations.
pub fn symmetric_eigenvalues(a: &[f64], n: usize) -> Vec<f64> {
    let mut m = a.to_vec();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum();
        let scale: f64 = (0..n)
            .map(|i| m[i * n + i] * m[i * n + i])
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[q * n + q] - m[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
            }
        }
    }
    let mut ev: Vec<f64> = (0..n).map(|i| m[i * n + i]).collect();
    ev.sort_by(f64::total_cmp);
    ev
}

/// Channel covariance (mean removed per channel; normalisation irrelevant here)
/// of one epoch given as channels × samples.
fn covariance(x: ArrayView2<f64>) -> Vec<f64> {
    let (k, n) = x.dim();
    let means: Vec<f64> = x.outer_iter().map(|r| r.sum() / n as f64).collect();
    let mut c = vec![0.0; k * k];
    for i in 0..k {
        for j in i..k {
            let s: f64 = x
                .row(i)
                .iter()
                .zip(x.row(j).iter())
                .map(|(a, b)| (a - means[i]) * (b - means[j]))
                .sum::<f64>()
                / (n as f64 - 1.0);
            c[i * k + j] = s;
            c[j * k + i] = s;
        }
    }
    c
}

/// `Σ λ' ln λ'` of eigenvalues normalised to sum 1 (zero eigenvalues contribute 0).
fn eigen_entropy_sum(ev: &[f64]) -> f64 {
    let tot: f64 = ev.iter().map(|v| v.max(0.0)).sum();
    ev.iter()
        .map(|v| v.max(0.0) / tot)
        .filter(|&l| l > 0.0)
        .map(|l| l * l.ln())
        .sum()
}

// ---------------------------------------------------------------------------
// set-level measures
// ---------------------------------------------------------------------------

/// Which global measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalMethod {
    /// Omega complexity: `Ω = exp(−Σ λ'_i ln λ'_i)`, λ' the normalised eigenvalues of the
    /// channel covariance matrix (Wackermann 1996).
    Omega,
    /// S-estimator: `S = 1 + Σ λ'_i ln λ'_i / ln K`, λ' the normalised eigenvalues of the
    /// channel correlation matrix (Carmeli et al. 2005).
    SEstimator,
    /// Global field synchronization at one frequency (Koenig et al. 2001).
    Gfs,
}

/// The global measure of one epoch (channels × samples).
fn global_epoch(method: GlobalMethod, x: ArrayView2<f64>, fs: f64, freq: f64) -> f64 {
    let k = x.nrows();
    match method {
        GlobalMethod::Omega => {
            let ev = symmetric_eigenvalues(&covariance(x), k);
            (-eigen_entropy_sum(&ev)).exp()
        }
        GlobalMethod::SEstimator => {
            let c = covariance(x);
            let sd: Vec<f64> = (0..k).map(|i| c[i * k + i].sqrt()).collect();
            let r: Vec<f64> = (0..k * k)
                .map(|ij| {
                    let (i, j) = (ij / k, ij % k);
                    if sd[i] > 0.0 && sd[j] > 0.0 {
                        c[ij] / (sd[i] * sd[j])
                    } else if i == j {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            let ev = symmetric_eigenvalues(&r, k);
            1.0 + eigen_entropy_sum(&ev) / (k as f64).ln()
        }
        GlobalMethod::Gfs => {
            // average reference, symmetric Hann, Fourier coefficient at the bin nearest freq
            let n = x.ncols();
            let w = hann_symmetric(n);
            let m = ((freq * n as f64 / fs).round() as usize).min(n / 2);
            let mut re = vec![0.0; k];
            let mut im = vec![0.0; k];
            for t in 0..n {
                let mean = x.column(t).sum() / k as f64;
                let ph = -2.0 * std::f64::consts::PI * (m * t % n) as f64 / n as f64;
                let e = Complex64::from_polar(w[t], ph);
                for c in 0..k {
                    let v = (x[[c, t]] - mean) * e;
                    re[c] += v.re;
                    im[c] += v.im;
                }
            }
            let a = re.iter().map(|v| v * v).sum::<f64>();
            let b = re.iter().zip(&im).map(|(p, q)| p * q).sum::<f64>();
            let d = im.iter().map(|v| v * v).sum::<f64>();
            let ev = symmetric_eigenvalues(&[a, b, b, d], 2);
            let s = ev[0] + ev[1];
            if s > 0.0 {
                (ev[1] - ev[0]).abs() / s
            } else {
                0.0
            }
        }
    }
}

const P_FREQ: ParamSpec = ParamSpec {
    name: "freq",
    unit: "Hz",
    kind: ParamKind::Float {
        default: 10.0,
        min: 0.0,
        max: 1.0e5,
    },
    doc: "Frequency of the Fourier bin used (the nearest bin of each epoch).",
};
static GFS_PARAMS: [ParamSpec; 1] = [P_FREQ];

/// A global measure of a whole channel set, mean over epochs.
pub struct GlobalMeasure {
    /// Identifier, parameters and outputs, as the registry lists them.
    pub info: MeasureInfo,
    /// Which global quantity the measure returns.
    pub method: GlobalMethod,
}

impl GlobalMeasure {
    fn value(
        &self,
        data: ArrayView3<f64>,
        fs: f64,
        params: &ParamValues,
    ) -> Result<f64, MeasureError> {
        let (k, n_ep, n) = data.dim();
        if k < 2 || n_ep == 0 || n < 3 {
            return Err(MeasureError::Invalid(format!(
                "measure `{}` needs at least 2 channels and one epoch of 3 samples, got {k} × {n_ep} × {n}",
                self.info.id
            )));
        }
        let freq = if self.method == GlobalMethod::Gfs {
            params.f64("freq")?
        } else {
            0.0
        };
        let vals: Vec<f64> = (0..n_ep)
            .into_par_iter()
            .map(|e| global_epoch(self.method, data.index_axis(Axis(1), e), fs, freq))
            .collect();
        Ok(vals.iter().sum::<f64>() / n_ep as f64)
    }
}

impl Plugin for GlobalMeasure {
    fn info(&self) -> &MeasureInfo {
        &self.info
    }
    /// The pair taken as a two-channel set.
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, fs) = continuous_pair(self.info.id, pair)?;
        let d: Array3<f64> = ndarray::stack(Axis(0), &[x, y])
            .map_err(|e| MeasureError::Invalid(format!("measure `{}`: {e}", self.info.id)))?;
        Ok(vec![Value::new(
            self.info.outputs[0].name,
            self.value(d.view(), fs, params)?,
        )])
    }
    fn compute_set(
        &self,
        set: &SetInput,
        params: &ParamValues,
    ) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
        let (data, fs) = continuous_set(self.info.id, set)?;
        Ok(vec![(
            Target::Set,
            vec![Value::new(
                self.info.outputs[0].name,
                self.value(data, fs, params)?,
            )],
        )])
    }
}

/// Omega complexity of the set (`omega-complexity`): 1 (one spatial mode) to K channels.
pub static OMEGA: GlobalMeasure = GlobalMeasure {
    info: MeasureInfo {
        id: "omega-complexity",
        title: "Omega complexity",
        doc: "Ω = exp(−Σ λ'_i ln λ'_i), λ' the eigenvalues of the channel covariance matrix of an epoch normalised to sum 1 (Wackermann 1996); no re-referencing (apply the reference you want first), mean over epochs. From 1 (one spatial mode: full synchrony) to K (K channels, independent with equal variance).",
        input: InputKind::Continuous,
        params: &[],
        outputs: &[OutputSpec { name: "omega", unit: "", doc: "omega complexity, 1..K", direction: Direction::Lower }],
        directed: false,
    },
    method: GlobalMethod::Omega,
};

/// S-estimator of the set (`s-estimator`): 0 for uncorrelated channels, 1 for full
/// synchrony.
pub static S_ESTIMATOR: GlobalMeasure = GlobalMeasure {
    info: MeasureInfo {
        id: "s-estimator",
        title: "S-estimator",
        doc: "S = 1 + Σ λ'_i ln λ'_i / ln K, λ' the eigenvalues of the channel correlation matrix of an epoch normalised to sum 1 (Carmeli et al. 2005, without embedding); mean over epochs. 0 for uncorrelated channels, 1 for full synchrony.",
        input: InputKind::Continuous,
        params: &[],
        outputs: &[OutputSpec { name: "s", unit: "", doc: "S-estimator, 0..1", direction: Direction::Higher }],
        directed: false,
    },
    method: GlobalMethod::SEstimator,
};

/// Global field synchronization of the set at one frequency (`gfs`): 0 to 1.
pub static GFS: GlobalMeasure = GlobalMeasure {
    info: MeasureInfo {
        id: "gfs",
        title: "Global field synchronization",
        doc: "GFS(f) = |λ1 − λ2| / (λ1 + λ2), λ the eigenvalues of the 2 × 2 matrix Σ_c (Re X_c, Im X_c)ᵀ(Re X_c, Im X_c) of the channels' Fourier coefficients at f (Koenig et al. 2001): per epoch average reference, symmetric Hann window, the bin nearest `freq`; mean over epochs. 1 when all channels share one phase (or its opposite), 0 for uniformly spread phases.",
        input: InputKind::Continuous,
        params: &GFS_PARAMS,
        outputs: &[OutputSpec { name: "gfs", unit: "", doc: "global field synchronization, 0..1", direction: Direction::Higher }],
        directed: false,
    },
    method: GlobalMethod::Gfs,
};

// ---------------------------------------------------------------------------
// synchronization likelihood
// ---------------------------------------------------------------------------

/// Linear-interpolation quantile (numpy's default) of an unsorted slice.
fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (pos - lo as f64) * (v[hi] - v[lo])
}

/// Synchronization likelihood of two signals (Stam & van Dijk 2002), two-channel form:
/// delay vectors of dimension `m` and lag `lag` samples; for each time i with
/// `w2 ≤ i < n − w2` and the comparison times `w1 < |i − j| < w2`, ε_x(i) is the `pref`
/// quantile (linear interpolation) of the Euclidean distances `|X_i − X_j|`, same for y;
/// SL = mean over i of `#{j: both recur} / #{j: x recurs}`. SL = pref for independent
/// signals, 1 for identical ones.
pub fn sync_likelihood(
    x: &[f64],
    y: &[f64],
    m: usize,
    lag: usize,
    w1: usize,
    w2: usize,
    pref: f64,
) -> Option<f64> {
    let n = x.len().checked_sub((m - 1) * lag)?;
    if n <= 2 * w2 || w2 <= w1 + 1 {
        return None;
    }
    let dist = |s: &[f64], i: usize, j: usize| -> f64 {
        (0..m)
            .map(|d| (s[i + d * lag] - s[j + d * lag]).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let vals: Vec<f64> = (w2..n - w2)
        .into_par_iter()
        .map(|i| {
            let js: Vec<usize> = (i + 1 - w2..i - w1).chain(i + w1 + 1..i + w2).collect();
            let dx: Vec<f64> = js.iter().map(|&j| dist(x, i, j)).collect();
            let dy: Vec<f64> = js.iter().map(|&j| dist(y, i, j)).collect();
            let ex = quantile(&mut dx.clone(), pref);
            let ey = quantile(&mut dy.clone(), pref);
            let (mut rx, mut both) = (0usize, 0usize);
            for (a, b) in dx.iter().zip(&dy) {
                if *a <= ex {
                    rx += 1;
                    if *b <= ey {
                        both += 1;
                    }
                }
            }
            both as f64 / rx as f64
        })
        .collect();
    Some(vals.iter().sum::<f64>() / vals.len() as f64)
}

static SL_PARAMS: [ParamSpec; 5] = [
    ParamSpec {
        name: "m",
        unit: "",
        kind: ParamKind::Int {
            default: 5,
            min: 1,
            max: 100,
        },
        doc: "Embedding dimension.",
    },
    ParamSpec {
        name: "lag",
        unit: "",
        kind: ParamKind::Int {
            default: 2,
            min: 1,
            max: 1000,
        },
        doc: "Embedding lag in samples.",
    },
    ParamSpec {
        name: "w1",
        unit: "",
        kind: ParamKind::Int {
            default: 10,
            min: 0,
            max: 100_000,
        },
        doc: "Theiler window in samples: comparisons need |i − j| > w1.",
    },
    ParamSpec {
        name: "w2",
        unit: "",
        kind: ParamKind::Int {
            default: 200,
            min: 2,
            max: 1_000_000,
        },
        doc: "Comparisons need |i − j| < w2 samples.",
    },
    ParamSpec {
        name: "pref",
        unit: "",
        kind: ParamKind::Float {
            default: 0.05,
            min: 1e-6,
            max: 1.0,
        },
        doc: "Reference recurrence probability.",
    },
];

/// Synchronization likelihood (per epoch, mean over epochs).
pub struct SyncLikelihood;

static SYNC_LIKELIHOOD_INFO: MeasureInfo = MeasureInfo {
    id: "sync-likelihood",
    title: "Synchronization likelihood",
    doc: "Stam & van Dijk 2002, two channels: for each time i, ε is the `pref` quantile of the distances from delay vector i (dimension m, lag in samples) to those at w1 < |i−j| < w2; SL = mean_i #{j: both channels recur}/#{j: x recurs}. pref (≈ 0.05) for independent signals, 1 for identical ones. Computed per epoch, mean over epochs.",
    input: InputKind::Continuous,
    params: &SL_PARAMS,
    outputs: &[OutputSpec {
            name: "sl",
            unit: "",
            doc: "synchronization likelihood",
            direction: Direction::Higher,
        }],
    directed: false,
};

impl Plugin for SyncLikelihood {
    fn info(&self) -> &MeasureInfo {
        &SYNC_LIKELIHOOD_INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, _) = continuous_pair(self.info().id, pair)?;
        let (m, lag) = (params.int("m")? as usize, params.int("lag")? as usize);
        let (w1, w2) = (params.int("w1")? as usize, params.int("w2")? as usize);
        let pref = params.f64("pref")?;
        let mut tot = 0.0;
        for (a, b) in x.outer_iter().zip(y.outer_iter()) {
            let (a, b) = (a.to_vec(), b.to_vec());
            tot += sync_likelihood(&a, &b, m, lag, w1, w2, pref).ok_or_else(|| {
                MeasureError::Invalid(format!(
                    "sync-likelihood: epochs of {} samples are too short for m = {m}, lag = {lag}, w1 = {w1}, w2 = {w2} (need more than 2·w2 delay vectors and w2 > w1 + 1)",
                    a.len()
                ))
            })?;
        }
        Ok(vec![Value::new("sl", tot / x.nrows() as f64)])
    }
}

// ---------------------------------------------------------------------------
// non-linear interdependence S, H, N
// ---------------------------------------------------------------------------

/// Non-linear interdependences of one epoch in both directions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interdependence {
    /// S(X|Y), S(Y|X): in (0, 1], 1 for identical dynamics.
    pub s_xy: f64,
    /// `S(Y|X)`, the other direction (same range as `s_xy`).
    pub s_yx: f64,
    /// H(X|Y), H(Y|X): ≥ 0 on average, 0 for independent signals.
    pub h_xy: f64,
    /// `H(Y|X)`, the other direction.
    pub h_yx: f64,
    /// N(X|Y), N(Y|X): normalised, ≤ 1.
    pub n_xy: f64,
    /// `N(Y|X)`, the other direction.
    pub n_yx: f64,
}

/// `k` indices of the smallest values of `d` (ties broken by index).
fn k_nearest(d: &[f64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..d.len()).collect();
    let key = |&a: &usize, &b: &usize| d[a].total_cmp(&d[b]).then(a.cmp(&b));
    idx.select_nth_unstable_by(k - 1, key);
    idx.truncate(k);
    idx
}

/// Arnhold et al. 1999 / Quian Quiroga et al. 2002 non-linear interdependence of two
/// signals: delay vectors of dimension `m`, lag `lag` samples; squared Euclidean
/// distances; the neighbours of vector i exclude `|i − j| ≤ theiler` (which excludes i).
/// For each i, `R_i^k(X)` is the mean squared distance from X_i to its `k` nearest
/// neighbours, `R_i^k(X|Y)` that to the vectors whose time indices are the `k` nearest
/// neighbours of Y_i, and `R_i(X)` the mean squared distance to all admissible vectors;
/// `S(X|Y) = ⟨R^k(X)/R^k(X|Y)⟩`, `H(X|Y) = ⟨ln(R(X)/R^k(X|Y))⟩`,
/// `N(X|Y) = ⟨(R(X) − R^k(X|Y))/R(X)⟩`, and the same with X and Y swapped.
/// `None` when fewer than `k` vectors are admissible.
pub fn interdependence(
    x: &[f64],
    y: &[f64],
    m: usize,
    lag: usize,
    k: usize,
    theiler: usize,
) -> Option<Interdependence> {
    let n = x.len().checked_sub((m - 1) * lag)?;
    if k == 0 || n <= 2 * theiler + k {
        return None;
    }
    let row = |s: &[f64], i: usize| -> Vec<f64> {
        (0..n)
            .map(|j| {
                if i.abs_diff(j) <= theiler {
                    f64::INFINITY
                } else {
                    (0..m)
                        .map(|d| (s[i + d * lag] - s[j + d * lag]).powi(2))
                        .sum()
                }
            })
            .collect()
    };
    let terms: Vec<[f64; 6]> = (0..n)
        .into_par_iter()
        .map(|i| {
            let dx = row(x, i);
            let dy = row(y, i);
            let nx = k_nearest(&dx, k);
            let ny = k_nearest(&dy, k);
            let mean_at = |d: &[f64], idx: &[usize]| {
                idx.iter().map(|&j| d[j]).sum::<f64>() / idx.len() as f64
            };
            let admissible = |d: &[f64]| {
                let (s, c) = d
                    .iter()
                    .filter(|v| v.is_finite())
                    .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
                s / c as f64
            };
            let (rk_x, rk_xy, rn_x) = (mean_at(&dx, &nx), mean_at(&dx, &ny), admissible(&dx));
            let (rk_y, rk_yx, rn_y) = (mean_at(&dy, &ny), mean_at(&dy, &nx), admissible(&dy));
            [
                rk_x / rk_xy,
                rk_y / rk_yx,
                (rn_x / rk_xy).ln(),
                (rn_y / rk_yx).ln(),
                (rn_x - rk_xy) / rn_x,
                (rn_y - rk_yx) / rn_y,
            ]
        })
        .collect();
    let mean = |c: usize| terms.iter().map(|t| t[c]).sum::<f64>() / n as f64;
    Some(Interdependence {
        s_xy: mean(0),
        s_yx: mean(1),
        h_xy: mean(2),
        h_yx: mean(3),
        n_xy: mean(4),
        n_yx: mean(5),
    })
}

static INTERDEPENDENCE_PARAMS: [ParamSpec; 4] = [
    SL_PARAMS[0],
    SL_PARAMS[1],
    ParamSpec {
        name: "k",
        unit: "",
        kind: ParamKind::Int {
            default: 5,
            min: 1,
            max: 10_000,
        },
        doc: "Nearest neighbours per delay vector.",
    },
    ParamSpec {
        name: "theiler",
        unit: "",
        kind: ParamKind::Int {
            default: 10,
            min: 0,
            max: 1_000_000,
        },
        doc: "Theiler window in samples: neighbours need |i − j| > theiler.",
    },
];

/// Non-linear interdependence S, H, N in both directions (per epoch, mean over epochs).
pub struct NonlinearInterdependence;

static NONLINEAR_INTERDEPENDENCE_INFO: MeasureInfo = MeasureInfo {
    id: "interdependence",
    title: "Non-linear interdependence S, H, N",
    doc: "Arnhold et al. 1999, Quian Quiroga et al. 2002: delay vectors (dimension m, lag in samples), squared Euclidean distances, k nearest neighbours outside the Theiler window |i−j| ≤ theiler. S(X|Y) = ⟨R^k(X)/R^k(X|Y)⟩, H(X|Y) = ⟨ln(R(X)/R^k(X|Y))⟩, N(X|Y) = ⟨(R(X) − R^k(X|Y))/R(X)⟩ where R^k(X|Y) uses the time indices of Y's neighbours and R(X) is the mean distance to all admissible vectors; both directions. S → 1, H and N large for identical dynamics; H, N ≈ 0 for independent signals. Computed per epoch, mean over epochs.",
    input: InputKind::Continuous,
    params: &INTERDEPENDENCE_PARAMS,
    outputs: &[
            OutputSpec {
                name: "s_xy",
                unit: "",
                doc: "S(X|Y)",
                direction: Direction::Higher,
            },
            OutputSpec {
                name: "s_yx",
                unit: "",
                doc: "S(Y|X)",
                direction: Direction::Higher,
            },
            OutputSpec {
                name: "h_xy",
                unit: "",
                doc: "H(X|Y)",
                direction: Direction::Higher,
            },
            OutputSpec {
                name: "h_yx",
                unit: "",
                doc: "H(Y|X)",
                direction: Direction::Higher,
            },
            OutputSpec {
                name: "n_xy",
                unit: "",
                doc: "N(X|Y)",
                direction: Direction::Higher,
            },
            OutputSpec {
                name: "n_yx",
                unit: "",
                doc: "N(Y|X)",
                direction: Direction::Higher,
            },
        ],
    directed: false,
};

impl Plugin for NonlinearInterdependence {
    fn info(&self) -> &MeasureInfo {
        &NONLINEAR_INTERDEPENDENCE_INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, _) = continuous_pair(self.info().id, pair)?;
        let (m, lag) = (params.int("m")? as usize, params.int("lag")? as usize);
        let (k, theiler) = (params.int("k")? as usize, params.int("theiler")? as usize);
        let mut tot = [0.0; 6];
        for (a, b) in x.outer_iter().zip(y.outer_iter()) {
            let (a, b) = (a.to_vec(), b.to_vec());
            let r = interdependence(&a, &b, m, lag, k, theiler).ok_or_else(|| {
                MeasureError::Invalid(format!(
                    "interdependence: epochs of {} samples are too short for m = {m}, lag = {lag}, k = {k}, theiler = {theiler} (need more than 2·theiler + k delay vectors)",
                    a.len()
                ))
            })?;
            for (t, v) in tot
                .iter_mut()
                .zip([r.s_xy, r.s_yx, r.h_xy, r.h_yx, r.n_xy, r.n_yx])
            {
                *t += v;
            }
        }
        let ne = x.nrows() as f64;
        Ok(self
            .outputs()
            .iter()
            .zip(tot)
            .map(|(o, t)| Value::new(o.name, t / ne))
            .collect())
    }
}
