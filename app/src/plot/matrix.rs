//! Channel × channel (or region × region) heatmap of one measure's parameter from a
//! tidy results table, averaged over recordings when the table holds several.

use super::table::TableRow;
use super::{
    colour_bar, format_value, parameter_symbol, value_range, viridis, with_unit, Figure, FONT,
    LABEL_SIZE, TICK_SIZE,
};
use anyhow::{bail, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sesame_core::recording::labels::canonical_name;
use sesame_core::recording::positions::{electrode_position, project_2d};
use sesame_core::ses::regions::RegionTable;
use std::collections::BTreeMap;

/// A square matrix of values over labels.
#[derive(Debug, Clone)]
pub struct MatrixFigure {
    pub title: String,
    /// Row/column labels, in drawing order (first row at the top).
    pub labels: Vec<String>,
    /// `values[i][j]`: value of the pair (`labels[i]`, `labels[j]`); NaN where there is none.
    pub values: Vec<Vec<f64>>,
    /// Colour bar description (name and unit).
    pub value_label: String,
    /// What the labels are (`channel` or `region`), for the axis descriptions.
    pub unit_kind: &'static str,
}

/// Row of the 10-20/10-10 grid named by an electrode's letters, from the nose back
/// (Fp, AF, F, FC/FT, C/T, CP/TP, P, PO, O, I); T5/T6 sit in the parietal row as P7/P8.
fn electrode_row(name: &str) -> Option<i64> {
    let upper = name.to_ascii_uppercase();
    if upper == "T5" || upper == "T6" {
        return Some(7);
    }
    let letters: String = upper
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let letters = letters.strip_suffix('Z').unwrap_or(&letters);
    Some(match letters {
        "N" => 0,
        "FP" => 1,
        "AF" => 2,
        "F" => 3,
        "FT" | "FC" => 4,
        "T" | "C" | "A" | "M" => 5,
        "TP" | "CP" => 6,
        "P" => 7,
        "PO" => 8,
        "O" => 9,
        "I" => 10,
        _ => return None,
    })
}

/// Orders unit labels for display: electrodes from the nose backwards and left to
/// right (by their 10-20 positions), regions in the order of `regions`, the rest
/// alphabetically after them.
pub fn display_order(
    labels: impl IntoIterator<Item = String>,
    regions: &RegionTable,
) -> Vec<String> {
    let mut placed: Vec<(u8, i64, i64, usize, String)> = Vec::new();
    let names = regions.names();
    for l in labels {
        if let Some(k) = names.iter().position(|n| n.eq_ignore_ascii_case(&l)) {
            placed.push((0, 0, 0, k, l));
        } else if let Some(p) = electrode_position(&l) {
            let [x, y] = project_2d(p);
            let row = canonical_name(&l)
                .and_then(|c| electrode_row(&c))
                .unwrap_or(100 + (-y * 10.0).round() as i64);
            placed.push((1, row, (x * 1000.0).round() as i64, 0, l));
        } else {
            placed.push((2, 0, 0, 0, l));
        }
    }
    placed.sort();
    placed.dedup_by(|a, b| a.4 == b.4);
    placed.into_iter().map(|p| p.4).collect()
}

impl MatrixFigure {
    /// Builds the matrix of `rows` (one measure/parameter, pairwise): the mean over
    /// recordings of each ordered pair; an undirected pair fills both cells, a directed
    /// one (both orders present) keeps each direction in its own cell (row = from).
    pub fn from_rows(rows: &[&TableRow], regions: &RegionTable) -> Result<Self> {
        let Some(first) = rows.first() else {
            bail!("no values to draw");
        };
        let labels = display_order(
            rows.iter()
                .flat_map(|r| [r.channel_a.clone(), r.channel_b.clone()]),
            regions,
        );
        let idx: BTreeMap<&str, usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let n = labels.len();
        let mut sum = vec![vec![0.0; n]; n];
        let mut count = vec![vec![0usize; n]; n];
        for r in rows.iter().filter(|r| r.value.is_finite()) {
            if let (Some(&i), Some(&j)) =
                (idx.get(r.channel_a.as_str()), idx.get(r.channel_b.as_str()))
            {
                sum[i][j] += r.value;
                count[i][j] += 1;
            }
        }
        let mut values = vec![vec![f64::NAN; n]; n];
        for i in 0..n {
            for j in 0..n {
                if count[i][j] > 0 {
                    values[i][j] = sum[i][j] / count[i][j] as f64;
                }
            }
        }
        for i in 0..n {
            for j in 0..n {
                if values[i][j].is_nan() && count[j][i] > 0 {
                    values[i][j] = values[j][i];
                }
            }
        }
        let what = super::source_of(rows);
        let names = regions.names();
        let unit_kind = if labels
            .iter()
            .all(|l| names.iter().any(|n| n.eq_ignore_ascii_case(l)))
        {
            "region"
        } else {
            "channel"
        };
        Ok(MatrixFigure {
            unit_kind,
            title: format!(
                "{} {}: {what}",
                first.measure,
                parameter_symbol(&first.parameter)
            ),
            labels,
            values,
            value_label: with_unit(&first.parameter, &first.unit),
        })
    }
}

impl Figure for MatrixFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let n = self.labels.len();
        if n == 0 {
            bail!("no values to draw");
        }
        let range = value_range(self.values.iter().flatten().copied())
            .ok_or_else(|| anyhow::anyhow!("every value is missing (NaN): nothing to draw"))?;
        root.fill(&WHITE)?;
        let (w, h) = root.dim_in_pixel();
        let title_h = 70;
        let (title_area, body) = root.split_vertically(title_h);
        super::draw_title(&title_area, &self.title)?;
        let bar_w = 170;
        // Square plotting region: the body height minus the label areas.
        let label_px = if n > 12 { 75 } else { 110 };
        let side = (h - title_h).min(w - bar_w);
        let (square, rest) = body.split_horizontally(side);
        let (bar, _) = rest.split_horizontally(bar_w.min(w - side));
        // Labels shrink with the number of rows so that they never overlap (at least 8 px).
        let cell_px = side.saturating_sub(label_px + 20) / n.max(1) as u32;
        let tick = (cell_px * 4 / 5).clamp(8, TICK_SIZE);
        let last = n as i32 - 1;
        let mut chart = ChartBuilder::on(&square)
            .margin(10)
            .x_label_area_size(label_px)
            .y_label_area_size(label_px)
            .build_cartesian_2d((0..last).into_segmented(), (0..last).into_segmented())?;
        let name = |v: &SegmentValue<i32>, flip: bool| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                let k = if flip { last - *i } else { *i };
                usize::try_from(k)
                    .ok()
                    .and_then(|k| self.labels.get(k))
                    .cloned()
                    .unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(n)
            .y_labels(n)
            .x_label_formatter(&|v| name(v, false))
            .y_label_formatter(&|v| name(v, true))
            .x_desc(self.unit_kind)
            .y_desc(self.unit_kind)
            .axis_desc_style((FONT, LABEL_SIZE))
            .label_style((FONT, tick))
            .draw()?;
        let show_text = n <= 8;
        for i in 0..n {
            for j in 0..n {
                let v = self.values[i][j];
                let (x, y) = (j as i32, last - i as i32);
                let cell = [
                    (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                    (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                ];
                let colour = if v.is_finite() {
                    viridis(super::unit(v, range))
                } else {
                    RGBColor(235, 235, 235)
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    cell.clone(),
                    colour.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(cell, WHITE.stroke_width(1))))?;
                if show_text && v.is_finite() {
                    let dark = super::unit(v, range) < 0.6;
                    let style = TextStyle::from((FONT, TICK_SIZE).into_font())
                        .color(if dark { &WHITE } else { &BLACK })
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    chart.draw_series(std::iter::once(Text::new(
                        format_value(v),
                        (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)),
                        style,
                    )))?;
                }
            }
        }
        colour_bar(&bar, range, &self.value_label, 20, label_px + 10, 1.0)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::table::Table;

    #[test]
    fn orders_electrodes_front_to_back_and_fills_both_cells() {
        let order = display_order(
            [
                "O1", "Fp1", "Cz", "C3", "Fp2", "X", "T5", "P3", "AF3", "F7", "T3",
            ]
            .map(String::from),
            &RegionTable::default(),
        );
        assert_eq!(
            order,
            ["Fp1", "Fp2", "AF3", "F7", "T3", "C3", "Cz", "T5", "P3", "O1", "X"]
        );
        let t = Table::from_delimited(
            "recording\tchannel_a\tchannel_b\tmeasure\tparameter\tvalue\tunit\n\
             r1\tC3\tCz\tm\tp\t1\t\nr2\tC3\tCz\tm\tp\t3\t\nr1\tCz\tO1\tm\tp\tNaN\t\n",
            b'\t',
        )
        .unwrap();
        let rows = t.select("m", "p", None).unwrap();
        let m = MatrixFigure::from_rows(&rows, &RegionTable::default()).unwrap();
        assert_eq!(m.labels, ["C3", "Cz", "O1"]);
        assert_eq!(m.values[0][1], 2.0);
        assert_eq!(m.values[1][0], 2.0);
        assert!(m.values[1][2].is_nan());
        assert!(m.title.contains("mean over 2 recordings"));
    }
}
