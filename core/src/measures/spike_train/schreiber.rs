//! Schreiber et al. correlation-based similarity (Schreiber, Fellous, Whitmer, Tiesinga
//! & Sejnowski 2003).

use super::trains;
use crate::measures::Direction;
use crate::measures::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, Value,
};

/// Σ_i Σ_j exp(−(u_i − v_j)² / (4σ²)) over sorted `u`, `v`, visiting only the pairs
/// closer than the distance at which the term underflows to 0 in `f64`
/// (`|Δ| > 2σ·√745.2`), so the sum is exact and costs O(n + m + close pairs).
fn gauss_overlap(u: &[f64], v: &[f64], sigma: f64) -> f64 {
    let inv = 1.0 / (4.0 * sigma * sigma);
    let reach = 2.0 * sigma * 745.2f64.sqrt();
    let mut lo = 0usize;
    let mut sum = 0.0;
    for &s in u {
        while lo < v.len() && v[lo] < s - reach {
            lo += 1;
        }
        for &t in &v[lo..] {
            if t > s + reach {
                break;
            }
            let d = s - t;
            sum += (-d * d * inv).exp();
        }
    }
    sum
}

/// Schreiber similarity of two sorted event trains (seconds) for a Gaussian filter of
/// standard deviation `sigma` (s).
///
/// Each train is convolved with a Gaussian of s.d. σ and `S = ⟨s_a, s_b⟩ / (‖s_a‖ ‖s_b‖)`
/// (cosine, no mean removal). The inner product of two such filtered trains is
/// proportional to `Σ_ij exp(−(a_i − b_j)² / (4σ²))` (the filter's autocorrelation is
/// a Gaussian of s.d. √2·σ; spykeutils is given that kernel width). In `[0, 1]`.
/// Empty trains: 1 when both are empty, 0 when one is.
pub fn schreiber(a: &[f64], b: &[f64], sigma: f64) -> f64 {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return 1.0,
        (true, false) | (false, true) => return 0.0,
        _ => {}
    }
    let ab = gauss_overlap(a, b, sigma);
    let aa = gauss_overlap(a, a, sigma);
    let bb = gauss_overlap(b, b, sigma);
    (ab / (aa * bb).sqrt()).min(1.0)
}

/// The Schreiber similarity as a plugin (`schreiber`).
pub struct Schreiber;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "sigma",
    unit: "s",
    kind: ParamKind::Float {
        default: 0.05,
        min: 1e-9,
        max: 1e9,
    },
    doc: "Standard deviation of the Gaussian filter applied to each train \
          (the kernel of the inner product then has s.d. √2·σ).",
}];

static OUTPUTS: &[OutputSpec] = &[OutputSpec {
    name: "similarity",
    unit: "",
    doc: "Cosine of the two Gaussian-filtered trains, in [0, 1]; 1 for identical trains.",
    direction: Direction::Higher,
}];

static INFO: MeasureInfo = MeasureInfo {
    id: "schreiber",
    title: "Schreiber et al. similarity",
    doc: "Correlation-based similarity (Schreiber et al. 2003): both trains are convolved with \
         a Gaussian of s.d. σ and the normalised inner product (cosine) of the filtered \
         signals is returned.",
    input: InputKind::PointProcess,
    params: PARAMS,
    outputs: OUTPUTS,
    directed: false,
};

impl Plugin for Schreiber {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.info().id, pair)?;
        Ok(vec![Value::new(
            "similarity",
            schreiber(t.x, t.y, params.f64("sigma")?),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_equals_all_pairs() {
        let a: [f64; 7] = [0.05, 0.3, 0.31, 0.9, 1.4, 2.2, 9.0];
        let b: [f64; 5] = [0.1, 0.35, 1.0, 1.45, 2.0];
        for sigma in [0.01f64, 0.05, 0.5] {
            let brute: f64 = a
                .iter()
                .flat_map(|&s| {
                    b.iter()
                        .map(move |&t| (-(s - t) * (s - t) / (4.0 * sigma * sigma)).exp())
                })
                .sum();
            assert!((gauss_overlap(&a, &b, sigma) - brute).abs() < 1e-14);
        }
    }

    #[test]
    fn analytic_cases() {
        let a = [0.1, 0.5, 1.2, 2.0];
        assert!((schreiber(&a, &a, 0.05) - 1.0).abs() < 1e-15);
        assert_eq!(schreiber(&[], &[], 0.05), 1.0);
        assert_eq!(schreiber(&a, &[], 0.05), 0.0);
        // one event each, Δ apart: S = exp(−Δ²/(4σ²))
        let s = schreiber(&[1.0], &[1.1], 0.05);
        assert!((s - (-1.0f64).exp()).abs() < 1e-15);
        // far apart: 0
        assert_eq!(schreiber(&[1.0], &[100.0], 0.05), 0.0);
    }
}
