//! When no file dialog can be shown (no desktop portal, no zenity), Open and Export
//! say so, name what to install, and take a typed path instead; they never report a
//! cancel that did not happen.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use sesame::gui::app::{Command, FilePicker, SesameApp};
use sesame::gui::dialog::{Picked, NO_DIALOG};
use sesame::gui::export::{self, ExportState};
use sesame::gui::settings::Settings;
use sesame_core::analysis::{Results, Row};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::{sample, step_until};

/// A picker whose dialog can never be shown.
struct NoDialog;
impl FilePicker for NoDialog {
    fn pick_recordings(&self, _: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
    fn pick(&self, _: Option<&Path>) -> Picked<Vec<PathBuf>> {
        Picked::Unavailable(NO_DIALOG.to_string())
    }
}

#[test]
fn open_without_a_dialog_says_why_and_takes_a_typed_path() {
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoDialog));
    app.commands.push(Command::ShowOpenDialog);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 700.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    step_until(&mut h, "the dialog's answer", |a| a.open_prompt.is_some());
    assert!(h.state().status.contains("zenity"), "{}", h.state().status);
    h.get_by_label_contains("it needs a desktop portal");
    let path = sample();
    h.get_by_label("Path").click();
    h.step();
    h.state_mut().open_prompt.as_mut().expect("prompt").text = path.display().to_string();
    h.step();
    h.get_by_label("Open").click();
    h.step();
    step_until(&mut h, "the typed file opened", |a| !a.docs.is_empty());
    assert!(h.state().open_prompt.is_none(), "the prompt closes");
    assert_eq!(h.state().docs[0].path.as_deref(), Some(path.as_path()));
}

struct Ui {
    export: ExportState,
    results: Results,
}

#[test]
fn export_without_a_dialog_says_why_and_writes_to_a_typed_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let results = Results {
        rows: vec![Row {
            recording: "rec".into(),
            channel_a: "Fz".into(),
            channel_b: "Cz".into(),
            measure: "ses-bumps".into(),
            parameter: "rho".into(),
            value: 0.25,
            unit: String::new(),
            n_events: Some(3),
            certified: Some(true),
        }],
    };
    let export = ExportState::with_dialog(Arc::new(|_: &str, _: &[&str]| {
        Picked::Unavailable(NO_DIALOG.to_string())
    }));
    let mut h = Harness::builder()
        .with_size(egui::vec2(900.0, 160.0))
        .build_ui_state(
            |ui, s: &mut Ui| {
                export::bar(
                    ui,
                    &mut s.export,
                    export::ExportSource {
                        results: &s.results,
                        input: None,
                        config_toml: "[measures]\nids = [\"ses-bumps\"]\n",
                        figure: None,
                    },
                )
            },
            Ui { export, results },
        );
    h.run();
    h.get_by_label("Export config TOML…").click();
    h.step(); // the export runs on a thread: the spinner repaints until `wait`
    h.state_mut().export.wait(Duration::from_secs(10));
    h.run();
    let status = h.state().export.status.clone().unwrap_or_default();
    assert!(!status.contains("cancelled"), "{status}");
    assert!(status.contains("No save dialog"), "{status}");
    h.get_by_label_contains("xdg-desktop-portal-gtk");
    let out = dir.path().join("typed.toml");
    h.state_mut().export.prompt.as_mut().expect("prompt").text = out.display().to_string();
    h.run();
    h.get_by_label("Save").click();
    h.step(); // as above
    h.state_mut().export.wait(Duration::from_secs(10));
    h.run();
    let text = std::fs::read_to_string(&out).expect("written to the typed path");
    assert!(text.contains("ses-bumps"));
    assert!(h.state().export.prompt.is_none());
    let status = h.state().export.status.clone().unwrap_or_default();
    assert!(status.contains("Configuration written to"), "{status}");
}

/// A picker answering every one-file dialog with a path of its own, and recording the
/// titles it was asked with.
struct Answers {
    open: PathBuf,
    save: PathBuf,
    asked: std::sync::Mutex<Vec<String>>,
}
impl FilePicker for Answers {
    fn pick_recordings(&self, _: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
    fn open_file(&self, title: &str, _: &[&str]) -> Picked<PathBuf> {
        self.asked.lock().expect("lock").push(title.to_string());
        Picked::Chosen(self.open.clone())
    }
    fn save_file(&self, title: &str, _: &[&str]) -> Picked<PathBuf> {
        self.asked.lock().expect("lock").push(title.to_string());
        Picked::Chosen(self.save.clone())
    }
}

#[test]
fn every_file_dialog_goes_through_the_apps_picker() {
    let dir = tempfile::tempdir().expect("temp dir");
    let montage = dir.path().join("mine.toml");
    let picker = Arc::new(Answers {
        open: montage.clone(),
        save: montage.clone(),
        asked: Default::default(),
    });
    let mut app = SesameApp::new(Settings::default(), picker.clone());
    app.commands.push(Command::Open {
        path: sample(),
        lenient: false,
    });
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 800.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    step_until(&mut h, "the sample opened", |a| !a.docs.is_empty());

    // Montage Save… then Load…: the picker is asked, the file is written and read back.
    h.get_by_label("Save…").click();
    h.step();
    step_until(&mut h, "the montage saved", |a| {
        a.active_doc()
            .and_then(|d| d.display.io_status.as_deref())
            .is_some_and(|s| s.contains("saved") || s.contains("written"))
    });
    assert!(montage.is_file(), "the montage file is written");
    h.get_by_label("Load…").click();
    h.step();
    step_until(&mut h, "the montage loaded", |a| {
        a.active_doc()
            .and_then(|d| d.display.io_status.as_deref())
            .is_some_and(|s| s.contains("loaded"))
    });

    // File ▸ Load configuration: the same picker's open dialog.
    let config = dir.path().join("analysis.toml");
    std::fs::write(&config, "[measures]\nids = [\"ses-bumps\"]\n").expect("config written");
    let mut app = SesameApp::new(
        Settings::default(),
        Arc::new(Answers {
            open: config,
            save: dir.path().join("unused.toml"),
            asked: Default::default(),
        }),
    );
    app.commands.push(Command::Open {
        path: sample(),
        lenient: false,
    });
    let mut h2 = Harness::builder()
        .with_size(egui::vec2(1400.0, 800.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    step_until(&mut h2, "the sample opened", |a| !a.docs.is_empty());
    h2.state_mut().commands.push(Command::LoadConfig);
    h2.step();
    step_until(&mut h2, "the configuration loaded", |a| {
        a.analysis.loaded.is_some() || a.analysis.error.is_some()
    });
    assert_eq!(h2.state().analysis.error, None);
    assert!(h2
        .state()
        .analysis
        .loaded
        .as_deref()
        .unwrap_or_default()
        .contains("analysis.toml"));

    let asked = picker.asked.lock().expect("lock").clone();
    assert_eq!(
        asked,
        vec!["Save montage".to_string(), "Load montage".to_string()]
    );
}
