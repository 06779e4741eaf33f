//! Events from a sampled signal: peaks above a threshold and rising threshold crossings.

use super::EventError;

fn check(fs: f64, t_start: f64, refractory: f64) -> Result<(), EventError> {
    if !(fs.is_finite() && fs > 0.0) {
        return Err(EventError::Invalid(format!("sample rate {fs} Hz must be a positive number")));
    }
    if !t_start.is_finite() {
        return Err(EventError::Invalid(format!("start time {t_start} s is not a finite number")));
    }
    if !(refractory.is_finite() && refractory >= 0.0) {
        return Err(EventError::Invalid(format!(
            "refractory period {refractory} s must be a finite number ≥ 0"
        )));
    }
    Ok(())
}

/// Times (s) of the local maxima of `x` (sampled at `fs` Hz, first sample at `t_start`
/// s) whose value exceeds `threshold` (same unit as `x`, e.g. µV), sorted ascending.
///
/// A local maximum is a sample, or a run of equal samples (a plateau; its time is the
/// plateau's middle), higher than both neighbours; the first and last samples are never
/// peaks, and NaN samples break the signal. With `refractory > 0` (s), peaks are kept
/// highest first and any peak closer than `refractory` to a kept one is dropped (the
/// rule of SciPy's `find_peaks(distance=…)`; equal heights: the earlier wins).
pub fn peaks<T: Copy + Into<f64>>(
    x: &[T],
    fs: f64,
    t_start: f64,
    threshold: f64,
    refractory: f64,
) -> Result<Vec<f64>, EventError> {
    check(fs, t_start, refractory)?;
    let v = |i: usize| -> f64 { x[i].into() };
    // (time, height) of every local maximum above threshold
    let mut found: Vec<(f64, f64)> = Vec::new();
    let n = x.len();
    let mut i = 1usize;
    while i + 1 < n {
        let (prev, cur) = (v(i - 1), v(i));
        if cur.is_nan() || prev.is_nan() || !(cur > prev) {
            i += 1;
            continue;
        }
        // extend over a plateau of equal samples
        let mut j = i;
        while j + 1 < n && v(j + 1) == cur {
            j += 1;
        }
        if j + 1 < n && v(j + 1) < cur && cur > threshold {
            let mid = (i + j) as f64 / 2.0;
            found.push((t_start + mid / fs, cur));
        }
        i = j + 1;
    }
    if refractory <= 0.0 || found.len() < 2 {
        return Ok(found.into_iter().map(|(t, _)| t).collect());
    }
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by(|&a, &b| found[b].1.total_cmp(&found[a].1).then(a.cmp(&b)));
    let mut keep = vec![true; found.len()];
    for &k in &order {
        if !keep[k] {
            continue;
        }
        let t = found[k].0;
        // neighbours on both sides closer than the refractory period
        let mut l = k;
        while l > 0 && t - found[l - 1].0 < refractory {
            l -= 1;
            keep[l] = false;
        }
        let mut r = k + 1;
        while r < found.len() && found[r].0 - t < refractory {
            keep[r] = false;
            r += 1;
        }
    }
    Ok(found.iter().zip(&keep).filter(|(_, &k)| k).map(|((t, _), _)| *t).collect())
}

/// Times (s) at which `x` (sampled at `fs` Hz, first sample at `t_start` s) crosses
/// `threshold` upwards: `x[i−1] < threshold ≤ x[i]`, the time linearly interpolated
/// between the two samples. With `refractory > 0` (s), a crossing less than
/// `refractory` after the last kept one is ignored. NaN samples break the signal.
pub fn rising_crossings<T: Copy + Into<f64>>(
    x: &[T],
    fs: f64,
    t_start: f64,
    threshold: f64,
    refractory: f64,
) -> Result<Vec<f64>, EventError> {
    check(fs, t_start, refractory)?;
    let mut out: Vec<f64> = Vec::new();
    for i in 1..x.len() {
        let (a, b): (f64, f64) = (x[i - 1].into(), x[i].into());
        if a < threshold && threshold <= b {
            let frac = (threshold - a) / (b - a);
            let t = t_start + ((i - 1) as f64 + frac) / fs;
            if out.last().is_none_or(|&last| t - last >= refractory) {
                out.push(t);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_peaks_and_crossings() {
        // 2 Hz sine at 1000 Hz over 2 s: maxima at 0.125 + k/2 s, rising zero
        // crossings at k/2 s (k ≥ 1; the first sample is exactly 0)
        let fs = 1000.0;
        let x: Vec<f64> = (0..2000).map(|i| (2.0 * std::f64::consts::PI * 2.0 * i as f64 / fs).sin()).collect();
        let p = peaks(&x, fs, 10.0, 0.5, 0.0).unwrap();
        assert_eq!(p.len(), 4);
        for (k, t) in p.iter().enumerate() {
            assert!((t - (10.125 + 0.5 * k as f64)).abs() < 1e-9, "{t}");
        }
        let c = rising_crossings(&x, fs, 0.0, 0.0, 0.0).unwrap();
        assert_eq!(c.len(), 3);
        for (k, t) in c.iter().enumerate() {
            assert!((t - 0.5 * (k + 1) as f64).abs() < 1e-6, "{t}");
        }
        // threshold above the amplitude: nothing
        assert!(peaks(&x, fs, 0.0, 1.5, 0.0).unwrap().is_empty());
    }

    #[test]
    fn refractory_keeps_the_highest() {
        //            0    1    2    3    4    5    6    7    8
        let x = [0.0f32, 3.0, 0.0, 5.0, 0.0, 4.0, 0.0, 0.0, 2.0, 0.0];
        let all = peaks(&x, 1.0, 0.0, 1.0, 0.0).unwrap();
        assert_eq!(all, vec![1.0, 3.0, 5.0, 8.0]);
        // refractory 2.5 s: 5.0 at t = 3 wins over t = 1 and t = 5; t = 8 stays
        assert_eq!(peaks(&x, 1.0, 0.0, 1.0, 2.5).unwrap(), vec![3.0, 8.0]);
        // plateau: the middle
        let y = [0.0, 1.0, 2.0, 2.0, 2.0, 1.0];
        assert_eq!(peaks(&y, 2.0, 0.0, 0.5, 0.0).unwrap(), vec![1.5]);
        // a plateau running into the end is not a peak
        assert!(peaks(&[0.0, 1.0, 1.0], 1.0, 0.0, 0.0, 0.0).unwrap().is_empty());
    }

    #[test]
    fn crossing_interpolation_and_refractory() {
        let x = [0.0, 2.0, 0.0, 4.0, 0.0, 4.0];
        // threshold 1: crossings at 0.5, 2.25, 4.25 samples
        assert_eq!(rising_crossings(&x, 1.0, 0.0, 1.0, 0.0).unwrap(), vec![0.5, 2.25, 4.25]);
        assert_eq!(rising_crossings(&x, 1.0, 0.0, 1.0, 2.0).unwrap(), vec![0.5, 4.25]);
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(peaks(&[0.0f64], 0.0, 0.0, 0.0, 0.0).is_err());
        assert!(rising_crossings(&[0.0f64], 100.0, 0.0, 0.0, -1.0).is_err());
        assert!(peaks::<f64>(&[], 100.0, 0.0, 0.0, 0.0).unwrap().is_empty());
    }
}
