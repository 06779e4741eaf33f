//! N-signal surrogate generator (the §4.1 model): a hidden homogeneous Poisson process of
//! rate `λ` on `[0, T]`; copy `i` of hidden event `v` is `v + δ_i + ε`, `ε ~ N(0, s)`, and
//! each copy is deleted independently with probability `p_d`.

use rand::Rng;
use rand_distr::{Distribution, Normal, Poisson};

use super::types::TimedEvent;

/// Parameters of the generator (time unit of the caller, e.g. ms or s).
#[derive(Debug, Clone, PartialEq)]
pub struct SurrogateSpec {
    /// Hidden-event rate `λ` (events per time unit).
    pub rate: f64,
    /// Observation length `T`.
    pub duration: f64,
    /// Offset `δ_i` of every signal (its length is `N`).
    pub delta: Vec<f64>,
    /// Per-copy jitter variance `s` (time unit²).
    pub s: f64,
    /// Deletion probability of each copy.
    pub pd: f64,
}

/// Draws one surrogate: the events of all signals (signal-major order) and, for each
/// event, the index of its hidden event (ground truth of the clustering).
pub fn generate<R: Rng + ?Sized>(
    spec: &SurrogateSpec,
    rng: &mut R,
) -> (Vec<TimedEvent>, Vec<usize>) {
    let mean = spec.rate * spec.duration;
    let count = if mean > 0.0 {
        // Invariant: mean is finite and > 0, so the distribution exists.
        Poisson::new(mean)
            .expect("positive Poisson mean")
            .sample(rng) as usize
    } else {
        0
    };
    let hidden: Vec<f64> = (0..count)
        .map(|_| rng.gen::<f64>() * spec.duration)
        .collect();
    // Invariant: the standard deviation is finite and ≥ 0.
    let noise = Normal::new(0.0, spec.s.max(0.0).sqrt()).expect("finite jitter");
    let mut events = Vec::new();
    let mut truth = Vec::new();
    for (i, &d) in spec.delta.iter().enumerate() {
        for (h, &v) in hidden.iter().enumerate() {
            let t = v + d + noise.sample(rng);
            if rng.gen::<f64>() >= spec.pd {
                events.push(TimedEvent { signal: i, time: t });
                truth.push(h);
            }
        }
    }
    (events, truth)
}
