//! Hunter–Milton similarity (Hunter & Milton 2003, as used by Dauwels et al. 2009).

use super::{nearest_distances, trains};
use crate::measures::Direction;
use crate::measures::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, Value,
};

/// Hunter–Milton similarity of two sorted event trains (seconds) with time constant
/// `tau` (s):
/// `S = ½ (1/n_a Σ_k e^{−d(a_k, b)/τ} + 1/n_b Σ_k e^{−d(b_k, a)/τ})`,
/// `d(t, s)` = distance from `t` to the nearest event of `s`. O(n + m). In `[0, 1]`.
/// Empty trains: 1 when both are empty, 0 when one is.
pub fn hunter_milton(a: &[f64], b: &[f64], tau: f64) -> f64 {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return 1.0,
        (true, false) | (false, true) => return 0.0,
        _ => {}
    }
    let mean = |d: Vec<f64>| d.iter().map(|&v| (-v / tau).exp()).sum::<f64>() / d.len() as f64;
    0.5 * (mean(nearest_distances(a, b)) + mean(nearest_distances(b, a)))
}

/// The Hunter–Milton similarity as a plugin (`hunter-milton`).
pub struct HunterMilton;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "tau",
    unit: "s",
    kind: ParamKind::Float { default: 0.1, min: 1e-9, max: 1e9 },
    doc: "Time constant of the exponential weight e^(−|Δ|/τ) given to the distance Δ to the nearest event of the other train.",
}];

static OUTPUTS: &[OutputSpec] = &[OutputSpec {
    name: "similarity",
    unit: "",
    doc: "Mean of e^(−|Δ|/τ) over both trains' events, in [0, 1]; 1 for identical trains.",
    direction: Direction::Higher,
}];

static INFO: MeasureInfo = MeasureInfo {
    id: "hunter-milton",
    title: "Hunter–Milton similarity",
    doc: "For every event, e^(−|Δ|/τ) with Δ the distance to the nearest event of the other \
         train; averaged per train and symmetrised over both trains (Hunter & Milton 2003).",
    input: InputKind::PointProcess,
    params: PARAMS,
    outputs: OUTPUTS,
    directed: false,
};

impl Plugin for HunterMilton {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.info().id, pair)?;
        Ok(vec![Value::new(
            "similarity",
            hunter_milton(t.x, t.y, params.f64("tau")?),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytic_cases() {
        let a = [0.1, 0.5, 1.2, 2.0];
        assert_eq!(hunter_milton(&a, &a, 0.1), 1.0);
        assert_eq!(hunter_milton(&[], &[], 0.1), 1.0);
        assert_eq!(hunter_milton(&[], &a, 0.1), 0.0);
        // a = {1}, b = {1.1, 1.3}: a-side e^{−1}, b-side (e^{−1} + e^{−3})/2
        let s = hunter_milton(&[1.0], &[1.1, 1.3], 0.1);
        let want = 0.5 * ((-1.0f64).exp() + 0.5 * ((-1.0f64).exp() + (-3.0f64).exp()));
        assert!((s - want).abs() < 1e-12);
    }
}
