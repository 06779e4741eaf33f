//! The EDF+C/BDF+C writer: write → read gives the same samples within one quantisation
//! step and the same annotations; pyedflib opens our files (when Python and pyedflib
//! are present); real files survive a round trip.

use ndarray::Array2;
use sesame_core::recording::{write_edf, Annotation, Format, ReadOptions, Recording, Resolution};
use sesame_tests::shared_dir;

fn synthetic(rate: f64, n: usize) -> Recording {
    let labels = ["Fp1", "Fp2", "EEG Cz-Ref", "ECG", "EOG left"];
    let data = Array2::from_shape_fn((labels.len(), n), |(c, t)| {
        let x = t as f32 / rate as f32;
        (x * 10.0 * (c as f32 + 1.0)).sin() * 80.0 * (c as f32 + 1.0) + (x * 3.1).cos() * 7.5 - 20.0 * c as f32
    });
    Recording::from_samples(labels.iter().map(|s| s.to_string()).collect(), rate, "uV", data)
        .unwrap()
        .with_annotations(vec![
            Annotation { onset: 0.0, duration: None, text: "start".into() },
            Annotation { onset: 1.25, duration: Some(2.5), text: "eyes closed".into() },
            Annotation { onset: 1.25, duration: None, text: "same onset, second text".into() },
            Annotation { onset: 3.0000001, duration: Some(0.0), text: "中文 UTF-8".into() },
        ])
}

/// Writes, reads back and compares; returns the reading and the folder holding it.
fn check_round_trip(rec: &Recording, res: Resolution) -> (Recording, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.edf");
    write_edf(&p, rec, res).unwrap();
    let back = Recording::open(&p, &ReadOptions::default()).unwrap();
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(back.format, if res == Resolution::Edf16 { Format::EdfPlusC } else { Format::BdfPlusC });
    assert_eq!(back.signals().len(), rec.signals().len());
    for (i, (a, b)) in rec.signals().iter().zip(back.signals()).enumerate() {
        assert_eq!(a.label, b.label);
        assert_eq!(a.unit.replace('µ', "u"), b.unit);
        assert!((a.sample_rate - b.sample_rate).abs() < 1e-9);
        assert_eq!(a.n_samples, b.n_samples);
        let step = (b.physical_max - b.physical_min) / (b.digital_max as f64 - b.digital_min as f64);
        let x = rec.read_signal(i, 0.0, rec.duration() + 1.0).unwrap();
        let y = back.read_signal(i, 0.0, back.duration() + 1.0).unwrap();
        let worst = x.iter().zip(&y).map(|(&u, &v)| (u as f64 - v as f64).abs()).fold(0.0, f64::max);
        let f32_slack = x.iter().fold(0f64, |m, &u| m.max(u.abs() as f64)) * 2.0 * f32::EPSILON as f64;
        assert!(worst <= step + f32_slack, "signal {i}: error {worst} > one step {step}");
        assert!(worst <= 0.5 * step + f32_slack, "signal {i}: error {worst} > half a step {step}");
    }
    let a: Vec<_> = rec.annotations().iter().map(|a| (a.onset, a.duration, a.text.clone())).collect();
    let b: Vec<_> = back.annotations().iter().map(|a| (a.onset, a.duration, a.text.clone())).collect();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!((x.0 - y.0).abs() < 1e-7, "{x:?} vs {y:?}");
        assert_eq!(x.1, y.1);
        assert_eq!(x.2, y.2);
    }
    (back, dir)
}

#[test]
fn round_trip_edf_and_bdf() {
    let rec = synthetic(256.0, 256 * 4);
    check_round_trip(&rec, Resolution::Edf16);
    check_round_trip(&rec, Resolution::Bdf24);
    // A length that no record duration divides: padded to whole records.
    let rec = synthetic(200.0, 1001);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("odd.bdf");
    write_edf(&p, &rec, Resolution::Bdf24).unwrap();
    let back = Recording::open(&p, &ReadOptions::default()).unwrap();
    assert!(back.signals()[0].n_samples >= 1001);
    let x = rec.read_signal(0, 0.0, 10.0).unwrap();
    let y = back.read_signal(0, 0.0, 10.0).unwrap();
    let step = (back.signals()[0].physical_max - back.signals()[0].physical_min) / 16_777_215.0;
    assert!(x.iter().zip(&y).all(|(a, b)| ((a - b).abs() as f64) <= step + 1e-4));
}

#[test]
fn non_integer_rate_and_constant_signal() {
    // 487.5 Hz needs a 2 s record; a constant signal gets a ±1 range.
    let n = 975 * 3;
    let data = Array2::from_shape_fn((2, n), |(c, t)| if c == 0 { 42.0 } else { (t as f32 * 0.01).sin() });
    let rec = Recording::from_samples(vec!["C3".into(), "C4".into()], 487.5, "uV", data).unwrap();
    let (back, _dir) = check_round_trip(&rec, Resolution::Edf16);
    assert_eq!(back.record_duration(), Some(2.0));
    assert!(back.read_signal(0, 0.0, 100.0).unwrap().iter().all(|&v| (v - 42.0).abs() < 1e-3));
}

#[test]
fn write_is_atomic_and_refuses_what_edf_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.edf");
    let data = Array2::from_shape_fn((1, 100), |(_, t)| if t == 5 { f32::NAN } else { 1.0 });
    let rec = Recording::from_samples(vec!["Cz".into()], 100.0, "uV", data).unwrap();
    let e = write_edf(&p, &rec, Resolution::Edf16).unwrap_err().to_string();
    assert!(e.contains("non-finite"), "{e}");
    let data = Array2::from_shape_fn((1, 100), |(_, t)| t as f32);
    let rec = Recording::from_samples(vec!["a label longer than sixteen".into()], 100.0, "uV", data).unwrap();
    assert!(write_edf(&p, &rec, Resolution::Edf16).is_err());
    assert!(!p.exists(), "no file is left behind");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no temporary file is left behind");
}

#[test]
fn real_files_round_trip() {
    let Some(shared) = shared_dir() else { return };
    for f in [
        "eeg/real/subsecond_starttime.edf",
        "eeg/real/chtypes_edf.edf",
        "eeg/edge-cases/test_generator_datarec_generator_2.bdf",
        "eeg/real/SC4001EC-Hypnogram.edf",
    ] {
        let rec = Recording::open(&shared.join(f), &ReadOptions::default()).unwrap();
        let res = if f.ends_with(".bdf") { Resolution::Bdf24 } else { Resolution::Edf16 };
        let (back, _dir) = check_round_trip(&rec, res);
        assert_eq!(back.start, rec.start, "{f}");
        assert_eq!(back.record_duration(), rec.record_duration(), "{f}");
    }
}

#[test]
fn pyedflib_opens_our_files() {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import pyedflib"])
        .output()
        .map(|o| o.status.success());
    if !matches!(ok, Ok(true)) {
        eprintln!("skipping: python3 with pyedflib is not available (pip install pyedflib)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rec = synthetic(256.0, 256 * 4);
    for (name, res) in [("ours.edf", Resolution::Edf16), ("ours.bdf", Resolution::Bdf24)] {
        let p = dir.path().join(name);
        write_edf(&p, &rec, res).unwrap();
        let script = r#"
import sys, json, pyedflib
f = pyedflib.EdfReader(sys.argv[1], annotations_mode=pyedflib.READ_ALL_ANNOTATIONS)
o, d, t = f.readAnnotations()
print(json.dumps({"filetype": int(f.filetype), "n": f.signals_in_file,
  "labels": f.getSignalLabels(), "rates": [float(f.getSampleFrequency(i)) for i in range(f.signals_in_file)],
  "x": [[float(v) for v in f.readSignal(i)[:50]] for i in range(f.signals_in_file)],
  "ann": [[float(a), float(b), c] for a, b, c in zip(o, d, t)]}))
"#;
        let out = std::process::Command::new("python3").arg("-c").arg(script).arg(&p).output().unwrap();
        assert!(out.status.success(), "pyedflib refused {name}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["filetype"].as_u64().unwrap(), if res == Resolution::Edf16 { 1 } else { 3 });
        assert_eq!(v["n"].as_u64().unwrap() as usize, rec.signals().len());
        for i in 0..rec.signals().len() {
            assert_eq!(v["labels"][i].as_str().unwrap(), rec.signals()[i].label);
            assert_eq!(v["rates"][i].as_f64().unwrap(), 256.0);
            let ours = rec.read_signal(i, 0.0, 1.0).unwrap();
            let s = &rec.signals()[i];
            let step = (s.physical_max - s.physical_min) / 65535.0;
            for (k, x) in v["x"][i].as_array().unwrap().iter().enumerate() {
                assert!((x.as_f64().unwrap() - ours[k] as f64).abs() <= step * 1.01 + 1e-3, "{name} signal {i} sample {k}");
            }
        }
        let ann = v["ann"].as_array().unwrap();
        assert_eq!(ann.len(), rec.annotations().len(), "{name}: {ann:?}");
        for (a, r) in ann.iter().zip(rec.annotations()) {
            assert!((a[0].as_f64().unwrap() - r.onset).abs() < 1e-6);
            assert_eq!(a[2].as_str().unwrap(), r.text);
        }
    }
}
