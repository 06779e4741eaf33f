//! SPIKE-synchronization (Kreuz, Mulansky & Bozanic 2015).

use super::kreuz::kreuz_train;
use super::trains;
use crate::measures::Direction;
use crate::measures::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamValues, Plugin, Value,
};

/// Half the shorter inter-event interval around each event (s); a missing neighbour
/// (first or last event) counts as the window length `big`.
fn half_isis(s: &[f64], big: f64) -> Vec<f64> {
    (0..s.len())
        .map(|i| {
            let left = if i > 0 { s[i] - s[i - 1] } else { big };
            let right = if i + 1 < s.len() {
                s[i + 1] - s[i]
            } else {
                big
            };
            0.5 * left.min(right)
        })
        .collect()
}

/// SPIKE-synchronization of two sorted event trains (seconds) on `[t0, t1]`.
///
/// Event `a_i` is coincident when some `b_j` has `|a_i − b_j| < τ_ij`,
/// `τ_ij = ½ min(intervals before and after a_i and b_j)`, a missing neighbour counting
/// as the window length `t1 − t0`; likewise for `b`.
/// `SYNC = (#coincident events of a + of b) / (n_a + n_b)`, in `[0, 1]`.
/// Every window is the adaptive one (no `max_tau` cap). Duplicate times are merged
/// (PySpike's rule). Empty trains: 1 when both are empty, 0 when one is.
/// Cost O(n + m + pairs within reach).
pub fn spike_sync(a: &[f64], b: &[f64], t0: f64, t1: f64) -> f64 {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return 1.0,
        (true, false) | (false, true) => return 0.0,
        _ => {}
    }
    let a = kreuz_train(a, t0, t1);
    let b = kreuz_train(b, t0, t1);
    let big = t1 - t0;
    let (ha, hb) = (half_isis(&a, big), half_isis(&b, big));
    let mut hit_b = vec![false; b.len()];
    let mut hit_a = 0usize;
    let mut lo = 0usize;
    for (i, &ai) in a.iter().enumerate() {
        let reach = ha[i];
        while lo < b.len() && b[lo] <= ai - reach {
            lo += 1;
        }
        let mut any = false;
        for j in lo..b.len() {
            let d = (ai - b[j]).abs();
            if b[j] >= ai && d >= reach {
                break;
            }
            if d < reach.min(hb[j]) {
                any = true;
                hit_b[j] = true;
            }
        }
        hit_a += usize::from(any);
    }
    let hits = hit_a + hit_b.iter().filter(|&&h| h).count();
    hits as f64 / (a.len() + b.len()) as f64
}

/// SPIKE-synchronization as a plugin (`spike-sync`).
pub struct SpikeSync;

static OUTPUTS: &[OutputSpec] = &[OutputSpec {
    name: "sync",
    unit: "",
    doc: "Fraction of events that have a coincident event in the other train, in [0, 1]; 1 for identical trains.",
    direction: Direction::Higher,
}];

static INFO: MeasureInfo = MeasureInfo {
    id: "spike-sync",
    title: "SPIKE-synchronization (Kreuz)",
    doc: "Kreuz et al. 2015: the fraction of events that are coincident, an event being \
         coincident when the other train has an event closer than half the shortest of the \
         inter-event intervals around the two events (adaptive window; a missing neighbour \
         counts as the window length).",
    input: InputKind::PointProcess,
    params: &[],
    outputs: OUTPUTS,
    directed: false,
};

impl Plugin for SpikeSync {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, _params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.info().id, pair)?;
        Ok(vec![Value::new("sync", spike_sync(t.x, t.y, t.t0, t.t1))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(a: &[f64], b: &[f64], t0: f64, t1: f64) -> f64 {
        let (ha, hb) = (half_isis(a, t1 - t0), half_isis(b, t1 - t0));
        let hit = |i: usize, j: usize| (a[i] - b[j]).abs() < ha[i].min(hb[j]);
        let na = (0..a.len())
            .filter(|&i| (0..b.len()).any(|j| hit(i, j)))
            .count();
        let nb = (0..b.len())
            .filter(|&j| (0..a.len()).any(|i| hit(i, j)))
            .count();
        (na + nb) as f64 / (a.len() + b.len()) as f64
    }

    #[test]
    fn windowed_search_equals_all_pairs() {
        let a = [0.05, 0.3, 0.31, 0.9, 1.4, 2.2, 2.3, 5.0];
        let b = [0.1, 0.3, 0.32, 1.0, 1.45, 2.0, 2.25, 4.9, 9.0];
        assert_eq!(spike_sync(&a, &b, 0.0, 10.0), brute(&a, &b, 0.0, 10.0));
        assert_eq!(
            spike_sync(&a[..1], &b, 0.0, 10.0),
            brute(&a[..1], &b, 0.0, 10.0)
        );
    }

    #[test]
    fn analytic_cases() {
        let a = [0.1, 0.5, 1.2, 2.0];
        assert_eq!(spike_sync(&a, &a, 0.0, 2.5), 1.0);
        assert_eq!(spike_sync(&[], &[], 0.0, 2.5), 1.0);
        assert_eq!(spike_sync(&a, &[], 0.0, 2.5), 0.0);
        // far apart relative to the intervals: no coincidence
        assert_eq!(
            spike_sync(&[0.1, 0.2, 0.3], &[5.1, 5.2, 5.3], 0.0, 10.0),
            0.0
        );
    }
}
