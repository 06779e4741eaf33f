//! Every analysis view on the real recordings of `../shared/eeg/real`, as a new user
//! would go through them: the time-frequency map of the first channel, an analysis of
//! four channels over 10 s, the results matrix and the aligned bumps. Skipped (with a
//! message) when the shared data are absent.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use sesame::gui::app::{Command, FilePicker, SesameApp};
use sesame::gui::document::View;
use sesame::gui::results::ResultsTab;
use sesame::gui::settings::Settings;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::{shared_dir, step_until};

struct NoPicker;
impl FilePicker for NoPicker {
    fn pick_recordings(&self, _: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
}

fn views_work_on(path: PathBuf) {
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    app.commands.push(Command::Open {
        path: path.clone(),
        lenient: false,
    });
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 860.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    step_until(&mut h, "opened", |a| {
        !a.docs.is_empty() || !a.failures.is_empty()
    });
    assert!(h.state().failures.is_empty(), "{:?}", h.state().failures);

    // Time-frequency of the first channel on the first page.
    h.state_mut().active_doc_mut().expect("doc").view = View::TimeFrequency;
    h.step();
    step_until(&mut h, "map", |a| {
        !a.tfmap.is_computing() && a.tfmap.result.is_some()
    });
    let n = match &h.state().tfmap.result {
        Some(Ok(r)) => r.bumps.len(),
        Some(Err(e)) => panic!("{}: time-frequency failed: {e}", path.display()),
        None => unreachable!(),
    };
    assert!(n > 0, "{}: no bumps on the first page", path.display());
    h.get_by_label_contains(&format!("{n} bumps on"));

    // Analysis of the first four EEG channels over 0–10 s.
    {
        let app = h.state_mut();
        let doc = app.active_doc_mut().expect("doc");
        let rec = doc.recording.clone();
        let mut kept = 0;
        for c in &mut doc.channels {
            let eeg = rec.signals()[c.signal].kind == sesame_core::recording::ChannelKind::Eeg;
            c.visible = eeg && kept < 4;
            if c.visible {
                kept += 1;
            }
        }
        assert_eq!(kept, 4, "{}: four EEG channels", path.display());
        doc.view = View::Analysis;
        app.analysis.channel_source = sesame::gui::analysis::ChannelSource::Shown;
        app.analysis.from_text = "0".into();
        app.analysis.to_text = "10".into();
    }
    h.step();
    h.get_by_label("Run").click();
    h.step();
    h.step();
    assert!(
        h.state().analysis.job.is_some(),
        "{:?}",
        h.state().analysis.error
    );
    step_until(&mut h, "analysis", |a| a.analysis.job.is_none());
    let app = h.state();
    assert_eq!(app.analysis.error, None, "{}", path.display());
    let rho = app
        .results
        .results
        .rows
        .iter()
        .filter(|r| r.parameter == "rho")
        .count();
    assert_eq!(rho, 6, "{}: 4 channels give 6 pairs", path.display());

    // The results matrix and the aligned bumps of the best pair draw.
    h.state_mut().results.tab = ResultsTab::Matrix;
    h.step();
    assert!(h.state().results.figure_rect.is_some(), "matrix drawn");
    h.state_mut().active_doc_mut().expect("doc").view = View::Aligned;
    h.step();
    let pair = h.state().aligned.pair.clone().expect("aligned pair");
    let start = Instant::now();
    while h.state().aligned.is_computing() {
        assert!(start.elapsed() < Duration::from_secs(60), "alignment");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.step();
    match &h.state().aligned.outcome {
        Some(Ok(_)) => {}
        other => panic!(
            "{}: alignment of {} – {}: {other:?}",
            path.display(),
            pair.label_x,
            pair.label_y
        ),
    }
    h.get_by_label_contains(&pair.label_x);
    eprintln!(
        "{}: {n} bumps on the first page; aligned pair {} – {}",
        path.display(),
        pair.label_x,
        pair.label_y
    );
}

#[test]
fn every_view_works_on_the_real_recordings() {
    let Some(dir) = shared_dir() else {
        eprintln!("skipped: the shared data directory is absent");
        return;
    };
    for name in ["Subject00_1.edf", "S001R01.edf"] {
        let p = dir.join("eeg/real").join(name);
        if !p.is_file() {
            eprintln!("skipped {name}: not found");
            continue;
        }
        views_work_on(p);
    }
}
