//! Input that owns the keyboard and values that are checked: the custom-montage popup
//! stays open while its fields are typed in (and the browser's shortcuts do not see
//! the keys), the time-frequency band field takes "12" as 12 Hz, out-of-range values
//! are refused with the reason instead of clamped or applied, and PgDn pages in the
//! time-frequency view.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use ndarray::Array2;
use sesame::gui::app::{FilePicker, SesameApp};
use sesame::gui::document::View;
use sesame::gui::settings::Settings;
use sesame_core::recording::Recording;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod common;
use common::step_until;

struct NoPicker;
impl FilePicker for NoPicker {
    fn pick_recordings(&self, _: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
}

/// Four 10-20 channels, 60 s at 200 Hz (Nyquist 100 Hz), a 10-Hz rhythm plus a
/// deterministic wobble.
fn recording() -> Recording {
    let fs = 200.0;
    let n = 60 * 200;
    let data = Array2::from_shape_fn((4, n), |(c, s)| {
        let t = s as f64 / fs;
        (20.0 * (2.0 * std::f64::consts::PI * (10.0 + c as f64) * t).sin()
            + 5.0 * (1.3 * t + c as f64).sin()) as f32
    });
    let labels = ["Fz", "Cz", "Pz", "Oz"].map(String::from).to_vec();
    Recording::from_samples(labels, fs, "uV", data).expect("valid")
}

fn harness(view: View) -> Harness<'static, SesameApp> {
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    app.add_recording("four", recording(), false);
    let doc = app.active_doc_mut().expect("doc");
    doc.browser.page = 10.0;
    doc.view = view;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1300.0, 800.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    h.step();
    h.step();
    h
}

fn frames(h: &mut Harness<'_, SesameApp>, n: usize) {
    for _ in 0..n {
        h.step();
    }
}

#[test]
fn the_pairs_popup_takes_typed_text_without_changing_the_scale() {
    let mut h = harness(View::Signals);
    let scale = h.state().active_doc().expect("doc").browser.uv_per_div;
    h.get_by_label("Pairs…").click();
    frames(&mut h, 2);
    h.get_by_label("Montage name").click();
    frames(&mut h, 2);
    h.get_by_label("Montage name").type_text("Mine");
    frames(&mut h, 2);
    h.get_by_label("Bipolar pairs").click();
    frames(&mut h, 2);
    assert!(
        h.query_by_label("Bipolar pairs").is_some(),
        "the popup stays open after a click in it"
    );
    // `-` and `+` are the browser's amplitude keys, `b` and `h` mark and hide.
    h.get_by_label("Bipolar pairs")
        .type_text("Fz-Cz, Cz-Pz - + bh");
    frames(&mut h, 2);
    // The key presses behind those characters do not reach the browser either.
    for key in [
        egui::Key::Minus,
        egui::Key::Plus,
        egui::Key::B,
        egui::Key::H,
    ] {
        h.key_press(key);
        frames(&mut h, 1);
    }
    {
        let doc = h.state().active_doc().expect("doc");
        assert_eq!(doc.display.edit_name, "Mine");
        assert_eq!(doc.display.edit_pairs, "Fz-Cz, Cz-Pz - + bh");
        assert_eq!(doc.browser.uv_per_div, scale, "typing did not rescale");
        assert!(doc.channels.iter().all(|c| c.visible && !c.bad));
    }
    // Correct the text and use it: the montage is shown, the popup closes.
    h.state_mut()
        .active_doc_mut()
        .expect("doc")
        .display
        .edit_pairs = "Fz-Cz, Cz-Pz".into();
    frames(&mut h, 1);
    h.get_by_label("Use these pairs").click();
    frames(&mut h, 3);
    let doc = h.state().active_doc().expect("doc");
    assert_eq!(doc.display.montage.name, "Mine");
    assert!(h.query_by_label("Bipolar pairs").is_none(), "closed on use");
}

#[test]
fn the_band_field_takes_12_and_refuses_values_out_of_range() {
    let mut h = harness(View::TimeFrequency);
    step_until(&mut h, "map", |a| !a.tfmap.is_computing());
    // Type 12 into the upper band field, digit by digit.
    h.get_by_label("to").click();
    frames(&mut h, 2);
    h.get_by_label("to").type_text("1");
    frames(&mut h, 2);
    h.get_by_label("to").type_text("2");
    frames(&mut h, 2);
    h.key_press(egui::Key::Enter);
    frames(&mut h, 2);
    let tf = &h.state().tfmap;
    assert_eq!(tf.edit.f_max, 12.0, "typed 12");
    assert_eq!(tf.options.f_max, 12.0, "and taken");
    assert_eq!(tf.problem, None);

    // Above Nyquist (100 Hz here): refused with the reason, the map keeps 12 Hz.
    h.get_by_label("to").click();
    frames(&mut h, 2);
    h.get_by_label("to").type_text("150");
    frames(&mut h, 2);
    h.key_press(egui::Key::Enter);
    frames(&mut h, 2);
    let tf = &h.state().tfmap;
    assert_eq!(tf.edit.f_max, 150.0, "kept as typed, not clamped");
    assert_eq!(tf.options.f_max, 12.0, "not taken");
    let p = tf.problem.clone().expect("a reason");
    assert!(p.contains("half the sample rate (100 Hz)"), "{p}");
    h.get_by_label_contains("half the sample rate (100 Hz)");

    // A threshold of 5 is refused too (it is a fraction of the map maximum).
    h.state_mut().tfmap.edit.f_max = 30.0;
    h.get_by_label("Threshold").click();
    frames(&mut h, 2);
    h.get_by_label("Threshold").type_text("5");
    frames(&mut h, 2);
    h.key_press(egui::Key::Enter);
    frames(&mut h, 2);
    let tf = &h.state().tfmap;
    assert_eq!(tf.edit.min_amplitude, 5.0);
    assert!(tf.options.min_amplitude < 1.0);
    assert!(
        tf.problem
            .as_deref()
            .is_some_and(|p| p.contains("threshold 5")),
        "{:?}",
        tf.problem
    );
}

#[test]
fn page_down_pages_in_the_time_frequency_view() {
    let mut h = harness(View::TimeFrequency);
    assert_eq!(h.state().active_doc().expect("doc").browser.t0, 0.0);
    h.key_press(egui::Key::PageDown);
    frames(&mut h, 2);
    assert_eq!(h.state().active_doc().expect("doc").browser.t0, 10.0);
    h.key_press(egui::Key::PageUp);
    frames(&mut h, 2);
    assert_eq!(h.state().active_doc().expect("doc").browser.t0, 0.0);
    h.key_press(egui::Key::End);
    frames(&mut h, 2);
    assert_eq!(h.state().active_doc().expect("doc").browser.t0, 50.0);
    step_until(&mut h, "map", |a| !a.tfmap.is_computing());
}

#[test]
fn analysis_values_out_of_range_are_refused_with_the_reason() {
    let mut h = harness(View::Analysis);
    h.get_by_label_contains("Run analyses 4 channels (Fz, Cz, Pz, Oz)");
    h.state_mut().analysis.config.bumps.min_amplitude = 5.0;
    frames(&mut h, 2);
    h.get_by_label_contains("Cannot run: bump threshold 5");
    h.state_mut().analysis.config.bumps.min_amplitude = 0.4;
    h.state_mut().analysis.config.bumps.f_max = 120.0;
    frames(&mut h, 2);
    h.get_by_label_contains("at or above half the sample rate (100 Hz)");
    h.get_by_label("Run").click();
    frames(&mut h, 2);
    assert!(h.state().analysis.job.is_none(), "nothing runs");
    assert!(h
        .state()
        .analysis
        .error
        .as_deref()
        .is_some_and(|e| e.contains("half the sample rate")));
}

#[test]
fn a_display_low_pass_above_nyquist_is_refused_and_the_traces_stay() {
    let mut h = harness(View::Signals);
    // A cut-off kept while the filter is off; switching it on is refused.
    h.state_mut()
        .active_doc_mut()
        .expect("doc")
        .display
        .filters
        .lowpass_hz = 150.0;
    frames(&mut h, 1);
    h.get_by_label("LP").click();
    frames(&mut h, 2);
    let d = &h.state().active_doc().expect("doc").display;
    assert!(!d.filters.lowpass_on, "not applied");
    let p = d.filter_problem.clone().expect("a reason");
    assert!(p.contains("low-pass cut-off 150 Hz"), "{p}");
    h.get_by_label_contains("the traces keep the filters in use");
}
