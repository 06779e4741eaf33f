//! Surrogate data from the SES generative models (docs/model.md §2.1 and §7.3), seeded with
//! ChaCha so every run is reproducible.
//!
//! 1-D (§2.1): a hidden homogeneous Poisson process of rate `λ` on `[0, T]`; two noisy
//! copies `z = v − δt/2 + ε`, `z' = v + δt/2 + ε'` with `ε, ε' ~ N(0, st/2)` (so a
//! coincident pair has `y − x ~ N(δt, st)`); each copy deleted independently with
//! probability `p_d`.
//!
//! 2-D (§7.3): hidden bumps uniform on `[0, T] × [f_min, f_max]`, widths
//! `Δt ~ U[Δt_min, Δt_max]`, `Δf ~ U[Δf_min, Δf_max]` kept by both copies; the normalised
//! offsets between copies `(t' − t)/(2Δt) ~ N(δt, st)` and `(f' − f)/(2Δf) ~ N(δf, sf)`;
//! independent deletions with probability `p_d`.

use crate::bumps::Bump;
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson, Uniform};

/// The seeded generator used by every surrogate.
pub fn seeded(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Parameters of the 1-D generator (one time unit throughout, e.g. ms or s).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surrogate1d {
    /// Hidden rate `λ` (events per time unit).
    pub rate: f64,
    /// Observation length `T` (time).
    pub duration: f64,
    /// `δt` (time).
    pub delay: f64,
    /// `st`: variance of `y − x` for a coincident pair (time²).
    pub jitter_var: f64,
    /// Deletion probability `p_d` of each copy.
    pub p_delete: f64,
}

fn poisson_count<R: Rng>(rng: &mut R, mean: f64) -> usize {
    if mean <= 0.0 || !mean.is_finite() {
        return 0;
    }
    // invariant: mean is finite and > 0, which Poisson::new accepts
    let p = Poisson::new(mean).expect("positive finite Poisson mean");
    let k: f64 = p.sample(rng);
    k as usize
}

fn normal(sd: f64) -> Normal<f64> {
    // invariant: callers pass a finite sd ≥ 0
    Normal::new(0.0, sd.max(0.0)).expect("finite standard deviation")
}

impl Surrogate1d {
    /// Draws `(x, y)`, each sorted ascending.
    pub fn generate<R: Rng>(&self, rng: &mut R) -> (Vec<f64>, Vec<f64>) {
        let l = poisson_count(rng, self.rate * self.duration);
        let uni = Uniform::new(0.0, self.duration.max(f64::MIN_POSITIVE));
        let v: Vec<f64> = (0..l).map(|_| uni.sample(rng)).collect();
        let eps = normal((self.jitter_var / 2.0).sqrt());
        let z: Vec<f64> = v
            .iter()
            .map(|&h| h - self.delay / 2.0 + eps.sample(rng))
            .collect();
        let zp: Vec<f64> = v
            .iter()
            .map(|&h| h + self.delay / 2.0 + eps.sample(rng))
            .collect();
        let keep_x: Vec<bool> = (0..l).map(|_| rng.gen::<f64>() >= self.p_delete).collect();
        let keep_y: Vec<bool> = (0..l).map(|_| rng.gen::<f64>() >= self.p_delete).collect();
        let mut x: Vec<f64> = z
            .iter()
            .zip(&keep_x)
            .filter_map(|(&t, &k)| k.then_some(t))
            .collect();
        let mut y: Vec<f64> = zp
            .iter()
            .zip(&keep_y)
            .filter_map(|(&t, &k)| k.then_some(t))
            .collect();
        x.sort_by(f64::total_cmp);
        y.sort_by(f64::total_cmp);
        (x, y)
    }
}

/// Parameters of the 2-D (bump) generator of docs/model.md §7.3. Times in s, frequencies in Hz.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surrogate2d {
    /// Expected number of hidden bumps (Poisson mean).
    pub n_hidden: f64,
    /// Observation length `T` (s).
    pub duration: f64,
    /// Frequency range (Hz).
    pub freq_range: (f64, f64),
    /// Range of the time widths `Δt` (s).
    pub width_t_range: (f64, f64),
    /// Range of the frequency widths `Δf` (Hz).
    pub width_f_range: (f64, f64),
    /// `(δt, st, δf, sf)` of the normalised offsets.
    pub theta: [f64; 4],
    /// Probability that each copy of a hidden bump is deleted, independently per signal.
    pub p_delete: f64,
}

impl Surrogate2d {
    /// The generator of docs/model.md §7.3 (T = 20 s, 4–30 Hz, 100 hidden bumps,
    /// Δt ~ U[0.1, 0.5] s, Δf ~ U[0.5, 3] Hz).
    pub fn spec(theta: [f64; 4], p_delete: f64) -> Self {
        Surrogate2d {
            n_hidden: 100.0,
            duration: 20.0,
            freq_range: (4.0, 30.0),
            width_t_range: (0.1, 0.5),
            width_f_range: (0.5, 3.0),
            theta,
            p_delete,
        }
    }

    /// Draws the bump sets `(x, y)` (amplitude 1), in hidden-event order.
    pub fn generate<R: Rng>(&self, rng: &mut R) -> (Vec<Bump>, Vec<Bump>) {
        let l = poisson_count(rng, self.n_hidden);
        let ut = Uniform::new(0.0, self.duration);
        let uf = Uniform::new(self.freq_range.0, self.freq_range.1);
        let uwt = Uniform::new(self.width_t_range.0, self.width_t_range.1);
        let uwf = Uniform::new(self.width_f_range.0, self.width_f_range.1);
        let vt: Vec<f64> = (0..l).map(|_| ut.sample(rng)).collect();
        let vf: Vec<f64> = (0..l).map(|_| uf.sample(rng)).collect();
        let wt: Vec<f64> = (0..l).map(|_| uwt.sample(rng)).collect();
        let wf: Vec<f64> = (0..l).map(|_| uwf.sample(rng)).collect();
        let [dt, st, df, sf] = self.theta;
        let et = normal((st / 2.0).sqrt());
        let ef = normal((sf / 2.0).sqrt());
        let copy = |sign: f64, rng: &mut R| -> Vec<Bump> {
            let t: Vec<f64> = (0..l)
                .map(|k| vt[k] + sign * (dt / 2.0) * 2.0 * wt[k] + et.sample(rng) * 2.0 * wt[k])
                .collect();
            let f: Vec<f64> = (0..l)
                .map(|k| vf[k] + sign * (df / 2.0) * 2.0 * wf[k] + ef.sample(rng) * 2.0 * wf[k])
                .collect();
            (0..l)
                .filter(|_| rng.gen::<f64>() >= self.p_delete)
                .map(|k| Bump {
                    t: t[k],
                    f: f[k],
                    dt: wt[k],
                    df: wf[k],
                    amplitude: 1.0,
                    peak: 1.0,
                })
                .collect()
        };
        let x = copy(-1.0, rng);
        let y = copy(1.0, rng);
        (x, y)
    }
}

impl Surrogate2d {
    /// Draws `n` copies of one hidden bump set (for multichannel data): copy `c` has
    /// normalised offsets `N(0, st/2)`, `N(0, sf/2)` around the hidden bump (so two copies
    /// differ by `N(0, st)`, `N(0, sf)`), no systematic offset, and independent deletions.
    pub fn generate_copies<R: Rng>(&self, n: usize, rng: &mut R) -> Vec<Vec<Bump>> {
        let l = poisson_count(rng, self.n_hidden);
        let ut = Uniform::new(0.0, self.duration);
        let uf = Uniform::new(self.freq_range.0, self.freq_range.1);
        let uwt = Uniform::new(self.width_t_range.0, self.width_t_range.1);
        let uwf = Uniform::new(self.width_f_range.0, self.width_f_range.1);
        let hidden: Vec<[f64; 4]> = (0..l)
            .map(|_| {
                [
                    ut.sample(rng),
                    uf.sample(rng),
                    uwt.sample(rng),
                    uwf.sample(rng),
                ]
            })
            .collect();
        let et = normal((self.theta[1] / 2.0).sqrt());
        let ef = normal((self.theta[3] / 2.0).sqrt());
        (0..n)
            .map(|_| {
                let mut v: Vec<Bump> = hidden
                    .iter()
                    .filter_map(|h| {
                        let t = h[0] + et.sample(rng) * 2.0 * h[2];
                        let f = h[1] + ef.sample(rng) * 2.0 * h[3];
                        (rng.gen::<f64>() >= self.p_delete).then_some(Bump {
                            t,
                            f,
                            dt: h[2],
                            df: h[3],
                            amplitude: 1.0,
                            peak: 1.0,
                        })
                    })
                    .collect();
                v.sort_by(|a, b| a.t.total_cmp(&b.t));
                v
            })
            .collect()
    }
}
