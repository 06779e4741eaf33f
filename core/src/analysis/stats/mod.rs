//! Group statistics as the SES papers used them for MCI vs control: Mann–Whitney U,
//! Welch's t-test, Benjamini–Hochberg adjusted p-values, effect sizes and per-group
//! summaries. Two-sided tests throughout. The special functions they need (log-gamma,
//! regularised incomplete beta and gamma, Student-t and normal distributions) are
//! implemented here.

use serde::{Deserialize, Serialize};

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// A group has fewer values than the statistic needs.
    #[error("{what}: group `{group}` has {n} value(s); at least {needed} are needed")]
    TooFew {
        /// The statistic (e.g. `Welch t-test`).
        what: String,
        /// The group (or pair) that has too few values.
        group: String,
        /// Number of values it has.
        n: usize,
        /// Number of values the statistic needs.
        needed: usize,
    },
    /// A value is NaN or infinite.
    #[error("{what}: value {index} of `{group}` is not finite ({value})")]
    NonFinite {
        /// The statistic.
        what: String,
        /// The group (or pair) holding the value.
        group: String,
        /// 0-based position of the value in its group.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// The statistic is undefined for these data.
    #[error("{what}: {reason}")]
    Undefined {
        /// The statistic.
        what: String,
        /// Why it is undefined (e.g. zero variance).
        reason: String,
    },
    /// The input table or the options do not allow the analysis.
    #[error("{0}")]
    Input(String),
    /// A p-value lies outside [0, 1].
    #[error("Benjamini–Hochberg: p-value {index} = {value} is not in [0, 1]")]
    InvalidP {
        /// 0-based position of the p-value in the input.
        index: usize,
        /// The offending p-value.
        value: f64,
    },
}

fn check(what: &str, group: &str, x: &[f64], needed: usize) -> Result<(), StatsError> {
    if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(StatsError::NonFinite {
            what: what.into(),
            group: group.into(),
            index,
            value,
        });
    }
    if x.len() < needed {
        return Err(StatsError::TooFew {
            what: what.into(),
            group: group.into(),
            n: x.len(),
            needed,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Special functions
// ---------------------------------------------------------------------------------------

// The special functions come from `statrs` (a maintained numerical crate); these thin
// wrappers fix the domain conventions the tests and the group statistics rely on (NaN
// outside the domain, exact limits at the ends) and are checked against SciPy in
// `tests.rs`.

/// `ln Γ(x)` for `x > 0` (`statrs`'s Lanczos approximation; relative error ~1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}

/// Regularised incomplete beta function `I_x(a, b) = B(x; a, b)/B(a, b)` for
/// `a, b > 0`, `0 ≤ x ≤ 1`. NaN outside the domain.
pub fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && (0.0..=1.0).contains(&x)) {
        return f64::NAN;
    }
    if x == 0.0 || x == 1.0 {
        return x;
    }
    statrs::function::beta::beta_reg(a, b, x)
}

/// Regularised upper incomplete gamma function `Q(a, x) = Γ(a, x)/Γ(a)`, `a > 0`,
/// `x ≥ 0`. NaN outside the domain.
pub fn regularized_gamma_q(a: f64, x: f64) -> f64 {
    if !(a > 0.0 && x >= 0.0) {
        return f64::NAN;
    }
    if x == 0.0 {
        return 1.0;
    }
    statrs::function::gamma::gamma_ur(a, x)
}

/// Standard normal survival function `P(Z > z) = erfc(z/√2)/2`, with
/// `erfc(u) = Q(1/2, u²)` for `u ≥ 0`: through the incomplete gamma function it meets
/// the 1e-12 relative tolerance of the SciPy test, which `statrs`'s `erfc` misses
/// (5e-11 at z = 1.96).
pub fn normal_sf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z < 0.0 {
        return 1.0 - normal_sf(-z);
    }
    0.5 * regularized_gamma_q(0.5, z * z / 2.0)
}

/// Student-t cumulative distribution function with `df > 0` degrees of freedom:
/// with `x = df/(df + t²)`, `P(T ≤ t) = 1 − I_x(df/2, 1/2)/2` for `t ≥ 0`, and
/// `I_x(df/2, 1/2)/2` for `t < 0`.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    let tail = 0.5 * regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// Two-sided Student-t p-value `P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2)` (computed
/// directly, so small p-values keep their precision).
pub fn student_t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t)).min(1.0)
}

// ---------------------------------------------------------------------------------------
// Descriptive statistics
// ---------------------------------------------------------------------------------------

/// Per-group summary of a parameter (values in the parameter's unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (denominator n − 1; NaN for n = 1).
    pub sd: f64,
    /// Median (the 0.5 quantile, type 7).
    pub median: f64,
    /// First and third quartiles by linear interpolation between order statistics
    /// (Hyndman–Fan type 7, the default of NumPy and R).
    pub q1: f64,
    /// Third quartile (see `q1`).
    pub q3: f64,
    /// `q3 − q1`.
    pub iqr: f64,
}

pub(crate) fn quantile_sorted(s: &[f64], q: f64) -> f64 {
    let h = (s.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    s[lo] + (h - lo as f64) * (s[hi] - s[lo])
}

pub(crate) fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = if x.len() > 1 {
        x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)
    } else {
        f64::NAN
    };
    (m, v)
}

/// Mean, standard deviation, median and quartiles of a non-empty sample.
pub fn describe(x: &[f64]) -> Result<Summary, StatsError> {
    check("summary", "values", x, 1)?;
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let (mean, var) = mean_var(x);
    let (q1, q3) = (quantile_sorted(&s, 0.25), quantile_sorted(&s, 0.75));
    Ok(Summary {
        n: x.len(),
        mean,
        sd: var.sqrt(),
        median: quantile_sorted(&s, 0.5),
        q1,
        q3,
        iqr: q3 - q1,
    })
}

// ---------------------------------------------------------------------------------------
// Mann–Whitney U
// ---------------------------------------------------------------------------------------

/// How the Mann–Whitney p-value is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MwMethod {
    /// Exact when there are no ties, one group has at most 8 values and
    /// `n1·n2 ≤ 10 000`; the normal approximation otherwise (SciPy's rule, plus the size
    /// cap).
    Auto,
    /// The exact null distribution of U (ties are ignored by it; `n1·n2 ≤ 10 000`).
    Exact,
    /// Normal approximation with tie and continuity correction.
    Asymptotic,
}

/// Result of a two-sided Mann–Whitney U test of `x` against `y`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MannWhitney {
    /// `U₁ = R₁ − n₁(n₁+1)/2`, the number of pairs with `x > y` (ties count ½).
    pub u: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Method actually used (`Exact` or `Asymptotic`).
    pub method: MwMethod,
    /// Standardised statistic of the normal approximation (with corrections), when used.
    pub z: Option<f64>,
    /// Rank-biserial correlation `r = 2U₁/(n₁n₂) − 1` in [−1, 1]; positive when `x` tends
    /// to exceed `y`.
    pub rank_biserial: f64,
}

/// Mid-ranks (1-based) of the pooled sample and the tie-group sizes.
fn midranks(v: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        ties.push(j - i + 1);
        i = j + 1;
    }
    (ranks, ties)
}

/// `P(U ≥ u)` under the null for sizes `n1`, `n2` without ties, from the recurrence
/// `p_{i,j}(u) = i/(i+j)·p_{i−1,j}(u−j) + j/(i+j)·p_{i,j−1}(u)` (the largest of the
/// pooled values is an x with probability i/(i+j), and then it beats all j y's).
fn exact_sf(n1: usize, n2: usize, u: usize) -> f64 {
    let m = n1 * n2;
    if u > m {
        return 0.0;
    }
    // prev[j][k] = p_{i−1,j}(k)
    let mut prev: Vec<Vec<f64>> = (0..=n2)
        .map(|_| {
            let mut v = vec![0.0; m + 1];
            v[0] = 1.0;
            v
        })
        .collect();
    for i in 1..=n1 {
        let mut cur: Vec<Vec<f64>> = vec![vec![0.0; m + 1]; n2 + 1];
        cur[0][0] = 1.0;
        for j in 1..=n2 {
            let (wi, wj) = (i as f64 / (i + j) as f64, j as f64 / (i + j) as f64);
            let max_u = i * j;
            for k in 0..=max_u {
                let a = if k >= j { prev[j][k - j] } else { 0.0 };
                let b = cur[j - 1][k];
                cur[j][k] = wi * a + wj * b;
            }
        }
        prev = cur;
    }
    prev[n2][u..].iter().sum::<f64>().min(1.0)
}

/// Two-sided Mann–Whitney U (Wilcoxon rank-sum) test of `x` against `y`.
///
/// Exact: `p = 2·P(U ≥ max(U₁, U₂))`. Asymptotic: `z = (max(U₁,U₂) − n₁n₂/2 − ½)/σ`,
/// `σ² = n₁n₂/12·((n+1) − Σ(t³−t)/(n(n−1)))` over tie groups of size t, `p = 2·P(Z > z)`.
/// Both capped at 1. Matches `scipy.stats.mannwhitneyu(x, y, alternative='two-sided')`.
pub fn mann_whitney_u(x: &[f64], y: &[f64], method: MwMethod) -> Result<MannWhitney, StatsError> {
    const W: &str = "Mann–Whitney U";
    check(W, "x", x, 1)?;
    check(W, "y", y, 1)?;
    let (n1, n2) = (x.len(), y.len());
    let pooled: Vec<f64> = x.iter().chain(y).copied().collect();
    let (ranks, ties) = midranks(&pooled);
    let r1: f64 = ranks[..n1].iter().sum();
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let nn = (n1 * n2) as f64;
    let u2 = nn - u1;
    let umax = u1.max(u2);
    let has_ties = ties.iter().any(|&t| t > 1);
    let small = n1 * n2 <= 10_000;
    let use_exact = match method {
        MwMethod::Exact => {
            if !small {
                return Err(StatsError::Undefined {
                    what: W.into(),
                    reason: format!("exact p-value limited to n1·n2 ≤ 10000 (got {n1}·{n2})"),
                });
            }
            true
        }
        MwMethod::Asymptotic => false,
        MwMethod::Auto => (n1 <= 8 || n2 <= 8) && !has_ties && small,
    };
    let (p, z, used) = if use_exact {
        // With ties U may be a half-integer; the exact distribution is on integers.
        let p = 2.0 * exact_sf(n1, n2, umax.ceil() as usize);
        (p.min(1.0), None, MwMethod::Exact)
    } else {
        let n = (n1 + n2) as f64;
        let tie_term: f64 = ties.iter().map(|&t| (t * t * t - t) as f64).sum();
        let var = nn / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
        if var.is_nan() || var <= 0.0 {
            return Err(StatsError::Undefined {
                what: W.into(),
                reason: "all values are equal; the normal approximation has zero variance".into(),
            });
        }
        let z = (umax - nn / 2.0 - 0.5) / var.sqrt();
        ((2.0 * normal_sf(z)).min(1.0), Some(z), MwMethod::Asymptotic)
    };
    Ok(MannWhitney {
        u: u1,
        p_value: p,
        method: used,
        z,
        rank_biserial: 2.0 * u1 / nn - 1.0,
    })
}

// ---------------------------------------------------------------------------------------
// Welch's t-test
// ---------------------------------------------------------------------------------------

/// Result of a two-sided Welch t-test of `x` against `y`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WelchT {
    /// `t = (m₁ − m₂)/√(s₁²/n₁ + s₂²/n₂)`.
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom
    /// `(s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1))`.
    pub df: f64,
    /// Two-sided p-value from the Student-t distribution with `df` degrees of freedom.
    pub p_value: f64,
    /// `m₁ − m₂`, in the parameter's unit.
    pub mean_difference: f64,
    /// Cohen's d: `(m₁ − m₂)/s_p`, `s_p² = ((n₁−1)s₁² + (n₂−1)s₂²)/(n₁+n₂−2)`.
    pub cohen_d: f64,
    /// Hedges' g: `d·J`, `J = Γ(ν/2)/(√(ν/2)·Γ((ν−1)/2))`, `ν = n₁+n₂−2` (exact small-sample
    /// correction).
    pub hedges_g: f64,
}

/// Two-sided Welch (unequal-variance) t-test; matches
/// `scipy.stats.ttest_ind(x, y, equal_var=False)`. Each group needs two values and
/// the groups may not both be constant.
pub fn welch_t_test(x: &[f64], y: &[f64]) -> Result<WelchT, StatsError> {
    const W: &str = "Welch t-test";
    check(W, "x", x, 2)?;
    check(W, "y", y, 2)?;
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let (m1, v1) = mean_var(x);
    let (m2, v2) = mean_var(y);
    let (a, b) = (v1 / n1, v2 / n2);
    if (a + b).is_nan() || a + b <= 0.0 {
        return Err(StatsError::Undefined {
            what: W.into(),
            reason: "both groups are constant (zero variance)".into(),
        });
    }
    let t = (m1 - m2) / (a + b).sqrt();
    let df = (a + b).powi(2) / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
    let nu = n1 + n2 - 2.0;
    let sp = (((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / nu).sqrt();
    let d = (m1 - m2) / sp;
    let j = (ln_gamma(nu / 2.0) - ln_gamma((nu - 1.0) / 2.0)).exp() / (nu / 2.0).sqrt();
    Ok(WelchT {
        t,
        df,
        p_value: student_t_two_sided_p(t, df),
        mean_difference: m1 - m2,
        cohen_d: d,
        hedges_g: d * j,
    })
}

// ---------------------------------------------------------------------------------------
// Multiple comparisons
// ---------------------------------------------------------------------------------------

/// Benjamini–Hochberg adjusted p-values (false discovery rate), in the input order:
/// with p sorted ascending, `q_(i) = min_{j ≥ i} (m/j)·p_(j)`, capped at 1.
/// An empty input gives an empty output.
pub fn benjamini_hochberg(p: &[f64]) -> Result<Vec<f64>, StatsError> {
    if let Some((index, &value)) = p
        .iter()
        .enumerate()
        .find(|(_, v)| !(0.0..=1.0).contains(*v))
    {
        return Err(StatsError::InvalidP { index, value });
    }
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        out[i] = running.min(1.0);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Group comparison
// ---------------------------------------------------------------------------------------

/// The test of a group comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupTest {
    /// Mann–Whitney U (the SES papers' choice); effect size rank-biserial r.
    MannWhitney,
    /// Welch's t-test; effect size Hedges' g.
    WelchT,
}

/// One comparison of a parameter between two groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The test used.
    pub test: GroupTest,
    /// U₁ for Mann–Whitney, t for Welch.
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Rank-biserial r (Mann–Whitney) or Hedges' g (Welch).
    pub effect_size: f64,
    /// `rank-biserial` or `hedges-g`.
    pub effect_name: String,
    /// Summary of the first group (`x`).
    pub first: Summary,
    /// Summary of the second group (`y`).
    pub second: Summary,
}

/// Compares `x` (first group) with `y` (second group) by `test`.
pub fn compare_groups(x: &[f64], y: &[f64], test: GroupTest) -> Result<Comparison, StatsError> {
    let (first, second) = (describe(x)?, describe(y)?);
    Ok(match test {
        GroupTest::MannWhitney => {
            let r = mann_whitney_u(x, y, MwMethod::Auto)?;
            Comparison {
                test,
                statistic: r.u,
                p_value: r.p_value,
                effect_size: r.rank_biserial,
                effect_name: "rank-biserial".into(),
                first,
                second,
            }
        }
        GroupTest::WelchT => {
            let r = welch_t_test(x, y)?;
            Comparison {
                test,
                statistic: r.t,
                p_value: r.p_value,
                effect_size: r.hedges_g,
                effect_name: "hedges-g".into(),
                first,
                second,
            }
        }
    })
}

pub mod bootstrap;
pub mod cohort;
pub mod nbs;
pub mod permutation;
pub mod sim;

#[cfg(test)]
mod tests;
