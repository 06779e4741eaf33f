//! Spike time tiling coefficient (Cutts & Eglen 2014).

use super::{nearest_distances, trains};
use crate::measures::Direction;
use crate::measures::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, Value,
};

/// Fraction of `[t0, t1]` covered by the union of `[s − dt, s + dt]` over the sorted
/// events `s`, each interval clipped to the window.
fn tiled_fraction(s: &[f64], dt: f64, t0: f64, t1: f64) -> f64 {
    let mut total = 0.0;
    let mut cur: Option<(f64, f64)> = None;
    for &v in s {
        let (lo, hi) = ((v - dt).max(t0), (v + dt).min(t1));
        cur = match cur {
            Some((cs, ce)) if lo <= ce => Some((cs, ce.max(hi))),
            Some((cs, ce)) => {
                total += ce - cs;
                Some((lo, hi))
            }
            None => Some((lo, hi)),
        };
    }
    if let Some((cs, ce)) = cur {
        total += ce - cs;
    }
    total / (t1 - t0)
}

/// Fraction of the events of `a` within `dt` (inclusive) of some event of `b`.
fn proportion_near(a: &[f64], b: &[f64], dt: f64) -> f64 {
    let near = nearest_distances(a, b).iter().filter(|&&d| d <= dt).count();
    near as f64 / a.len() as f64
}

/// One half of the STTC, `(P − T)/(1 − P·T)`; 1 when `P·T = 1` (every event of the
/// train with `P = 1` is within `dt` of the other train, as Elephant defines it).
fn half(p: f64, t: f64) -> f64 {
    if p * t == 1.0 {
        1.0
    } else {
        (p - t) / (1.0 - p * t)
    }
}

/// Spike time tiling coefficient of two sorted event trains (seconds) on `[t0, t1]`
/// with synchrony window `dt` (s):
/// `STTC = ½ ((P_A − T_B)/(1 − P_A T_B) + (P_B − T_A)/(1 − P_B T_A))`, `P_A` the
/// fraction of A's events within ±dt of an event of B, `T_A` the fraction of the window
/// within ±dt of an event of A. In `[−1, 1]`; O(n + m).
/// Empty trains (undefined in the paper; NaN in Elephant): 1 when both are empty,
/// 0 when one is.
pub fn sttc(a: &[f64], b: &[f64], dt: f64, t0: f64, t1: f64) -> f64 {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return 1.0,
        (true, false) | (false, true) => return 0.0,
        _ => {}
    }
    let (pa, pb) = (proportion_near(a, b, dt), proportion_near(b, a, dt));
    let (ta, tb) = (tiled_fraction(a, dt, t0, t1), tiled_fraction(b, dt, t0, t1));
    0.5 * (half(pa, tb) + half(pb, ta))
}

/// The spike time tiling coefficient as a plugin (`sttc`).
pub struct Sttc;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "dt",
    unit: "s",
    kind: ParamKind::Float { default: 0.03, min: 1e-9, max: 1e9 },
    doc: "Synchrony window: events within ±dt count as coincident, and each event tiles ±dt of the window.",
}];

static OUTPUTS: &[OutputSpec] = &[OutputSpec {
    name: "sttc",
    unit: "",
    doc: "Spike time tiling coefficient in [−1, 1]; 1 for identical trains, ≈ 0 for independent ones.",
    direction: Direction::Higher,
}];

static INFO: MeasureInfo = MeasureInfo {
    id: "sttc",
    title: "Spike time tiling coefficient",
    doc: "Cutts & Eglen 2014: the proportion of one train's events within ±dt of the other's, \
         corrected for the fraction of the window the other train tiles by chance, \
         symmetrised. Insensitive to firing rate.",
    input: InputKind::PointProcess,
    params: PARAMS,
    outputs: OUTPUTS,
    directed: false,
};

impl Plugin for Sttc {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.info().id, pair)?;
        Ok(vec![Value::new(
            "sttc",
            sttc(t.x, t.y, params.f64("dt")?, t.t0, t.t1),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiling() {
        // [0.1±0.1] ∪ [0.15±0.1] = [0, 0.25]; [0.9±0.1] clipped to [0.8, 1.0]
        let t = tiled_fraction(&[0.1, 0.15, 0.9], 0.1, 0.0, 1.0);
        assert!((t - 0.45).abs() < 1e-12);
    }

    #[test]
    fn analytic_cases() {
        let a = [0.1, 0.5, 1.2, 2.0];
        assert_eq!(sttc(&a, &a, 0.03, 0.0, 2.5), 1.0);
        assert_eq!(sttc(&[], &[], 0.03, 0.0, 2.5), 1.0);
        assert_eq!(sttc(&a, &[], 0.03, 0.0, 2.5), 0.0);
        // one train tiles the whole window: the P·T = 1 case is defined, not NaN
        let v = sttc(&[0.5], &[0.5], 1.0, 0.0, 1.0);
        assert_eq!(v, 1.0);
    }
}
