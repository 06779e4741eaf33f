//! Interaction tests of the desktop application with egui_kittest (no renderer, no
//! window): the app is driven frame by frame through `SesameApp::frame`.

use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use ndarray::Array2;
use sesame::gui::app::{Command, FilePicker, SesameApp};
use sesame::gui::document::View;
use sesame::gui::settings::Settings;
use sesame_core::recording::{Annotation, Recording};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::{shared_dir, step_until};

/// A picker that answers with fixed paths (native dialogs cannot be driven).
struct FixedPicker(Vec<PathBuf>);

impl FilePicker for FixedPicker {
    fn pick_recordings(&self, _start: Option<&Path>) -> Vec<PathBuf> {
        self.0.clone()
    }
}

/// `n` channels of `seconds` s at 256 Hz: alpha-like sines with a channel-dependent
/// phase, plus two annotations.
fn synthetic(n: usize, seconds: usize) -> Recording {
    let fs = 256.0;
    let ns = seconds * 256;
    let labels: Vec<String> = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2"]
        .iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(i, l)| {
            if i < 10 {
                l.to_string()
            } else {
                format!("{l}-{i}")
            }
        })
        .collect();
    let data = Array2::from_shape_fn((n, ns), |(c, s)| {
        let t = s as f32 / fs as f32;
        30.0 * (2.0 * std::f32::consts::PI * (10.0 * t + c as f32 * 0.1)).sin() + 5.0 * c as f32
    });
    Recording::from_samples(labels, fs, "uV", data)
        .expect("valid synthetic recording")
        .with_annotations(vec![
            Annotation {
                onset: 30.0,
                duration: Some(5.0),
                text: "eyes closed".into(),
            },
            Annotation {
                onset: 95.0,
                duration: None,
                text: "marker".into(),
            },
        ])
}

fn harness(app: SesameApp) -> Harness<'static, SesameApp> {
    Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app)
}

/// The app on a synthetic recording of `n` channels and `seconds` s, two frames drawn.
fn on_synthetic(n: usize, seconds: usize) -> Harness<'static, SesameApp> {
    let mut app = new_app();
    app.add_recording("synthetic", synthetic(n, seconds), false);
    let mut h = harness(app);
    h.step();
    h.step();
    h
}

fn new_app() -> SesameApp {
    SesameApp::new(Settings::default(), Arc::new(FixedPicker(Vec::new())))
}

fn garbage_file() -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new()
        .suffix(".edf")
        .tempfile()
        .expect("temp file");
    f.write_all(b"<html><body>this is not an EDF file</body></html>")
        .expect("write");
    f
}

#[test]
fn starts_on_a_synthetic_recording_and_pages() {
    let mut app = new_app();
    app.add_recording("synthetic", synthetic(8, 120), false);
    let mut h = harness(app);
    step_until(&mut h, "pyramid built", |a| {
        a.active_doc().is_some_and(|d| d.pyramid.is_some())
    });
    h.get_by_label("Fp1");
    h.get_by_label_contains("0:00.0 – 0:10.0 of 2:00.0");

    h.key_press(egui::Key::PageDown);
    h.step();
    assert_eq!(h.state().active_doc().expect("doc").browser.t0, 10.0);
    h.get_by_label_contains("0:10.0 – 0:20.0");

    h.key_press(egui::Key::ArrowRight);
    h.step();
    assert!((h.state().active_doc().expect("doc").browser.t0 - 11.0).abs() < 1e-9);

    h.key_press(egui::Key::PageUp);
    h.key_press(egui::Key::PageUp);
    h.step();
    assert_eq!(
        h.state().active_doc().expect("doc").browser.t0,
        0.0,
        "paging stops at the start"
    );

    h.key_press(egui::Key::End);
    h.step();
    assert_eq!(
        h.state().active_doc().expect("doc").browser.t0,
        110.0,
        "last page ends at 2:00"
    );

    // The toolbar's buttons do the same as the keys.
    h.get_by_label("<<").click();
    h.step();
    assert_eq!(h.state().active_doc().expect("doc").browser.t0, 100.0);
}

#[test]
fn zooming_changes_the_visible_window() {
    let mut app = new_app();
    app.add_recording("synthetic", synthetic(4, 120), false);
    let mut h = harness(app);
    h.step();
    let page = |h: &Harness<'_, SesameApp>| h.state().active_doc().expect("doc").browser.page;
    assert_eq!(page(&h), 10.0);

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Minus);
    h.step();
    assert_eq!(page(&h), 20.0, "Ctrl+- doubles the page");

    // Ctrl+wheel over the traces zooms around the pointer.
    h.hover_at(egui::pos2(800.0, 300.0));
    h.step();
    h.event_modifiers(
        egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, 3.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::COMMAND,
        },
        egui::Modifiers::COMMAND,
    );
    h.step();
    let p = page(&h);
    assert!(p < 20.0, "Ctrl+wheel up zooms in (page {p} s)");

    // Typing a time jumps there.
    let doc_id = h.state().active.expect("active");
    h.state_mut().doc_mut(doc_id).expect("doc").browser.page = 10.0;
    h.get_by_role(egui::accesskit::Role::TextInput).focus();
    h.step();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("1:05");
    h.step();
    h.get_by_label("Go").click();
    h.step();
    assert_eq!(h.state().active_doc().expect("doc").browser.t0, 65.0);
}

#[test]
fn a_failing_open_shows_the_error_panel_and_the_app_stays_alive() {
    let bad = garbage_file();
    let mut h = harness(new_app());
    h.state_mut().commands.push(Command::Open {
        path: bad.path().to_path_buf(),
        lenient: false,
    });
    step_until(&mut h, "open failure", |a| !a.failures.is_empty());
    let name = bad
        .path()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    h.get_by_label_contains(&format!("Could not open {name}"));
    assert!(!h.state().failures[0].message.is_empty());
    assert!(h.state().docs.is_empty());

    // Lenient reading is offered; garbage cannot be repaired either.
    h.get_by_label("Open leniently").click();
    step_until(&mut h, "lenient failure", |a| {
        a.failures.iter().any(|f| f.lenient)
    });
    assert!(
        h.query_by_label("Open leniently").is_none(),
        "not offered twice"
    );
    h.get_by_label("Dismiss").click();
    h.step();
    h.step();
    assert!(h.state().failures.is_empty());

    // Still alive: a good recording opens in a tab afterwards.
    h.state_mut()
        .add_recording("synthetic", synthetic(3, 20), false);
    h.step();
    h.get_by_label("Fp1");
}

#[test]
fn ctrl_o_runs_the_file_dialog_off_the_frame_loop() {
    let missing = PathBuf::from("/nonexistent/dir/recording.edf");
    let app = SesameApp::new(
        Settings::default(),
        Arc::new(FixedPicker(vec![missing.clone()])),
    );
    let mut h = harness(app);
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    step_until(&mut h, "dialog answer read", |a| {
        a.failures.iter().any(|f| f.path == missing)
    });
}

#[test]
fn a_background_job_can_be_cancelled_from_the_status_bar() {
    let mut h = harness(new_app());
    let id = h.state_mut().spawn_job("Wait for cancel", |ctx| loop {
        ctx.progress(0.5, "waiting");
        ctx.check_cancelled()?;
        std::thread::sleep(Duration::from_millis(2));
    });
    h.step();
    std::thread::sleep(Duration::from_millis(30));
    h.step();
    assert!(
        h.state().jobs.is_running(id),
        "the job runs until cancelled"
    );
    h.get_by_label("Cancel").click();
    step_until(&mut h, "job cancelled", |a| !a.jobs.is_running(id));
    assert!(
        h.state().status.contains("cancelled"),
        "status: {}",
        h.state().status
    );
}

#[test]
fn info_lists_signals_and_an_annotation_click_jumps_the_browser() {
    let mut app = new_app();
    app.add_recording("synthetic", synthetic(6, 120), false);
    let mut h = harness(app);
    h.step();
    h.get_by_label("Info").click();
    h.step();
    assert_eq!(h.state().active_doc().expect("doc").view, View::Info);
    // The label and its electrode name are both "C4".
    assert!(h.query_all_by_label("C4").count() >= 1, "signal C4 listed");
    h.get_by_label("eyes closed").click();
    h.step();
    h.step();
    let doc = h.state().active_doc().expect("doc");
    assert_eq!(doc.view, View::Signals);
    assert!(
        (doc.browser.t0 - 25.0).abs() < 1e-9,
        "30 s centred on a 10 s page: t0 = {}",
        doc.browser.t0
    );
}

#[test]
fn several_recordings_open_in_tabs_and_close() {
    let mut app = new_app();
    let a = app.add_recording("first.edf", synthetic(2, 30), false);
    let b = app.add_recording("second.edf", synthetic(3, 30), false);
    let mut h = harness(app);
    h.step();
    assert_eq!(h.state().active, Some(b));
    h.get_by_label("first.edf").click();
    h.step();
    h.step();
    assert_eq!(h.state().active, Some(a));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::W);
    h.step();
    h.step();
    assert_eq!(h.state().docs.len(), 1);
    assert_eq!(h.state().active, Some(b));
}

#[test]
fn channels_can_be_hidden_marked_bad_and_reordered() {
    let mut app = new_app();
    app.add_recording("synthetic", synthetic(4, 30), false);
    let mut h = harness(app);
    h.step();
    // Select Fp2 with the keyboard, mark it bad, hide it.
    h.key_press(egui::Key::ArrowDown);
    h.key_press(egui::Key::ArrowDown);
    h.step();
    assert_eq!(
        h.state().active_doc().expect("doc").browser.selected,
        Some(1)
    );
    h.key_press(egui::Key::B);
    h.step();
    assert!(h.state().active_doc().expect("doc").channels[1].bad);
    h.key_press(egui::Key::H);
    h.step();
    let doc = h.state().active_doc().expect("doc");
    assert_eq!(
        doc.visible_channels().map(|c| c.signal).collect::<Vec<_>>(),
        vec![0, 2, 3]
    );
    // The first "v" is Fp1's (channels are listed in display order).
    h.get_all_by_label("v")
        .next()
        .expect("a move-down button")
        .click();
    h.step();
    let doc = h.state().active_doc().expect("doc");
    assert_eq!(
        doc.channels.iter().map(|c| c.signal).collect::<Vec<_>>(),
        vec![1, 0, 2, 3]
    );
}

#[test]
fn question_mark_shows_the_shortcuts() {
    let mut h = harness(new_app());
    h.step();
    h.event(egui::Event::Text("?".into()));
    h.step();
    assert!(h.state().show_help);
    // A new window is laid out invisibly on its first frame.
    h.step();
    h.get_by_label("Next / previous page (browser and time-frequency map)");
    h.key_press(egui::Key::Escape);
    h.step();
    assert!(!h.state().show_help);
}

/// A dropped file as eframe delivers it (only the path is used).
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropped_files_are_opened() {
    let bad = garbage_file();
    let mut h = harness(new_app());
    h.step();
    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(bad.path().to_path_buf())));
    step_until(&mut h, "dropped file read", |a| {
        a.failures.iter().any(|f| f.path == bad.path())
    });
}

/// eframe storage in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn settings_survive_a_restart() {
    let mut app = new_app();
    app.add_recording("synthetic", synthetic(2, 60), false);
    let mut h = harness(app);
    h.step();
    // The user raises the gain and lengthens the page; a file was opened earlier.
    h.key_press(egui::Key::Plus);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Minus);
    h.step();
    h.state_mut()
        .settings
        .note_opened(Path::new("/data/sub-01_eeg.edf"));
    h.state_mut().settings.theme = sesame::gui::settings::ThemeChoice::Dark;
    let mut storage = MemoryStorage::default();
    eframe::App::save(h.state_mut(), &mut storage);

    let restored: Settings = eframe::get_value(&storage, eframe::APP_KEY).expect("settings stored");
    assert_eq!(restored.uv_per_div, 70.0);
    assert_eq!(restored.page_seconds, 20.0);
    assert_eq!(restored.recent, vec![PathBuf::from("/data/sub-01_eeg.edf")]);
    assert_eq!(restored.last_dir, Some(PathBuf::from("/data")));
    assert_eq!(restored.theme, sesame::gui::settings::ThemeChoice::Dark);
    // A new app starts from them.
    let mut app2 = SesameApp::new(restored, Arc::new(FixedPicker(Vec::new())));
    app2.add_recording("again", synthetic(2, 60), false);
    let b = &app2.active_doc().expect("doc").browser;
    assert_eq!((b.uv_per_div, b.page), (70.0, 20.0));
}

#[test]
fn several_failures_are_listed_and_dismissed_one_by_one() {
    let (a, b) = (garbage_file(), garbage_file());
    let mut h = harness(new_app());
    for f in [&a, &b] {
        h.state_mut().commands.push(Command::Open {
            path: f.path().to_path_buf(),
            lenient: false,
        });
    }
    step_until(&mut h, "two failures", |app| app.failures.len() == 2);
    h.get_by_label("Could not open 2 files");
    assert_eq!(h.get_all_by_label("Dismiss").count(), 2);
    // Dismiss the second: the first stays.
    let first = h.state().failures[0].path.clone();
    h.get_all_by_label("Dismiss")
        .nth(1)
        .expect("second Dismiss")
        .click();
    h.step();
    h.step();
    let left: Vec<PathBuf> = h.state().failures.iter().map(|f| f.path.clone()).collect();
    assert_eq!(left, vec![first]);
}

/// A primary click at `pos` (press and release).
fn click_at(h: &Harness<'_, SesameApp>, pos: egui::Pos2) {
    h.event(egui::Event::PointerMoved(pos));
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
}

#[test]
fn clicking_the_overview_jumps_and_clicking_a_trace_selects_it() {
    let mut h = on_synthetic(4, 400);
    let strip = h.get_by_label("Recording overview").rect();
    click_at(
        &h,
        egui::pos2(strip.left() + 0.75 * strip.width(), strip.center().y),
    );
    h.step();
    let t0 = h.state().active_doc().expect("doc").browser.t0;
    // 75 % of 400 s = 300 s, centred on a 10-s page (to within a pixel of the strip).
    let tol = 400.0 / strip.width() as f64;
    assert!((t0 - 295.0).abs() <= tol, "t0 = {t0}");

    // Four lanes stacked over the trace area's height (minus the time axis): click
    // the third.
    let traces = h.get_by_label("Traces").rect();
    let lane = (traces.height() - 18.0) / 4.0;
    click_at(&h, egui::pos2(traces.center().x, traces.top() + 2.5 * lane));
    h.step();
    assert_eq!(
        h.state().active_doc().expect("doc").browser.selected,
        Some(2)
    );
}

#[test]
fn real_recordings_open_in_tabs_like_the_reader_reads_them() {
    let Some(shared) = shared_dir() else {
        eprintln!("skipping: the shared test data folder is absent");
        return;
    };
    for name in ["eeg/real/Subject00_1.edf", "eeg/real/S001R01.edf"] {
        let path = shared.join(name);
        if !path.is_file() {
            eprintln!("skipping {name}: not present");
            continue;
        }
        // The GUI must show exactly what the reader gives; when the reader refuses
        // the file, the GUI must show the same refusal in its error panel.
        let direct = Recording::open(&path, &sesame_core::recording::ReadOptions::default());
        let mut h = harness(new_app());
        h.state_mut().commands.push(Command::Open {
            path: path.clone(),
            lenient: false,
        });
        step_until(&mut h, "open finished", |a| {
            !a.docs.is_empty() || !a.failures.is_empty()
        });
        match direct {
            Ok(rec) => {
                let doc = h.state().active_doc().expect("a tab for the recording");
                assert_eq!(doc.recording.signals().len(), rec.signals().len(), "{name}");
                assert_eq!(h.state().settings.recent.first(), Some(&path));
                let first = rec.signals()[0].label.clone();
                h.get_all_by_label(&first)
                    .next()
                    .expect("first channel listed");
                h.key_press(egui::Key::PageDown);
                h.step();
                let b = &h.state().active_doc().expect("doc").browser;
                assert!(
                    b.t0 > 0.0 || rec.duration() <= b.page,
                    "{name}: paging moved"
                );
            }
            Err(e) => {
                eprintln!("{name}: the reader refuses it ({e}); checking the error panel");
                assert_eq!(h.state().failures[0].message, e.to_string());
                h.get_by_label("Open leniently");
            }
        }
    }
}

#[test]
fn results_table_sorts_and_filters() {
    use sesame::gui::results::SortKey;
    use sesame_core::analysis::Row;
    let mut app = new_app();
    app.add_recording("synthetic", synthetic(3, 30), false);
    let row = |a: &str, b: &str, v: f64| Row {
        recording: "synthetic".into(),
        channel_a: a.into(),
        channel_b: b.into(),
        measure: "plv".into(),
        parameter: "plv".into(),
        value: v,
        unit: String::new(),
        n_events: None,
        certified: None,
    };
    app.results.results.rows = vec![
        row("Fp1", "Fp2", 0.4),
        row("Fp1", "F3", 0.9),
        row("Fp2", "F3", 0.1),
    ];
    app.active_doc_mut().expect("doc").view = View::Results;
    let mut h = harness(app);
    h.step();
    h.get_by_label("3 of 3 rows");
    h.get_by_label("Value").click();
    h.step();
    assert_eq!(h.state().results.sort, Some((SortKey::Value, false)));
    assert_eq!(h.state().results.view(), vec![2, 0, 1]);
    h.step();
    h.get_by_label("Value ^").click();
    h.step();
    assert_eq!(
        h.state().results.view(),
        vec![1, 0, 2],
        "second click reverses"
    );
    h.get_by_role(egui::accesskit::Role::TextInput).focus();
    h.step();
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("F3");
    h.step();
    h.step();
    h.get_by_label("2 of 3 rows");
}

#[test]
fn info_and_results_speak_in_words_and_whole_numbers() {
    use sesame_core::analysis::Row;
    // Info: the format and the channel types in words, not Rust enum names.
    let mut h = harness(new_app());
    if let Some(shared) = shared_dir() {
        let path = shared.join("eeg/edge-cases/edfPlusC.edf");
        if path.is_file() {
            h.state_mut().commands.push(Command::Open {
                path,
                lenient: false,
            });
            step_until(&mut h, "open finished", |a| {
                !a.docs.is_empty() || !a.failures.is_empty()
            });
            h.state_mut().active_doc_mut().expect("doc").view = View::Info;
            h.step();
            h.step();
            h.get_by_label("EDF+ (continuous)");
            assert!(h.query_by_label("EdfPlusC").is_none());
        }
    }
    let mut app = new_app();
    app.add_recording("synthetic", synthetic(3, 30), false);
    let row = |p: &str, v: f64, unit: &str| Row {
        recording: "synthetic".into(),
        channel_a: "Fp1".into(),
        channel_b: "Fp2".into(),
        measure: "ses".into(),
        parameter: p.into(),
        value: v,
        unit: unit.into(),
        n_events: None,
        certified: None,
    };
    app.results.results.rows = vec![row("n_events_a", 42.0, ""), row("st", 0.0125, "s")];
    app.active_doc_mut().expect("doc").view = View::Info;
    let mut h2 = harness(app);
    h2.step();
    h2.step();
    assert!(h2.query_all_by_label("EEG").count() >= 3, "types in words");
    assert!(h2.query_by_label("Eeg").is_none());
    h2.get_by_label("in memory");
    h2.state_mut().active_doc_mut().expect("doc").view = View::Results;
    h2.step();
    h2.step();
    h2.get_by_label("42");
    h2.get_by_label("0.0125 s");
    assert!(h2.query_by_label("42.000000").is_none());
}

#[test]
fn recent_files_are_stored_as_absolute_paths() {
    let mut s = Settings::default();
    s.note_opened(Path::new("recordings/night.edf"));
    let first = s.recent.first().expect("noted");
    assert!(first.is_absolute(), "{}", first.display());
    assert!(first.ends_with("recordings/night.edf"));
    assert!(s.last_dir.as_ref().expect("folder").is_absolute());
    // Noting the same file again by its absolute path does not list it twice.
    let abs = first.clone();
    s.note_opened(&abs);
    assert_eq!(s.recent, vec![abs]);
}

/// The trace meshes drawn in the frame, with their clip rectangles.
fn trace_meshes(h: &Harness<'_, SesameApp>) -> Vec<(egui::Rect, egui::Rect)> {
    h.output()
        .shapes
        .iter()
        .filter_map(|c| match &c.shape {
            egui::Shape::Mesh(m) => Some((c.clip_rect, m.calc_bounds())),
            _ => None,
        })
        .collect()
}

#[test]
fn traces_are_not_drawn_over_the_time_axis() {
    let mut app = new_app();
    app.add_recording("synthetic", synthetic(4, 60), false);
    let mut h = harness(app);
    h.step();
    // 30 µV sines at 5 µV/div swing over several lanes, past the plot's bottom.
    h.state_mut()
        .active_doc_mut()
        .expect("doc")
        .browser
        .uv_per_div = 5.0;
    h.step();
    h.step();
    let canvas = h.get_by_label("Traces").rect();
    let meshes = trace_meshes(&h);
    let in_canvas: Vec<_> = meshes
        .iter()
        .filter(|(_, b)| b.intersects(canvas) && b.left() > canvas.left() + 80.0)
        .collect();
    assert!(
        in_canvas.len() >= 4,
        "one mesh per trace: {}",
        in_canvas.len()
    );
    for (clip, _) in &in_canvas {
        assert!(
            clip.bottom() <= canvas.bottom() - 17.0,
            "clipped above the axis: clip {clip:?}, canvas {canvas:?}"
        );
    }
    assert!(
        in_canvas.iter().any(|(c, b)| b.bottom() > c.bottom()),
        "at 5 µV/div some trace reaches past the plot, so the clip matters"
    );
}

/// `n` channels of 300 µV sines (a clinical file with large deflections).
fn large(n: usize, seconds: usize) -> Recording {
    let fs = 256.0;
    let labels: Vec<String> = (0..n).map(|i| format!("E{i}")).collect();
    let data = Array2::from_shape_fn((n, seconds * 256), |(c, s)| {
        let t = s as f32 / fs as f32;
        300.0 * (2.0 * std::f32::consts::PI * (7.0 * t + c as f32 * 0.1)).sin()
    });
    Recording::from_samples(labels, fs, "uV", data).expect("valid recording")
}

#[test]
fn the_amplitude_fits_the_page_on_open_and_on_request() {
    // Large deflections at the default 100 µV/div would be a grey block: fitted on open.
    let mut app = new_app();
    app.add_recording("large", large(8, 60), false);
    let mut h = harness(app);
    h.step();
    h.step();
    assert_eq!(
        h.state().active_doc().expect("doc").browser.uv_per_div,
        500.0,
        "600 µV peak to peak fits at 500 µV/div"
    );
    // Changed by hand, then fitted again with A and with the Fit button.
    h.state_mut()
        .active_doc_mut()
        .expect("doc")
        .browser
        .uv_per_div = 5.0;
    h.step();
    h.key_press(egui::Key::A);
    h.step();
    h.step();
    assert_eq!(
        h.state().active_doc().expect("doc").browser.uv_per_div,
        500.0
    );
    h.state_mut()
        .active_doc_mut()
        .expect("doc")
        .browser
        .uv_per_div = 5000.0;
    h.step();
    h.get_by_label("Fit").click();
    h.step();
    h.step();
    assert_eq!(
        h.state().active_doc().expect("doc").browser.uv_per_div,
        500.0
    );

    // A sensitivity that already suits the page (60 µV peak to peak at 100 µV/div) is
    // kept on open.
    let h = on_synthetic(4, 60);
    assert_eq!(
        h.state().active_doc().expect("doc").browser.uv_per_div,
        100.0
    );
}

#[test]
fn sixty_four_channels_are_drawn_a_readable_page_at_a_time() {
    let mut app = new_app();
    app.add_recording("64 channels", synthetic(64, 60), false);
    let mut h = harness(app);
    h.step();
    h.step();
    let canvas = h.get_by_label("Traces").rect();
    let (shown, total) = h.state().active_doc().expect("doc").browser.rows_shown;
    assert_eq!(total, 64);
    assert!(shown < 64, "not all 64 squeezed in: {shown}");
    assert!(
        (canvas.height() - 18.0) / shown as f32 >= 16.0,
        "at least 16 points per channel: {shown} rows in {}",
        canvas.height()
    );
    assert!(
        h.query_by_label(&format!("channels 1–{shown} of 64"))
            .is_some()
            || h.query_by_value(&format!("channels 1–{shown} of 64"))
                .is_some(),
        "the toolbar names the channels shown"
    );

    // Selecting down the list scrolls the page of channels with the selection.
    for _ in 0..50 {
        h.key_press(egui::Key::ArrowDown);
        h.step();
    }
    h.step();
    let b = &h.state().active_doc().expect("doc").browser;
    assert_eq!(b.selected, Some(49));
    assert!(
        b.first_row <= 49 && 49 < b.first_row + shown,
        "row 50 in view: first {}",
        b.first_row
    );

    // The wheel over the labels scrolls through the channels, not through time.
    let t0 = b.t0;
    h.state_mut()
        .active_doc_mut()
        .expect("doc")
        .browser
        .first_row = 0;
    h.step();
    h.hover_at(egui::pos2(canvas.left() + 30.0, canvas.center().y));
    h.step();
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, -3.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    for _ in 0..20 {
        h.step();
    }
    let b = &h.state().active_doc().expect("doc").browser;
    assert!(b.first_row > 0, "scrolled down the channels");
    assert_eq!(b.t0, t0, "time stays");

    // "All" draws every channel.
    h.state_mut()
        .active_doc_mut()
        .expect("doc")
        .browser
        .rows_per_page = Some(0);
    h.step();
    h.step();
    assert_eq!(
        h.state().active_doc().expect("doc").browser.rows_shown,
        (64, 64)
    );
    assert!(
        h.query_by_label("all 64 channels").is_some()
            || h.query_by_value("all 64 channels").is_some()
    );
}

/// Tabs stand in the order the files were opened, whichever is read first: the
/// 3-minute sample is opened first and takes longer to read than the small EDF+D file
/// opened after it.
#[test]
fn tabs_open_in_the_order_the_files_were_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let small = dir.path().join("small.edf");
    common::write_edf_plus_d(&small, &[0.0, 1.0, 2.0], &[]);
    let mut app = new_app();
    app.commands.push(Command::Open {
        path: common::sample(),
        lenient: false,
    });
    app.commands.push(Command::Open {
        path: small,
        lenient: false,
    });
    let mut h = harness(app);
    step_until(&mut h, "both files open", |a| a.docs.len() == 2);
    let titles: Vec<&str> = h.state().docs.iter().map(|d| d.title.as_str()).collect();
    let sample_name = common::sample()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert_eq!(titles, [sample_name.as_str(), "small.edf"]);
    // A third file opened later goes last.
    let third = dir.path().join("third.edf");
    common::write_edf_plus_d(&third, &[0.0, 1.0], &[]);
    h.state_mut().commands.push(Command::Open {
        path: third,
        lenient: false,
    });
    step_until(&mut h, "third file open", |a| a.docs.len() == 3);
    assert_eq!(
        h.state().docs.last().map(|d| d.title.as_str()),
        Some("third.edf")
    );
}

/// The active browser's measurement.
fn measure(h: &Harness<'_, SesameApp>) -> Option<sesame::gui::document::Measurement> {
    h.state().active_doc().and_then(|d| d.browser.measure)
}

/// A drag over the traces measures Δt and Δamplitude between its two ends (on the
/// channel where it started), shown beside the end point; a click clears it.
#[test]
fn dragging_over_the_traces_measures_time_and_amplitude() {
    let mut h = on_synthetic(4, 60);
    {
        let b = &mut h.state_mut().active_doc_mut().expect("doc").browser;
        b.fit_on_open = false;
        b.uv_per_div = 100.0;
        b.page = 10.0;
        b.remove_dc = false;
    }
    h.step();
    let traces = h.get_by_label("Traces").rect();
    // The plot starts after the label column and ends 4 points before the right edge.
    let plot_left = traces.left() + sesame::gui::browser::LABEL_WIDTH;
    let plot_width = traces.right() - 4.0 - plot_left;
    let lane = (traces.height() - sesame::gui::browser::AXIS_HEIGHT) / 4.0;
    let y0 = traces.top() + 1.5 * lane; // the zero line of the second channel
    let x_at = |t: f32| plot_left + t / 10.0 * plot_width;
    let (a, b) = (
        egui::pos2(x_at(2.0), y0),
        egui::pos2(x_at(4.5), y0 - 0.5 * lane),
    );
    h.event(egui::Event::PointerMoved(a));
    h.step();
    h.drag_at(a);
    h.step();
    for k in 1..=5 {
        h.event(egui::Event::PointerMoved(a + (b - a) * (k as f32 / 5.0)));
        h.step();
    }
    let m = measure(&h).expect("a measurement while dragging");
    assert_eq!(m.row, 1, "on the channel where the drag started");
    // Δt = 2.5 s and half a channel spacing = 50 µV, to within a pixel.
    let px_t = 10.0 / plot_width as f64;
    let px_v = 100.0 / lane as f64;
    assert!((m.dt() - 2.5).abs() <= 1.5 * px_t, "Δt {}", m.dt());
    assert!((m.dv() - 50.0).abs() <= 1.5 * px_v, "Δ {}", m.dv());
    h.drop_at(b);
    h.step();
    h.step();
    h.get_by_label_contains("Δt 2.5");
    h.get_by_label_contains(" µV   (1/Δt 0.40 Hz)");
    assert!(measure(&h).is_some());
    // A click clears it.
    click_at(&h, egui::pos2(x_at(7.0), y0));
    h.step();
    h.step();
    assert!(measure(&h).is_none());
    assert!(h.query_by_label_contains("Δt").is_none());
}

/// The File menu holds the configuration and export actions: Save configuration
/// writes the Analysis view's configuration, Export results the rows, each through
/// the export's dialog (here answered with a path), and Load configuration opens the
/// Analysis view to take a file over.
#[test]
fn the_file_menu_loads_and_saves_configurations_and_exports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_path_buf();
    let mut app = new_app();
    app.export =
        sesame::gui::export::ExportState::with_picker(Arc::new(move |_: &str, exts: &[&str]| {
            Some(out.join(format!("menu.{}", exts[0])))
        }));
    app.add_recording("synthetic", synthetic(4, 60), false);
    let mut h = harness(app);
    h.step();
    h.get_by_label("File").click();
    h.step();
    h.step();
    assert!(
        h.get_by_label("Export results…")
            .accesskit_node()
            .is_disabled(),
        "no rows to export yet"
    );
    h.get_by_label("Save configuration…").click();
    h.step();
    h.step(); // the command runs at the start of the next frame
    h.state_mut().export.wait(Duration::from_secs(10));
    h.step();
    h.step();
    let text = std::fs::read_to_string(dir.path().join("menu.toml"))
        .unwrap_or_else(|e| panic!("config not written ({e}): {}", h.state().status));
    let config = sesame_core::analysis::Config::from_toml(&text).expect("parses");
    let cli = sesame_core::analysis::Config::default();
    assert_eq!(config.measures.ids, cli.measures.ids);
    assert_eq!(config.input.window, None, "the whole recording");
    assert_eq!(config.significance, cli.significance);
    assert!(
        h.state().status.contains("menu.toml"),
        "{}",
        h.state().status
    );

    // With rows, Export results… is enabled and writes them.
    h.state_mut().results.results.rows = vec![sesame_core::analysis::Row {
        recording: "synthetic".into(),
        channel_a: "Fp1".into(),
        channel_b: "Fp2".into(),
        measure: "ses-bumps".into(),
        parameter: "rho".into(),
        value: 0.5,
        unit: String::new(),
        n_events: None,
        certified: None,
    }];
    h.get_by_label("File").click();
    h.step();
    h.step();
    h.get_by_label("Export results…").click();
    h.step();
    h.step(); // the command runs at the start of the next frame
    h.state_mut().export.wait(Duration::from_secs(10));
    h.step();
    h.step();
    assert!(dir.path().join("menu.csv").exists());

    // Load configuration… shows the Analysis view (its dialog answers there).
    h.get_by_label("File").click();
    h.step();
    h.step();
    assert!(!h
        .get_by_label("Load configuration…")
        .accesskit_node()
        .is_disabled());
}
