//! Results: a sortable, filterable table (egui_extras) of the tidy rows of an analysis
//! (the core [`Results`], as `sesame analyze` writes them) — one value of one measure
//! on one target (pair, channel or set) of one recording.

use super::command::{Command, View, ViewContext};
use super::document::format_time;
use super::export::FigureChoice;
use super::matrix::{self, MapState};
use super::scalp;
use crate::plot::scalp::{Selection, Strong};
use crate::plot::split_test;
use egui_extras::{Column, TableBuilder};
use sesame_core::analysis::{Results, Row};
use std::collections::HashMap;

/// The ways the Results view shows the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResultsTab {
    #[default]
    Table,
    Matrix,
    Scalp,
}

/// Columns of the table, in order; also the sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Recording,
    Measure,
    A,
    B,
    Name,
    Value,
    /// The row's surrogate p-value (`o.p` of its output `o`).
    P,
    /// The row's Benjamini–Hochberg adjusted p-value (`o.q`).
    Q,
}

const COLUMNS: [(SortKey, &str); 8] = [
    (SortKey::Recording, "Recording"),
    (SortKey::Measure, "Measure"),
    (SortKey::A, "Channel A"),
    (SortKey::B, "Channel B"),
    (SortKey::Name, "Output"),
    (SortKey::Value, "Value"),
    (SortKey::P, "p"),
    (SortKey::Q, "q"),
];

/// A row's place in the table: recording, measure, channels and output.
type RowKey<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// The surrogate test of each tested row: `[p, q]` (NaN when missing) of the row of
/// output `o` whose `o.p` / `o.q` rows exist (an analysis run with
/// `[significance] surrogates > 0`).
#[derive(Debug, Default)]
pub struct TestIndex<'a>(HashMap<RowKey<'a>, [f64; 2]>);

impl<'a> TestIndex<'a> {
    pub fn new(results: &'a Results) -> Self {
        let mut map: HashMap<RowKey<'a>, [f64; 2]> = HashMap::new();
        for r in &results.rows {
            let Some((o, suffix)) = split_test(&r.parameter) else {
                continue;
            };
            let slot = match suffix {
                "p" => 0,
                "q" => 1,
                _ => continue,
            };
            let key = (
                r.recording.as_str(),
                r.measure.as_str(),
                r.channel_a.as_str(),
                r.channel_b.as_str(),
                o,
            );
            map.entry(key).or_insert([f64::NAN; 2])[slot] = r.value;
        }
        TestIndex(map)
    }

    /// Whether any row has a test (the table then shows p and q).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `[p, q]` of `row` (NaN when it has none).
    pub fn of(&self, row: &Row) -> [f64; 2] {
        self.0
            .get(&(
                row.recording.as_str(),
                row.measure.as_str(),
                row.channel_a.as_str(),
                row.channel_b.as_str(),
                row.parameter.as_str(),
            ))
            .copied()
            .unwrap_or([f64::NAN; 2])
    }
}

/// Orders two numbers, NaN last whatever the direction (`desc`).
fn cmp_nan_last(x: f64, y: f64, desc: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => {
            let o = x.total_cmp(&y);
            if desc {
                o.reverse()
            } else {
                o
            }
        }
    }
}

/// The rows and how they are shown.
#[derive(Debug, Clone, Default)]
pub struct ResultsState {
    /// The rows of the last analysis.
    pub results: Results,
    /// The analysed window, s (`None` when the rows were not made here).
    pub window: Option<(f64, f64)>,
    /// Only rows containing this text (case-insensitive) in any text column.
    pub filter: String,
    /// Sort column and direction (`true` = descending).
    pub sort: Option<(SortKey, bool)>,
    pub tab: ResultsTab,
    /// Measure/parameter and threshold of the matrix and scalp views.
    pub maps: MapState,
    /// Where the matrix or scalp figure was drawn last frame (points), for PNG export.
    pub figure_rect: Option<egui::Rect>,
    /// The matrix or scalp map shown, as a figure to save (`None` with the table).
    pub figure: Option<FigureChoice>,
    /// Show the surrogate test's rows (`o.p`, `o.q`, `o.null_mean`…) as rows of their
    /// own; by default they are folded into the p and q columns of their output's row.
    pub show_test_rows: bool,
    /// The recording file the rows came from (hashed into the export's provenance).
    pub input: Option<std::path::PathBuf>,
    /// The analysis configuration (TOML) that produced the rows, for provenance.
    pub config_toml: String,
}

impl ResultsState {
    /// Indices of the rows to show, filtered then sorted (stable, NaN values last).
    pub fn view(&self) -> Vec<usize> {
        self.view_with(&TestIndex::new(&self.results))
    }

    /// [`Self::view`] with the rows' tests already indexed.
    pub fn view_with(&self, tests: &TestIndex<'_>) -> Vec<usize> {
        let f = self.filter.trim().to_lowercase();
        let fold = !tests.is_empty() && !self.show_test_rows;
        let mut idx: Vec<usize> = (0..self.results.rows.len())
            .filter(|&i| {
                let r = &self.results.rows[i];
                !(fold && split_test(&r.parameter).is_some())
                    && (f.is_empty()
                        || [
                            &r.recording,
                            &r.measure,
                            &r.channel_a,
                            &r.channel_b,
                            &r.parameter,
                        ]
                        .iter()
                        .any(|s| s.to_lowercase().contains(&f)))
            })
            .collect();
        if let Some((key, desc)) = self.sort {
            idx.sort_by(|&i, &j| {
                let (x, y) = (&self.results.rows[i], &self.results.rows[j]);
                let o = match key {
                    SortKey::Recording => x.recording.cmp(&y.recording),
                    SortKey::Measure => x.measure.cmp(&y.measure),
                    SortKey::A => x.channel_a.cmp(&y.channel_a),
                    SortKey::B => x.channel_b.cmp(&y.channel_b),
                    SortKey::Name => x.parameter.cmp(&y.parameter),
                    SortKey::Value => return cmp_nan_last(x.value, y.value, desc),
                    SortKey::P => return cmp_nan_last(tests.of(x)[0], tests.of(y)[0], desc),
                    SortKey::Q => return cmp_nan_last(tests.of(x)[1], tests.of(y)[1], desc),
                };
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
        }
        idx
    }

    /// Sorts by `key`, flipping the direction when it already sorts by it.
    pub fn click_header(&mut self, key: SortKey) {
        self.sort = match self.sort {
            Some((k, desc)) if k == key => Some((key, !desc)),
            _ => Some((key, false)),
        };
    }
}

impl View for ResultsState {
    /// Draws the results (they need no recording; the export bar above them is the
    /// app's).
    fn ui(&mut self, ui: &mut egui::Ui, _ctx: &mut ViewContext<'_>) -> Vec<Command> {
        show(ui, self);
        Vec::new()
    }
}

fn show(ui: &mut egui::Ui, state: &mut ResultsState) {
    ui.horizontal(|ui| {
        ui.selectable_value(&mut state.tab, ResultsTab::Table, "Table");
        ui.selectable_value(&mut state.tab, ResultsTab::Matrix, "Matrix");
        ui.selectable_value(&mut state.tab, ResultsTab::Scalp, "Scalp map");
    });
    state.figure_rect = match state.tab {
        ResultsTab::Table => {
            table(ui, state);
            None
        }
        ResultsTab::Matrix => matrix::show(ui, &state.results, &mut state.maps),
        ResultsTab::Scalp => scalp::show(ui, &state.results, &mut state.maps),
    };
    state.figure = state
        .figure_rect
        .and_then(|_| figure_choice(&state.results, &state.maps, state.tab == ResultsTab::Scalp));
}

/// The figure the matrix or scalp view shows, as `sesame plot` draws it: the output
/// chosen, the scalp map's threshold or strongest pairs and direction, and with
/// "hide" on only the pairs that pass the test.
pub fn figure_choice(results: &Results, maps: &MapState, scalp: bool) -> Option<FigureChoice> {
    let (measure, parameter) = maps.selection.clone()?;
    let (_, test) = matrix::chosen_test(results, &measure, &parameter, maps);
    Some(FigureChoice {
        scalp,
        selection: if maps.top_k > 0 {
            Selection::Top(maps.top_k)
        } else {
            Selection::Threshold(maps.threshold)
        },
        strong: if maps.smaller_is_stronger {
            Strong::Low
        } else {
            Strong::High
        },
        significant: test
            .filter(|_| maps.hide_not_significant)
            .map(|t| (t.parameter, maps.alpha)),
        measure,
        parameter,
    })
}

fn table(ui: &mut egui::Ui, state: &mut ResultsState) {
    ui.horizontal(|ui| {
        ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut state.filter)
                .hint_text("channel, measure…")
                .desired_width(200.0),
        );
        if state
            .results
            .rows
            .iter()
            .any(|r| split_test(&r.parameter).is_some())
        {
            ui.checkbox(&mut state.show_test_rows, "Test rows")
                .on_hover_text(
                    "Show the surrogate test's outputs (o.p, o.q, o.p_fwer, o.null_mean, \
                     o.null_sd) as rows of their own instead of the p and q columns",
                );
        }
        if ui.button("Clear results").clicked() {
            state.results.rows.clear();
            state.window = None;
        }
    });
    let tests = TestIndex::new(&state.results);
    let view = state.view_with(&tests);
    // p and q columns when the analysis ran with surrogates.
    let columns = if tests.is_empty() { 6 } else { 8 };
    ui.horizontal(|ui| {
        ui.label(format!(
            "{} of {} rows",
            view.len(),
            state.results.rows.len()
        ));
        if let Some((a, b)) = state.window {
            ui.weak(format!("window {}–{}", format_time(a), format_time(b)));
        }
    });
    if state.results.rows.is_empty() {
        ui.weak("No results yet: run an analysis in the Analysis view.");
        return;
    }
    let mut clicked = None;
    let mut builder = TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .column(Column::auto().at_least(90.0))
        .column(Column::auto().at_least(90.0))
        .column(Column::auto().at_least(70.0))
        .column(Column::auto().at_least(70.0))
        .column(Column::auto().at_least(80.0));
    builder = if columns == 8 {
        builder
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(70.0))
            .column(Column::remainder())
    } else {
        builder.column(Column::remainder())
    };
    builder
        .header(22.0, |mut h| {
            for (key, title) in COLUMNS.into_iter().take(columns) {
                h.col(|ui| {
                    let arrow = match state.sort {
                        Some((k, false)) if k == key => " ^",
                        Some((k, true)) if k == key => " v",
                        _ => "",
                    };
                    if ui
                        .button(format!("{title}{arrow}"))
                        .on_hover_text(format!("Sort by {title}"))
                        .clicked()
                    {
                        clicked = Some(key);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(18.0, view.len(), |mut row| {
                let r = &state.results.rows[view[row.index()]];
                for text in [&r.recording, &r.measure, &r.channel_a, &r.channel_b] {
                    row.col(|ui| {
                        ui.label(text.as_str());
                    });
                }
                // The output's registered sentence (what `sesame measures` prints).
                row.col(|ui| {
                    let about = matrix::describe(&r.measure, &r.parameter);
                    let label = ui.label(r.parameter.as_str());
                    if !about.is_empty() {
                        label.on_hover_text(about);
                    }
                });
                row.col(|ui| {
                    ui.label(
                        format!("{} {}", value_text(r.value), r.unit)
                            .trim_end()
                            .to_string(),
                    );
                });
                if columns == 8 {
                    for v in tests.of(r) {
                        row.col(|ui| {
                            if v.is_finite() {
                                ui.label(p_text(v));
                            }
                        });
                    }
                }
            });
        });
    if let Some(k) = clicked {
        state.click_header(k);
    }
}

/// A p-value for the table: four decimals, or scientific notation below 0.0001.
pub fn p_text(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-4 {
        format!("{v:.2e}")
    } else {
        format!("{v:.4}")
    }
}

/// A result value for the table: counts and other whole numbers without decimals,
/// other values with at most six decimals and no trailing zeros.
pub fn value_text(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use sesame_core::analysis::Row;

    fn row(a: &str, b: &str, v: f64) -> Row {
        Row {
            recording: "r".into(),
            channel_a: a.into(),
            channel_b: b.into(),
            measure: "plv".into(),
            parameter: "plv".into(),
            value: v,
            unit: String::new(),
            n_events: None,
            certified: None,
        }
    }

    #[test]
    fn filter_and_sort() {
        let mut s = ResultsState {
            results: Results {
                rows: vec![
                    row("Fp1", "Fp2", 0.3),
                    row("C3", "C4", f64::NAN),
                    row("O1", "O2", 0.9),
                    row("Fp1", "O1", 0.1),
                ],
            },
            ..Default::default()
        };
        assert_eq!(s.view(), vec![0, 1, 2, 3]);
        s.click_header(SortKey::Value);
        assert_eq!(s.view(), vec![3, 0, 2, 1]);
        s.click_header(SortKey::Value);
        assert_eq!(s.view(), vec![2, 0, 3, 1], "descending, NaN still last");
        s.filter = "fp1".into();
        assert_eq!(s.view(), vec![0, 3]);
        s.click_header(SortKey::B);
        assert_eq!(s.view(), vec![0, 3]);
    }
}
