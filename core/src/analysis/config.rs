//! The analysis configuration: everything an analysis depends on, in one TOML file that
//! the CLI, the batch runner and the GUI share (`sesame config --print-default`).
//!
//! Precedence: command-line flag > config file > these defaults.

use crate::bumps::BumpOptions;
use crate::signal::Reference;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// An analysis configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Which channels and which part of the recording are analysed.
    pub input: InputConfig,
    /// Filters and reference applied before any measure.
    pub preprocess: PreprocessConfig,
    /// Time-frequency map and bump extraction (band, threshold…): `BumpOptions::default()`,
    /// which differs from the bump toolbox's defaults in one option: bumps below 0.4 of the
    /// map maximum are pruned (`min_amplitude = 0.4` instead of 0.05). With 0.05 the greedy
    /// fit also models the background, about 6 bumps/s per channel of which most are noise,
    /// and SES then aligns noise; 0.4 keeps the stronger oscillatory events (a median of
    /// about 0.5 bumps/s per channel on the 19-channel resting recording `Subject00_1`, 4–30
    /// Hz; at most 10 % spurious bumps on planted bursts) and separates synchronous from
    /// unrelated channels on the bundled sample (see `sample-data/README.md` and
    /// `docs/bumps.md`).
    pub bumps: BumpOptions,
    /// Grouping of channels into scalp regions (off by default: channel pairs).
    pub regions: RegionsConfig,
    /// What the event-based measures receive from each channel or region (rate cap).
    pub events: EventsConfig,
    /// The measures to run (default: `ses-bumps`) and their parameters.
    pub measures: MeasuresConfig,
    /// Per-pair surrogate tests of every measure (off by default: `surrogates = 0`).
    pub significance: super::significance::SignificanceConfig,
    /// How continuous-signal measures cut the window into epochs.
    pub continuous: ContinuousConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            input: InputConfig::default(),
            preprocess: PreprocessConfig::default(),
            bumps: default_bumps(),
            regions: RegionsConfig::default(),
            events: EventsConfig::default(),
            significance: Default::default(),
            measures: MeasuresConfig::default(),
            continuous: ContinuousConfig::default(),
        }
    }
}

/// Bump options of an analysis: [`BumpOptions::default()`] (the toolbox defaults with
/// `min_amplitude = 0.4`).
pub fn default_bumps() -> BumpOptions {
    BumpOptions::default()
}

/// Which channels and which part of the recording.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    /// Channels by label or 10-20 name; empty: every EEG channel with a 10-20/10-10 name;
    /// `["all"]`: every signal; `["eeg"]`: every EEG channel, whatever its label.
    pub channels: Vec<String>,
    /// Channels to leave out (bad channels), by label or 10-20 name.
    pub exclude: Vec<String>,
    /// Analysis window `[start, end]`, seconds from the start of the recording; absent:
    /// the whole recording. An end past the recording (`inf`) is its end.
    pub window: Option<[f64; 2]>,
}

/// Filters and reference applied before any measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PreprocessConfig {
    /// High-pass cut-off, Hz (zero-phase Butterworth); absent: none.
    pub highpass: Option<f64>,
    /// Low-pass cut-off, Hz; absent: none.
    pub lowpass: Option<f64>,
    /// Mains notch, Hz (50 or 60); absent: none.
    pub notch: Option<f64>,
    /// Butterworth prototype order of the high- and low-pass filters.
    pub order: usize,
    /// New reference; absent: as recorded.
    pub reference: Option<Reference>,
}

impl Default for PreprocessConfig {
    fn default() -> Self {
        PreprocessConfig {
            highpass: None,
            lowpass: None,
            notch: None,
            order: 4,
            reference: None,
        }
    }
}

/// How channels are grouped into scalp regions (docs/model.md §6.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegionsConfig {
    /// Analyse region pairs instead of channel pairs.
    pub enabled: bool,
    /// Region table (TOML, `[[region]] name = … channels = […]`); absent: the five
    /// regions of the SES papers.
    pub table: Option<PathBuf>,
    /// Merging rule of a region's bumps: `union` (union without near-duplicates) or
    /// `average-maps` (average the z-scored maps, then bump-model).
    pub merge: MergeChoice,
    /// Normalised centre distance under which two bumps of a region are duplicates
    /// (dimensionless; `union` only).
    pub union_radius: f64,
}

impl Default for RegionsConfig {
    fn default() -> Self {
        RegionsConfig {
            enabled: false,
            table: None,
            merge: MergeChoice::Union,
            union_radius: 0.5,
        }
    }
}

/// What the event-based measures receive from each analysed unit (channel or region).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventsConfig {
    /// Cap on the event rate of every unit, events/s: a unit with more than
    /// `max_rate·T` bumps keeps the `⌊max_rate·T⌋` largest (by amplitude) over the
    /// window of length `T`. Absent: no cap. Makes units with different bump counts
    /// comparable by ρ (chance coincidences grow with density); see `docs/ses.md`.
    pub max_rate: Option<f64>,
}

/// Merging rule of §6.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergeChoice {
    /// `union`: the union of the region's channel bumps, without near-duplicates (closer
    /// than [`RegionsConfig::union_radius`]).
    Union,
    /// `average-maps`: average the z-scored maps of the region's channels, then fit bumps
    /// on the average.
    AverageMaps,
}

/// The measures to run and their parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MeasuresConfig {
    /// Measure ids from the registry (`sesame measures` lists them).
    pub ids: Vec<String>,
    /// Parameters per measure id: `[measures.params.victor-purpura] q = 10`.
    pub params: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

impl Default for MeasuresConfig {
    fn default() -> Self {
        MeasuresConfig {
            ids: vec!["ses-bumps".into()],
            params: BTreeMap::new(),
        }
    }
}

/// How continuous-signal measures cut the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContinuousConfig {
    /// Epoch length, seconds (the window is cut into consecutive epochs of this length).
    pub epoch: f64,
}

impl Default for ContinuousConfig {
    fn default() -> Self {
        ContinuousConfig { epoch: 2.0 }
    }
}

impl Config {
    /// Parses a configuration; unknown keys are an error that names them.
    pub fn from_toml(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    /// The configuration as TOML (what `config.resolved.toml` holds).
    pub fn to_toml(&self) -> String {
        // Serialising a plain data struct with string keys cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// `name=value` parameter overrides of measure `id` as text, for
    /// [`crate::measures::ParamValues::parse`].
    pub fn param_overrides(&self, id: &str) -> Vec<(String, String)> {
        // A table may name the measure by its id or an alias (`[measures.params.vp]`).
        self.measures
            .params
            .iter()
            .filter(|(key, _)| same_measure(key, id))
            .flat_map(|(_, m)| {
                m.iter().map(|(k, v)| {
                    let text = match v {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
            })
            .collect()
    }
}

/// Whether two measure names (ids or aliases, any case) name the same measure.
pub fn same_measure(a: &str, b: &str) -> bool {
    match (crate::measures::find(a), crate::measures::find(b)) {
        (Some(x), Some(y)) => x.id() == y.id(),
        _ => a.trim().eq_ignore_ascii_case(b.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_through_toml() {
        let c = Config::default();
        let back = Config::from_toml(&c.to_toml()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn unknown_keys_are_rejected_by_name() {
        let e = Config::from_toml("[input]\nchanels = [\"Fp1\"]\n").unwrap_err();
        assert!(e.to_string().contains("chanels"), "{e}");
    }

    #[test]
    fn partial_file_keeps_defaults() {
        let c = Config::from_toml("[input]\nwindow = [10.0, 30.0]\n[measures]\nids = [\"ses-1d\"]\n[measures.params.ses-1d]\nbeta = 0.02\n").unwrap();
        assert_eq!(c.input.window, Some([10.0, 30.0]));
        assert_eq!(c.bumps, default_bumps());
        assert_eq!(
            c.param_overrides("ses-1d"),
            vec![("beta".to_string(), "0.02".to_string())]
        );
    }
}
