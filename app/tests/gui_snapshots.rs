//! Rendered snapshots of the main views on the bundled sample: the signal browser, the
//! time-frequency map with its bumps, the analysis view, and, after an analysis run to
//! completion, the results matrix and the aligned bumps of the most synchronous pair.
//!
//! Compiled only with the `snapshots` feature (`cargo test --workspace --features
//! sesame/snapshots`). The images are drawn by wgpu on a software rasterizer (Mesa
//! lavapipe, Debian package `mesa-vulkan-drivers`) and compared with the PNGs in
//! `app/tests/snapshots/` at the tolerances of `kittest.toml`. `UPDATE_SNAPSHOTS=true`
//! rewrites the images that differ. When no wgpu adapter can be created (no Vulkan or
//! GL driver), or the only one is a hardware GPU whose pixels would not match the
//! reference images, each test prints why and passes without comparing.
//!
//! With `SESAME_SCREENSHOT_DIR=<folder>` every view is also rendered at 1400×900 and
//! saved there as `gui-<view>.png` (the documentation's screenshots).
#![cfg(feature = "snapshots")]

use egui_kittest::Harness;
use sesame::gui::app::{FilePicker, SesameApp};
use sesame::gui::document::View;
use sesame::gui::results::ResultsTab;
use sesame::gui::settings::{Settings, ThemeChoice};
use sesame_core::recording::{ReadOptions, Recording};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

mod common;
use common::{sample, step_until};

/// Size of the compared images, points (one pixel per point).
const SIZE: egui::Vec2 = egui::vec2(900.0, 600.0);
/// Size of the documentation screenshots, points.
const DOC_SIZE: egui::Vec2 = egui::vec2(1400.0, 900.0);

struct NoPicker;
impl FilePicker for NoPicker {
    fn pick_recordings(&self, _: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
}

/// Whether a software wgpu adapter renders here; `Err` says why not. Probed once per
/// test binary.
fn renderer() -> Result<(), String> {
    static PROBE: OnceLock<Result<String, String>> = OnceLock::new();
    let probe = PROBE.get_or_init(|| {
        // Creating the render state panics when no adapter is found: keep that panic's
        // message as the reason, without the default hook printing it as a failure.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let made = std::panic::catch_unwind(|| {
            let state = egui_kittest::wgpu::create_render_state(
                egui_kittest::wgpu::default_wgpu_setup(),
                Default::default(),
            );
            let info = state.adapter.get_info();
            (
                format!("{:?}", info.device_type),
                format!(
                    "{:?} {:?} \"{}\"",
                    info.backend, info.device_type, info.name
                ),
            )
        });
        std::panic::set_hook(hook);
        match made {
            Ok((kind, desc)) if kind == "Cpu" => Ok(desc),
            Ok((_, desc)) => Err(format!(
                "the only wgpu adapter is {desc}, not a software rasterizer; the reference \
                 images are drawn by Mesa lavapipe (install mesa-vulkan-drivers)"
            )),
            Err(payload) => {
                let why = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown error".into());
                Err(format!(
                    "no wgpu adapter ({why}); install mesa-vulkan-drivers and libvulkan1"
                ))
            }
        }
    });
    match probe {
        Ok(desc) => {
            eprintln!("snapshots rendered with {desc}");
            Ok(())
        }
        Err(why) => Err(why.clone()),
    }
}

/// The app in the dark theme with the sample open (its overview built), drawn by wgpu
/// at `SIZE` and one pixel per point.
fn app_on_sample() -> Harness<'static, SesameApp> {
    let settings = Settings {
        theme: ThemeChoice::Dark,
        ..Settings::default()
    };
    let mut app = SesameApp::new(settings, Arc::new(NoPicker));
    let rec = Recording::open(&sample(), &ReadOptions::default()).expect("the bundled sample");
    app.add_recording("sesame-sample.edf", rec, false);
    let mut h = Harness::builder()
        .with_size(SIZE)
        .with_pixels_per_point(1.0)
        .with_theme(egui::Theme::Dark)
        .wgpu()
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    step_until(&mut h, "overview built", |a| {
        a.jobs.running().is_empty() && a.docs.iter().all(|d| d.pyramid.is_some())
    });
    h
}

/// Compares the current frame with `<name>.png`, and saves a documentation screenshot
/// `gui-<name>.png` when `SESAME_SCREENSHOT_DIR` is set.
fn snapshot(h: &mut Harness<'_, SesameApp>, name: &str) {
    // A few frames so that layouts measured in one frame settle in the next.
    for _ in 0..3 {
        h.step();
    }
    h.snapshot(name);
    if let Some(dir) = std::env::var_os("SESAME_SCREENSHOT_DIR") {
        h.set_size(DOC_SIZE);
        for _ in 0..3 {
            h.step();
        }
        let image = h.render().expect("rendered");
        let path = Path::new(&dir).join(format!("gui-{name}.png"));
        image.save(&path).expect("screenshot written");
        eprintln!("wrote {}", path.display());
        h.set_size(SIZE);
        for _ in 0..3 {
            h.step();
        }
    }
}

#[test]
fn the_signal_browser_on_the_sample() {
    if let Err(why) = renderer() {
        eprintln!("skipped: {why}");
        return;
    }
    let mut h = app_on_sample();
    assert_eq!(h.state().active_doc().expect("doc").view, View::Signals);
    snapshot(&mut h, "main");
    // Documentation: a crosshair measurement on the second channel.
    if let Some(dir) = std::env::var_os("SESAME_SCREENSHOT_DIR") {
        h.set_size(DOC_SIZE);
        h.state_mut().active_doc_mut().expect("doc").browser.measure =
            Some(sesame::gui::document::Measurement {
                row: 1,
                a: (2.0, -20.0),
                b: (2.4, 35.0),
            });
        for _ in 0..3 {
            h.step();
        }
        save_render(&mut h, Path::new(&dir), "measure");
    }
}

#[test]
fn the_time_frequency_map_of_the_first_channel() {
    if let Err(why) = renderer() {
        eprintln!("skipped: {why}");
        return;
    }
    let mut h = app_on_sample();
    h.state_mut().active_doc_mut().expect("doc").view = View::TimeFrequency;
    h.step();
    step_until(&mut h, "map computed", |a| {
        !a.tfmap.is_computing() && a.tfmap.result.is_some()
    });
    match &h.state().tfmap.result {
        Some(Ok(r)) => assert!(!r.bumps.is_empty(), "bumps on the first page"),
        other => panic!(
            "time-frequency map failed: {:?}",
            other.as_ref().map(|r| r.as_ref().err())
        ),
    }
    snapshot(&mut h, "tfmap");
}

#[test]
fn the_analysis_view_then_the_matrix_and_the_aligned_bumps() {
    if let Err(why) = renderer() {
        eprintln!("skipped: {why}");
        return;
    }
    let mut h = app_on_sample();
    {
        let app = h.state_mut();
        let doc = app.active_doc_mut().expect("doc");
        let rec = doc.recording.clone();
        let keep = ["F3", "Fz", "C3", "O1", "O2"];
        for c in &mut doc.channels {
            let label = rec.signals()[c.signal].label.trim().to_string();
            c.visible = keep.iter().any(|k| k.eq_ignore_ascii_case(&label));
        }
        doc.view = View::Analysis;
        app.analysis.channel_source = sesame::gui::analysis::ChannelSource::Shown;
        app.analysis.from_text = "0".into();
        app.analysis.to_text = "40".into();
    }
    h.step();
    snapshot(&mut h, "analysis");
    {
        use egui_kittest::kittest::Queryable;
        h.get_by_label("Run").click();
    }
    h.step();
    h.step();
    assert!(
        h.state().analysis.job.is_some(),
        "Run starts a job ({:?})",
        h.state().analysis.error
    );
    step_until(&mut h, "analysis finished", |a| a.analysis.job.is_none());
    assert_eq!(h.state().analysis.error, None);
    assert_eq!(h.state().active_doc().expect("doc").view, View::Results);

    h.state_mut().results.tab = ResultsTab::Matrix;
    h.step();
    snapshot(&mut h, "matrix");

    h.state_mut().active_doc_mut().expect("doc").view = View::Aligned;
    h.step();
    step_until(&mut h, "alignment computed", |a| {
        !a.aligned.is_computing() && a.aligned.outcome.is_some()
    });
    assert!(
        matches!(h.state().aligned.outcome, Some(Ok(_))),
        "alignment failed: {:?}",
        h.state().aligned.outcome.as_ref().map(|r| r.as_ref().err())
    );
    snapshot(&mut h, "aligned");
    // Documentation: the pair picker open on the second channel of the pair.
    if let Some(dir) = std::env::var_os("SESAME_SCREENSHOT_DIR") {
        use egui_kittest::kittest::Queryable;
        h.set_size(DOC_SIZE);
        for _ in 0..3 {
            h.step();
        }
        if let Some(combo) = h.get_all_by_role(egui::accesskit::Role::ComboBox).nth(1) {
            combo.click();
        }
        for _ in 0..3 {
            h.step();
        }
        save_render(&mut h, Path::new(&dir), "pair-picker");
    }
}

/// Documentation screenshots of the gap display, clock time and a region scalp map,
/// rendered only when `SESAME_SCREENSHOT_DIR` is set (nothing is compared).
#[test]
fn documentation_screenshots_of_gaps_clock_time_and_regions() {
    let Some(dir) = std::env::var_os("SESAME_SCREENSHOT_DIR") else {
        return;
    };
    if let Err(why) = renderer() {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = PathBuf::from(dir);
    // Gaps: an EDF+D file of eleven 1-s records with five gaps, one annotation after
    // a gap; then the same page in clock time.
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("gaps.edf");
    common::write_edf_plus_d(
        &path,
        &[0.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 12.0, 15.0, 19.0],
        &[(4.5, "eyes closed"), (15.25, "after a long gap")],
    );
    let settings = Settings {
        theme: ThemeChoice::Dark,
        ..Settings::default()
    };
    let mut app = SesameApp::new(settings, Arc::new(NoPicker));
    app.commands.push(sesame::gui::app::Command::Open {
        path,
        lenient: false,
    });
    let mut h = Harness::builder()
        .with_size(DOC_SIZE)
        .with_pixels_per_point(1.0)
        .with_theme(egui::Theme::Dark)
        .wgpu()
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    step_until(&mut h, "file opened", |a| {
        !a.docs.is_empty() && a.jobs.running().is_empty()
    });
    h.state_mut().active_doc_mut().expect("doc").browser.page = 15.0;
    for _ in 0..4 {
        h.step();
    }
    save_render(&mut h, &dir, "gaps");
    h.state_mut().active_doc_mut().expect("doc").browser.clock = true;
    for _ in 0..4 {
        h.step();
    }
    save_render(&mut h, &dir, "clock");

    // A region scalp map: region × region results at the regions' centroids.
    use sesame::gui::results::ResultsState;
    use sesame_core::analysis::{Results, Row};
    let row = |a: &str, b: &str, v: f64| Row {
        recording: "sample".into(),
        channel_a: a.into(),
        channel_b: b.into(),
        measure: "ses-bumps".into(),
        parameter: "rho".into(),
        value: v,
        unit: String::new(),
        n_events: None,
        certified: None,
    };
    let regions = [
        "frontal",
        "left temporal",
        "central",
        "right temporal",
        "posterior",
    ];
    let mut rows = Vec::new();
    for (i, a) in regions.iter().enumerate() {
        for (j, b) in regions.iter().enumerate().skip(i + 1) {
            rows.push(row(a, b, 0.15 + 0.1 * ((i * 3 + j * 7) % 8) as f64));
        }
    }
    let state = ResultsState {
        results: Results { rows },
        tab: ResultsTab::Scalp,
        ..Default::default()
    };
    render_results(state, egui::vec2(590.0, 640.0), &dir, "scalp-regions");

    // Significance: coherence of 19 channels with the surrogate test's q; the matrix
    // hides the pairs with q > 0.05 and says how many remain.
    let channels = [
        "Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4", "T5", "P3", "Pz",
        "P4", "T6", "O1", "O2",
    ];
    let mut rows = Vec::new();
    for (i, a) in channels.iter().enumerate() {
        for (j, b) in channels.iter().enumerate().skip(i + 1) {
            // Neighbours couple strongly; far pairs are at chance.
            let near = (i as f64 - j as f64).abs() <= 3.0;
            let h = ((i * 7 + j * 13) % 17) as f64 / 17.0;
            let v = if near { 0.55 + 0.3 * h } else { 0.2 + 0.2 * h };
            let q = if near {
                0.004 + 0.03 * h
            } else {
                0.2 + 0.6 * h
            };
            let mut r = row(a, b, v);
            r.measure = "coh".into();
            r.parameter = "coh".into();
            let mut rq = r.clone();
            rq.parameter = "coh.q".into();
            rq.value = q;
            let mut rp = rq.clone();
            rp.parameter = "coh.p".into();
            rp.value = q / 3.0;
            rows.extend([r, rp, rq]);
        }
    }
    let mut state = ResultsState {
        results: Results { rows },
        tab: ResultsTab::Matrix,
        ..Default::default()
    };
    state.maps.hide_not_significant = true;
    render_results(state, egui::vec2(760.0, 700.0), &dir, "significance");
}

/// Renders the Results view of `state` at `size` and saves it as `<dir>/gui-<name>.png`.
fn render_results(
    state: sesame::gui::results::ResultsState,
    size: egui::Vec2,
    dir: &Path,
    name: &str,
) {
    let mut h = Harness::builder()
        .with_size(size)
        .with_pixels_per_point(1.0)
        .with_theme(egui::Theme::Dark)
        .wgpu()
        .build_ui_state(
            |ui, s: &mut sesame::gui::results::ResultsState| {
                sesame::gui::command::ui_alone(s, ui);
            },
            state,
        );
    for _ in 0..4 {
        h.step();
    }
    save_render(&mut h, dir, name);
}

/// Renders the harness and saves it as `<dir>/gui-<name>.png`.
fn save_render<S>(h: &mut Harness<'_, S>, dir: &Path, name: &str) {
    let image = h.render().expect("rendered");
    let path = dir.join(format!("gui-{name}.png"));
    image.save(&path).expect("screenshot written");
    eprintln!("wrote {}", path.display());
}
