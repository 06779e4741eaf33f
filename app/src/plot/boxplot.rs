//! Box plot of one parameter per group (Tukey boxes: quartiles by linear interpolation,
//! whiskers to the furthest point within 1.5 IQR), with every observation drawn on top,
//! jittered sideways by a fixed sequence so the same table always gives the same figure.

use super::table::TableRow;
use super::{
    format_tick, parameter_symbol, with_unit, Figure, FONT, LABEL_SIZE, TICK_SIZE, TITLE_SIZE,
};
use anyhow::{bail, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// What one point of the plot is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Points {
    /// One point per recording: the value of one pair, or the mean over its pairs.
    Recordings,
    /// One point per row (pair × recording).
    Pairs,
}

/// The box plot: observations per group, groups in drawing order.
#[derive(Debug, Clone)]
pub struct BoxFigure {
    pub title: String,
    pub groups: Vec<(String, Vec<f64>)>,
    /// Name of the grouping column (x axis description).
    pub group_by: String,
    /// y axis description (name and unit).
    pub value_label: String,
}

/// Five-number summary of a Tukey box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxStats {
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    /// Smallest observation ≥ q1 − 1.5 IQR.
    pub low: f64,
    /// Largest observation ≤ q3 + 1.5 IQR.
    pub high: f64,
}

/// Quantile `p` of sorted values, linear interpolation between order statistics
/// (Hyndman–Fan type 7, the default of R and NumPy).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

impl BoxStats {
    /// Summary of finite values (`None` when there is none).
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let (q1, median, q3) = (quantile(&v, 0.25), quantile(&v, 0.5), quantile(&v, 0.75));
        let iqr = q3 - q1;
        let low = v
            .iter()
            .copied()
            .find(|&x| x >= q1 - 1.5 * iqr)
            .unwrap_or(q1);
        let high = v
            .iter()
            .rev()
            .copied()
            .find(|&x| x <= q3 + 1.5 * iqr)
            .unwrap_or(q3);
        Some(BoxStats {
            q1,
            median,
            q3,
            low,
            high,
        })
    }
}

/// Sideways offset of the `k`-th point of a group, in [−0.5, 0.5) (golden-ratio sequence).
pub fn jitter(k: usize) -> f64 {
    let g = 0.618_033_988_749_895;
    ((k as f64 + 1.0) * g).fract() - 0.5
}

impl BoxFigure {
    /// Groups `rows` (one measure/parameter) by column `group_by`. With `pair`, only that
    /// pair (either order); with [`Points::Recordings`], one value per recording (the mean
    /// of its rows when several pairs remain).
    pub fn from_rows(
        rows: &[&TableRow],
        group_by: &str,
        pair: Option<(&str, &str)>,
        points: Points,
    ) -> Result<Self> {
        let Some(first) = rows.first() else {
            bail!("no values to draw");
        };
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let kept: Vec<&TableRow> = rows
            .iter()
            .copied()
            .filter(|r| match pair {
                Some((a, b)) => {
                    (same(&r.channel_a, a) && same(&r.channel_b, b))
                        || (same(&r.channel_a, b) && same(&r.channel_b, a))
                }
                None => true,
            })
            .filter(|r| r.value.is_finite())
            .collect();
        if kept.is_empty() {
            match pair {
                Some((a, b)) => bail!("no finite value for the pair {a},{b}"),
                None => bail!("every value is missing (NaN): nothing to draw"),
            }
        }
        let group_of = |r: &TableRow| -> Result<String> {
            r.field(group_by).map(str::to_string).ok_or_else(|| {
                anyhow::anyhow!(
                    "the table has no column `{group_by}` (columns: {}); choose one with --group-by",
                    r.fields.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            })
        };
        let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        match points {
            Points::Pairs => {
                for r in &kept {
                    groups.entry(group_of(r)?).or_default().push(r.value);
                }
            }
            Points::Recordings => {
                let mut per: BTreeMap<(String, String), (f64, usize)> = BTreeMap::new();
                for r in &kept {
                    let e = per
                        .entry((group_of(r)?, r.recording.clone()))
                        .or_insert((0.0, 0));
                    e.0 += r.value;
                    e.1 += 1;
                }
                for ((g, _), (s, n)) in per {
                    groups.entry(g).or_default().push(s / n as f64);
                }
            }
        }
        let unit_of_point = match (points, pair) {
            (Points::Pairs, _) => "one point per pair and recording".to_string(),
            (Points::Recordings, Some((a, b))) => format!("{a}–{b}, one point per recording"),
            (Points::Recordings, None) => "mean over pairs, one point per recording".to_string(),
        };
        Ok(BoxFigure {
            title: format!(
                "{} {} by {group_by} ({unit_of_point})",
                first.measure,
                parameter_symbol(&first.parameter)
            ),
            groups: groups
                .into_iter()
                .map(|(g, v)| (if g.is_empty() { "(none)".into() } else { g }, v))
                .collect(),
            group_by: group_by.to_string(),
            value_label: with_unit(&first.parameter, &first.unit),
        })
    }
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

impl Figure for BoxFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let all: Vec<f64> = self
            .groups
            .iter()
            .flat_map(|g| g.1.iter().copied())
            .collect();
        let Some((lo, hi)) = super::value_range(all) else {
            bail!("no values to draw");
        };
        let pad = 0.08 * (hi - lo);
        let g = self.groups.len();
        root.fill(&WHITE)?;
        let names: Vec<String> = self
            .groups
            .iter()
            .map(|(name, v)| format!("{name} (n = {})", v.len()))
            .collect();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, TITLE_SIZE - 2))
            .margin(20)
            .x_label_area_size(80)
            .y_label_area_size(100)
            .build_cartesian_2d(-0.5..(g as f64 - 0.5), (lo - pad)..(hi + pad))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(0)
            .bold_line_style(RGBColor(225, 225, 225))
            .x_labels(g)
            .y_labels(8)
            .x_label_formatter(&|x| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 {
                    names.get(k as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format_tick(*v))
            .x_desc(&self.group_by)
            .y_desc(&self.value_label)
            .axis_desc_style((FONT, LABEL_SIZE))
            .label_style((FONT, TICK_SIZE))
            .draw()?;
        let half = 0.22;
        for (k, (_, values)) in self.groups.iter().enumerate() {
            let x = k as f64;
            let colour = PALETTE[k % PALETTE.len()];
            if let Some(s) = BoxStats::of(values) {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - half, s.q1), (x + half, s.q3)],
                    colour.mix(0.18).filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - half, s.q1), (x + half, s.q3)],
                    colour.stroke_width(2),
                )))?;
                let seg = |a: (f64, f64), b: (f64, f64), w: u32| {
                    PathElement::new(vec![a, b], colour.stroke_width(w))
                };
                chart.draw_series([
                    seg((x - half, s.median), (x + half, s.median), 4),
                    seg((x, s.q3), (x, s.high), 2),
                    seg((x, s.q1), (x, s.low), 2),
                    seg((x - half / 2.0, s.high), (x + half / 2.0, s.high), 2),
                    seg((x - half / 2.0, s.low), (x + half / 2.0, s.low), 2),
                ])?;
            }
            // A single point sits on the box's axis; more are spread over 60 % of its width.
            let spread = if values.len() > 1 { 1.2 * half } else { 0.0 };
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            chart.draw_series(sorted.iter().enumerate().map(|(i, &v)| {
                Circle::new(
                    (x + spread * jitter(i), v),
                    5,
                    ShapeStyle::from(&colour.mix(0.85)).filled(),
                )
            }))?;
            chart.draw_series(sorted.iter().enumerate().map(|(i, &v)| {
                Circle::new((x + spread * jitter(i), v), 5, BLACK.stroke_width(1))
            }))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::table::Table;

    #[test]
    fn quartiles_match_type_7() {
        // numpy.percentile([1, 2, 3, 4, 10], [25, 50, 75]) = 2, 3, 4.
        let s = BoxStats::of(&[10.0, 1.0, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!((s.q1, s.median, s.q3), (2.0, 3.0, 4.0));
        // 10 lies beyond q3 + 1.5 IQR = 7: the whisker stops at 4.
        assert_eq!((s.low, s.high), (1.0, 4.0));
        assert!(BoxStats::of(&[f64::NAN]).is_none());
        let j: Vec<f64> = (0..50).map(jitter).collect();
        assert!(j.iter().all(|v| (-0.5..0.5).contains(v)));
    }

    #[test]
    fn groups_recordings_and_pairs() {
        let t = Table::from_delimited(
            "recording\tchannel_a\tchannel_b\tmeasure\tparameter\tvalue\tunit\tgroup\n\
             r1\tC3\tCz\tm\tp\t1\t\tA\n\
             r1\tC3\tO1\tm\tp\t3\t\tA\n\
             r2\tC3\tCz\tm\tp\t5\t\tB\n\
             r2\tC3\tO1\tm\tp\tNaN\t\tB\n",
            b'\t',
        )
        .unwrap();
        let rows = t.select("m", "p", None).unwrap();
        let f = BoxFigure::from_rows(&rows, "group", None, Points::Recordings).unwrap();
        assert_eq!(f.groups, [("A".into(), vec![2.0]), ("B".into(), vec![5.0])]);
        let f =
            BoxFigure::from_rows(&rows, "group", Some(("cz", "c3")), Points::Recordings).unwrap();
        assert_eq!(f.groups, [("A".into(), vec![1.0]), ("B".into(), vec![5.0])]);
        let f = BoxFigure::from_rows(&rows, "group", None, Points::Pairs).unwrap();
        assert_eq!(f.groups[0].1, [1.0, 3.0]);
        let e = BoxFigure::from_rows(&rows, "site", None, Points::Recordings)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column `site`"), "{e}");
        assert!(BoxFigure::from_rows(&rows, "group", Some(("Fz", "Pz")), Points::Pairs).is_err());
    }
}
