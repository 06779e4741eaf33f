//! Export writes files that parse back and carry provenance; the figure is cropped to
//! its panel and encoded as a PNG that decodes to the same pixels.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use sesame::gui::export::{self, ExportState, SavePicker};
use sesame_core::analysis::{Provenance, Results, Row};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn results() -> Results {
    let row = |a: &str, b: &str, v: f64| Row {
        recording: "rec".into(),
        channel_a: a.into(),
        channel_b: b.into(),
        measure: "ses-bumps".into(),
        parameter: "rho".into(),
        value: v,
        unit: String::new(),
        n_events: Some(12),
        certified: Some(true),
    };
    Results {
        rows: vec![row("Fp1", "Fp2", 0.25), row("O1", "O2", 0.5)],
    }
}

fn fixed(p: Option<PathBuf>) -> SavePicker {
    Arc::new(move |_: &str, _: &[&str]| p.clone())
}

struct Ui {
    export: ExportState,
    results: Results,
    input: PathBuf,
}

fn harness(export: ExportState, input: PathBuf) -> Harness<'static, Ui> {
    Harness::builder()
        .with_size(egui::vec2(700.0, 100.0))
        .build_ui_state(
            |ui, s: &mut Ui| {
                export::bar(
                    ui,
                    &mut s.export,
                    export::ExportSource {
                        results: &s.results,
                        input: Some(s.input.as_path()),
                        config_toml: "measure = \"ses-bumps\"\n",
                        figure: None,
                    },
                )
            },
            Ui {
                export,
                results: results(),
                input,
            },
        )
}

#[test]
fn export_button_writes_json_with_provenance() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("rec.edf");
    std::fs::write(&input, b"not really EDF, but hashed all the same").expect("write input");
    let out = dir.path().join("results.json");
    let mut h = harness(
        ExportState::with_picker(fixed(Some(out.clone()))),
        input.clone(),
    );
    h.run();
    h.get_by_label("Export results…").click();
    h.step(); // a spinner shows while the export runs
    h.state_mut().export.wait(Duration::from_secs(20));
    h.run();
    h.get_by_label_contains("Results written to");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("file written")).expect("JSON");
    let rows = doc["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["value"].as_f64(), Some(0.5));
    let prov: Provenance = serde_json::from_value(doc["provenance"].clone()).expect("provenance");
    assert_eq!(prov.config, "measure = \"ses-bumps\"\n");
    let expected = Provenance::new(Some(&input), &prov.config).expect("hash input");
    assert_eq!(prov.input_sha256, expected.input_sha256);
    assert_eq!(prov.input_sha256.len(), 64);
}

#[test]
fn csv_export_parses_and_has_a_provenance_sidecar() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("results.csv");
    let prov = Provenance::new(None, "x = 1\n").expect("no input");
    export::save_results(&out, &results(), &prov).expect("written");
    let mut rd = csv::Reader::from_path(&out).expect("CSV");
    let headers = rd.headers().expect("header").clone();
    let vi = headers
        .iter()
        .position(|h| h == "value")
        .expect("value column");
    let values: Vec<f64> = rd
        .records()
        .map(|r| r.expect("record")[vi].parse().expect("number"))
        .collect();
    assert_eq!(values, vec![0.25, 0.5]);
    let side = dir.path().join("results.csv.provenance.json");
    let p: Provenance =
        serde_json::from_slice(&std::fs::read(side).expect("sidecar")).expect("JSON");
    assert_eq!(p, prov);
}

#[test]
fn cancelled_dialog_writes_nothing_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = harness(
        ExportState::with_picker(fixed(None)),
        dir.path().join("none.edf"),
    );
    h.run();
    h.get_by_label("Export results…").click();
    h.step(); // a spinner shows while the export runs
    h.state_mut().export.wait(Duration::from_secs(20));
    h.run();
    h.get_by_label("Export cancelled");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn unwritable_path_reports_the_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("no-such-dir").join("r.json");
    let mut s = ExportState::with_picker(fixed(Some(bad)));
    s.export_results(results(), None, String::new(), || {});
    s.wait(Duration::from_secs(20));
    let msg = s.status.clone().unwrap_or_default();
    assert!(
        msg.starts_with("Export failed") && msg.contains("no-such-dir"),
        "{msg}"
    );
}

#[test]
fn figure_is_cropped_to_its_panel_and_round_trips_as_png() {
    // 40 × 20 pixels at 2 pixels per point; the panel is points (5, 2)–(15, 8).
    let (w, h) = (40usize, 20usize);
    let pixels: Vec<egui::Color32> = (0..w * h)
        .map(|k| egui::Color32::from_rgb((k % w) as u8, (k / w) as u8, 7))
        .collect();
    let img = egui::ColorImage::new([w, h], pixels);
    let rect = egui::Rect::from_min_max(egui::pos2(5.0, 2.0), egui::pos2(15.0, 8.0));
    let c = export::crop(&img, rect, 2.0);
    assert_eq!(c.size, [20, 12]);
    assert_eq!(
        c.pixels[0],
        egui::Color32::from_rgb(10, 4, 7),
        "top-left of the panel"
    );
    // A panel reaching past the image is clamped.
    let past = export::crop(
        &img,
        egui::Rect::from_min_max(egui::pos2(15.0, 5.0), egui::pos2(99.0, 99.0)),
        2.0,
    );
    assert_eq!(past.size, [10, 10]);

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fig.png");
    export::write_png(&path, &c).expect("written");
    let dec = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&path).expect("open"),
    ));
    let mut reader = dec.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!((info.width, info.height), (20, 12));
    let back: Vec<u8> = c.pixels.iter().flat_map(|p| p.to_array()).collect();
    assert_eq!(&buf[..info.buffer_size()], &back[..]);
    assert!(export::write_png(
        &dir.path().join("e.png"),
        &egui::ColorImage::new([0, 0], vec![])
    )
    .is_err());
}

/// The saved figure is the one `sesame plot` draws, whatever the window's theme: a
/// white background and a title naming the measure and output; with "hide" on it
/// holds only the pairs that pass the test.
#[test]
fn the_saved_figure_is_light_and_titled_and_keeps_only_significant_pairs() {
    let row = |a: &str, b: &str, p: &str, v: f64| Row {
        recording: "r".into(),
        channel_a: a.into(),
        channel_b: b.into(),
        measure: "ses-bumps".into(),
        parameter: p.into(),
        value: v,
        unit: String::new(),
        n_events: None,
        certified: None,
    };
    let results = Results {
        rows: vec![
            row("Fp1", "Fp2", "rho", 0.2),
            row("Fp1", "Fp2", "rho.q", 0.01),
            row("Fp1", "O1", "rho", 0.6),
            row("Fp1", "O1", "rho.q", 0.3),
            row("Fp2", "O1", "rho", 0.4),
            row("Fp2", "O1", "rho.q", 0.04),
        ],
    };
    let mut choice = export::FigureChoice {
        scalp: false,
        measure: "ses-bumps".into(),
        parameter: "rho".into(),
        selection: sesame::plot::scalp::Selection::Threshold(1.0),
        strong: sesame::plot::scalp::Strong::Low,
        significant: None,
    };
    assert_eq!(export::figure_rows(&results, &choice).len(), 3);
    choice.significant = Some(("rho.q".into(), 0.05));
    let kept: Vec<(String, String)> = export::figure_rows(&results, &choice)
        .into_iter()
        .map(|r| (r.channel_a, r.channel_b))
        .collect();
    assert_eq!(
        kept,
        [("Fp1", "Fp2"), ("Fp2", "O1")].map(|(a, b)| (a.to_string(), b.to_string()))
    );

    let dir = tempfile::tempdir().expect("temp dir");
    for scalp in [false, true] {
        choice.scalp = scalp;
        let svg = dir.path().join(format!("fig-{scalp}.svg"));
        export::save_figure(&svg, &results, &choice).expect("SVG written");
        let text = std::fs::read_to_string(&svg).expect("read");
        assert!(
            text.contains("ses-bumps ρ"),
            "title names measure and output"
        );
        // Through the export (a worker thread), as PNG: a white corner.
        let png_path = dir.path().join(format!("fig-{scalp}.png"));
        let mut state = ExportState::with_picker(fixed(None));
        state.export_figure_to(
            Some(png_path.clone()),
            results.clone(),
            choice.clone(),
            || {},
        );
        state.wait(Duration::from_secs(30));
        let status = state.status.clone().unwrap_or_default();
        assert!(status.starts_with("Figure written to"), "{status}");
        let dec = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(&png_path).expect("open"),
        ));
        let mut reader = dec.read_info().expect("PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        reader.next_frame(&mut buf).expect("PNG data");
        assert_eq!(&buf[..3], &[255, 255, 255], "light background");
    }
}
