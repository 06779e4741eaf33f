//! ISI-distance (Kreuz, Haas, Morelli, Abarbanel & Politi 2007).

use super::kreuz::kreuz_train;
use super::trains;
use crate::measures::Direction;
use crate::measures::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamValues, Plugin, Value,
};

/// The inter-event interval (s) that train `s` (non-empty, strictly increasing) is in
/// after its event `k` (`k = None`: before its first event), with PySpike's edge rule:
/// before the first event `max(s_0 − t0, s_1 − s_0)`, after the last
/// `max(t1 − s_last, s_last − s_{last−1})` (just `s_0 − t0` / `t1 − s_last` for a lone event).
fn isi_after(s: &[f64], k: Option<usize>, t0: f64, t1: f64) -> f64 {
    let n = s.len();
    match k {
        None => {
            if n > 1 {
                (s[0] - t0).max(s[1] - s[0])
            } else {
                s[0] - t0
            }
        }
        Some(k) if k + 1 < n => s[k + 1] - s[k],
        Some(k) => {
            if n > 1 {
                (t1 - s[k]).max(s[k] - s[k - 1])
            } else {
                t1 - s[k]
            }
        }
    }
}

/// `|ν_a − ν_b| / max(ν_a, ν_b)`, 0 when both intervals are 0.
fn isi_ratio(na: f64, nb: f64) -> f64 {
    let m = na.max(nb);
    if m > 0.0 {
        (na - nb).abs() / m
    } else {
        0.0
    }
}

/// ISI-distance of two sorted event trains (seconds) on the window `[t0, t1]`:
/// `D_I = 1/(t1 − t0) ∫ |ν_a(t) − ν_b(t)| / max(ν_a(t), ν_b(t)) dt`, with `ν(t)` the
/// length of the inter-event interval containing `t` and PySpike's edge rule (see
/// `isi_after`; an event exactly at `t0` starts the first interval). Duplicate times
/// are merged and an empty train counts as events at `t0` and `t1`. In `[0, 1]`; O(n + m).
pub fn isi_distance(a: &[f64], b: &[f64], t0: f64, t1: f64) -> f64 {
    let a = kreuz_train(a, t0, t1);
    let b = kreuz_train(b, t0, t1);
    // current interval index per train: None before the first event
    let start = |s: &[f64]| if s[0] > t0 { None } else { Some(0usize) };
    let (mut ka, mut kb) = (start(&a), start(&b));
    // next event to pass in each train
    let next = |k: Option<usize>| k.map_or(0, |k| k + 1);
    let mut last = t0;
    let mut total = 0.0;
    let mut ratio = isi_ratio(isi_after(&a, ka, t0, t1), isi_after(&b, kb, t0, t1));
    loop {
        let (ia, ib) = (next(ka), next(kb));
        let ta = a.get(ia).copied().unwrap_or(f64::INFINITY);
        let tb = b.get(ib).copied().unwrap_or(f64::INFINITY);
        let t = ta.min(tb);
        if !t.is_finite() || t > t1 {
            break;
        }
        total += ratio * (t - last);
        if ta == t {
            ka = Some(ia);
        }
        if tb == t {
            kb = Some(ib);
        }
        last = t;
        ratio = isi_ratio(isi_after(&a, ka, t0, t1), isi_after(&b, kb, t0, t1));
    }
    total += ratio * (t1 - last);
    total / (t1 - t0)
}

/// The ISI-distance as a plugin (`isi-distance`).
pub struct IsiDistance;

static OUTPUTS: &[OutputSpec] = &[OutputSpec {
    name: "distance",
    unit: "",
    doc: "Time-averaged relative difference of the current inter-event intervals, in [0, 1]; 0 for identical trains.",
    direction: Direction::Lower,
}];

static INFO: MeasureInfo = MeasureInfo {
    id: "isi-distance",
    title: "ISI-distance (Kreuz)",
    doc: "Kreuz et al. 2007: time average over the window of |ν_x − ν_y| / max(ν_x, ν_y), with \
         ν the length of the inter-event interval containing t; PySpike's edge correction \
         (the interval before the first / after the last event is at least the neighbouring \
         interval). Parameter-free and time-scale adaptive.",
    input: InputKind::PointProcess,
    params: &[],
    outputs: OUTPUTS,
    directed: false,
};

impl Plugin for IsiDistance {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, _params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.info().id, pair)?;
        Ok(vec![Value::new(
            "distance",
            isi_distance(t.x, t.y, t.t0, t.t1),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytic_cases() {
        let a = [0.1, 0.5, 1.2, 2.0];
        assert_eq!(isi_distance(&a, &a, 0.0, 2.5), 0.0);
        assert_eq!(isi_distance(&[], &[], 0.0, 2.5), 0.0);
        // a periodic train against the same train at half the rate: intervals 1 vs 2
        // (edges included by the edge rule) → |1 − 2| / 2 everywhere
        let fast: Vec<f64> = (0..10).map(|k| k as f64 + 0.5).collect();
        let slow: Vec<f64> = (0..5).map(|k| 2.0 * k as f64 + 0.5).collect();
        assert!((isi_distance(&fast, &slow, 0.0, 10.0) - 0.5).abs() < 1e-12);
        // empty against a lone event at the centre of [0, 2]: ν_empty = 2, the other 1
        assert!((isi_distance(&[], &[1.0], 0.0, 2.0) - 0.5).abs() < 1e-12);
        let d = isi_distance(&[], &a, 0.0, 2.5);
        assert!(d.is_finite() && (0.0..=1.0).contains(&d));
    }
}
