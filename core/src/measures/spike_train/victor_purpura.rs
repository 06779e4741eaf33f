//! Victor–Purpura spike-time distance (Victor & Purpura 1996, `D^spike[q]`).

use super::trains;
use crate::measures::Direction;
use crate::measures::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, Value,
};

/// Victor–Purpura distance between two sorted event trains (seconds): the minimum
/// total cost of turning `a` into `b` when deleting or inserting an event costs 1 and
/// moving one by Δ seconds costs `q·|Δ|` (`q` in 1/s). Empty trains: the distance is
/// the other train's event count (0 for two empty trains).
///
/// Exact. An alignment is an order-preserving partial matching `M` of the events, of
/// cost `(n − |M|) + (m − |M|) + Σ_M q·|Δ|` = `n + m − Σ_M (2 − q·|Δ|)`; only pairs
/// closer than `2/q` can lower it. When such pairs are few (the usual case: time scale
/// `1/q` shorter than the inter-event intervals), the best matching is found over them
/// alone — a maximum-weight common subsequence over sparse candidate pairs, with a
/// Fenwick tree of prefix maxima, O((n + m + P) log m) for P candidate pairs. Otherwise
/// the classic dynamic programme over one row, O(n·m):
/// `G[i][j] = min(G[i−1][j] + 1, G[i][j−1] + 1, G[i−1][j−1] + q·|a_i − b_j|)`.
pub fn victor_purpura(a: &[f64], b: &[f64], q: f64) -> f64 {
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) as f64;
    }
    let pairs = candidate_pairs(a, b, q);
    if (pairs as f64) < 0.25 * (a.len() as f64) * (b.len() as f64) {
        victor_purpura_sparse(a, b, q)
    } else {
        victor_purpura_dense(a, b, q)
    }
}

/// Number of pairs with `q·|a_i − b_j| < 2` (the only ones worth matching).
fn candidate_pairs(a: &[f64], b: &[f64], q: f64) -> usize {
    let mut lo = 0usize;
    let mut count = 0usize;
    for &ai in a {
        while lo < b.len() && q * (ai - b[lo]) >= 2.0 {
            lo += 1;
        }
        let mut j = lo;
        while j < b.len() && q * (b[j] - ai) < 2.0 {
            j += 1;
        }
        count += j - lo;
    }
    count
}

/// The full dynamic programme over one row (O(n·m) time, O(m) memory).
fn victor_purpura_dense(a: &[f64], b: &[f64], q: f64) -> f64 {
    // Iterate over the longer train in the outer loop so the row is the shorter one.
    let (a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let m = b.len();
    let mut row: Vec<f64> = (0..=m).map(|j| j as f64).collect();
    for (i, &ai) in a.iter().enumerate() {
        let mut diag = row[0];
        let mut left = (i + 1) as f64;
        row[0] = left;
        for (cell, &bj) in row[1..].iter_mut().zip(b) {
            let up = *cell;
            let v = (up.min(left) + 1.0).min(diag + q * (ai - bj).abs());
            diag = up;
            left = v;
            *cell = v;
        }
    }
    row[m]
}

/// `n + m −` the maximum of `Σ (2 − q·|a_i − b_j|)` over order-preserving matchings of
/// candidate pairs (`q·|Δ| < 2`).
fn victor_purpura_sparse(a: &[f64], b: &[f64], q: f64) -> f64 {
    let m = b.len();
    // Fenwick tree over b's index (1-based) of the best matching weight ending at or before j
    let mut tree = vec![0.0f64; m + 1];
    let query = |tree: &[f64], mut j: usize| -> f64 {
        let mut best = 0.0f64;
        while j > 0 {
            best = best.max(tree[j]);
            j &= j - 1;
        }
        best
    };
    let mut lo = 0usize;
    let mut row: Vec<(usize, f64)> = Vec::new();
    for &ai in a {
        while lo < m && q * (ai - b[lo]) >= 2.0 {
            lo += 1;
        }
        // score every candidate of this row before updating, so that two pairs of the
        // same event a_i never chain
        row.clear();
        let mut j = lo;
        while j < m && q * (b[j] - ai) < 2.0 {
            let w = 2.0 - q * (ai - b[j]).abs();
            if w > 0.0 {
                row.push((j, w + query(&tree, j)));
            }
            j += 1;
        }
        for &(j, best) in &row {
            let mut k = j + 1;
            while k <= m {
                if tree[k] < best {
                    tree[k] = best;
                }
                k += k & k.wrapping_neg();
            }
        }
    }
    (a.len() + b.len()) as f64 - query(&tree, m)
}

/// The Victor–Purpura distance as a plugin (`victor-purpura`).
pub struct VictorPurpura;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "q",
    unit: "1/s",
    kind: ParamKind::Float {
        default: 10.0,
        min: 0.0,
        max: 1e9,
    },
    doc: "Cost per second of moving an event; its time scale is 1/q s. \
          A shift longer than 2/q s costs more than deleting and re-inserting the event. \
          q = 0 counts only the difference in event numbers.",
}];

static OUTPUTS: &[OutputSpec] = &[OutputSpec {
    name: "distance",
    unit: "",
    doc: "Minimum total cost (in units of one event deletion); 0 for identical trains.",
    direction: Direction::Lower,
}];

static INFO: MeasureInfo = MeasureInfo {
    id: "victor-purpura",
    title: "Victor–Purpura distance",
    doc: "Minimum cost of turning train x into train y (Victor & Purpura 1996): deleting or \
         inserting an event costs 1, moving an event by Δ s costs q·|Δ|. Exact: dynamic \
         programme, over the pairs closer than 2/q when they are few.",
    input: InputKind::PointProcess,
    params: PARAMS,
    outputs: OUTPUTS,
    directed: false,
};

impl Plugin for VictorPurpura {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.info().id, pair)?;
        let q = params.f64("q")?;
        Ok(vec![Value::new("distance", victor_purpura(t.x, t.y, q))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Full-matrix DP written straight from the recurrence.
    fn full_dp(a: &[f64], b: &[f64], q: f64) -> f64 {
        let (n, m) = (a.len(), b.len());
        let mut g = vec![vec![0.0; m + 1]; n + 1];
        for (i, r) in g.iter_mut().enumerate() {
            r[0] = i as f64;
        }
        for (j, v) in g[0].iter_mut().enumerate() {
            *v = j as f64;
        }
        for i in 1..=n {
            for j in 1..=m {
                g[i][j] = (g[i - 1][j] + 1.0)
                    .min(g[i][j - 1] + 1.0)
                    .min(g[i - 1][j - 1] + q * (a[i - 1] - b[j - 1]).abs());
            }
        }
        g[n][m]
    }

    #[test]
    fn matches_full_matrix_and_is_symmetric() {
        let a = [0.05, 0.3, 0.31, 0.9, 1.4, 2.2, 2.3];
        let b = [0.1, 0.35, 1.0, 1.45, 2.0];
        for q in [0.0, 0.5, 1.0, 4.0, 10.0, 100.0] {
            let d = victor_purpura(&a, &b, q);
            assert!(
                (victor_purpura_sparse(&a, &b, q) - full_dp(&a, &b, q)).abs() < 1e-12,
                "q={q}"
            );
            assert!(
                (victor_purpura_dense(&a, &b, q) - full_dp(&a, &b, q)).abs() < 1e-12,
                "q={q}"
            );
            assert!((d - full_dp(&a, &b, q)).abs() < 1e-12, "q={q}");
            assert!((d - victor_purpura(&b, &a, q)).abs() < 1e-12);
        }
    }

    #[test]
    fn sparse_equals_dense_on_random_trains() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for trial in 0..200 {
            let n = rng.gen_range(0..40);
            let m = rng.gen_range(0..40);
            let span = rng.gen_range(0.5..20.0);
            let mut a: Vec<f64> = (0..n)
                .map(|_| (rng.gen_range(0.0..span) * 1000.0f64).round() / 1000.0)
                .collect();
            let mut b: Vec<f64> = (0..m)
                .map(|_| (rng.gen_range(0.0..span) * 1000.0f64).round() / 1000.0)
                .collect();
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            for q in [0.0, 0.3, 1.0, 10.0, 200.0] {
                let want = full_dp(&a, &b, q);
                if a.is_empty() || b.is_empty() {
                    assert_eq!(victor_purpura(&a, &b, q), want);
                    continue;
                }
                let s = victor_purpura_sparse(&a, &b, q);
                let d = victor_purpura_dense(&a, &b, q);
                assert!(
                    (s - want).abs() < 1e-9,
                    "trial {trial} q {q}: sparse {s} vs {want}"
                );
                assert!(
                    (d - want).abs() < 1e-9,
                    "trial {trial} q {q}: dense {d} vs {want}"
                );
            }
        }
    }

    #[test]
    fn limits() {
        let a = [0.1, 0.5, 1.2];
        let b = [0.12, 0.55, 1.5, 2.02];
        assert_eq!(victor_purpura(&a, &a, 10.0), 0.0);
        assert_eq!(victor_purpura(&a, &b, 0.0), 1.0); // only the count differs
        assert_eq!(victor_purpura(&a, &b, 1e6), 7.0); // no shift pays: delete 3, insert 4
        assert_eq!(victor_purpura(&[], &b, 1.0), 4.0);
        assert_eq!(victor_purpura(&a, &[], 1.0), 3.0);
        assert_eq!(victor_purpura(&[], &[], 1.0), 0.0);
        // one shift of 0.2 s at q = 2/s costs 0.4
        assert!((victor_purpura(&[1.0], &[1.2], 2.0) - 0.4).abs() < 1e-12);
    }
}
