//! Max-product (max-sum) message passing for maximum-gain bipartite matching with the
//! "non-coincident" option (docs/model.md §3.5), the alignment method of the SES papers.
//!
//! Scalar log-domain messages, each the difference (value for s = 1) − (value for s = 0).
//! For every candidate edge `e = (k, k')`: `a_e` from the row constraint of `k`, `b_e`
//! from the column constraint of `k'`. Flooding schedule (both updates read the previous
//! sweep's messages):
//!
//! ```text
//! a_e ← −max(0, max_{e' in row k,  e' ≠ e} (g_e' + b_e'))
//! b_e ← −max(0, max_{e' in col k', e' ≠ e} (g_e' + a_e'))
//! a ← (1 − η)·a_new + η·a_old   (damping η, same for b)
//! belief B_e = g_e + a_e + b_e;  decision s_e = [B_e > 0]
//! ```
//!
//! The exclusive maxima use the top-2 of each row/column, so a sweep is O(|E|).
//! Stopping rule: the messages reached a fixed point (max |Δ| < `tol`, after which no
//! decision can change), or the decisions were unchanged for `stable_sweeps` sweeps with
//! max |Δ| < `loose_tol`; otherwise `max_sweeps` is reached and the run is reported as
//! not converged.

use super::exact::Edge;

/// Options of the message passing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaxProductOptions {
    /// Damping `η ∈ [0, 1)` (default 0: undamped, as the papers).
    pub damping: f64,
    /// Sweep cap (default 1,000).
    pub max_sweeps: usize,
    /// Fixed-point tolerance on messages (default 1e−9).
    pub tol: f64,
    /// Decisions unchanged for this many sweeps… (default 5)
    pub stable_sweeps: usize,
    /// …with messages moving less than this also stops (default 1e−6).
    pub loose_tol: f64,
}

impl Default for MaxProductOptions {
    fn default() -> Self {
        MaxProductOptions {
            damping: 0.0,
            max_sweeps: 1000,
            tol: 1e-9,
            stable_sweeps: 5,
            loose_tol: 1e-6,
        }
    }
}

/// Outcome of one max-product run.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxProductRun {
    /// Decisions per edge (`B_e > 0`).
    pub decisions: Vec<bool>,
    /// Final beliefs `B_e`.
    pub beliefs: Vec<f64>,
    /// Sweeps run (at most [`MaxProductOptions::max_sweeps`]).
    pub sweeps: usize,
    /// Whether the messages met the stopping rule (module documentation) before the sweep cap.
    pub converged: bool,
}

/// For each edge: `max(0, max over the other edges of its group of vals)`, by top-2.
fn exclusive_max(
    vals: &[f64],
    group: &[usize],
    n_groups: usize,
    out: &mut [f64],
    top: &mut [(f64, usize, f64)],
) {
    for t in top.iter_mut().take(n_groups) {
        *t = (f64::NEG_INFINITY, usize::MAX, f64::NEG_INFINITY);
    }
    for (e, (&v, &g)) in vals.iter().zip(group).enumerate() {
        let t = &mut top[g];
        if v > t.0 {
            t.2 = t.0;
            t.0 = v;
            t.1 = e;
        } else if v > t.2 {
            t.2 = v;
        }
    }
    for (e, o) in out.iter_mut().enumerate() {
        let t = top[group[e]];
        let other = if t.1 == e { t.2 } else { t.0 };
        *o = other.max(0.0);
    }
}

/// Max-product on a graph with `n_rows` x-nodes and `n_cols` y-nodes (edge endpoints are
/// local indices `< n_rows`, `< n_cols`).
pub fn max_product(
    edges: &[Edge],
    n_rows: usize,
    n_cols: usize,
    opts: &MaxProductOptions,
) -> MaxProductRun {
    let ne = edges.len();
    let rows: Vec<usize> = edges.iter().map(|e| e.x).collect();
    let cols: Vec<usize> = edges.iter().map(|e| e.y).collect();
    let g: Vec<f64> = edges.iter().map(|e| e.gain).collect();
    let mut a = vec![0.0f64; ne];
    let mut b = vec![0.0f64; ne];
    let mut a_new = vec![0.0f64; ne];
    let mut b_new = vec![0.0f64; ne];
    let mut vals = vec![0.0f64; ne];
    let mut top = vec![(0.0, 0usize, 0.0); n_rows.max(n_cols)];
    let mut beliefs = vec![0.0f64; ne];
    let mut dec = vec![false; ne];
    let mut prev: Option<Vec<bool>> = None;
    let mut same = 0usize;
    let eta = opts.damping;
    for sweep in 1..=opts.max_sweeps {
        for e in 0..ne {
            vals[e] = g[e] + b[e];
        }
        exclusive_max(&vals, &rows, n_rows, &mut a_new, &mut top);
        for e in 0..ne {
            vals[e] = g[e] + a[e];
        }
        exclusive_max(&vals, &cols, n_cols, &mut b_new, &mut top);
        let mut delta = 0.0f64;
        for e in 0..ne {
            let an = (1.0 - eta) * -a_new[e] + eta * a[e];
            let bn = (1.0 - eta) * -b_new[e] + eta * b[e];
            delta = delta.max((an - a[e]).abs()).max((bn - b[e]).abs());
            a[e] = an;
            b[e] = bn;
            beliefs[e] = g[e] + an + bn;
            dec[e] = beliefs[e] > 0.0;
        }
        if prev.as_ref().is_some_and(|p| *p == dec) {
            same += 1;
        } else {
            same = 0;
        }
        if delta < opts.tol || (same >= opts.stable_sweeps && delta < opts.loose_tol) {
            return MaxProductRun {
                decisions: dec,
                beliefs,
                sweeps: sweep,
                converged: true,
            };
        }
        match prev.as_mut() {
            Some(p) => p.copy_from_slice(&dec),
            None => prev = Some(dec.clone()),
        }
    }
    MaxProductRun {
        decisions: dec,
        beliefs,
        sweeps: opts.max_sweeps,
        converged: false,
    }
}
