//! The pixel loops of the half-ellipsoid fit: one window row at a time, four pixels at a
//! time.
//!
//! A row of the window has a fixed frequency offset `v = (r − row)/b`, so every pixel of
//! the row shares `1 − v²` and the row factors of the Jacobian. Per pixel, with
//! `u = (c − col)/a` and `q = 1 − u² − v²`:
//!
//! ```text
//! ξ  = h·√q                          (q > Q_EPS, else 0)
//! ∂ξ/∂h   = √q                                     = β₀
//! ∂ξ/∂col = G·u/a,   ∂ξ/∂a = G·u²/a                = β₁/a, β₃/a
//! ∂ξ/∂row = G·v/b,   ∂ξ/∂b = G·v²/b                = (v/b)·β₂, (v²/b)·β₂
//! G = h/√max(q, Q_MIN)               (on the enlarged support q > −Q_EXT, else 0)
//! ```
//!
//! so the 15 entries of `JᵀJ` over a row are the row factors times nine sums over its
//! pixels (`Σ β₀²`, `Σ β₀·G·uᵏ` for k = 0…2, `Σ G²·uᵏ` for k = 0…4) and `Jᵀe` four more
//! (`Σ e·β₀`, `Σ e·G·uᵏ`, k = 0…2). Each sum is kept in four lanes (pixel `k` of the row
//! goes to lane `k mod 4`), added in a fixed order at the end of the row. The loops are
//! compiled twice, plainly and for AVX, and the AVX copy is used when the processor has
//! it; neither fuses multiplications and additions and both take the same operations in
//! the same order, so they give the same bits.

use super::ellipsoid::Q_EPS;

/// Floor of the bracket in the Jacobian.
pub(crate) const Q_MIN: f64 = 0.02;
/// Enlargement of the support for the Jacobian (in units of the bracket).
pub(crate) const Q_EXT: f64 = 0.3;

const L: usize = 4;

/// One window row of pixel values, the columns to visit and the bump's time geometry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    /// The row's values; grid column `k` is map column `col0 + k`.
    pub z: &'a [f64],
    /// Inclusive range of grid columns to visit (`hi < z.len()`).
    pub lo: usize,
    pub hi: usize,
    /// Map column of grid column 0.
    pub col0: usize,
    /// Bump centre column and inverse time semi-axis `1/a`.
    pub c0: f64,
    pub ia: f64,
    /// `1 − v²` for this row.
    pub w: f64,
    /// Bump height.
    pub h: f64,
}

/// The thirteen pixel sums of one row (see the module documentation) and the change of
/// the cost `Σ ξ·(ξ − 2Z)`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct RowSums {
    /// `Σ β₀²`.
    pub s00: f64,
    /// `Σ β₀·G·uᵏ`, k = 0, 1, 2.
    pub p: [f64; 3],
    /// `Σ G²·uᵏ`, k = 0…4.
    pub t: [f64; 5],
    /// `Σ e·β₀` and `Σ e·G·uᵏ`, k = 0, 1, 2 (`e = ξ − Z`).
    pub e: [f64; 4],
    /// `Σ ξ·(ξ − 2Z)`.
    pub delta: f64,
}

/// `Σ_row ξ·(ξ − 2Z)` over the pixels with `q > Q_EPS`.
#[inline]
pub(crate) fn row_cost(row: &Row) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        dispatch(row, row_cost_avx, row_cost_lanes)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        row_cost_lanes(row)
    }
}

/// The sums of [`RowSums`] over the pixels of the enlarged support.
#[inline]
pub(crate) fn row_sums(row: &Row) -> RowSums {
    #[cfg(target_arch = "x86_64")]
    {
        dispatch(row, row_sums_avx, row_sums_lanes)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        row_sums_lanes(row)
    }
}

/// Runs the AVX copy of a row loop when the processor has AVX, the plain one otherwise.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn dispatch<T>(row: &Row, with_avx: unsafe fn(&Row) -> T, plain: fn(&Row) -> T) -> T {
    if avx() {
        // SAFETY: `with_avx` only needs AVX, and the processor has it (checked just above).
        unsafe { with_avx(row) }
    } else {
        plain(row)
    }
}

/// True when the processor has AVX (checked once).
#[cfg(target_arch = "x86_64")]
#[inline]
fn avx() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    static HAS: AtomicU8 = AtomicU8::new(0);
    match HAS.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            let yes = std::arch::is_x86_feature_detected!("avx");
            HAS.store(if yes { 1 } else { 2 }, Ordering::Relaxed);
            yes
        }
    }
}

/// [`row_cost_lanes`] in AVX registers: lane `l` of each register is the lane `l` of the
/// plain loop, with the same operations in the same order.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn row_cost_avx(row: &Row) -> f64 {
    use std::arch::x86_64::*;
    let (c0, ia, w, h) = (
        _mm256_set1_pd(row.c0),
        _mm256_set1_pd(row.ia),
        _mm256_set1_pd(row.w),
        _mm256_set1_pd(row.h),
    );
    let (q_eps, two, zero) = (
        _mm256_set1_pd(Q_EPS),
        _mm256_set1_pd(2.0),
        _mm256_setzero_pd(),
    );
    let lanes = _mm256_set_pd(3.0, 2.0, 1.0, 0.0);
    let last = _mm256_set1_pd(row.hi as f64);
    let mut acc = zero;
    let mut k = row.lo;
    while k <= row.hi {
        let (z, valid) = avx_chunk(row, k, lanes, last);
        let col = _mm256_add_pd(_mm256_set1_pd((row.col0 + k) as f64), lanes);
        let u = _mm256_mul_pd(_mm256_sub_pd(col, c0), ia);
        let q = _mm256_sub_pd(w, _mm256_mul_pd(u, u));
        let m = _mm256_and_pd(valid, _mm256_cmp_pd::<_CMP_GT_OQ>(q, q_eps));
        let sq = _mm256_and_pd(m, _mm256_sqrt_pd(_mm256_max_pd(q, zero)));
        let x = _mm256_mul_pd(h, sq);
        let d = _mm256_mul_pd(x, _mm256_sub_pd(x, _mm256_mul_pd(two, z)));
        acc = _mm256_add_pd(acc, d);
        k += L;
    }
    reduce(avx_lanes(acc))
}

/// [`row_sums_lanes`] in AVX registers (lane `l` = lane `l` of the plain loop, same
/// operations in the same order).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn row_sums_avx(row: &Row) -> RowSums {
    use std::arch::x86_64::*;
    let (c0, ia, w, h) = (
        _mm256_set1_pd(row.c0),
        _mm256_set1_pd(row.ia),
        _mm256_set1_pd(row.w),
        _mm256_set1_pd(row.h),
    );
    let (q_eps, q_min, q_ext, two, zero) = (
        _mm256_set1_pd(Q_EPS),
        _mm256_set1_pd(Q_MIN),
        _mm256_set1_pd(-Q_EXT),
        _mm256_set1_pd(2.0),
        _mm256_setzero_pd(),
    );
    let q_min_sqrt = _mm256_set1_pd(Q_MIN.sqrt());
    let lanes = _mm256_set_pd(3.0, 2.0, 1.0, 0.0);
    let last = _mm256_set1_pd(row.hi as f64);
    let mut s00 = zero;
    let mut p = [zero; 3];
    let mut t = [zero; 5];
    let mut e = [zero; 4];
    let mut delta = zero;
    let mut k = row.lo;
    while k <= row.hi {
        let (z, valid) = avx_chunk(row, k, lanes, last);
        let col = _mm256_add_pd(_mm256_set1_pd((row.col0 + k) as f64), lanes);
        let u = _mm256_mul_pd(_mm256_sub_pd(col, c0), ia);
        let q = _mm256_sub_pd(w, _mm256_mul_pd(u, u));
        let inside = _mm256_and_pd(valid, _mm256_cmp_pd::<_CMP_GT_OQ>(q, q_ext));
        let m = _mm256_and_pd(inside, _mm256_cmp_pd::<_CMP_GT_OQ>(q, q_eps));
        let sq = _mm256_and_pd(m, _mm256_sqrt_pd(_mm256_max_pd(q, zero)));
        let s = _mm256_blendv_pd(q_min_sqrt, sq, _mm256_cmp_pd::<_CMP_GT_OQ>(q, q_min));
        let g = _mm256_and_pd(inside, _mm256_div_pd(h, s));
        let x = _mm256_mul_pd(h, sq);
        let err = _mm256_sub_pd(x, z);
        delta = _mm256_add_pd(
            delta,
            _mm256_mul_pd(x, _mm256_sub_pd(x, _mm256_mul_pd(two, z))),
        );
        let gu = _mm256_mul_pd(g, u);
        let gu2 = _mm256_mul_pd(gu, u);
        let sg = _mm256_mul_pd(sq, g);
        let sgu = _mm256_mul_pd(sg, u);
        s00 = _mm256_add_pd(s00, _mm256_mul_pd(sq, sq));
        p[0] = _mm256_add_pd(p[0], sg);
        p[1] = _mm256_add_pd(p[1], sgu);
        p[2] = _mm256_add_pd(p[2], _mm256_mul_pd(sgu, u));
        let g2 = _mm256_mul_pd(g, g);
        let g2u = _mm256_mul_pd(g2, u);
        let g2u2 = _mm256_mul_pd(g2u, u);
        let g2u3 = _mm256_mul_pd(g2u2, u);
        t[0] = _mm256_add_pd(t[0], g2);
        t[1] = _mm256_add_pd(t[1], g2u);
        t[2] = _mm256_add_pd(t[2], g2u2);
        t[3] = _mm256_add_pd(t[3], g2u3);
        t[4] = _mm256_add_pd(t[4], _mm256_mul_pd(g2u3, u));
        e[0] = _mm256_add_pd(e[0], _mm256_mul_pd(err, sq));
        e[1] = _mm256_add_pd(e[1], _mm256_mul_pd(err, g));
        e[2] = _mm256_add_pd(e[2], _mm256_mul_pd(err, gu));
        e[3] = _mm256_add_pd(e[3], _mm256_mul_pd(err, gu2));
        k += L;
    }
    RowSums {
        s00: reduce(avx_lanes(s00)),
        p: p.map(|v| reduce(avx_lanes(v))),
        t: t.map(|v| reduce(avx_lanes(v))),
        e: e.map(|v| reduce(avx_lanes(v))),
        delta: reduce(avx_lanes(delta)),
    }
}

/// Pixel values of chunk `k` of the row and the mask of lanes `k + l ≤ hi`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn avx_chunk(
    row: &Row,
    k: usize,
    lanes: std::arch::x86_64::__m256d,
    last: std::arch::x86_64::__m256d,
) -> (std::arch::x86_64::__m256d, std::arch::x86_64::__m256d) {
    use std::arch::x86_64::*;
    if k + L - 1 <= row.hi {
        // SAFETY: lanes k..k + 4 lie inside the row (k + 3 ≤ hi < z.len()).
        let z = unsafe { _mm256_loadu_pd(row.z.as_ptr().add(k)) };
        (z, _mm256_castsi256_pd(_mm256_set1_epi64x(-1)))
    } else {
        let mut buf = [0.0f64; L];
        buf[..=row.hi - k].copy_from_slice(&row.z[k..=row.hi]);
        // SAFETY: `buf` holds exactly 4 f64.
        let z = unsafe { _mm256_loadu_pd(buf.as_ptr()) };
        let idx = _mm256_add_pd(_mm256_set1_pd(k as f64), lanes);
        (z, _mm256_cmp_pd::<_CMP_LE_OQ>(idx, last))
    }
}

/// The four lanes of an AVX register.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn avx_lanes(v: std::arch::x86_64::__m256d) -> [f64; L] {
    let mut out = [0.0f64; L];
    // SAFETY: `out` holds exactly 4 f64.
    unsafe { std::arch::x86_64::_mm256_storeu_pd(out.as_mut_ptr(), v) };
    out
}

/// `a > b ? a : b`, the operation of `maxpd` (written so, both copies agree on it).
#[inline(always)]
fn max(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

/// Pixel values and map columns of chunk `k` of the row (lanes past `hi` get `z = 0`
/// and are masked out by `valid`).
#[inline(always)]
fn chunk(row: &Row, k: usize) -> ([f64; L], [f64; L], [bool; L]) {
    let mut z = [0.0; L];
    let mut col = [0.0; L];
    let mut valid = [false; L];
    for l in 0..L {
        let i = k + l;
        valid[l] = i <= row.hi;
        z[l] = if valid[l] { row.z[i] } else { 0.0 };
        col[l] = (row.col0 + i) as f64;
    }
    (z, col, valid)
}

/// Lane-wise sum in the fixed order `(l0 + l1) + (l2 + l3)`.
#[inline(always)]
fn reduce(a: [f64; L]) -> f64 {
    (a[0] + a[1]) + (a[2] + a[3])
}

#[inline(always)]
fn row_cost_lanes(row: &Row) -> f64 {
    let mut acc = [0.0f64; L];
    let mut k = row.lo;
    while k <= row.hi {
        let (z, col, valid) = chunk(row, k);
        for l in 0..L {
            let u = (col[l] - row.c0) * row.ia;
            let q = row.w - u * u;
            let sq = if valid[l] && q > Q_EPS {
                max(q, 0.0).sqrt()
            } else {
                0.0
            };
            let x = row.h * sq;
            acc[l] += x * (x - 2.0 * z[l]);
        }
        k += L;
    }
    reduce(acc)
}

#[inline(always)]
fn row_sums_lanes(row: &Row) -> RowSums {
    let q_min_sqrt = Q_MIN.sqrt();
    let mut s00 = [0.0f64; L];
    let mut p = [[0.0f64; L]; 3];
    let mut t = [[0.0f64; L]; 5];
    let mut e = [[0.0f64; L]; 4];
    let mut delta = [0.0f64; L];
    let mut k = row.lo;
    while k <= row.hi {
        let (z, col, valid) = chunk(row, k);
        for l in 0..L {
            let u = (col[l] - row.c0) * row.ia;
            let q = row.w - u * u;
            let inside = valid[l] && q > -Q_EXT;
            let sq = if inside && q > Q_EPS {
                max(q, 0.0).sqrt()
            } else {
                0.0
            };
            let s = if q > Q_MIN { sq } else { q_min_sqrt };
            let g = if inside { row.h / s } else { 0.0 };
            let x = row.h * sq;
            let err = x - z[l];
            delta[l] += x * (x - 2.0 * z[l]);
            let gu = g * u;
            let gu2 = gu * u;
            let sg = sq * g;
            s00[l] += sq * sq;
            p[0][l] += sg;
            p[1][l] += sg * u;
            p[2][l] += sg * u * u;
            let g2 = g * g;
            let g2u = g2 * u;
            let g2u2 = g2u * u;
            let g2u3 = g2u2 * u;
            t[0][l] += g2;
            t[1][l] += g2u;
            t[2][l] += g2u2;
            t[3][l] += g2u3;
            t[4][l] += g2u3 * u;
            e[0][l] += err * sq;
            e[1][l] += err * g;
            e[2][l] += err * gu;
            e[3][l] += err * gu2;
        }
        k += L;
    }
    RowSums {
        s00: reduce(s00),
        p: p.map(reduce),
        t: t.map(reduce),
        e: e.map(reduce),
        delta: reduce(delta),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<(Vec<f64>, Row<'static>)> {
        let mut out = Vec::new();
        let mut seed = 1u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for n in 1..40usize {
            let z: Vec<f64> = (0..n).map(|_| next()).collect();
            let lo = (next() * n as f64) as usize;
            let hi = lo + ((next() * (n - lo) as f64) as usize).min(n - 1 - lo);
            let row = Row {
                z: &[],
                lo,
                hi,
                col0: 50,
                c0: 50.0 + next() * n as f64,
                ia: 1.0 / (1.0 + next() * n as f64 / 2.0),
                w: 1.0 - next() * next(),
                h: next(),
            };
            out.push((z, row));
        }
        out
    }

    /// The AVX copies give the bits of the plain loops, and the plain loops the pixel-by-
    /// pixel definitions (to rounding).
    #[test]
    fn both_copies_agree_with_the_definition() {
        for (z, row) in rows() {
            let row = Row { z: &z, ..row };
            let (cost, sums) = (row_cost_lanes(&row), row_sums_lanes(&row));
            assert_eq!(row_cost(&row).to_bits(), cost.to_bits());
            assert_eq!(row_sums(&row), sums);
            let (mut c, mut d) = (0.0, RowSums::default());
            for (i, &zv) in z.iter().enumerate().take(row.hi + 1).skip(row.lo) {
                let u = ((row.col0 + i) as f64 - row.c0) * row.ia;
                let q = row.w - u * u;
                let sq = if q > Q_EPS { q.sqrt() } else { 0.0 };
                let x = row.h * sq;
                c += x * (x - 2.0 * zv);
                if q <= -Q_EXT {
                    continue;
                }
                let g = row.h / q.max(Q_MIN).sqrt();
                let err = x - zv;
                d.delta += x * (x - 2.0 * zv);
                d.s00 += sq * sq;
                for k in 0..3 {
                    d.p[k] += sq * g * u.powi(k as i32);
                }
                for k in 0..5 {
                    d.t[k] += g * g * u.powi(k as i32);
                }
                d.e[0] += err * sq;
                for k in 0..3 {
                    d.e[k + 1] += err * g * u.powi(k as i32);
                }
            }
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()));
            assert!(close(cost, c), "{cost} vs {c}");
            assert!(close(sums.delta, d.delta) && close(sums.s00, d.s00));
            for k in 0..3 {
                assert!(close(sums.p[k], d.p[k]));
            }
            for k in 0..5 {
                assert!(close(sums.t[k], d.t[k]));
            }
            for k in 0..4 {
                assert!(close(sums.e[k], d.e[k]));
            }
        }
    }
}
