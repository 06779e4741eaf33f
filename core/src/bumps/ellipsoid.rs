//! The half-ellipsoid bump function (docs/model.md §5.4), in map pixel coordinates.

use serde::{Deserialize, Serialize};

/// Below this value of the bracket the function is 0 (docs/model.md §5.4).
pub(crate) const Q_EPS: f64 = 1e-5;

/// A half-ellipsoid on the map grid: columns (time) and rows (frequency) as fractional
/// pixel indices.
///
/// ```text
/// ξ(r, c) = h · sqrt(q),   q = 1 − ((c − col)/a)² − ((r − row)/b)²,   if q > 1e−5, else 0
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HalfEllipsoid {
    /// Height `h` (normalised map units).
    pub height: f64,
    /// Centre column (time), fractional pixel index.
    pub col: f64,
    /// Centre row (frequency), fractional pixel index.
    pub row: f64,
    /// Time semi-axis `a`, columns.
    pub a: f64,
    /// Frequency semi-axis `b`, rows.
    pub b: f64,
}

impl HalfEllipsoid {
    /// The bracket `q` at pixel `(r, c)`.
    #[inline]
    pub fn bracket(&self, r: f64, c: f64) -> f64 {
        let u = (c - self.col) / self.a;
        let v = (r - self.row) / self.b;
        1.0 - u * u - v * v
    }

    /// `ξ(r, c)`.
    #[inline]
    pub fn value(&self, r: f64, c: f64) -> f64 {
        let q = self.bracket(r, c);
        if q > Q_EPS {
            self.height * q.sqrt()
        } else {
            0.0
        }
    }

    /// Inclusive pixel ranges `(rows, cols)` of the support clipped to a map of
    /// `n_rows × n_cols`; `None` when the support misses the map.
    pub fn support(
        &self,
        n_rows: usize,
        n_cols: usize,
    ) -> Option<((usize, usize), (usize, usize))> {
        let span = |centre: f64, semi: f64, n: usize| {
            let lo = (centre - semi).ceil().max(0.0);
            let hi = (centre + semi).floor().min(n as f64 - 1.0);
            (lo <= hi).then_some((lo as usize, hi as usize))
        };
        Some((
            span(self.row, self.b, n_rows)?,
            span(self.col, self.a, n_cols)?,
        ))
    }

    /// Volume under the half-ellipsoid, pixel²·height: `(2/3)·π·a·b·h`.
    pub fn volume(&self) -> f64 {
        2.0 / 3.0 * std::f64::consts::PI * self.a * self.b * self.height
    }
}
