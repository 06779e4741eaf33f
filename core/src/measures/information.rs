//! Information-theoretic measures: mutual information of the amplitudes, by a
//! binned plug-in estimate and by the Kraskov–Stögbauer–Grassberger k-nearest-neighbour
//! estimator. Samples of all epochs are pooled (amplitudes are treated as i.i.d. draws).

use super::spectral::continuous_pair;
use super::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, Value,
};
use crate::measures::Direction;
use rayon::prelude::*;

/// Plug-in mutual information (nats) of an equal-width `bins × bins` histogram over
/// each variable's [min, max] (numpy `histogram2d(x, y, bins)`):
/// `I = Σ p_xy ln(p_xy / (p_x p_y))`.
pub fn mi_binned(x: &[f64], y: &[f64], bins: usize) -> f64 {
    let ix = bin_indices(x, bins);
    let iy = bin_indices(y, bins);
    let mut h = vec![0.0; bins * bins];
    for (a, b) in ix.iter().zip(&iy) {
        h[a * bins + b] += 1.0;
    }
    let n = x.len() as f64;
    let mut px = vec![0.0; bins];
    let mut py = vec![0.0; bins];
    for a in 0..bins {
        for b in 0..bins {
            px[a] += h[a * bins + b] / n;
            py[b] += h[a * bins + b] / n;
        }
    }
    let mut mi = 0.0;
    for a in 0..bins {
        for b in 0..bins {
            let p = h[a * bins + b] / n;
            if p > 0.0 {
                mi += p * (p / (px[a] * py[b])).ln();
            }
        }
    }
    mi
}

/// Bin of each value among `bins` equal-width bins over [min, max], the edges built
/// as numpy's `linspace`, the last bin closed on the right.
fn bin_indices(v: &[f64], bins: usize) -> Vec<usize> {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let step = (hi - lo) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|k| k as f64 * step + lo).collect();
    edges[bins] = hi;
    v.iter()
        .map(|&x| {
            // number of edges ≤ x, minus one (searchsorted 'right'), last bin closed
            let k = edges.partition_point(|&e| e <= x);
            k.saturating_sub(1).min(bins - 1)
        })
        .collect()
}

/// `ψ(m)` for integers m ≥ 1: `−γ + Σ_{i<m} 1/i`, tabulated up to `n`.
fn digamma_table(n: usize) -> Vec<f64> {
    const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
    let mut t = vec![0.0; n + 1];
    if n >= 1 {
        t[1] = -EULER_GAMMA;
    }
    for m in 2..=n {
        t[m] = t[m - 1] + 1.0 / (m - 1) as f64;
    }
    t
}

/// Kraskov–Stögbauer–Grassberger estimate (algorithm 1, nats), as scikit-learn's
/// `mutual_info_regression` for one feature: both variables scaled to unit variance,
/// `ε_i` = Chebyshev distance to the k-th neighbour in the joint space,
/// `n_x(i)` = number of other points with `|x_j − x_i| < ε_i` (same for y),
/// `I = ψ(N) + ψ(k) − ⟨ψ(n_x+1)⟩ − ⟨ψ(n_y+1)⟩`, clipped at 0.
pub fn mi_ksg(x: &[f64], y: &[f64], k: usize) -> f64 {
    let n = x.len();
    let scale = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / n as f64;
        let sd = (v.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / n as f64).sqrt();
        let sd = if sd > 0.0 { sd } else { 1.0 };
        v.iter().map(|a| a / sd).collect::<Vec<f64>>()
    };
    let (x, y) = (scale(x), scale(y));
    // points sorted by x: the k-th neighbour search scans outwards and stops once
    // |dx| exceeds the current k-th distance
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let mut ysorted = y.clone();
    ysorted.sort_by(f64::total_cmp);
    let psi = digamma_table(n.max(k) + 1);
    let sum: f64 = (0..n)
        .into_par_iter()
        .map(|p| {
            let mut best: Vec<f64> = Vec::with_capacity(k + 1); // ascending, ≤ k
            let kth = |b: &Vec<f64>| if b.len() < k { f64::INFINITY } else { b[k - 1] };
            let push = |b: &mut Vec<f64>, d: f64| {
                let pos = b.partition_point(|&e| e <= d);
                if pos < k {
                    b.insert(pos, d);
                    b.truncate(k);
                }
            };
            let (mut lo, mut hi) = (p, p + 1);
            loop {
                let dl = if lo > 0 {
                    xs[p] - xs[lo - 1]
                } else {
                    f64::INFINITY
                };
                let dr = if hi < n {
                    xs[hi] - xs[p]
                } else {
                    f64::INFINITY
                };
                let r = kth(&best);
                if dl.min(dr) > r || (dl.is_infinite() && dr.is_infinite()) {
                    break;
                }
                if dl <= dr {
                    lo -= 1;
                    push(&mut best, dl.max((ys[lo] - ys[p]).abs()));
                } else {
                    push(&mut best, dr.max((ys[hi] - ys[p]).abs()));
                    hi += 1;
                }
            }
            let eps = kth(&best);
            // points with |v − c| < ε, the distance computed as a difference exactly
            // as for ε itself: bounds such as `v > c − ε` round differently and would
            // count or drop the neighbour that sets ε at random
            let count = |s: &[f64], c: f64| {
                let a = s.partition_point(|&v| v < c && c - v >= eps);
                let b = s.partition_point(|&v| v < c || v - c < eps);
                b - a - 1 // the point itself
            };
            let nx = count(&xs, xs[p]);
            let ny = count(&ysorted, ys[p]);
            psi[nx + 1] + psi[ny + 1]
        })
        .sum();
    (psi[n] + psi[k] - sum / n as f64).max(0.0)
}

const P_METHOD: ParamSpec = ParamSpec {
    name: "method",
    unit: "",
    kind: ParamKind::Choice { default: "ksg", options: &["ksg", "binned"] },
    doc: "`ksg`: Kraskov k-nearest-neighbour estimator; `binned`: plug-in estimate of an equal-width 2-D histogram.",
};
const P_BINS: ParamSpec = ParamSpec {
    name: "bins",
    unit: "",
    kind: ParamKind::Int {
        default: 16,
        min: 2,
        max: 10_000,
    },
    doc: "Bins per variable for `method=binned`.",
};
const P_K: ParamSpec = ParamSpec {
    name: "k",
    unit: "",
    kind: ParamKind::Int {
        default: 3,
        min: 1,
        max: 1000,
    },
    doc: "Neighbours for `method=ksg`.",
};
static MI_PARAMS: [ParamSpec; 3] = [P_METHOD, P_BINS, P_K];

/// Mutual information of the amplitudes of two channels.
pub struct MutualInformation;

static INFO: MeasureInfo = MeasureInfo {
    id: "mutual-information",
    title: "Mutual information",
    doc: "I(X;Y) in nats of the sample amplitudes, all epochs pooled. `method=binned`: plug-in Σ p ln(p/(p_x p_y)) over an equal-width bins×bins histogram of [min, max] (biased upwards for short signals); `method=ksg`: Kraskov et al. 2004 algorithm 1 with k neighbours, Chebyshev metric, both variables scaled to unit variance (scikit-learn mutual_info_regression), clipped at 0. 0 for independent signals.",
    input: InputKind::Continuous,
    params: &MI_PARAMS,
    outputs: &[OutputSpec {
            name: "mi",
            unit: "nat",
            doc: "mutual information",
            direction: Direction::Higher,
        }],
    directed: false,
};

impl Plugin for MutualInformation {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, _) = continuous_pair(self.info().id, pair)?;
        let xs: Vec<f64> = x.iter().copied().collect();
        let ys: Vec<f64> = y.iter().copied().collect();
        let k = params.int("k")? as usize;
        if xs.len() <= k + 1 {
            return Err(MeasureError::Invalid(format!(
                "mutual-information: {} samples are too few (need more than k + 1 = {})",
                xs.len(),
                k + 1
            )));
        }
        let mi = match params.text("method")? {
            "binned" => mi_binned(&xs, &ys, params.int("bins")? as usize),
            _ => mi_ksg(&xs, &ys, k),
        };
        Ok(vec![Value::new("mi", mi)])
    }
}
