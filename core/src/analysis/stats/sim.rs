//! Simulated cohorts for validating the group statistics (tests, the `nbs_validity`
//! example and the bctpy comparison all draw from here).
//!
//! Each recording has `channels` channels of `samples` white-noise samples,
//! `x_c(t) = e_c(t) + a·s(t)`, where `e_c` and the shared source `s` are independent
//! standard normals and `a = coupling` for the `planted` channels of the coupled
//! recordings (0 otherwise). The value of a pair is the Fisher z of the Pearson
//! correlation, `z = atanh r`, plus, in a paired design, a subject offset `u_{s,ab} ~
//! N(0, subject_sd²)` shared by the subject's two sessions (so pairing removes it).
//! Coupled channels correlate with `r = a²/(1 + a²)`.

use crate::batch::output::BatchRow;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// A simulated cohort's design.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortSim {
    /// Channels per recording.
    pub channels: usize,
    /// White-noise samples per channel.
    pub samples: usize,
    /// Independent: recordings in `g1` and `g2`. Paired: `n_1` subjects with sessions
    /// `ses-1` and `ses-2` (`n_2` unused).
    pub n_1: usize,
    /// Independent: recordings in `g2`. Paired: unused.
    pub n_2: usize,
    /// `true`: subjects with two sessions (`ses-1`, `ses-2`); `false`: two independent
    /// groups (`g1`, `g2`).
    pub paired: bool,
    /// Channels coupled in group `g1` (or session `ses-1`).
    pub planted: Vec<usize>,
    /// Amplitude `a` of the shared source in the planted channels (dimensionless, relative
    /// to the unit-variance noise); their correlation is `r = a²/(1 + a²)`.
    pub coupling: f64,
    /// Paired only: s.d. of the subject offsets.
    pub subject_sd: f64,
    /// Seed of the single ChaCha8 stream that draws the whole cohort.
    pub seed: u64,
}

fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// Channel label `C01`, `C02`, …
pub fn channel(c: usize) -> String {
    format!("C{:02}", c + 1)
}

/// The pair values of one recording (upper triangle, row by row).
fn recording(sim: &CohortSim, coupled: bool, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let (nc, ns) = (sim.channels, sim.samples);
    let s: Vec<f64> = (0..ns).map(|_| gauss(rng)).collect();
    let x: Vec<Vec<f64>> = (0..nc)
        .map(|c| {
            let a = if coupled && sim.planted.contains(&c) {
                sim.coupling
            } else {
                0.0
            };
            let mut v: Vec<f64> = s.iter().map(|si| gauss(rng) + a * si).collect::<Vec<f64>>();
            let m = v.iter().sum::<f64>() / ns as f64;
            v.iter_mut().for_each(|y| *y -= m);
            let norm = v.iter().map(|y| y * y).sum::<f64>().sqrt();
            v.iter_mut().for_each(|y| *y /= norm);
            v
        })
        .collect();
    let mut out = Vec::new();
    for a in 0..nc {
        for b in a + 1..nc {
            let r: f64 = x[a].iter().zip(&x[b]).map(|(p, q)| p * q).sum();
            out.push(r.clamp(-0.999_999, 0.999_999).atanh());
        }
    }
    out
}

/// The cohort as batch-table rows (measure `sim-corr`, parameter `z`).
pub fn simulate_cohort(sim: &CohortSim) -> Vec<BatchRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(sim.seed);
    let mut rows = Vec::new();
    let pairs = sim.channels * sim.channels.saturating_sub(1) / 2;
    let mut push = |rec: String, subject: String, session: &str, group: &str, v: Vec<f64>| {
        let mut k = 0;
        for a in 0..sim.channels {
            for b in a + 1..sim.channels {
                rows.push(BatchRow {
                    recording: rec.clone(),
                    subject: subject.clone(),
                    session: session.into(),
                    group: group.into(),
                    channel_a: channel(a),
                    channel_b: channel(b),
                    measure: "sim-corr".into(),
                    parameter: "z".into(),
                    value: v[k],
                    unit: String::new(),
                    n_events: None,
                    certified: None,
                });
                k += 1;
            }
        }
    };
    if sim.paired {
        for s in 0..sim.n_1 {
            let offsets: Vec<f64> = (0..pairs)
                .map(|_| sim.subject_sd * gauss(&mut rng))
                .collect::<Vec<f64>>();
            for (ses, coupled) in [("ses-1", true), ("ses-2", false)] {
                let v: Vec<f64> = recording(sim, coupled, &mut rng)
                    .iter()
                    .zip(&offsets)
                    .map(|(z, u)| z + u)
                    .collect();
                let subject = format!("s{:03}", s + 1);
                push(format!("sub-{subject}_{ses}"), subject, ses, "", v);
            }
        }
    } else {
        for (g, n, coupled) in [("g1", sim.n_1, true), ("g2", sim.n_2, false)] {
            for s in 0..n {
                let subject = format!("{g}s{:03}", s + 1);
                let v = recording(sim, coupled, &mut rng);
                push(format!("sub-{subject}"), subject, "", g, v);
            }
        }
    }
    rows
}
