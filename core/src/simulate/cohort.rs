//! Cohorts of simulated subjects in groups that differ in synchrony strength (e.g.
//! "control" vs "patient" with weaker synchrony in the latter).

use super::{simulate, GroundTruth, SimulationError, SimulationOptions};
use crate::recording::Recording;
use serde::{Deserialize, Serialize};

/// One group of a simulated cohort. Its synchrony settings replace those of every
/// synchronous group of the base options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortGroup {
    /// Group name (`control`, `patient`…), used in subject ids; letters and digits only.
    pub name: String,
    /// Number of subjects.
    pub subjects: usize,
    /// Timing jitter s.d. of each burst copy, s.
    pub jitter_sd: f64,
    /// Deletion probability of each burst copy, in [0, 1).
    pub deletion_probability: f64,
}

/// A cohort: base options and groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortSimulationOptions {
    /// Options shared by every subject; its seed is the cohort's seed.
    pub base: SimulationOptions,
    /// The groups; subjects are numbered within each group.
    pub groups: Vec<CohortGroup>,
}

impl Default for CohortSimulationOptions {
    /// Six controls (jitter 10 ms, deletion 0.1) and six patients (jitter 30 ms,
    /// deletion 0.5), 60 s each.
    fn default() -> Self {
        CohortSimulationOptions {
            base: SimulationOptions {
                duration: 60.0,
                ..SimulationOptions::default()
            },
            groups: vec![
                CohortGroup {
                    name: "control".into(),
                    subjects: 6,
                    jitter_sd: 0.01,
                    deletion_probability: 0.1,
                },
                CohortGroup {
                    name: "patient".into(),
                    subjects: 6,
                    jitter_sd: 0.03,
                    deletion_probability: 0.5,
                },
            ],
        }
    }
}

/// One simulated subject of a cohort.
#[derive(Debug, Clone)]
pub struct SimulatedSubject {
    /// Subject id: group name followed by a two-digit number (`control01`).
    pub id: String,
    /// Group name.
    pub group: String,
    /// Seed its simulation used.
    pub seed: u64,
    /// The simulated recording, in memory: the channels of [`super::channel_labels`], in µV.
    pub recording: Recording,
    /// Everything planted in the recording: synchronous groups and bursts.
    pub truth: GroundTruth,
}

/// SplitMix64 finaliser: spreads consecutive subject numbers over unrelated seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Simulates every subject of the cohort, in group then subject order. Subject `k`
/// (counted over the whole cohort from 0) uses seed `splitmix64(base.seed + k)`, so the
/// cohort is reproducible from the base seed alone.
pub fn simulate_cohort(
    options: &CohortSimulationOptions,
) -> Result<Vec<SimulatedSubject>, SimulationError> {
    let mut out = Vec::new();
    let mut k = 0u64;
    for g in &options.groups {
        if g.name.is_empty() || !g.name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(SimulationError::InvalidOption {
                field: "groups.name".into(),
                value: g.name.clone(),
                reason: "must be non-empty letters and digits".into(),
            });
        }
        for s in 0..g.subjects {
            let mut o = options.base.clone();
            o.seed = mix(options.base.seed.wrapping_add(k));
            k += 1;
            for grp in &mut o.groups {
                grp.jitter_sd = g.jitter_sd;
                grp.deletion_probability = g.deletion_probability;
            }
            let (recording, truth) = simulate(&o)?;
            out.push(SimulatedSubject {
                id: format!("{}{:02}", g.name, s + 1),
                group: g.name.clone(),
                seed: o.seed,
                recording,
                truth,
            });
        }
    }
    Ok(out)
}
