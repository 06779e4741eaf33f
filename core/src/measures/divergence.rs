//! Information-theoretic divergences between the normalised power spectra of two
//! channels (`spectral-divergence`): Kullback–Leibler (both directions), Jensen–Shannon,
//! Rényi of order α (both directions) and Jensen–Rényi.
//!
//! # Spectra
//! Each epoch has its mean removed, is multiplied by the symmetric Hann window and
//! Fourier-transformed (the Fourier convention of `spectral.rs`); the power `|X_f|²` is
//! averaged over epochs at the bins with `fmin ≤ f ≤ fmax` and normalised to sum 1,
//! giving the distributions `p` (channel x) and `q` (channel y) over those bins.
//!
//! # Divergences (natural logarithms, nats)
//! * `kl_xy = D(p‖q) = Σ p ln(p/q)` (SciPy `stats.entropy(p, q)`), `kl_yx = D(q‖p)`;
//! * `js = ½D(p‖m) + ½D(q‖m)`, `m = (p + q)/2` (SciPy `jensenshannon(p, q)²`), in
//!   [0, ln 2];
//! * `renyi_xy = D_α(p‖q) = ln(Σ p^α q^{1−α}) / (α − 1)`, `renyi_yx = D_α(q‖p)`;
//! * `jensen_renyi = H_α(m) − ½(H_α(p) + H_α(q))`, `H_α(p) = ln(Σ p^α) / (1 − α)`.
//!
//! At `alpha = 1` the Rényi forms are their Shannon limits (`renyi = kl`,
//! `jensen_renyi = js`). All are 0 for identical spectra. A bin where one spectrum is 0
//! and the other is not makes `kl` (and `renyi` for α ≥ 1) infinite.

use super::spectral::{continuous_pair, continuous_set, BandSpectra, Estimate, FourierSettings};
use super::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, SetInput, Target, Value,
};
use crate::measures::Direction;
use ndarray::{ArrayView3, Axis};
use rayon::prelude::*;

/// `Σ a ln(a/b)` over the bins with `a > 0` (∞ where `b = 0 < a`).
pub fn kl(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .filter(|(&p, _)| p > 0.0)
        .map(|(&p, &q)| {
            if q > 0.0 {
                p * (p / q).ln()
            } else {
                f64::INFINITY
            }
        })
        .sum()
}

/// Jensen–Shannon divergence (nats).
pub fn js(a: &[f64], b: &[f64]) -> f64 {
    let m: Vec<f64> = a.iter().zip(b).map(|(p, q)| 0.5 * (p + q)).collect();
    0.5 * kl(a, &m) + 0.5 * kl(b, &m)
}

/// Rényi divergence of order `alpha` (nats); the KL divergence at `alpha = 1`.
pub fn renyi(a: &[f64], b: &[f64], alpha: f64) -> f64 {
    if alpha == 1.0 {
        return kl(a, b);
    }
    let s: f64 = a
        .iter()
        .zip(b)
        .filter(|(&p, _)| p > 0.0)
        .map(|(&p, &q)| p.powf(alpha) * q.powf(1.0 - alpha))
        .sum();
    s.ln() / (alpha - 1.0)
}

/// Rényi entropy of order `alpha` (nats); the Shannon entropy at `alpha = 1`.
fn renyi_entropy(a: &[f64], alpha: f64) -> f64 {
    if alpha == 1.0 {
        return -a
            .iter()
            .filter(|&&p| p > 0.0)
            .map(|&p| p * p.ln())
            .sum::<f64>();
    }
    let s: f64 = a.iter().filter(|&&p| p > 0.0).map(|&p| p.powf(alpha)).sum();
    s.ln() / (1.0 - alpha)
}

/// Jensen–Rényi divergence of order `alpha` (nats); Jensen–Shannon at `alpha = 1`.
pub fn jensen_renyi(a: &[f64], b: &[f64], alpha: f64) -> f64 {
    let m: Vec<f64> = a.iter().zip(b).map(|(p, q)| 0.5 * (p + q)).collect();
    renyi_entropy(&m, alpha) - 0.5 * (renyi_entropy(a, alpha) + renyi_entropy(b, alpha))
}

const P_FMIN: ParamSpec = ParamSpec {
    name: "fmin",
    unit: "Hz",
    kind: ParamKind::Float {
        default: 1.0,
        min: 0.0,
        max: 1.0e5,
    },
    doc: "Lower edge of the spectral range (inclusive).",
};
const P_FMAX: ParamSpec = ParamSpec {
    name: "fmax",
    unit: "Hz",
    kind: ParamKind::Float {
        default: 30.0,
        min: 0.0,
        max: 1.0e5,
    },
    doc: "Upper edge of the spectral range (inclusive).",
};
const P_ALPHA: ParamSpec = ParamSpec {
    name: "alpha",
    unit: "",
    kind: ParamKind::Float {
        default: 2.0,
        min: 1.0e-3,
        max: 100.0,
    },
    doc: "Order α of the Rényi and Jensen–Rényi divergences (α = 1: the Shannon forms).",
};
static DIVERGENCE_PARAMS: [ParamSpec; 3] = [P_FMIN, P_FMAX, P_ALPHA];

static DIVERGENCE_OUTPUTS: [OutputSpec; 6] = [
    OutputSpec {
        name: "kl_xy",
        unit: "nat",
        doc: "Kullback–Leibler D(p‖q), p the spectrum of x",
        direction: Direction::Lower,
    },
    OutputSpec {
        name: "kl_yx",
        unit: "nat",
        doc: "Kullback–Leibler D(q‖p)",
        direction: Direction::Lower,
    },
    OutputSpec {
        name: "js",
        unit: "nat",
        doc: "Jensen–Shannon divergence, in [0, ln 2]",
        direction: Direction::Lower,
    },
    OutputSpec {
        name: "renyi_xy",
        unit: "nat",
        doc: "Rényi divergence D_α(p‖q)",
        direction: Direction::Lower,
    },
    OutputSpec {
        name: "renyi_yx",
        unit: "nat",
        doc: "Rényi divergence D_α(q‖p)",
        direction: Direction::Lower,
    },
    OutputSpec {
        name: "jensen_renyi",
        unit: "nat",
        doc: "Jensen–Rényi divergence of order α",
        direction: Direction::Lower,
    },
];

/// Normalised power spectrum of every channel over the bins of `[fmin, fmax]`.
fn normalised_spectra(
    data: ArrayView3<f64>,
    fs: f64,
    params: &ParamValues,
) -> Result<Vec<Vec<f64>>, MeasureError> {
    let fmin = params.f64("fmin")?;
    let fmax = params.f64("fmax")?;
    if fmin > fmax {
        return Err(MeasureError::Param {
            name: "fmin".into(),
            reason: format!("fmin = {fmin} Hz exceeds fmax = {fmax} Hz"),
        });
    }
    let settings = FourierSettings {
        fmin,
        fmax,
        estimate: Estimate::AcrossEpochs,
    };
    let sp = BandSpectra::compute(data, fs, &settings)?;
    Ok((0..sp.n_channels)
        .map(|ch| {
            // one group (across epochs): Σ |X|² over all segments, per bin
            let mut p = sp.group_power(ch, 0).to_vec();
            let tot: f64 = p.iter().sum();
            if tot > 0.0 {
                p.iter_mut().for_each(|a| *a /= tot);
            }
            p
        })
        .collect())
}

fn divergences(p: &[f64], q: &[f64], alpha: f64) -> Result<Vec<Value>, MeasureError> {
    if p.iter().all(|&a| a == 0.0) || q.iter().all(|&a| a == 0.0) {
        return Err(MeasureError::Invalid(
            "spectral-divergence: a channel has no power in [fmin, fmax] (constant signal?)".into(),
        ));
    }
    Ok(vec![
        Value::new("kl_xy", kl(p, q)),
        Value::new("kl_yx", kl(q, p)),
        Value::new("js", js(p, q)),
        Value::new("renyi_xy", renyi(p, q, alpha)),
        Value::new("renyi_yx", renyi(q, p, alpha)),
        Value::new("jensen_renyi", jensen_renyi(p, q, alpha)),
    ])
}

/// Divergences between the normalised power spectra of two channels.
pub struct SpectralDivergence;

static INFO: MeasureInfo = MeasureInfo {
    id: "spectral-divergence",
    title: "Divergences between normalised spectra (KL, Jensen–Shannon, Rényi, Jensen–Rényi)",
    doc: "Hann-windowed power spectra (mean removed per epoch, averaged over epochs) over fmin ≤ f ≤ fmax, normalised to sum 1 (p for x, q for y); kl_xy = Σ p ln(p/q) (scipy.stats.entropy), kl_yx, js = ½D(p‖m) + ½D(q‖m) with m = (p+q)/2 (scipy jensenshannon²), renyi = ln(Σ p^α q^(1−α))/(α−1) both ways, jensen_renyi = H_α(m) − ½(H_α(p)+H_α(q)); natural logarithms (nats); 0 for identical spectra.",
    input: InputKind::Continuous,
    params: &DIVERGENCE_PARAMS,
    outputs: &DIVERGENCE_OUTPUTS,
    directed: false,
};

impl Plugin for SpectralDivergence {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (x, y, fs) = continuous_pair(self.info().id, pair)?;
        let data = ndarray::stack(Axis(0), &[x, y])
            .map_err(|e| MeasureError::Invalid(format!("measure `{}`: {e}", self.info().id)))?;
        let sp = normalised_spectra(data.view(), fs, params)?;
        divergences(&sp[0], &sp[1], params.f64("alpha")?)
    }

    /// One spectrum per channel, shared by all pairs.
    fn compute_set(
        &self,
        set: &SetInput,
        params: &ParamValues,
    ) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
        let (data, fs) = continuous_set(self.info().id, set)?;
        let sp = normalised_spectra(data, fs, params)?;
        let alpha = params.f64("alpha")?;
        let n = sp.len();
        let pairs: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .collect();
        pairs
            .par_iter()
            .map(|&(i, j)| Ok((Target::Pair(i, j), divergences(&sp[i], &sp[j], alpha)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shannon_limits_and_identities() {
        let p = [0.1, 0.2, 0.3, 0.4];
        let q = [0.25, 0.25, 0.4, 0.1];
        assert_eq!(kl(&p, &p), 0.0);
        assert!(js(&p, &q) > 0.0 && js(&p, &q) <= std::f64::consts::LN_2);
        // α → 1 tends to the Shannon forms
        let a = 1.0 + 1e-7;
        assert!((renyi(&p, &q, a) - kl(&p, &q)).abs() < 1e-6);
        assert!((jensen_renyi(&p, &q, a) - js(&p, &q)).abs() < 1e-6);
        assert_eq!(renyi(&p, &q, 1.0), kl(&p, &q));
        // disjoint supports: JS = ln 2, KL infinite
        let u = [0.5, 0.5, 0.0, 0.0];
        let v = [0.0, 0.0, 0.5, 0.5];
        assert!((js(&u, &v) - std::f64::consts::LN_2).abs() < 1e-15);
        assert!(kl(&u, &v).is_infinite());
        // Rényi order 2 by hand: ln Σ p²/q
        let want = (p.iter().zip(&q).map(|(a, b)| a * a / b).sum::<f64>()).ln();
        assert!((renyi(&p, &q, 2.0) - want).abs() < 1e-15);
    }
}
