//! Deterministic synthetic EEG with planted synchronous bursts (ground truth for
//! tests and the bundled sample recording).
//!
//! [`simulate`] turns [`SimulationOptions`] into a resting-state [`Recording`] (µV) and
//! its [`GroundTruth`]. The same options (seed included) give bit-identical samples on
//! every machine and thread count: every random stream is a ChaCha20 generator seeded
//! from the options' seed, one stream per purpose and channel.
//!
//! ## Montage
//! 21 channels: the 19 scalp electrodes of the 10-20 system plus the ear references
//! A1 and A2 ([`CHANNELS_10_20`]). All are referential to an ideal distant reference,
//! so re-referencing (average, linked ears) is meaningful afterwards. The ear channels
//! carry only weak background (a fraction [`SimulationOptions::ear_scale`] of the scalp
//! background), no rhythm and no burst.
//!
//! ## Signal model (per channel, µV)
//! - background: Gaussian noise with power spectral density `∝ 1/(f² + f_k²)^(α/2)`
//!   (pink for α = 1), RMS [`SimulationOptions::background_rms`];
//! - posterior alpha and frontal theta: narrow-band Gaussian processes (Gaussian spectral
//!   peak) made of one shared source plus an independent part per channel, weighted by
//!   the channel's position ([`Rhythm`]);
//! - bursts: Gaussian-windowed sinusoids `a·exp(−(t−c)²/(2σ_t²))·cos(2πf(t−c) + φ)` with
//!   `σ_t = cycles/f`. Synchronous bursts follow the SES generative model (docs/model.md §2.1)
//!   applied to burst centres: a hidden Poisson process of rate λ per group; each hidden
//!   event `v` is copied to every channel `c` of the group at `v + d_c + ε`,
//!   `ε ~ N(0, jitter_sd²)`, and each copy is deleted independently with probability
//!   `p_d`. Independent bursts occur in every scalp channel as a Poisson process.

mod cohort;
pub mod coupling;
mod noise;
mod truth;

pub use cohort::{simulate_cohort, CohortGroup, CohortSimulationOptions, SimulatedSubject};
pub use truth::{GroundTruth, GroupTruth, HiddenEvent, PairTruth, PlantedBurst};

use crate::recording::{Recording, RecordingError};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The 21 channel labels of the simulated montage: 19 scalp electrodes of the 10-20
/// system (old nomenclature T3/T4/T5/T6) and the ear references A1, A2.
pub const CHANNELS_10_20: [&str; 21] = [
    "Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz",
    "P4", "T6", "O1", "O2", "A1", "A2",
];

/// Why a simulation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// An option has a value outside its domain.
    #[error("simulation option `{field}` = {value}: {reason}")]
    InvalidOption {
        /// The option, as named in the configuration (`duration`, `groups[0].channels`…).
        field: String,
        /// The value given, as text.
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// A group names a channel that is not in the montage.
    #[error("synchronous group {group}: unknown channel `{channel}` (channels are {known})")]
    UnknownChannel {
        /// Index (from 0) of the synchronous group.
        group: usize,
        /// The channel it names.
        channel: String,
        /// The montage's channel labels, space-separated.
        known: String,
    },
    /// Building the recording failed.
    #[error(transparent)]
    Recording(#[from] RecordingError),
}

/// A rhythm (alpha, theta): a narrow-band process with a Gaussian spectral peak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rhythm {
    /// Centre frequency of the spectral peak, Hz.
    pub frequency: f64,
    /// Standard deviation of the spectral peak, Hz.
    pub bandwidth: f64,
    /// RMS amplitude in a channel of weight 1, µV.
    pub rms: f64,
    /// Fraction of the rhythm's power that is shared by all channels (the rest is
    /// independent per channel), in [0, 1].
    pub shared_fraction: f64,
    /// Weight (amplitude factor) per channel label; channels not listed get 0.
    pub weights: Vec<(String, f64)>,
}

/// A group of channels with synchronous bursts (docs/model.md §2.1 applied to burst centres).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncGroup {
    /// Channel labels of the group.
    pub channels: Vec<String>,
    /// Delay of each channel's copies relative to the hidden event, s (same length as
    /// `channels`).
    pub delays: Vec<f64>,
    /// Rate of the hidden Poisson process, events/s.
    pub rate: f64,
    /// Standard deviation of each copy's timing jitter, s.
    pub jitter_sd: f64,
    /// Standard deviation of each copy's frequency jitter, Hz.
    pub frequency_jitter_sd: f64,
    /// Probability that a copy is deleted, in [0, 1).
    pub deletion_probability: f64,
    /// Range from which each hidden event's frequency is drawn uniformly, Hz.
    pub frequency_range: (f64, f64),
}

/// Everything a simulation depends on. [`Default`] gives a 180 s, 200 Hz recording with
/// three synchronous groups (fronto-central, left and right temporo-occipital).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationOptions {
    /// Sampling rate, Hz (default 200).
    pub sample_rate: f64,
    /// Duration, s (default 180).
    pub duration: f64,
    /// Seed of every random stream (default 20240601).
    pub seed: u64,
    /// RMS of the 1/f background in a scalp channel, µV (default 10).
    pub background_rms: f64,
    /// Exponent α of the background spectrum `1/f^α` (default 1: pink).
    pub background_exponent: f64,
    /// Knee frequency below which the background spectrum flattens, Hz (default 0.5).
    pub background_knee: f64,
    /// Factor applied to the background of the ear channels A1, A2 (default 0.3).
    pub ear_scale: f64,
    /// Posterior alpha rhythm (default 10 Hz, 12 µV RMS in O1/O2).
    pub alpha: Option<Rhythm>,
    /// Frontal theta rhythm (default 6 Hz, 5 µV RMS in Fz).
    pub theta: Option<Rhythm>,
    /// Synchronous groups.
    pub groups: Vec<SyncGroup>,
    /// Rate of independent bursts per scalp channel, bursts/s (default 0.1).
    pub independent_rate: f64,
    /// Frequency range of independent bursts, Hz (default 4–30).
    pub independent_frequency_range: (f64, f64),
    /// Range of burst peak amplitudes, µV, drawn uniformly per burst (default 15–30).
    pub amplitude_range: (f64, f64),
    /// Range of burst envelope widths in cycles (`σ_t = cycles/f`), drawn uniformly per
    /// burst (default 1–2, i.e. about 2.5–5 visible cycles).
    pub cycles_range: (f64, f64),
    /// Hidden events and independent bursts are placed at least this far from both ends
    /// of the recording, s (default 1), so no burst is cut by the edges.
    pub edge_margin: f64,
    /// Scalp channels added after the 21 of the 10-20 montage, labelled `E22`, `E23`…
    /// (default 0). They carry background and independent bursts only (no rhythm, no
    /// synchronous group); their labels name no 10-10 electrode, so an analysis selects
    /// them by name. Meant for scale tests of high-density recordings.
    #[serde(default)]
    pub extra_channels: usize,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        let w = |pairs: &[(&str, f64)]| pairs.iter().map(|(c, v)| (c.to_string(), *v)).collect();
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        SimulationOptions {
            sample_rate: 200.0,
            duration: 180.0,
            seed: 20240601,
            background_rms: 10.0,
            background_exponent: 1.0,
            background_knee: 0.5,
            ear_scale: 0.3,
            alpha: Some(Rhythm {
                frequency: 10.0,
                bandwidth: 0.6,
                rms: 12.0,
                shared_fraction: 0.7,
                weights: w(&[
                    ("O1", 1.0),
                    ("O2", 1.0),
                    ("P3", 0.7),
                    ("Pz", 0.7),
                    ("P4", 0.7),
                    ("T5", 0.6),
                    ("T6", 0.6),
                    ("C3", 0.2),
                    ("Cz", 0.2),
                    ("C4", 0.2),
                ]),
            }),
            theta: Some(Rhythm {
                frequency: 6.0,
                bandwidth: 0.8,
                rms: 5.0,
                shared_fraction: 0.6,
                weights: w(&[
                    ("Fz", 1.0),
                    ("F3", 0.8),
                    ("F4", 0.8),
                    ("Fp1", 0.6),
                    ("Fp2", 0.6),
                    ("F7", 0.5),
                    ("F8", 0.5),
                    ("Cz", 0.4),
                ]),
            }),
            groups: vec![
                SyncGroup {
                    channels: s(&["F3", "Fz", "F4", "C3", "Cz", "C4"]),
                    delays: vec![0.0, 0.0, 0.0, 0.01, 0.01, 0.01],
                    rate: 0.25,
                    jitter_sd: 0.01,
                    frequency_jitter_sd: 0.3,
                    deletion_probability: 0.2,
                    frequency_range: (4.0, 30.0),
                },
                SyncGroup {
                    channels: s(&["T3", "T5", "P3", "O1"]),
                    delays: vec![0.0, 0.015, 0.03, 0.045],
                    rate: 0.2,
                    jitter_sd: 0.015,
                    frequency_jitter_sd: 0.3,
                    deletion_probability: 0.3,
                    frequency_range: (4.0, 30.0),
                },
                SyncGroup {
                    channels: s(&["T4", "T6", "P4", "O2"]),
                    delays: vec![0.0, 0.015, 0.03, 0.045],
                    rate: 0.2,
                    jitter_sd: 0.015,
                    frequency_jitter_sd: 0.3,
                    deletion_probability: 0.3,
                    frequency_range: (4.0, 30.0),
                },
            ],
            independent_rate: 0.1,
            independent_frequency_range: (4.0, 30.0),
            amplitude_range: (15.0, 30.0),
            cycles_range: (1.0, 2.0),
            edge_margin: 1.0,
            extra_channels: 0,
        }
    }
}

/// Largest number of channels a simulation makes (21 of the 10-20 montage plus
/// [`SimulationOptions::extra_channels`]).
pub const MAX_CHANNELS: usize = 1000;

/// The labels of a simulation's channels: [`CHANNELS_10_20`], then `E22`, `E23`… for the
/// extra channels.
pub fn channel_labels(o: &SimulationOptions) -> Vec<String> {
    CHANNELS_10_20
        .iter()
        .map(|s| s.to_string())
        .chain((0..o.extra_channels).map(|k| format!("E{}", CHANNELS_10_20.len() + k + 1)))
        .collect()
}

/// Independent random streams of one simulation (ChaCha20 stream ids).
#[derive(Clone, Copy)]
enum Stream {
    Background(usize),
    RhythmShared(u64),
    RhythmOwn(u64, usize),
    Group(usize),
    Independent(usize),
}

fn rng_for(seed: u64, stream: Stream) -> ChaCha20Rng {
    let id = match stream {
        Stream::Background(c) => 1_000 + c as u64,
        Stream::RhythmShared(r) => 2_000 + r,
        Stream::RhythmOwn(r, c) => 3_000 + 100 * r + c as u64,
        Stream::Group(g) => 5_000 + g as u64,
        Stream::Independent(c) => 6_000 + c as u64,
    };
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(id);
    rng
}

fn invalid(field: &str, value: impl std::fmt::Display, reason: &str) -> SimulationError {
    SimulationError::InvalidOption {
        field: field.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn check_range(field: &str, r: (f64, f64), lo: f64, hi: f64) -> Result<(), SimulationError> {
    if !(r.0.is_finite() && r.1.is_finite() && r.0 <= r.1 && r.0 >= lo && r.1 <= hi) {
        return Err(invalid(
            field,
            format!("{}..{}", r.0, r.1),
            &format!("must be an ordered range within [{lo}, {hi}]"),
        ));
    }
    Ok(())
}

fn channel_index(name: &str) -> Option<usize> {
    CHANNELS_10_20
        .iter()
        .position(|c| c.eq_ignore_ascii_case(name.trim()))
}

impl SimulationOptions {
    /// Checks every option; the error names the field, its value and the problem.
    pub fn validate(&self) -> Result<(), SimulationError> {
        let pos = |field: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(invalid(field, v, "must be a positive number"))
            }
        };
        let nonneg = |field: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(invalid(field, v, "must be a non-negative number"))
            }
        };
        pos("sample_rate", self.sample_rate)?;
        pos("duration", self.duration)?;
        if CHANNELS_10_20.len() + self.extra_channels > MAX_CHANNELS {
            return Err(invalid(
                "extra_channels",
                self.extra_channels,
                &format!("more than {MAX_CHANNELS} channels in all"),
            ));
        }
        nonneg("background_rms", self.background_rms)?;
        nonneg("background_exponent", self.background_exponent)?;
        pos("background_knee", self.background_knee)?;
        nonneg("ear_scale", self.ear_scale)?;
        nonneg("independent_rate", self.independent_rate)?;
        nonneg("edge_margin", self.edge_margin)?;
        if 2.0 * self.edge_margin >= self.duration {
            return Err(invalid(
                "edge_margin",
                self.edge_margin,
                "leaves no room for bursts (must be less than half the duration)",
            ));
        }
        if self.sample_rate * self.duration > 1e9 {
            return Err(invalid(
                "duration",
                self.duration,
                "too many samples (more than 1e9 per channel)",
            ));
        }
        let nyq = self.sample_rate / 2.0;
        check_range(
            "independent_frequency_range",
            self.independent_frequency_range,
            1e-6,
            nyq,
        )?;
        check_range("amplitude_range", self.amplitude_range, 0.0, f64::MAX)?;
        check_range("cycles_range", self.cycles_range, 1e-3, f64::MAX)?;
        for (name, rhythm) in [("alpha", &self.alpha), ("theta", &self.theta)] {
            if let Some(r) = rhythm {
                pos(&format!("{name}.frequency"), r.frequency)?;
                if r.frequency >= nyq {
                    return Err(invalid(
                        &format!("{name}.frequency"),
                        r.frequency,
                        "must be below the Nyquist frequency",
                    ));
                }
                pos(&format!("{name}.bandwidth"), r.bandwidth)?;
                nonneg(&format!("{name}.rms"), r.rms)?;
                if !(0.0..=1.0).contains(&r.shared_fraction) {
                    return Err(invalid(
                        &format!("{name}.shared_fraction"),
                        r.shared_fraction,
                        "must be in [0, 1]",
                    ));
                }
                for (c, wgt) in &r.weights {
                    if channel_index(c).is_none() {
                        return Err(invalid(
                            &format!("{name}.weights"),
                            c,
                            "is not a channel of the montage",
                        ));
                    }
                    if !wgt.is_finite() {
                        return Err(invalid(
                            &format!("{name}.weights[{c}]"),
                            wgt,
                            "must be finite",
                        ));
                    }
                }
            }
        }
        for (g, grp) in self.groups.iter().enumerate() {
            let f = |s: &str| format!("groups[{g}].{s}");
            if grp.channels.is_empty() {
                return Err(invalid(
                    &f("channels"),
                    "[]",
                    "a group needs at least one channel",
                ));
            }
            for c in &grp.channels {
                if channel_index(c).is_none() {
                    return Err(SimulationError::UnknownChannel {
                        group: g,
                        channel: c.clone(),
                        known: CHANNELS_10_20.join(" "),
                    });
                }
            }
            if grp.delays.len() != grp.channels.len() {
                return Err(invalid(
                    &f("delays"),
                    grp.delays.len(),
                    &format!(
                        "needs one delay per channel ({} channels)",
                        grp.channels.len()
                    ),
                ));
            }
            if grp.delays.iter().any(|d| !d.is_finite()) {
                return Err(invalid(
                    &f("delays"),
                    format!("{:?}", grp.delays),
                    "must be finite",
                ));
            }
            nonneg(&f("rate"), grp.rate)?;
            nonneg(&f("jitter_sd"), grp.jitter_sd)?;
            nonneg(&f("frequency_jitter_sd"), grp.frequency_jitter_sd)?;
            if !(0.0..1.0).contains(&grp.deletion_probability) {
                return Err(invalid(
                    &f("deletion_probability"),
                    grp.deletion_probability,
                    "must be in [0, 1)",
                ));
            }
            check_range(&f("frequency_range"), grp.frequency_range, 1e-6, nyq)?;
        }
        Ok(())
    }
}

/// Samples per channel of a simulation.
fn n_samples(o: &SimulationOptions) -> usize {
    (o.duration * o.sample_rate).round() as usize
}

/// Draws the burst parameters shared by every kind of burst.
fn draw_shape<R: Rng>(rng: &mut R, o: &SimulationOptions, f: f64) -> (f64, f64, f64) {
    let amp = uniform(rng, o.amplitude_range);
    let cycles = uniform(rng, o.cycles_range);
    let phase = rng.gen::<f64>() * std::f64::consts::TAU;
    (amp, cycles / f, phase)
}

fn uniform<R: Rng>(rng: &mut R, r: (f64, f64)) -> f64 {
    r.0 + (r.1 - r.0) * rng.gen::<f64>()
}

/// Points of a homogeneous Poisson process of `rate` events/s on `[a, b)`, sorted.
fn poisson_times<R: Rng>(rng: &mut R, rate: f64, a: f64, b: f64) -> Vec<f64> {
    let mut out = Vec::new();
    if rate <= 0.0 {
        return out;
    }
    let mut t = a;
    loop {
        // Exponential inter-arrival times; 1 − U lies in (0, 1].
        t += -(1.0 - rng.gen::<f64>()).ln() / rate;
        if t >= b {
            return out;
        }
        out.push(t);
    }
}

/// Plans every burst (sequentially, so the truth never depends on thread count).
fn plan(o: &SimulationOptions) -> (Vec<GroupTruth>, Vec<PlantedBurst>) {
    let (a, b) = (o.edge_margin, o.duration - o.edge_margin);
    let nyq = o.sample_rate / 2.0;
    let mut groups = Vec::new();
    let mut bursts = Vec::new();
    for (g, grp) in o.groups.iter().enumerate() {
        let mut rng = rng_for(o.seed, Stream::Group(g));
        let times = poisson_times(&mut rng, grp.rate, a, b);
        let hidden: Vec<HiddenEvent> = times
            .into_iter()
            .map(|time| HiddenEvent {
                time,
                frequency: uniform(&mut rng, grp.frequency_range),
            })
            .collect();
        for (h, ev) in hidden.iter().enumerate() {
            for (c, name) in grp.channels.iter().enumerate() {
                // Draw every variate whether or not the copy survives, so that changing
                // p_d alone keeps the other copies' jitters.
                let eps: f64 = rng.sample::<f64, _>(StandardNormal) * grp.jitter_sd;
                let df: f64 = rng.sample::<f64, _>(StandardNormal) * grp.frequency_jitter_sd;
                let deleted = rng.gen::<f64>() < grp.deletion_probability;
                let f = (ev.frequency + df).clamp(0.5, 0.95 * nyq);
                let (amp, sigma_t, phase) = draw_shape(&mut rng, o, f);
                if deleted {
                    continue;
                }
                // Validated: every group channel is in the montage.
                let ci = channel_index(name).expect("validated channel");
                bursts.push(PlantedBurst {
                    channel: CHANNELS_10_20[ci].to_string(),
                    channel_index: ci,
                    time: ev.time + grp.delays[c] + eps,
                    frequency: f,
                    sigma_t,
                    sigma_f: 1.0 / (std::f64::consts::TAU * sigma_t),
                    amplitude: amp,
                    phase,
                    group: Some(g),
                    hidden_event: Some(h),
                });
            }
        }
        groups.push(GroupTruth {
            id: g,
            channels: grp
                .channels
                .iter()
                .map(|c| CHANNELS_10_20[channel_index(c).expect("validated channel")].to_string())
                .collect(),
            delays: grp.delays.clone(),
            jitter_sd: grp.jitter_sd,
            frequency_jitter_sd: grp.frequency_jitter_sd,
            deletion_probability: grp.deletion_probability,
            rate: grp.rate,
            hidden_events: hidden,
        });
    }
    for (ci, name) in channel_labels(o).iter().enumerate() {
        if is_ear(name) {
            continue;
        }
        let mut rng = rng_for(o.seed, Stream::Independent(ci));
        for time in poisson_times(&mut rng, o.independent_rate, a, b) {
            let f = uniform(&mut rng, o.independent_frequency_range);
            let (amp, sigma_t, phase) = draw_shape(&mut rng, o, f);
            bursts.push(PlantedBurst {
                channel: name.to_string(),
                channel_index: ci,
                time,
                frequency: f,
                sigma_t,
                sigma_f: 1.0 / (std::f64::consts::TAU * sigma_t),
                amplitude: amp,
                phase,
                group: None,
                hidden_event: None,
            });
        }
    }
    bursts.sort_by(|x, y| {
        x.channel_index
            .cmp(&y.channel_index)
            .then(x.time.total_cmp(&y.time))
    });
    (groups, bursts)
}

fn is_ear(name: &str) -> bool {
    name == "A1" || name == "A2"
}

/// Adds one burst to a channel's samples (µV), over ±6 σ_t around its centre.
fn add_burst(row: &mut [f64], fs: f64, b: &PlantedBurst) {
    let n = row.len();
    let lo = ((b.time - 6.0 * b.sigma_t) * fs).floor().max(0.0) as usize;
    let hi = (((b.time + 6.0 * b.sigma_t) * fs).ceil().max(0.0) as usize).min(n.saturating_sub(1));
    let w = std::f64::consts::TAU * b.frequency;
    for (i, v) in row.iter_mut().enumerate().take(hi + 1).skip(lo) {
        let u = i as f64 / fs - b.time;
        *v += b.amplitude * (-0.5 * (u / b.sigma_t).powi(2)).exp() * (w * u + b.phase).cos();
    }
}

/// Simulates a resting-state recording; returns it with its ground truth.
///
/// Channels are [`channel_labels`], samples in µV at `options.sample_rate` Hz. Each
/// channel is generated in `f64` and stored straight into the `f32` sample matrix, so
/// the peak memory is the matrix plus one channel's working buffers per thread.
pub fn simulate(options: &SimulationOptions) -> Result<(Recording, GroundTruth), SimulationError> {
    options.validate()?;
    let o = options;
    let n = n_samples(o);
    let fs = o.sample_rate;
    let (groups, bursts) = plan(o);

    // Shared sources of the rhythms (one stream each).
    let rhythms: Vec<(u64, &Rhythm)> = [o.alpha.as_ref(), o.theta.as_ref()]
        .into_iter()
        .enumerate()
        .filter_map(|(k, r)| r.map(|r| (k as u64, r)))
        .collect();
    let shared: Vec<Vec<f64>> = rhythms
        .par_iter()
        .map(|&(k, r)| {
            let mut rng = rng_for(o.seed, Stream::RhythmShared(k));
            noise::shaped_noise(&mut rng, n, fs, |f| {
                noise::spectral_peak(f, r.frequency, r.bandwidth)
            })
        })
        .collect();

    let labels = channel_labels(o);
    let mut data = Array2::<f32>::zeros((labels.len(), n));
    data.outer_iter_mut()
        .into_par_iter()
        .enumerate()
        .for_each(|(ci, mut dst)| {
            let name = labels[ci].as_str();
            let mut rng = rng_for(o.seed, Stream::Background(ci));
            let scale = if is_ear(name) {
                o.background_rms * o.ear_scale
            } else {
                o.background_rms
            };
            let mut row = noise::shaped_noise(&mut rng, n, fs, |f| {
                noise::power_law(f, o.background_exponent, o.background_knee)
            });
            row.iter_mut().for_each(|v| *v *= scale);
            for (&(k, r), src) in rhythms.iter().zip(&shared) {
                let weight = r
                    .weights
                    .iter()
                    .find(|(c, _)| c.eq_ignore_ascii_case(name))
                    .map_or(0.0, |(_, w)| *w);
                if weight == 0.0 {
                    continue;
                }
                let mut rng = rng_for(o.seed, Stream::RhythmOwn(k, ci));
                let own = noise::shaped_noise(&mut rng, n, fs, |f| {
                    noise::spectral_peak(f, r.frequency, r.bandwidth)
                });
                let (cs, co) = (r.shared_fraction.sqrt(), (1.0 - r.shared_fraction).sqrt());
                for ((v, s), w) in row.iter_mut().zip(src).zip(&own) {
                    *v += weight * r.rms * (cs * s + co * w);
                }
            }
            for b in bursts.iter().filter(|b| b.channel_index == ci) {
                add_burst(&mut row, fs, b);
            }
            dst.iter_mut().zip(&row).for_each(|(d, s)| *d = *s as f32);
        });
    let recording = Recording::from_samples(labels.clone(), fs, "uV", data)?;
    let truth = GroundTruth {
        sample_rate: fs,
        duration: n as f64 / fs,
        seed: o.seed,
        channels: labels,
        groups,
        bursts,
    };
    Ok((recording, truth))
}

#[cfg(test)]
mod tests;
