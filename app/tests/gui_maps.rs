//! The matrix and scalp views show the results they are given: the colour bar spans
//! the values, the picker lists each measure/output, cells map to the right pair, and
//! the scalp map draws exactly the pairs at or above the threshold.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use sesame::gui::matrix::{self, MapState};
use sesame::gui::results::{ResultsState, ResultsTab, SortKey};
use sesame::gui::scalp;
use sesame_core::analysis::{Results, Row};

fn row(measure: &str, p: &str, a: &str, b: &str, v: f64) -> Row {
    Row {
        recording: "r".into(),
        channel_a: a.into(),
        channel_b: b.into(),
        measure: measure.into(),
        parameter: p.into(),
        value: v,
        unit: String::new(),
        n_events: None,
        certified: Some(true),
    }
}

fn rows() -> Vec<Row> {
    vec![
        row("ses-bumps", "rho", "Fp1", "Fp2", 0.1),
        row("ses-bumps", "rho", "Fp1", "O1", 0.9),
        row("ses-bumps", "rho", "Fp2", "O1", 0.6),
        row("ses-bumps", "rho", "O1", "Xyz", 0.3),
        row("plv", "plv", "C3", "C4", 0.42),
        row("omega", "omega", "*", "", 2.0),
    ]
}

fn state(tab: ResultsTab) -> ResultsState {
    ResultsState {
        results: Results { rows: rows() },
        tab,
        ..Default::default()
    }
}

fn harness(s: ResultsState) -> Harness<'static, ResultsState> {
    Harness::builder()
        .with_size(egui::vec2(800.0, 700.0))
        .build_ui_state(
            |ui, s: &mut ResultsState| {
                sesame::gui::command::ui_alone(s, ui);
            },
            s,
        )
}

#[test]
fn matrix_shows_the_range_and_switches_measure() {
    let mut h = harness(state(ResultsTab::Matrix));
    h.run();
    h.get_by_label("min 0.4200");
    h.get_by_label("max 0.4200");
    h.get_by_label_contains("Measure / output");
    let sel = h.state().maps.selection.clone();
    assert_eq!(
        sel,
        Some(("plv".into(), "plv".into())),
        "first in sorted order"
    );
    h.state_mut().maps.selection = Some(("ses-bumps".into(), "rho".into()));
    h.run();
    h.get_by_label("min 0.1000");
    h.get_by_label("max 0.9000");
    h.state_mut().maps.selection = Some(("plv".into(), "plv".into()));
    h.run();
    h.get_by_label("min 0.4200");
}

#[test]
fn hovering_a_cell_shows_its_pair_and_value() {
    let mut s = state(ResultsTab::Matrix);
    s.maps.selection = Some(("ses-bumps".into(), "rho".into()));
    let mut h = harness(s);
    h.run();
    assert!(h.state().figure_rect.is_some(), "figure drawn");
    let (grid, n) = h.state().maps.grid.expect("grid drawn");
    assert_eq!(n, 4);
    assert!(
        grid.width() > 0.8 * 800.0 - 100.0,
        "the grid uses the width: {grid:?}"
    );
    // Anatomical order: Fp1, Fp2, O1, then Xyz (no standard name). The last cell
    // (Xyz – Xyz) has no value, the one left of it (Xyz – O1) is 0.3.
    let (cw, ch) = (grid.width() / 4.0, grid.height() / 4.0);
    h.hover_at(egui::pos2(grid.max.x - 1.5 * cw, grid.max.y - 0.5 * ch));
    h.run();
    h.get_by_label_contains("Xyz – O1: 0.300000");
}

#[test]
fn matrix_cells_name_the_right_pair() {
    let r = state(ResultsTab::Matrix).results;
    assert_eq!(
        matrix::choices(&r),
        vec![
            ("plv".to_string(), "plv".to_string()),
            ("ses-bumps".into(), "rho".into())
        ],
        "set-level rows are not matrix choices"
    );
    let labels = matrix::labels(&r, "ses-bumps", "rho");
    assert_eq!(labels, ["Fp1", "Fp2", "O1", "Xyz"]);
    let m = r.matrix("ses-bumps", "rho", &labels);
    let rect = egui::Rect::from_min_size(egui::pos2(10.0, 20.0), egui::vec2(400.0, 400.0));
    // Row 0 (Fp1), column 2 (O1): x in the third quarter, y in the first.
    let (i, j) = matrix::cell_at(rect, 4, egui::pos2(10.0 + 250.0, 20.0 + 50.0)).expect("inside");
    assert_eq!(
        (labels[i].as_str(), labels[j].as_str(), m[i][j]),
        ("Fp1", "O1", 0.9)
    );
    assert_eq!(matrix::cell_at(rect, 4, egui::pos2(5.0, 50.0)), None);
    assert_eq!(
        matrix::cell_at(rect, 4, egui::pos2(410.0, 420.0)),
        Some((3, 3))
    );
    assert!(m[0][0].is_nan());
    assert_eq!(matrix::value_range(&m), Some((0.1, 0.9)));
    assert_ne!(matrix::colour(0.1, 0.1, 0.9), matrix::colour(0.9, 0.1, 0.9));
}

#[test]
fn scalp_draws_the_pairs_above_the_threshold() {
    let mut s = state(ResultsTab::Scalp);
    s.maps = MapState {
        selection: Some(("ses-bumps".into(), "rho".into())),
        threshold: 0.5,
        smaller_is_stronger: false,
        ..Default::default()
    };
    let mut h = harness(s);
    h.run();
    h.get_by_label("2 of 6 pairs ≥ 0.5000");
    h.get_by_label_contains("no standard position): Xyz");
    h.state_mut().maps.threshold = 0.1;
    h.run();
    h.get_by_label("4 of 6 pairs ≥ 0.1000");
    h.state_mut().maps.threshold = 5.0;
    h.run();
    assert!(
        (h.state().maps.threshold - 0.7).abs() < 1e-12,
        "out-of-range threshold reset"
    );
    h.get_by_label("1 of 6 pairs ≥ 0.7000");
    h.get_by_label("Smaller is stronger").click();
    h.run();
    assert!(h.state().maps.smaller_is_stronger);
    h.get_by_label("3 of 6 pairs ≤ 0.7000");

    let r = state(ResultsTab::Scalp).results;
    let labels = matrix::labels(&r, "ses-bumps", "rho");
    let m = r.matrix("ses-bumps", "rho", &labels);
    let p = scalp::strong_pairs(&m, 0.5, false);
    assert_eq!(
        p,
        vec![(0, 2, 0.9), (1, 2, 0.6)],
        "strongest first, each pair once"
    );
    let p = scalp::strong_pairs(&m, 0.5, true);
    assert_eq!(
        p,
        vec![(0, 1, 0.1), (2, 3, 0.3)],
        "smallest first when smaller is stronger"
    );
    let pos = scalp::layout(&labels);
    assert!(pos[0].expect("Fp1 placed")[1] > 0.5, "Fp1 towards the nose");
    assert!(pos[2].expect("O1 placed")[1] < -0.5, "O1 at the back");
    assert!(pos[3].is_none());
}

/// A measure with a `p` output (hand-built rows: `sync`, chance-corrected, and its
/// one-sided surrogate p-value).
fn sync_rows() -> Vec<Row> {
    vec![
        row("ses-bumps", "sync", "Fp1", "Fp2", 0.8),
        row("ses-bumps", "p", "Fp1", "Fp2", 0.01),
        row("ses-bumps", "sync", "Fp1", "O1", 0.2),
        row("ses-bumps", "p", "Fp1", "O1", 0.4),
        row("ses-bumps", "sync", "Fp2", "O1", 0.5),
        row("ses-bumps", "p", "Fp2", "O1", 0.03),
        row("ses-bumps", "rho", "Fp2", "O1", 0.5),
    ]
}

#[test]
fn pairs_with_a_small_p_are_marked_and_the_others_can_be_hidden() {
    let mut s = ResultsState {
        results: Results { rows: sync_rows() },
        tab: ResultsTab::Matrix,
        ..Default::default()
    };
    s.maps.selection = Some(("ses-bumps".into(), "sync".into()));
    let mut h = harness(s);
    h.run();
    h.get_by_label("p ≤ 0.05: 2 of 3 pairs marked");
    h.get_by_label("min 0.2000");
    h.get_by_label("max 0.8000");
    h.get_by_label("Hide p > α").click();
    h.run();
    assert!(h.state().maps.hide_not_significant);
    h.get_by_label("min 0.5000");
    h.get_by_label("p ≤ 0.05: 2 of 3 pairs remain");

    // The scalp map outlines the significant pairs and hides the others too.
    h.state_mut().tab = ResultsTab::Scalp;
    h.state_mut().maps.threshold = 0.5;
    h.run();
    h.get_by_label_contains("2 of 3 pairs ≥ 0.5000");
    h.get_by_label_contains("outlined: p ≤ 0.05: 2 of 3 pairs remain");
    h.get_by_label("Hide p > α").click();
    h.run();
    h.state_mut().maps.threshold = 0.2;
    h.run();
    h.get_by_label_contains("3 of 3 pairs ≥ 0.2000");
    h.state_mut().maps.top_k = 1;
    h.run();
    h.get_by_label_contains("3 of 3 pairs ≥ 0.2000, the 1 strongest drawn");

    // Any output of the measure can be shown; ρ reads smaller as stronger, as SES
    // declares it; its own p declares no direction.
    let r = Results { rows: sync_rows() };
    assert_eq!(
        matrix::choices(&r),
        [
            ("ses-bumps", "p"),
            ("ses-bumps", "rho"),
            ("ses-bumps", "sync")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(matrix::smaller_is_stronger("ses-bumps", "rho"));
    assert!(!matrix::smaller_is_stronger("ses-bumps", "p"));
    assert!(!matrix::smaller_is_stronger("ses-bumps", "rho_null"));
    assert!(!matrix::smaller_is_stronger("ses-bumps", "sync"));
    assert!(matrix::smaller_is_stronger("ses-bumps", "sync.q"));
    // Choosing ρ in the picker turns "smaller is stronger" on by its declared
    // direction, sync turns it off.
    h.state_mut().maps.selection = Some(("ses-bumps".into(), "rho".into()));
    h.run();
    assert!(h.state().maps.smaller_is_stronger);
    h.state_mut().maps.selection = Some(("ses-bumps".into(), "sync".into()));
    h.run();
    assert!(!h.state().maps.smaller_is_stronger);

    let labels = matrix::labels(&r, "ses-bumps", "sync");
    let m = r.matrix("ses-bumps", "sync", &labels);
    let tests = matrix::tests_of(&r, "ses-bumps", "sync");
    assert_eq!(tests.len(), 1, "the measure's own p");
    let p = matrix::test_values(&r, "ses-bumps", tests.first(), &labels).expect("p output");
    let kept = matrix::keep_significant(&m, &p, 0.05);
    assert_eq!(kept[0][1], 0.8);
    assert!(kept[0][2].is_nan(), "p = 0.4 hidden");
    assert!(matrix::tests_of(&r, "plv", "plv").is_empty());
}

#[test]
fn channels_sort_by_anatomy_and_regions_sit_at_their_centroids() {
    let labels: Vec<String> = ["O2", "Cz", "Fp1", "T3", "C3", "Fp2", "Xyz", "F7"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        matrix::anatomical_order(&labels),
        ["Fp1", "Fp2", "F7", "T3", "C3", "Cz", "O2", "Xyz"]
    );
    let regions: Vec<String> = ["posterior", "central", "frontal", "left temporal"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        matrix::anatomical_order(&regions),
        ["frontal", "left temporal", "central", "posterior"]
    );
    let pos = scalp::layout(&regions);
    let central = pos[1].expect("central placed");
    assert!(
        central[0].abs() < 0.05 && central[1].abs() < 0.1,
        "{central:?}"
    );
    assert!(
        pos[2].expect("frontal")[1] > 0.3,
        "frontal towards the nose"
    );
    assert!(
        pos[3].expect("left temporal")[0] < -0.5,
        "left temporal on the left"
    );
}

/// The registered sentence of an SES output, as `sesame measures` prints it (made
/// drawable as the views make it).
fn registered(output: &str) -> String {
    let m = sesame_core::measures::find("ses-bumps").expect("ses-bumps registered");
    let spec = m
        .outputs()
        .iter()
        .find(|o| o.name == output)
        .unwrap_or_else(|| panic!("ses-bumps has no output {output}"));
    sesame::gui::glyphs::displayable(spec.doc).into_owned()
}

/// SES results with the chance comparison: the matrix opens on `sync`, offers it in the
/// picker with its registered sentence, marks the pairs with p ≤ α (and says how many,
/// at the threshold shown), and a cell's hover text gives `sync`, `rho`, `rho_null`
/// and `p` of the pair, one registered sentence each.
#[test]
fn sync_is_the_default_offered_with_its_meaning_and_p_marks_pairs() {
    let mut rows = Vec::new();
    for (a, b, sync, rho, rho_null, p) in [
        ("Fp1", "Fp2", 0.8, 0.1, 0.5, 0.01),
        ("Fp1", "O1", 0.1, 0.45, 0.5, 0.4),
        ("Fp2", "O1", 0.5, 0.25, 0.5, 0.03),
    ] {
        rows.push(row("ses-bumps", "rho", a, b, rho));
        rows.push(row("ses-bumps", "rho_null", a, b, rho_null));
        rows.push(row("ses-bumps", "p", a, b, p));
        rows.push(row("ses-bumps", "sync", a, b, sync));
    }
    rows.push(row("plv", "plv", "Fp1", "Fp2", 0.3));
    let s = ResultsState {
        results: Results { rows },
        tab: ResultsTab::Matrix,
        ..Default::default()
    };
    let mut h = harness(s);
    h.run();
    assert_eq!(
        h.state().maps.selection,
        Some(("ses-bumps".into(), "sync".into())),
        "with no choice made the matrix shows sync"
    );
    assert!(!h.state().maps.smaller_is_stronger);
    // The choice is offered in the picker, with its sentence as hover text.
    h.get_by_label("Measure / output").click();
    h.run();
    let entry = h.get_by_label("ses-bumps / sync");
    entry.hover();
    h.run();
    h.get_by_label(&format!(
        "{} Larger = more synchronous.",
        registered("sync")
    ));
    h.get_by_label("ses-bumps / rho_null");
    h.get_by_label("ses-bumps / p");
    h.key_press(egui::Key::Escape);
    h.run();
    // Under the picker: what the shown output means and which way it reads.
    h.get_by_label(&format!(
        "sync: {} Larger = more synchronous.",
        registered("sync")
    ));
    // The marks and their threshold.
    h.get_by_label("α");
    h.get_by_label("p ≤ 0.05: 2 of 3 pairs marked");
    h.state_mut().maps.alpha = 0.02;
    h.run();
    h.get_by_label("p ≤ 0.02: 1 of 3 pairs marked");
    // p = α is marked: with K surrogates p is at least 1/(K + 1), so the default 19
    // surrogates reach exactly 0.05.
    h.state_mut().maps.alpha = 0.03;
    h.run();
    h.get_by_label("p ≤ 0.03: 2 of 3 pairs marked");
    h.state_mut().maps.alpha = 0.05;
    h.run();

    // Hover the Fp2 – O1 cell (anatomical order Fp1, Fp2, O1: row 1, column 2).
    let (grid, n) = h.state().maps.grid.expect("grid drawn");
    assert_eq!(n, 3);
    let (cw, ch) = (grid.width() / 3.0, grid.height() / 3.0);
    h.hover_at(egui::pos2(grid.min.x + 2.5 * cw, grid.min.y + 1.5 * ch));
    h.run();
    h.get_by_label("Fp2 – O1: 0.500000 (sync)");
    h.get_by_label(&format!(
        "sync = 0.5000: {} Larger = more synchronous.",
        registered("sync")
    ));
    h.get_by_label(&format!(
        "rho = 0.2500: {} Smaller = more synchronous.",
        registered("rho")
    ));
    // rho_null and SES's own p declare no direction: their sentences alone.
    h.get_by_label(&format!("rho_null = 0.5000: {}", registered("rho_null")));
    h.get_by_label(&format!("p = 0.0300: {}", registered("p")));

    // ρ reads smaller as more synchronous (declared), rho_null has no direction, sync
    // reads larger.
    h.state_mut().maps.selection = Some(("ses-bumps".into(), "rho".into()));
    h.run();
    assert!(h.state().maps.smaller_is_stronger);
    h.state_mut().maps.selection = Some(("ses-bumps".into(), "rho_null".into()));
    h.run();
    assert!(!h.state().maps.smaller_is_stronger);
    h.get_by_label_contains("rho_null: Chance level of ρ");
    h.state_mut().maps.selection = Some(("ses-bumps".into(), "sync".into()));
    h.run();
    assert!(!h.state().maps.smaller_is_stronger);
}

/// Rows of an analysis run with surrogates: coherence of three pairs with the test's
/// outputs `coh.p`, `coh.q`, `coh.p_fwer`, `coh.null_mean`, `coh.null_sd`.
fn tested_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for (a, b, v, p, q, fwer) in [
        ("Fp1", "Fp2", 0.9, 0.001, 0.003, 0.002),
        ("Fp1", "O1", 0.3, 0.04, 0.06, 0.2),
        ("Fp2", "O1", 0.7, 0.01, 0.015, 0.04),
    ] {
        rows.push(row("coherence", "coh", a, b, v));
        rows.push(row("coherence", "coh.null_mean", a, b, 0.2));
        rows.push(row("coherence", "coh.null_sd", a, b, 0.05));
        rows.push(row("coherence", "coh.p", a, b, p));
        rows.push(row("coherence", "coh.q", a, b, q));
        rows.push(row("coherence", "coh.p_fwer", a, b, fwer));
    }
    rows
}

/// With surrogate outputs the table folds `coh.p` and `coh.q` into p and q columns of
/// the `coh` rows (sortable; the test rows can be shown again), and the matrix and
/// scalp map mark and hide pairs by q (or p, or p_fwer) at the chosen level, counting
/// the pairs that remain.
#[test]
fn surrogate_p_and_q_in_the_table_and_q_hides_pairs_in_the_maps() {
    let s = ResultsState {
        results: Results {
            rows: tested_rows(),
        },
        tab: ResultsTab::Table,
        ..Default::default()
    };
    let mut h = harness(s);
    h.run();
    h.get_by_label("3 of 18 rows");
    h.get_by_label("p");
    h.get_by_label("q");
    h.get_by_label("0.0030");
    h.get_by_label("0.0600");
    assert!(
        h.query_by_label("coh.null_mean").is_none(),
        "test rows folded"
    );
    h.state_mut().click_header(SortKey::Q);
    assert_eq!(h.state().view(), vec![0, 12, 6], "by q, ascending");
    h.get_by_label("Test rows").click();
    h.run();
    h.get_by_label("18 of 18 rows");
    assert_eq!(h.query_all_by_label("coh.null_mean").count(), 3);
    h.get_by_label("Test rows").click();
    h.run();

    // The matrix offers coh (not its test outputs) and marks the pairs with q ≤ 0.05.
    h.state_mut().tab = ResultsTab::Matrix;
    h.run();
    let r = h.state().results.clone();
    assert_eq!(
        matrix::choices(&r),
        vec![("coherence".to_string(), "coh".to_string())]
    );
    h.get_by_label("q ≤ 0.05: 2 of 3 pairs marked");
    h.get_by_label("Hide q > α").click();
    h.run();
    h.get_by_label("q ≤ 0.05: 2 of 3 pairs remain");
    h.get_by_label("min 0.7000");
    h.state_mut().maps.alpha = 0.01;
    h.run();
    h.get_by_label("q ≤ 0.01: 1 of 3 pairs remain");
    // The per-pair p and the family-wise p are offered too.
    h.get_by_label("Test").click();
    h.run();
    h.get_by_label("p_fwer").click();
    h.run();
    assert_eq!(h.state().maps.test.as_deref(), Some("p_fwer"));
    h.state_mut().maps.alpha = 0.05;
    h.run();
    h.get_by_label("p_fwer ≤ 0.05: 2 of 3 pairs remain");
    h.state_mut().maps.test = Some("p".into());
    h.run();
    h.get_by_label("p ≤ 0.05: 3 of 3 pairs remain");
    h.state_mut().maps.test = None;
    h.state_mut().maps.alpha = 0.01;
    h.run();

    // The scalp map hides the same pairs and says how many remain.
    h.state_mut().tab = ResultsTab::Scalp;
    h.state_mut().maps.threshold = 0.0;
    h.run();
    h.get_by_label_contains("outlined: q ≤ 0.01: 1 of 3 pairs remain");
    h.get_by_label_contains("1 of 3 pairs ≥");
    h.get_by_label("Hide q > α").click();
    h.run();
    h.state_mut().maps.threshold = 0.3;
    h.run();
    h.get_by_label_contains("3 of 3 pairs ≥ 0.3000; outlined: q ≤ 0.01: 1 of 3 pairs marked");

    // The test values and their meaning.
    let labels = matrix::labels(&r, "coherence", "coh");
    let tests = matrix::tests_of(&r, "coherence", "coh");
    let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["q", "p", "p_fwer"]);
    let q = matrix::test_values(&r, "coherence", tests.first(), &labels).expect("q");
    assert_eq!(q[0][1], 0.003);
    assert!(matrix::describe("coherence", "coh.q").contains("Benjamini-Hochberg"));
    assert!(matrix::describe("coherence", "coh.q").contains("Smaller = stronger evidence"));
}
