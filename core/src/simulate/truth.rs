//! The ground truth of a simulated recording: every planted burst and every group of
//! channels that share hidden events.

use serde::{Deserialize, Serialize};

/// One hidden event of a synchronous group (docs/model.md §2.1, step 1): a point of the group's
/// Poisson process, copied to the group's channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiddenEvent {
    /// Time of the hidden event, s from the start of the recording.
    pub time: f64,
    /// Frequency of the hidden event, Hz (each copy may deviate by the group's
    /// frequency jitter).
    pub frequency: f64,
}

/// A group of channels whose bursts are noisy copies of one hidden Poisson process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupTruth {
    /// Index of the group (the `group` field of its bursts).
    pub id: usize,
    /// Channel labels, in the order of `delays`.
    pub channels: Vec<String>,
    /// Delay of each channel's copies relative to the hidden event, s.
    pub delays: Vec<f64>,
    /// Standard deviation of the Gaussian timing jitter of **each copy**, s. The
    /// difference of two copies therefore has variance `2·jitter_sd²` (the SES `st`).
    pub jitter_sd: f64,
    /// Standard deviation of the frequency jitter of each copy, Hz.
    pub frequency_jitter_sd: f64,
    /// Probability that a copy is deleted, independently per channel and event.
    pub deletion_probability: f64,
    /// Rate of the hidden Poisson process, events/s.
    pub rate: f64,
    /// The hidden events, in time order.
    pub hidden_events: Vec<HiddenEvent>,
}

/// The SES parameters that the generative model implies for one pair of channels of a
/// group (docs/model.md §2.1–2.2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairTruth {
    /// Delay of the second channel relative to the first, s (`δt`).
    pub delay: f64,
    /// Timing-jitter variance of a coincident pair, s² (`st = 2·jitter_sd²`).
    pub jitter_variance: f64,
    /// Expected fraction of non-coincident events, from group events alone
    /// (`E[ρ] ≈ p_d`; independent bursts in either channel raise it).
    pub expected_rho: f64,
}

/// One planted burst: a Gaussian-windowed sinusoid
/// `a·exp(−(t−c)²/(2σ_t²))·cos(2πf(t−c) + φ)` in µV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlantedBurst {
    /// Channel label.
    pub channel: String,
    /// Row of the channel in the recording.
    pub channel_index: usize,
    /// Centre time `c`, s.
    pub time: f64,
    /// Frequency `f`, Hz.
    pub frequency: f64,
    /// Standard deviation of the Gaussian envelope `σ_t`, s.
    pub sigma_t: f64,
    /// Spectral standard deviation of the burst, `σ_f = 1/(2π σ_t)`, Hz.
    pub sigma_f: f64,
    /// Peak amplitude `a` of the envelope, µV.
    pub amplitude: f64,
    /// Phase `φ` at the centre, rad.
    pub phase: f64,
    /// Synchronous group it belongs to, `None` for an independent burst.
    pub group: Option<usize>,
    /// Index of the hidden event (within its group) it is a copy of.
    pub hidden_event: Option<usize>,
}

/// Everything planted in a simulated recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    /// Sampling rate, Hz.
    pub sample_rate: f64,
    /// Duration, s.
    pub duration: f64,
    /// Seed of the simulation.
    pub seed: u64,
    /// Channel labels in recording order.
    pub channels: Vec<String>,
    /// Synchronous groups.
    pub groups: Vec<GroupTruth>,
    /// All planted bursts, sorted by channel index then time.
    pub bursts: Vec<PlantedBurst>,
}

impl GroundTruth {
    /// The bursts of one channel (by label, case-insensitive), in time order.
    pub fn bursts_of<'a>(
        &'a self,
        channel: &'a str,
    ) -> impl Iterator<Item = &'a PlantedBurst> + 'a {
        self.bursts
            .iter()
            .filter(move |b| b.channel.eq_ignore_ascii_case(channel))
    }

    /// The model's SES parameters for channels `a` and `b` of group `group`, or `None`
    /// if the group does not exist or does not contain both channels.
    pub fn pair_truth(&self, group: usize, a: &str, b: &str) -> Option<PairTruth> {
        let g = self.groups.iter().find(|g| g.id == group)?;
        let ia = g.channels.iter().position(|c| c.eq_ignore_ascii_case(a))?;
        let ib = g.channels.iter().position(|c| c.eq_ignore_ascii_case(b))?;
        Some(PairTruth {
            delay: g.delays[ib] - g.delays[ia],
            jitter_variance: 2.0 * g.jitter_sd * g.jitter_sd,
            expected_rho: g.deletion_probability,
        })
    }

    /// The truth as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain numbers and strings cannot fail.
        serde_json::to_string_pretty(self).expect("ground truth serialises")
    }
}
