//! Re-referencing of a channels × samples array with one label per row.

use super::error::SignalError;
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

/// A new reference for referential recordings (all channels against one common
/// electrode). Samples keep their unit (µV).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reference {
    /// Common average: every channel minus the mean of all channels at each sample.
    /// Pass only the EEG channels you want in the average. Labels unchanged.
    Average,
    /// Linked ears: every channel minus `(A1 + A2)/2` (or `(M1 + M2)/2` when the
    /// mastoids are recorded instead). The two ear channels are dropped from the output.
    LinkedEars,
    /// A named channel: every channel minus it; that channel (now zero) is dropped.
    Channel(String),
    /// Bipolar derivations `(anode, cathode)`: one output row `anode − cathode` per
    /// pair, labelled `"anode-cathode"` (e.g. `Fp1-F3`).
    Bipolar(Vec<(String, String)>),
}

impl Reference {
    /// Parses a bipolar list written `Fp1-F3,F3-C3`.
    pub fn bipolar_from_str(spec: &str) -> Result<Reference, SignalError> {
        let mut pairs = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (a, b) = item.split_once('-').ok_or_else(|| SignalError::InvalidParameter {
                what: "bipolar montage".into(),
                name: "pair".into(),
                value: item.into(),
                reason: "must be written ANODE-CATHODE, e.g. Fp1-F3".into(),
            })?;
            pairs.push((a.trim().to_string(), b.trim().to_string()));
        }
        if pairs.is_empty() {
            return Err(SignalError::InvalidParameter {
                what: "bipolar montage".into(),
                name: "pairs".into(),
                value: spec.into(),
                reason: "no pair given".into(),
            });
        }
        Ok(Reference::Bipolar(pairs))
    }
}

/// Normalises a label for matching: trimmed, case-insensitive, without an `EEG ` prefix
/// or a `-Ref`/`-REF` suffix.
fn key(label: &str) -> String {
    let l = label.trim();
    let l = l.strip_prefix("EEG ").or_else(|| l.strip_prefix("eeg ")).unwrap_or(l);
    let lower = l.trim().to_ascii_lowercase();
    lower.strip_suffix("-ref").unwrap_or(&lower).to_string()
}

/// Row index of channel `name` in `labels` (case-insensitive, `EEG ` prefix and `-Ref`
/// suffix ignored).
pub fn find_channel(labels: &[String], name: &str) -> Option<usize> {
    let k = key(name);
    labels.iter().position(|l| key(l) == k)
}

fn need(labels: &[String], name: &str, what: &str) -> Result<usize, SignalError> {
    find_channel(labels, name).ok_or_else(|| SignalError::UnknownChannel {
        what: what.into(),
        name: name.into(),
        available: labels.join(" "),
    })
}

/// Re-references `data` (channels × samples, µV) whose rows are named by `labels`.
/// Returns the new data and labels.
pub fn rereference(
    data: &Array2<f32>,
    labels: &[String],
    reference: &Reference,
) -> Result<(Array2<f32>, Vec<String>), SignalError> {
    const WHAT: &str = "re-referencing";
    if data.nrows() == 0 || data.ncols() == 0 {
        return Err(SignalError::Empty { what: WHAT.into() });
    }
    if labels.len() != data.nrows() {
        return Err(SignalError::InvalidParameter {
            what: WHAT.into(),
            name: "labels".into(),
            value: labels.len().to_string(),
            reason: format!("one label per channel is needed ({} channels)", data.nrows()),
        });
    }
    let subtract = |r: ndarray::Array1<f32>, drop: &[usize]| {
        let keep: Vec<usize> = (0..data.nrows()).filter(|i| !drop.contains(i)).collect();
        let mut out = Array2::<f32>::zeros((keep.len(), data.ncols()));
        for (mut o, &i) in out.rows_mut().into_iter().zip(&keep) {
            o.assign(&(&data.row(i) - &r));
        }
        (out, keep.iter().map(|&i| labels[i].clone()).collect())
    };
    match reference {
        Reference::Average => {
            // Mean in f64 for accuracy, then back to f32.
            let mean = data
                .map(|&v| v as f64)
                .mean_axis(Axis(0))
                .ok_or_else(|| SignalError::Empty { what: WHAT.into() })?
                .mapv(|v| v as f32);
            Ok(subtract(mean, &[]))
        }
        Reference::LinkedEars => {
            let (a, b) = match (find_channel(labels, "A1"), find_channel(labels, "A2")) {
                (Some(a), Some(b)) => (a, b),
                _ => match (find_channel(labels, "M1"), find_channel(labels, "M2")) {
                    (Some(a), Some(b)) => (a, b),
                    _ => {
                        return Err(SignalError::UnknownChannel {
                            what: "linked-ears reference".into(),
                            name: "A1/A2 (or M1/M2)".into(),
                            available: labels.join(" "),
                        })
                    }
                },
            };
            let r = (&data.row(a) + &data.row(b)).mapv(|v| v * 0.5);
            Ok(subtract(r, &[a, b]))
        }
        Reference::Channel(name) => {
            let i = need(labels, name, WHAT)?;
            Ok(subtract(data.row(i).to_owned(), &[i]))
        }
        Reference::Bipolar(pairs) => {
            if pairs.is_empty() {
                return Err(SignalError::InvalidParameter {
                    what: "bipolar montage".into(),
                    name: "pairs".into(),
                    value: "[]".into(),
                    reason: "no pair given".into(),
                });
            }
            let mut out = Array2::<f32>::zeros((pairs.len(), data.ncols()));
            let mut names = Vec::with_capacity(pairs.len());
            for (mut o, (a, b)) in out.rows_mut().into_iter().zip(pairs) {
                let (ia, ib) = (need(labels, a, "bipolar montage")?, need(labels, b, "bipolar montage")?);
                o.assign(&(&data.row(ia) - &data.row(ib)));
                names.push(format!("{}-{}", labels[ia].trim(), labels[ib].trim()));
            }
            Ok((out, names))
        }
    }
}
