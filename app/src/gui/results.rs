//! Results: a sortable, filterable table (egui_extras) of tidy rows — one value of
//! one measure on one target (pair, channel or set) of one recording.

use super::matrix::{self, MapState};
use super::scalp;
use egui_extras::{Column, TableBuilder};
use sesame_core::analysis::{Results, Row};

/// One tidy result row, as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// Recording it came from (file name).
    pub recording: String,
    /// Measure id (`ses-bumps`, `wpli`…).
    pub measure: String,
    /// First channel (or region) of the pair, or the channel; empty for a whole set.
    pub a: String,
    /// Second channel of the pair; empty for a channel or set result.
    pub b: String,
    /// Output name (`rho`, `delta_t`, `plv`…).
    pub name: String,
    pub value: f64,
    /// Unit of the value, `""` when dimensionless.
    pub unit: String,
    /// Analysed window, s.
    pub window: (f64, f64),
}

impl ResultRow {
    /// The row of a core analysis result computed over `window` (s).
    pub fn from_row(r: &Row, window: (f64, f64)) -> Self {
        ResultRow {
            recording: r.recording.clone(),
            measure: r.measure.clone(),
            a: r.channel_a.clone(),
            b: r.channel_b.clone(),
            name: r.parameter.clone(),
            value: r.value,
            unit: r.unit.clone(),
            window,
        }
    }

    /// The core row (for the matrix, scalp map and export).
    pub fn to_row(&self) -> Row {
        Row {
            recording: self.recording.clone(),
            channel_a: self.a.clone(),
            channel_b: self.b.clone(),
            measure: self.measure.clone(),
            parameter: self.name.clone(),
            value: self.value,
            unit: self.unit.clone(),
            n_events: None,
            certified: None,
        }
    }
}

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
}

const COLUMNS: [(SortKey, &str); 6] = [
    (SortKey::Recording, "Recording"),
    (SortKey::Measure, "Measure"),
    (SortKey::A, "Channel A"),
    (SortKey::B, "Channel B"),
    (SortKey::Name, "Output"),
    (SortKey::Value, "Value"),
];

/// The rows and how they are shown.
#[derive(Debug, Clone, Default)]
pub struct ResultsState {
    pub rows: Vec<ResultRow>,
    /// Only rows containing this text (case-insensitive) in any text column.
    pub filter: String,
    /// Sort column and direction (`true` = descending).
    pub sort: Option<(SortKey, bool)>,
    pub tab: ResultsTab,
    /// Measure/parameter and threshold of the matrix and scalp views.
    pub maps: MapState,
    /// Where the matrix or scalp figure was drawn last frame (points), for PNG export.
    pub figure_rect: Option<egui::Rect>,
    /// The recording file the rows came from (hashed into the export's provenance).
    pub input: Option<std::path::PathBuf>,
    /// The analysis configuration (TOML) that produced the rows, for provenance.
    pub config_toml: String,
}

impl ResultsState {
    /// The rows as core results (all rows; the filter only affects the table).
    pub fn to_results(&self) -> Results {
        Results {
            rows: self.rows.iter().map(ResultRow::to_row).collect(),
        }
    }

    /// Indices of the rows to show, filtered then sorted (stable, NaN values last).
    pub fn view(&self) -> Vec<usize> {
        let f = self.filter.trim().to_lowercase();
        let mut idx: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                let r = &self.rows[i];
                f.is_empty()
                    || [&r.recording, &r.measure, &r.a, &r.b, &r.name]
                        .iter()
                        .any(|s| s.to_lowercase().contains(&f))
            })
            .collect();
        if let Some((key, desc)) = self.sort {
            idx.sort_by(|&i, &j| {
                let (x, y) = (&self.rows[i], &self.rows[j]);
                let o = match key {
                    SortKey::Recording => x.recording.cmp(&y.recording),
                    SortKey::Measure => x.measure.cmp(&y.measure),
                    SortKey::A => x.a.cmp(&y.a),
                    SortKey::B => x.b.cmp(&y.b),
                    SortKey::Name => x.name.cmp(&y.name),
                    SortKey::Value => {
                        return match (x.value.is_nan(), y.value.is_nan()) {
                            (true, true) => std::cmp::Ordering::Equal,
                            (true, false) => std::cmp::Ordering::Greater,
                            (false, true) => std::cmp::Ordering::Less,
                            _ => {
                                let o = x.value.total_cmp(&y.value);
                                if desc {
                                    o.reverse()
                                } else {
                                    o
                                }
                            }
                        }
                    }
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

pub fn show(ui: &mut egui::Ui, state: &mut ResultsState) {
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
        ResultsTab::Matrix => {
            let r = state.to_results();
            matrix::show(ui, &r, &mut state.maps)
        }
        ResultsTab::Scalp => {
            let r = state.to_results();
            scalp::show(ui, &r, &mut state.maps)
        }
    };
}

fn table(ui: &mut egui::Ui, state: &mut ResultsState) {
    ui.horizontal(|ui| {
        ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut state.filter)
                .hint_text("channel, measure…")
                .desired_width(200.0),
        );
        if ui.button("Clear results").clicked() {
            state.rows.clear();
        }
    });
    let view = state.view();
    ui.label(format!("{} of {} rows", view.len(), state.rows.len()));
    if state.rows.is_empty() {
        ui.weak("No results yet: run an analysis in the Analysis view.");
        return;
    }
    let mut clicked = None;
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .column(Column::auto().at_least(90.0))
        .column(Column::auto().at_least(90.0))
        .column(Column::auto().at_least(70.0))
        .column(Column::auto().at_least(70.0))
        .column(Column::auto().at_least(80.0))
        .column(Column::remainder())
        .header(22.0, |mut h| {
            for (key, title) in COLUMNS {
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
                let r = &state.rows[view[row.index()]];
                for text in [&r.recording, &r.measure, &r.a, &r.b, &r.name] {
                    row.col(|ui| {
                        ui.label(text.as_str());
                    });
                }
                row.col(|ui| {
                    ui.label(format!("{:.6} {}", r.value, r.unit));
                });
            });
        });
    if let Some(k) = clicked {
        state.click_header(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(a: &str, b: &str, v: f64) -> ResultRow {
        ResultRow {
            recording: "r.edf".into(),
            measure: "plv".into(),
            a: a.into(),
            b: b.into(),
            name: "plv".into(),
            value: v,
            unit: String::new(),
            window: (0.0, 10.0),
        }
    }

    #[test]
    fn filter_and_sort() {
        let mut s = ResultsState {
            rows: vec![
                row("Fp1", "Fp2", 0.3),
                row("C3", "C4", f64::NAN),
                row("O1", "O2", 0.9),
                row("Fp1", "O1", 0.1),
            ],
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
