//! Display montages: which derivation each trace of a signal browser shows, matched to
//! a recording's channels by canonical electrode name (so a montage made on one
//! recording applies to another with the same electrodes in another order).
//!
//! A montage is one of
//! - `referential`: every channel as recorded;
//! - `average`: every EEG channel minus the mean of the EEG channels shown that are not
//!   marked bad (non-EEG channels stay as recorded);
//! - `linked-ears`: every EEG channel minus `(A1 + A2)/2`, or `(M1 + M2)/2` when the
//!   mastoids are recorded instead;
//! - `bipolar`: one trace `anode − cathode` per pair, in the montage's order; a pair
//!   whose electrode the recording lacks is kept, as a missing trace.
//!
//! Montages are saved as small TOML files:
//!
//! ```toml
//! name = "Double banana"
//! kind = "bipolar"            # referential | average | linked-ears | bipolar
//! pairs = [["Fp1", "F7"], ["F7", "T3"]]   # bipolar only: [anode, cathode]
//! ```
//!
//! Samples keep their unit (µV); every derivation is linear.

use crate::recording::labels::canonical_name;
use serde::{Deserialize, Serialize};
use std::path::Path;
use thiserror::Error;

/// What went wrong reading, writing or applying a montage.
#[derive(Debug, Error)]
pub enum MontageError {
    /// The TOML text does not describe a montage.
    #[error("montage file: {0}")]
    Parse(String),
    /// The montage is well-formed TOML but not a usable montage.
    #[error("montage `{name}`: {reason}")]
    Invalid {
        /// Name of the montage.
        name: String,
        /// What is wrong (no name, a bipolar montage without pairs, an electrode paired
        /// with itself, a pair not written `ANODE-CATHODE`…).
        reason: String,
    },
    /// Reading or writing the file failed.
    #[error("montage file {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error, as text.
        reason: String,
    },
    /// The recording lacks the reference electrodes the montage needs.
    #[error("{0}")]
    MissingReference(String),
}

/// The kind of a montage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MontageKind {
    /// Channels as recorded.
    #[default]
    Referential,
    /// Common average of the EEG channels shown (bad channels excluded).
    Average,
    /// Mean of the two ears (A1/A2) or mastoids (M1/M2).
    LinkedEars,
    /// Pairs `anode − cathode`.
    Bipolar,
}

impl MontageKind {
    /// Short name for labels and the status line.
    pub fn title(self) -> &'static str {
        match self {
            MontageKind::Referential => "referential",
            MontageKind::Average => "average reference",
            MontageKind::LinkedEars => "linked ears",
            MontageKind::Bipolar => "bipolar",
        }
    }
}

/// A named montage (see the module documentation for the TOML format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Montage {
    /// Name shown in the montage menu and saved in the TOML file.
    pub name: String,
    /// How each trace is derived.
    pub kind: MontageKind,
    /// Bipolar pairs `[anode, cathode]`, electrode names (matched canonically:
    /// `EEG Fp1-Ref`, `FP1` and `Fp1.` all match `Fp1`). Empty for other kinds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<[String; 2]>,
}

/// The longitudinal bipolar ("double banana") chains of the 10-20 system.
pub const DOUBLE_BANANA: [(&str, &str); 18] = [
    ("Fp1", "F7"),
    ("F7", "T3"),
    ("T3", "T5"),
    ("T5", "O1"),
    ("Fp2", "F8"),
    ("F8", "T4"),
    ("T4", "T6"),
    ("T6", "O2"),
    ("Fp1", "F3"),
    ("F3", "C3"),
    ("C3", "P3"),
    ("P3", "O1"),
    ("Fp2", "F4"),
    ("F4", "C4"),
    ("C4", "P4"),
    ("P4", "O2"),
    ("Fz", "Cz"),
    ("Cz", "Pz"),
];

/// Old 10-20 names and the 10-10 names at the same places.
const ALIASES: [(&str, &str); 4] = [("T3", "T7"), ("T4", "T8"), ("T5", "P7"), ("T6", "P8")];

impl Montage {
    /// Every channel as recorded, named `As recorded`.
    pub fn referential() -> Self {
        Montage {
            name: "As recorded".into(),
            kind: MontageKind::Referential,
            pairs: Vec::new(),
        }
    }

    /// Every EEG channel minus the mean of the EEG channels shown and not bad, named
    /// `Average reference`.
    pub fn average() -> Self {
        Montage {
            name: "Average reference".into(),
            kind: MontageKind::Average,
            pairs: Vec::new(),
        }
    }

    /// Every EEG channel minus `(A1 + A2)/2` (or `(M1 + M2)/2`), named `Linked ears`.
    pub fn linked_ears() -> Self {
        Montage {
            name: "Linked ears".into(),
            kind: MontageKind::LinkedEars,
            pairs: Vec::new(),
        }
    }

    /// The longitudinal bipolar montage [`DOUBLE_BANANA`].
    pub fn double_banana() -> Self {
        Montage {
            name: "Double banana".into(),
            kind: MontageKind::Bipolar,
            pairs: DOUBLE_BANANA
                .iter()
                .map(|(a, b)| [a.to_string(), b.to_string()])
                .collect(),
        }
    }

    /// The built-in montages, in menu order.
    pub fn built_in() -> Vec<Montage> {
        vec![
            Self::referential(),
            Self::average(),
            Self::linked_ears(),
            Self::double_banana(),
        ]
    }

    /// A bipolar montage from pairs written `Fp1-F3, F3-C3` (commas or new lines
    /// between pairs).
    pub fn bipolar_from_text(name: &str, text: &str) -> Result<Self, MontageError> {
        let mut pairs = Vec::new();
        for item in text
            .split([',', '\n', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (a, b) = item.split_once('-').ok_or_else(|| MontageError::Invalid {
                name: name.into(),
                reason: format!("`{item}` is not a pair: write ANODE-CATHODE, e.g. Fp1-F3"),
            })?;
            pairs.push([a.trim().to_string(), b.trim().to_string()]);
        }
        let m = Montage {
            name: name.trim().to_string(),
            kind: MontageKind::Bipolar,
            pairs,
        };
        m.validate()?;
        Ok(m)
    }

    /// Checks the montage: a name, pairs only (and at least one) for bipolar, no
    /// empty electrode name, no pair of an electrode with itself.
    pub fn validate(&self) -> Result<(), MontageError> {
        let bad = |reason: String| MontageError::Invalid {
            name: self.name.clone(),
            reason,
        };
        if self.name.trim().is_empty() {
            return Err(bad("the montage has no name".into()));
        }
        match self.kind {
            MontageKind::Bipolar if self.pairs.is_empty() => {
                Err(bad("a bipolar montage needs at least one pair".into()))
            }
            MontageKind::Bipolar => {
                for [a, b] in &self.pairs {
                    if a.trim().is_empty() || b.trim().is_empty() {
                        return Err(bad(format!("pair [{a:?}, {b:?}] has an empty name")));
                    }
                    if electrode_key(a) == electrode_key(b) {
                        return Err(bad(format!(
                            "pair {a}-{b} subtracts an electrode from itself"
                        )));
                    }
                }
                Ok(())
            }
            _ if !self.pairs.is_empty() => Err(bad(format!(
                "pairs are only for bipolar montages, this one is {}",
                self.kind.title()
            ))),
            _ => Ok(()),
        }
    }

    /// Parses and checks a montage file's text.
    pub fn from_toml(text: &str) -> Result<Self, MontageError> {
        let m: Montage = toml::from_str(text).map_err(|e| MontageError::Parse(e.to_string()))?;
        m.validate()?;
        Ok(m)
    }

    /// The montage as TOML (what [`Montage::from_toml`] reads back).
    pub fn to_toml(&self) -> Result<String, MontageError> {
        toml::to_string(self).map_err(|e| MontageError::Parse(e.to_string()))
    }

    /// Reads a montage file.
    pub fn load(path: &Path) -> Result<Self, MontageError> {
        let text = std::fs::read_to_string(path).map_err(|e| MontageError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_toml(&text)
    }

    /// Writes the montage to `path` (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), MontageError> {
        self.validate()?;
        let text = self.to_toml()?;
        crate::atomic::write_atomic(path, text.as_bytes()).map_err(|e| MontageError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// The derivations of this montage on a recording whose signals are `all`
    /// (indexed by signal), showing the signals `shown` in that order.
    ///
    /// Referential, average and linked-ears montages give one derivation per shown
    /// signal; bipolar montages one per pair, with the pair's missing electrodes named
    /// in [`Derivation::missing`]. A linked-ears montage on a recording without
    /// A1/A2 or M1/M2 is an error ([`MontageError::MissingReference`]).
    pub fn resolve(
        &self,
        all: &[MontageChannel],
        shown: &[usize],
    ) -> Result<Vec<Derivation>, MontageError> {
        let label = |s: usize| {
            all.get(s)
                .map(|c| c.label.trim().to_string())
                .unwrap_or_default()
        };
        let as_recorded = |s: usize| Derivation {
            label: label(s),
            anode: Some(s),
            reference: Ref::None,
            missing: Vec::new(),
        };
        let shown: Vec<usize> = shown.iter().copied().filter(|&s| s < all.len()).collect();
        match self.kind {
            MontageKind::Referential => Ok(shown.iter().map(|&s| as_recorded(s)).collect()),
            MontageKind::Average => {
                let set: Vec<usize> = shown
                    .iter()
                    .copied()
                    .filter(|&s| all[s].eeg && !all[s].bad)
                    .collect();
                Ok(shown
                    .iter()
                    .map(|&s| {
                        if all[s].eeg && !set.is_empty() {
                            Derivation {
                                label: format!("{}-avg", label(s)),
                                anode: Some(s),
                                reference: Ref::Mean(set.clone()),
                                missing: Vec::new(),
                            }
                        } else {
                            as_recorded(s)
                        }
                    })
                    .collect())
            }
            MontageKind::LinkedEars => {
                let ears = match (find(all, "A1"), find(all, "A2")) {
                    (Some(a), Some(b)) => Some((a, b, "A1A2")),
                    _ => match (find(all, "M1"), find(all, "M2")) {
                        (Some(a), Some(b)) => Some((a, b, "M1M2")),
                        _ => None,
                    },
                };
                let Some((a, b, tag)) = ears else {
                    return Err(MontageError::MissingReference(
                        "linked ears needs both ear (A1, A2) or both mastoid (M1, M2) \
                         channels; this recording has neither pair"
                            .into(),
                    ));
                };
                Ok(shown
                    .iter()
                    .map(|&s| {
                        if all[s].eeg && s != a && s != b {
                            Derivation {
                                label: format!("{}-{tag}", label(s)),
                                anode: Some(s),
                                reference: Ref::Mean(vec![a, b]),
                                missing: Vec::new(),
                            }
                        } else {
                            as_recorded(s)
                        }
                    })
                    .collect())
            }
            MontageKind::Bipolar => Ok(self
                .pairs
                .iter()
                .map(|[a, b]| {
                    let (ia, ib) = (find(all, a), find(all, b));
                    let mut missing = Vec::new();
                    if ia.is_none() {
                        missing.push(a.trim().to_string());
                    }
                    if ib.is_none() {
                        missing.push(b.trim().to_string());
                    }
                    match (ia, ib) {
                        (Some(ia), Some(ib)) => Derivation {
                            label: format!("{}-{}", a.trim(), b.trim()),
                            anode: Some(ia),
                            reference: Ref::Channel(ib),
                            missing,
                        },
                        _ => Derivation {
                            label: format!("{}-{}", a.trim(), b.trim()),
                            anode: None,
                            reference: Ref::None,
                            missing,
                        },
                    }
                })
                .collect()),
        }
    }
}

/// What [`Montage::resolve`] needs to know of one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct MontageChannel {
    /// Label as written in the file.
    pub label: String,
    /// Canonical electrode name (`Fp1`), when the label names one.
    pub canonical: Option<String>,
    /// An EEG channel (re-referenced by average and linked-ears montages).
    pub eeg: bool,
    /// Marked bad: left out of the common average.
    pub bad: bool,
}

/// What is subtracted from a derivation's anode.
#[derive(Debug, Clone, PartialEq)]
pub enum Ref {
    /// Nothing: the channel as recorded.
    None,
    /// One channel (bipolar pair's cathode), a signal index.
    Channel(usize),
    /// The mean of these signals at each sample.
    Mean(Vec<usize>),
}

/// One trace of a montage: `anode − reference`.
#[derive(Debug, Clone, PartialEq)]
pub struct Derivation {
    /// Shown name, e.g. `Fp1-F3`, `Cz-avg`, `O1-A1A2`.
    pub label: String,
    /// Signal index of the anode; `None` when an electrode is missing.
    pub anode: Option<usize>,
    /// What is subtracted from the anode.
    pub reference: Ref,
    /// Electrodes of the montage the recording lacks.
    pub missing: Vec<String>,
}

impl Derivation {
    /// Every signal the derivation reads.
    pub fn signals(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.anode.into_iter().collect();
        match &self.reference {
            Ref::None => {}
            Ref::Channel(c) => v.push(*c),
            Ref::Mean(s) => v.extend(s),
        }
        v
    }

    /// The derived samples (µV) from the signals' samples `rows(signal)`, all of the
    /// same length and rate; `None` when the derivation is missing or a signal is
    /// unavailable. The mean is taken in `f64`.
    pub fn apply<'a>(&self, rows: &dyn Fn(usize) -> Option<&'a [f32]>) -> Option<Vec<f32>> {
        let x = rows(self.anode?)?;
        match &self.reference {
            Ref::None => Some(x.to_vec()),
            Ref::Channel(c) => {
                let y = rows(*c)?;
                Some(x.iter().zip(y).map(|(a, b)| a - b).collect())
            }
            Ref::Mean(set) => {
                let set: Vec<&[f32]> = set.iter().map(|&s| rows(s)).collect::<Option<_>>()?;
                if set.is_empty() {
                    return Some(x.to_vec());
                }
                let k = set.len() as f64;
                Some(
                    x.iter()
                        .enumerate()
                        .map(|(i, &v)| {
                            let m = set.iter().map(|r| r.get(i).copied().unwrap_or(0.0) as f64);
                            (v as f64 - m.sum::<f64>() / k) as f32
                        })
                        .collect(),
                )
            }
        }
    }
}

/// Matching key of an electrode name: its canonical name when it has one, else the
/// trimmed lower-case label.
fn electrode_key(name: &str) -> String {
    canonical_name(name)
        .unwrap_or_else(|| name.trim().to_string())
        .to_ascii_lowercase()
}

/// The signal whose electrode is `name` (canonical match, then the old/new 10-20
/// alias T3/T7, T4/T8, T5/P7, T6/P8).
pub fn find(all: &[MontageChannel], name: &str) -> Option<usize> {
    let key_of = |c: &MontageChannel| {
        c.canonical
            .as_deref()
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| electrode_key(&c.label))
    };
    let want = electrode_key(name);
    if let Some(i) = all.iter().position(|c| key_of(c) == want) {
        return Some(i);
    }
    let alias = ALIASES.iter().find_map(|(a, b)| {
        if a.eq_ignore_ascii_case(&want) {
            Some(b.to_ascii_lowercase())
        } else if b.eq_ignore_ascii_case(&want) {
            Some(a.to_ascii_lowercase())
        } else {
            None
        }
    })?;
    all.iter().position(|c| key_of(c) == alias)
}

/// What a signal browser showed when results were exported: recorded in the
/// provenance of every export from the desktop application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisplayRecord {
    /// Name of the montage shown.
    pub montage: String,
    /// Kind of the montage shown.
    pub montage_kind: MontageKind,
    /// Bipolar pairs `[anode, cathode]` (empty for other kinds).
    #[serde(default)]
    pub pairs: Vec<[String; 2]>,
    /// Display high-pass cut-off, Hz (`None`: off).
    pub highpass_hz: Option<f64>,
    /// Display low-pass cut-off, Hz (`None`: off).
    pub lowpass_hz: Option<f64>,
    /// Display notch frequency, Hz (`None`: off).
    pub notch_hz: Option<f64>,
    /// Channels marked bad in the browser.
    #[serde(default)]
    pub bad_channels: Vec<String>,
    /// How the display relates to the results.
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chans(labels: &[&str]) -> Vec<MontageChannel> {
        labels
            .iter()
            .map(|l| MontageChannel {
                label: l.to_string(),
                canonical: canonical_name(l),
                eeg: canonical_name(l).is_some_and(|c| !matches!(c.as_str(), "A1" | "A2")),
                bad: false,
            })
            .collect()
    }

    #[test]
    fn toml_round_trip_and_validation() {
        let m = Montage::double_banana();
        let text = m.to_toml().expect("serialises");
        assert_eq!(Montage::from_toml(&text).expect("parses"), m);
        assert!(Montage::from_toml("name = \"x\"\nkind = \"bipolar\"\n").is_err());
        assert!(
            Montage::from_toml("name = \"x\"\nkind = \"average\"\npairs = [[\"a\", \"b\"]]")
                .is_err()
        );
        assert!(Montage::from_toml("name = \"x\"\nkind = \"sideways\"").is_err());
        assert!(Montage::bipolar_from_text("m", "Fp1-Fp1").is_err());
        let b = Montage::bipolar_from_text("m", "Fp1-F3, F3-C3\nC3-P3").expect("pairs");
        assert_eq!(b.pairs.len(), 3);
    }

    #[test]
    fn bipolar_matches_by_canonical_name_and_keeps_missing_pairs() {
        let all = chans(&["EEG F3-Ref", "EEG FP1-Ref", "EEG T7-Ref"]);
        let m = Montage::bipolar_from_text("m", "Fp1-F3, F7-T3, F3-Cz").expect("pairs");
        let d = m.resolve(&all, &[0, 1, 2]).expect("resolves");
        assert_eq!(d.len(), 3);
        assert_eq!((d[0].anode, &d[0].reference), (Some(1), &Ref::Channel(0)));
        assert_eq!(d[1].missing, vec!["F7".to_string()], "T3 found as T7");
        assert_eq!(d[2].anode, None);
        assert_eq!(d[2].missing, vec!["Cz".to_string()]);
        let rows = [vec![1.0f32, 2.0], vec![5.0, 7.0], vec![0.0, 0.0]];
        let get = |s: usize| rows.get(s).map(Vec::as_slice);
        assert_eq!(d[0].apply(&get), Some(vec![4.0, 5.0]));
        assert_eq!(d[2].apply(&get), None);
    }

    #[test]
    fn average_excludes_bad_and_non_eeg_channels_and_linked_ears_needs_ears() {
        let mut all = chans(&["Fp1", "Fp2", "Cz", "ECG"]);
        all[2].bad = true;
        let d = Montage::average()
            .resolve(&all, &[0, 1, 2, 3])
            .expect("resolves");
        assert_eq!(d[0].reference, Ref::Mean(vec![0, 1]));
        assert_eq!(d[3].reference, Ref::None, "ECG as recorded");
        let e = Montage::linked_ears().resolve(&all, &[0, 1]);
        assert!(matches!(e, Err(MontageError::MissingReference(_))), "{e:?}");
        let all = chans(&["A2", "Cz", "EEG A1-Ref"]);
        let d = Montage::linked_ears().resolve(&all, &[1, 0]).expect("ears");
        assert_eq!(d[0].reference, Ref::Mean(vec![2, 0]));
        assert_eq!(d[1].reference, Ref::None, "the ear itself as recorded");
    }
}
