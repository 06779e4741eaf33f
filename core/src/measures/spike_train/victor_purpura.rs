//! Victor–Purpura spike-time distance (Victor & Purpura 1996, `D^spike[q]`).

use crate::measures::{InputKind, Measure, MeasureError, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues, Value};
use super::trains;

/// Victor–Purpura distance between two sorted event trains (seconds): the minimum
/// total cost of turning `a` into `b` when deleting or inserting an event costs 1 and
/// moving one by Δ seconds costs `q·|Δ|` (`q` in 1/s).
///
/// Exact dynamic programme over one row, O(n·m) time and O(m) memory:
/// `G[i][j] = min(G[i−1][j] + 1, G[i][j−1] + 1, G[i−1][j−1] + q·|a_i − b_j|)`,
/// `G[i][0] = i`, `G[0][j] = j`. Empty trains: the distance is the other train's
/// event count (0 for two empty trains).
pub fn victor_purpura(a: &[f64], b: &[f64], q: f64) -> f64 {
    // Iterate over the longer train in the outer loop so the row is the shorter one.
    let (a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let m = b.len();
    if m == 0 {
        return a.len() as f64;
    }
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

/// The Victor–Purpura distance as a plugin (`victor-purpura`).
pub struct VictorPurpura;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "q",
    unit: "1/s",
    kind: ParamKind::Float { default: 10.0, min: 0.0, max: 1e9 },
    doc: "Cost per second of moving an event; its time scale is 1/q s. \
          A shift longer than 2/q s costs more than deleting and re-inserting the event. \
          q = 0 counts only the difference in event numbers.",
}];

static OUTPUTS: &[OutputSpec] = &[OutputSpec {
    name: "distance",
    unit: "",
    doc: "Minimum total cost (in units of one event deletion); 0 for identical trains.",
}];

impl Measure for VictorPurpura {
    fn id(&self) -> &'static str {
        "victor-purpura"
    }
    fn title(&self) -> &'static str {
        "Victor–Purpura distance"
    }
    fn doc(&self) -> &'static str {
        "Minimum cost of turning train x into train y (Victor & Purpura 1996): deleting or \
         inserting an event costs 1, moving an event by Δ s costs q·|Δ|. Exact dynamic \
         programme, O(n·m)."
    }
    fn input(&self) -> InputKind {
        InputKind::PointProcess
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        OUTPUTS
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.id(), pair)?;
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
        for j in 0..=m {
            g[0][j] = j as f64;
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
            assert!((d - full_dp(&a, &b, q)).abs() < 1e-12, "q={q}");
            assert!((d - victor_purpura(&b, &a, q)).abs() < 1e-12);
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
