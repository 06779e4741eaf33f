//! Levenberg–Marquardt fit of one half-ellipsoid to the pixels of a window (spec §5.5).
//!
//! Minimises `½·Σ_window (ξ(r, c) − Z(r, c))²` over `(h, col, row, a, b)` with box bounds
//! (projected steps). The Jacobian is analytic inside the support. The function is not
//! differentiable at its rim (`∂ξ/∂q = h/(2√q)` diverges), so the Jacobian is evaluated
//! at `max(q, Q_MIN)` on the slightly enlarged support `q > −Q_EXT`: pixels just outside
//! the rim still pull the semi-axes outwards. Steps are accepted only when the exact cost
//! decreases, so the surrogate Jacobian affects the path, never the objective.

#![allow(clippy::needless_range_loop)] // small dense 5×5 algebra reads best indexed

use super::ellipsoid::{HalfEllipsoid, Q_EPS};

/// Floor of the bracket in the Jacobian.
const Q_MIN: f64 = 0.02;
/// Enlargement of the support for the Jacobian (in units of the bracket).
const Q_EXT: f64 = 0.3;

/// One data pixel: row, column, value.
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

/// Solves the symmetric positive-definite system `m·x = y` by Cholesky; `None` when `m` is
/// not positive definite.
fn cholesky_solve(m: &[[f64; 5]; 5], y: &[f64; 5]) -> Option<[f64; 5]> {
    let mut l = [[0.0; 5]; 5];
    for i in 0..5 {
        for k in 0..=i {
            let mut s = m[i][k];
            for j in 0..k {
                s -= l[i][j] * l[k][j];
            }
            if i == k {
                if s.is_nan() || s <= 0.0 {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][k] = s / l[k][k];
            }
        }
    }
    let mut z = [0.0; 5];
    for i in 0..5 {
        let mut s = y[i];
        for j in 0..i {
            s -= l[i][j] * z[j];
        }
        z[i] = s / l[i][i];
    }
    let mut x = [0.0; 5];
    for i in (0..5).rev() {
        let mut s = z[i];
        for j in i + 1..5 {
            s -= l[j][i] * x[j];
        }
        x[i] = s / l[i][i];
    }
    Some(x)
}

/// Fits one half-ellipsoid from `start` (clamped to `bounds`).
pub(crate) fn fit(
    pixels: &[Pixel],
    start: HalfEllipsoid,
    bounds: &Bounds,
    max_iter: usize,
    tol: f64,
) -> LmResult {
    let mut p = [start.height, start.col, start.row, start.a, start.b];
    bounds.clamp(&mut p);
    let (mut jtj, mut jte, mut cost) = normal_equations(pixels, &p);
    let mut lambda = 1e-3;
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
        let trial_cost = sse(pixels, &trial);
        if moved && trial_cost < cost {
            let decrease = cost - trial_cost;
            p = trial;
            (jtj, jte, cost) = normal_equations(pixels, &p);
            lambda = (lambda * 0.3).max(1e-9);
            if decrease <= tol * cost.max(f64::MIN_POSITIVE) {
                break;
            }
        } else {
            lambda *= 4.0;
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
