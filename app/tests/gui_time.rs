//! True time on a discontinuous recording (EDF+D): the gaps are listed in Info and
//! marked in the browser, an annotation after a gap lands on the page that shows its
//! samples (onsets are wall-clock, pages are recorded time), and times read as clock
//! time from the file's start. The file is written by the test, so nothing is skipped.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use sesame::gui::app::{Command, FilePicker, SesameApp};
use sesame::gui::browser::page_annotations;
use sesame::gui::document::View;
use sesame::gui::settings::Settings;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod common;
use common::{step_until, write_edf_plus_d};

struct NoPicker;
impl FilePicker for NoPicker {
    fn pick_recordings(&self, _: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
}

#[test]
fn gaps_are_listed_and_annotations_after_a_gap_land_on_their_page() {
    // Eleven 1-s records with five gaps (1, 1, 2, 2 and 3 s), like the EDF+D edge case
    // of the test data, and two annotations recorded after a gap.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gaps.edf");
    write_edf_plus_d(
        &path,
        &[0.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 12.0, 15.0, 19.0],
        &[(4.5, "eyes closed"), (15.25, "after a long gap")],
    );
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    app.commands.push(Command::Open {
        path: path.clone(),
        lenient: false,
    });
    let mut h = Harness::builder()
        .with_size(egui::vec2(1300.0, 900.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    step_until(&mut h, "file opened", |a| !a.docs.is_empty());
    let (tl, rec) = {
        let doc = h.state().active_doc().expect("doc");
        (doc.timeline.clone(), doc.recording.clone())
    };
    let n = rec.gaps().len();
    assert_eq!(n, 5, "the EDF+D file has five gaps");
    assert_eq!(
        tl.gaps.len(),
        n,
        "every gap of the reader is in the timeline"
    );
    assert!(tl.has_clock(), "an EDF file gives its start time");

    // Info lists the gaps and the start.
    h.state_mut().active_doc_mut().expect("doc").view = View::Info;
    h.step();
    h.step();
    h.get_by_label(&format!("{n} (listed below)"));
    h.get_by_label_contains(&format!("{n} gap(s) in the recording"));

    // An annotation after the first gap: its wall-clock onset is later than its place
    // in the samples.
    let first = tl.gaps[0];
    let a = rec
        .annotations()
        .iter()
        .find(|a| a.onset >= first.start + first.duration && !a.text.is_empty())
        .expect("an annotation after the first gap")
        .clone();
    let t = tl.sample(a.onset);
    assert!(t < a.onset - 0.5 * first.duration, "{t} vs {}", a.onset);
    // Click it in the Info list: the browser centres its page on the annotation's
    // samples, and the page draws it.
    h.get_by_label(&tl.both(a.onset)).click();
    h.step();
    h.step();
    let doc = h.state().active_doc().expect("doc");
    assert_eq!(doc.view, View::Signals);
    let (t0, t1) = (doc.browser.t0, doc.browser.t1());
    assert!(t0 <= t && t <= t1, "page {t0}–{t1} holds {t}");
    let drawn = page_annotations(&tl, rec.annotations(), t0, t1);
    assert!(
        drawn
            .iter()
            .any(|(s, _, b)| b.text == a.text && (s - t).abs() < 1e-9),
        "the annotation is drawn at {t}: {:?}",
        drawn.iter().map(|d| (d.0, &d.2.text)).collect::<Vec<_>>()
    );

    // Clock time: the axis and Go to read clock time from the file's start.
    h.get_by_label("Clock time").click();
    h.step();
    assert!(h.state().active_doc().expect("doc").browser.clock);
    let clock = tl.clock(a.onset).expect("clock");
    {
        let doc = h.state_mut().active_doc_mut().expect("doc");
        doc.browser.goto_text = clock.clone();
        doc.browser.jump_to(0.0, rec.duration());
    }
    h.step();
    h.get_by_label("Go").click();
    h.step();
    let doc = h.state().active_doc().expect("doc");
    assert_eq!(doc.browser.goto_error, None);
    assert!(
        (doc.browser.t0 - t.min(rec.duration() - doc.browser.page).max(0.0)).abs() < 0.06,
        "Go to {clock} puts {t} at the page start (t0 = {})",
        doc.browser.t0
    );
    // The page range in the toolbar is written in clock time.
    h.get_by_label_contains(&tl.label(doc.browser.t0, true));
}
