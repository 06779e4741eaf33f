//! Every EDF/BDF file of `shared/eeg/real` and `shared/eeg/edge-cases` against its
//! reference reading in `shared/oracles/edf/<file>.json` (pyedflib; MNE where pyedflib
//! refuses the file) and the R edfReader texts in
//! `shared/eeg/edge-cases/edfReader-R-reference/`.
//!
//! Tolerances: the oracle rounds the first ten samples to 6 decimals and our samples
//! are `f32`, so a sample matches when `|ours − ref| ≤ 1e-6·|ref| + 6e-7`; a mean
//! matches to 1e-6 relative to the signal's largest magnitude (a mean near zero has
//! no meaningful relative error of its own).
//!
//! Deliberate differences from the references, checked explicitly below:
//! * Annotation channels are never data signals. pyedflib lists the `EDF Annotations`
//!   channel of a plain EDF (`test_legacy.edf`) and the `BDF Annotations` channel of
//!   `bdfPlusD.bdf` (a BDF whose reserved field says `EDF+D`) as signals and reads no
//!   annotations from them; we read them as annotation channels (with a warning) and
//!   return their annotations.
//! * Sub-second start: pyedflib 0.1.42 reports EDFlib's sub-second count (units of
//!   100 ns) as if it were microseconds, a factor 10 too small
//!   (`subsecond_starttime.edf`: 0.039453 s where the first record's time-keeping TAL
//!   says +0.3945312 s). We report the TAL value; the test checks it equals ten times
//!   pyedflib's figure.
//! * `bdfPlusD.bdf`, `edfPlusD.edf`: read as discontinuous; samples are contiguous
//!   record after record (as MNE returns them) and the gaps are listed.

use serde_json::Value;
use sesame_core::recording::{Format, ReadOptions, Recording};
use sesame_tests::shared_dir;
use std::path::{Path, PathBuf};

fn files(shared: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for sub in ["eeg/real", "eeg/edge-cases"] {
        let Ok(rd) = std::fs::read_dir(shared.join(sub)) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if p.is_file() && (ext == "edf" || ext == "bdf") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

fn close(ours: f64, reference: f64, rel: f64, abs: f64) -> bool {
    (ours - reference).abs() <= rel * reference.abs() + abs
}

fn oracle(shared: &Path, name: &str) -> Option<Value> {
    let p = shared.join("oracles/edf").join(format!("{name}.json"));
    let text = std::fs::read_to_string(p).ok()?;
    serde_json::from_str(&text).ok()
}

fn is_annot_label(l: &str) -> bool {
    matches!(l.trim(), "EDF Annotations" | "BDF Annotations")
}

fn read_all(rec: &Recording, i: usize) -> Vec<f32> {
    let s = &rec.signals()[i];
    let v = rec.read_signal(i, 0.0, s.n_samples as f64 / s.sample_rate + 1.0).unwrap();
    assert_eq!(v.len(), s.n_samples, "{}: signal {}", rec.path.as_ref().unwrap().display(), s.label);
    v
}

fn mean(v: &[f32]) -> f64 {
    v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64
}

fn check_signal_values(name: &str, label: &str, ours: &[f32], first10: &[f64], mean_ref: f64, scale: f64) {
    for (k, (&o, &r)) in ours.iter().zip(first10).enumerate() {
        let r = r * scale;
        assert!(close(o as f64, r, 1e-6, 6e-7 * scale.max(1.0)), "{name} '{label}' sample {k}: ours {o}, reference {r}");
    }
    let big = ours.iter().fold(0f64, |a, &x| a.max((x as f64).abs())).max(1e-30);
    let m = mean(ours);
    let mr = mean_ref * scale;
    assert!((m - mr).abs() <= 1e-6 * big, "{name} '{label}' mean: ours {m}, reference {mr}");
}

/// Annotations equal as multisets, onsets to 1e-6 relative (+1e-7 s for onsets near 0).
fn check_annotations(name: &str, rec: &Recording, reference: &[Value]) {
    let mut want: Vec<(f64, Option<f64>, String)> = reference
        .iter()
        .map(|a| {
            let d = a["duration"].as_f64().unwrap();
            (a["onset"].as_f64().unwrap(), if d < 0.0 { None } else { Some(d) }, a["text"].as_str().unwrap().to_string())
        })
        .collect();
    let mut got: Vec<(f64, Option<f64>, String)> =
        rec.annotations().iter().map(|a| (a.onset, a.duration, a.text.clone())).collect();
    let key = |a: &(f64, Option<f64>, String), b: &(f64, Option<f64>, String)| {
        a.0.total_cmp(&b.0).then_with(|| a.2.cmp(&b.2))
    };
    want.sort_by(key);
    got.sort_by(key);
    assert_eq!(got.len(), want.len(), "{name}: annotations {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(&want) {
        assert!(close(g.0, w.0, 1e-6, 1e-7), "{name}: onset {g:?} vs {w:?}");
        // pyedflib reports a zero duration both for '\x150' and for no duration.
        let gd = g.1.unwrap_or(-1.0);
        let wd = w.1.unwrap_or(-1.0);
        assert!(close(gd, wd, 1e-6, 1e-7) || (w.1 == Some(0.0) && g.1.is_none()), "{name}: duration {g:?} vs {w:?}");
        assert_eq!(g.2, w.2, "{name}");
    }
}

fn check_pyedflib(name: &str, rec: &Recording, o: &Value) {
    let h = rec.header.as_ref().unwrap();
    let osigs: Vec<&Value> = o["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !is_annot_label(s["label"].as_str().unwrap()))
        .collect();
    if osigs.len() != o["signals"].as_array().unwrap().len() {
        // Deliberate difference: pyedflib lists an annotation channel of a plain file as a signal.
        assert!(
            rec.warnings.iter().any(|w| w.contains("annotation channel") || w.contains("reserved field")),
            "{name}: expected a warning about the annotation channel, got {:?}",
            rec.warnings
        );
    }
    assert_eq!(rec.signals().len(), osigs.len(), "{name}: number of signals");
    // Start: date-time to the second, then the sub-second part.
    let start = rec.start.unwrap();
    let ostart = o["start"].as_str().unwrap();
    let whole = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        start.year, start.month, start.day, start.hour, start.minute, start.second
    );
    assert_eq!(&ostart[..19], whole, "{name}: start");
    let osub = o["start_subsecond"].as_f64().unwrap();
    assert!(close(start.subsecond, 10.0 * osub, 0.0, 1e-5), "{name}: subsecond {} vs 10 x {osub}", start.subsecond);
    assert!(close(rec.duration(), o["duration_s"].as_f64().unwrap(), 1e-9, 1e-9), "{name}: duration");
    assert_eq!(h.n_records as u64, o["n_records"].as_u64().unwrap(), "{name}: records");
    assert!(close(h.record_duration, o["record_duration_s"].as_f64().unwrap(), 1e-9, 1e-12), "{name}: record duration");
    let plus = !matches!(rec.format, Format::Edf | Format::Bdf);
    let ofiletype = o["filetype"].as_u64().unwrap();
    if plus && (ofiletype == 1 || ofiletype == 3) {
        assert_eq!(h.patient_code().unwrap_or_default(), o["patient"].as_str().unwrap(), "{name}: patient code");
        assert_eq!(h.equipment().unwrap_or_default(), o["recording"].as_str().unwrap(), "{name}: equipment");
    }
    for (i, (s, os)) in rec.signals().iter().zip(&osigs).enumerate() {
        assert_eq!(s.label, os["label"].as_str().unwrap().trim(), "{name}: label {i}");
        assert_eq!(s.unit, os["dimension"].as_str().unwrap().trim(), "{name}: unit {i}");
        assert!(close(s.sample_rate, os["sample_rate"].as_f64().unwrap(), 1e-12, 0.0), "{name}: rate {i}");
        assert_eq!(s.n_samples as u64, os["n_samples"].as_u64().unwrap(), "{name}: samples {i}");
        assert_eq!(s.physical_min, os["physical_min"].as_f64().unwrap(), "{name}: pmin {i}");
        assert_eq!(s.physical_max, os["physical_max"].as_f64().unwrap(), "{name}: pmax {i}");
        assert_eq!(s.digital_min as i64, os["digital_min"].as_i64().unwrap(), "{name}: dmin {i}");
        assert_eq!(s.digital_max as i64, os["digital_max"].as_i64().unwrap(), "{name}: dmax {i}");
        assert_eq!(s.prefilter, os["prefilter"].as_str().unwrap().trim(), "{name}: prefilter {i}");
        assert_eq!(s.transducer, os["transducer"].as_str().unwrap().trim(), "{name}: transducer {i}");
        let v = read_all(rec, i);
        let first10: Vec<f64> = os["first10"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        check_signal_values(name, &s.label, &v, &first10, os["mean"].as_f64().unwrap(), 1.0);
        let (mn, mx) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x as f64), b.max(x as f64)));
        assert!(close(mn, os["min"].as_f64().unwrap(), 1e-6, 1e-6), "{name}: min {i}");
        assert!(close(mx, os["max"].as_f64().unwrap(), 1e-6, 1e-6), "{name}: max {i}");
    }
    let oann = o["annotations"].as_array().unwrap();
    match name {
        // Deliberate: annotations read from the annotation channel pyedflib treats as a signal.
        "test_legacy.edf" => {
            let t: Vec<(f64, &str)> = rec.annotations().iter().map(|a| (a.onset, a.text.as_str())).collect();
            assert_eq!(t, vec![(0.0, "Recording starts"), (600.0, "Recording ends")]);
            assert!(oann.is_empty());
        }
        "bdfPlusD.bdf" => {
            let t: Vec<(f64, &str)> = rec.annotations().iter().map(|a| (a.onset, a.text.as_str())).collect();
            assert_eq!(t, vec![(0.0, "RECORD START")]);
            assert!(oann.is_empty());
        }
        _ => check_annotations(name, rec, oann),
    }
}

fn check_mne(name: &str, rec: &Recording, m: &Value) {
    let names: Vec<&str> = m["ch_names"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    assert_eq!(rec.signals().len(), names.len(), "{name}");
    let n_times = m["n_times"].as_u64().unwrap() as usize;
    for (i, s) in rec.signals().iter().enumerate() {
        assert_eq!(s.label, names[i], "{name}: label {i}");
        assert!(close(s.sample_rate, m["sfreq"].as_f64().unwrap(), 1e-12, 0.0));
        assert_eq!(s.n_samples, n_times, "{name}: samples of {}", s.label);
        // MNE returns volts for voltage units.
        let scale = match s.unit.as_str() {
            "uV" | "µV" => 1e6,
            "mV" => 1e3,
            _ => 1.0,
        };
        let v = read_all(rec, i);
        let first10: Vec<f64> = m["first10_volts"][i].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        // MNE rounds volts to 12 decimals: 1e-6 uV, the same grid as pyedflib's 6 decimals.
        check_signal_values(name, &s.label, &v, &first10, m["mean_volts"][i].as_f64().unwrap(), scale);
    }
    check_annotations(name, rec, m["annotations"].as_array().unwrap());
}

#[test]
fn every_shared_file_matches_its_oracle() {
    let Some(shared) = shared_dir() else { return };
    let files = files(&shared);
    assert!(files.len() >= 20, "expected the shared EDF/BDF files, found {}", files.len());
    let mut checked = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(o) = oracle(&shared, &name) else {
            panic!("no oracle for {name}");
        };
        let rec = Recording::open(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        if o.get("error").is_some() {
            let m = &o["mne"];
            assert!(m.get("error").is_none(), "{name}: both references refuse it");
            check_mne(&name, &rec, m);
        } else {
            check_pyedflib(&name, &rec, &o);
        }
        checked += 1;
    }
    eprintln!("checked {checked} files against their oracles");
}

#[test]
fn specific_readings() {
    let Some(shared) = shared_dir() else { return };
    let open = |p: &str| Recording::open(&shared.join(p), &ReadOptions::default()).unwrap();
    // EDF+D: 11 records with gaps; samples contiguous.
    let r = open("eeg/edge-cases/edfPlusD.edf");
    assert_eq!(r.format, Format::EdfPlusD);
    assert!(!r.gaps().is_empty());
    let on = r.record_onsets();
    assert_eq!(on.len(), 11);
    assert_eq!(&on[..4], &[0.0, 2.0, 4.0, 5.0]);
    assert_eq!(r.gaps()[0].start, 1.0);
    assert_eq!(r.gaps()[0].duration, 1.0);
    assert_eq!(r.gaps()[0].sample_time, 1.0);
    let total_gap: f64 = r.gaps().iter().map(|g| g.duration).sum();
    assert!((on[10] + 1.0 - (11.0 + total_gap)).abs() < 1e-9);
    let r = open("eeg/edge-cases/bdfPlusD.bdf");
    assert_eq!(r.format, Format::BdfPlusD);
    assert_eq!(&r.record_onsets()[..4], &[0.0, 3.0, 5.0, 7.0]);
    // Sub-second start.
    let r = open("eeg/real/subsecond_starttime.edf");
    assert!((r.start.unwrap().subsecond - 0.3945312).abs() < 1e-12);
    assert_eq!(r.start.unwrap().to_string(), "2020-01-24T04:05:56.3945312");
    // Plain BDF that says EDF+C without an annotation channel.
    let r = open("eeg/real/bdf_test.bdf");
    assert_eq!(r.format, Format::Bdf);
    assert!(r.warnings.iter().any(|w| w.contains("no annotation channel")), "{:?}", r.warnings);
    // Annotations only.
    let r = open("eeg/real/SC4001EC-Hypnogram.edf");
    assert_eq!(r.signals().len(), 0);
    assert_eq!(r.annotations().len(), 154);
    assert_eq!(r.annotations()[0].duration, Some(30630.0));
    // Channel names of the eegmat files.
    let r = open("eeg/real/Subject00_1.edf");
    let names: Vec<Option<&str>> = r.signals().iter().map(|s| s.canonical.as_deref()).collect();
    assert_eq!(names[0], Some("Fp1"));
    let a2 = r.channel_index("EEG A2-A1").unwrap();
    assert_eq!(r.signals()[a2].kind, sesame_core::recording::ChannelKind::Other);
    assert_eq!(r.channel_index("cz"), r.channel_index("EEG Cz"));
    let r = open("eeg/real/S001R01.edf");
    assert_eq!(r.signals()[0].canonical.as_deref(), Some("FC5"));
    assert!(r.signals().iter().all(|s| s.canonical.is_some()), "every eegmmidb label is a 10-10 name");
}

/// Lines of an R reference CSV, split on commas.
fn r_rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|s| s.to_string()).collect())
        .collect()
}

#[test]
fn r_edfreader_references() {
    let Some(shared) = shared_dir() else { return };
    let refdir = shared.join("eeg/edge-cases/edfReader-R-reference");
    for (stem, ext) in [("edfPlusC", "edf"), ("bdfPlusC", "bdf"), ("bdfPlusD", "bdf")] {
        let rec = Recording::open(&shared.join(format!("eeg/edge-cases/{stem}.{ext}")), &ReadOptions::default()).unwrap();
        let h = rec.header.as_ref().unwrap();
        let hdr = &r_rows(&refdir.join(format!("{stem}_header.txt")))[0];
        assert_eq!(h.patient, hdr[1].trim());
        assert_eq!(h.recording_id, hdr[2].trim());
        assert_eq!(h.reserved, hdr[6].trim());
        assert_eq!(h.n_records.to_string(), hdr[7].trim());
        assert_eq!(h.record_duration, hdr[8].trim().parse::<f64>().unwrap());
        // R counts data signals; it reads bdfPlusD (a BDF saying 'EDF+D') as plain BDF
        // and so counts its annotation channel too.
        let n = if stem == "bdfPlusD" { h.signals.len() } else { rec.signals().len() };
        assert_eq!(n.to_string(), hdr[9].trim());
        for (s, row) in h.signals.iter().zip(r_rows(&refdir.join(format!("{stem}_signals.txt")))) {
            assert_eq!(s.label, row[1].trim());
            assert_eq!(s.unit, row[3].trim());
            assert_eq!(s.physical_min, row[4].parse::<f64>().unwrap());
            assert_eq!(s.physical_max, row[5].parse::<f64>().unwrap());
            assert_eq!(s.digital_min.to_string(), row[6]);
            assert_eq!(s.digital_max.to_string(), row[7]);
            assert_eq!(s.samples_per_record.to_string(), row[9]);
        }
        let ann = r_rows(&refdir.join(format!("{stem}_annotations.txt")));
        if stem == "bdfPlusD" {
            // Deliberate: R reads this BDF (reserved field 'EDF+D') as plain and finds no
            // annotations; we read its BDF Annotations channel.
            assert!(ann.is_empty());
            assert_eq!(rec.annotations().len(), 1);
            continue;
        }
        let got: Vec<(f64, String)> = rec.annotations().iter().map(|a| (a.onset, a.text.clone())).collect();
        let want: Vec<(f64, String)> = ann.iter().map(|r| (r[0].parse().unwrap(), r[2].clone())).collect();
        assert_eq!(got, want, "{stem}");
    }
    // Every sample of edfPlusC against R's 6-decimal text.
    let rec = Recording::open(&shared.join("eeg/edge-cases/edfPlusC.edf"), &ReadOptions::default()).unwrap();
    let all: Vec<usize> = (0..rec.signals().len()).collect();
    let win = rec.read_window(&all, 0.0, rec.duration()).unwrap();
    let rows = r_rows(&refdir.join("edfPlusC_data.txt"));
    assert_eq!(rows.len(), win.ncols());
    for (t, row) in rows.iter().enumerate() {
        for c in 0..all.len() {
            let want: f64 = row[c + 1].parse().unwrap();
            let got = win[[c, t]] as f64;
            assert!((got - want).abs() <= 6e-7 + 1e-7 * want.abs(), "sample {t} of signal {c}: {got} vs {want}");
        }
    }
}
