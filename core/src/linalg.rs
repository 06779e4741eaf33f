//! The one dense solver of the crate: Cholesky factorisation of a small symmetric
//! positive-definite matrix and the two triangular solves, on row-major slices.
//!
//! Used by the bump fit's Levenberg–Marquardt step (a 5 × 5 system, on the stack, in the
//! innermost loop) and by the Granger family's autoregressive fits. Why it is written
//! here rather than taken from a linear-algebra crate is in ARCHITECTURE.md ("Numerics
//! written here"): plain loops in a fixed order give the same bits on every machine.

/// Writes into `l` (row-major `n × n`, zero above the diagonal) the Cholesky factor of
/// the symmetric positive-definite `a` (row-major `n × n`; only its lower triangle is
/// read), so that `a = L·Lᵀ`. Returns `false` when a pivot is not a finite positive
/// number (`a` not positive definite, or not finite); `l` is then unspecified.
pub(crate) fn cholesky_into(a: &[f64], n: usize, l: &mut [f64]) -> bool {
    debug_assert!(a.len() >= n * n && l.len() >= n * n);
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return false;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
        for j in i + 1..n {
            l[i * n + j] = 0.0;
        }
    }
    true
}

/// The Cholesky factor of `a` (see [`cholesky_into`]) in a new matrix, or `None` when
/// `a` is not positive definite.
pub(crate) fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    cholesky_into(a, n, &mut l).then_some(l)
}

/// Solves `A·X = B` in place given the Cholesky factor `l` of `A` (`n × n`): `b` is
/// `n × m` row-major and holds `X` on return (forward substitution with `L`, then back
/// substitution with `Lᵀ`, column by column).
pub(crate) fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64], m: usize) {
    for c in 0..m {
        for i in 0..n {
            let mut s = b[i * m + c];
            for k in 0..i {
                s -= l[i * n + k] * b[k * m + c];
            }
            b[i * m + c] = s / l[i * n + i];
        }
        for i in (0..n).rev() {
            let mut s = b[i * m + c];
            for k in i + 1..n {
                s -= l[k * n + i] * b[k * m + c];
            }
            b[i * m + c] = s / l[i * n + i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_known_system_and_refuses_an_indefinite_one() {
        // A = [[4, 2], [2, 3]] = L·Lᵀ with L = [[2, 0], [1, √2]].
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2).expect("positive definite");
        assert_eq!(l[0], 2.0);
        assert_eq!(l[1], 0.0);
        assert_eq!(l[2], 1.0);
        assert!((l[3] - 2f64.sqrt()).abs() < 1e-15);
        // A·x = [8, 7] has x = [1.25, 1.5].
        let mut b = [8.0, 7.0];
        cholesky_solve(&l, 2, &mut b, 1);
        assert!((b[0] - 1.25).abs() < 1e-14 && (b[1] - 1.5).abs() < 1e-14);
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
        assert!(cholesky(&[f64::NAN, 0.0, 0.0, 1.0], 2).is_none());
    }
}
