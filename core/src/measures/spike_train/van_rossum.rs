//! van Rossum distance (van Rossum 2001).

use super::trains;
use crate::measures::Direction;
use crate::measures::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, Value,
};

/// Normalisation of the van Rossum distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VanRossumNorm {
    /// `D² = (2/τ) ∫ (f − g)² dt`: one event against none gives 1. The convention of
    /// Elephant and spykeutils; √2 × the paper's value.
    Elephant,
    /// `D² = (1/τ) ∫ (f − g)² dt` as in van Rossum (2001): one event against none gives 1/√2.
    Paper,
}

/// van Rossum distance between two sorted event trains (seconds) with time constant
/// `tau` (s).
///
/// Each train is filtered with the causal exponential `f(t) = Σ_i H(t − t_i) e^{−(t − t_i)/τ}`
/// and `D² = (c/τ) ∫_{−∞}^{+∞} (f − g)² dt` with `c` = 2 ([`VanRossumNorm::Elephant`])
/// or 1 ([`VanRossumNorm::Paper`]). The integral runs past the window end, as in the
/// references.
///
/// Exact in O(n + m) with the exponential recursion: between consecutive events of the
/// merged trains, `h = f − g` decays as `h_k e^{−(t − t_k)/τ}`, so the interval
/// contributes `h_k² (τ/2)(1 − e^{−2Δ_k/τ})`; after the last event, `h² τ/2`. No
/// cancellation: identical trains give exactly 0.
pub fn van_rossum(a: &[f64], b: &[f64], tau: f64, norm: VanRossumNorm) -> f64 {
    let (mut i, mut j) = (0usize, 0usize);
    let mut h = 0.0f64;
    // (2/τ)∫(f−g)² dt accumulated as Σ h_k² (1 − e^{−2Δ_k/τ})
    let mut d2 = 0.0f64;
    let mut t_prev = f64::NAN;
    let mut first = true;
    while i < a.len() || j < b.len() {
        let (t, jump) = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            i += 1;
            (a[i - 1], 1.0)
        } else {
            j += 1;
            (b[j - 1], -1.0)
        };
        if !first {
            let dt = t - t_prev;
            if dt > 0.0 && h != 0.0 {
                d2 += h * h * -(-2.0 * dt / tau).exp_m1();
                h *= (-dt / tau).exp();
            }
        }
        first = false;
        h += jump;
        t_prev = t;
    }
    d2 += h * h;
    match norm {
        VanRossumNorm::Elephant => d2.max(0.0).sqrt(),
        VanRossumNorm::Paper => (0.5 * d2).max(0.0).sqrt(),
    }
}

/// The van Rossum distance as a plugin (`van-rossum`).
pub struct VanRossum;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "tau",
        unit: "s",
        kind: ParamKind::Float {
            default: 0.1,
            min: 1e-9,
            max: 1e9,
        },
        doc: "Time constant of the causal exponential filter e^(−t/τ).",
    },
    ParamSpec {
        name: "normalisation",
        unit: "",
        kind: ParamKind::Choice {
            default: "elephant",
            options: &["elephant", "paper"],
        },
        doc: "elephant: D² = (2/τ)∫(f−g)² dt (one event vs none = 1; Elephant, spykeutils); \
              paper: D² = (1/τ)∫(f−g)² dt (van Rossum 2001; = elephant / √2).",
    },
];

static OUTPUTS: &[OutputSpec] = &[OutputSpec {
    name: "distance",
    unit: "",
    doc: "van Rossum distance in the chosen normalisation; 0 for identical trains.",
    direction: Direction::Lower,
}];

static INFO: MeasureInfo = MeasureInfo {
    id: "van-rossum",
    title: "van Rossum distance",
    doc: "Euclidean distance between the trains filtered with a causal exponential of time \
         constant τ (van Rossum 2001), integrated over the whole time axis (past the window \
         end). Exact O(n+m) exponential recursion.",
    input: InputKind::PointProcess,
    params: PARAMS,
    outputs: OUTPUTS,
    directed: false,
};

impl Plugin for VanRossum {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.info().id, pair)?;
        let tau = params.f64("tau")?;
        let norm = match params.text("normalisation")? {
            "paper" => VanRossumNorm::Paper,
            "elephant" => VanRossumNorm::Elephant,
            other => {
                return Err(MeasureError::Param {
                    name: "normalisation".into(),
                    reason: format!("`{other}` is not one of elephant, paper"),
                })
            }
        };
        Ok(vec![Value::new(
            "distance",
            van_rossum(t.x, t.y, tau, norm),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed form of the references: D² = Σ_aa + Σ_bb − 2 Σ_ab of e^{−|Δ|/τ} (elephant).
    fn pairwise(a: &[f64], b: &[f64], tau: f64) -> f64 {
        let k = |u: &[f64], v: &[f64]| {
            u.iter()
                .map(|&s| v.iter().map(|&t| (-(s - t).abs() / tau).exp()).sum::<f64>())
                .sum::<f64>()
        };
        (k(a, a) + k(b, b) - 2.0 * k(a, b)).max(0.0).sqrt()
    }

    #[test]
    fn recursion_equals_pairwise_closed_form() {
        let a = [0.05, 0.3, 0.31, 0.9, 1.4, 1.4, 2.2, 2.3];
        let b = [0.1, 0.3, 1.0, 1.45, 2.0, 4.0];
        for tau in [0.01, 0.1, 0.5, 3.0] {
            let d = van_rossum(&a, &b, tau, VanRossumNorm::Elephant);
            assert!((d - pairwise(&a, &b, tau)).abs() < 1e-12, "tau={tau}");
            let p = van_rossum(&a, &b, tau, VanRossumNorm::Paper);
            assert!((p * 2f64.sqrt() - d).abs() < 1e-12);
        }
    }

    #[test]
    fn analytic_cases() {
        assert_eq!(van_rossum(&[1.0], &[], 0.2, VanRossumNorm::Elephant), 1.0);
        assert!((van_rossum(&[1.0], &[], 0.2, VanRossumNorm::Paper) - 0.5f64.sqrt()).abs() < 1e-15);
        assert_eq!(van_rossum(&[], &[], 0.2, VanRossumNorm::Elephant), 0.0);
        let a = [0.1, 0.5, 0.5, 1.2, 2.0];
        assert_eq!(van_rossum(&a, &a, 0.1, VanRossumNorm::Elephant), 0.0);
        // two events Δ apart, one in each train: D² = 2 − 2 e^{−Δ/τ}
        let d = van_rossum(&[1.0], &[1.3], 0.2, VanRossumNorm::Elephant);
        assert!((d * d - (2.0 - 2.0 * (-1.5f64).exp())).abs() < 1e-14);
    }
}
