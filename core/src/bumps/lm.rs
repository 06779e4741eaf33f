//! Levenberg–Marquardt fit of one half-ellipsoid to the pixels of a window (docs/model.md §5.5).
//!
//! Minimises `½·Σ_window (ξ(r, c) − Z(r, c))²` over `(h, col, row, a, b)` with box bounds
//! (projected steps). The Jacobian is analytic inside the support. The function is not
//! differentiable at its rim (`∂ξ/∂q = h/(2√q)` diverges), so the Jacobian is evaluated
//! at `max(q, Q_MIN)` on the slightly enlarged support `q > −Q_EXT`: pixels just outside
//! the rim still pull the semi-axes outwards. Steps are accepted only when the exact cost
//! decreases, so the surrogate Jacobian affects the path, never the objective.
//!
//! Speed: the window is a pixel grid, so each evaluation visits only the rows and, per row,
//! the columns inside the (enlarged) support; pixels outside contribute their constant
//! `Z²`, added once. Near the optimum the rim makes the cost a kinked function of the
//! semi-axes and centre, and the iterations zig-zag for many tiny decreases, so the fit
//! uses Nielsen's gain-ratio damping update and stops when the cost fell by less than
//! [`STALL_TOL`] (relative) over the last [`STALL_ITERS`] accepted steps. [`fit_reference`] (tests only) is the plain loop over all
//! window pixels without that rule, against which the fast fit is checked.

#![allow(clippy::needless_range_loop)] // small dense 5×5 algebra reads best indexed

use super::ellipsoid::{HalfEllipsoid, Q_EPS};
#[cfg(test)]
use super::kernel::Q_MIN;
use super::kernel::{self, Row, Q_EXT};

/// Stall rule: stop when the cost decreased by less than `STALL_TOL × cost` over the last
/// `STALL_ITERS` accepted steps.
pub(crate) const STALL_ITERS: usize = 5;
/// Relative cost decrease below which the fit is considered stalled (see [`STALL_ITERS`]).
pub(crate) const STALL_TOL: f64 = 3e-3;

/// The pixels of a rectangular window of the residual map, row-major.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid<'a> {
    /// Values, `n_rows × n_cols`, row-major.
    pub z: &'a [f64],
    /// Map row and column of the first pixel.
    pub row0: usize,
    pub col0: usize,
    pub n_rows: usize,
    pub n_cols: usize,
}

impl Grid<'_> {
    /// Inclusive range of grid columns `c` with `((c − centre)/a)² < w2` (empty: `None`),
    /// widened by one column on each side so rounding never drops a pixel; callers test
    /// the bracket exactly.
    #[inline]
    fn col_range(&self, centre: f64, a: f64, w2: f64) -> Option<(usize, usize)> {
        if w2 <= 0.0 {
            return None;
        }
        let half = a * w2.sqrt();
        let x = centre - half - self.col0 as f64;
        let y = centre + half - self.col0 as f64;
        // Truncating casts instead of floor/ceil (library calls on baseline x86-64):
        // trunc(x − 2) ≤ floor(x) − 1 and trunc(y + 2) ≥ ceil(y) + 1 whenever the range
        // is not empty, so the range is at least as wide.
        let lo = (x - 2.0) as i64;
        let hi = (y + 2.0) as i64;
        if hi < 0 || lo > self.n_cols as i64 - 1 {
            return None;
        }
        Some((lo.max(0) as usize, (hi as usize).min(self.n_cols - 1)))
    }

    /// Grid row `ri` for the bump `p = [h, col, row, a, b]`: the columns with
    /// `q > −reach` (`reach = −Q_EPS`: the support; `Q_EXT`: the enlarged support) and the
    /// row's offset `v = (r − row)/b`; `None` when the row misses them.
    #[inline]
    fn row(&self, ri: usize, p: &[f64; 5], reach: f64) -> Option<(Row<'_>, f64)> {
        let (h, c0, r0, a, b) = (p[0], p[1], p[2], p[3], p[4]);
        let v = ((self.row0 + ri) as f64 - r0) * (1.0 / b);
        let (lo, hi) = self.col_range(c0, a, 1.0 + reach - v * v)?;
        let row = Row {
            z: &self.z[ri * self.n_cols..(ri + 1) * self.n_cols],
            lo,
            hi,
            col0: self.col0,
            c0,
            ia: 1.0 / a,
            w: 1.0 - v * v,
            h,
        };
        Some((row, v))
    }
}

/// Sum of squares of the window: the cost of the zero bump.
fn energy(grid: &Grid) -> f64 {
    grid.z.iter().map(|z| z * z).sum()
}

/// `Σ_window (ξ − Z)²` at `p`, as `Σ Z² + Σ_support ((ξ − Z)² − Z²)`: only the pixels under
/// the bump are visited.
fn grid_sse(grid: &Grid, zz: f64, p: &[f64; 5]) -> f64 {
    let mut delta = 0.0;
    for ri in 0..grid.n_rows {
        if let Some((row, _)) = grid.row(ri, p, -Q_EPS) {
            delta += kernel::row_cost(&row);
        }
    }
    (zz + delta).max(0.0)
}

/// [`normal_equations`] on a grid, visiting only the pixels of the enlarged support, row by
/// row with the row factors of the Jacobian taken out of the pixel sums
/// ([`kernel::row_sums`]).
fn grid_normal_equations(grid: &Grid, zz: f64, p: &[f64; 5]) -> ([[f64; 5]; 5], [f64; 5], f64) {
    let (ia, ib) = (1.0 / p[3], 1.0 / p[4]);
    let mut jtj = [[0.0; 5]; 5];
    let mut jte = [0.0; 5];
    let mut delta = 0.0;
    for ri in 0..grid.n_rows {
        let Some((row, v)) = grid.row(ri, p, Q_EXT) else {
            continue;
        };
        let s = kernel::row_sums(&row);
        delta += s.delta;
        // Jacobian column k is (factor, pixel sum): 0 → (1, β₀), 1 → (1/a, G·u),
        // 2 → (v/b, G), 3 → (1/a, G·u²), 4 → (v²/b, G).
        let vb = v * ib;
        let v2b = v * vb;
        let ia2 = ia * ia;
        jtj[0][0] += s.s00;
        jtj[0][1] += ia * s.p[1];
        jtj[0][2] += vb * s.p[0];
        jtj[0][3] += ia * s.p[2];
        jtj[0][4] += v2b * s.p[0];
        jtj[1][1] += ia2 * s.t[2];
        jtj[1][2] += ia * vb * s.t[1];
        jtj[1][3] += ia2 * s.t[3];
        jtj[1][4] += ia * v2b * s.t[1];
        jtj[2][2] += vb * vb * s.t[0];
        jtj[2][3] += vb * ia * s.t[2];
        jtj[2][4] += vb * v2b * s.t[0];
        jtj[3][3] += ia2 * s.t[4];
        jtj[3][4] += ia * v2b * s.t[2];
        jtj[4][4] += v2b * v2b * s.t[0];
        jte[0] += s.e[0];
        jte[1] += ia * s.e[2];
        jte[2] += vb * s.e[1];
        jte[3] += ia * s.e[3];
        jte[4] += v2b * s.e[1];
    }
    for i in 0..5 {
        for k in 0..i {
            jtj[i][k] = jtj[k][i];
        }
    }
    (jtj, jte, (zz + delta).max(0.0))
}

/// One data pixel: row, column, value.
#[cfg(test)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pixel {
    pub r: f64,
    pub c: f64,
    pub z: f64,
}

/// Box bounds of the five parameters `[h, col, row, a, b]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub lo: [f64; 5],
    pub hi: [f64; 5],
}

impl Bounds {
    fn clamp(&self, p: &mut [f64; 5]) {
        for i in 0..5 {
            p[i] = p[i].clamp(self.lo[i], self.hi[i]);
        }
    }
}

/// Result of one fit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LmResult {
    pub bump: HalfEllipsoid,
    /// Final `Σ (ξ − Z)²` over the window.
    pub sse: f64,
    pub iterations: usize,
}

fn to_bump(p: &[f64; 5]) -> HalfEllipsoid {
    HalfEllipsoid {
        height: p[0],
        col: p[1],
        row: p[2],
        a: p[3],
        b: p[4],
    }
}

#[cfg(test)]
fn sse(pixels: &[Pixel], p: &[f64; 5]) -> f64 {
    let e = to_bump(p);
    pixels
        .iter()
        .map(|px| {
            let d = e.value(px.r, px.c) - px.z;
            d * d
        })
        .sum()
}

/// Normal equations `JᵀJ` (upper triangle filled symmetric) and `Jᵀe` at `p`, and the
/// cost `Σ e²`.
#[cfg(test)]
fn normal_equations(pixels: &[Pixel], p: &[f64; 5]) -> ([[f64; 5]; 5], [f64; 5], f64) {
    let (h, c0, r0, a, b) = (p[0], p[1], p[2], p[3], p[4]);
    let mut jtj = [[0.0; 5]; 5];
    let mut jte = [0.0; 5];
    let mut cost = 0.0;
    for px in pixels {
        let u = (px.c - c0) / a;
        let v = (px.r - r0) / b;
        let q = 1.0 - u * u - v * v;
        let sq = if q > Q_EPS { q.sqrt() } else { 0.0 };
        let e = h * sq - px.z;
        cost += e * e;
        if q <= -Q_EXT {
            continue;
        }
        let s = q.max(Q_MIN).sqrt();
        let g = h / (2.0 * s);
        let j = [
            sq,
            g * 2.0 * u / a,
            g * 2.0 * v / b,
            g * 2.0 * u * u / a,
            g * 2.0 * v * v / b,
        ];
        for i in 0..5 {
            jte[i] += j[i] * e;
            for k in i..5 {
                jtj[i][k] += j[i] * j[k];
            }
        }
    }
    for i in 0..5 {
        for k in 0..i {
            jtj[i][k] = jtj[k][i];
        }
    }
    (jtj, jte, cost)
}

/// Solves the symmetric positive-definite system `m·x = y` by Cholesky
/// ([`crate::linalg`]), on the stack; `None` when `m` is not positive definite.
fn cholesky_solve(m: &[[f64; 5]; 5], y: &[f64; 5]) -> Option<[f64; 5]> {
    let mut l = [0.0; 25];
    if !crate::linalg::cholesky_into(m.as_flattened(), 5, &mut l) {
        return None;
    }
    let mut x = *y;
    crate::linalg::cholesky_solve(&l, 5, &mut x, 1);
    Some(x)
}

/// Fits one half-ellipsoid to the window `grid` from `start` (clamped to `bounds`), with
/// the stall rule.
pub(crate) fn fit(
    grid: &Grid,
    start: HalfEllipsoid,
    bounds: &Bounds,
    max_iter: usize,
    tol: f64,
) -> LmResult {
    let zz = energy(grid);
    run(
        |p| grid_normal_equations(grid, zz, p),
        |p| grid_sse(grid, zz, p),
        start,
        bounds,
        max_iter,
        tol,
        true,
    )
}

/// The reference fit: every window pixel at every evaluation, no stall rule.
#[cfg(test)]
pub(crate) fn fit_reference(
    pixels: &[Pixel],
    start: HalfEllipsoid,
    bounds: &Bounds,
    max_iter: usize,
    tol: f64,
) -> LmResult {
    run(
        |p| normal_equations(pixels, p),
        |p| sse(pixels, p),
        start,
        bounds,
        max_iter,
        tol,
        false,
    )
}

/// The Levenberg–Marquardt loop on the evaluators `ne` (normal equations and cost) and
/// `cost_of`. `fast` selects the damping update of Nielsen (gain-ratio driven) and the
/// stall rule; otherwise the damping is divided by 3.3 on success and multiplied by 4 on
/// failure, and only the relative tolerance `tol` on one step's decrease stops the loop.
fn run(
    ne: impl Fn(&[f64; 5]) -> ([[f64; 5]; 5], [f64; 5], f64),
    cost_of: impl Fn(&[f64; 5]) -> f64,
    start: HalfEllipsoid,
    bounds: &Bounds,
    max_iter: usize,
    tol: f64,
    fast: bool,
) -> LmResult {
    let mut p = [start.height, start.col, start.row, start.a, start.b];
    bounds.clamp(&mut p);
    let (mut jtj, mut jte, mut cost) = ne(&p);
    // Cost after each of the last STALL_ITERS accepted steps (ring buffer).
    let mut recent = [f64::INFINITY; STALL_ITERS];
    let mut accepted = 0;
    let mut lambda = 1e-3;
    let mut nu = 2.0f64;
    let mut iterations = 0;
    while iterations < max_iter {
        iterations += 1;
        let mut m = jtj;
        for (i, row) in m.iter_mut().enumerate() {
            row[i] += lambda * jtj[i][i].max(1e-12) + 1e-12;
        }
        let neg = [-jte[0], -jte[1], -jte[2], -jte[3], -jte[4]];
        let Some(step) = cholesky_solve(&m, &neg) else {
            lambda *= 10.0;
            if lambda > 1e12 {
                break;
            }
            continue;
        };
        let mut trial = p;
        for i in 0..5 {
            trial[i] += step[i];
        }
        bounds.clamp(&mut trial);
        let moved = (0..5).any(|i| trial[i] != p[i]);
        let trial_cost = cost_of(&trial);
        if moved && trial_cost < cost {
            let decrease = cost - trial_cost;
            if fast {
                // Gain ratio: actual over predicted decrease of the (projected) step h,
                // predicted = −hᵀJᵀe + λ·hᵀDh for the model ‖e + Jh‖².
                let mut predicted = 0.0;
                for i in 0..5 {
                    let h = trial[i] - p[i];
                    predicted += -h * jte[i] + lambda * jtj[i][i].max(1e-12) * h * h;
                }
                let rho = decrease / predicted.max(f64::MIN_POSITIVE);
                let shrink = (1.0f64 / 3.0).max(1.0 - (2.0 * rho - 1.0).powi(3));
                lambda = (lambda * shrink).max(1e-9);
                nu = 2.0;
            } else {
                lambda = (lambda * 0.3).max(1e-9);
            }
            p = trial;
            (jtj, jte, cost) = ne(&p);
            if decrease <= tol * cost.max(f64::MIN_POSITIVE) {
                break;
            }
            if fast {
                let slot = accepted % STALL_ITERS;
                if recent[slot] - cost <= STALL_TOL * cost {
                    break;
                }
                recent[slot] = cost;
                accepted += 1;
            }
        } else {
            if fast {
                lambda *= nu;
                nu *= 2.0;
            } else {
                lambda *= 4.0;
            }
            if lambda > 1e12 || !moved && lambda > 1e6 {
                break;
            }
        }
    }
    LmResult {
        bump: to_bump(&p),
        sse: cost,
        iterations,
    }
}
