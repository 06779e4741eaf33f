//! The surrogate engine: seeded, deterministic circular time shifts of one signal of a
//! pair, and the summary of a null distribution (mean, standard deviation, one-sided
//! p-value with the +1 correction).
//!
//! A circular shift moves every event of one train (or every sample of one signal) by
//! the same offset `o` and wraps it around the analysis window `[t0, t1)`:
//! `t ↦ t0 + (t − t0 + o) mod T`, `T = t1 − t0`. Each train keeps its own rate, its
//! bursts and its spectrum, while the relation between the two trains is destroyed
//! unless it repeats with period `T`. Offsets are drawn uniformly from
//! `[m, T − m]`, where `m` is the minimum lag (so a surrogate never sits close to the
//! original alignment, in either direction around the circle).
//!
//! Determinism: the offsets of a pair come from a ChaCha generator seeded with the
//! user's seed mixed with a hash of the pair's own data ([`pair_seed`]), so the same
//! input and seed give the same surrogates whatever the thread count and whatever the
//! order in which pairs are computed.

use crate::bumps::Bump;
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Why surrogates could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurrogateError {
    /// The analysis window `(start, end)`, s, has no positive length.
    #[error(
        "the analysis window {0}..{1} s is empty; circular shifts need a window of positive length"
    )]
    EmptyWindow(f64, f64),
    /// The minimum shift, s, is negative or not finite.
    #[error("minimum shift {0} s must be a finite number ≥ 0")]
    BadMinShift(f64),
}

/// How surrogates are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShiftOptions {
    /// Number of surrogates (0 = none).
    pub count: usize,
    /// Minimum lag of a shift, s. Capped at a quarter of the window so that short
    /// windows still have a range of offsets (`[T/4, 3T/4]`).
    pub min_shift: f64,
    /// User seed; mixed with a hash of the pair's data by [`pair_seed`].
    pub seed: u64,
}

/// `splitmix64`: a strong 64-bit mixer (Steele, Lea & Flood 2014).
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed for one pair: the user's seed mixed with the bits of every value of the pair
/// (FNV-style fold through [`splitmix64`]). Identical data give identical surrogates.
pub fn pair_seed<'a>(seed: u64, values: impl IntoIterator<Item = &'a [f64]>) -> u64 {
    let mut h = splitmix64(seed ^ 0x5345_5341_4D45_0001);
    for part in values {
        h = splitmix64(h ^ part.len() as u64);
        for v in part {
            h = splitmix64(h ^ v.to_bits());
        }
    }
    h
}

/// The flattened `(t, f, Δt, Δf)` of bumps, for [`pair_seed`].
pub fn bump_key(b: &[Bump]) -> Vec<f64> {
    b.iter().flat_map(|e| [e.t, e.f, e.dt, e.df]).collect()
}

/// The effective minimum lag for a window of length `len`: `min(min_shift, len/4)`.
pub fn effective_min_shift(min_shift: f64, len: f64) -> f64 {
    min_shift.min(len / 4.0)
}

/// `count` offsets drawn uniformly from `[m, T − m]` (s), `m` the effective minimum lag.
pub fn shift_offsets(
    seed: u64,
    count: usize,
    window: (f64, f64),
    min_shift: f64,
) -> Result<Vec<f64>, SurrogateError> {
    let len = window.1 - window.0;
    if !(len.is_finite() && len > 0.0) {
        return Err(SurrogateError::EmptyWindow(window.0, window.1));
    }
    if !(min_shift.is_finite() && min_shift >= 0.0) {
        return Err(SurrogateError::BadMinShift(min_shift));
    }
    let m = effective_min_shift(min_shift, len);
    let span = len - 2.0 * m;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Ok((0..count).map(|_| m + span * rng.gen::<f64>()).collect())
}

/// Wraps `t` shifted by `offset` into `[t0, t1)`.
#[inline]
pub fn wrap(t: f64, window: (f64, f64), offset: f64) -> f64 {
    let len = window.1 - window.0;
    let r = (t - window.0 + offset).rem_euclid(len);
    // rem_euclid can return `len` itself by rounding
    window.0 + if r >= len { 0.0 } else { r }
}

/// Event times circularly shifted by `offset` (s) within `window`, sorted ascending.
pub fn shift_times(times: &[f64], window: (f64, f64), offset: f64) -> Vec<f64> {
    let mut out: Vec<f64> = times.iter().map(|&t| wrap(t, window, offset)).collect();
    sort_rotated(&mut out, f64::total_cmp);
    out
}

/// Bumps whose centre times are circularly shifted by `offset` (s) within `window`
/// (frequencies, widths and amplitudes unchanged), sorted by time then frequency.
pub fn shift_bumps(bumps: &[Bump], window: (f64, f64), offset: f64) -> Vec<Bump> {
    let mut out: Vec<Bump> = bumps
        .iter()
        .map(|b| Bump {
            t: wrap(b.t, window, offset),
            ..*b
        })
        .collect();
    sort_rotated(&mut out, |a, b| {
        a.t.total_cmp(&b.t).then(a.f.total_cmp(&b.f))
    });
    out
}

/// Sorts `v` by `cmp` (stably), in linear time when `v` is a rotation of a sorted
/// sequence, as a circular shift of a sorted train is: the events that wrapped around
/// the window's end form a sorted run that is moved to the front. Anything else (an
/// unsorted input, a tie across the two runs, an event outside the window) falls back
/// to a full sort, so the result is always that of the stable sort.
fn sort_rotated<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    use std::cmp::Ordering::{Greater, Less};
    let descents: Vec<usize> = (1..v.len())
        .filter(|&i| cmp(&v[i - 1], &v[i]) == Greater)
        .collect();
    match descents[..] {
        [] => {}
        // two sorted runs `v[..k]` and `v[k..]`: rotated, the second (later input
        // events) comes first, which matches the stable sort only when every element of
        // it is strictly smaller than every element of the first
        [k] if cmp(&v[v.len() - 1], &v[0]) == Less => v.rotate_left(k),
        _ => v.sort_by(cmp),
    }
}

/// How a surrogate pair is made from an observed pair: the second signal is altered so
/// that its relation to the first is destroyed while its own structure is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SurrogateMethod {
    /// Circular time shift by a random offset of at least the minimum lag (events and
    /// continuous signals): keeps the rate, the bursts and the spectrum.
    Shift,
    /// Every event moved by independent Gaussian jitter (events): keeps the rate and the
    /// slow modulation of the rate, destroys fine timing.
    Dither,
    /// The epochs in a random cyclic order (continuous signals cut into epochs).
    #[serde(rename = "epochs")]
    EpochShuffle,
    /// Fourier phases of each epoch replaced by uniform random ones (continuous):
    /// keeps the amplitude spectrum, destroys every phase relation.
    #[serde(rename = "phase")]
    PhaseRandomization,
}

impl SurrogateMethod {
    /// Every method, in the order `sesame measures` lists them.
    pub const ALL: [SurrogateMethod; 4] = [
        SurrogateMethod::Shift,
        SurrogateMethod::Dither,
        SurrogateMethod::EpochShuffle,
        SurrogateMethod::PhaseRandomization,
    ];
    /// The family of event measures (trains and bumps).
    pub const EVENTS: &'static [SurrogateMethod] =
        &[SurrogateMethod::Shift, SurrogateMethod::Dither];
    /// The family of measures on continuous signals.
    pub const CONTINUOUS: &'static [SurrogateMethod] = &[
        SurrogateMethod::Shift,
        SurrogateMethod::EpochShuffle,
        SurrogateMethod::PhaseRandomization,
    ];

    /// The name used on the command line and in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            SurrogateMethod::Shift => "shift",
            SurrogateMethod::Dither => "dither",
            SurrogateMethod::EpochShuffle => "epochs",
            SurrogateMethod::PhaseRandomization => "phase",
        }
    }

    /// The method of a name (`shift`, `dither`, `epochs`, `phase`).
    pub fn parse(name: &str) -> Option<SurrogateMethod> {
        SurrogateMethod::ALL
            .into_iter()
            .find(|m| m.name() == name.trim())
    }
}

/// In which direction a statistic means "more synchronous".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// Smaller values are more synchronous (e.g. SES's ρ, a distance).
    Lower,
    /// Larger values are more synchronous (e.g. a coherence).
    Upper,
    /// Larger magnitudes are more synchronous (a signed value such as the imaginary
    /// coherence or a correlation): compared on `|value|`.
    Both,
}

/// Summary of a statistic against its surrogate distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NullSummary {
    /// Mean of the surrogate values.
    pub mean: f64,
    /// Sample standard deviation of the surrogate values (0 with one surrogate).
    pub sd: f64,
    /// One-sided p-value: the rank of the observed value among the `K + 1` values
    /// (observed and surrogates, most synchronous first) over `K + 1`, ties broken at
    /// random; see [`summarize`].
    pub p: f64,
}

/// A uniform draw in `[0, 1)` for breaking ties, seeded like the offsets of the pair
/// but from an independent stream.
pub fn tie_draw(seed: u64) -> f64 {
    ChaCha8Rng::seed_from_u64(splitmix64(seed ^ 0x7469_6573)).gen::<f64>()
}

/// Mean, standard deviation and one-sided p-value of `observed` against `null`;
/// `None` when `null` is empty.
///
/// `p = (1 + #{more synchronous} + ⌊u·(1 + #{equal})⌋)/(1 + K)`, `u ∈ [0, 1)` a seeded
/// uniform draw ([`tie_draw`]): with no ties this is the usual
/// `(1 + #{at least as synchronous})/(1 + K)` up to the tie rule, never 0, and under the
/// null (the observed pair exchangeable with its surrogates) it is uniform on
/// `{1, …, K + 1}/(K + 1)`. Breaking ties at random matters for discrete statistics:
/// SES's ρ is often exactly 1 for unrelated signals, and counting every tie as "at
/// least as synchronous" would give `p = 1` there, a conservative but not a uniform
/// p-value.
pub fn summarize(observed: f64, null: &[f64], tail: Tail, u: f64) -> Option<NullSummary> {
    if null.is_empty() {
        return None;
    }
    let k = null.len() as f64;
    let mean = null.iter().sum::<f64>() / k;
    let sd = if null.len() > 1 {
        (null.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (k - 1.0)).sqrt()
    } else {
        0.0
    };
    let more = null
        .iter()
        .filter(|&&v| match tail {
            Tail::Lower => v < observed,
            Tail::Upper => v > observed,
            Tail::Both => v.abs() > observed.abs(),
        })
        .count();
    let equal = null
        .iter()
        .filter(|&&v| match tail {
            Tail::Both => v.abs() == observed.abs(),
            _ => v == observed,
        })
        .count();
    let u = u.clamp(0.0, 1.0 - f64::EPSILON);
    let ties = ((u * (equal + 1) as f64).floor() as usize).min(equal);
    Some(NullSummary {
        mean,
        sd,
        p: (1 + more + ties) as f64 / (1.0 + k),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_seeded_and_inside_the_allowed_range() {
        let a = shift_offsets(7, 50, (10.0, 70.0), 5.0).unwrap();
        let b = shift_offsets(7, 50, (10.0, 70.0), 5.0).unwrap();
        assert_eq!(a, b);
        assert!(a.iter().all(|&o| (5.0..=55.0).contains(&o)));
        let c = shift_offsets(8, 50, (10.0, 70.0), 5.0).unwrap();
        assert_ne!(a, c);
        // short window: the minimum lag shrinks to a quarter of it
        let d = shift_offsets(1, 20, (0.0, 4.0), 5.0).unwrap();
        assert!(d.iter().all(|&o| (1.0..=3.0).contains(&o)));
        assert!(shift_offsets(1, 3, (2.0, 2.0), 1.0).is_err());
        assert!(shift_offsets(1, 3, (0.0, 2.0), f64::NAN).is_err());
    }

    #[test]
    fn shifting_wraps_and_keeps_the_count_and_the_gaps() {
        let t = [0.5, 1.0, 9.5];
        let s = shift_times(&t, (0.0, 10.0), 1.0);
        assert_eq!(s, vec![0.5, 1.5, 2.0]);
        assert!(s.iter().all(|&v| (0.0..10.0).contains(&v)));
        // a full turn is the identity
        let full = shift_times(&t, (0.0, 10.0), 10.0);
        for (a, b) in full.iter().zip(&t) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn rotating_a_shifted_train_gives_the_full_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for case in 0..300 {
            let n = rng.gen_range(0..40);
            let mut t: Vec<f64> = (0..n)
                // coarse times so that ties occur, a few outside the window
                .map(|_| (rng.gen_range(-2..42) as f64) * 0.25)
                .collect();
            if case % 3 != 0 {
                t.sort_by(f64::total_cmp);
            }
            let offset = rng.gen_range(0.0..10.0);
            let mut expected: Vec<f64> = t.iter().map(|&v| wrap(v, (0.0, 10.0), offset)).collect();
            expected.sort_by(f64::total_cmp);
            assert_eq!(
                shift_times(&t, (0.0, 10.0), offset),
                expected,
                "{t:?} by {offset}"
            );
        }
        let mut v = vec![(3, 'a'), (4, 'b'), (1, 'c'), (3, 'd')];
        sort_rotated(&mut v, |a, b| a.0.cmp(&b.0));
        assert_eq!(v, vec![(1, 'c'), (3, 'a'), (3, 'd'), (4, 'b')]);
    }

    #[test]
    fn pair_seed_depends_on_data_and_seed() {
        let x = [1.0, 2.0];
        let y = [1.5];
        let a = pair_seed(0, [&x[..], &y[..]]);
        assert_eq!(a, pair_seed(0, [&x[..], &y[..]]));
        assert_ne!(a, pair_seed(1, [&x[..], &y[..]]));
        assert_ne!(a, pair_seed(0, [&y[..], &x[..]]));
    }

    #[test]
    fn p_value_has_the_plus_one_correction_and_respects_the_tail() {
        let null = [0.5, 0.6, 0.7, 0.8];
        let s = summarize(0.55, &null, Tail::Lower, 0.3).unwrap();
        assert!((s.p - 2.0 / 5.0).abs() < 1e-12);
        assert!((s.mean - 0.65).abs() < 1e-12);
        let u = summarize(0.55, &null, Tail::Upper, 0.3).unwrap();
        assert!((u.p - 4.0 / 5.0).abs() < 1e-12);
        assert!(summarize(0.1, &[], Tail::Lower, 0.3).is_none());
        // the smallest attainable p is 1/(K + 1)
        let low = summarize(0.0, &null, Tail::Lower, 0.99).unwrap();
        assert!((low.p - 0.2).abs() < 1e-12);
    }

    #[test]
    fn ties_are_broken_uniformly() {
        // every value tied (ρ = 1 everywhere): p spreads evenly over 1/5 … 5/5
        let null = [1.0; 4];
        let mut counts = [0usize; 5];
        for k in 0..1000 {
            let s = summarize(1.0, &null, Tail::Lower, (k as f64 + 0.5) / 1000.0).unwrap();
            counts[(s.p * 5.0).round() as usize - 1] += 1;
        }
        assert_eq!(counts, [200; 5]);
        let draws: Vec<f64> = (0..100).map(tie_draw).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        assert_eq!(tie_draw(9), tie_draw(9));
    }
}
