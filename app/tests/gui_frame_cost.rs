//! Frame cost of the signal browser on a 64-channel, 2-hour recording (run with
//! `cargo test -p sesame --test gui_frame_cost -- --ignored --nocapture`). It prints
//! timings and asserts only what is drawn, never a time.

use egui_kittest::Harness;
use ndarray::Array2;
use sesame::gui::app::{FilePicker, SesameApp};
use sesame::gui::pyramid::{page_trace, ChannelPyramid, Trace};
use sesame::gui::settings::Settings;
use sesame_core::recording::Recording;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct NoPicker;
impl FilePicker for NoPicker {
    fn pick_recordings(&self, _: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
}

fn long_recording(n: usize, seconds: usize) -> Recording {
    let fs = 256usize;
    let data = Array2::from_shape_fn((n, seconds * fs), |(c, s)| {
        let t = s as f32 / fs as f32;
        30.0 * (2.0 * std::f32::consts::PI * 10.0 * t + c as f32).sin()
            + ((s * 7919 + c * 104_729) % 97) as f32 * 0.2
    });
    let labels = (0..n).map(|i| format!("E{i}")).collect();
    Recording::from_samples(labels, fs as f64, "uV", data).expect("valid recording")
}

#[test]
#[ignore = "prints timings; run on demand"]
fn browser_frame_cost_on_64_channels_by_2_hours() {
    let rec = long_recording(64, 7200);
    let t = Instant::now();
    let pyramids: Vec<ChannelPyramid> = (0..64)
        .map(|i| ChannelPyramid::from_samples(&rec.read_signal(i, 0.0, 7200.0).expect("read")))
        .collect();
    println!(
        "pyramid build, 64 ch x 2 h at 256 Hz: {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    for (page, label) in [(10.0f64, "10 s"), (300.0, "5 min"), (7200.0, "2 h")] {
        let t = Instant::now();
        let reps = 20;
        for r in 0..reps {
            let t0 = (r as f64 * 37.0) % (7200.0 - page).max(1.0);
            for (i, p) in pyramids.iter().enumerate() {
                let tr = page_trace(&rec, Some(p), i, t0, t0 + page, 1500).expect("trace");
                if let Trace::Envelope { columns } = &tr {
                    assert_eq!(columns.len(), 1500);
                }
            }
        }
        let per = t.elapsed().as_secs_f64() * 1e3 / reps as f64;
        println!("traces of a {label} page, 64 ch x 1500 px: {per:.2} ms");
    }

    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    app.add_recording("long", rec, false);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    let start = Instant::now();
    while h.state().active_doc().is_some_and(|d| d.pyramid.is_none()) {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "pyramid job did not finish"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.step();
    let frames = 50;
    let t = Instant::now();
    for _ in 0..frames {
        h.key_press(egui::Key::PageDown);
        h.step();
    }
    let per = t.elapsed().as_secs_f64() * 1e3 / frames as f64;
    println!("full frame (layout + traces, no rasterisation) while paging, 64 ch: {per:.2} ms");
    let t = Instant::now();
    for _ in 0..frames {
        h.step();
    }
    let steady = t.elapsed().as_secs_f64() * 1e3 / frames as f64;
    println!("full frame, nothing changed (cached traces), 64 ch: {steady:.2} ms");
    let t = Instant::now();
    for _ in 0..10 {
        let _ = h.ctx.tessellate(h.output().shapes.clone(), 1.0);
    }
    let tess = t.elapsed().as_secs_f64() * 1e3 / 10.0;
    println!("tessellation of one frame's shapes, 64 ch: {tess:.2} ms");
    let shapes = h.output().shapes.clone();
    let (meshes, others): (Vec<_>, Vec<_>) = shapes
        .into_iter()
        .partition(|s| matches!(s.shape, egui::Shape::Mesh(_)));
    let t = Instant::now();
    let prims = h.ctx.tessellate(meshes, 1.0);
    let tm = t.elapsed().as_secs_f64() * 1e3;
    let nv: usize = prims
        .iter()
        .map(|p| match &p.primitive {
            egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
            _ => 0,
        })
        .sum();
    let t = Instant::now();
    let _ = h.ctx.tessellate(others, 1.0);
    let to = t.elapsed().as_secs_f64() * 1e3;
    println!("  of which trace meshes ({nv} vertices): {tm:.2} ms; everything else: {to:.2} ms");
    assert_eq!(h.state().active_doc().expect("doc").browser.t0, 500.0);
}
