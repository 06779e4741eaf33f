//! The Granger family from a multivariate autoregressive (MVAR) model of the whole
//! channel set: time-domain Granger causality (log variance ratio and the
//! statsmodels F statistic), DTF, PDC, generalized PDC, directed coherence (Granger
//! coherence), partial coherence, ffDTF and dDTF.
//!
//! # Model
//! `x_t = c + Σ_{m=1..p} A_m x_{t−m} + e_t`, `e_t ~ N(0, Σ)`, fitted by ordinary least
//! squares with an intercept (statsmodels `VAR(...).fit(p, trend='c')`); lags never
//! cross an epoch boundary (the regressions of every epoch are stacked). `Σ` is the
//! degrees-of-freedom adjusted residual covariance `UᵀU / (T − Kp − 1)`. The order `p`
//! is given, or chosen by BIC over `1..=max_order` (statsmodels `select_order`: every
//! order fitted on the same samples, `BIC = ln det Σ_mle + p K² ln T / T`).
//!
//! # Frequency-domain measures (value for j → i; `i` = target row, `j` = source column)
//! `A(f) = I − Σ_m A_m e^{−2πifm/fs}`, `H(f) = A(f)⁻¹`, `S(f) = H Σ Hᴴ`:
//! * PDC  `|A_ij| / √(Σ_k |A_kj|²)` (Baccalá & Sameshima 2001)
//! * gPDC `(|A_ij|/σ_i) / √(Σ_k |A_kj|²/σ_k²)` (Baccalá 2007)
//! * DTF  `|H_ij| / √(Σ_k |H_ik|²)` (Kamiński & Blinowska 1991), not squared
//! * DC   `σ_j|H_ij| / √(Σ_k σ_k²|H_ik|²)` (directed / Granger coherence, Baccalá 1998)
//! * pCOH `|D_ij| / √(D_ii D_jj)`, `D = S⁻¹` (partial coherence, symmetric)
//! * ffDTF `|H_ij(f)| / √(Σ_{f'} Σ_k |H_ik(f')|²)` with `f'` over the whole frequency
//!   grid `0..fs/2` Hz in `resolution` points (Korzeniewska 2003 in the √ form of
//!   connectivipy; the value depends on the grid)
//! * dDTF `ffDTF · pCOH`
//!
//! A band value is the plain mean over the grid points in `[fmin, fmax]`.

use super::spectral::continuous_set;
use super::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, SetInput, Target, Value,
};
use crate::measures::Direction;
use ndarray::{ArrayView3, Axis};
use num_complex::Complex64;

use crate::linalg::{cholesky, cholesky_solve};
use rayon::prelude::*;

// ---------------------------------------------------------------------------
// small dense linear algebra
// ---------------------------------------------------------------------------

/// Inverse of a complex `n × n` matrix (Gauss–Jordan, partial pivoting).
fn complex_inverse(a: &[Complex64], n: usize) -> Option<Vec<Complex64>> {
    let mut m = a.to_vec();
    let mut inv = vec![Complex64::new(0.0, 0.0); n * n];
    for i in 0..n {
        inv[i * n + i] = Complex64::new(1.0, 0.0);
    }
    for col in 0..n {
        let piv =
            (col..n).max_by(|&r, &s| m[r * n + col].norm().total_cmp(&m[s * n + col].norm()))?;
        if m[piv * n + col].norm() == 0.0 {
            return None;
        }
        if piv != col {
            for k in 0..n {
                m.swap(piv * n + k, col * n + k);
                inv.swap(piv * n + k, col * n + k);
            }
        }
        let d = m[col * n + col].inv();
        for k in 0..n {
            m[col * n + k] *= d;
            inv[col * n + k] *= d;
        }
        for r in 0..n {
            if r != col {
                let f = m[r * n + col];
                if f != Complex64::new(0.0, 0.0) {
                    for k in 0..n {
                        let (a, b) = (m[col * n + k], inv[col * n + k]);
                        m[r * n + k] -= f * a;
                        inv[r * n + k] -= f * b;
                    }
                }
            }
        }
    }
    Some(inv)
}

// ---------------------------------------------------------------------------
// the VAR fit
// ---------------------------------------------------------------------------

/// A fitted MVAR model of `k` channels.
#[derive(Debug, Clone)]
pub struct VarModel {
    /// Number of channels.
    pub k: usize,
    /// Order p.
    pub p: usize,
    /// `a[(m * k + i) * k + j]` = `A_{m+1}[i, j]`, the effect of channel j at lag m+1 on i.
    pub a: Vec<f64>,
    /// Intercepts c (one per channel).
    pub intercept: Vec<f64>,
    /// Residual covariance, dof-adjusted `UᵀU/(T − Kp − 1)`, `k × k`.
    pub sigma: Vec<f64>,
    /// Number of regression rows T.
    pub n_obs: usize,
    /// `(ZᵀZ)⁻¹` of the regressors `[1, x_{t−1}, …, x_{t−p}]`, `(1+Kp)²`.
    zz_inv: Vec<f64>,
    /// Residual sum of squares matrix `UᵀU`.
    ssr: Vec<f64>,
}

impl VarModel {
    /// `A_m[i, j]` for m = 1..=p.
    pub fn coef(&self, m: usize, i: usize, j: usize) -> f64 {
        self.a[((m - 1) * self.k + i) * self.k + j]
    }
}

/// The normal equations of a VAR(p) with intercept on channels × epochs × samples,
/// using target samples `t ≥ start` (`start ≥ p`) of every epoch.
fn normal_equations(
    data: ArrayView3<f64>,
    p: usize,
    start: usize,
) -> (Vec<f64>, Vec<f64>, Vec<f64>, usize) {
    let (k, n_ep, n) = data.dim();
    let r = 1 + k * p;
    let mut zz = vec![0.0; r * r];
    let mut zy = vec![0.0; r * k];
    let mut yy = vec![0.0; k * k];
    let mut z = vec![0.0; r];
    let mut y = vec![0.0; k];
    let mut t_obs = 0;
    for e in 0..n_ep {
        let ep = data.index_axis(Axis(1), e);
        for t in start..n {
            z[0] = 1.0;
            for m in 1..=p {
                for j in 0..k {
                    z[1 + (m - 1) * k + j] = ep[[j, t - m]];
                }
            }
            for i in 0..k {
                y[i] = ep[[i, t]];
            }
            for a in 0..r {
                let za = z[a];
                for b in a..r {
                    zz[a * r + b] += za * z[b];
                }
                for i in 0..k {
                    zy[a * k + i] += za * y[i];
                }
            }
            for i in 0..k {
                for j in 0..k {
                    yy[i * k + j] += y[i] * y[j];
                }
            }
            t_obs += 1;
        }
    }
    for a in 0..r {
        for b in 0..a {
            zz[a * r + b] = zz[b * r + a];
        }
    }
    (zz, zy, yy, t_obs)
}

/// OLS fit of a VAR(p) with intercept using target samples `t ≥ start` of each epoch.
fn fit_from(data: ArrayView3<f64>, p: usize, start: usize) -> Result<VarModel, MeasureError> {
    let (k, _, _) = data.dim();
    let r = 1 + k * p;
    let (zz, zy, yy, t_obs) = normal_equations(data, p, start);
    if t_obs <= r {
        return Err(MeasureError::Invalid(format!(
            "VAR({p}) of {k} channels needs more than {r} samples after the first {start} of each epoch, got {t_obs}"
        )));
    }
    let l = cholesky(&zz, r).ok_or_else(|| {
        MeasureError::Invalid(format!(
            "VAR({p}): the lagged signals are collinear (a constant or duplicated channel?)"
        ))
    })?;
    let mut b = zy.clone();
    cholesky_solve(&l, r, &mut b, k); // b: r × k, B = (ZᵀZ)⁻¹ ZᵀY
                                      // UᵀU = YᵀY − Bᵀ ZᵀY
    let mut ssr = yy;
    for i in 0..k {
        for j in 0..k {
            let mut s = 0.0;
            for a in 0..r {
                s += b[a * k + i] * zy[a * k + j];
            }
            ssr[i * k + j] -= s;
        }
    }
    let dof = (t_obs - r) as f64;
    let sigma: Vec<f64> = ssr.iter().map(|v| v / dof).collect();
    let mut a = vec![0.0; p * k * k];
    for m in 0..p {
        for i in 0..k {
            for j in 0..k {
                a[(m * k + i) * k + j] = b[(1 + m * k + j) * k + i];
            }
        }
    }
    let mut zz_inv = vec![0.0; r * r];
    for i in 0..r {
        zz_inv[i * r + i] = 1.0;
    }
    cholesky_solve(&l, r, &mut zz_inv, r);
    Ok(VarModel {
        k,
        p,
        a,
        intercept: (0..k).map(|i| b[i]).collect(),
        sigma,
        n_obs: t_obs,
        zz_inv,
        ssr,
    })
}

/// Fits a VAR(p) with intercept by OLS on channels × epochs × samples.
pub fn fit_var(data: ArrayView3<f64>, p: usize) -> Result<VarModel, MeasureError> {
    if p == 0 {
        return Err(MeasureError::Param {
            name: "order".into(),
            reason: "the order must be ≥ 1".into(),
        });
    }
    if data.dim().2 <= p {
        return Err(MeasureError::Invalid(format!(
            "epochs of {} samples are too short for a VAR({p})",
            data.dim().2
        )));
    }
    fit_from(data, p, p)
}

/// The order in `1..=max_order` of least BIC, every order fitted on the same samples
/// (statsmodels `select_order`): `BIC(p) = ln det(UᵀU/T) + p K² ln T / T`.
pub fn select_order_bic(data: ArrayView3<f64>, max_order: usize) -> Result<usize, MeasureError> {
    if max_order == 0 || data.dim().2 <= max_order {
        return Err(MeasureError::Param {
            name: "max_order".into(),
            reason: format!(
                "{max_order} must be ≥ 1 and below the epoch length {}",
                data.dim().2
            ),
        });
    }
    let k = data.dim().0;
    let bics: Vec<Result<f64, MeasureError>> = (1..=max_order)
        .into_par_iter()
        .map(|p| {
            let m = fit_from(data, p, max_order)?;
            let t = m.n_obs as f64;
            let mle: Vec<f64> = m.ssr.iter().map(|v| v / t).collect();
            let l = cholesky(&mle, k).ok_or_else(|| {
                MeasureError::Invalid("VAR residual covariance is singular".into())
            })?;
            let logdet: f64 = (0..k).map(|i| 2.0 * l[i * k + i].ln()).sum();
            Ok(logdet + (p * k * k) as f64 * t.ln() / t)
        })
        .collect();
    let mut best = (0, f64::INFINITY);
    for (idx, b) in bics.into_iter().enumerate() {
        let b = b?;
        if b < best.1 {
            best = (idx + 1, b);
        }
    }
    Ok(best.0)
}

/// Time-domain Granger causality of channel `j` on channel `i`, conditional on the
/// other channels of the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeGranger {
    /// `ln(Σ_r,ii / Σ_f,ii)`: log ratio of the residual variance of `i` without and
    /// with the past of `j` (both maximum-likelihood, same samples).
    pub gci: f64,
    /// Wald F statistic of `A_m[i, j] = 0` for all m (statsmodels `test_causality(i, [j], 'f')`).
    pub f_stat: f64,
}

/// Granger causality j → i from a fitted model (F test) and a refit without `j`'s
/// lags in the equation of `i` (the log variance ratio).
pub fn time_granger(
    data: ArrayView3<f64>,
    model: &VarModel,
    i: usize,
    j: usize,
) -> Result<TimeGranger, MeasureError> {
    let (k, p) = (model.k, model.p);
    let r = 1 + k * p;
    // F test: restrictions on A_m[i, j]; Cov = (ZᵀZ)⁻¹ ⊗ Σ restricted to equation i.
    let idx: Vec<usize> = (0..p).map(|m| 1 + m * k + j).collect();
    let mut cov = vec![0.0; p * p];
    for (a, &ra) in idx.iter().enumerate() {
        for (b, &rb) in idx.iter().enumerate() {
            cov[a * p + b] = model.zz_inv[ra * r + rb] * model.sigma[i * k + i];
        }
    }
    let beta: Vec<f64> = (1..=p).map(|m| model.coef(m, i, j)).collect();
    let l = cholesky(&cov, p).ok_or_else(|| {
        MeasureError::Invalid("Granger F test: singular coefficient covariance".into())
    })?;
    let mut sol = beta.clone();
    cholesky_solve(&l, p, &mut sol, 1);
    let wald: f64 = beta.iter().zip(&sol).map(|(a, b)| a * b).sum();
    // restricted regression of x_i on the past of every channel except j
    let keep: Vec<usize> = (0..k).filter(|&c| c != j).collect();
    let restricted = {
        let sub = data.select(Axis(0), &keep);
        // regress channel i (position in `keep`) on its set's past
        let m = fit_var(sub.view(), p)?;
        let pos = keep.iter().position(|&c| c == i).ok_or_else(|| {
            MeasureError::Invalid("Granger: source and target must differ".into())
        })?;
        m.ssr[pos * m.k + pos]
    };
    let full = model.ssr[i * k + i];
    Ok(TimeGranger {
        gci: (restricted / full).ln(),
        f_stat: wald / p as f64,
    })
}

// ---------------------------------------------------------------------------
// frequency-domain measures
// ---------------------------------------------------------------------------

/// Which MVAR frequency-domain measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MvarMethod {
    /// Directed transfer function: `|H_ij(f)| / √(Σ_k |H_ik(f)|²)` for j → i
    /// (Kamiński & Blinowska 1991), `H(f) = A(f)⁻¹` the model's transfer matrix.
    Dtf,
    /// Partial directed coherence: `|A_ij(f)| / √(Σ_k |A_kj(f)|²)` for j → i
    /// (Baccalá & Sameshima 2001).
    Pdc,
    /// Generalized PDC: `(|A_ij|/σ_i) / √(Σ_k |A_kj|²/σ_k²)` for j → i (Baccalá et al. 2007),
    /// `σ²` the residual variances.
    GPdc,
    /// Directed (Granger) coherence: `σ_j|H_ij| / √(Σ_k σ_k²|H_ik|²)` for j → i
    /// (Baccalá et al. 1998).
    Dc,
    /// Partial coherence: `|D_ij| / √(D_ii D_jj)` with `D = S(f)⁻¹`, `S = HΣHᴴ`; symmetric.
    PCoh,
    /// Full-frequency DTF: `|H_ij(f)|` normalised by `Σ_k |H_ik|²` summed over the whole
    /// frequency grid (Korzeniewska et al. 2003).
    FfDtf,
    /// Direct DTF: full-frequency DTF times partial coherence (Korzeniewska et al. 2003).
    DDtf,
}

/// `A(f)`, `H(f)` (k × k, row-major) of a model at `f` Hz.
fn transfer(
    model: &VarModel,
    f: f64,
    fs: f64,
) -> Result<(Vec<Complex64>, Vec<Complex64>), MeasureError> {
    let k = model.k;
    let mut af = vec![Complex64::new(0.0, 0.0); k * k];
    for i in 0..k {
        af[i * k + i] = Complex64::new(1.0, 0.0);
    }
    for m in 1..=model.p {
        let z = Complex64::from_polar(1.0, -2.0 * std::f64::consts::PI * f / fs * m as f64);
        for i in 0..k {
            for j in 0..k {
                af[i * k + j] -= z * model.coef(m, i, j);
            }
        }
    }
    let h = complex_inverse(&af, k).ok_or_else(|| {
        MeasureError::Invalid(format!("MVAR transfer matrix is singular at {f} Hz"))
    })?;
    Ok((af, h))
}

/// The `k × k` matrix of `method` (entry `[i][j]` = j → i) at each frequency in `band`,
/// averaged; `grid` is the full frequency grid used by ffDTF / dDTF normalisation.
pub fn mvar_band(
    model: &VarModel,
    fs: f64,
    method: MvarMethod,
    band: &[f64],
    grid: &[f64],
) -> Result<Vec<f64>, MeasureError> {
    let k = model.k;
    let sd: Vec<f64> = (0..k).map(|i| model.sigma[i * k + i].sqrt()).collect();
    let ff_norm: Vec<f64> = if matches!(method, MvarMethod::FfDtf | MvarMethod::DDtf) {
        let mut tot = vec![0.0; k];
        for &g in grid {
            let (_, h) = transfer(model, g, fs)?;
            for i in 0..k {
                tot[i] += (0..k).map(|c| h[i * k + c].norm_sqr()).sum::<f64>();
            }
        }
        tot
    } else {
        Vec::new()
    };
    let mut out = vec![0.0; k * k];
    for &f in band {
        let (af, h) = transfer(model, f, fs)?;
        let pcoh = if matches!(method, MvarMethod::PCoh | MvarMethod::DDtf) {
            // S = H Σ Hᴴ, D = S⁻¹
            let mut hs = vec![Complex64::new(0.0, 0.0); k * k];
            for i in 0..k {
                for j in 0..k {
                    hs[i * k + j] = (0..k).map(|c| h[i * k + c] * model.sigma[c * k + j]).sum();
                }
            }
            let mut s = vec![Complex64::new(0.0, 0.0); k * k];
            for i in 0..k {
                for j in 0..k {
                    s[i * k + j] = (0..k).map(|c| hs[i * k + c] * h[j * k + c].conj()).sum();
                }
            }
            let d = complex_inverse(&s, k).ok_or_else(|| {
                MeasureError::Invalid(format!("MVAR spectrum singular at {f} Hz"))
            })?;
            let mut pc = vec![0.0; k * k];
            for i in 0..k {
                for j in 0..k {
                    pc[i * k + j] =
                        d[i * k + j].norm() / (d[i * k + i].re * d[j * k + j].re).sqrt();
                }
            }
            pc
        } else {
            Vec::new()
        };
        for i in 0..k {
            for j in 0..k {
                let v = match method {
                    MvarMethod::Pdc => {
                        af[i * k + j].norm()
                            / (0..k).map(|c| af[c * k + j].norm_sqr()).sum::<f64>().sqrt()
                    }
                    MvarMethod::GPdc => {
                        (af[i * k + j].norm() / sd[i])
                            / (0..k)
                                .map(|c| af[c * k + j].norm_sqr() / (sd[c] * sd[c]))
                                .sum::<f64>()
                                .sqrt()
                    }
                    MvarMethod::Dtf => {
                        h[i * k + j].norm()
                            / (0..k).map(|c| h[i * k + c].norm_sqr()).sum::<f64>().sqrt()
                    }
                    MvarMethod::Dc => {
                        sd[j] * h[i * k + j].norm()
                            / (0..k)
                                .map(|c| sd[c] * sd[c] * h[i * k + c].norm_sqr())
                                .sum::<f64>()
                                .sqrt()
                    }
                    MvarMethod::PCoh => pcoh[i * k + j],
                    MvarMethod::FfDtf => h[i * k + j].norm() / ff_norm[i].sqrt(),
                    MvarMethod::DDtf => h[i * k + j].norm() / ff_norm[i].sqrt() * pcoh[i * k + j],
                };
                out[i * k + j] += v;
            }
        }
    }
    let nb = band.len() as f64;
    out.iter_mut().for_each(|v| *v /= nb);
    Ok(out)
}

// ---------------------------------------------------------------------------
// plugins
// ---------------------------------------------------------------------------

const P_ORDER: ParamSpec = ParamSpec {
    name: "order",
    unit: "",
    kind: ParamKind::Int {
        default: 0,
        min: 0,
        max: 200,
    },
    doc: "MVAR model order p in samples; 0 = choose by BIC over 1..=max_order.",
};
const P_MAX_ORDER: ParamSpec = ParamSpec {
    name: "max_order",
    unit: "",
    kind: ParamKind::Int {
        default: 20,
        min: 1,
        max: 200,
    },
    doc: "Largest order tried by the BIC selection.",
};
const P_GFMIN: ParamSpec = ParamSpec {
    name: "fmin",
    unit: "Hz",
    kind: ParamKind::Float {
        default: 8.0,
        min: 0.0,
        max: 1.0e5,
    },
    doc: "Lower edge of the band (inclusive) over the frequency grid.",
};
const P_GFMAX: ParamSpec = ParamSpec {
    name: "fmax",
    unit: "Hz",
    kind: ParamKind::Float {
        default: 12.0,
        min: 0.0,
        max: 1.0e5,
    },
    doc: "Upper edge of the band (inclusive).",
};
const P_RESOLUTION: ParamSpec = ParamSpec {
    name: "resolution",
    unit: "",
    kind: ParamKind::Int { default: 129, min: 2, max: 100_000 },
    doc: "Points of the frequency grid linspace(0, fs/2) Hz (connectivipy `resolution`); the band is averaged over its points and ffDTF/dDTF are normalised over all of them.",
};

static MVAR_PARAMS: [ParamSpec; 5] = [P_ORDER, P_MAX_ORDER, P_GFMIN, P_GFMAX, P_RESOLUTION];
static GC_PARAMS: [ParamSpec; 2] = [P_ORDER, P_MAX_ORDER];

/// The model of a set: the given order, or the BIC choice.
fn model_for(data: ArrayView3<f64>, params: &ParamValues) -> Result<VarModel, MeasureError> {
    let order = params.int("order")?;
    let p = if order > 0 {
        order as usize
    } else {
        select_order_bic(data, params.int("max_order")? as usize)?
    };
    fit_var(data, p)
}

fn pair_as_set(
    id: &'static str,
    pair: &PairInput,
) -> Result<(ndarray::Array3<f64>, f64), MeasureError> {
    let (x, y, fs) = super::spectral::continuous_pair(id, pair)?;
    let d = ndarray::stack(Axis(0), &[x, y])
        .map_err(|e| MeasureError::Invalid(format!("measure `{id}`: {e}")))?;
    Ok((d, fs))
}

/// A frequency-domain MVAR measure: one struct, one static instance per method.
pub struct MvarMeasure {
    /// Identifier, parameters and outputs, as the registry lists them.
    pub info: MeasureInfo,
    /// Which frequency-domain quantity of the fitted model the measure returns.
    pub method: MvarMethod,
}

impl MvarMeasure {
    fn matrix(
        &self,
        data: ArrayView3<f64>,
        fs: f64,
        params: &ParamValues,
    ) -> Result<Vec<f64>, MeasureError> {
        let fmin = params.f64("fmin")?;
        let fmax = params.f64("fmax")?;
        let res = params.int("resolution")? as usize;
        let grid: Vec<f64> = (0..res)
            .map(|g| g as f64 * (fs / 2.0) / (res - 1) as f64)
            .collect();
        let band: Vec<f64> = grid
            .iter()
            .copied()
            .filter(|&f| f >= fmin && f <= fmax)
            .collect();
        if band.is_empty() {
            return Err(MeasureError::Param {
                name: "fmin".into(),
                reason: format!(
                    "no point of the {res}-point grid 0..{} Hz lies in [{fmin}, {fmax}] Hz",
                    fs / 2.0
                ),
            });
        }
        let model = model_for(data, params)?;
        mvar_band(&model, fs, self.method, &band, &grid)
    }
}

impl Plugin for MvarMeasure {
    fn info(&self) -> &MeasureInfo {
        &self.info
    }

    /// The value x → y of a bivariate model of the pair.
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (d, fs) = pair_as_set(self.info.id, pair)?;
        let m = self.matrix(d.view(), fs, params)?;
        Ok(vec![Value::new(self.info.outputs[0].name, m[2])]) // [1][0]: 0 → 1
    }

    /// One model of the whole set; `Target::Pair(a, b)` is the value a → b.
    fn compute_set(
        &self,
        set: &SetInput,
        params: &ParamValues,
    ) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
        let (data, fs) = continuous_set(self.info.id, set)?;
        let k = data.dim().0;
        let m = self.matrix(data, fs, params)?;
        let mut out = Vec::new();
        for a in 0..k {
            for b in 0..k {
                if a == b || (!self.info.directed && b < a) {
                    continue;
                }
                out.push((
                    Target::Pair(a, b),
                    vec![Value::new(self.info.outputs[0].name, m[b * k + a])],
                ));
            }
        }
        Ok(out)
    }
}

macro_rules! mvar_measure {
    ($name:ident, $id:expr, $title:expr, $method:ident, $doc:expr) => {
        #[doc = concat!($title, " (`", $id, "`): ", $doc)]
        pub static $name: MvarMeasure = MvarMeasure {
            info: MeasureInfo {
            id: $id,
            title: $title,
            doc: concat!($doc, " From an MVAR model of the whole set fitted by OLS with intercept (order given or by BIC); band value = mean over the points of a linspace(0, fs/2, resolution) grid in [fmin, fmax] Hz. Target::Pair(a, b) is a → b."),
            input: InputKind::Continuous,
            params: &MVAR_PARAMS,
            outputs: &[OutputSpec { name: $id, unit: "", doc: $title, direction: Direction::Higher }],
            directed: !matches!(MvarMethod::$method, MvarMethod::PCoh),
            },
            method: MvarMethod::$method,
        };
    };
}

mvar_measure!(DTF, "dtf", "Directed transfer function", Dtf,
    "|H_ij(f)| / √(Σ_k |H_ik(f)|²) for j → i (Kamiński & Blinowska 1991), not squared; direct and indirect flows.");
mvar_measure!(
    PDC,
    "pdc",
    "Partial directed coherence",
    Pdc,
    "|A_ij(f)| / √(Σ_k |A_kj(f)|²) for j → i (Baccalá & Sameshima 2001); direct flows only."
);
mvar_measure!(GPDC, "gpdc", "Generalized partial directed coherence", GPdc,
    "(|A_ij|/σ_i) / √(Σ_k |A_kj|²/σ_k²) for j → i (Baccalá et al. 2007), σ² the residual variances.");
mvar_measure!(
    DC,
    "dc",
    "Directed (Granger) coherence",
    Dc,
    "σ_j|H_ij| / √(Σ_k σ_k²|H_ik|²) for j → i (Baccalá et al. 1998)."
);
mvar_measure!(PCOH, "pcoh", "Partial coherence", PCoh,
    "|D_ij| / √(D_ii D_jj), D = S(f)⁻¹, S = HΣHᴴ: coherence with the other channels partialled out; symmetric.");
mvar_measure!(FFDTF, "ffdtf", "Full-frequency DTF", FfDtf,
    "|H_ij(f)| / √(Σ_{f'∈grid} Σ_k |H_ik(f')|²) for j → i (Korzeniewska et al. 2003, √ form as connectivipy); depends on the grid (`resolution`).");
mvar_measure!(
    DDTF,
    "ddtf",
    "Direct DTF",
    DDtf,
    "ffDTF_ij(f) · pCOH_ij(f) for j → i (Korzeniewska et al. 2003): direct flows only."
);

/// Time-domain Granger causality (conditional on the rest of the set).
pub struct GrangerTime;

static INFO: MeasureInfo = MeasureInfo {
    id: "granger",
    title: "Granger causality index (time domain)",
    doc: "For j → i: gci = ln(σ²_r / σ²_f), the log ratio of the maximum-likelihood residual variance of channel i's equation without and with the past of j (other channels of the set kept: conditional GC; 0 = no causality); f_stat = the Wald F statistic of A_m[i, j] = 0 for m = 1..p (statsmodels `VAR.test_causality(i, [j], kind='f')`, p and T(K)−Kp−1 degrees of freedom). OLS with intercept, order given or by BIC. Target::Pair(a, b) is a → b.",
    input: InputKind::Continuous,
    params: &GC_PARAMS,
    outputs: &[
            OutputSpec {
                name: "gci",
                unit: "",
                doc: "ln of the residual variance ratio",
                direction: Direction::Higher,
            },
            OutputSpec {
                name: "f_stat",
                unit: "",
                doc: "Wald F statistic",
                direction: Direction::Higher,
            },
            OutputSpec {
                name: "order",
                unit: "",
                doc: "model order used",
                direction: Direction::Neither,
            },
        ],
    directed: true,
};

impl Plugin for GrangerTime {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let (d, _) = pair_as_set(self.info().id, pair)?;
        let model = model_for(d.view(), params)?;
        let g = time_granger(d.view(), &model, 1, 0)?;
        Ok(vec![
            Value::new("gci", g.gci),
            Value::new("f_stat", g.f_stat),
            Value::new("order", model.p as f64),
        ])
    }

    fn compute_set(
        &self,
        set: &SetInput,
        params: &ParamValues,
    ) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
        let (data, _) = continuous_set(self.info().id, set)?;
        let model = model_for(data, params)?;
        let k = model.k;
        let pairs: Vec<(usize, usize)> = (0..k)
            .flat_map(|a| (0..k).map(move |b| (a, b)))
            .filter(|(a, b)| a != b)
            .collect();
        pairs
            .par_iter()
            .map(|&(a, b)| {
                let g = time_granger(data, &model, b, a)?;
                Ok((
                    Target::Pair(a, b),
                    vec![
                        Value::new("gci", g.gci),
                        Value::new("f_stat", g.f_stat),
                        Value::new("order", model.p as f64),
                    ],
                ))
            })
            .collect()
    }
}
