//! The time-frequency view computes the map and bumps of the selected channel's page
//! in the background, outlines the bumps where bursts were planted, shows a bump's
//! parameters on hover, and recomputes when an option changes.

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

/// Planted bursts: (centre s, frequency Hz).
const BURSTS: [(f64, f64); 3] = [(2.5, 10.0), (5.0, 20.0), (7.5, 8.0)];

/// Two channels, 10 s at 256 Hz: weak deterministic noise plus Gaussian-windowed
/// sinusoids (s.d. 0.15 s, 40 µV) at `BURSTS` on the first channel only.
fn recording() -> Recording {
    let fs = 256.0;
    let n = 2560;
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let data = Array2::from_shape_fn((2, n), |(c, s)| {
        let t = s as f64 / fs;
        let mut v = 4.0 * noise();
        if c == 0 {
            for (tc, f) in BURSTS {
                let g = (-0.5 * ((t - tc) / 0.15).powi(2)).exp();
                v += 40.0 * g * (2.0 * std::f64::consts::PI * f * t).sin();
            }
        }
        v as f32
    });
    Recording::from_samples(vec!["Cz".into(), "Pz".into()], fs, "uV", data).expect("valid")
}

fn computed(a: &SesameApp) -> bool {
    !a.tfmap.is_computing() && matches!(a.tfmap.result, Some(Ok(_)))
}

#[test]
fn the_map_outlines_the_planted_bursts_and_recomputes_on_a_new_threshold() {
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    app.add_recording("bursts", recording(), false);
    let doc = app.active_doc_mut().expect("doc");
    doc.browser.page = 10.0;
    doc.browser.t0 = 0.0;
    doc.view = View::TimeFrequency;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 700.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    h.step();
    step_until(&mut h, "map computed", computed);
    let r = match &h.state().tfmap.result {
        Some(Ok(r)) => r.clone(),
        _ => unreachable!(),
    };
    assert_eq!(r.label, "Cz");
    let n = r.bumps.len();
    assert!(n >= BURSTS.len(), "{n} bumps");
    h.get_by_label_contains(&format!("{n} bumps on Cz"));
    for (tc, f) in BURSTS {
        assert!(
            r.bumps
                .iter()
                .any(|b| ((tc - b.t) / b.dt).powi(2) + ((f - b.f) / b.df).powi(2) <= 1.0),
            "no bump ellipse holds the burst at {tc} s, {f} Hz: {:?}",
            r.bumps
        );
    }

    // Hover the strongest bump's centre: its parameters are shown.
    let (i, b) = r
        .bumps
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.amplitude.total_cmp(&b.1.amplitude))
        .expect("bumps");
    let (rect, t, f) = h.state().tfmap.plot.expect("map drawn");
    let pos = egui::pos2(
        rect.left() + ((b.t - t[0]) / (t[1] - t[0])) as f32 * rect.width(),
        rect.bottom() - ((b.f - f[0]) / (f[1] - f[0])) as f32 * rect.height(),
    );
    h.hover_at(pos);
    h.step();
    h.step();
    let hovered = h.state().tfmap.hovered.expect("a bump under the pointer");
    let hb = &r.bumps[hovered];
    assert!(
        ((hb.t - b.t) / hb.dt).powi(2) + ((hb.f - b.f) / hb.df).powi(2) <= 1.0,
        "the hovered bump {hovered} holds the pointer (aimed at {i})"
    );
    h.get_by_label_contains(&format!("time {:.3} s", hb.t));

    // A higher threshold recomputes in the background and keeps fewer bumps.
    h.state_mut().tfmap.options.min_amplitude = 0.9;
    h.step();
    assert!(h.state().tfmap.is_computing(), "a new option starts a job");
    step_until(&mut h, "map recomputed", computed);
    let m = match &h.state().tfmap.result {
        Some(Ok(r)) => r.bumps.len(),
        _ => unreachable!(),
    };
    assert!(m < n, "{m} bumps at threshold 0.9, {n} at 0.3");
    assert!(m >= 1, "the strongest burst stays");
}
