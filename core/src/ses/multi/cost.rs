//! Cluster cost of N-signal SES (§4.2): `cost(C) = κ_N + g(C)` with, per dimension `d`,
//! `g_d(C) = ((m−1)/2)·ln(2π s_d) + ½·ln m + SS_{C,d}/(2 s_d)` and `g = Σ_d g_d`
//! (`g = 0` for singletons).

use super::types::{Ev, Prepared, WidthNormalisation};

/// Width scale of cluster `members` in dimension `d` (1 for unnormalised coordinates):
/// `(2/m)·Σ w_i` (sum of widths) or `sqrt((2/m)·Σ w_i²)` (root sum of squares).
pub(crate) fn cluster_scale(prep: &Prepared, members: &[usize], d: usize) -> f64 {
    scale_of(&prep.evs, prep.dims, prep.norm, members, d)
}

fn scale_of(evs: &[Ev], dims: usize, norm: WidthNormalisation, members: &[usize], d: usize) -> f64 {
    if dims == 1 {
        return 1.0;
    }
    let m = members.len() as f64;
    match norm {
        WidthNormalisation::None => 1.0,
        WidthNormalisation::SumOfWidths => {
            2.0 / m * members.iter().map(|&e| evs[e].w[d]).sum::<f64>()
        }
        WidthNormalisation::RootSumSquares => {
            (2.0 / m * members.iter().map(|&e| evs[e].w[d].powi(2)).sum::<f64>()).sqrt()
        }
    }
}

/// The cost model at fixed parameters `(δ, s, κ_N)`.
pub(crate) struct CostModel<'a> {
    pub prep: &'a Prepared,
    pub delta: &'a [Vec<f64>; 2],
    pub s: [f64; 2],
    pub kappa: f64,
    /// `ln(2π s_d)` per dimension.
    log2pis: [f64; 2],
}

impl<'a> CostModel<'a> {
    pub fn new(prep: &'a Prepared, delta: &'a [Vec<f64>; 2], s: [f64; 2], kappa: f64) -> Self {
        let tau = 2.0 * std::f64::consts::PI;
        CostModel {
            prep,
            delta,
            s,
            kappa,
            log2pis: [(tau * s[0]).ln(), (tau * s[1]).ln()],
        }
    }

    /// True when offsets are normalised by cluster-dependent widths.
    pub fn normalised(&self) -> bool {
        self.prep.dims == 2 && self.prep.norm != WidthNormalisation::None
    }

    /// Sum of squares of the shifted (normalised) coordinates of `members` in dim `d`.
    pub fn ss(&self, members: &[usize], d: usize) -> f64 {
        let evs = &self.prep.evs;
        let scale = scale_of(evs, self.prep.dims, self.prep.norm, members, d);
        let m = members.len() as f64;
        let a = |e: usize| evs[e].x[d] / scale - self.delta[d][evs[e].signal];
        let mean = members.iter().map(|&e| a(e)).sum::<f64>() / m;
        members.iter().map(|&e| (a(e) - mean).powi(2)).sum()
    }

    /// `g(C)`; 0 for a singleton.
    pub fn g(&self, members: &[usize]) -> f64 {
        let m = members.len();
        if m < 2 {
            return 0.0;
        }
        let mf = m as f64;
        (0..self.prep.dims)
            .map(|d| {
                0.5 * (mf - 1.0) * self.log2pis[d]
                    + 0.5 * mf.ln()
                    + self.ss(members, d) / (2.0 * self.s[d])
            })
            .sum()
    }

    /// `cost(C) = κ_N + g(C)`.
    pub fn cost(&self, members: &[usize]) -> f64 {
        self.kappa + self.g(members)
    }

    /// Normalised span (max − min of the shifted coordinates) in dimension 0.
    pub fn span0(&self, members: &[usize]) -> f64 {
        let evs = &self.prep.evs;
        let scale = scale_of(evs, self.prep.dims, self.prep.norm, members, 0);
        let (lo, hi) = members
            .iter()
            .map(|&e| evs[e].x[0] / scale - self.delta[0][evs[e].signal])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), a| {
                (lo.min(a), hi.max(a))
            });
        hi - lo
    }

    /// Lossless candidate window (§4.3) in the shifted (normalised) time coordinate:
    /// `W = 2·sqrt(2 s K')` with `K' = κ_N − Σ_d ½ ln(2π s_d)`. Removing member `i` from
    /// an optimal cluster cannot lower the cost, so
    /// `m/(m−1)·(a_i − ā)²/(2 s) ≤ κ_N − Σ_d ½ ln(2π s_d) − ½ ln(m/(m−1))`, hence
    /// `|a_i − ā| ≤ sqrt(2 s K')` and the span is at most `W`. Zero when `K' ≤ 0`
    /// (no cluster of two or more events can then be optimal).
    pub fn lossless_window(&self) -> f64 {
        let kp = self.kappa
            - (0..self.prep.dims)
                .map(|d| 0.5 * self.log2pis[d])
                .sum::<f64>();
        if kp <= 0.0 {
            0.0
        } else {
            2.0 * (2.0 * self.s[0] * kp).sqrt()
        }
    }

    /// `K' = κ_N − Σ_d ½ ln(2π s_d)`: the largest Mahalanobis-type excess a member may
    /// add to an optimal cluster (see [`Self::lossless_window`]).
    pub fn k_prime(&self) -> f64 {
        self.kappa
            - (0..self.prep.dims)
                .map(|d| 0.5 * self.log2pis[d])
                .sum::<f64>()
    }

    /// Shifted coordinate `x_d − δ_d,sig` of event `e` (fixed-scale costs only).
    fn shifted(&self, e: usize, d: usize) -> f64 {
        let ev = &self.prep.evs[e];
        ev.x[d] - self.delta[d][ev.signal]
    }

    /// Lossless pair test for fixed-scale costs (times, or bumps without width
    /// normalisation). In an optimal cluster every member satisfies
    /// `Σ_d m/(m−1)·(a_id − ā_d)²/(2 s_d) ≤ K'` (removing it cannot lower the cost), so
    /// any two members `i, j` satisfy `Σ_d (a_id − a_jd)²/(8 s_d) ≤ K'` (from
    /// `(u − v)² ≤ 2u² + 2v²`). The test is pairwise, hence hereditary: the depth-first
    /// enumeration may drop an event incompatible with any current member without losing
    /// an optimal cluster. It implies the per-dimension span bound `2·sqrt(2 s_d K')`.
    pub fn pair_compatible(&self, i: usize, j: usize, k_prime: f64) -> bool {
        let q: f64 = (0..self.prep.dims)
            .map(|d| (self.shifted(i, d) - self.shifted(j, d)).powi(2) / (8.0 * self.s[d]))
            .sum();
        // Relative slack against rounding: never drops a cluster on the boundary.
        q <= k_prime * (1.0 + 1e-12) + 1e-12
    }

    /// Sort key of event `e` for the candidate enumeration: the shifted time, or the raw
    /// time when offsets are width-normalised (the shift then depends on the cluster).
    pub fn key(&self, e: usize) -> f64 {
        let ev = &self.prep.evs[e];
        if self.normalised() {
            ev.x[0]
        } else {
            ev.x[0] - self.delta[0][ev.signal]
        }
    }

    /// Window on the sort key that contains every cluster of normalised span ≤ `w`:
    /// `w` itself, or for width-normalised offsets `(w + (max δ − min δ))·w_max` with
    /// `w_max = 2·max dt` (every cluster scale is ≤ `w_max`), since
    /// `|t_i − t_j| ≤ (|a_i − a_j| + |δ_i − δ_j|)·w_C`.
    pub fn key_window(&self, w: f64) -> f64 {
        if !self.normalised() {
            return w;
        }
        let d = &self.delta[0];
        let range = d.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - d.iter().cloned().fold(f64::INFINITY, f64::min);
        let wmax = 2.0 * self.prep.evs.iter().map(|e| e.w[0]).fold(0.0, f64::max);
        (w + range) * wmax
    }

    /// True when `C` can appear in an optimal partition: no split of `C` into two
    /// non-empty parts `A ∪ B` lowers the cost, `g(C) − g(A) − g(B) ≤ κ_N` for every
    /// bipartition (a lossless filter for any cost function: a violating `C` is strictly
    /// improved by the split, which is itself a valid choice of clusters). Splitting off a
    /// single member is the case `|A| = 1`.
    pub fn undominated(&self, members: &[usize], g_c: f64) -> bool {
        let m = members.len();
        if m < 2 {
            return true;
        }
        let mut a: Vec<usize> = Vec::with_capacity(m);
        let mut b: Vec<usize> = Vec::with_capacity(m);
        // The last member always goes to B, so every bipartition is visited once.
        for mask in 1u32..(1u32 << (m - 1)) {
            a.clear();
            b.clear();
            for (j, &e) in members.iter().enumerate() {
                if j + 1 < m && mask & (1 << j) != 0 {
                    a.push(e);
                } else {
                    b.push(e);
                }
            }
            if g_c - self.g(&a) - self.g(&b) > self.kappa {
                return false;
            }
        }
        true
    }
}
