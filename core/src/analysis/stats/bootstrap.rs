//! Percentile bootstrap confidence intervals of each group's mean and of their
//! difference (Efron & Tibshirani 1993, ch. 13).
//!
//! Resample `r = 1…R`: independent groups draw `n_x` values of `x` and `n_y` of `y`
//! with replacement, each group on its own; a paired design draws `n` subjects with
//! replacement and keeps each subject's two values together. Each resample gives
//! `x̄*_r`, `ȳ*_r` and `x̄*_r − ȳ*_r`; the interval at level `1 − α` runs from the
//! `α/2` to the `1 − α/2` quantile of the `R` values (linear interpolation between
//! order statistics, Hyndman–Fan type 7). The estimate is the observed statistic. One
//! ChaCha8 stream seeded by `seed` drives the resamples, so the interval is
//! reproducible.

use super::{check, quantile_sorted, StatsError};
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// An estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The observed statistic: the sample mean, or the difference of the two means.
    pub estimate: f64,
    /// Lower bound: the `α/2` quantile of the resampled statistics.
    pub low: f64,
    /// Upper bound: the `1 − α/2` quantile of the resampled statistics.
    pub high: f64,
}

/// Intervals of group 1's mean, group 2's mean and their difference (1 − 2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapCi {
    /// Interval of group 1's mean (`x`).
    pub first: Interval,
    /// Interval of group 2's mean (`y`).
    pub second: Interval,
    /// Interval of the difference `x̄ − ȳ` (paired: the mean of the subjects' differences).
    pub difference: Interval,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn interval(estimate: f64, mut draws: Vec<f64>, level: f64) -> Interval {
    draws.sort_by(f64::total_cmp);
    let a = (1.0 - level) / 2.0;
    Interval {
        estimate,
        low: quantile_sorted(&draws, a),
        high: quantile_sorted(&draws, 1.0 - a),
    }
}

/// Percentile bootstrap intervals (see the module doc). `paired` needs `x.len() ==
/// y.len()`, subject `s` being `(x[s], y[s])`.
pub fn bootstrap_ci(
    x: &[f64],
    y: &[f64],
    paired: bool,
    resamples: usize,
    level: f64,
    seed: u64,
) -> Result<BootstrapCi, StatsError> {
    const W: &str = "bootstrap";
    check(W, "group 1", x, 1)?;
    check(W, "group 2", y, 1)?;
    if resamples == 0 {
        return Err(StatsError::Input(
            "bootstrap: the number of resamples must be at least 1".into(),
        ));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(StatsError::Input(format!(
            "bootstrap: the confidence level {level} must lie strictly between 0 and 1"
        )));
    }
    if paired && x.len() != y.len() {
        return Err(StatsError::Input(format!(
            "bootstrap: a paired design needs as many values in each group ({} vs {})",
            x.len(),
            y.len()
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut a, mut b, mut d) = (
        Vec::with_capacity(resamples),
        Vec::with_capacity(resamples),
        Vec::with_capacity(resamples),
    );
    let resample = |v: &[f64], rng: &mut ChaCha8Rng| -> f64 {
        (0..v.len())
            .map(|_| v[rng.gen_range(0..v.len())])
            .sum::<f64>()
            / v.len() as f64
    };
    for _ in 0..resamples {
        let (mx, my) = if paired {
            let (mut sx, mut sy) = (0.0, 0.0);
            for _ in 0..x.len() {
                let s = rng.gen_range(0..x.len());
                sx += x[s];
                sy += y[s];
            }
            (sx / x.len() as f64, sy / y.len() as f64)
        } else {
            let mx = resample(x, &mut rng);
            (mx, resample(y, &mut rng))
        };
        a.push(mx);
        b.push(my);
        d.push(mx - my);
    }
    let (mx, my) = (mean(x), mean(y));
    Ok(BootstrapCi {
        first: interval(mx, a, level),
        second: interval(my, b, level),
        difference: interval(mx - my, d, level),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, Normal};

    /// Over 300 normal samples of 30 (known mean 1, difference 0.5) the 90 % intervals
    /// cover the truth about 90 % of the time (the percentile interval runs slightly
    /// narrow at this size: 0.83–0.95 accepted, ±3 binomial s.d. around 0.89).
    #[test]
    fn coverage_near_nominal() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let nx = Normal::new(1.0, 1.0).unwrap();
        let ny = Normal::new(0.5, 2.0).unwrap();
        let reps = 300;
        let (mut c1, mut cd, mut cp) = (0, 0, 0);
        for r in 0..reps {
            let x: Vec<f64> = (0..30).map(|_| nx.sample(&mut rng)).collect();
            let y: Vec<f64> = (0..30).map(|_| ny.sample(&mut rng)).collect();
            let ci = bootstrap_ci(&x, &y, false, 400, 0.9, r).unwrap();
            c1 += usize::from(ci.first.low <= 1.0 && 1.0 <= ci.first.high);
            cd += usize::from(ci.difference.low <= 0.5 && 0.5 <= ci.difference.high);
            let ci = bootstrap_ci(&x, &y, true, 400, 0.9, r).unwrap();
            cp += usize::from(ci.difference.low <= 0.5 && 0.5 <= ci.difference.high);
        }
        for (what, c) in [("mean", c1), ("difference", cd), ("paired difference", cp)] {
            let rate = c as f64 / reps as f64;
            assert!((0.83..=0.95).contains(&rate), "{what}: coverage {rate}");
        }
    }

    #[test]
    fn deterministic_and_checked() {
        let x = [1.0, 2.0, 3.5, 4.0];
        let y = [0.5, 1.0, 1.5, 3.0];
        let a = bootstrap_ci(&x, &y, true, 200, 0.95, 3).unwrap();
        assert_eq!(a, bootstrap_ci(&x, &y, true, 200, 0.95, 3).unwrap());
        assert_eq!(a.difference.estimate, 1.125);
        assert!(
            a.difference.low <= a.difference.estimate && a.difference.estimate <= a.difference.high
        );
        assert!(bootstrap_ci(&x, &y[..3], true, 10, 0.95, 0).is_err());
        assert!(bootstrap_ci(&x, &y, false, 10, 1.0, 0).is_err());
        assert!(bootstrap_ci(&x, &y, false, 0, 0.9, 0).is_err());
        assert!(bootstrap_ci(&[f64::NAN], &y, false, 10, 0.9, 0).is_err());
    }
}
