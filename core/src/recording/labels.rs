//! Channel labels: the canonical 10-20/10-10 electrode name behind the variants real
//! files use, and the kind of a channel from its label and unit.
//!
//! Recognised variants: a type prefix (`EEG Fp1`, `POL O1`), a reference suffix
//! (`EEG Fp1-Ref`, `EEG T3-A1`, `Cz-AVG`, `C3-M2`, `O1-LE`), any letter case (`FP1`,
//! `fp1`) and the dots BCI2000 pads labels with (`Fc5.`, `Cz..`). A derivation
//! between two scalp electrodes (`Fp1-F3`) has no single canonical name. The old
//! 10-20 names T3, T4, T5, T6 are kept as written (they sit where T7, T8, P7, P8 sit).
//! Ear and mastoid electrodes (A1, A2, M1, M2) are references: a channel recorded
//! from them (`EEG A2-A1`) is of kind [`ChannelKind::Other`].

use super::ChannelKind;

/// Every standard name, spelled canonically (10-10 system of the American
/// Clinical Neurophysiology Society, plus the old 10-20 names and the references).
pub const STANDARD_NAMES: &[&str] = &[
    "Nz", "Fp1", "Fpz", "Fp2", "AF9", "AF7", "AF5", "AF3", "AF1", "AFz", "AF2", "AF4", "AF6", "AF8", "AF10", "F9",
    "F7", "F5", "F3", "F1", "Fz", "F2", "F4", "F6", "F8", "F10", "FT9", "FT7", "FC5", "FC3", "FC1", "FCz", "FC2",
    "FC4", "FC6", "FT8", "FT10", "T9", "T7", "C5", "C3", "C1", "Cz", "C2", "C4", "C6", "T8", "T10", "TP9", "TP7",
    "CP5", "CP3", "CP1", "CPz", "CP2", "CP4", "CP6", "TP8", "TP10", "P9", "P7", "P5", "P3", "P1", "Pz", "P2", "P4",
    "P6", "P8", "P10", "PO9", "PO7", "PO5", "PO3", "PO1", "POz", "PO2", "PO4", "PO6", "PO8", "PO10", "O1", "Oz",
    "O2", "I1", "Iz", "I2", "T3", "T4", "T5", "T6", "A1", "A2", "M1", "M2",
];

/// Reference electrodes: ears and mastoids.
pub const REFERENCE_NAMES: &[&str] = &["A1", "A2", "M1", "M2"];

/// Words that, after a `-`, name a reference rather than a second electrode.
const REFERENCE_WORDS: &[&str] = &[
    "REF", "AVG", "AV", "AVE", "AVERAGE", "AR", "CAR", "LE", "RE", "A1", "A2", "M1", "M2", "A1A2", "A1+A2", "M1M2",
    "M1+M2", "LINKED", "COMMON", "GND", "CZ",
];

/// The standard name matching `s` case-insensitively.
fn standard(s: &str) -> Option<&'static str> {
    STANDARD_NAMES.iter().copied().find(|n| n.eq_ignore_ascii_case(s))
}

/// Splits off a leading type word (`EEG `, `EOG `, `POL `…) and returns it
/// (upper-cased) with the rest.
fn split_type(label: &str) -> (Option<String>, &str) {
    let t = label.trim();
    if let Some((first, rest)) = t.split_once(char::is_whitespace) {
        let rest = rest.trim();
        if !rest.is_empty() && first.chars().all(|c| c.is_ascii_alphanumeric()) && first.len() <= 5 {
            return (Some(first.to_ascii_uppercase()), rest);
        }
    }
    (None, t)
}

/// The canonical 10-20/10-10 name a label refers to, if any: `EEG Fp1-Ref` → `Fp1`,
/// `FP1` → `Fp1`, `Fc5.` → `FC5`, `EEG T3-A1` → `T3`, `EEG A2-A1` → `A2`.
pub fn canonical_name(label: &str) -> Option<String> {
    let (_, rest) = split_type(label);
    let rest = rest.trim().trim_end_matches('.').trim();
    if let Some(n) = standard(rest) {
        return Some(n.to_string());
    }
    let (left, right) = rest.split_once('-')?;
    let left = left.trim().trim_end_matches('.');
    let right = right.trim().trim_end_matches('.').to_ascii_uppercase();
    let n = standard(left)?;
    if REFERENCE_WORDS.contains(&right.as_str()) && !n.eq_ignore_ascii_case(&right) {
        Some(n.to_string())
    } else {
        None
    }
}

/// True for ear and mastoid electrodes (A1, A2, M1, M2).
pub fn is_reference(canonical: &str) -> bool {
    REFERENCE_NAMES.iter().any(|r| r.eq_ignore_ascii_case(canonical))
}

fn is_voltage(unit: &str) -> bool {
    let u = unit.trim();
    matches!(u, "uV" | "µV" | "μV" | "mV" | "V" | "nV" | "UV" | "MV" | "uv" | "mv" | "v" | "")
}

/// The kind of a channel from its label and physical unit.
///
/// A type prefix decides first (`EOG …`, `ECG …`/`EKG …`, `EMG …`, `EEG …`); then
/// words in the label (`EOG`, `LOC`, `ROC`, `ECG`, `EKG`, `EMG`, `CHIN`); then a
/// standard electrode name with a voltage unit (µV, mV, V or blank) is EEG.
/// Reference electrodes and everything else are [`ChannelKind::Other`].
pub fn channel_kind(label: &str, unit: &str) -> ChannelKind {
    let up = label.trim().to_ascii_uppercase();
    if up.contains("ANNOTATION") {
        return ChannelKind::Other;
    }
    let (prefix, _) = split_type(label);
    let canonical = canonical_name(label);
    let reference = canonical.as_deref().is_some_and(is_reference);
    match prefix.as_deref() {
        Some("EOG") => return ChannelKind::Eog,
        Some("ECG" | "EKG") => return ChannelKind::Ecg,
        Some("EMG") => return ChannelKind::Emg,
        Some("EEG") if reference => return ChannelKind::Other,
        Some("EEG") => return ChannelKind::Eeg,
        _ => {}
    }
    let words: Vec<&str> = up.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |ws: &[&str]| words.iter().any(|w| ws.iter().any(|x| w.starts_with(x)));
    if has(&["EOG", "HEOG", "VEOG", "LOC", "ROC"]) {
        return ChannelKind::Eog;
    }
    if has(&["ECG", "EKG"]) {
        return ChannelKind::Ecg;
    }
    if has(&["EMG", "CHIN"]) {
        return ChannelKind::Emg;
    }
    match canonical {
        Some(_) if reference => ChannelKind::Other,
        Some(_) if is_voltage(unit) => ChannelKind::Eeg,
        _ => ChannelKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_from_real_files() {
        let cases = [
            ("EEG Fp1", Some("Fp1")),
            ("EEG Fp1-Ref", Some("Fp1")),
            ("FP1", Some("Fp1")),
            ("Fc5.", Some("FC5")),
            ("Cz..", Some("Cz")),
            ("Fpz.", Some("Fpz")),
            ("EEG T3-A1", Some("T3")),
            ("EEG A2-A1", Some("A2")),
            ("EEG T7-Ref", Some("T7")),
            ("POL O1", Some("O1")),
            ("Fp1-F3", None),
            ("ECG ECG", None),
            ("squarewave", None),
            ("EEG Channel-1", None),
            ("sine 8.5 Hz", None),
        ];
        for (label, want) in cases {
            assert_eq!(canonical_name(label).as_deref(), want, "{label}");
        }
    }

    #[test]
    fn kinds() {
        assert_eq!(channel_kind("EEG Fp1-Ref", "uV"), ChannelKind::Eeg);
        assert_eq!(channel_kind("Fc5.", "uV"), ChannelKind::Eeg);
        assert_eq!(channel_kind("EEG A2-A1", "uV"), ChannelKind::Other);
        assert_eq!(channel_kind("ECG ECG", "mV"), ChannelKind::Ecg);
        assert_eq!(channel_kind("ECG", "uV"), ChannelKind::Ecg);
        assert_eq!(channel_kind("EOG left", "uV"), ChannelKind::Eog);
        assert_eq!(channel_kind("EMG chin", "uV"), ChannelKind::Emg);
        assert_eq!(channel_kind("SaO2 X9", "%"), ChannelKind::Other);
        assert_eq!(channel_kind("Status", "Boolean"), ChannelKind::Other);
        assert_eq!(channel_kind("EEG Channel-3", "uV"), ChannelKind::Eeg);
        assert_eq!(channel_kind("Cz", "%"), ChannelKind::Other);
        assert_eq!(channel_kind("EDF Annotations", ""), ChannelKind::Other);
    }

    #[test]
    fn every_standard_name_is_its_own_canonical_form() {
        for n in STANDARD_NAMES {
            assert_eq!(canonical_name(n).as_deref(), Some(*n));
            assert_eq!(canonical_name(&n.to_ascii_uppercase()).as_deref(), Some(*n));
            assert_eq!(canonical_name(&format!("EEG {n}-REF")).as_deref(), Some(*n));
        }
    }
}
