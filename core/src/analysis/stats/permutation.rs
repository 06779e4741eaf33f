//! Permutation tests over a family of pairs with the max-statistic family-wise
//! correction (Nichols & Holmes 2002), for two independent groups (group-label
//! permutations) and for paired designs (sign flips), plus the permutation nulls of
//! the network-based statistic ([`super::nbs`]).
//!
//! A family is one measure and parameter over `m` pairs; `columns[j]` holds pair `j`'s
//! values over the observations. The statistic of pair `j` is
//!
//! - independent groups (`x` = group 1, `y` = group 2): Welch's
//!   `t_j = (x̄ − ȳ)/√(s_x²/n_x + s_y²/n_y)`, or the mean difference `x̄ − ȳ`;
//! - paired (`d_s = x_s − y_s`, one difference per subject): `t_j = d̄/(s_d/√n)`, or `d̄`.
//!
//! Permutation `b = 1…B` relabels the observations (independent: a uniformly random
//! split into groups of the observed sizes; paired: each subject's difference times an
//! independent random sign, which swaps its two sessions) and recomputes every `t_bj`.
//! With `#` counting permutations, the p-values are, with the +1 correction that keeps
//! them valid for random permutations (Phipson & Smyth 2010):
//!
//! - per pair, uncorrected: `p⁺_j = (1 + #{t_bj ≥ t_j})/(B + 1)` (group 1 > group 2),
//!   `p⁻_j = (1 + #{t_bj ≤ t_j})/(B + 1)`, two-sided `(1 + #{|t_bj| ≥ |t_j|})/(B + 1)`;
//! - family-wise (max statistic): `p⁺_fwer,j = (1 + #{max_k t_bk ≥ t_j})/(B + 1)`,
//!   `p⁻_fwer,j = (1 + #{max_k (−t_bk) ≥ −t_j})/(B + 1)`, two-sided
//!   `(1 + #{max_k |t_bk| ≥ |t_j|})/(B + 1)`. The same relabelling is applied to every
//!   pair, so the dependence between pairs is kept in the null of the maximum and the
//!   correction is exact, not conservative.
//!
//! A statistic whose standard error is 0 is 0 when its numerator is 0 and `±∞`
//! otherwise. Permutation `b` draws from its own ChaCha8 stream seeded by
//! `splitmix64(seed ⊕ splitmix64(b))`, and permutations run in fixed blocks whose
//! results are combined in block order: the p-values do not depend on the number of
//! threads or the scheduling.

use super::nbs::{self, NbsComponent, NbsTail, PairGraph, TailMax};
use super::StatsError;
use crate::surrogates::splitmix64;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The per-pair statistic of a permutation test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Statistic {
    /// Welch's t (independent) or the paired t.
    T,
    /// The difference of the group means (independent) or the mean difference (paired).
    MeanDiff,
}

/// How the observations of a family are arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Two independent groups: the first `n1` observations are group 1, the rest group 2.
    Independent {
        /// Size of group 1 (at least 2, and at least 2 observations left for group 2).
        n1: usize,
    },
    /// One observation per subject: its difference `x_s − y_s` (group 1 minus group 2).
    Paired,
}

/// Options of a permutation run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PermutationOptions {
    /// Number of random permutations `B` (≥ 1). The smallest p is `1/(B + 1)`.
    pub permutations: usize,
    /// Seed of the random permutations; the same seed gives the same p-values.
    pub seed: u64,
    /// The per-pair statistic.
    pub statistic: Statistic,
}

/// One p-value per tail: two-sided, positive (group 1 > group 2), negative.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TailP {
    /// Two-sided p (by the absolute value of the statistic).
    pub both: f64,
    /// One-sided p of group 1 > group 2.
    pub positive: f64,
    /// One-sided p of group 1 < group 2.
    pub negative: f64,
}

/// Result of [`permutation_test`].
#[derive(Debug, Clone, PartialEq)]
pub struct PermutationResult {
    /// Observed statistic per pair.
    pub observed: Vec<f64>,
    /// Uncorrected permutation p per pair.
    pub p: Vec<TailP>,
    /// Max-statistic family-wise p per pair.
    pub p_fwer: Vec<TailP>,
    /// Components of the network-based statistic when a threshold was given, positive
    /// tail first.
    pub components: Vec<NbsComponent>,
}

/// The network-based statistic's settings: primary threshold on the statistic, the
/// pair graph (`graph.edges[j]` is pair `j`).
#[derive(Debug, Clone, PartialEq)]
pub struct NbsOptions {
    /// Primary threshold `τ` on the per-pair statistic (finite, ≥ 0; in the statistic's
    /// unit: t or the mean difference).
    pub threshold: f64,
    /// The pair graph, one edge per pair of the family.
    pub graph: PairGraph,
}

/// Permutations per block: the unit of parallel work (fixed, so results never depend
/// on the thread count).
const BLOCK: usize = 32;

/// The data of a family, checked and prepared for fast relabelling.
struct Prepared<'a> {
    design: Design,
    columns: &'a [Vec<f64>],
    n: usize,
    /// Per column: the mean subtracted before summing (independent only, so that the
    /// one-pass variance does not cancel), the total sum and sum of squares after it.
    centre: Vec<f64>,
    total: Vec<f64>,
    total_sq: Vec<f64>,
    statistic: Statistic,
}

/// `d/se`, with `0/0 = 0` and `d/0 = ±∞`.
fn ratio(d: f64, se: f64) -> f64 {
    if se > 0.0 {
        d / se
    } else if d == 0.0 {
        0.0
    } else {
        d.signum() * f64::INFINITY
    }
}

/// Sample variance from a sum and a sum of squares, `(Σv² − n·m²)/(n − 1)` (≥ 0).
fn variance(sum: f64, sum_sq: f64, n: f64) -> f64 {
    let m = sum / n;
    ((sum_sq - n * m * m) / (n - 1.0)).max(0.0)
}

impl<'a> Prepared<'a> {
    fn new(
        design: Design,
        columns: &'a [Vec<f64>],
        statistic: Statistic,
    ) -> Result<Self, StatsError> {
        let n = columns.first().map_or(0, Vec::len);
        for (j, c) in columns.iter().enumerate() {
            if c.len() != n {
                return Err(StatsError::Input(format!(
                    "permutation test: pair {j} has {} observations, pair 0 has {n}",
                    c.len()
                )));
            }
            if let Some((index, &value)) = c.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(StatsError::NonFinite {
                    what: "permutation test".into(),
                    group: format!("pair {j}"),
                    index,
                    value,
                });
            }
        }
        let needed = |what: &str, have: usize| {
            if have < 2 {
                Err(StatsError::TooFew {
                    what: "permutation test".into(),
                    group: what.into(),
                    n: have,
                    needed: 2,
                })
            } else {
                Ok(())
            }
        };
        match design {
            Design::Independent { n1 } => {
                needed("group 1", n1)?;
                needed("group 2", n.saturating_sub(n1))?;
            }
            Design::Paired => needed("paired subjects", n)?,
        }
        let mut centre = vec![0.0; columns.len()];
        let (mut total, mut total_sq) = (centre.clone(), centre.clone());
        for (j, c) in columns.iter().enumerate() {
            if let Design::Independent { .. } = design {
                centre[j] = c.iter().sum::<f64>() / n as f64;
            }
            total[j] = c.iter().map(|v| v - centre[j]).sum();
            total_sq[j] = c.iter().map(|v| (v - centre[j]).powi(2)).sum();
        }
        Ok(Prepared {
            design,
            columns,
            n,
            centre,
            total,
            total_sq,
            statistic,
        })
    }

    /// The statistic of every pair under a relabelling: independent, `order[..n1]` are
    /// group 1; paired, `signs[s]` multiplies subject `s`'s difference.
    fn stats(&self, order: &[usize], signs: &[f64]) -> Vec<f64> {
        self.columns
            .iter()
            .enumerate()
            .map(|(j, c)| match self.design {
                Design::Independent { n1 } => {
                    let (mut s1, mut q1) = (0.0, 0.0);
                    for &i in &order[..n1] {
                        let v = c[i] - self.centre[j];
                        s1 += v;
                        q1 += v * v;
                    }
                    let (a, b) = (n1 as f64, (self.n - n1) as f64);
                    let (s2, q2) = (self.total[j] - s1, self.total_sq[j] - q1);
                    let diff = s1 / a - s2 / b;
                    match self.statistic {
                        Statistic::MeanDiff => diff,
                        Statistic::T => ratio(
                            diff,
                            (variance(s1, q1, a) / a + variance(s2, q2, b) / b).sqrt(),
                        ),
                    }
                }
                Design::Paired => {
                    let n = self.n as f64;
                    let s: f64 = c.iter().zip(signs).map(|(v, e)| v * e).sum();
                    match self.statistic {
                        Statistic::MeanDiff => s / n,
                        Statistic::T => ratio(s / n, (variance(s, self.total_sq[j], n) / n).sqrt()),
                    }
                }
            })
            .collect()
    }

    /// The statistics of permutation `b`, drawn from its own seeded stream.
    fn permuted(&self, seed: u64, b: usize) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(splitmix64(seed ^ splitmix64(b as u64)));
        match self.design {
            Design::Independent { n1 } => {
                let mut order: Vec<usize> = (0..self.n).collect();
                order.shuffle(&mut rng);
                // Summed in index order: a split equal to the observed one gives the
                // observed statistic bit for bit (an exact tie, counted as such).
                order[..n1].sort_unstable();
                self.stats(&order, &[])
            }
            Design::Paired => {
                let signs: Vec<f64> = (0..self.n)
                    .map(|_| if rng.gen::<bool>() { 1.0 } else { -1.0 })
                    .collect();
                self.stats(&[], &signs)
            }
        }
    }

    fn observed(&self) -> Vec<f64> {
        let order: Vec<usize> = (0..self.n).collect();
        self.stats(&order, &vec![1.0; self.n])
    }
}

/// What one block of permutations contributes: per-pair exceedance counts (both,
/// positive, negative) and each permutation's maxima.
struct BlockOut {
    exceed: Vec<[u32; 3]>,
    maxima: Vec<PermMax>,
}

/// The maxima of one permutation: `max_k t_bk`, `max_k (−t_bk)` and, with NBS, the
/// largest component of each tail.
struct PermMax {
    positive: f64,
    negative: f64,
    nbs: Option<[TailMax; 2]>,
}

/// `(1 + count)/(B + 1)`.
fn plus_one(count: usize, b: usize) -> f64 {
    (1 + count) as f64 / (b + 1) as f64
}

/// Runs the permutation test (and, with `nbs`, the network-based statistic) on a
/// family (see the module doc for the equations).
pub fn permutation_test(
    design: Design,
    columns: &[Vec<f64>],
    options: &PermutationOptions,
    nbs: Option<&NbsOptions>,
) -> Result<PermutationResult, StatsError> {
    let bb = options.permutations;
    if bb == 0 {
        return Err(StatsError::Input(
            "permutation test: the number of permutations must be at least 1".into(),
        ));
    }
    if let Some(o) = nbs {
        nbs::check(&o.graph, columns.len(), o.threshold)?;
    }
    let prep = Prepared::new(design, columns, options.statistic)?;
    let observed = prep.observed();
    let m = observed.len();
    let n_blocks = bb.div_ceil(BLOCK);
    let blocks: Vec<BlockOut> = (0..n_blocks)
        .into_par_iter()
        .map(|blk| {
            let mut out = BlockOut {
                exceed: vec![[0; 3]; m],
                maxima: Vec::with_capacity(BLOCK),
            };
            for b in blk * BLOCK..((blk + 1) * BLOCK).min(bb) {
                let t = prep.permuted(options.seed, b);
                for ((e, &tb), &to) in out.exceed.iter_mut().zip(&t).zip(&observed) {
                    e[0] += u32::from(tb.abs() >= to.abs());
                    e[1] += u32::from(tb >= to);
                    e[2] += u32::from(tb <= to);
                }
                out.maxima.push(PermMax {
                    positive: t.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    negative: t.iter().map(|v| -v).fold(f64::NEG_INFINITY, f64::max),
                    nbs: nbs.map(|o| {
                        [NbsTail::Positive, NbsTail::Negative]
                            .map(|tail| nbs::tail_max(&o.graph, &t, o.threshold, tail))
                    }),
                });
            }
            out
        })
        .collect();
    let mut exceed = vec![[0usize; 3]; m];
    let mut maxima = Vec::with_capacity(bb);
    for blk in blocks {
        for (e, c) in exceed.iter_mut().zip(&blk.exceed) {
            for k in 0..3 {
                e[k] += c[k] as usize;
            }
        }
        maxima.extend(blk.maxima);
    }
    let count = |f: &dyn Fn(&PermMax) -> bool| maxima.iter().filter(|x| f(x)).count();
    let p = exceed
        .iter()
        .map(|e| TailP {
            both: plus_one(e[0], bb),
            positive: plus_one(e[1], bb),
            negative: plus_one(e[2], bb),
        })
        .collect();
    let p_fwer = observed
        .iter()
        .map(|&t| TailP {
            both: plus_one(count(&|x| x.positive.max(x.negative) >= t.abs()), bb),
            positive: plus_one(count(&|x| x.positive >= t), bb),
            negative: plus_one(count(&|x| x.negative >= -t), bb),
        })
        .collect();
    let components = match nbs {
        None => Vec::new(),
        Some(o) => {
            let nulls: Vec<[TailMax; 2]> = maxima.iter().filter_map(|x| x.nbs).collect();
            nbs::observed_components(&o.graph, &observed, o.threshold, &nulls)
        }
    };
    Ok(PermutationResult {
        observed,
        p,
        p_fwer,
        components,
    })
}
