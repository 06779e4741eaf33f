//! Montages and display filters of the signal browser, driven through the app with
//! egui_kittest (no renderer): the displayed samples are read back through the state
//! API and checked against direct computations on the recording's samples.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use ndarray::Array2;
use sesame::gui::app::{FilePicker, SesameApp};
use sesame::gui::document::{Document, View};
use sesame::gui::export::ExportState;
use sesame::gui::montage::{self, DerivedPage, DisplayFilters};
use sesame::gui::settings::Settings;
use sesame_core::analysis::{Results, Row};
use sesame_core::recording::Recording;
use sesame_core::signal::montage::{Montage, MontageKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::shared_dir;

struct NoPicker;

impl FilePicker for NoPicker {
    fn pick_recordings(&self, _start: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
}

const FS: f64 = 256.0;
const SECONDS: usize = 40;

/// Channel `c` of the test recordings: a sine of its own frequency, phase and offset.
fn wave(c: usize, s: usize) -> f32 {
    let t = s as f64 / FS;
    let f = 3.0 + 1.7 * c as f64;
    (20.0 * (2.0 * std::f64::consts::PI * f * t + 0.3 * c as f64).sin() + 7.0 * c as f64 - 15.0)
        as f32
}

/// A recording whose signal `k` is labelled `labels[k]` and carries wave `ids[k]`.
fn recording(labels: &[&str], ids: &[usize]) -> Recording {
    let n = SECONDS * FS as usize;
    let data = Array2::from_shape_fn((labels.len(), n), |(k, s)| wave(ids[k], s));
    Recording::from_samples(
        labels.iter().map(|l| l.to_string()).collect(),
        FS,
        "uV",
        data,
    )
    .expect("valid recording")
}

fn app_with(rec: Recording) -> Harness<'static, SesameApp> {
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    app.add_recording("test.edf", rec, false);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 800.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    h.run();
    h
}

fn doc<'a>(h: &'a mut Harness<'static, SesameApp>) -> &'a mut Document {
    h.state_mut().active_doc_mut().expect("a recording is open")
}

fn page(h: &mut Harness<'static, SesameApp>) -> DerivedPage {
    montage::derived_page(doc(h)).clone()
}

/// Samples of signal `k` of the active recording over the current page.
fn raw_page(h: &mut Harness<'static, SesameApp>, k: usize) -> Vec<f32> {
    let d = doc(h);
    let (t0, t1) = (d.browser.t0, d.browser.t1());
    d.recording.read_signal(k, t0, t1).expect("read")
}

#[test]
fn average_reference_shows_each_channel_minus_the_mean_of_the_good_eeg_channels() {
    let labels = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "ECG"];
    let mut h = app_with(recording(&labels, &[0, 1, 2, 3, 4, 5, 6]));
    doc(&mut h).browser.jump_to(12.3, 40.0);
    doc(&mut h).channels[5].bad = true; // C4 is left out of the average
    doc(&mut h).display.set_montage(Montage::average());
    h.run();
    let p = page(&mut h);
    assert_eq!(p.rows.len(), 7);
    let raw: Vec<Vec<f32>> = (0..7).map(|k| raw_page(&mut h, k)).collect();
    let n = raw[0].len();
    assert!(n > 2000, "a 10-s page at 256 Hz, got {n} samples");
    let mean: Vec<f64> = (0..n)
        .map(|i| (0..5).map(|k| raw[k][i] as f64).sum::<f64>() / 5.0)
        .collect();
    for k in 0..6 {
        let row = &p.rows[k];
        assert_eq!(row.label, format!("{}-avg", labels[k]));
        let v = row.values.as_ref().expect("derived");
        assert_eq!(v.len(), n);
        for i in 0..n {
            let want = raw[k][i] as f64 - mean[i];
            assert!(
                (v[i] as f64 - want).abs() < 1e-3,
                "{} sample {i}: {} vs {want}",
                labels[k],
                v[i]
            );
        }
    }
    assert!(p.rows[5].bad, "C4 drawn as bad");
    // The ECG is not EEG: shown as recorded.
    assert_eq!(p.rows[6].label, "ECG");
    assert_eq!(p.rows[6].values.as_ref().expect("ECG"), &raw[6]);
    h.get_by_label_contains("Montage: Average reference");
}

#[test]
fn bipolar_pairs_typed_in_the_browser_show_the_difference_and_missing_pairs() {
    let mut h = app_with(recording(
        &["EEG F3-Ref", "EEG Fp1-Ref", "EEG Cz-Ref"],
        &[0, 1, 2],
    ));
    doc(&mut h).display.edit_name = "Mine".into();
    doc(&mut h).display.edit_pairs = "Fp1-F3, F7-T3, Cz-F3".into();
    h.get_by_label("Pairs…").click();
    h.run();
    h.get_by_label("Use these pairs").click();
    h.run();
    let p = page(&mut h);
    assert_eq!(p.rows.len(), 3, "a missing pair is kept, not dropped");
    let (f3, fp1, cz) = (
        raw_page(&mut h, 0),
        raw_page(&mut h, 1),
        raw_page(&mut h, 2),
    );
    assert_eq!(p.rows[0].label, "Fp1-F3");
    let v = p.rows[0].values.as_ref().expect("Fp1-F3");
    let want: Vec<f32> = fp1.iter().zip(&f3).map(|(a, b)| a - b).collect();
    assert_eq!(v, &want);
    assert_eq!(p.rows[1].label, "F7-T3");
    let e = p.rows[1]
        .values
        .as_ref()
        .expect_err("F7 and T3 are missing");
    assert!(e.contains("F7") && e.contains("T3"), "{e}");
    let want: Vec<f32> = cz.iter().zip(&f3).map(|(a, b)| a - b).collect();
    assert_eq!(p.rows[2].values.as_ref().expect("Cz-F3"), &want);
    // The montage made here is kept in the settings (persisted by eframe).
    let s = &h.state().settings;
    assert_eq!(s.montage.name, "Mine");
    assert_eq!(s.user_montages.len(), 1);
    let back: Settings =
        serde_json::from_str(&serde_json::to_string(s).expect("serialises")).expect("parses");
    assert_eq!(&back, s);
    h.get_by_label_contains("Montage: Mine");
}

#[test]
fn a_saved_montage_loads_back_equal_and_applies_to_channels_in_another_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("banana.toml");
    let m = Montage::bipolar_from_text("Left chain", "Fp1-F3, F3-C3, C3-P3, P3-O1").expect("pairs");
    // Recording A in one order and plain labels; B with the same electrodes (same
    // samples) in reverse order with `EEG …-Ref` labels.
    let names = ["Fp1", "F3", "C3", "P3", "O1"];
    let mut a = app_with(recording(&names, &[0, 1, 2, 3, 4]));
    doc(&mut a).display.set_montage(m.clone());
    doc(&mut a).display.save_file(&path).expect("saved");
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(text.contains("kind = \"bipolar\""), "{text}");
    assert_eq!(Montage::load(&path).expect("loads"), m);

    let rev: Vec<String> = names.iter().rev().map(|n| format!("EEG {n}-Ref")).collect();
    let rev: Vec<&str> = rev.iter().map(String::as_str).collect();
    let mut b = app_with(recording(&rev, &[4, 3, 2, 1, 0]));
    doc(&mut b).display.load_file(&path).expect("loads");
    assert_eq!(doc(&mut b).display.montage, m);
    a.run();
    b.run();
    let (pa, pb) = (page(&mut a), page(&mut b));
    assert_eq!(pa.rows.len(), 4);
    for (ra, rb) in pa.rows.iter().zip(&pb.rows) {
        assert_eq!(ra.label, rb.label);
        assert_eq!(ra.values, rb.values, "{}", ra.label);
        assert!(ra.values.is_ok());
    }
    assert!(b.state().settings.user_montages.contains(&m));
}

#[test]
fn linked_ears_without_ears_says_so_and_with_ears_subtracts_their_mean() {
    let mut h = app_with(recording(&["Fp1", "Cz", "O1"], &[0, 1, 2]));
    doc(&mut h).display.set_montage(Montage::linked_ears());
    h.run();
    h.get_by_label_contains("this recording has neither pair");
    h.get_by_label_contains("not applicable");
    // The traces are drawn as recorded meanwhile, and the app keeps working.
    let p = page(&mut h);
    assert_eq!(p.rows[1].values.as_ref().expect("Cz"), &raw_page(&mut h, 1));
    h.get_by_label(">>").click();
    h.run();
    assert!(doc(&mut h).browser.t0 > 0.0);

    let mut h = app_with(recording(&["A2", "Cz", "EEG A1"], &[0, 1, 2]));
    doc(&mut h).display.set_montage(Montage::linked_ears());
    h.run();
    let p = page(&mut h);
    assert!(doc(&mut h).display.message.is_none());
    let (a2, cz, a1) = (
        raw_page(&mut h, 0),
        raw_page(&mut h, 1),
        raw_page(&mut h, 2),
    );
    assert_eq!(p.rows[1].label, "Cz-A1A2");
    let v = p.rows[1].values.as_ref().expect("Cz");
    for i in 0..v.len() {
        let want = cz[i] as f64 - 0.5 * (a1[i] as f64 + a2[i] as f64);
        assert!((v[i] as f64 - want).abs() < 1e-4);
    }
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

#[test]
fn a_display_lowpass_at_10_hz_attenuates_a_40_hz_sinusoid_and_keeps_5_hz() {
    let n = SECONDS * FS as usize;
    let data = Array2::from_shape_fn((3, n), |(c, s)| {
        let t = s as f64 / FS;
        let f = [40.0, 5.0, 5.0][c];
        let dc = [0.0, 0.0, 100.0][c];
        (50.0 * (2.0 * std::f64::consts::PI * f * t).sin() + dc) as f32
    });
    let rec = Recording::from_samples(vec!["O1".into(), "O2".into(), "Cz".into()], FS, "uV", data)
        .expect("valid");
    let mut h = app_with(rec);
    doc(&mut h).browser.jump_to(17.0, 40.0);
    h.run();
    assert!(
        doc(&mut h).display.is_plain(),
        "drawn from the pyramid until a filter is on"
    );
    doc(&mut h).display.filters = DisplayFilters {
        lowpass_on: true,
        lowpass_hz: 10.0,
        ..DisplayFilters::default()
    };
    h.run();
    h.get_by_label_contains("LP 10 Hz");
    let p = page(&mut h);
    let raw40 = raw_page(&mut h, 0);
    let v40 = p.rows[0].values.as_ref().expect("filtered");
    let v5 = p.rows[1].values.as_ref().expect("filtered");
    assert_eq!(v40.len(), raw40.len());
    // 40 Hz is two octaves above a 4th-order cut-off applied twice: −96 dB or more.
    assert!(rms(&raw40) > 30.0);
    let peak40 = v40.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(
        peak40 < 0.5,
        "40 Hz left at {peak40} µV (input 50 µV), edges included"
    );
    let ratio5 = rms(v5) / rms(&raw_page(&mut h, 1));
    assert!((ratio5 - 1.0).abs() < 0.02, "5 Hz kept: ratio {ratio5}");

    // A high-pass removes the 100 µV offset of Cz but keeps its 5 Hz.
    doc(&mut h).display.filters = DisplayFilters {
        highpass_on: true,
        highpass_hz: 1.0,
        ..DisplayFilters::default()
    };
    h.run();
    let p = page(&mut h);
    let cz = p.rows[2].values.as_ref().expect("filtered");
    let mean = cz.iter().map(|&v| v as f64).sum::<f64>() / cz.len() as f64;
    assert!(mean.abs() < 0.5, "offset left: {mean} µV");
    assert!((rms(cz) / (50.0 / 2f64.sqrt()) - 1.0).abs() < 0.03);
}

#[test]
fn exports_record_the_montage_and_the_display_filters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("test.edf");
    std::fs::write(&input, b"hashed input").expect("write");
    let mut h = app_with(recording(&["Fp1", "F3", "C3"], &[0, 1, 2]));
    {
        let d = doc(&mut h);
        d.display.set_montage(Montage::double_banana());
        d.display.filters = DisplayFilters {
            highpass_on: true,
            highpass_hz: 1.0,
            notch_on: true,
            notch_hz: 60.0,
            ..DisplayFilters::default()
        };
        d.view = View::Results;
    }
    let row = Row {
        recording: "test".into(),
        channel_a: "Fp1".into(),
        channel_b: "F3".into(),
        measure: "ses-bumps".into(),
        parameter: "rho".into(),
        value: 0.25,
        unit: String::new(),
        n_events: Some(3),
        certified: Some(true),
    };
    for ext in ["json", "csv"] {
        let out = dir.path().join(format!("results.{ext}"));
        let o = out.clone();
        let app = h.state_mut();
        app.export = ExportState::with_picker(Arc::new(move |_: &str, _: &[&str]| Some(o.clone())));
        app.results.results = Results {
            rows: vec![row.clone()],
        };
        app.results.input = Some(input.clone());
        app.results.config_toml = "measure = \"ses-bumps\"\n".into();
        h.run();
        h.get_by_label("Export results…").click();
        h.step();
        h.state_mut().export.wait(Duration::from_secs(20));
        h.run();
        // In the export bar, and in the status bar too.
        assert!(h.query_all_by_label_contains("Results written to").count() >= 1);
        let prov: serde_json::Value = if ext == "json" {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("JSON");
            v["provenance"].clone()
        } else {
            let side = dir.path().join("results.csv.provenance.json");
            serde_json::from_slice(&std::fs::read(side).expect("sidecar")).expect("JSON")
        };
        let d = &prov["display"];
        assert_eq!(d["montage"], "Double banana", "{ext}: {prov}");
        assert_eq!(d["montage_kind"], "bipolar");
        assert_eq!(d["pairs"][0], serde_json::json!(["Fp1", "F7"]));
        assert_eq!(d["highpass_hz"].as_f64(), Some(1.0));
        assert!(d["lowpass_hz"].is_null());
        assert_eq!(d["notch_hz"].as_f64(), Some(60.0));
        assert!(d["note"]
            .as_str()
            .is_some_and(|n| n.contains("display only")));
        let p: sesame_core::analysis::Provenance =
            serde_json::from_value(prov.clone()).expect("typed provenance");
        let rec = p.display.expect("display recorded");
        assert_eq!(rec.montage_kind, MontageKind::Bipolar);
    }
}

#[test]
fn double_banana_and_filters_on_the_64_channel_recording() {
    let Some(shared) = shared_dir() else {
        eprintln!("skipping: the shared test data folder is absent");
        return;
    };
    let path = shared.join("eeg/real/S001R01.edf");
    if !path.is_file() {
        eprintln!("skipping: {} is absent", path.display());
        return;
    }
    let rec = Recording::open(&path, &sesame_core::recording::ReadOptions::default())
        .expect("the reader opens S001R01.edf");
    let mut h = app_with(rec);
    {
        let d = doc(&mut h);
        d.display.set_montage(Montage::double_banana());
        d.display.filters = DisplayFilters {
            highpass_on: true,
            highpass_hz: 0.5,
            lowpass_on: true,
            lowpass_hz: 35.0,
            notch_on: true,
            notch_hz: 60.0,
        };
        d.browser.jump_to(20.0, 61.0);
    }
    let t = std::time::Instant::now();
    let p = page(&mut h);
    let first = t.elapsed();
    // BCI2000 labels (`Fp1.`, `T7..`) carry every double-banana electrode, T3…T6 under
    // their 10-10 names T7, T8, P7, P8.
    assert_eq!(p.rows.len(), 18);
    for r in &p.rows {
        let v = r
            .values
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", r.label));
        assert_eq!(v.len(), 1600, "{}: 10 s at 160 Hz", r.label);
        assert!(v.iter().all(|x| x.is_finite()));
    }
    let t = std::time::Instant::now();
    for _ in 0..5 {
        h.step();
    }
    eprintln!(
        "S001R01, double banana + HP/LP/notch: page derived in {:.1} ms, then {:.1} ms per frame (debug build)",
        first.as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64() * 1e3 / 5.0
    );
}
