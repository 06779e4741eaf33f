//! MAP parameter updates of N-signal SES (§4.4), per dimension `d`:
//!
//! * offsets: least squares `min Σ_C Σ_{i∈C} (y_i − δ_sig(i) − c_C)²` over `δ` and the
//!   cluster centres `c_C` (clusters of size ≥ 2), gauge `δ_ref = 0`. Eliminating `c_C`
//!   (the cluster mean) gives the normal equations `A δ = b` with
//!   `A = Σ_C E_Cᵀ (I − 11ᵀ/m) E_C`, `b = Σ_C E_Cᵀ (I − 11ᵀ/m) y_C`, solved exactly for the
//!   signals connected to the reference through co-clustered events (the others keep
//!   their previous offsets);
//! * variance: `s ← min((ν s0 + Σ_C SS_C) / (ν + Σ_C (m_C − 1) + 2), s_max)`
//!   (scaled-inv-χ² prior, truncated to `s ≤ s_max` when a bound is set).
//!
//! `y_i` is the event coordinate divided by its cluster's width scale (1 for times).

use super::cost::cluster_scale;
use super::types::Prepared;

/// Scaled-inverse-χ² priors per dimension, truncated to `s_d ≤ s_max_d`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prior {
    pub nu: [f64; 2],
    pub s0: [f64; 2],
    /// Upper end of the support (`+∞`: no truncation).
    pub s_max: [f64; 2],
}

impl Prior {
    pub(crate) fn from_options(opts: &super::MultiOptions) -> Self {
        Prior {
            nu: [opts.nu, opts.nu_f],
            s0: [opts.s0, opts.s0_f],
            s_max: [
                opts.s_max.unwrap_or(f64::INFINITY),
                opts.s_max_f.unwrap_or(f64::INFINITY),
            ],
        }
    }
}

/// Prior terms of the objective: `Σ_d (1 + ν_d/2)·ln s_d + ν_d s0_d/(2 s_d)`.
pub(crate) fn prior_penalty(prior: &Prior, s: [f64; 2], dims: usize) -> f64 {
    (0..dims)
        .map(|d| (1.0 + prior.nu[d] / 2.0) * s[d].ln() + prior.nu[d] * prior.s0[d] / (2.0 * s[d]))
        .sum()
}

/// New `(δ, s)` from the clustering.
pub(crate) fn update_parameters(
    prep: &Prepared,
    n: usize,
    clusters: &[Vec<usize>],
    prev: &[Vec<f64>; 2],
    prior: &Prior,
    reference: usize,
) -> ([Vec<f64>; 2], [f64; 2]) {
    let mut delta = prev.clone();
    let mut s = [prior.s0[0], prior.s0[1]];
    for d in 0..prep.dims {
        delta[d] = solve_offsets(prep, n, clusters, &prev[d], reference, d);
        let mut ss = 0.0;
        let mut dof = 0usize;
        for c in clusters.iter().filter(|c| c.len() >= 2) {
            let scale = cluster_scale(prep, c, d);
            let a: Vec<f64> = c
                .iter()
                .map(|&e| prep.evs[e].x[d] / scale - delta[d][prep.evs[e].signal])
                .collect();
            let mean = a.iter().sum::<f64>() / a.len() as f64;
            ss += a.iter().map(|v| (v - mean).powi(2)).sum::<f64>();
            dof += c.len() - 1;
        }
        let v = (prior.nu[d] * prior.s0[d] + ss) / (prior.nu[d] + dof as f64 + 2.0);
        // Floor (ν = 0 with perfectly aligned clusters would give 0). The truncated prior's
        // MAP is the unconstrained one clipped to the support: the objective in `s`,
        // `(ν + P + 2)/2·ln s + (ν s0 + SS)/(2s)`, is unimodal with its minimum at `v`.
        s[d] = v.max(1e-12 * prior.s0[d]).min(prior.s_max[d]);
    }
    (delta, s)
}

fn solve_offsets(
    prep: &Prepared,
    n: usize,
    clusters: &[Vec<usize>],
    prev: &[f64],
    reference: usize,
    d: usize,
) -> Vec<f64> {
    let mut a = vec![vec![0.0; n]; n];
    let mut b = vec![0.0; n];
    // Union-find over signals linked by clusters of size ≥ 2.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for c in clusters.iter().filter(|c| c.len() >= 2) {
        let m = c.len() as f64;
        let scale = cluster_scale(prep, c, d);
        let y: Vec<f64> = c.iter().map(|&e| prep.evs[e].x[d] / scale).collect();
        let ybar = y.iter().sum::<f64>() / m;
        let sigs: Vec<usize> = c.iter().map(|&e| prep.evs[e].signal).collect();
        for (i, &si) in sigs.iter().enumerate() {
            b[si] += y[i] - ybar;
            for &sj in &sigs {
                a[si][sj] -= 1.0 / m;
            }
            a[si][si] += 1.0;
        }
        let r0 = find(&mut parent, sigs[0]);
        for &sj in &sigs[1..] {
            let rj = find(&mut parent, sj);
            parent[rj] = r0;
        }
    }
    let root = find(&mut parent, reference);
    let unknowns: Vec<usize> = (0..n)
        .filter(|&k| k != reference && find(&mut parent, k) == root)
        .collect();
    let mut out = prev.to_vec();
    out[reference] = 0.0;
    if unknowns.is_empty() {
        return out;
    }
    // Signals outside the reference's group stay fixed: move their terms to the rhs.
    let fixed: Vec<usize> = (0..n)
        .filter(|&k| k != reference && !unknowns.contains(&k))
        .collect();
    let k = unknowns.len();
    let mut mat = vec![vec![0.0; k + 1]; k];
    for (r, &ur) in unknowns.iter().enumerate() {
        for (c, &uc) in unknowns.iter().enumerate() {
            mat[r][c] = a[ur][uc];
        }
        let mut rhs = b[ur];
        for &f in &fixed {
            rhs -= a[ur][f] * out[f];
        }
        mat[r][k] = rhs;
    }
    if let Some(x) = gauss_solve(mat) {
        for (r, &u) in unknowns.iter().enumerate() {
            out[u] = x[r];
        }
    }
    out
}

/// Gaussian elimination with partial pivoting on an augmented `k × (k+1)` matrix.
/// `None` when the matrix is numerically singular.
fn gauss_solve(mut m: Vec<Vec<f64>>) -> Option<Vec<f64>> {
    let k = m.len();
    let scale = m
        .iter()
        .flat_map(|r| r[..k].iter())
        .fold(0.0_f64, |acc, v| acc.max(v.abs()));
    for col in 0..k {
        let piv = (col..k).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[piv][col].abs() <= 1e-12 * scale.max(1.0) {
            return None;
        }
        m.swap(col, piv);
        for r in (col + 1)..k {
            let f = m[r][col] / m[col][col];
            if f != 0.0 {
                let (top, bottom) = m.split_at_mut(r);
                for (dst, src) in bottom[0][col..=k].iter_mut().zip(&top[col][col..=k]) {
                    *dst -= f * src;
                }
            }
        }
    }
    let mut x = vec![0.0; k];
    for r in (0..k).rev() {
        let mut v = m[r][k];
        for c in (r + 1)..k {
            v -= m[r][c] * x[c];
        }
        x[r] = v / m[r][r];
    }
    Some(x)
}
