//! Shared preparation for Kreuz's measures (ISI-distance, SPIKE-distance,
//! SPIKE-synchronization), following PySpike's (≥ 0.6) conventions.

/// The train as Kreuz's measures see it: duplicate times merged, and an empty train
/// replaced by two auxiliary events at the window edges `[t0, t1]` (PySpike's rule, so
/// that an empty train behaves as one interval covering the window).
pub(crate) fn kreuz_train(t: &[f64], t0: f64, t1: f64) -> Vec<f64> {
    if t.is_empty() {
        return vec![t0, t1];
    }
    let mut out: Vec<f64> = Vec::with_capacity(t.len());
    for &v in t {
        if out.last() != Some(&v) {
            out.push(v);
        }
    }
    out
}
